"""The page's data: the dataset it was started on, or the visitor's upload.

The dataset at a path is read once (cached by path, modification time and
size) and shared by every session. An upload is held by the session that
sent it (in its session state, so it goes with the session or the next
upload); identical uploads in several sessions share one copy while any of
them holds it.

The map's files are written outside the package (:mod:`mapapp.serving`):
the scripts once, each dataset's data once, and each session reaches the
data through a link of its own (see ``docs/security.md``).
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path

import streamlit as st

from geodata.errors import GeodataError

from .. import assets, contract, serving
from ..mapdata import PROPS_TEMPLATE, write_data_files
from ..state import Dataset, content_key, load_dataset

__all__ = [
    "DEFAULT_DATASET",
    "MAX_UPLOAD_ENV",
    "MAX_UPLOAD_MB",
    "UPLOAD_TYPES",
    "data_urls",
    "load",
    "max_upload_bytes",
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
    serving.declare(serving.DATA_COMPONENT, root)
    store = serving.DataStore(root, grace=float(st.get_option("server.disconnectedSessionTTL")))
    store.start_sweeping(_is_active)
    return store


@st.cache_resource(show_spinner=False)
def _static_assets() -> dict:
    directory = serving.static_dir()
    written = assets.write_static(directory)
    serving.declare(serving.STATIC_COMPONENT, directory)
    _store()
    return written


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
        return _static_assets()
    except serving.ServingError as exc:
        st.error(f"The map cannot be shown: {exc}.")
        st.stop()


@st.cache_resource(show_spinner="Reading incidents…", max_entries=4)
def _load_path(path: str, mtime_ns: int, size: int) -> Dataset:
    return load_dataset(path, lenient=True)


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

    The files are written once per dataset (shared); the URLs hold a token
    of this session's own, stable across its reruns.

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
    def write(folder: Path) -> None:
        write_data_files(dataset.gdf, folder, colors=dataset.colors, block=contract.PROPS_BLOCK)

    token = _store().acquire(_session_id(), key, write,
                             keep=not key.startswith("upload:"))
    base = serving.component_url(serving.DATA_COMPONENT, f"s/{token}/")
    return base + "draw.json", base + PROPS_TEMPLATE


def _upload(path: str | os.PathLike) -> tuple[Dataset | None, str]:
    """The visitor's upload, held by this session only; (None, '') without one."""
    upload = st.sidebar.file_uploader(
        "Your own incidents", type=UPLOAD_TYPES,
        help="GeoJSON or GeoParquet in the incident schema, or an ACLED/UCDP/plain CSV export.",
    )
    if upload is None:
        st.session_state.pop(_UPLOAD_STATE, None)  # (its memory goes with the last holder)
        return None, ""
    limit = max_upload_bytes()
    if upload.size > limit:
        st.session_state.pop(_UPLOAD_STATE, None)
        st.error(f"Your file {upload.name!r} is {upload.size / 2**20:.1f} MB, more than the "
                 f"{limit / 2**20:.0f} MB the page reads, so it still shows {Path(path).name}. "
                 f"Filter it down, or ask whoever runs the page to raise {MAX_UPLOAD_ENV}.")
        return None, ""
    try:
        data = upload.getvalue()
        key = content_key(data)
        held = st.session_state.get(_UPLOAD_STATE)
        if held is None or held[0] != key:
            st.session_state.pop(_UPLOAD_STATE, None)  # (the earlier upload goes first)
            st.session_state[_UPLOAD_STATE] = (key, _load_upload(key, upload.name, data))
        return st.session_state[_UPLOAD_STATE][1], f"upload:{key}"
    except GeodataError as exc:
        st.session_state.pop(_UPLOAD_STATE, None)
        st.error(f"Your file could not be used, so the page still shows "
                 f"{Path(path).name}: {exc}")
    return None, ""


def load(path: str | os.PathLike) -> tuple[Dataset | None, str]:
    """The dataset to show: the visitor's upload, else the file at ``path``.

    An upload that cannot be read, or is larger than :func:`max_upload_bytes`,
    is reported by its own name and the page keeps showing the file at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The dataset shown when the visitor has uploaded none.

    Returns
    -------
    tuple of (Dataset or None, str)
        The dataset (``None``, with a message on the page, when nothing can
        be read) and a key naming it, which changes when the data does.
    """
    dataset, key = _upload(path)
    if dataset is not None:
        return dataset, key
    path = str(path)
    try:
        stat = os.stat(path)
        return _load_path(path, stat.st_mtime_ns, stat.st_size), f"path:{path}:{stat.st_mtime_ns}"
    except FileNotFoundError:
        st.error(f"{Path(path).name}: no such file")
    except GeodataError as exc:
        st.error(str(exc))
    return None, ""
