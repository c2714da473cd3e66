"""Typed nested columns (geodata.nested) against the object columns they replace.

Every consumer must see the same Python objects, reports, properties blocks,
GeoJSON and GeoParquet either way; a column whose values do not fit the typed
layout exactly stays objects and keeps every key and null.
"""

from __future__ import annotations

import json

import geopandas as gpd
import orjson
import pandas as pd
import pyarrow as pa
import pytest
from conftest import ROOT, feature_collection, make_feature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_columnar import FINE, _hostile_features, _parquet
from test_fuzz import broken_features

import geodata
from geodata import nested
from geodata.geojson_write import iter_properties_json, to_features
from mapapp import mapdata
from mapapp.state import to_csv_bytes

_FIXTURE = [HealthCheck.function_scoped_fixture]


def _write_geojson(tmp_path, features, name="data.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    return path


def _both(path, **kw):
    """(typed, objects): the same file loaded both ways."""
    typed = geodata.load(path, lenient=True, cache=False, **kw)
    with nested.objects_only():
        objects = geodata.load(path, lenient=True, cache=False, **kw)
    return typed, objects


def _blocks(gdf, block=3):
    return [orjson.loads(b) for b in iter_properties_json(gdf, block)]


def assert_same_everywhere(typed: geodata.Loaded, objects: geodata.Loaded, tmp_path):
    """Reports, features, blocks, chain links, CSV, GeoJSON and GeoParquet the same."""
    a, b = typed.gdf, objects.gdf
    assert [str(p) for p in typed.report.problems] == [str(p) for p in objects.report.problems]
    assert typed.report.valid.tolist() == objects.report.valid.tolist()
    assert list(a.columns) == list(b.columns)
    for name in geodata.schema.NESTED_FIELDS:
        if name in b:
            assert b[name].dtype == object
            assert nested.column_values(a[name]) == b[name].tolist()
    text = [c for c in a if a[c].dtype == "str"]
    for name in text:  # (Arrow strings: the same text, missing where it was None)
        assert b[name].dtype == object
        assert a[name].astype(object).where(a[name].notna(), None).tolist() == b[name].tolist()
    other = [c for c in a if not nested.is_typed(a[c]) and c not in text]
    pd.testing.assert_frame_equal(a[other], b[other])
    assert to_features(a) == to_features(b)
    assert _blocks(a) == _blocks(b)
    assert _blocks(a, 1000) == _blocks(b, 1000)
    assert mapdata.properties_json(a) == mapdata.properties_json(b)
    ids = a["id"].astype(str).tolist()
    assert mapdata._links(a, ids) == mapdata._links(b, ids)
    assert to_csv_bytes(a) == to_csv_bytes(b)
    for suffix in ("geojson", "parquet"):
        pa_, pb = tmp_path / f"typed.{suffix}", tmp_path / f"objects.{suffix}"
        geodata.write(a, pa_)
        with nested.objects_only():
            geodata.write(b, pb)
        if suffix == "geojson":
            assert pa_.read_bytes() == pb.read_bytes()
        back = geodata.load(pa_, lenient=True)
        assert to_features(back.gdf) == to_features(a)
        with nested.objects_only():
            assert to_features(geodata.load(pb, lenient=True).gdf) == to_features(b)


# ---------------------------------------------------------------- the fit check


FITS = {
    "sources": [[{"title": 'a "q"\n\x01', "url": "https://x.org/a"},
                 {"title": "é", "publisher": "p", "date": "2020-01-01"}], None, [], [{}]],
    "attribution": [{"status": "claimed", "claimed_by": ["A"], "blamed_by": []}, None,
                    {"status": "unknown"}, {"status": "x", "claimed_by": [None], "note": "n"}],
    "related": [[], [{"id": "a", "relation": "follows"}], None, [{"id": "b"}]],
}
#: Every dict with every key, some null: typed, the nulls kept (DENSE_TYPES).
DENSE = {
    "sources": [[{"title": "a", "publisher": None, "date": "2020", "url": None}], None, []],
    "attribution": [{"status": "alleged", "claimed_by": None, "blamed_by": ["x", None],
                     "note": None}, None],
    "related": [[{"id": "a", "relation": None}, {"id": "b", "relation": "follows"}]],
}

MISFITS = [
    ("sources", [[{"title": "a", "extra": "kept"}]]),             # an unknown key
    ("sources", [[{"title": "a", "url": None}]]),                 # an explicit null
    ("sources", [[{"url": "https://x.org", "title": "a"}]]),      # another key order
    ("sources", [[{"title": 1}]]),                                # a number for text
    ("sources", [[{"title": "a", "date": True}]]),
    ("sources", [({"title": "a"},)]),                             # a tuple
    ("sources", ["https://x.org"]),
    ("sources", [[["a"]]]),
    ("attribution", [{"status": "a", "claimed_by": ("x",)}]),
    ("attribution", [{"status": "unknown", "note": {"deep": [1, 2]}}]),
    ("attribution", ["confirmed"]),
    ("attribution", [{"status": None}]),
    ("related", [[{"id": "a", "relation": None}, {"id": "b"}]]),  # (null and absent mixed)
    ("related", [[{"id": "a", "relation": {"why": ["x"]}}]]),
    ("related", [[{"id": 5}]]),
    ("tags", [["x"]]),                                            # not a nested property
]


@pytest.mark.parametrize(("name", "values"), [*FITS.items(), *DENSE.items()])
def test_values_that_fit_come_back_as_themselves_and_as_orjson_writes_them(name, values):
    arr = nested.typed_array(name, values)
    assert arr is not None
    assert nested.is_dense(arr.type) == (values is DENSE.get(name))
    back = nested.to_objects(arr)
    assert back == values
    assert [list(v) if isinstance(v, dict) else v for v in back] == \
        [list(v) if isinstance(v, dict) else v for v in values]  # (key order too)
    texts, missing = nested.json_texts(arr)
    for text, gone, value in zip(texts.to_pylist(), missing.tolist(), values, strict=True):
        assert gone == (value is None)
        if value is not None:
            assert text.encode() == orjson.dumps(value)
    sliced = arr.slice(1)  # (a filtered or sliced column)
    assert nested.json_texts(sliced)[0].to_pylist() == texts.to_pylist()[1:]


@pytest.mark.parametrize(("name", "values"), MISFITS)
def test_values_that_do_not_fit_stay_objects(name, values):
    assert nested.typed_array(name, values) is None
    assert nested.frame_column(name, values).tolist() == values


def test_extra_keys_inside_sources_keep_the_column_as_objects_through_every_file(tmp_path):
    features = [make_feature(i) for i in range(3)]
    features[1]["properties"]["sources"] = [{"title": "a", "url": "https://x.org/a",
                                             "archived": "https://archive.org/x"}]
    features[2]["properties"]["sources"] = [{"title": "b", "url": None}]
    path = _write_geojson(tmp_path, features)
    loaded = geodata.load(path)
    assert loaded.gdf["sources"].dtype == object
    assert nested.is_typed(loaded.gdf["attribution"]) or "attribution" not in loaded.gdf
    want = [f["properties"]["sources"] for f in features]
    for suffix in ("parquet", "geojson"):
        out = tmp_path / f"out.{suffix}"
        geodata.write(loaded.gdf, out)
        assert geodata.load(out).gdf["sources"].tolist() == want
    geodata.load(path, cache=True)
    assert geodata.load(path, cache=True).gdf["sources"].tolist() == want


# ---------------------------------------------------------------- whole files


def test_the_built_in_dataset_is_typed_and_the_same_either_way(tmp_path):
    typed, objects = _both(ROOT / "incidents.geojson")
    for name in ("sources", "attribution", "related"):
        assert nested.is_typed(typed.gdf[name]), name
    assert_same_everywhere(typed, objects, tmp_path)
    path = tmp_path / "incidents.parquet"
    geodata.write(typed.gdf, path)
    again, objects_again = _both(path)
    assert nested.is_typed(again.gdf["sources"])
    assert_same_everywhere(again, objects_again, tmp_path)


def test_geoparquet_stores_typed_columns_natively_and_reads_json_text_as_before(tmp_path):
    gdf = geodata.read(ROOT / "incidents.geojson")
    typed_file, text_file = tmp_path / "typed.parquet", tmp_path / "text.parquet"
    geodata.write(gdf, typed_file)
    with nested.objects_only():
        geodata.write(geodata.load(ROOT / "incidents.geojson").gdf, text_file)
    import pyarrow.parquet as pq

    assert pa.types.is_list(pq.read_schema(typed_file).field("sources").type)
    assert pa.types.is_string(pq.read_schema(text_file).field("sources").type)
    a, b = geodata.load(typed_file), geodata.load(text_file)  # (a foreign-style file: parsed)
    assert nested.is_typed(a.gdf["sources"]) and nested.is_typed(b.gdf["sources"])
    assert to_features(a.gdf) == to_features(b.gdf) == to_features(gdf)


def test_the_working_copy_keeps_typed_columns(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(tmp_path / "cache"))
    direct = geodata.load(ROOT / "incidents.geojson", cache=False)
    geodata.load(ROOT / "incidents.geojson", cache=True)
    cached = geodata.load(ROOT / "incidents.geojson", cache=True)
    assert nested.is_typed(cached.gdf["sources"])
    pd.testing.assert_frame_equal(direct.gdf, cached.gdf)
    assert to_features(direct.gdf) == to_features(cached.gdf)


def test_hostile_rows_give_the_same_reports_and_objects(tmp_path):
    features = _hostile_features()
    assert_same_everywhere(*_both(_write_geojson(tmp_path, features)), tmp_path)
    assert_same_everywhere(*_both(_parquet(tmp_path, features)), tmp_path)


def test_bad_rows_of_a_typed_geoparquet_get_the_per_feature_messages(tmp_path):
    """Typed columns checked by Arrow flag the same rows the per-feature check rejects."""
    good = [make_feature(i) for i in range(3)]
    bad = [make_feature(10 + i, **change) for i, change in enumerate([
        {"sources": [{"title": "a", "url": "javascript:alert(1)"}]},
        {"sources": [{"publisher": "x"}]},
        {"attribution": {"status": "claimed", "claimed_by": ["ISIS", ""]}},
        {"attribution": {"status": "maybe"}},
        {"related": [{"id": ""}]},
    ])]
    fine = [make_feature(20 + i, **change) for i, change in enumerate(FINE)
            if not set(change) & set(nested.TYPES)]
    frame = geodata.io.frame_from_features(good + bad + fine)  # (not checked: as another tool)
    typed_file = tmp_path / "t.parquet"
    assert nested.is_typed(frame["related"])
    geodata.write(frame, typed_file)
    typed, objects = _both(typed_file)
    assert nested.is_typed(typed.gdf["related"])
    messages = [str(p) for p in typed.report.problems]
    assert len([m for m in messages if "field 'sources" in m]) == 2
    assert any("attribution.claimed_by" in m for m in messages)
    assert any("attribution.status" in m for m in messages)
    assert any("related[0]" in m for m in messages)
    assert_same_everywhere(typed, objects, tmp_path)


@settings(max_examples=60, deadline=None, suppress_health_check=_FIXTURE)
@given(features=st.lists(broken_features(), max_size=6))
def test_any_broken_file_is_the_same_typed_or_not(tmp_path, features):
    for path in (_write_geojson(tmp_path, features), _parquet(tmp_path, features)):
        try:
            typed, objects = _both(path)
        except geodata.DataSourceError as exc:
            with nested.objects_only(), pytest.raises(geodata.DataSourceError) as again:
                geodata.load(path, lenient=True, cache=False)
            assert str(again.value) == str(exc)
            continue
        assert_same_everywhere(typed, objects, tmp_path)


_SOURCE = st.fixed_dictionaries({}, optional={
    "title": st.text(max_size=5), "publisher": st.text(max_size=5),
    "date": st.sampled_from(["2020-01-01", "x"]),
    "url": st.sampled_from(["https://a.org/\u00e9", "http://b", "ftp://c", ""])}).map(
    lambda d: {k: d[k] for k in ("title", "publisher", "date", "url") if k in d})


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.one_of(st.none(), st.lists(_SOURCE, max_size=3)), max_size=6))
def test_any_sources_column_reads_back_the_same(rows):
    arr = nested.typed_array("sources", rows)
    if arr is None:  # (the strategy makes dicts in the layout's order: they fit)
        pytest.fail(f"should fit: {rows!r}")
    assert nested.to_objects(arr) == rows
    texts, missing = nested.json_texts(arr)
    assert [t if not m else None for t, m in zip(texts.to_pylist(), missing, strict=True)] == \
        [None if r is None else orjson.dumps(r).decode() for r in rows]
    gdf = gpd.GeoDataFrame({"id": [str(i) for i in range(len(rows))],
                            "sources": nested.typed_series(arr)},
                           geometry=gpd.points_from_xy([0.0] * len(rows), [0.0] * len(rows)),
                           crs="EPSG:4326")
    assert [f["properties"].get("sources") for f in to_features(gdf)] == rows


def test_the_export_packs_typed_columns_as_it_packs_objects():
    """An export's blocks are the same bytes whether the nested columns are typed or objects.

    (Typed columns once went in whole, one JSON value per row, not split per key:
    the million-incident file grew from 107 to 123 MB.)
    """
    from mapapp.exportdata import block_columns

    typed, objects = _both(ROOT / "incidents.geojson")
    assert nested.is_typed(typed.gdf["sources"])
    assert list(block_columns(typed.gdf, 7)) == list(block_columns(objects.gdf, 7))
