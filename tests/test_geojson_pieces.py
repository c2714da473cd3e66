"""A compact GeoJSON file is read and parsed a piece at a time, with the whole file's result.

``geodata.geojson.features_in_pieces`` cuts the file between two features,
parses each piece and drops it (the file is never whole in memory); any doubt
gives None and ``geodata.load`` parses the file whole, as before. These tests
compare both on files where a cut is easy to get wrong.
"""

from __future__ import annotations

import importlib
import io
import json

import pandas as pd
import pytest
from conftest import feature_collection, make_feature
from test_columnar import HOSTILE, _hostile_features

import geodata
from geodata.geojson import features_in_pieces, features_of, parse_json

_LOAD = importlib.import_module("geodata.load")


def _compact(features, **extra) -> bytes:
    """The layout of geodata.write and orjson (json's, for numbers orjson refuses to write)."""
    return json.dumps({"type": "FeatureCollection", "features": features, **extra},
                      separators=(",", ":"), ensure_ascii=False).encode()


def _whole(data: bytes):
    return features_of(parse_json(data, "x"), "x")


def _nested_feature(i):
    """A Feature in a property: the bytes between two features appear inside a feature."""
    inner = [make_feature(90), make_feature(91)]
    return make_feature(i, related=[{"id": "inc-0", "relation": "x"}], extra={"inner": inner})


CASES = {
    "plain": [make_feature(i) for i in range(40)],
    "hostile": [f for f in _hostile_features() if isinstance(f, dict)],
    "a Feature nested in a property": [make_feature(0), _nested_feature(1), make_feature(2)],
    "none": [],
    "one": [make_feature(0)],
    "text that looks like the layout": [make_feature(0, notes='},{"type":"Feature"'),
                                        make_feature(1, title='{"type":"FeatureCollection"')],
}


@pytest.mark.parametrize("piece", [1, 7, 64, 1000, 1 << 20])
@pytest.mark.parametrize("case", CASES)
def test_pieces_give_the_whole_files_features(case, piece):
    data = _compact(feature_collection(CASES[case])["features"])
    found = features_in_pieces(io.BytesIO(data), piece)
    if found is None:  # (only where a cut fell inside a feature)
        assert case == "a Feature nested in a property"
    else:
        assert found == _whole(data)


@pytest.mark.parametrize("data", [
    json.dumps(feature_collection([make_feature(0)])).encode(),   # spaced: another layout
    _compact([make_feature(0)], bbox=[0, 0, 1, 1]),               # a key after the features
    _compact([make_feature(0), make_feature(1)])[:-30],           # cut short
    _compact([make_feature(0), make_feature(1)]) + b"x",          # something after it
    _compact([make_feature(0), make_feature(1)]) + b"\x0c",       # not JSON's whitespace
    _compact([make_feature(0), make_feature(1)]).replace(b'"inc-1"', b'"inc-1', 1),
    b'{"type":"FeatureCollection","features":[1,2,',
])
def test_any_other_file_is_left_to_the_whole_parse(data):
    assert features_in_pieces(io.BytesIO(data), 16) is None


def _both(path, monkeypatch):
    """geodata.load in pieces of 50 bytes, then parsing the file whole."""
    monkeypatch.setattr(_LOAD, "_READ_CHUNK", 50)
    steps = []
    pieces = geodata.load(path, lenient=True, cache=False, progress=steps.append)
    monkeypatch.setattr(_LOAD, "_in_pieces", lambda *a: None)
    whole = geodata.load(path, lenient=True, cache=False)
    return pieces, whole, steps


@pytest.mark.parametrize("case", CASES)
def test_a_load_in_pieces_gives_the_same_frame_and_messages(tmp_path, monkeypatch, case):
    path = tmp_path / "data.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + _compact(feature_collection(CASES[case])["features"]))
    pieces, whole, steps = _both(path, monkeypatch)
    assert [str(p) for p in pieces.report.problems] == [str(p) for p in whole.report.problems]
    pd.testing.assert_frame_equal(pieces.gdf, whole.gdf)
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions)
    if case == "hostile":
        assert len({p.index for p in pieces.report.problems}) >= len(HOSTILE) // 2


def test_a_broken_compact_file_says_where_as_before(tmp_path, monkeypatch):
    path = tmp_path / "broken.geojson"
    path.write_bytes(_compact([make_feature(i) for i in range(20)]).replace(b'"inc-7"', b"inc-7"))
    monkeypatch.setattr(_LOAD, "_READ_CHUNK", 50)
    with pytest.raises(geodata.DataSourceError, match=r"broken\.geojson: not valid JSON: .*"
                       r"\(line 1, column \d+\)"):
        geodata.load(path)


def test_the_file_is_reported_as_it_is_parsed(tmp_path, monkeypatch):
    path = tmp_path / "a.geojson"
    path.write_bytes(_compact([make_feature(i) for i in range(300)]))
    monkeypatch.setattr(_LOAD, "_READ_CHUNK", 4096)
    steps = []
    loaded = geodata.load(path, cache=False, progress=steps.append)
    parsed = [s.fraction for s in steps if s.stage == "parse"]
    assert len(parsed) >= 5 and parsed == sorted(parsed) and len(loaded.gdf) == 300
    stages = [s.stage for s in steps]
    assert [s for i, s in enumerate(stages) if s not in stages[:i]] == [
        "read", "parse", "check", "type", "done"]
