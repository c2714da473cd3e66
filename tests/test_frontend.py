"""The map script's sources: the committed build is fresh, ESLint and ``node --test`` pass,
and the Leaflet private members that ``compat.js`` relies on exist in the installed Leaflet.

The Node tests need ``node`` and ``npm ci`` in ``mapapp/frontend``; without them they
skip, unless REQUIRE_BROWSER=1 (CI, see ``.ci/run``), where they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT

from mapapp import assets

FRONTEND = ROOT / "mapapp" / "frontend"
BUILT = ROOT / "mapapp" / "templates" / "incidentmap.js"


def _skip_or_fail(why: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {why}")
    pytest.skip(why)


@pytest.fixture(scope="module")
def npm() -> str:
    """Path of npm, with the frontend's packages installed (``npm ci``)."""
    node, npm_exe = shutil.which("node"), shutil.which("npm")
    if not node or not npm_exe:
        _skip_or_fail("no node/npm on PATH (apt-get install nodejs npm)")
    if not (FRONTEND / "node_modules" / "esbuild").is_dir():
        _skip_or_fail("the frontend's packages are not installed (npm ci in mapapp/frontend)")
    return npm_exe


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=FRONTEND, capture_output=True, text=True, timeout=300)


def test_the_committed_script_is_the_build_of_the_sources(npm, tmp_path):
    out = tmp_path / "incidentmap.js"
    done = _run([shutil.which("node"), "build.mjs", str(out)])
    assert done.returncode == 0, done.stderr
    fresh = out.read_bytes()
    assert fresh == BUILT.read_bytes(), (
        "mapapp/templates/incidentmap.js is stale: run `npm run build` in mapapp/frontend"
    )
    # (and the page's map frame, the second bundle, built beside it)
    assert (tmp_path / "mapframe.js").read_bytes() == (BUILT.parent / "mapframe.js").read_bytes(), (
        "mapapp/templates/mapframe.js is stale: run `npm run build` in mapapp/frontend"
    )


def test_eslint_passes(npm):
    done = _run([npm, "run", "--silent", "lint"])
    assert done.returncode == 0, done.stdout + done.stderr


def test_node_unit_tests_pass(npm):
    done = _run([npm, "test"])
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    # (they ran: a test runner that found no file passes too)
    ran = re.search(r"^# pass (\d+)", done.stdout, re.M)
    assert ran and int(ran.group(1)) >= 20, done.stdout[-2000:]


def test_the_built_script_is_ascii():
    # Latin-1 is what the export needs; the build writes every other character as \u.
    BUILT.read_bytes().decode("ascii")


def test_only_compat_touches_leaflet_private_members():
    # (ESLint says the same; this runs without Node) Our own fields start with "_im".
    private = re.compile(r"\.\s*_(?!im)[A-Za-z]\w*")
    offenders = []
    for path in sorted((FRONTEND / "src").glob("*.js")):
        if path.name == "compat.js":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//", 1)[0]
            if private.search(code):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


def _compat_page(tmp_path: Path, before: str = "") -> Path:
    page = tmp_path / "compat.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'></head><body>"
        "<div id='m' style='width:400px;height:300px'></div>"
        f"<script>{assets.asset_text('leaflet.js')}</script>"
        f"<script>{before}</script>"
        f"<script>{assets.asset_text('incidentmap.js')}</script>"
        "</body></html>",
        encoding="utf-8",
    )
    return page


@pytest.mark.browser
def test_leaflet_has_every_private_member_compat_uses(page, tmp_path):
    page.page.goto(_compat_page(tmp_path).as_uri())
    missing = page.page.evaluate(
        "() => IncidentMap.checkLeaflet(document.getElementById('m'))"
    )
    assert missing == []
    assert page.errors == []


@pytest.mark.browser
def test_the_leaflet_check_names_a_member_that_went_away(page, tmp_path):
    gone = (
        "delete L.Map.prototype._draggableMoved;"
        "delete L.Canvas.prototype._fireEvent;"
    )
    page.page.goto(_compat_page(tmp_path, gone).as_uri())
    missing = page.page.evaluate(
        "() => IncidentMap.checkLeaflet(document.getElementById('m'))"
    )
    assert "Map.prototype._draggableMoved" in missing
    assert "Canvas.prototype._fireEvent" in missing
    assert len(missing) == 2, missing
