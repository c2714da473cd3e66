"""The column-wise load gives the per-feature load's report and frame, whatever the rows.

``geodata.load`` checks GeoJSON and GeoParquet column by column and sends only
the rows a column check flags through the per-feature check; these tests
compare it with the per-feature path (``load_per_feature``, what ``load`` did
before) on the project's files and on hostile rows, as GeoJSON and GeoParquet.
"""

from __future__ import annotations

import copy
import json
import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from conftest import ROOT, feature_collection, make_feature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fuzz import broken_features

import geodata
from geodata.schema import MAX_COUNT

_LOAD = sys.modules["geodata.load"]
_FIXTURE = [HealthCheck.function_scoped_fixture]


def assert_same(path, kind):
    """Both paths, lenient and strict: the same problems, flags and frame."""
    fast, fast_report = _LOAD._load_features(path, path.name, kind, True,
                                              _LOAD.Progress(None))
    slow, slow_report = _LOAD.load_per_feature(path, path.name, kind, True)
    assert [str(p) for p in fast_report.problems] == [str(p) for p in slow_report.problems]
    assert fast_report.problems == slow_report.problems
    assert fast_report.n_features == slow_report.n_features
    assert fast_report.valid.tolist() == slow_report.valid.tolist()
    pd.testing.assert_frame_equal(fast, slow)
    assert fast.crs == slow.crs
    if not slow_report.ok:
        with pytest.raises(geodata.ValidationError) as fast_error:
            _LOAD._load_features(path, path.name, kind, False, _LOAD.Progress(None))
        assert str(fast_error.value) == str(
            pytest.raises(geodata.ValidationError, _LOAD.load_per_feature, path, path.name,
                          kind, False).value)
    return fast_report


def _geojson(tmp_path, features, name="data.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    return path


def _shape(geometry):
    """A shapely geometry for a GeoJSON one (hostile ones: None, or an empty point)."""
    try:
        return shapely.geometry.shape(geometry)
    except Exception:  # noqa: BLE001 - anything unusable is written as no geometry
        return None


def _parquet(tmp_path, features, name="data.parquet"):
    """The features' properties as a GeoParquet file (mixed columns stored as JSON text)."""
    rows = [copy.deepcopy(f["properties"]) if isinstance(f, dict) and isinstance(
        f.get("properties"), dict) else {} for f in features]
    frame = pd.DataFrame({k: pd.Series([r.get(k) for r in rows], dtype=object)
                          for k in dict.fromkeys(k for r in rows for k in r)},
                         index=pd.RangeIndex(len(rows)))
    geoms = [_shape(f.get("geometry")) if isinstance(f, dict) else None for f in features]
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs="EPSG:4326"))
    path = tmp_path / name
    geodata.write(gdf, path)
    return path


