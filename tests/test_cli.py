"""The `mapapp` command line: exit codes and messages, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import DATASET, feature_collection, make_feature
from test_load import FORMATS, make_file

from mapapp.cli import main
from mapapp.serve import streamlit_command
from mapapp.state import load_dataset


def test_validate_the_built_in_dataset(capsys):
    assert main(["validate", str(DATASET)]) == 0
    assert capsys.readouterr().out.strip().endswith("incidents, all valid")


def test_validate_lists_every_problem_one_per_line(tmp_path, capsys):
    path = tmp_path / "bad.geojson"
    features = [make_feature(0), make_feature(1, date="2019-02-30"),
                make_feature(2, attribution={"status": "rumour"})]
    path.write_text(json.dumps(feature_collection(features)))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"{path}: feature 1 (id 'inc-1'), field 'date': "
                      "not an ISO 8601 day (YYYY-MM-DD): '2019-02-30'")
    assert out[1].startswith(f"{path}: feature 2 (id 'inc-2'), field 'attribution.status': "
                             "unknown status 'rumour'")
    assert out[2] == f"{path}: 3 incidents, 2 invalid (2 problems), 1 usable"
    # lenient: the good part is usable, so the check passes (and still lists the problems)
    assert main(["validate", str(path), "--lenient"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_validate_unreadable_files(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing.geojson")]) == 1
    assert "missing.geojson: no such file" in capsys.readouterr().err
    path = tmp_path / "x.geojson"
    path.write_text("{not json")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "x.geojson: not valid JSON" in err and "(line 1, column 2)" in err


def test_info(capsys):
    assert main(["info", str(DATASET)]) == 0
    out = capsys.readouterr().out
    n = len(json.loads(DATASET.read_text())["features"])
    assert f"incidents:   {n}" in out
    assert "date span:   1979-11-04 to 2020-03-14" in out
    assert "Kataib Hezbollah" in out and "Explosions/Remote violence" in out


def test_console_script_runs_without_traceback(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("[]")
    proc = subprocess.run([sys.executable, "-m", "mapapp.cli", "info", str(bad)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "expected a GeoJSON FeatureCollection object, got list" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_serve_runs_the_same_page(tmp_path):
    cmd = streamlit_command(str(DATASET), port=8765, headless=True)
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("mapapp/app.py")
    assert cmd[-2:] == ["--", str(DATASET)]
    # Nothing is served from the package, wherever the command runs from
    # (.streamlit/config.toml applies only in the repository's folder).
    assert cmd[cmd.index("--server.enableStaticServing") + 1] == "false"
    assert "--server.headless" in cmd
    assert main(["serve", str(tmp_path / "nope.geojson")]) == 1


def test_geocode_command(capsys):
    assert main(["geocode", "Ain al-Asad"]) == 0
    out = capsys.readouterr().out
    assert "Asad" in out and "IRQ" in out and "precision site" in out
    assert main(["geocode", "Qwxyzzy"]) == 1
    assert "unknown place 'Qwxyzzy'" in capsys.readouterr().err


# ---------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", FORMATS)
def test_commands_open_whatever_the_page_opens(tmp_path, capsys, fmt):
    path = make_file(tmp_path, fmt)
    dataset = load_dataset(path)                                   # the page, from a path
    upload = load_dataset(path.read_bytes(), label=path.name)      # the page, an upload
    n = dataset.total
    assert n >= 2 and upload.total == n and upload.label == path.name
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.strip().endswith(f"{n} incidents, all valid")
    assert main(["info", str(path)]) == 0
    assert f"incidents:   {n}\n" in capsys.readouterr().out
    out = tmp_path / "map.html"
    assert main(["export", str(path), "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out}: {n} of {n} incidents"
    assert out.stat().st_size > 0


def test_info_prints_fatalities_with_their_range(tmp_path, capsys):
    features = [make_feature(0, fatalities=3, fatalities_low=1, fatalities_high=2000),
                make_feature(1, fatalities=1)]
    path = tmp_path / "r.geojson"
    path.write_text(json.dumps(feature_collection(features)))
    assert main(["info", str(path)]) == 0
    assert "fatalities:  4 (range 2–2,001)\n" in capsys.readouterr().out


def _csv_with_bad_rows(tmp_path, n_bad: int):
    lines = ["id,title,date,type,actor,country,lat,lon"]
    lines += [f"g{i},Good,2020-01-03,Battles,Iran,IRQ,33.3,44.4" for i in range(3)]
    lines += [f"b{i},Bad,2020-02-{30 + i % 2},Battles,Iran,IRQ,33.3,44.4" for i in range(n_bad)]
    lines += [f"f{i},Far,2020-01-03,Battles,Iran,IRQ,{91 + i},44.4" for i in range(n_bad)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validate_summarises_many_problems(tmp_path, capsys):
    path = _csv_with_bad_rows(tmp_path, 40)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 12
    assert out[0] == f"{path}: 80 problems of 2 kinds (most frequent first):"
    assert [line.split()[0] for line in out[1:5:2]] == ["40", "40"]
    assert any(line.strip().startswith("e.g. line 5 (id 'b0'): ") for line in out)
    stem = tmp_path / "many"
    assert f"mapapp import {path} -o {stem}.geojson --rejects {stem}-rejects.csv" in out[-2]
    assert out[-1] == f"{path}: 83 incidents, 80 invalid (80 problems), 3 usable"
    assert main(["validate", "--all", str(path)]) == 1
    every = capsys.readouterr().out.splitlines()
    assert len(every) == 81 and every[0].startswith(f"{path}: line 5 (id 'b0'): ")


def test_info_and_export_on_a_csv_with_bad_rows(tmp_path, capsys):
    path = _csv_with_bad_rows(tmp_path, 1)
    assert main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: 2 problems found" in err and "line 5 (id 'b0')" in err
    assert main(["info", "--lenient", str(path)]) == 0
    captured = capsys.readouterr()
    assert "incidents:   3\n" in captured.out
    assert f"{path}: line 6 (id 'f0'): " in captured.err


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_listens_on_loopback_by_default_and_warns_otherwise():
    cmd = streamlit_command(str(DATASET))
    assert cmd[cmd.index("--server.address") + 1] == "127.0.0.1"
    cmd = streamlit_command(str(DATASET), host="0.0.0.0")
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"


def test_stopping_serve_by_its_process_id_stops_the_page(tmp_path):
    import signal
    import time
    import urllib.request

    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mapapp.cli", "serve", "--headless",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        deadline = time.time() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                assert time.time() < deadline, "the page did not start"
                time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        try:  # nothing answers on the port any more
            urllib.request.urlopen(url, timeout=2)
            answered = True
        except OSError:
            answered = False
        assert not answered
        # start-up says where the page is, and nothing a fresh clone would worry about
        said = log.read_text(encoding="utf-8", errors="replace")
        assert f"127.0.0.1:{port}" in said
        assert "Static file serving" not in said and "Traceback" not in said, said
    finally:
        proc.kill()
