"""Property-based: no input, however broken, raises anything but the package's own errors."""

from __future__ import annotations

import json

from conftest import feature_collection, make_feature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geodata
from geodata import GeodataError

_FIXTURE = [HealthCheck.function_scoped_fixture]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
field_names = st.sampled_from(
    ["id", "title", "date", "end_date", "date_precision", "event_type", "actor", "target",
     "attribution", "fatalities", "fatalities_low", "fatalities_high", "injuries", "country",
     "geo_precision", "geo_precision_km", "sources", "related", "notes", "place"]
)


@st.composite
def broken_features(draw):
    """A valid feature with a few properties replaced by arbitrary JSON."""
    f = make_feature(draw(st.integers(0, 50)))
    for name in draw(st.lists(field_names, max_size=4)):
        f["properties"][name] = draw(json_values)
    if draw(st.booleans()):
        f["geometry"] = draw(json_values)
    if draw(st.integers(0, 9)) == 0:
        f["properties"] = draw(json_values)
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    return f


def _read_or_own_error(path):
    try:
        loaded = geodata.load(path, lenient=True)
        gdf, report = loaded.gdf, loaded.report
    except GeodataError:
        return None
    assert len(gdf) == report.n_valid
    # whatever was kept must survive a write and a strict re-read
    out = path.with_name("out.geojson")
    geodata.write(gdf, out)
    assert len(geodata.read(out)) == len(gdf)
    return gdf


@settings(max_examples=150, deadline=None, suppress_health_check=_FIXTURE)
@given(features=st.lists(broken_features(), max_size=6))
def test_broken_features_raise_only_own_errors(tmp_path, features):
    path = tmp_path / "fuzz.geojson"
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    _read_or_own_error(path)
    try:
        geodata.validate(path)
    except GeodataError:
        pass


@settings(max_examples=100, deadline=None, suppress_health_check=_FIXTURE)
@given(document=json_values)
def test_any_json_document_raises_only_own_errors(tmp_path, document):
    path = tmp_path / "doc.geojson"
    path.write_text(json.dumps(document), encoding="utf-8")
    _read_or_own_error(path)


@settings(max_examples=100, deadline=None, suppress_health_check=_FIXTURE)
@given(data=st.binary(max_size=200))
def test_any_bytes_raise_only_own_errors(tmp_path, data):
    path = tmp_path / "bytes.geojson"
    path.write_bytes(data)
    _read_or_own_error(path)
