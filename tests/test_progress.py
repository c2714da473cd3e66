"""A long load says where it is: geodata.load(progress=...), the command line and the page."""

from __future__ import annotations

import io
import json
import os
import threading
import time

import pytest
from conftest import ROOT, feature_collection, make_feature, streamlit_server
from mapjs import is_map_frame

import geodata
from geodata import framecache
from geodata.progress import Progress, Step, stderr_printer
from mapapp.page.opening import PathDatasets, size_text


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(folder))
    return folder


def _write(path, n, bad=0):
    features = [make_feature(i) for i in range(n)]
    for f in features[:bad]:
        f["properties"]["date"] = "yesterday"
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    return path


def test_a_first_conversion_goes_through_every_stage_in_order_then_opens_its_copy(
        tmp_path, cache_dir):
    path = _write(tmp_path / "big.geojson", 50, bad=2)
    steps: list[Step] = []
    first = geodata.load(path, lenient=True, cache=True, progress=steps.append)
    stages = [s.stage for s in steps]
    assert [s for i, s in enumerate(stages) if s not in stages[:i]] == [
        "read", "parse", "check", "type", "write", "done"]
    fractions = [s.fraction for s in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] < 0.2
    assert all(0 <= f <= 1 for f in fractions)
    steps.clear()
    again = geodata.load(path, lenient=True, cache=True, progress=steps.append)
    assert [s.stage for s in steps] == ["open", "done"]
    assert again.report.n_valid == first.report.n_valid == 48


def test_reading_is_reported_chunk_by_chunk(tmp_path, cache_dir, monkeypatch):
    import importlib

    load_module = importlib.import_module("geodata.load")

    monkeypatch.setattr(load_module, "_READ_CHUNK", 4096)
    path = _write(tmp_path / "a.geojson", 300)
    steps: list[Step] = []
    loaded = geodata.load(path, cache=False, progress=steps.append)
    reads = [s.fraction for s in steps if s.stage == "read"]
    assert len(reads) >= 5 and reads == sorted(reads)
    assert len(loaded.gdf) == 300


def test_a_broken_display_never_fails_the_load(tmp_path, cache_dir):
    def boom(step):
        raise RuntimeError("display gone")

    loaded = geodata.load(_write(tmp_path / "a.geojson", 5), progress=boom)
    assert len(loaded.gdf) == 5


def test_geoparquet_and_csv_report_their_own_stages(tmp_path, cache_dir):
    gdf = geodata.load(_write(tmp_path / "a.geojson", 20)).gdf
    geodata.write(gdf, tmp_path / "a.parquet")
    steps: list[Step] = []
    geodata.load(tmp_path / "a.parquet", progress=steps.append)
    assert [s.stage for s in steps] == ["read", "check", "type", "done"]
    steps.clear()
    geodata.load(ROOT / "samples" / "acled_sample.csv", lenient=True, cache=True,
                 progress=steps.append)
    assert steps[0].stage == "import" and "write" in [s.stage for s in steps]
    assert any(s.detail for s in steps if s.stage == "import")
    assert steps[-1] == Step("done", 1.0)


def test_bad_files_still_raise_their_own_message(tmp_path, cache_dir):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(geodata.DataSourceError, match="bad.geojson"):
        geodata.load(bad, progress=lambda step: None)


def test_the_command_line_line_names_the_file_and_is_quiet_for_a_quick_load(monkeypatch):
    out = io.StringIO()
    clock = iter([0.0, 0.1, 1.0, 1.1, 2.0])
    monkeypatch.setattr("geodata.progress.time.monotonic", lambda: next(clock))
    show = stderr_printer("big.geojson", out)
    watch = Progress(show)
    watch("read", 0.5)   # t=0: too early to say anything
    watch("parse")       # t=0.1
    watch("check")       # t=1.0: shown
    watch("type")        # t=1.1: a new stage, shown
    watch("done", 1.0)   # t=2.0: the line ends
    text = out.getvalue()
    assert "reading" not in text and "parsing" not in text
    assert "big.geojson: checking every incident" in text and "typing the columns" in text
    assert text.endswith("\n") and "done 100%" in text
    quiet = io.StringIO()
    Progress(stderr_printer("small.geojson", quiet))("done", 1.0)
    assert quiet.getvalue() == ""


