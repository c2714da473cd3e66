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
from mapapp.mapdata import draw_payload
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
    counts, _ = dataset.timeline(dataset.mask(geodata.Filters()))  # (585 years: by week)
    # (NumPy's day of 1677-09-22 at midnight is 2262-04-11: both ends by the day, exactly)
    assert str(counts["period"].min())[:4] == "1677" and str(counts["period"].max())[:4] == "2262"
    dates = draw_payload(dataset.gdf)["dates"]  # (the map's days)
    assert (dates[0], dates[-1]) == ("1677-09-22", "2262-04-11")


@pytest.mark.parametrize("suffix", [".parquet", ".geojson"])
def test_the_first_and_last_day_survive_a_round_trip(tmp_path, suffix):
    """1677-09-22 at midnight is the first nanosecond day: NumPy's day of it overflowed to
    2262-04-11 when a GeoParquet file was read or a frame written as GeoJSON."""
    features = [make_feature(0, date="1677-09-22", end_date="1677-09-22"),
                make_feature(1, date="2262-04-11")]
    gdf = geodata.load(_write(tmp_path / "edge.geojson", features)).gdf
    path = tmp_path / f"again{suffix}"
    geodata.write(gdf, path)
    again = geodata.load(path)
    assert [str(d.date()) for d in again.gdf["date"]] == ["1677-09-22", "2262-04-11"]
    assert str(again.gdf["end_date"][0].date()) == "1677-09-22"
    if suffix == ".geojson":
        written = json.loads(path.read_text(encoding="utf-8"))["features"]
        assert [f["properties"]["date"] for f in written] == ["1677-09-22", "2262-04-11"]


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


# ---------------------------------------------------------------- files

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
from pathlib import Path  # noqa: E402

import geodata.io as gio  # noqa: E402


@pytest.fixture
def frame(tmp_path):
    return geodata.read(_write(tmp_path / "in.geojson", [make_feature(i) for i in range(3)]))


def test_output_path_that_is_a_directory(tmp_path, frame):
    (tmp_path / "out.geojson").mkdir()
    with pytest.raises(geodata.DataSourceError,
                       match=r"out\.geojson: cannot write: is a directory$"):
        geodata.write(frame, tmp_path / "out.geojson")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory(tmp_path, frame):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(geodata.DataSourceError, match=r"ro/o\.geojson: cannot write: "
                           r"permission denied"):
            geodata.write(frame, ro / "o.geojson")
    finally:
        ro.chmod(0o755)


def test_permission_denied_names_the_path(tmp_path, frame, monkeypatch):
    import errno

    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(gio.tempfile, "mkstemp", denied)
    with pytest.raises(geodata.DataSourceError, match=re.escape(
            f"{tmp_path / 'o.geojson'}: cannot write: permission denied (Permission denied) in "
            f"{str(tmp_path)!r}; the old file, if any, is kept")):
        geodata.write(frame, tmp_path / "o.geojson")


def test_full_disk_keeps_the_old_file_and_names_the_path(tmp_path, frame, monkeypatch):
    import errno

    out = tmp_path / "o.geojson"
    geodata.write(frame, out)
    before = out.read_bytes()

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(geodata.DataSourceError, match=re.escape(
            f"{out}: cannot write: no space left on the disk; the old file, if any, is kept")):
        geodata.write(frame, out, indent=2)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.geojson", "o.geojson"]