HOSTILE = [
    {"title": " \u00a0\u2003"},            # Unicode blanks only
    {"title": "\x1c\x1d"},                  # what str.strip() takes for whitespace
    {"title": "\u0645\u0648\u0635\u0644"},  # Arabic: fine
    {"title": "\x00"},                      # a control character: fine for the schema
    {"actor": 7},
    {"actor": ["Iran"]},
    {"event_type": None},
    {"notes": ""},
    {"place": {"name": "x"}},
    {"date": "2020-02-30"},
    {"date": "1600-01-01"},
    {"date": "\u0662\u0660\u0662\u0660-01-01"},  # Arabic-Indic digits
    {"date": "2020-01-01T10:00"},
    {"end_date": "2019-01-01"},
    {"end_date": 5},
    {"date_precision": ["day"]},
    {"fatalities": True},
    {"fatalities": 2.0},
    {"fatalities": 2.5},
    {"fatalities": MAX_COUNT + 1},
    {"fatalities": 2**70},
    {"fatalities": -0.0},
    {"injuries": "3"},
    {"fatalities": 3, "fatalities_low": 4},
    {"fatalities_low": 1, "fatalities_high": 0},
    {"geo_precision_km": 20001},
    {"geo_precision_km": False},
    {"country": "iraq"},
    {"country": "IRQ "},
    {"country": 368},
    {"attribution": {"status": "claimed", "claimed_by": ["ISIS", ""]}},
    {"attribution": {"status": ["claimed"]}},
    {"attribution": {"claimed_by": []}},
    {"attribution": {"status": "unknown", "note": {"deep": [1, 2]}}},
    {"attribution": "confirmed"},
    {"sources": [{"title": "a", "url": "HTTPS://example.org/a"}]},
    {"sources": [{"title": "a", "url": " https://example.org/a"}]},
    {"sources": [{"title": "a", "url": "https://exämple.org/a"}]},
    {"sources": [{"title": "a", "url": "https://example.org/a b"}]},
    {"sources": [{"title": "a", "url": "https://"}]},
    {"sources": [{"publisher": "x"}]},
    {"sources": [{"title": "a", "url": "http://example.org/\tb"}]},   # a control character
    {"sources": [{"title": "a", "url": "http://example.org/\x7f"}]},  # DEL: fine for Python
    {"sources": [{"title": "a", "url": "http\u017f://example.org"}]},  # folds to "https"
    {"sources": [{"title": "a", "url": "hTTp://example.org"}]},
    {"sources": [{"title": "a", "url": "http:/example.org"}]},
    {"sources": [{"title": "a", "url": "ftp://example.org"}]},
    {"sources": [{"title": "a", "url": "http://example.org/\u00a0"}]},  # stripped: fine
    {"sources": [{"title": "a", "url": "https://ok.org"}, {"title": "b", "url": "http://"}]},
    {"title": "\u3000x"},                 # a blank first, then text
    {"title": "\u200b"},                  # no whitespace to Python: fine
    {"title": "\t\n"},
    {"title": "\x7f"},
    {"place": " "},
    {"sources": [{"title": 5}]},
    {"sources": ["https://example.org"]},
    {"related": [{"id": ""}]},
    {"related": [{"id": "inc-1", "relation": {"why": ["x"]}}]},
    {"tags": [[[[["x"]]]]]},
    {"deep": json.loads("[" * 70 + "]" * 70)},
    {"attribution_status": "confirmed"},
    {"id": ""},
    {"id": 5},
]


#: Hostile-looking rows the schema accepts.
FINE = [
    {"title": "\u0645\u0648\u0635\u0644"},
    {"title": "\x00"},
    {"fatalities": 2.0},
    {"fatalities": -0.0},
    {"attribution": {"status": "unknown", "note": {"deep": [1, 2]}}},
    {"sources": [{"title": "a", "url": "HTTPS://example.org/a"}]},
    {"sources": [{"title": "a", "url": " https://example.org/a"}]},
    {"sources": [{"title": "a", "url": "https://exämple.org/a"}]},
    {"sources": [{"title": "a", "url": "http://example.org/\x7f"}]},
    {"sources": [{"title": "a", "url": "hTTp://example.org"}]},
    {"sources": [{"title": "a", "url": "http://example.org/\u00a0"}]},
    {"title": "\u3000x"},
    {"title": "\u200b"},
    {"title": "\x7f"},
    {"related": [{"id": "inc-1", "relation": {"why": ["x"]}}]},
    {"tags": [[[[["x"]]]]]},
    {"attribution_status": "confirmed"},
    {"id": 5},
]


def _hostile_features():
    features = [make_feature(i) for i in range(4)]
    for i, change in enumerate(HOSTILE, start=4):
        features.append(make_feature(i, **change))
    features.append(make_feature(1))                               # duplicate id
    features.append({"type": "Feature", "id": 9, "geometry": None, "properties": None})
    features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, True]},
                     "properties": make_feature(90)["properties"]})
    features.append({"type": "Feature", "geometry": {"type": "Point",
                     "coordinates": [200.0, 1, 0]}, "properties": make_feature(91)["properties"]})
    features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.5, 2, 3]},
                     "properties": make_feature(92)["properties"]})
    line = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    features.append({"type": "Feature", "geometry": line,
                     "properties": make_feature(93)["properties"]})
    features.append(["not", "a", "feature"])
    features.append({"type": "Feature", "id": "inc-2", "properties": {"title": "x"}})
    features.append(make_feature(94, only_here=None))
    return features