def test_sessions_asking_for_the_same_file_share_one_read_and_see_its_progress():
    store = PathDatasets(limit=2)
    started, release = threading.Event(), threading.Event()
    reads, seen = [], []

    def read(progress):
        reads.append(1)
        progress(Step("parse", 0.4))
        started.set()
        release.wait(10)
        return object()

    got = {}
    first = threading.Thread(target=lambda: got.setdefault("a", store.get(("f", 1, 2), read)))
    first.start()
    started.wait(10)
    second = threading.Thread(target=lambda: got.setdefault(
        "b", store.get(("f", 1, 2), read, waiting=seen.append)))
    second.start()
    deadline = time.time() + 10
    while not seen and time.time() < deadline:
        time.sleep(0.05)
    release.set()
    first.join(10)
    second.join(10)
    assert reads == [1] and got["a"] is got["b"]
    assert Step("parse", 0.4) in seen
    for k in range(3):  # (the oldest goes beyond the limit)
        store.get(("g", k, 0), lambda progress: object())
    assert store.peek(("f", 1, 2)) is None


def test_a_failed_read_is_not_kept():
    store = PathDatasets()

    def fail(progress):
        raise geodata.DataSourceError("x.geojson: the file is empty")

    with pytest.raises(geodata.DataSourceError):
        store.get(("x", 0, 0), fail)
    assert store.get(("x", 0, 0), lambda progress: "ok") == "ok"


def test_sizes_are_written_for_people():
    assert size_text(1_300_000_000) == "1.2 GB"
    assert size_text(13_948_927) == "13.3 MB"
    assert size_text(900) == "1 KB"


@pytest.mark.browser
def test_the_page_shows_the_conversion_of_a_big_file_then_draws_it(tmp_path, page):
    n = 40_000
    path = _write(tmp_path / "big.geojson", n)
    assert path.stat().st_size > framecache.MIN_BYTES
    # (the first visitor converts it: the server does not open it as it starts)
    env = {**os.environ, "INCIDENT_MAP_CACHE": str(tmp_path / "cache"), "MAPAPP_DATA": str(path),
           "INCIDENT_MAP_OPEN_AT_START": "0"}
    with streamlit_server(ROOT / "mapapp" / "app.py", tmp_path / "server.log",
                          "--server.enableStaticServing", "false", env=env) as url:
        p = page.page
        p.goto(url + "/")
        bar = p.locator('[data-testid="stProgress"]')
        # (its text read in the page the moment it shows: a fast conversion's bar lives briefly)
        text = p.wait_for_function(
            "() => { const b = document.querySelector('[data-testid=\"stProgress\"]');"
            " return b && b.innerText.includes('Converting') ? b.innerText : null; }",
            timeout=60_000).json_value()
        assert "Converting big.geojson (" in text and "MB) once" in text
        assert "next time it opens from the working copy" in text
        count = None
        deadline = time.time() + 120
        while time.time() < deadline and count != n:
            for frame in p.frames:
                if is_map_frame(frame):
                    try:
                        count = frame.evaluate(
                            "() => { const e = document.querySelector("
                            "'.im-summary-count[data-state=\"drawn\"]');"
                            " return e ? parseInt(e.dataset.count, 10) : null; }")
                    except Exception:  # (the frame is being replaced)
                        pass
            p.wait_for_timeout(250)
        assert count == n
        assert bar.count() == 0  # (the bar is gone once the page is drawn)
        assert "Traceback" not in p.content()
    assert list((tmp_path / "cache" / "frames").glob("*.parquet"))
