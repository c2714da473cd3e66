"""What the server holds for a dataset: memory handed back, lookups without a dict per incident.

The page's `Dataset` finds an incident, its title and the links to it through
the frame's own columns (`mapapp.state`); these tests compare each answer with
the plain dictionaries it replaced, for typed and object columns. The loader
keeps a GeoParquet file's own points and text instead of copies, and gives
back what it freed (`geodata.memory.release`).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pyarrow as pa
import pytest
import shapely
from conftest import feature_collection, make_feature
from hypothesis import given, settings
from hypothesis import strategies as st

import geodata
from geodata import nested
from geodata.memory import release
from mapapp.state import filters_from_query, load_dataset

HOSTILE = ['<script>alert(1)</script>', 'a"b\\c', "é ü 中", "line\nbreak", "nan", "0"]


def _features():
    """Incidents with hostile ids and links: to known ids, to unknown ones, with empty relations."""
    ids = [f"inc-{i}" for i in range(8)] + HOSTILE
    out = []
    for i, incident_id in enumerate(ids):
        related = []
        if i % 2:
            related.append({"id": ids[(i + 3) % len(ids)], "relation": "response_to"})
        if i % 3 == 0:
            related.append({"id": ids[0], "relation": ""})  # (empty: "related")
        if i == 5:
            related.append({"id": "not-in-the-data", "relation": "same_attack"})
        out.append(make_feature(i, id=incident_id, title=f"Title {incident_id}",
                                related=related))
    return out


@pytest.fixture(params=["typed", "objects"])
def dataset(request, tmp_path):
    path = tmp_path / "links.geojson"
    path.write_text(json.dumps(feature_collection(_features())), encoding="utf-8")
    if request.param == "objects":
        with nested.objects_only():
            return load_dataset(path)
    ds = load_dataset(path)
    assert nested.is_typed(ds.gdf["related"])
    return ds


def _plain_incoming(gdf) -> dict:
    """The dict the page built before: every link, by the id it names."""
    out: dict = {}
    values = nested.column_values(gdf["related"]) if nested.is_typed(gdf["related"]) \
        else gdf["related"].tolist()
    for other, rel in zip(gdf["id"], values, strict=True):
        for r in rel if isinstance(rel, list) else []:
            if isinstance(r, dict) and isinstance(r.get("id"), str):
                out.setdefault(r["id"], []).append((other, r.get("relation") or "related"))
    return out


def test_positions_titles_and_ids_are_those_of_the_frame(dataset):
    gdf = dataset.gdf
    assert dataset.ids.tolist() == gdf["id"].tolist()
    for i, incident_id in enumerate(gdf["id"]):
        assert dataset.position(incident_id) == i
        assert dataset.ids[i] == incident_id
        assert dataset.titles[incident_id] == f"Title {incident_id}"
        assert incident_id in dataset.titles
    for missing in ("nope", "", "inc-99", None, 3):
        assert dataset.position(missing) is None
        assert missing not in dataset.titles
        assert dataset.titles.get(missing, "fallback") == "fallback"
    assert len(dataset.titles) == len(gdf)


def test_incoming_links_are_the_plain_dicts(dataset):
    plain = _plain_incoming(dataset.gdf)
    assert plain["inc-0"]  # (the test has links, empty relations among them)
    assert any(relation == "related" for _, relation in plain["inc-0"])
    assert "not-in-the-data" in plain
    for target, links in plain.items():
        assert dataset.incoming.get(target) == links, target
        assert dataset.incoming[target] == links
    assert dataset.incoming.get("nobody-names-this") is None
    assert set(dataset.incoming) == set(plain)
    assert len(dataset.incoming) == len(plain)


def test_a_link_to_an_incident_selects_it_and_an_unknown_id_is_a_note(dataset):
    values, notes = filters_from_query({"id": HOSTILE[0]}, dataset)
    assert values["id"] == HOSTILE[0] and notes == []
    values, notes = filters_from_query({"id": "not-there"}, dataset)
    assert values["id"] is None and notes == ["ignored id='not-there': no such incident"]


def test_a_geoparquet_files_points_and_text_are_kept(tmp_path):
    features = [make_feature(i) for i in range(6)]
    features[2]["geometry"]["coordinates"] = [44.5, 33.5, 120.0]  # (a height: dropped, as before)
    source = tmp_path / "src.geojson"
    source.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    geodata.write(geodata.load(source, cache=False).gdf, tmp_path / "flat.parquet")
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "flat.parquet")
    pq.write_table(table, tmp_path / "groups.parquet", row_group_size=2)
    with_height(tmp_path / "flat.parquet", tmp_path / "z.parquet")
    for name in ("flat.parquet", "groups.parquet", "z.parquet"):
        loaded = geodata.load(tmp_path / name, cache=False)
        assert loaded.report.ok, name
        frame = loaded.gdf
        assert not shapely.has_z(frame.geometry.values).any(), name
        assert frame.geometry.x.tolist() == [f["geometry"]["coordinates"][0] for f in features]
        assert frame.geometry.y.tolist() == [f["geometry"]["coordinates"][1] for f in features]
        for column in ("id", "title", "place", "notes"):
            assert frame[column].dtype == "str", (name, column)
            assert frame[column].tolist() == [f["properties"][column] for f in features]


def with_height(flat, out) -> None:
    """``flat`` rewritten with a height on the third point (a 3-D point in the file)."""
    gdf = geodata.load(flat, cache=False).gdf.drop(columns=["attribution_status"])
    geoms = np.array(gdf.geometry.values)
    geoms[2] = shapely.Point(44.5, 33.5, 120.0)
    gdf = gdf.set_geometry(geoms, crs="EPSG:4326")
    gdf.to_parquet(out)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_release_gives_freed_memory_back():
    def resident() -> float:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * 4096 / 2**20

    release()
    before = resident()
    big = pa.array(np.arange(40_000_000, dtype=np.int64)) + 1  # (made in Arrow's pool: 305 MB)
    strings = [f"text {i}" for i in range(1_000_000)]  # (Python objects: the C heap)
    assert resident() > before + 250
    del big, strings
    release()
    assert resident() < before + 100


def test_drop_unused_categories_is_pandas_remove_unused_categories():
    import pandas as pd

    from geodata.categories import drop_unused

    rng = np.random.default_rng(15)
    for round_ in range(300):
        names = list("abcdefg"[:rng.integers(1, 8)])
        picks = rng.integers(-1, len(names), rng.integers(0, 20))
        values = pd.Categorical([names[i] if i >= 0 else None for i in picks],
                                categories=names, ordered=bool(round_ % 2))
        mine, theirs = drop_unused(values), values.remove_unused_categories()
        assert mine.categories.tolist() == theirs.categories.tolist()
        assert mine.codes.tolist() == theirs.codes.tolist()
        assert mine.ordered == theirs.ordered


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=6) | st.sampled_from(HOSTILE), max_size=40),
       st.lists(st.text(max_size=6), max_size=10))
def test_positions_are_those_of_a_dict_of_every_id(ids, others):
    from mapapp.lookups import Positions

    plain = {incident_id: i for i, incident_id in enumerate(ids)}  # (the last of a repeat)
    positions = Positions(pa.array(ids, type=pa.large_string()))
    for incident_id in ids + others:
        assert positions.find(incident_id) == plain.get(incident_id), incident_id


def test_positions_skip_missing_ids():
    from mapapp.lookups import Positions

    positions = Positions(pa.array(["b", None, "a", None], type=pa.large_string()))
    assert [positions.find(x) for x in ("a", "b", "", "None")] == [2, 0, None, None]


@pytest.mark.parametrize("field", ["attribution", "sources", "related"])
@pytest.mark.parametrize("value", ["", "confirmed", "[not json"])
def test_a_nested_property_held_as_text_in_geoparquet_gets_the_per_feature_report(
        tmp_path, field, value):
    """Found by test_columnar's hypothesis run: the text went to the typed check and raised."""
    from test_columnar import _parquet, assert_same

    assert_same(_parquet(tmp_path, [None, make_feature(0, **{field: value})]), "parquet")
