"""The GeoParquet working copy of a GeoJSON or CSV file: same data, reused, bounded, safe."""

from __future__ import annotations

import json
import os
import shutil
import sys

import pandas as pd
import pytest
from conftest import ROOT, feature_collection, make_feature

import geodata
from geodata import framecache

_IO = sys.modules["geodata.io"]


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(folder))
    monkeypatch.delenv(framecache.MAX_MB_ENV, raising=False)
    return folder


def entries():
    folder = framecache.frames_dir()
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def same(a: geodata.Loaded, b: geodata.Loaded):
    pd.testing.assert_frame_equal(a.gdf, b.gdf)
    assert a.report.problems == b.report.problems
    assert a.report.valid.tolist() == b.report.valid.tolist()
    assert (a.format, a.name, a.report.source) == (b.format, b.name, b.report.source)


def test_the_second_load_reads_the_copy_and_keeps_every_property(tmp_path, monkeypatch):
    path = tmp_path / "incidents.geojson"
    shutil.copy(ROOT / "incidents.geojson", path)
    direct = geodata.load(path, cache=False)
    assert entries() == []
    first = geodata.load(path, cache=True)
    assert len(entries()) == 1 and entries()[0].endswith(".parquet")

    def parse_again(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(_IO, "load_features", parse_again)
    again = geodata.load(path, cache=True)
    same(direct, first)
    same(direct, again)
    raw = json.loads(path.read_text(encoding="utf-8"))["features"]
    for feature, row in zip(raw, geodata.to_features(again.gdf), strict=True):
        for name in ("sources", "attribution", "related", "title", "notes", "id"):
            assert row["properties"].get(name) == feature["properties"].get(name), name


def test_a_changed_file_is_read_again(write_geojson):
    path = write_geojson([make_feature(0), make_feature(1)])
    assert len(geodata.load(path, cache=True).gdf) == 2
    path.write_text(json.dumps(feature_collection([make_feature(5)])), encoding="utf-8")
    os.utime(path, ns=(1, 1))
    loaded = geodata.load(path, cache=True)
    assert list(loaded.gdf["id"]) == ["inc-5"]
    assert len(entries()) == 2


def test_a_damaged_copy_is_ignored_and_rebuilt(write_geojson):
    path = write_geojson([make_feature(0), make_feature(1)])
    direct = geodata.load(path, cache=False)
    geodata.load(path, cache=True)
    (entry,) = framecache.frames_dir().glob("*.parquet")
    entry.write_bytes(entry.read_bytes()[:200])
    same(direct, geodata.load(path, cache=True))
    assert entry.stat().st_size > 200  # (written whole again)
    entry.write_bytes(b"")
    same(direct, geodata.load(path, cache=True))


def test_problems_come_back_with_the_copy(write_geojson):
    features = [make_feature(0), make_feature(1, fatalities=-2), make_feature(2, date="x")]
    path = write_geojson(features)
    with pytest.raises(geodata.ValidationError) as direct:
        geodata.load(path, cache=False)
    lenient = geodata.load(path, lenient=True, cache=True)
    assert list(lenient.gdf["id"]) == ["inc-0"] and len(entries()) == 1
    same(geodata.load(path, lenient=True, cache=False), geodata.load(path, lenient=True,
                                                                        cache=True))
    with pytest.raises(geodata.ValidationError) as cached:
        geodata.load(path, cache=True)
    assert str(cached.value) == str(direct.value)


def test_the_copies_stay_within_their_limit_oldest_out_first(write_geojson, monkeypatch):
    paths = [write_geojson([make_feature(i)], name=f"f{i}.geojson") for i in range(3)]
    for path in paths:
        geodata.load(path, cache=True)
    assert len(entries()) == 3
    monkeypatch.setenv(framecache.MAX_MB_ENV, "0")
    geodata.load(paths[0], cache=True)  # (used: kept; the others are over the limit)
    assert len(entries()) == 1
    geodata.load(paths[2], cache=True)
    key = framecache.key_for(paths[2], "geojson")
    assert entries() == [f"{key}.parquet"]


def test_uploads_small_files_and_geoparquet_are_never_copied(write_geojson, tmp_path):
    path = write_geojson([make_feature(0)])
    geodata.load(path.read_bytes(), name="up.geojson", cache=True)
    geodata.load(path)  # (default: only files of framecache.MIN_BYTES or more)
    parquet = tmp_path / "x.parquet"
    geodata.write(geodata.read(path), parquet)
    geodata.load(parquet, cache=True)
    assert entries() == []


def test_csv_imports_are_copied_too():
    sample = ROOT / "samples" / "acled_sample.csv"
    direct = geodata.load(sample, lenient=True, cache=False)
    geodata.load(sample, lenient=True, cache=True)
    again = geodata.load(sample, lenient=True, cache=True)
    same(direct, again)
    assert again.format == "acled" and len(entries()) == 1


def test_an_unwritable_cache_is_no_error(write_geojson, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(blocker))
    path = write_geojson([make_feature(0)])
    assert len(geodata.load(path, cache=True).gdf) == 1


def test_no_temporary_file_is_left(write_geojson):
    path = write_geojson([make_feature(0)])
    geodata.load(path, cache=True)
    assert all(not name.startswith(".") for name in entries())
