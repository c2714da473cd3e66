"""Filters as SQL (geodata.query): DuckDB over the GeoParquet file and the pandas masks agree."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geodata
from geodata.filters import Filters
from geodata.query import GROUPS, DuckDBSource, FrameSource, Sql, counts_sql, rows_sql, where
from geodata.schema import ATTRIBUTION_STATUSES

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_export import make_features  # noqa: E402

pytest.importorskip("duckdb")


def _features():
    features = make_features(400, seed=7)
    for i, f in enumerate(features):
        p = f["properties"]
        if i % 7 == 0:  # (a span: kept when it meets the date range)
            day = dt.date.fromisoformat(p["date"]) + dt.timedelta(days=i % 40)
            p["end_date"] = day.isoformat()
        if i % 11 == 0:
            p.pop("target", None)
        if i % 13 == 0:
            p.pop("fatalities", None)
        if i % 17 == 0:
            p["attribution"] = {"status": "unknown"} if i % 2 else None
            if p["attribution"] is None:
                p.pop("attribution")
    return features


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("query")
    gdf = geodata.frame_from_features(_features())
    path = folder / "incidents.parquet"
    geodata.write(gdf, path)
    duck = DuckDBSource(path)
    yield FrameSource(geodata.load(path).gdf), duck
    duck.close()


VALUES = {}


def _values(frame):
    if not VALUES:
        gdf = frame.gdf
        VALUES["actors"] = sorted(set(gdf["actor"].dropna().astype(str))
                                  | set(gdf["target"].dropna().astype(str))) + ["Nobody"]
        VALUES["types"] = sorted(gdf["event_type"].dropna().astype(str))
        VALUES["countries"] = sorted(set(gdf["country"].dropna().astype(str)))
    return VALUES


@st.composite
def filters(draw, values):
    day = st.dates(dt.date(2018, 12, 1), dt.date(2021, 2, 1))
    start, end = draw(st.one_of(st.none(), day)), draw(st.one_of(st.none(), day))
    if start and end and end < start:
        start, end = end, start
    box = None
    if draw(st.booleans()):
        x = sorted(draw(st.lists(st.floats(20, 70), min_size=2, max_size=2)))
        y = sorted(draw(st.lists(st.floats(10, 45), min_size=2, max_size=2)))
        box = (x[0], y[0], x[1], y[1])
    return Filters(
        start=start, end=end,
        actors=draw(st.lists(st.sampled_from(values["actors"]), max_size=3)),
        role=draw(st.sampled_from(["any", "perpetrator", "target"])),
        event_types=draw(st.lists(st.sampled_from(sorted(set(values["types"]))), max_size=2)),
        countries=draw(st.lists(st.sampled_from(values["countries"]), max_size=2)),
        statuses=draw(st.lists(st.sampled_from(list(ATTRIBUTION_STATUSES)), max_size=2)),
        bbox=box,
    )


def test_made_up_views_give_the_same_incidents_and_counts_both_ways(sources):
    frame, duck = sources

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(filters(_values(frame)))
    def check(f):
        rows = frame.rows(f)
        assert np.array_equal(duck.rows(f), rows), where(f)
        ids = frame.gdf["id"].to_numpy()[rows]
        assert len(set(ids)) == len(rows)
        for by in GROUPS:
            want = frame.counts(f, by)
            assert duck.counts(f, by).equals(want), (by, where(f))
            assert want["incidents"].sum() == len(rows)

    check()


def test_every_filter_alone_matches(sources):
    frame, duck = sources
    values = _values(frame)
    for f in [Filters(), Filters(start="2020-01-01"), Filters(end="2019-03-01"),
              Filters(actors=values["actors"][:2]),
              Filters(actors=values["actors"][:2], role="target"),
              Filters(statuses=["unknown"]), Filters(countries=values["countries"][:1]),
              Filters(bbox=(40, 30, 50, 36))]:
        rows = frame.rows(f)
        assert np.array_equal(duck.rows(f), rows)
        assert 0 < len(rows) <= len(frame.gdf), f


def test_the_sql_keeps_every_value_a_parameter():
    hostile = "x'); DROP TABLE incidents; --"
    sql = where(Filters(actors=[hostile], countries=["IRQ"], start="2020-01-01"))
    assert hostile not in sql.text and hostile in sql.params
    assert sql.text == ("COALESCE(end_date, date) >= ? AND (actor IN (?) OR target IN (?)) "
                        "AND country IN (?)")
    assert where(Filters()) == Sql("TRUE")
    assert counts_sql(Filters(), "day").text.endswith("GROUP BY CAST(date AS DATE)")
    with pytest.raises(ValueError, match="not a table name"):
        rows_sql(Filters(), table="incidents; DROP")
    with pytest.raises(ValueError, match="counts by one of"):
        counts_sql(Filters(), "place")


def test_a_hostile_value_is_only_a_value(sources):
    frame, duck = sources
    f = Filters(actors=["x') OR 1=1 --"])
    assert len(duck.rows(f)) == len(frame.rows(f)) == 0


def test_a_file_that_is_not_geoparquet_is_named(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet")
    with pytest.raises(geodata.DataSourceError, match="bad.parquet"):
        DuckDBSource(bad)
