"""The map's properties blocks, written column by column, hold what the per-feature path wrote.

``mapapp.mapdata.write_data_files`` builds each ``props/N.json.gz`` from
column arrays (``geodata.geojson_write.iter_properties_json``); before, it went
through one feature dict per incident (``per_feature=True`` still does). A
popup or the detail panel reads these blocks, so every block must decode to
the same list of properties, keys in the same order, whatever the values.
"""

from __future__ import annotations

import gzip
import json
import math

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pytest
from conftest import DATASET, feature_collection, make_feature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_columnar import FINE

import geodata
from geodata import geojson_write
from geodata.geojson_write import iter_properties_json
from mapapp import mapdata


def _blocks(folder):
    """Each block file's name and decoded content, with each object's key order."""
    out = {}
    for path in sorted(folder.iterdir(), key=lambda p: int(p.name.split(".")[0])):
        rows = orjson.loads(gzip.decompress(path.read_bytes()))
        out[path.name] = (rows, [list(r) for r in rows])
    return out


def _decoded(pieces):
    return [(rows, [list(r) for r in rows]) for rows in map(orjson.loads, pieces)]


def assert_same_blocks(gdf, tmp_path, block):
    """Both writers: the same files, each decoding to the same properties in the same order.

    (The files when the frame has ids, as the page's always has; the pieces otherwise.)
    """
    new = _decoded(iter_properties_json(gdf, block))
    assert new == _decoded(iter_properties_json(gdf, block, per_feature=True))
    assert len(new) == math.ceil(len(gdf) / block)
    everything = [p for rows, _ in new for p in rows]
    assert everything == orjson.loads(mapdata.properties_json(gdf)) == \
        orjson.loads(mapdata.properties_json(gdf, per_feature=True))
    if "id" in gdf.columns:
        _, folder = mapdata.write_data_files(gdf, tmp_path / "new", block=block)
        _, old = mapdata.write_data_files(gdf, tmp_path / "old", block=block, per_feature=True)
        new_blocks = _blocks(folder)
        assert list(new_blocks) == [mapdata.props_block_name(k) for k in range(len(new))]
        assert new_blocks == _blocks(old)
        assert mapdata.read_properties(folder) == everything
    return everything


def _load(features):
    data = json.dumps(feature_collection(features)).encode()
    return geodata.load(data, name="t.geojson", lenient=True).gdf


def _frame(columns: dict, n: int) -> gpd.GeoDataFrame:
    points = gpd.points_from_xy(np.linspace(-10, 10, n), np.linspace(-5, 5, n), crs="EPSG:4326")
    return gpd.GeoDataFrame(columns, geometry=points, index=pd.RangeIndex(n))


def test_the_built_in_dataset_gives_the_same_blocks(tmp_path):
    gdf = geodata.load(DATASET).gdf
    props = assert_same_blocks(gdf, tmp_path, block=7)
    assert [p["id"] for p in props] == gdf["id"].tolist()


def test_the_page_frames_are_written_column_by_column(monkeypatch):
    """(Not through the per-feature fallback, which would hide the column path's output.)"""
    gdf = pd.concat([geodata.load(DATASET).gdf,
                     _load([make_feature(i, **change) for i, change in enumerate(FINE)])])

    def refuse(part):
        raise AssertionError("went through feature dicts")
    monkeypatch.setattr(geojson_write, "_properties_per_feature", refuse)
    assert len(b"".join(iter_properties_json(gdf, 5))) > 1000


def test_five_thousand_incidents_give_the_same_blocks(tmp_path):
    features = [make_feature(i, fatalities=(i % 7) or ..., notes=("x" * (i % 4)) or ...,
                             related=[{"id": f"inc-{i - 1}", "relation": "follows"}] if i % 3
                             else [])
                for i in range(5000)]
    props = assert_same_blocks(_load(features), tmp_path, block=1000)
    assert len(props) == 5000 and "fatalities" not in props[0] and props[1]["fatalities"] == 1


def test_hostile_rows_the_schema_accepts_give_the_same_blocks(tmp_path):
    features = [make_feature(i, **change) for i, change in enumerate(FINE)]
    features += [make_feature(50, title="</script><script>alert(1)</script>", notes="\u2028\"\\"),
                 make_feature(51, extra={"nested": [1, {"deep": None}], "n": 2**62}),
                 make_feature(52, sources=[], attribution=...)]
    assert_same_blocks(_load(features), tmp_path, block=4)