def test_the_built_in_dataset_is_the_same_either_way(tmp_path):
    report = assert_same(ROOT / "incidents.geojson", "geojson")
    assert report.ok
    gdf = geodata.read(ROOT / "incidents.geojson")
    path = tmp_path / "incidents.parquet"
    geodata.write(gdf, path)
    assert assert_same(path, "parquet").ok


def test_hostile_geojson_rows_give_the_per_feature_messages(tmp_path):
    report = assert_same(_geojson(tmp_path, _hostile_features()), "geojson")
    bad = {p.index for p in report.problems}
    fine = {4 + i for i, change in enumerate(HOSTILE) if change in FINE}
    assert not bad & fine  # flagged by a column check maybe, but not reported
    assert set(range(4, 4 + len(HOSTILE))) - fine <= bad


def test_hostile_geoparquet_rows_give_the_per_feature_messages(tmp_path):
    features = [f for f in _hostile_features() if isinstance(f, dict)]
    report = assert_same(_parquet(tmp_path, features), "parquet")
    assert not report.ok


def test_a_column_present_only_in_bad_rows_is_left_out_as_before(tmp_path):
    features = [make_feature(0), make_feature(1, extra="x", fatalities=-1), make_feature(2)]
    assert_same(_geojson(tmp_path, features), "geojson")
    gdf = geodata.load(_geojson(tmp_path, features), lenient=True).gdf
    assert "extra" not in gdf.columns and list(gdf["id"]) == ["inc-0", "inc-2"]


@settings(max_examples=120, deadline=None, suppress_health_check=_FIXTURE)
@given(features=st.lists(broken_features(), max_size=6))
def test_any_broken_geojson_gives_the_same_report_and_frame(tmp_path, features):
    assert_same(_geojson(tmp_path, features), "geojson")


@settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE)
@given(features=st.lists(broken_features(), max_size=5))
def test_any_broken_geoparquet_gives_the_same_report_and_frame(tmp_path, features):
    try:
        path = _parquet(tmp_path, features)
    except geodata.GeodataError:  # (a frame the writer refuses is no GeoParquet file to test)
        return
    assert_same(path, "parquet")


#: Typed columns of a frame (as GeoPandas or this tool writes GeoParquet): each
#: row breaks one rule in a column the fast path checks by Arrow, not as values.
TYPED_HOSTILE = [
    ("date", pd.NaT),                                   # required
    ("date", pd.Timestamp("2020-01-01 10:00")),         # a time: its day, as to_features
    ("end_date", pd.Timestamp("2019-01-01")),           # before the date
    ("fatalities", -1),
    ("fatalities", MAX_COUNT + 1),
    ("fatalities", pd.NA),                              # missing: fine
    ("fatalities_low", 9),                              # above fatalities (3)
    ("geo_precision_km", -1.0),
    ("geo_precision_km", float("nan")),                 # missing: fine
    ("geo_precision_km", 20001.0),
    ("country", "iraq"),
    ("country", None),                                  # required
    ("actor", " "),
    ("actor", "\u3000"),                                # a category that is only a blank
    ("target", "\u3000x"),                              # a blank first: fine
    ("country", "IR\u0130"),
    ("event_type", None),
    ("date_precision", "weekly"),
    ("geo_precision", "street"),
]


def _typed_hostile_frame():
    features = [make_feature(i, fatalities=3, fatalities_low=1, end_date="2020-02-01")
                for i in range(len(TYPED_HOSTILE) + 3)]
    gdf = geodata.frame_from_features(features)
    for row, (name, value) in enumerate(TYPED_HOSTILE, start=3):
        column = gdf[name]
        if isinstance(column.dtype, pd.CategoricalDtype) and value is not None \
                and value not in column.cat.categories:
            gdf[name] = column.cat.add_categories([value])
        gdf.loc[row, name] = value
    return gdf


