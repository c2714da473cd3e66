"""The picture panel: the view as a still map, PNG (300 dpi) or PDF, for a slide or a report.

The picture is :func:`mapapp.still.render_still`'s, the same as
``mapapp export DATA -o view.png|view.pdf`` with the view's filters: the
offline basemap with place names, the incidents styled as on the live map,
title, the view's dates and filters, legend, scale bar and sources. No
network is used.

Bounded: a picture is made only when its download button is pressed (never
on a rerun), one at a time in the server process (a lock), in a temporary
folder removed at once; views of more than :data:`MAX_PICTURE_INCIDENTS`
incidents are refused with a pointer to ``mapapp export``. A4 at 300 dpi
takes a few seconds and a few MB of memory for the built-in dataset; see
``docs/performance.md`` for larger views.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np
import streamlit as st

import geodata

from ..state import Dataset

__all__ = ["MAX_PICTURE_INCIDENTS", "SIZE_LABELS", "picture_bytes", "show"]

#: The largest view drawn in the page (a PDF of 20,000 incidents takes about 15 s).
MAX_PICTURE_INCIDENTS = 20_000
#: The page sizes offered (``mapapp.still.SIZES``) and how the page names them.
SIZE_LABELS = {"a4": "A4 landscape", "slide": "16:9 slide"}

_ONE_AT_A_TIME = threading.Lock()


def picture_bytes(view, fmt: str, *, size: str, title: str, filters: geodata.Filters,
                  total: int, source_name: str) -> bytes:
    """The still map of a view as the bytes of a PNG or PDF file.

    Parameters
    ----------
    view : geopandas.GeoDataFrame
        The view's incidents.
    fmt : {'png', 'pdf'}
        The file's format.
    size : {'a4', 'slide'}
        The page.
    title : str
        The picture's title.
    filters : geodata.Filters
        The view's filters (described under the title).
    total : int
        The dataset's size ("N of M incidents").
    source_name : str
        The dataset's file name (in the attribution line).

    Returns
    -------
    bytes
    """
    from ..still import render_still  # (matplotlib only when a picture is asked for)

    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="incident-map-picture-") as tmp:
        out = Path(tmp) / f"view.{fmt}"
        render_still(view, out, title=title, size=size, filters=filters, total=total,
                     source_name=source_name)
        return out.read_bytes()


def show(mask, dataset: Dataset, filters: geodata.Filters) -> None:
    """Offer the view as a PNG picture and a PDF, made when a button is pressed."""
    st.markdown("**Picture of this view** (for a slide or a report; the same as "
                "`mapapp export ... -o view.png` or `view.pdf`)")
    size = st.radio("Page", list(SIZE_LABELS), format_func=SIZE_LABELS.get, horizontal=True,
                    key="picture_size", label_visibility="collapsed")
    n = int(np.count_nonzero(mask))
    stem = Path(dataset.label).stem + ("-filtered" if not filters.is_empty() else "")
    too_many = n > MAX_PICTURE_INCIDENTS
    if too_many:
        st.caption(f"The view has {n:,} incidents: the page draws pictures of at most "
                   f"{MAX_PICTURE_INCIDENTS:,}. Filter it down, or run `mapapp export` on the "
                   f"file with the same filters.")

    def make(fmt: str):
        return lambda: picture_bytes(dataset.gdf.loc[mask], fmt, size=size,
                                     title=f"Incidents: {dataset.label}", filters=filters,
                                     total=dataset.total, source_name=dataset.label)

    disabled = n == 0 or too_many
    png, pdf = st.columns(2)
    page = SIZE_LABELS[size]
    png.download_button(f"PNG, {page}, 300 dpi", data=make("png"), file_name=f"{stem}.png",
                        mime="image/png", on_click="ignore", width="stretch",
                        disabled=disabled)
    pdf.download_button(f"PDF, {page} (vector)", data=make("pdf"), file_name=f"{stem}.pdf",
                        mime="application/pdf", on_click="ignore", width="stretch",
                        disabled=disabled)
