"""The page's data: the dataset it was started on, or the visitor's upload.

The dataset at a path is read once (kept by path, modification time and
size, :mod:`.opening`, with a progress bar while a big file is converted)
and shared by every session. An upload is held by the session that
sent it (in its session state, so it goes with the session or the next
upload); identical uploads in several sessions share one copy while any of
them holds it.

The map's files are written outside the package (:mod:`mapapp.serving`):
the scripts once, each dataset's data once, and each session reaches the
data through a link of its own (see ``docs/security.md``).
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from geodata.errors import GeodataError

from .. import assets, contract, serving
from ..datafiles import write_draw_first
from ..mapdata import DRAW_FILE, PROPS_TEMPLATE
from ..state import Dataset, content_key, load_dataset
from .header import problem_rows
from .opening import open_path, read_path
from .text import md

__all__ = [
    "DEFAULT_DATASET",
    "MAX_UPLOAD_ENV",
    "MAX_UPLOAD_MB",
    "UPLOAD_TYPES",
    "data_urls",
    "dataset_path",
    "load",
    "max_upload_bytes",
    "path_key",
    "prepare_path",
    "map_component",
    "static_assets",
]

#: The built-in dataset, opened when the page is given no file.
DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "incidents.geojson"
UPLOAD_TYPES = ["geojson", "json", "parquet", "geoparquet", "csv"]
#: The largest upload, in MB (also ``server.maxUploadSize`` in ``.streamlit/config.toml``).
MAX_UPLOAD_MB = 200
#: Environment variable that lowers (or raises) :data:`MAX_UPLOAD_MB`.
MAX_UPLOAD_ENV = "INCIDENT_MAP_MAX_UPLOAD_MB"
#: Session state key of the session's upload (its one strong reference).
_UPLOAD_STATE = "_incident_map_upload"

#: The session name the server's own opening of its dataset holds a link under, briefly.
_WARMUP_SESSION = "(server start)"

_UPLOADS: weakref.WeakValueDictionary[str, Dataset] = weakref.WeakValueDictionary()
_UPLOADS_LOCK = threading.Lock()


def _env_int(name: str, default: int, *, minimum: int = 1) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ValueError(f"environment variable {name} should be a whole number of at least "
                         f"{minimum}, got {text!r}")
    return value


def max_upload_bytes() -> int:
    """The largest upload the page reads, in bytes (``INCIDENT_MAP_MAX_UPLOAD_MB``, default 200).

    Returns
    -------
    int
    """
    return _env_int(MAX_UPLOAD_ENV, MAX_UPLOAD_MB) * 1024 * 1024


def _is_active(session: str) -> bool:
    from streamlit import runtime

    return not runtime.exists() or runtime.get_instance().is_active_session(session)


@st.cache_resource(show_spinner=False)
def _store() -> serving.DataStore:
    root = serving.run_dir()
    store = serving.DataStore(root, grace=float(st.get_option("server.disconnectedSessionTTL")))
    store.start_sweeping(_is_active)
    return store


@st.cache_resource(show_spinner=False)
def _static_assets() -> tuple[dict, Path, Path]:
    directory = serving.static_dir()
    written = assets.write_static(directory)
    return written, directory, _store().root


def _declare() -> dict:
    """Write the assets (once) and let Streamlit serve them and the datasets' files.

    Declared on every run, as the map's frame is (a dictionary entry each):
    Streamlit registers a component only from a script run, and the files may
    have been written before any (at the server's start, :mod:`mapapp.warmup`).
    """
    written, directory, root = _static_assets()
    serving.declare(serving.STATIC_COMPONENT, directory)
    serving.declare(serving.DATA_COMPONENT, root)
    return written


def map_component():
    """The page's map frame as a Streamlit component (its folder written once).

    Returns
    -------
    streamlit.components.v1.components.CustomComponent
        Served from :func:`mapapp.serving.static_dir` (``index.html``:
        :func:`mapapp.assets.frame_html`).
    """
    static_assets()
    _, directory, _ = _static_assets()
    return serving.declare(serving.MAP_COMPONENT, directory)


def static_assets() -> dict:
    """Write the map's scripts and stylesheets to the cache folder and serve them (once).

    When the cache folder cannot be written the page says so, naming the
    folder and ``INCIDENT_MAP_CACHE``, and stops.

    Returns
    -------
    dict of str to str
        Asset name to its path below the served folder.
    """
    try:
        return _declare()
    except serving.ServingError as exc:
        st.error(f"The map cannot be shown: {exc}.")
        st.stop()


def _load_upload(key: str, name: str, data: bytes) -> Dataset:
    """The upload's dataset: the one another session holds, else read now."""
    with _UPLOADS_LOCK:
        dataset = _UPLOADS.get(key)
    if dataset is None:
        with st.spinner("Reading the upload…"):
            dataset = load_dataset(data, lenient=True, label=name)
        with _UPLOADS_LOCK:
            dataset = _UPLOADS.setdefault(key, dataset)
    return dataset


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def data_urls(key: str, dataset: Dataset) -> tuple[str, str]:
    """The URLs of the dataset's draw payload and properties blocks, for this session.

    The files are written once per dataset (shared; at the server's start
    for its own dataset, :mod:`mapapp.warmup`): the folder before this
    returns, the draw payload and then the properties blocks in the
    background (:mod:`mapapp.datafiles`; the map asks again for the draw
    payload while it is written). The URLs hold a token of this session's
    own, stable across its reruns.

    Parameters
    ----------
    key : str
        The dataset's key (from :func:`load`).
    dataset : mapapp.state.Dataset
        The dataset.

    Returns
    -------
    tuple of str
        The payload's URL and the properties URL template (``{block}``).
    """
    token = _acquire(_session_id(), key, dataset)
    base = serving.component_url(serving.DATA_COMPONENT, f"s/{token}/")
    return base + DRAW_FILE, base + PROPS_TEMPLATE


def _acquire(session: str, key: str, dataset: Dataset, writers: list | None = None) -> str:
    """A link for ``session`` to the dataset's map files, written first if needed.

    The files' writer (:class:`mapapp.datafiles.BlockWriter`), when this call
    started one, is appended to ``writers``.
    """
    def write(folder: Path) -> None:  # (the map draws from DRAW_FILE; the details follow)
        writer = write_draw_first(dataset.gdf, folder, colors=dataset.colors,
                                  block=contract.PROPS_BLOCK)
        if writers is not None and writer is not None:
            writers.append(writer)

    return _store().acquire(session, key, write, keep=not key.startswith("upload:"))


def prepare_path(path: str | os.PathLike,
                 prepare: Callable[[Dataset], None] | None = None) -> Dataset:
    """Open the dataset at ``path`` and write its map files, with no visitor (no page).

    What the first visitor's run would do, done ahead (:mod:`mapapp.warmup`): the
    dataset is kept for every session (:func:`.opening.read_path`) and its
    files stay written for the page (kept like the page's own datasets). A
    visitor who waited for the read goes on at once; what both would do
    (the files, ``prepare``) is done once, the other waiting for it. Returns
    once the map's draw file is written; its details follow in the background.

    Parameters
    ----------
    path : str or os.PathLike
        The page's dataset.
    prepare : callable, optional
        More work on the dataset, once (:func:`mapapp.page.prepare`).

    Returns
    -------
    Dataset

    Raises
    ------
    OSError, geodata.GeodataError
        When the file cannot be read.
    """
    path = str(path)
    stat = os.stat(path)
    dataset = read_path(path, stat.st_mtime_ns, stat.st_size)
    _static_assets()
    if not dataset.total:
        return dataset
    writers: list = []
    try:
        _acquire(_WARMUP_SESSION, path_key(path, stat.st_mtime_ns), dataset, writers)
        for writer in writers:  # (the draw file; the details follow in the background)
            writer.wait_draw()
        if prepare is not None:  # (after it: a visitor who came meanwhile waits for that file,
            prepare(dataset)  # and this work is for that visitor's next run)
    finally:
        _store().release(_WARMUP_SESSION)
    return dataset


def path_key(path: str, mtime_ns: int) -> str:
    """The key of the dataset at ``path`` (changes when the file does)."""
    return f"path:{path}:{mtime_ns}"


def dataset_path(argv: list[str] | None = None, environ=None) -> str:
    """The page's dataset: the FILE after ``--``, else ``$MAPAPP_DATA``, else the built-in one.

    Streamlit sets ``sys.argv`` to ``[mapapp/app.py, *arguments after --]``;
    an ``argv`` whose first item is another program's (a test runner's) is
    not read.

    Parameters
    ----------
    argv : list of str, optional
        Default ``sys.argv``.
    environ : mapping, optional
        Default ``os.environ``.

    Returns
    -------
    str
    """
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if argv and Path(argv[0]).name == "app.py":
        args = [a for a in argv[1:] if not a.startswith("-")]
        if args:
            return args[0]
    return environ.get("MAPAPP_DATA") or str(DEFAULT_DATASET)


def _nothing_to_map(dataset: Dataset) -> str:
    """Why an upload that was read has no usable incident, in a few words."""
    report = dataset.report
    if not report.n_features:
        return "it holds no incident"
    where = ""
    if report.problems:
        what = problem_rows(report.problems[:1])[0]
        about = ", ".join(x for x in (
            f"line {what['line']}" if what.get("line") is not None else "",
            f"feature {what['index']}" if what.get("index") is not None else "",
            f"id {what['id']!r}" if what.get("id") else "", what.get("field") or "") if x)
        where = f"; first: {about + ': ' if about else ''}{what.get('message')}"
    every = ("its one incident has problems" if report.n_features == 1
             else f"all {report.n_features:,} of its incidents have problems")
    return every + where


def _refuse(name: str, why: str, path) -> tuple[Dataset | None, str]:
    """Say in one line why the upload is not shown; keep what the page showed."""
    held = st.session_state.get(_UPLOAD_STATE)
    shown = held[1].label if held is not None else Path(path).name
    st.error(f"Your file could not be used, so the page still shows {md(shown)}: "
             f"{md(name)}: {md(why.rstrip('.'))}.")
    return (held[1], f"upload:{held[0]}") if held is not None else (None, "")


def _upload(path: str | os.PathLike) -> tuple[Dataset | None, str]:
    """The visitor's upload, held by this session only; (None, '') without one.

    An upload that cannot be used (unreadable, too large, empty, or with no
    valid incident) is refused in one line naming the visitor's file, and the
    page keeps what it showed (the previous upload, or the file at ``path``).
    """
    upload = st.sidebar.file_uploader(
        "Your own incidents", type=UPLOAD_TYPES,
        help="GeoJSON or GeoParquet in the incident schema, or an ACLED/UCDP/plain CSV export.",
    )
    if upload is None:
        st.session_state.pop(_UPLOAD_STATE, None)  # (its memory goes with the last holder)
        return None, ""
    limit = max_upload_bytes()
    if upload.size > limit:
        return _refuse(upload.name, f"it is {upload.size / 2**20:.1f} MB, more than the "
                       f"{limit / 2**20:.0f} MB the page reads (filter it down, or ask whoever "
                       f"runs the page to raise {MAX_UPLOAD_ENV})", path)
    data = upload.getvalue()
    key = content_key(data)
    held = st.session_state.get(_UPLOAD_STATE)
    if held is not None and held[0] == key:
        return held[1], f"upload:{key}"
    try:
        dataset = _load_upload(key, upload.name, data)
    except GeodataError as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        prefix = f"{upload.name}: "
        return _refuse(upload.name, why[len(prefix):] if why.startswith(prefix) else why, path)
    if not dataset.total:
        return _refuse(upload.name, _nothing_to_map(dataset), path)
    st.session_state.pop(_UPLOAD_STATE, None)  # (the earlier upload goes first)
    st.session_state[_UPLOAD_STATE] = (key, dataset)
    return dataset, f"upload:{key}"


def load(path: str | os.PathLike, *, upload: bool = True) -> tuple[Dataset | None, str]:
    """The dataset to show: the visitor's upload, else the file at ``path``.

    An upload that cannot be used (unreadable, empty, no valid incident, or
    larger than :func:`max_upload_bytes`) is reported in one line by its own
    name, and the page keeps what it showed.

    Parameters
    ----------
    path : str or os.PathLike
        The dataset shown when the visitor has uploaded none.
    upload : bool, default True
        Whether to offer the upload (and read one). Without it (a session's
        first run, which shows the map first) the upload is still offered
        when the file at ``path`` has nothing to map.

    Returns
    -------
    tuple of (Dataset or None, str)
        The dataset (``None``, with a message on the page, when nothing can
        be read) and a key naming it, which changes when the data does.
    """
    if upload:
        dataset, key = _upload(path)
        if dataset is not None:
            return dataset, key
    dataset, key = _open(str(path))
    if not upload and (dataset is None or not dataset.total):
        own, own_key = _upload(path)  # (nothing to map here: the visitor's own file is the way on)
        if own is not None:
            return own, own_key
    return dataset, key


def _open(path: str) -> tuple[Dataset | None, str]:
    """The file at ``path`` opened (through the shared store), or (None, '') said on the page."""
    try:
        stat = os.stat(path)
        return open_path(path, stat.st_mtime_ns, stat.st_size), path_key(path, stat.st_mtime_ns)
    except FileNotFoundError:
        st.error(f"{Path(path).name}: no such file")
    except GeodataError as exc:
        st.error(str(exc))
    return None, ""
