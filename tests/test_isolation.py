"""One visitor cannot break or read another's map; the page writes nothing in its package.

See docs/security.md for the promises these tests pin.
"""

from __future__ import annotations

import gc
import gzip
import importlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import ROOT, feature_collection, make_feature, streamlit_server

import geodata
from mapapp import contract, mapdata, serving

page_load = importlib.import_module("mapapp.page.load")

N = 5000
BLOCK = contract.PROPS_BLOCK  # (5 blocks: the popup of the last incident needs the 5th)


def _gdf(n):
    data = json.dumps(feature_collection(make_feature(i) for i in range(n))).encode()
    return geodata.load(data, name="synthetic.geojson").gdf


# ------------------------------------------------------------- the files


def test_properties_come_in_small_blocks_in_the_dataset_order(tmp_path):
    gdf = _gdf(250)
    draw, props = mapdata.write_data_files(gdf, tmp_path / "d", block=100)
    blocks = sorted(p.name for p in props.iterdir())
    assert blocks == ["0.json.gz", "1.json.gz", "2.json.gz"]
    last = orjson.loads(gzip.decompress((props / "2.json.gz").read_bytes()))
    assert [p["id"] for p in last] == [f"inc-{i}" for i in range(200, 250)]
    everything = mapdata.read_properties(props)
    assert [p["id"] for p in everything] == mapdata.read_draw_file(draw)["ids"]
    assert everything == orjson.loads(mapdata.properties_json(gdf))
    # the script fills the template the same way
    assert contract.PROPS_BLOCK == 1000
    assert mapdata.PROPS_TEMPLATE.format(block=2) == "props/" + mapdata.props_block_name(2)


def test_a_block_does_not_grow_with_the_dataset(tmp_path):
    small = mapdata.write_data_files(_gdf(100), tmp_path / "s", block=100)[1]
    big = mapdata.write_data_files(_gdf(1000), tmp_path / "b", block=100)[1]
    largest = max(p.stat().st_size for p in big.iterdir())
    assert largest <= 1.2 * (small / "0.json.gz").stat().st_size


def test_files_already_written_are_kept_and_no_temporary_folder_stays(tmp_path):
    draw, _ = mapdata.write_data_files(_gdf(3), tmp_path / "d")
    before = draw.stat().st_mtime_ns
    mapdata.write_data_files(_gdf(5), tmp_path / "d")
    assert draw.stat().st_mtime_ns == before
    assert [p.name for p in tmp_path.iterdir()] == ["d"]


def test_a_block_size_below_one_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'block' should be at least 1, got 0"):
        mapdata.write_data_files(_gdf(3), tmp_path / "d", block=0)


# ------------------------------------------------------------- the store


def _writer(calls):
    def write(folder):
        calls.append(folder)
        folder.mkdir()
        (folder / mapdata.DRAW_FILE).write_text("{}")
    return write


def test_sessions_share_a_dataset_through_tokens_of_their_own(tmp_path):
    store, calls = serving.DataStore(tmp_path, grace=0), []
    a = store.acquire("A", "upload:1", _writer(calls))
    b = store.acquire("B", "upload:1", _writer(calls))
    assert len(calls) == 1 and a != b and len(a) >= 24
    assert store.acquire("A", "upload:1", _writer(calls)) == a  # (stable across reruns)
    link_a, link_b = tmp_path / "s" / a, tmp_path / "s" / b
    assert (link_a / mapdata.DRAW_FILE).resolve() == (link_b / mapdata.DRAW_FILE).resolve()
    assert "upload" not in str((link_a / mapdata.DRAW_FILE).resolve())  # (no name from the content)
    store.release("A")
    assert not link_a.exists() and (link_b / mapdata.DRAW_FILE).is_file()
    store.release("B")
    assert store.users("upload:1") == 0 and not calls[0].exists()


def test_a_session_holds_one_dataset_and_gone_sessions_release_theirs(tmp_path):
    store, calls = serving.DataStore(tmp_path, grace=0), []
    served = store.acquire("B", "path:x", _writer(calls), keep=True)
    for i in range(9):  # (A uploads nine files, one after another)
        store.acquire("A", f"upload:{i}", _writer(calls))
    assert [store.users(f"upload:{i}") for i in range(9)] == [0] * 8 + [1]
    assert sum(p.is_dir() for p in (tmp_path / "d").iterdir()) == 2
    store.sweep(lambda session: session == "B")  # (A has left)
    assert store.users("upload:8") == 0 and (tmp_path / "s" / served / mapdata.DRAW_FILE).is_file()
    store.sweep(lambda session: False)  # (B too: the page's own data stays written a while)
    assert store.folder("path:x") is not None and not (tmp_path / "s" / served).exists()


def test_a_disconnected_session_keeps_its_links_for_the_grace(tmp_path):
    store = serving.DataStore(tmp_path, grace=3600)
    token = store.acquire("A", "upload:1", _writer([]))
    store.sweep(lambda session: False)
    assert (tmp_path / "s" / token / mapdata.DRAW_FILE).is_file()