@pytest.mark.parametrize("writer", ["geodata", "geopandas", "row groups of 4"])
def test_typed_hostile_geoparquet_columns_give_the_per_feature_messages(tmp_path, writer):
    gdf = _typed_hostile_frame()
    assert str(gdf["date"].dtype) == "datetime64[ns]" and str(gdf["fatalities"].dtype) == "Int64"
    assert isinstance(gdf["country"].dtype, pd.CategoricalDtype)
    path = tmp_path / "typed.parquet"
    if writer == "geodata":
        geodata.write(gdf, path)
    elif writer == "geopandas":
        gdf.drop(columns=["attribution_status"]).to_parquet(path)
    else:  # (each column read in chunks, typed nested ones too: checked without joining them)
        import pyarrow.parquet as pq

        geodata.write(gdf, tmp_path / "whole.parquet")
        pq.write_table(pq.read_table(tmp_path / "whole.parquet"), path, row_group_size=4)
        assert pq.ParquetFile(path).num_row_groups > 1
    report = assert_same(path, "parquet")
    if writer == "row groups of 4":  # (one chunk each: taking rows from chunks joins them per call)
        frame = geodata.load(path, lenient=True).gdf
        chunks = {c: frame[c].array._pa_array.num_chunks for c in frame.columns
                  if hasattr(frame[c].array, "_pa_array")}
        assert chunks and set(chunks.values()) == {1}, chunks
    flagged = {p.index for p in report.problems}
    fine = {3 + i for i, (name, v) in enumerate(TYPED_HOSTILE)
            if v is pd.NA or (isinstance(v, float) and v != v) or v == pd.Timestamp(
                "2020-01-01 10:00") or v == "\u3000x"}
    assert flagged == set(range(3, 3 + len(TYPED_HOSTILE))) - fine


# ---------------------------------------------------------------- GeoJSON columns as Arrow once
# (geodata.arrowcols: text, categories and nested properties converted once, checked by
# Arrow and handed to the frame; each case compares with the per-feature path)

_FULL_SOURCE = {"title": "A", "publisher": "P", "date": "2020-01-02", "url": "https://e.org/a"}
_NULL_URL = {**_FULL_SOURCE, "url": None}
_FULL_CLAIM = {"status": "claimed", "claimed_by": ["X"], "blamed_by": [], "note": "n"}

#: Each case: features (made from these property changes), and what the frame must show.
ARROW_CASES = {
    # every source has every key, one holds null: kept "with nulls" (dense) ...
    "dense sources": [{}, {"sources": [_FULL_SOURCE]}, {"sources": [_NULL_URL]}],
    # ... unless the only null is in a row the check drops: then typed plainly
    "dense only in a bad row": [{"sources": [_FULL_SOURCE]},
                                {"sources": [_NULL_URL], "fatalities": -1}],
    "dense attribution": [{"attribution": _FULL_CLAIM},
                          {"attribution": {**_FULL_CLAIM, "note": None}}],
    "dense attribution, null in a bad row": [
        {"attribution": _FULL_CLAIM},
        {"attribution": {**_FULL_CLAIM, "note": None}, "date": "x"}],
    # a value only a bad row has keeps the column from Arrow: the kept rows' lists decide
    "sources a string in a bad row": [{}, {"sources": "https://e.org"}],
    "a source null in its list": [{}, {"sources": [None]}],
    "related with a number id": [{"related": [{"id": "inc-0"}]}, {"related": [{"id": 3}]}],
    "attribution a name null": [{"attribution": {"status": "claimed", "claimed_by": [None]}}],
    "attribution a name empty": [{"attribution": {"status": "claimed", "blamed_by": [""]}}],
    "attribution without status": [{"attribution": {"note": "x"}}],
    "a source without title nor url": [{"sources": [{"publisher": "P"}]}],
    "a source url not http": [{"sources": [{"title": "t", "url": "ftp://e.org"}]}],
    "related an empty id": [{"related": [{"id": ""}]}],
    # categories and text with a value only bad rows have
    "actor a number in a bad row": [{}, {"actor": 5}],
    "target present only in a bad row": [{"target": ...}, {"target": "X", "date": "x"}],
    "target null where kept": [{"target": None}, {"target": "X", "fatalities": -2}],
    "notes a list in a bad row": [{}, {"notes": ["x"]}],
    "notes null everywhere": [{"notes": None}, {"notes": None}],
    "an extra text column": [{"extra": "a"}, {"extra": "b"}, {"extra": None}],
    "an extra text column, a number in a bad row": [{"extra": "a"}, {"extra": 1, "date": "x"}],
    "categories in code point order": [{"actor": "\u00e9"}, {"actor": "Z"}, {"actor": "a"},
                                       {"actor": "\U0001f600"}, {"actor": "\u00c9"}],
}


