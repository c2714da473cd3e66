"""Shared fixtures: small datasets built in code (no committed test files)."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "incidents.geojson"

# The program's cache (the geocoder's index, ...) goes to a folder of this test
# run, not the user's ~/.cache; commands run as subprocesses inherit it.
_CACHE = None
if "INCIDENT_MAP_CACHE" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="incident-map-test-cache-")
    os.environ["INCIDENT_MAP_CACHE"] = _CACHE


def pytest_sessionfinish(session, exitstatus):
    if _CACHE:
        shutil.rmtree(_CACHE, ignore_errors=True)


def make_feature(i: int = 0, **props) -> dict:
    """A valid incident feature; keyword arguments override properties
    (a value of ``...`` deletes the property)."""
    base = {
        "id": f"inc-{i}",
        "title": f"Incident {i}",
        "date": f"2020-01-{(i % 28) + 1:02d}",
        "date_precision": "day",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Air/drone strike",
        "actor": ["United States", "Iran", "Kataib Hezbollah"][i % 3],
        "target": ["Kataib Hezbollah", "United States", "Iraqi security forces"][i % 3],
        "attribution": {"status": "confirmed", "claimed_by": [], "blamed_by": []},
        "fatalities": i % 5,
        "place": f"Place {i}",
        "admin1": "Baghdad",
        "country": ["IRQ", "IRN", "SYR"][i % 3],
        "geo_precision": "site",
        "geo_precision_km": 1.0,
        "sources": [{"title": "A source", "publisher": "Pub", "date": "2020-01-03",
                     "url": "https://example.org/a"}],
        "notes": "Some notes.",
        "related": [],
    }
    for key, value in props.items():
        if value is ...:
            base.pop(key, None)
        else:
            base[key] = value
    lon = 44.0 + (i % 10) * 0.1
    lat = 33.0 + (i % 7) * 0.1
    return {"type": "Feature", "id": base.get("id"),
            "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": base}


def feature_collection(features) -> dict:
    return {"type": "FeatureCollection", "features": copy.deepcopy(list(features))}


@pytest.fixture
def write_geojson(tmp_path):
    """Write features (or raw text) to a .geojson file in tmp_path; returns the path."""

    def _write(features_or_text, name: str = "data.geojson") -> Path:
        path = tmp_path / name
        if isinstance(features_or_text, str):
            path.write_text(features_or_text, encoding="utf-8")
        else:
            path.write_text(json.dumps(feature_collection(features_or_text)), encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def dataset_path() -> Path:
    return DATASET


def require_browser() -> str:
    """Path of Debian's Chromium; skip, or fail when REQUIRE_BROWSER=1 (CI)."""
    exe = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(exe).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but no browser at {exe}")
        pytest.skip(f"no browser at {exe}")
    return exe


# ---------------------------------------------------------------- browser

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_LOOPBACK = ("127.", "localhost", "[::1]")


def is_local_url(url: str) -> bool:
    """file:, data:, blob:, about: and loopback http(s) URLs."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about", "chrome-error"):
        return True
    host = parts.hostname or ""
    return parts.scheme in ("http", "https", "ws") and (
        host.startswith("127.") or host in ("localhost", "::1")
    )


class Page:
    """A Playwright page with every non-loopback request blocked and recorded."""

    def __init__(self, page):
        self.page = page
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("dialog", self._dialog)
        page.route("**/*", self._route)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route):
        url = route.request.url
        if is_local_url(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def blocked_non_tiles(self, tile_hosts=("tile.openstreetmap.org", "arcgisonline.com")):
        return [u for u in self.blocked if not any(h in u for h in tile_hosts)]


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    exe = require_browser()
    from playwright.sync_api import sync_playwright

    user_data = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(user_data), executable_path=exe, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1400},  # the whole map in view: no scrolling
        )
        yield context
        context.close()


@pytest.fixture
def page(browser):
    p = Page(browser.new_page())
    yield p
    p.page.close()


def opened(at):
    """Run the page (an ``AppTest``) as a browser opens it, and return it.

    The page's first run in a session leaves the timeline and the table for
    the next, which the map asks for once it has drawn: two runs.
    """
    return at.run().run()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(app: Path, log: Path, *args: str, env: dict | None = None,
                     cwd: Path = ROOT, port: int | None = None):
    """``streamlit run app`` on loopback, its output in ``log``; yields its URL once healthy.

    ``args`` are more options (``--server.enableStaticServing false``, ``-- FILE``).
    The server is stopped on leaving, killed if it does not stop within 10 s.
    """
    import subprocess
    import sys
    import time
    import urllib.request

    port = port or free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *args]
    url = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"streamlit did not start:\n{log.read_text()}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
