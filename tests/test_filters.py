"""Filters and summaries, checked against a plain-Python reading of the same data."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import make_feature

import geodata
from geodata import FilterError, Filters


@pytest.fixture
def gdf(write_geojson):
    features = [make_feature(i) for i in range(30)]
    # one incident spanning days, one with a missing target
    features[5]["properties"].update(date="2020-01-02", end_date="2020-01-10")
    features[6]["properties"].pop("target")
    return geodata.read(write_geojson(features)), features


def _ids(frame):
    return sorted(frame["id"].tolist())


def _expected(features, pred):
    return sorted(f["properties"]["id"] for f in features if pred(f["properties"], f["geometry"]))


def _day(s):
    return dt.date.fromisoformat(s)


def test_no_filter_keeps_everything(gdf):
    frame, features = gdf
    assert len(Filters().apply(frame)) == len(features)


def test_date_range_is_inclusive_and_spans_overlap(gdf):
    frame, features = gdf
    got = _ids(Filters(start="2020-01-08", end="2020-01-12").apply(frame))

    def pred(p, _):
        start = _day(p["date"])
        end = _day(p.get("end_date", p["date"]))
        return start <= _day("2020-01-12") and end >= _day("2020-01-08")

    assert got == _expected(features, pred)
    assert "inc-5" in got  # 2 Jan to 10 Jan overlaps
    assert "inc-7" in got and "inc-11" in got  # the boundary days themselves


@pytest.mark.parametrize("role", ["any", "perpetrator", "target"])
def test_actor_roles(gdf, role):
    frame, features = gdf
    got = _ids(Filters(actors=["Kataib Hezbollah"], role=role).apply(frame))

    def pred(p, _):
        as_actor = p.get("actor") == "Kataib Hezbollah"
        as_target = p.get("target") == "Kataib Hezbollah"
        return {"any": as_actor or as_target, "perpetrator": as_actor, "target": as_target}[role]

    assert got == _expected(features, pred)
    assert got


def test_event_type_country_status_and_bbox_combine_with_and(gdf):
    frame, features = gdf
    frame.loc[frame["id"] == "inc-3", "attribution_status"] = "disputed"
    f = Filters(countries=["IRQ"], event_types=["Explosions/Remote violence"],
                bbox=(44.0, 33.0, 44.45, 33.35))
    got = _ids(f.apply(frame))

    def pred(p, g):
        x, y = g["coordinates"]
        return p["country"] == "IRQ" and 44.0 <= x <= 44.45 and 33.0 <= y <= 33.35

    assert got == _expected(features, pred)
    assert _ids(Filters(statuses=["disputed"]).apply(frame)) == ["inc-3"]


def test_unknown_values_match_nothing_and_the_reason_says_which(gdf):
    frame, _ = gdf
    f = Filters(actors=["Nobody"], countries=["IRQ"])
    assert len(f.apply(frame)) == 0
    assert geodata.empty_reason(frame, f) == "no incident matches actor/target: 'Nobody'"
    g = Filters(countries=["SYR"], start="2020-01-01", end="2020-01-01")
    assert len(g.apply(frame)) == 0
    assert "none match" in geodata.empty_reason(frame, g)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": "2020-13-01"}, "start '2020-13-01' does not exist: there is no month 13"),
        ({"start": "13/01/2020"}, "start must be a date as YYYY-MM-DD, got '13/01/2020'"),
        ({"start": "2020-02-01", "end": "2020-01-01"}, "end 2020-01-01 is before start 2020-02-01"),
        ({"role": "victim"}, "role must be one of perpetrator, target, any, got 'victim'"),
        ({"statuses": ["rumoured"]}, "unknown attribution status 'rumoured'"),
        ({"bbox": (1, 2, 0, 3)}, "bbox must be"),
    ],
)
def test_bad_filter_values(kwargs, message):
    with pytest.raises(FilterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Filters(**kwargs)


def test_summaries_match_a_plain_count(gdf):
    frame, features = gdf
    by_actor = geodata.count_by(frame, "actor")
    for actor, row in by_actor.iterrows():
        mine = [f["properties"] for f in features if f["properties"]["actor"] == actor]
        assert row["incidents"] == len(mine)
        assert row["fatalities"] == sum(p["fatalities"] for p in mine)
    weekly = geodata.by_period(frame, "W")
    assert weekly["incidents"].sum() == len(features)
    assert all(ts.day_of_week == 0 for ts in weekly["period"])  # weeks start on Monday
    ov = geodata.overview(frame)
    assert ov["incidents"] == 30
    assert f"{ov['end']:%Y-%m-%d}" == "2020-01-28"


def test_mask_matches_pandas_on_a_large_frame():
    """Timing lives in benchmarks/; here the vectorised mask must agree with pandas."""
    import numpy as np
    import pandas as pd

    n = 200_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "date": pd.to_datetime("2019-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
        "actor": pd.Categorical(rng.choice(["A", "B", "C"], n)),
        "target": pd.Categorical(rng.choice(["A", "B", "C"], n)),
    })
    f = Filters(start="2019-06-01", end="2019-06-30", actors=["A"], role="perpetrator")
    mask = f.mask(frame)
    expected = ((frame["date"] >= "2019-06-01") & (frame["date"] <= "2019-06-30")
                & (frame["actor"] == "A")).to_numpy()
    assert (mask == expected).all()


def _plain_week(day: str) -> dt.date:
    d = dt.date.fromisoformat(day)
    return d - dt.timedelta(days=d.weekday())


@pytest.mark.parametrize("pick", ["all", "none", "iran", "every third"])
def test_figures_of_a_mask_match_a_plain_reading(gdf, pick):
    import numpy as np

    frame, features = gdf
    features[7]["properties"].update(fatalities=3, fatalities_low=1, fatalities_high=40)
    frame = geodata.frame_from_features(features)
    keep = {
        "all": lambda i, p: True, "none": lambda i, p: False,
        "iran": lambda i, p: p["actor"] == "Iran", "every third": lambda i, p: i % 3 == 0,
    }[pick]
    mask = np.array([keep(i, f["properties"]) for i, f in enumerate(features)])
    mine = [f["properties"] for f, k in zip(features, mask, strict=True) if k]
    figures = geodata.Figures(frame)

    ov = figures.overview(mask)
    assert ov["incidents"] == len(mine)
    assert ov["fatalities"] == sum(p["fatalities"] for p in mine)
    assert ov["fatalities_low"] == sum(p.get("fatalities_low", p["fatalities"]) for p in mine)
    assert ov["fatalities_high"] == sum(p.get("fatalities_high", p["fatalities"]) for p in mine)
    days = [p["date"] for p in mine]
    ends = [p.get("end_date", p["date"]) for p in mine]
    assert (None if ov["start"] is None else f"{ov['start']:%Y-%m-%d}") == min(days, default=None)
    assert (None if ov["end"] is None else f"{ov['end']:%Y-%m-%d}") == max(ends, default=None)

    summary = figures.view_summary(mask)
    counts: dict[str, int] = {}
    for p in mine:
        counts[p["actor"]] = counts.get(p["actor"], 0) + 1
    assert list(summary["actor_counts"].items()) == sorted(counts.items(),
                                                           key=lambda kv: (-kv[1], kv[0]))
    assert summary["event_types"] == sorted({p["event_type"] for p in mine})
    assert figures.view_summary(mask) == geodata.view_summary(frame.loc[mask])

    weekly, freq = figures.timeline(mask, "W")
    assert freq == "W"
    plain: dict[tuple, int] = {}
    for p in mine:
        key = (_plain_week(p["date"]), p["actor"])
        plain[key] = plain.get(key, 0) + 1
    got = {(ts.date(), actor): int(n) for ts, actor, n in
           weekly[["period", "actor", "incidents"]].itertuples(index=False)}
    assert got == plain
    if len(mine):  # the module's weekly binning agrees
        by_week = geodata.by_period(frame.loc[mask], "W")
        assert {ts.date(): int(n) for ts, n in zip(by_week["period"], by_week["incidents"],
                                                  strict=True)} == \
            {w: sum(n for (w2, _), n in plain.items() if w2 == w) for w, _ in plain}


def test_timeline_picks_days_for_short_spans_and_groups_other_actors(gdf):
    import numpy as np

    frame, features = gdf
    figures = geodata.Figures(frame)
    counts, freq = figures.timeline(np.ones(len(frame), bool))
    assert freq == "D" and counts["incidents"].sum() == len(features)
    many = [make_feature(i, actor=f"Actor {i % 12}", date=f"2020-0{1 + i % 9}-01")
            for i in range(24)]
    figures = geodata.Figures(geodata.frame_from_features(many))
    assert figures.timeline_actors[-1] == "Other" and len(figures.timeline_actors) == 11
    counts, freq = figures.timeline()
    assert freq == "W" and counts["incidents"].sum() == 24
    assert counts.loc[counts["actor"] == "Other", "incidents"].sum() == 4  # 2 actors x 2
    with pytest.raises(ValueError, match="one flag per incident"):
        figures.overview([True])