def test_cli_export_write_error_is_one_line(tmp_path, capsys):
    path = _write(tmp_path / "x.geojson", [make_feature(0)])
    (tmp_path / "m.html").mkdir()
    assert main(["export", str(path), "-o", str(tmp_path / "m.html")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'm.html'}: cannot write: is a directory\n"


def test_sigterm_mid_write_removes_the_temp_file(tmp_path):
    out = tmp_path / "o.bin"
    out.write_bytes(b"old")
    script = textwrap.dedent(f"""
        import os, time, sys
        from pathlib import Path
        from geodata.io import atomic_write
        def slow(tmp):
            Path(tmp).write_bytes(b"partial")
            print("writing", flush=True)
            time.sleep(30)
        atomic_write({str(out)!r}, slow)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    assert len(list(tmp_path.glob(".o.bin.*.tmp"))) == 1
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    assert proc.returncode == 143
    assert "Traceback" not in proc.stderr.read()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o.bin"]
    assert out.read_bytes() == b"old"


def test_stale_temp_of_a_killed_run_is_removed_on_the_next_write(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    stale = tmp_path / f".o.bin.{pid}.abcd1234.tmp"
    stale.write_bytes(b"x" * 100)
    mine = tmp_path / f".o.bin.{os.getpid()}.live0001.tmp"  # a write still running
    mine.write_bytes(b"y")
    other = tmp_path / f".p.bin.{pid}.abcd1234.tmp"  # another file's
    other.write_bytes(b"z")
    gio.atomic_write(tmp_path / "o.bin", lambda tmp: Path(tmp).write_bytes(b"new"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, other.name, "o.bin"])


def test_malformed_incident_map_metadata(tmp_path, frame):
    import pyarrow.parquet as pq

    good = tmp_path / "g.parquet"
    geodata.write(frame, good)
    table = pq.read_table(good)
    fix = r"rewrite the file with geodata\.write or mapapp import$"
    for i, (attrs, message) in enumerate([
            (b'{"incident_map": "json_columns"}',
             r"unreadable 'incident_map' metadata: expected \{\"json_columns\": \[column "
             r"names\]\}, got 'json_columns'; " + fix),
            (b'{"incident_map": {"json_columns": 7}}',
             r"unreadable 'incident_map' metadata: expected .*, got \"\{'json_columns': 7\}\"; "
             + fix),
            (b"{not json", "not a readable GeoParquet file: Expecting property name")]):
        meta = dict(table.schema.metadata)
        meta[b"PANDAS_ATTRS"] = attrs
        bad = tmp_path / f"bad{i}.parquet"
        pq.write_table(table.replace_schema_metadata(meta), bad)
        with pytest.raises(geodata.DataSourceError, match=rf"bad{i}\.parquet: {message}"):
            geodata.read(bad)


def test_a_million_incidents_as_geojson_are_under_the_default_limit(monkeypatch):
    # (1.36 GB: bench_export's million incidents; docs/performance.md gives the peak memory)
    monkeypatch.delenv("INCIDENT_MAP_MAX_FILE_MB", raising=False)
    assert geodata.io.max_file_bytes() >= 1.36e9 * 1.4
    geodata.io.check_size(b"{" + b" " * (1 << 20), "one-mb.geojson")


def test_size_is_checked_before_reading(tmp_path, monkeypatch, capsys):
    path = tmp_path / "big.geojson"
    path.write_bytes(b" " * (3 << 20))
    monkeypatch.setenv("INCIDENT_MAP_MAX_FILE_MB", "2")
    message = (f"{path}: 3 MB is over the limit of 2 MB for a file; raise it with the "
               f"environment variable INCIDENT_MAP_MAX_FILE_MB (e.g. INCIDENT_MAP_MAX_FILE_MB=6)"
               f" if this machine has several times that in memory")
    with pytest.raises(geodata.DataSourceError, match=re.escape(message)):
        geodata.load(path)
    with pytest.raises(geodata.DataSourceError, match="over the limit of 2 MB"):
        geodata.load(b"{" + b" " * (3 << 20), name="up.geojson")
    assert main(["info", str(path)]) == 1
    assert capsys.readouterr().err == message + "\n"


def test_wide_csv_is_refused_quickly(tmp_path):
    import time

    columns = ["date", "lat", "lon", "type", "country"] + [f"c{i}" for i in range(9995)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(columns) + "\n" + ",".join(["2020-01-01", "33", "44", "Battles",
                                                          "IRQ"] + ["x"] * 9995) + "\n")
    started = time.process_time()
    with pytest.raises(geodata.DataSourceError, match=re.escape(
            f"{path}: 10000 columns; the importer reads at most 500. Is the delimiter right?")):
        geodata.load(path)
    assert time.process_time() - started < 10  # CPU, not wall clock: 30 s+ before


def test_header_over_64_kib_is_read_whole(tmp_path):
    long_name = "c" * 70_000
    path = tmp_path / "long.csv"
    path.write_text(f"date,lat,lon,type,country,{long_name}\n2020-01-01,33,44,Battles,IRQ,v\n")
    loaded = geodata.load(path)
    assert loaded.gdf[long_name].tolist() == ["v"]


def test_no_line_break_in_the_first_mib(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a," * (1 << 20))
    with pytest.raises(geodata.DataSourceError, match="no line break in the first 1 MiB"):
        geodata.load(path)


def test_geojson_with_a_byte_order_mark_opens(tmp_path):
    path = tmp_path / "bom.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(feature_collection([make_feature(0)])).encode())
    assert geodata.read(path)["id"].tolist() == ["inc-0"]


def test_projected_crs_holding_degrees_is_an_error(tmp_path, frame):
    wrong = frame.set_crs("EPSG:3857", allow_override=True)
    path = tmp_path / "wrong.parquet"
    gio._parquet_frame(wrong).to_parquet(path, index=False)
    message = (r"wrong\.parquet: the file says its coordinates are in EPSG:3857 \(metres\), but "
               r"they all lie within longitude/latitude range .* Tag the file EPSG:4326")
    with pytest.raises(geodata.DataSourceError, match=message):
        geodata.read(path)
    with pytest.raises(geodata.DataSourceError, match=message):
        import_file(path, tmp_path / "o.geojson")
    right = tmp_path / "right.parquet"  # really in metres: reprojected back
    gio._parquet_frame(frame.to_crs("EPSG:3857")).to_parquet(right, index=False)
    back = geodata.read(right)
    assert back.geometry.x.round(6).tolist() == frame.geometry.x.round(6).tolist()


# ---------------------------------------------------------------- forgiving filters


@pytest.fixture(scope="module")
def incidents():
    from conftest import DATASET

    return geodata.read(DATASET)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"actors": ["kataib hezbollah"]}, {"actors": ("Kataib Hezbollah",)}),
    ({"actors": ["KATAIB"]}, {"actors": ("Kataib Hezbollah",)}),
    ({"actors": ["Irán"]}, {"actors": ("Iran",)}),
    ({"countries": ["irq", "IRAQ", "Iraq"]}, {"countries": ("IRQ",)}),
    ({"countries": ["iran"]}, {"countries": ("IRN",)}),
    ({"event_types": ["explosions/remote VIOLENCE"]},
     {"event_types": ("Explosions/Remote violence",)}),
])
def test_resolve_forgives_case_accents_prefixes_and_names(incidents, kwargs, expected):
    got = geodata.resolve(incidents, **kwargs)
    assert got == {"actors": (), "countries": (), "event_types": ()} | expected


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"actors": ["irn"]}, "no actor or target 'irn' in the data; did you mean 'Iran'?"),
    ({"actors": ["ira"]}, "actor or target 'ira' is ambiguous: it starts 'Iran', "
                          "'Iranian students', 'Iraqi security forces'; give more of the name"),
    ({"event_types": ["Explosion/Remote violence"]},
     "no event type 'Explosion/Remote violence' in the data; did you mean "
     "'Explosions/Remote violence'?"),
    ({"countries": ["France"]}, "no incident in France (FRA) in the data; the data has ARE "
                                "(United Arab Emirates), IRN (Iran), IRQ (Iraq), ISR (Israel), "
                                "SAU (Saudi Arabia), SYR (Syria)"),
    ({"countries": ["Irak"]}, "no country 'Irak' in the data; did you mean 'IRQ (Iraq)'"),
])
def test_resolve_suggests(incidents, kwargs, message):
    with pytest.raises(geodata.FilterError, match="^" + re.escape(message)):
        geodata.resolve(incidents, **kwargs)


def test_filters_stay_exact(incidents):
    assert len(geodata.Filters(actors=["kataib hezbollah"]).apply(incidents)) == 0


@pytest.mark.parametrize(("value", "message"), [
    ("2020-02-30", "start '2020-02-30' does not exist: February 2020 has 29 days (got day 30)"),
    ("2021-13-01", "start '2021-13-01' does not exist: there is no month 13"),
    ("January", "start must be a date as YYYY-MM-DD, got 'January'"),
])
def test_a_day_that_does_not_exist(value, message):
    with pytest.raises(geodata.FilterError, match="^" + re.escape(message) + "$"):
        geodata.Filters(start=value)


def test_cli_export_with_forgiving_filters(tmp_path, capsys):
    from conftest import DATASET

    out = tmp_path / "m.html"
    argv = ["export", str(DATASET), "-o", str(out), "--actor", "kataib hezbollah",
            "--country", "IRAQ"]
    assert main(argv) == 0
    gdf = geodata.read(DATASET)
    view = geodata.Filters(actors=["Kataib Hezbollah"], countries=["IRQ"]).apply(gdf)
    assert capsys.readouterr().out == f"wrote {out}: {len(view)} of {len(gdf)} incidents\n"
    assert main(["export", str(DATASET), "-o", str(out), "--start", "2020-02-30"]) == 2
    assert capsys.readouterr().err == ("mapapp export: start '2020-02-30' does not exist: "
                                       "February 2020 has 29 days (got day 30)\n")
    assert main(["export", str(DATASET), "-o", str(out), "--actor", "irn"]) == 2
    assert capsys.readouterr().err == ("mapapp export: no actor or target 'irn' in the data; "
                                       "did you mean 'Iran'?\n")


def test_cli_info_csv_directory_and_filters(tmp_path, capsys):
    from conftest import DATASET

    good = tmp_path / "good.csv"
    good.write_text("date,lat,lon,type,country\n2020-01-01,33,44,Battles,IRQ\n")
    assert main(["info", str(good)]) == 0
    assert "incidents:   1\n" in capsys.readouterr().out
    assert main(["info", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"{tmp_path}: is a directory, not a file\n"
    assert main(["info", str(DATASET), "--country", "iraq"]) == 0
    out = capsys.readouterr().out
    n = len(geodata.Filters(countries=["IRQ"]).apply(geodata.read(DATASET)))
    assert out.startswith("view:        country: IRQ\n") and f"incidents:   {n}\n" in out