HOSTILE_COLUMNS = {
    "id": ["a", "b", None, "</script>", "\u0645\u0648\u0635\u0644"],
    "text": pd.Series(["x", None, float("nan"), pd.NA, "\x00\"\\\u2028"], dtype=object),
    "string": pd.array(["x", None, "é", "<!--", ""], dtype="string"),
    "floats": [1.5, float("nan"), float("inf"), -0.0, 1e300],
    "ints": pd.array([2**63 - 1, None, -(2**63), 0, 7], dtype="Int64"),
    "uints": np.array([2**64 - 1, 0, 1, 2, 3], dtype="uint64"),
    "flags": pd.array([True, None, False, True, None], dtype="boolean"),
    "plain_flags": [True, False, True, False, True],
    "category": pd.Categorical(["a", None, "b", "a", "</script>"]),
    "int_category": pd.Categorical([1, 2, None, 1, 2]),
    "day": pd.to_datetime(["2020-01-01", None, "1999-12-31", "2020-01-01", "2262-04-11"]),
    "local_day": pd.to_datetime(["2020-01-01 23:30"] * 5).tz_localize("Asia/Baghdad"),
    "nested": [{"a": [1, None, {"b": "</script>"}]}, [], None, {"": {}}, [[["x"]]]],
    "missing": [None] * 5,
    "mixed": [1, "one", 1.5, None, [1]],
    "attribution_status": ["confirmed"] * 5,  # (derived: left out by both)
}


def test_hostile_column_types_and_values_give_the_same_blocks(tmp_path):
    props = assert_same_blocks(_frame(HOSTILE_COLUMNS, 5), tmp_path, block=2)
    assert props[1] == {"id": "b", "uints": 0, "plain_flags": False, "int_category": 2,
                        "local_day": "2020-01-01", "nested": [], "mixed": "one"}
    assert props[0]["local_day"] == "2020-01-01" and props[0]["uints"] == 2**64 - 1


def test_each_hostile_column_alone_gives_the_same_blocks(tmp_path):
    for name, values in HOSTILE_COLUMNS.items():
        assert_same_blocks(_frame({name: values}, 5), tmp_path / name, block=3)
        columns = {"id": list("abcde"), name: values} if name != "id" else {name: values}
        assert_same_blocks(_frame(columns, 5), tmp_path / f"{name}-id", block=3)


def test_an_empty_frame_or_one_without_columns_gives_the_same_blocks(tmp_path):
    assert assert_same_blocks(_frame({}, 0), tmp_path / "empty", block=3) == []
    assert assert_same_blocks(_frame({}, 4), tmp_path / "bare", block=3) == [{}] * 4


def test_an_integer_json_cannot_hold_is_refused_either_way(tmp_path):
    gdf = _frame({"id": ["a"], "big": pd.Series([2**70], dtype=object)}, 1)
    with pytest.raises(orjson.JSONEncodeError):
        mapdata.properties_json(gdf, per_feature=True)
    with pytest.raises(orjson.JSONEncodeError):
        mapdata.properties_json(gdf)


_SCALARS = st.one_of(
    st.none(), st.just(float("nan")), st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
    st.sampled_from(["</script>", "\u2028", "\\", '"', "\x00", "é"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6)


@settings(max_examples=80, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.dictionaries(st.sampled_from(["id", "a", "b", "c"]), _VALUES,
                                     max_size=4), min_size=1, max_size=7),
       block=st.integers(min_value=1, max_value=4), infer=st.booleans())
def test_any_values_give_the_same_blocks(tmp_path_factory, rows, block, infer):
    names = list(dict.fromkeys(k for r in rows for k in r))
    columns = {k: pd.Series([r.get(k) for r in rows], dtype=object) for k in names}
    gdf = _frame(columns, len(rows))
    if infer:  # (typed columns too: float64, int64, bool where the values allow)
        gdf = gdf.infer_objects()
    assert_same_blocks(gdf, tmp_path_factory.mktemp("h"), block)


def test_the_escalation_links_keep_their_rows_and_skip_what_is_not_in_the_frame():
    related = [[], [{"id": "a", "relation": "follows"}, "a", {"id": "zz"}, {"id": "b"}],
               None, [{"id": 5, "relation": None}, {"id": "a"}], float("nan"), ({"id": "b"},)]
    ids = ["a", "b", "c", "d", "5", "b"]
    gdf = _frame({"id": ids, "related": pd.Series(related, dtype=object)}, 6)
    links = mapdata.draw_payload(gdf)["links"]
    # (an id held twice links to its last row, as before; a row never links to itself)
    assert links == [[0, 1, "follows"], [5, 1, "related"], [4, 3, "related"],
                     [0, 3, "related"]]
    unique = _frame({"id": list("abcdef"), "related": pd.Series(related, dtype=object)}, 6)
    assert mapdata.draw_payload(unique)["links"] == [[0, 1, "follows"], [0, 3, "related"],
                                                     [1, 5, "related"]]
