"""Validation: each kind of bad input, with its exact message."""

from __future__ import annotations

import json

import pytest
from conftest import feature_collection, make_feature

import geodata
from geodata import DataSourceError, ValidationError


def _problems(features):
    report = geodata.validate(feature_collection(features), lenient=True)
    return [(p.index, p.id, p.field, p.message) for p in report.problems]


def test_valid_data_has_no_problems():
    report = geodata.validate(feature_collection([make_feature(i) for i in range(5)]))
    assert report.ok and report.n_valid == 5


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id": ...}, "id", "missing"),
        ({"date": ...}, "date", "missing"),
        ({"date": "2019-13-40"}, "date", "not an ISO 8601 day (YYYY-MM-DD): '2019-13-40'"),
        ({"date": "27/12/2019"}, "date", "not an ISO 8601 day (YYYY-MM-DD): '27/12/2019'"),
        ({"date": 20191227}, "date", "not an ISO 8601 day (YYYY-MM-DD): 20191227"),
        ({"end_date": "2020-01-01"}, "end_date", "'2020-01-01' is before the start date "),
        ({"date_precision": "hour"}, "date_precision", "unknown precision 'hour' (expected one of "
                                                       "day, week, month, year)"),
        ({"attribution": {"status": "maybe"}}, "attribution.status",
         "unknown status 'maybe' (expected one of confirmed, claimed, alleged, disputed, unknown)"),
        ({"sources": [{"title": "x", "url": "javascript:alert(1)"}]}, "sources[0].url",
         "not an http(s) URL: 'javascript:alert(1)'"),
        ({"sources": [{"title": "x", "url": "ftp://example.org/a"}]}, "sources[0].url",
         "not an http(s) URL: 'ftp://example.org/a'"),
        ({"fatalities": -3}, "fatalities", "must be a non-negative integer, got -3"),
        ({"injuries": 2.5}, "injuries", "must be a non-negative integer, got 2.5"),
        ({"fatalities": 5, "fatalities_high": 2}, "fatalities", "5 is above fatalities_high 2"),
        ({"country": "Iraq"}, "country", "must be an ISO 3166-1 alpha-3 code such as 'IRQ', "
                                         "got 'Iraq'"),
        ({"title": ...}, "title", "missing"),
        ({"actor": ""}, "actor", "must be a non-empty string, got ''"),
        ({"geo_precision": "exact"}, "geo_precision", "unknown precision 'exact'"),
        ({"geo_precision_km": -1}, "geo_precision_km", "must be a non-negative number, got -1"),
        ({"related": "k1"}, "related", "must be a list of {id, relation} objects, got 'k1'"),
    ],
)
def test_each_bad_property_is_reported_with_index_id_and_field(change, field, message):
    features = [make_feature(0), make_feature(1, **change)]
    if change.get("end_date"):
        features[1]["properties"]["date"] = "2020-01-05"
    problems = _problems(features)
    assert len(problems) == 1, problems
    index, fid, got_field, got_message = problems[0]
    assert index == 1
    assert got_field == field
    assert got_message.startswith(message)
    # the feature's id is named wherever it has one
    if field != "id":
        assert fid == "inc-1"


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (None, "missing (a Point is needed)"),
        ({"type": "Polygon", "coordinates": []}, "must be a Point, got 'Polygon'"),
        ({"type": "Point", "coordinates": [200.0, 10.0]},
         "longitude 200.0 out of range [-180, 180]"),
        ({"type": "Point", "coordinates": [10.0, -91]}, "latitude -91 out of range [-90, 90]"),
        ({"type": "Point", "coordinates": ["44", "33"]},
         "Point coordinates must be [longitude, latitude], got ['44', '33']"),
    ],
)
def test_bad_geometry(geometry, message):
    f = make_feature(7)
    f["geometry"] = geometry
    assert _problems([f]) == [(0, "inc-7", "geometry", message)]


def test_duplicate_id_names_the_first():
    problems = _problems([make_feature(0), make_feature(1), make_feature(0)])
    assert problems == [(2, "inc-0", "id", "duplicate of feature 0")]