@pytest.mark.parametrize("case", ARROW_CASES)
def test_columns_converted_once_give_the_per_feature_frame(tmp_path, case):
    changes = ARROW_CASES[case]
    features = [make_feature(i, **change) for i, change in enumerate(changes)]
    features.append(make_feature(len(features), **changes[0]))  # (a good row like the first)
    assert_same(_geojson(tmp_path, features), "geojson")


def test_a_dense_column_reads_back_its_explicit_nulls(tmp_path):
    features = [make_feature(0, sources=[_FULL_SOURCE]), make_feature(1, sources=[_NULL_URL])]
    gdf = geodata.load(_geojson(tmp_path, features)).gdf
    assert geodata.to_features(gdf)[1]["properties"]["sources"] == [_NULL_URL]
    assert isinstance(gdf["sources"].dtype, pd.ArrowDtype)
    assert list(gdf["actor"].cat.categories) == sorted(gdf["actor"].dropna().unique())


# ---------------------------------------------------------------- URL and text checks by bytes


def _urls(seed: int, n: int = 4000) -> list:
    import random

    rng = random.Random(seed)
    odd = [" ", "\t", "\x7f", "\u00e9", "\u017f", "\u00a0", "/", ":", "S", "\x00"]
    out = []
    for _ in range(n):
        if rng.random() < 0.05:
            out.append(None)
            continue
        head = rng.choice(["http://", "https://", "HTTPS://", "hTtP://", "ftp://", "http:/", ""])
        out.append(head + "".join(rng.choice(odd) if rng.random() < 0.03 else "x"
                                  for _ in range(rng.randint(0, 12))))
    return out


@pytest.mark.parametrize("block", [1, 7, 4096])
def test_the_url_check_by_bytes_flags_what_the_expression_flagged(monkeypatch, block):
    """Chunks, slices and blocks of bytes: the rows the former regular expression passed,
    none that the per-feature check would reject."""
    import re

    import numpy as np
    import pyarrow as pa

    from geodata import bytechecks
    from geodata.validate import is_http_url

    monkeypatch.setattr(bytechecks, "_BYTES_AT_ONCE", block)
    urls = _urls(block)
    got = np.concatenate([bytechecks._http_urls(pa.chunked_array(
        [pa.array(urls[:1000], kind).slice(3), pa.array(urls[1000:], kind)]))
        for kind in (pa.string(), pa.large_string())])
    checked = urls[3:] * 2
    before = re.compile(r"(?i:http|https)://[!-~]+", re.ASCII)
    assert got.tolist() == [u is None or bool(before.fullmatch(u)) for u in checked]
    assert all(is_http_url(u) for u, ok in zip(checked, got, strict=True) if ok and u is not None)
    assert np.count_nonzero(got) > 100 and np.count_nonzero(~got) > 100


def test_the_text_check_by_first_byte_is_the_expression():
    import pyarrow as pa
    import pyarrow.compute as pc

    from geodata import bytechecks

    texts = ["a", " a", "   ", "", None, "\u00e9t\u00e9", "\u3000", "\u3000x", "\u200b",
             "\t\n", "!", "~", "\x7f", "\x00", "\U0001f642"] * 3
    for kind in (pa.string(), pa.large_string()):
        arr = pa.chunked_array([pa.array(texts, kind).slice(2), pa.array(texts[:5], kind)])
        for null in (True, False):
            expected = pc.match_substring_regex(arr, bytechecks._TEXT).fill_null(null)
            assert bytechecks._has_text(arr, null).tolist() == expected.to_pylist()
