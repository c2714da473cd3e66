"""The page's data: the dataset it was started on, or the visitor's upload.

Each dataset is read once (cached by path, modification time and size, or
by an upload's content hash) and shared by every session that shows it.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from geodata.errors import GeodataError

from .. import assets
from ..mapdata import write_data_files
from ..state import Dataset, content_key, load_dataset

__all__ = ["DEFAULT_DATASET", "STATIC_DIR", "UPLOAD_TYPES", "data_urls", "load", "static_assets"]

#: The built-in dataset, opened when the page is given no file.
DEFAULT_DATASET = Path(__file__).resolve().parents[2] / "incidents.geojson"
#: Where Streamlit serves the map's scripts, styles and data files from.
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
UPLOAD_TYPES = ["geojson", "json", "parquet", "geoparquet", "csv"]


@st.cache_resource(show_spinner=False)
def static_assets() -> dict:
    """Write the map's scripts and stylesheets where Streamlit serves them (once)."""
    return assets.write_static(STATIC_DIR)


@st.cache_resource(show_spinner="Reading incidents…", max_entries=4)
def _load_path(path: str, mtime_ns: int, size: int) -> Dataset:
    return load_dataset(path, lenient=True)


@st.cache_resource(show_spinner="Reading the upload…", max_entries=4)
def _load_upload(key: str, name: str, _data: bytes) -> Dataset:
    return load_dataset(_data, lenient=True, label=name)


@st.cache_resource(show_spinner=False, max_entries=8)
def data_urls(key: str, _dataset: Dataset) -> tuple[str, str]:
    """Serve the dataset's columns and properties for the map to fetch once (keyed by it)."""
    stem = f"incidents-{content_key(key.encode())}"
    draw, props = write_data_files(_dataset.gdf, STATIC_DIR / "data", stem,
                                   colors=_dataset.colors)
    return f"/app/static/data/{draw.name}", f"/app/static/data/{props.name}"


def load(path: str | os.PathLike) -> tuple[Dataset | None, str]:
    """The dataset to show: the visitor's upload, else the file at ``path``.

    An upload that cannot be read is reported by its own name and the page
    keeps showing the file at ``path``.

    Returns
    -------
    tuple of (Dataset or None, str)
        The dataset (``None``, with a message on the page, when nothing can
        be read) and a key naming it, which changes when the data does.
    """
    upload = st.sidebar.file_uploader(
        "Your own incidents", type=UPLOAD_TYPES,
        help="GeoJSON or GeoParquet in the incident schema, or an ACLED/UCDP/plain CSV export.",
    )
    if upload is not None:
        try:
            data = upload.getvalue()
            key = content_key(data)
            return _load_upload(key, upload.name, data), f"upload:{key}"
        except GeodataError as exc:
            st.error(f"Your file could not be used, so the page still shows "
                     f"{Path(path).name}: {exc}")
    path = str(path)
    try:
        stat = os.stat(path)
        return _load_path(path, stat.st_mtime_ns, stat.st_size), f"path:{path}:{stat.st_mtime_ns}"
    except FileNotFoundError:
        st.error(f"{Path(path).name}: no such file")
    except GeodataError as exc:
        st.error(str(exc))
    return None, ""