def test_every_problem_is_listed_in_one_error(write_geojson):
    features = [make_feature(0, date="x"), make_feature(1), make_feature(2, fatalities=-1)]
    path = write_geojson(features)
    with pytest.raises(ValidationError) as info:
        geodata.read(path)
    err = info.value
    assert [p.index for p in err.problems] == [0, 2]
    text = str(err)
    assert text.startswith(f"{path}: 2 problems found")
    assert "feature 0 (id 'inc-0'), field 'date': not an ISO 8601 day" in text
    assert "feature 2 (id 'inc-2'), field 'fatalities': must be a non-negative integer" in text


def test_lenient_read_keeps_the_good_features(write_geojson):
    path = write_geojson([make_feature(0, date="x"), make_feature(1), make_feature(2)])
    loaded = geodata.load(path, lenient=True)
    gdf, report = loaded.gdf, loaded.report
    assert gdf["id"].tolist() == ["inc-1", "inc-2"]
    assert report.n_invalid == 1 and report.n_valid == 2


def test_bad_json_names_file_line_and_column(write_geojson):
    path = write_geojson('{"type": "FeatureCollection",\n "features": [\n  {"type": }\n]}')
    with pytest.raises(DataSourceError, match=r"data\.geojson: not valid JSON: .*\(line 3, column"):
        geodata.read(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected a GeoJSON FeatureCollection object, got list"),
        ('{"type": "Feature"}', "expected a GeoJSON FeatureCollection, got type 'Feature'"),
        ('{"type": "FeatureCollection", "features": 3}', "'features' must be a list, got int"),
        ("", "the file is empty"),
    ],
)
def test_not_a_feature_collection(write_geojson, text, message):
    path = write_geojson(text)
    with pytest.raises(DataSourceError, match=message):
        geodata.read(path)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(DataSourceError, match=r"nope\.geojson: no such file"):
        geodata.read(tmp_path / "nope.geojson")
    (tmp_path / "a.kml").write_text("<kml/>")
    with pytest.raises(DataSourceError, match=r"unknown file type '\.kml'"):
        geodata.read(tmp_path / "a.kml")


def test_nan_is_not_json(write_geojson):
    f = make_feature(0)
    text = json.dumps(feature_collection([f])).replace('"fatalities": 0', '"fatalities": NaN')
    with pytest.raises(DataSourceError, match="not valid JSON"):
        geodata.read(write_geojson(text))


def test_feature_level_id_is_used_when_properties_lack_it():
    f = make_feature(3, id=...)
    f["id"] = 42
    report = geodata.validate([f])
    assert report.ok


def _nested(depth: int, leaf="x"):
    for _ in range(depth):
        leaf = [leaf]
    return leaf


@pytest.mark.parametrize("where", ["extra", "sources"])
def test_nesting_is_checked_to_the_level_and_names_the_property(where):
    from geodata.schema import MAX_NESTING

    def feature(depth):
        if where == "extra":
            return make_feature(0, extra=_nested(depth))
        # inside a source object: the list and the object are two levels
        return make_feature(0, sources=[{"title": "t", "deep": _nested(depth - 2)}])

    assert geodata.validate(feature_collection([feature(MAX_NESTING)]), lenient=True).ok
    report = geodata.validate(feature_collection([feature(MAX_NESTING + 1)]), lenient=True)
    assert [(p.index, p.field) for p in report.problems] == [(0, where)]
    assert f"nested more than {MAX_NESTING} levels" in report.problems[0].message


def test_the_summary_counts_in_words_a_person_would_write(tmp_path):
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(feature_collection([make_feature(0, date="2020-02-30")])))
    assert geodata.validate(path, lenient=True).summary().endswith(
        "one.geojson: 1 incident, 1 invalid (1 problem), 0 usable")
    path.write_text(json.dumps(feature_collection([make_feature(0)])))
    assert geodata.validate(path).summary().endswith("one.geojson: 1 incident, all valid")
