"""Reading and writing: typed columns, lossless round trips, atomic writes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import orjson
import pandas as pd
import pytest
from conftest import feature_collection, make_feature

import geodata
from geodata import geojson_write
from geodata import io as gio


def _features_with_extras():
    features = [make_feature(i) for i in range(6)]
    features[0]["properties"]["acled_iso"] = 368            # int extra
    features[1]["properties"]["tags"] = ["a", "b"]          # list extra
    features[2]["properties"]["meta"] = {"k": {"n": 1.5}}   # nested object
    features[3]["properties"]["flag"] = True                # bool
    features[4]["properties"]["note_ar"] = "قاعدة عين الأسد"  # non-ASCII
    features[5]["properties"]["end_date"] = "2020-01-09"
    features[5]["properties"]["date"] = "2020-01-06"
    features[5]["properties"]["fatalities_low"] = 0
    features[5]["properties"]["fatalities_high"] = 12
    features[5]["properties"]["fatalities"] = 4
    features[5]["properties"]["path"] = "C:\\path\\2019 `${x}`"
    return features


def test_read_gives_typed_columns(write_geojson):
    gdf = geodata.read(write_geojson(_features_with_extras()))
    assert str(gdf.crs) == "EPSG:4326"
    assert pd.api.types.is_datetime64_any_dtype(gdf["date"])
    assert pd.api.types.is_datetime64_any_dtype(gdf["end_date"])
    assert isinstance(gdf["actor"].dtype, pd.CategoricalDtype)
    assert isinstance(gdf["event_type"].dtype, pd.CategoricalDtype)
    assert str(gdf["fatalities"].dtype) == "Int64"
    assert gdf["attribution_status"].tolist() == ["confirmed"] * 6
    assert gdf.geometry.iloc[0].x == pytest.approx(44.0)


@pytest.mark.parametrize("suffix", [".geojson", ".parquet"])
def test_round_trip_keeps_every_property(tmp_path, write_geojson, suffix):
    features = _features_with_extras()
    first = geodata.read(write_geojson(features))
    out = tmp_path / f"out{suffix}"
    geodata.write(first, out)
    second = geodata.read(out)
    assert geodata.to_features(second) == geodata.to_features(first)
    # and the properties are exactly the input's
    got = {f["properties"]["id"]: f["properties"] for f in geodata.to_features(second)}
    for f in features:
        assert got[f["properties"]["id"]] == f["properties"]


def test_filtered_frame_round_trips(tmp_path, write_geojson):
    gdf = geodata.read(write_geojson(_features_with_extras()))
    view = geodata.Filters(actors=["Iran"]).apply(gdf)
    geodata.write(view, tmp_path / "v.geojson")
    assert geodata.read(tmp_path / "v.geojson")["id"].tolist() == view["id"].tolist()


def test_reading_does_not_modify_the_input(write_geojson):
    path = write_geojson(_features_with_extras())
    before = path.read_bytes()
    geodata.read(path)
    geodata.validate(path)
    assert path.read_bytes() == before


def test_write_is_atomic_when_it_fails_midway(tmp_path, write_geojson, monkeypatch):
    gdf = geodata.read(write_geojson([make_feature(i) for i in range(3)]))
    out = tmp_path / "out.geojson"
    geodata.write(gdf, out)
    before = out.read_bytes()

    def broken(tmp):
        Path(tmp).write_bytes(b'{"type": "FeatureCollection", "feat')  # half a file...
        raise OSError("disk full")                                    # ...then a crash

    with pytest.raises(geodata.DataSourceError, match=f"^{re.escape(str(out))}: cannot write: "
                       "disk full; the old file, if any, is kept$"):
        gio.atomic_write(out, broken)
    assert out.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["data.geojson", "out.geojson"]  # no temp file left


def test_write_to_missing_directory_is_a_clear_error(tmp_path, write_geojson):
    gdf = geodata.read(write_geojson([make_feature(0)]))
    with pytest.raises(geodata.DataSourceError, match="does not exist"):
        geodata.write(gdf, tmp_path / "no" / "such" / "dir.geojson")


def test_written_geojson_is_rfc7946(tmp_path, write_geojson):
    gdf = geodata.read(write_geojson([make_feature(0)]))
    geodata.write(gdf, tmp_path / "o.geojson")
    fc = json.loads((tmp_path / "o.geojson").read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection"
    f = fc["features"][0]
    assert f["geometry"] == {"type": "Point", "coordinates": [44.0, 33.0]}
    assert f["id"] == f["properties"]["id"] == "inc-0"
    assert "attribution_status" not in f["properties"]  # derived, not stored


def test_validate_accepts_a_frame_and_a_path(write_geojson):
    path = write_geojson([make_feature(0), make_feature(1)])
    assert geodata.validate(path).ok
    assert geodata.validate(geodata.read(path)).ok
    assert geodata.validate(feature_collection([make_feature(0)])).ok


def test_one_geojson_writer_matches_the_plain_path(tmp_path, write_geojson, dataset_path,
                                                   monkeypatch):
    """The column-wise, chunked writer writes what one dict per feature would."""
    monkeypatch.setattr(geojson_write, "GEOJSON_CHUNK", 2)
    for gdf in (geodata.read(dataset_path), geodata.read(write_geojson(_features_with_extras()))):
        plain = orjson.dumps(geodata.to_feature_collection(gdf),
                             option=orjson.OPT_SERIALIZE_NUMPY) + b"\n"
        assert geodata.dumps_geojson(gdf) == plain
        geodata.write(gdf, tmp_path / "o.geojson")
        assert (tmp_path / "o.geojson").read_bytes() == plain
        assert geodata.to_features(geodata.read(tmp_path / "o.geojson")) == \
            geodata.to_features(gdf)


def test_parquet_written_with_geoparquet_metadata(tmp_path, write_geojson):
    import pyarrow.parquet as pq

    gdf = geodata.read(write_geojson(_features_with_extras()))
    geodata.write(gdf, tmp_path / "o.parquet")
    assert b"geo" in pq.read_schema(tmp_path / "o.parquet").metadata  # readable as GeoParquet
    assert geodata.to_features(geodata.read(tmp_path / "o.parquet")) == geodata.to_features(gdf)
