"""The page's dataset is opened when the server starts, before the first visitor comes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import ROOT, streamlit_server
from mapjs import is_map_frame

from mapapp.contract import DRAW_FILE
from mapapp.page.load import DEFAULT_DATASET, dataset_path

APP = ROOT / "mapapp" / "app.py"


def test_the_dataset_is_the_file_after_the_dashes_else_the_environment_else_the_built_in():
    assert dataset_path(["/x/mapapp/app.py", "mine.geojson"], {}) == "mine.geojson"
    assert dataset_path(["/x/mapapp/app.py"], {"MAPAPP_DATA": "env.geojson"}) == "env.geojson"
    # (another program's arguments, a test runner's, are not the page's)
    assert dataset_path(["pytest", "tests/x.py"], {}) == str(DEFAULT_DATASET)
    assert dataset_path(["/x/mapapp/app.py", "--flag"], {}) == str(DEFAULT_DATASET)


def _wait_for(log: Path, text: str, timeout: float = 60) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        content = log.read_text()
        if text in content:
            return content
        time.sleep(0.1)
    pytest.fail(f"{text!r} never came:\n{log.read_text()}")


def _drawn_count(page) -> int | None:
    for frame in page.frames:
        if is_map_frame(frame):
            try:
                return frame.evaluate(
                    "() => { const e = document.querySelector('.im-summary-count"
                    "[data-state=\"drawn\"]'); return e ? parseInt(e.dataset.count, 10) : null; }")
            except Exception:  # (the frame is being replaced)
                return None
    return None


@pytest.mark.browser
def test_the_server_opens_its_dataset_and_writes_its_map_before_anyone_visits(tmp_path, page):
    cache = tmp_path / "cache"
    env = {**os.environ, "INCIDENT_MAP_CACHE": str(cache)}
    log = tmp_path / "server.log"
    with streamlit_server(APP, log, "--", str(DEFAULT_DATASET), env=env) as url:
        said = _wait_for(log, "incidents.geojson is open")
        assert "20 incidents" in said and "the page is ready" in said
        drawn = list(cache.rglob("d/*/" + DRAW_FILE))
        assert len(drawn) == 1  # (written with no visitor yet)
        written = drawn[0].stat().st_mtime_ns
        p = page.page
        p.goto(url + "/")
        deadline = time.time() + 60
        while _drawn_count(p) != 20 and time.time() < deadline:
            p.wait_for_timeout(100)
        assert _drawn_count(p) == 20
        # the visitor's map drew from the files written at the start: not written again
        assert [d.stat().st_mtime_ns for d in cache.rglob("d/*/" + DRAW_FILE)] == [written]
        assert "Traceback" not in p.content()


@pytest.mark.browser
def test_a_file_that_cannot_be_opened_is_named_on_the_console_and_on_the_page(tmp_path, page):
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    env = {**os.environ, "INCIDENT_MAP_CACHE": str(tmp_path / "cache")}
    log = tmp_path / "server.log"
    with streamlit_server(APP, log, "--", str(bad), env=env) as url:
        said = _wait_for(log, "broken.geojson could not be opened: ")
        assert "Traceback" not in said
        p = page.page
        p.goto(url + "/")
        alert = p.locator('[data-testid="stAlert"]', has_text="broken.geojson")
        alert.first.wait_for(timeout=60_000)
        assert "Traceback" not in p.content()


def test_with_open_at_start_0_the_server_leaves_the_dataset_to_the_first_visitor(monkeypatch):
    import asyncio
    import threading

    from mapapp import warmup

    started = []
    monkeypatch.setattr(warmup, "start", started.append)

    async def lifespan():
        async with warmup.lifespan(None):
            pass

    def serve():  # (in a thread of its own: the browser tests' loop may run in this one)
        thread = threading.Thread(target=asyncio.run, args=(lifespan(),))
        thread.start()
        thread.join()

    monkeypatch.setenv(warmup.OPEN_AT_START_ENV, "0")
    serve()
    assert started == []
    monkeypatch.setenv(warmup.OPEN_AT_START_ENV, "1")
    monkeypatch.setenv("MAPAPP_DATA", "mine.geojson")
    serve()
    assert started == ["mine.geojson"]  # (pytest's own arguments are not the page's)