def test_an_unwritable_cache_is_a_clear_message(tmp_path, monkeypatch):
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o500)
    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(target / "cache"))
    try:
        if os.access(target, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        with pytest.raises(serving.ServingError, match="INCIDENT_MAP_CACHE at a writable folder"):
            serving.static_dir()
    finally:
        target.chmod(0o700)


def test_an_upload_is_shared_while_held_and_released_with_its_sessions():
    data = json.dumps(feature_collection(make_feature(i) for i in range(50))).encode()
    first = page_load._load_upload("k-test", "mine.geojson", data)
    assert page_load._load_upload("k-test", "mine.geojson", data) is first
    del first
    gc.collect()
    assert page_load._UPLOADS.get("k-test") is None


def test_the_upload_limit_is_a_setting(monkeypatch):
    monkeypatch.setenv(page_load.MAX_UPLOAD_ENV, "3")
    assert page_load.max_upload_bytes() == 3 * 1024 * 1024
    monkeypatch.setenv(page_load.MAX_UPLOAD_ENV, "lots")
    with pytest.raises(ValueError, match="INCIDENT_MAP_MAX_UPLOAD_MB should be a whole number"):
        page_load.max_upload_bytes()


# ------------------------------------------- the page, installed read-only

def _chmod_tree(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        no_write = ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        mode = mode | stat.S_IWUSR if writable else mode & no_write
        path.chmod(mode)


def _snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*")}


@pytest.fixture(scope="module")
def readonly_server(tmp_path_factory):
    base = tmp_path_factory.mktemp("isolation")
    install = base / "install"
    install.mkdir()
    skip = shutil.ignore_patterns("node_modules", "__pycache__", "static", "*.pyc")
    for name in ("mapapp", "geodata"):
        shutil.copytree(ROOT / name, install / name, ignore=skip)
    shutil.copytree(ROOT / ".streamlit", install / ".streamlit")
    data = base / "data.geojson"
    data.write_text(json.dumps(feature_collection(make_feature(i) for i in range(N))))
    uploads = base / "uploads"
    uploads.mkdir()
    for k in range(10):
        features = [make_feature(i, id=f"mine-{k}-{i}") for i in range(3 + k)]
        (uploads / f"upload-{k:02d}.geojson").write_text(json.dumps(feature_collection(features)))
    cache = base / "cache"
    _chmod_tree(install, writable=False)
    before = _snapshot(install)
    env = {**os.environ, "PYTHONPATH": str(install), "INCIDENT_MAP_CACHE": str(cache),
           "PYTHONDONTWRITEBYTECODE": "1"}
    log = base / "server.log"
    with streamlit_server(install / "mapapp" / "app.py", log,
                          "--server.disconnectedSessionTTL", "1", "--", str(data),
                          env=env, cwd=install) as url:
        yield {"url": url, "install": install, "before": before, "cache": cache,
               "uploads": uploads, "log": log}
    _chmod_tree(install, writable=True)


@pytest.mark.browser
@pytest.mark.slow
def test_two_visitors_on_a_read_only_install(readonly_server):
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("needs /usr/bin/chromium")
    s = readonly_server
    run = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("isolation_visitors.py")), s["url"],
         str(s["uploads"]), f"inc-{N - 1}", f"Incident {N - 1}"],
        capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:] + s["log"].read_text()[-3000:]
    seen = json.loads(run.stdout)
    # the page ran from the read-only copy and wrote nothing there
    assert _snapshot(s["install"]) == s["before"]
    assert "Traceback" not in s["log"].read_text()
    assert (s["cache"] / "page" / "static" / "leaflet" / "leaflet.js").is_file()
    # every session has URLs of its own, even for the same data
    tokens = {u.split("/s/")[1].split("/")[0] for u in [seen["b_draw"], seen["a_served_draw"],
                                                         *seen["a_uploads"]]}
    assert len(tokens) == 2 + len(seen["a_uploads"]) == 12
    # after A's ten uploads B's map works, its popup of the last incident included
    assert seen["b_status_after"] == 200
    assert seen["b_popup_fetched"] and all(
        u.endswith(f"/props/{(N - 1) // BLOCK}.json.gz") for u in seen["b_popup_fetched"])
    # no cross-origin reads; no name B can derive or guess reaches A's upload
    assert seen["b_cors_header"] is None
    # (the old static path answers with the page itself, never with data)
    assert not any(leaked for _status, leaked in seen["guesses"]), seen["guesses"]
    assert [status for status, _ in seen["guesses"][1:]] == [404, 404]
    assert seen["a_status_while_a_is_there"] == 200
    # A's files go with A's session; the dataset B shows stays
    assert seen["a_status_after_a_left"] == [404] * 10
    assert seen["a_served_status_after_a_left"] == 404
    assert seen["b_status_after_reload"] == 200
    runs = list((s["cache"] / "page").glob("run-*"))
    assert len(runs) == 1
    # (the one dataset both showed, written once; none of A's uploads)
    assert len(list((runs[0] / "d").iterdir())) == 1
