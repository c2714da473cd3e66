"""No input gives a traceback: what `validate` accepts, every other command handles.

Each case pins the exact answer a user gets: the problem in the report, or the
command's one-line message and exit code.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import feature_collection, make_feature
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geodata
from geodata.importers import import_file
from geodata.schema import MAX_COUNT, MAX_NESTING
from mapapp.cli import main
from mapapp.state import load_dataset

_FIXTURE = [HealthCheck.function_scoped_fixture]


def _nested(depth: int):
    value = "x"
    for _ in range(depth):
        value = [value]
    return value


def _write(path, features):
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    return path


def _problems(path):
    return [(p.index, p.field, p.message) for p in geodata.validate(path, lenient=True).problems]


# ---------------------------------------------------------------- validate's limits


@pytest.mark.parametrize(("props", "field", "message"), [
    ({"date": "1600-01-01"}, "date",
     "'1600-01-01' is outside the dates this tool handles (1677-09-22 to 2262-04-11)"),
    ({"date": "2300-01-01"}, "date",
     "'2300-01-01' is outside the dates this tool handles (1677-09-22 to 2262-04-11)"),
    ({"end_date": "2262-04-12"}, "end_date",
     "'2262-04-12' is outside the dates this tool handles (1677-09-22 to 2262-04-11)"),
    ({"fatalities": 2**63}, "fatalities",
     f"9223372036854775808 is above {MAX_COUNT}, the largest count this tool handles"),
    ({"injuries": 1e300}, "injuries",
     f"1e+300 is above {MAX_COUNT}, the largest count this tool handles"),
    ({"geo_precision_km": 1e300}, "geo_precision_km",
     "1e+300 km is above 20000 km (about half the Earth's circumference)"),
    ({"extra": _nested(300)}, "extra",
     f"lists and objects nested more than {MAX_NESTING} levels deep (the most this tool handles)"),
])
def test_validate_names_the_limit(tmp_path, props, field, message):
    path = _write(tmp_path / "x.geojson", [make_feature(0), make_feature(1, **props)])
    assert _problems(path) == [(1, field, message)]


def test_values_at_the_limits_are_accepted_and_handled(tmp_path, capsys):
    features = [make_feature(0, date="1677-09-22"),
                make_feature(1, date="2262-04-11", date_precision="year"),
                make_feature(2, fatalities=MAX_COUNT, fatalities_high=MAX_COUNT,
                             injuries=MAX_COUNT),
                make_feature(3, geo_precision_km=20000.0, extra=_nested(MAX_NESTING))]
    path = _write(tmp_path / "edge.geojson", features)
    assert geodata.validate(path).ok
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "date span:   1677-09-22 to 2262-04-11" in out
    assert main(["export", str(path), "-o", str(tmp_path / "m.html")]) == 0
    dataset = load_dataset(path)
    assert dataset.total == 4
    dataset.timeline(dataset.mask(geodata.Filters()))  # the page's timeline spans 585 years


@pytest.mark.parametrize("command", ["info", "export"])
def test_commands_answer_out_of_range_values_in_one_message(tmp_path, capsys, command):
    path = _write(tmp_path / "x.geojson", [make_feature(0, date="1600-01-01")])
    argv = [command, str(path)] + (["-o", str(tmp_path / "m.html")] if command == "export" else [])
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "field 'date': '1600-01-01' is outside the dates this tool handles" in err
    assert "Traceback" not in err


def test_csv_rows_out_of_range_are_one_reject_each(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("date,lat,lon,type,country,fatalities\n"
                    "2020-01-02,33,44,Battles,IRQ,0\n"
                    "1600-01-01,33,44,Battles,IRQ,1\n"
                    "2020-01-03,33,44,Battles,IRQ,9223372036854775808\n"
                    "2020-01-04,33,44,Battles,IRQ,1e300\n"
                    "2020-01-05,1e300,44,Battles,IRQ,1\n", encoding="utf-8")
    result = import_file(path, tmp_path / "out.geojson")
    assert (result.imported, result.rejected) == (1, 4)
    assert result.reject_lines() == [
        "line 3: date: '1600-01-01' is outside the dates that can be held "
        "(1677-09-22 to 2262-04-11)",
        f"line 4: fatalities: above {MAX_COUNT}, the largest count this tool handles: "
        "'9223372036854775808'",
        "line 5: fatalities: not a whole number of at least 0: '1e300'",
        "line 6: lat: 1e+300 out of range [-90, 90]",
    ]
    loaded = geodata.load(path, lenient=True)
    assert len(loaded.gdf) == 1 and [p.line for p in loaded.report.problems] == [3, 4, 5, 6]


# ---------------------------------------------------------------- the rule, fuzzed

_days = st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")
_edge_days = st.sampled_from(["1677-09-21", "1677-09-22", "1677-12-31", "2262-04-11",
                              "2262-04-12", "2261-12-31", "0001-01-01", "9999-12-31"])
_counts = (st.integers(min_value=0, max_value=2**70)
           | st.sampled_from([MAX_COUNT, MAX_COUNT + 1, 2**63 - 1, 2**63, 2**64])
           | st.floats(min_value=0, max_value=1e308).map(float))
_scalars = (st.none() | st.booleans() | st.integers(-(2**64), 2**64)
            | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8))


@st.composite
def _edgy_feature(draw, i):
    props = {}
    if draw(st.booleans()):
        props["date"] = draw(_days | _edge_days)
    if draw(st.booleans()):
        props["end_date"] = draw(_days | _edge_days)
    if draw(st.booleans()):
        props["date_precision"] = draw(st.sampled_from(["day", "week", "month", "year"]))
    for name in ("fatalities", "fatalities_low", "fatalities_high", "injuries"):
        if draw(st.integers(0, 3)) == 0:
            props[name] = draw(_counts)
    if draw(st.booleans()):
        props["geo_precision_km"] = draw(st.floats(min_value=0, max_value=1e308))
    if draw(st.booleans()):
        props["extra"] = _nested(draw(st.integers(0, 300)))
    if draw(st.booleans()):
        props["other"] = draw(_scalars)
    feature = make_feature(i, **props)
    if draw(st.integers(0, 4)) == 0:
        feature["geometry"]["coordinates"] = [draw(st.floats(-180, 180)),
                                              draw(st.floats(-90, 90))]
    return feature


@settings(max_examples=40, deadline=None, suppress_health_check=_FIXTURE)
@given(data=st.data())
def test_whatever_validate_accepts_every_command_handles(tmp_path, data):
    features = [data.draw(_edgy_feature(i)) for i in range(data.draw(st.integers(1, 4)))]
    report = geodata.validate(features, lenient=True)
    accepted = [f for f, ok in zip(features, report.valid, strict=True) if ok]
    if not accepted:
        return
    path = _write(tmp_path / "accepted.geojson", accepted)
    assert len(geodata.load(path).gdf) == len(accepted)
    assert main(["info", str(path)]) == 0
    assert main(["export", str(path), "-o", str(tmp_path / "m.html")]) == 0
    dataset = load_dataset(path)
    assert dataset.total == len(accepted)
    dataset.timeline(dataset.mask(geodata.Filters()))


@settings(max_examples=40, deadline=None, suppress_health_check=_FIXTURE)
@given(data=st.data())
def test_import_makes_each_out_of_range_feature_one_reject(tmp_path, data):
    features = [data.draw(_edgy_feature(i)) for i in range(data.draw(st.integers(1, 4)))]
    for f in features:  # a point GeoJSON from elsewhere: no schema objects
        for name in ("attribution", "sources", "related"):
            f["properties"].pop(name)
    path = _write(tmp_path / "other.geojson", features)
    result = import_file(path, tmp_path / "i.parquet")
    assert result.imported + result.rejected == len(features)
    if result.imported:
        assert len(geodata.read(tmp_path / "i.parquet")) == result.imported


def test_no_traceback_in_a_subprocess(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "x.geojson"
    text = json.dumps(feature_collection([make_feature(0, extra="NEST")]))
    path.write_text(text.replace('"NEST"', "[" * 500 + "1" + "]" * 500), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mapapp.cli", "export", str(path), "-o",
                           str(tmp_path / "m.html")], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert re.search(r"field 'extra': lists and objects nested more than \d+ levels",
                     done.stderr)
