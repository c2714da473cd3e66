"""`mapapp import` of a file already in the schema: passed through, not re-imported as a CSV."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import DATASET, feature_collection, make_feature

from mapapp.cli import main


def _props(path):
    """Each feature's properties without explicit nulls (the writer leaves those out)."""
    return [{k: v for k, v in f["properties"].items() if v is not None}
            for f in json.loads(path.read_text(encoding="utf-8"))["features"]]


@pytest.mark.parametrize("suffix", [".geojson", ".parquet"])
def test_the_projects_own_file_imports_whole_with_every_property(tmp_path, capsys, suffix):
    out = tmp_path / f"x{suffix}"
    assert main(["import", str(DATASET), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    n = len(_props(DATASET))
    assert f"imported {n} incidents" in said and "no rows rejected" in said
    assert "in the schema" in said
    back = tmp_path / "back.geojson"  # (and back again, GeoParquet included)
    assert main(["import", str(out), "-o", str(back)]) == 0
    assert _props(back) == _props(DATASET)
    original = json.loads(DATASET.read_text(encoding="utf-8"))["features"]
    got = json.loads(back.read_text(encoding="utf-8"))["features"]
    assert [f["geometry"] for f in got] == [f["geometry"] for f in original]


def test_a_schema_file_with_a_bad_feature_rejects_only_that_one(tmp_path, capsys):
    features = [make_feature(0), make_feature(1, date="2020-02-30"), make_feature(2)]
    src = tmp_path / "mine.geojson"
    src.write_text(json.dumps(feature_collection(features)))
    out, rejects = tmp_path / "out.geojson", tmp_path / "rejects.csv"
    assert main(["import", str(src), "-o", str(out), "--rejects", str(rejects)]) == 0
    assert "imported 2 incidents" in capsys.readouterr().out
    assert [p["id"] for p in _props(out)] == ["inc-0", "inc-2"]
    table = pd.read_csv(rejects, dtype=str)
    assert table[["line", "id"]].values.tolist() == [["1", "inc-1"]]
    assert table["reason"][0].startswith("date: ") and "2020-02-30" in table["reason"][0]
    assert table["title"][0] == "Incident 1"  # (its properties, to fix and re-import)


def test_a_point_geojson_outside_the_schema_still_goes_through_the_importer(tmp_path, capsys):
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [44.4, 33.3]},
         "properties": {"event_id": 7, "event_date": "2020-01-03", "event_type": "Protests",
                        "actor": "Protesters", "country": "Iraq"}}]}
    src = tmp_path / "gdal.geojson"
    src.write_text(json.dumps(fc))
    out = tmp_path / "out.geojson"
    assert main(["import", str(src), "-o", str(out)]) == 0
    assert "(CSV)" in capsys.readouterr().out
    assert [p["id"] for p in _props(out)] == ["7"]
