"""The picture panel: the view as a still map, PNG (300 dpi) or PDF, for a slide or a report.

The picture is :func:`mapapp.still.render_still`'s, the same as
``mapapp export DATA -o view.png|view.pdf`` with the view's filters: the
offline basemap with place names, the incidents styled as on the live map,
title, the view's dates and filters, legend, scale bar and sources. No
network is used. While a story is played, its step as a PNG and the whole
story as a PDF of one page per step are offered too (as ``mapapp export DATA
--story S.md -o s.pdf``), drawn on the view's incidents and the story's.

Bounded: a picture is made only when its download button is pressed (never
on a rerun), one at a time in the server process (a lock), in a temporary
folder removed at once; views of more than :data:`MAX_PICTURE_INCIDENTS`
incidents (or stories of more than :data:`MAX_STORY_PAGES` steps) are
refused with a pointer to ``mapapp export``. A4 at 300 dpi
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
from geodata.story import Story

from ..state import Dataset
from .story import Played
from .text import md

__all__ = ["MAX_PICTURE_INCIDENTS", "MAX_STORY_PAGES", "SIZE_LABELS", "picture_bytes", "show"]

#: The largest view drawn in the page (a PDF of 20,000 incidents takes about 15 s).
MAX_PICTURE_INCIDENTS = 20_000
#: The most steps a story's PDF made in the page has (each page takes about a second).
MAX_STORY_PAGES = 40
#: The page sizes offered (``mapapp.still.SIZES``) and how the page names them.
SIZE_LABELS = {"a4": "A4 landscape", "slide": "16:9 slide"}

_ONE_AT_A_TIME = threading.Lock()


def picture_bytes(view, fmt: str, *, size: str, title: str, filters: geodata.Filters,
                  total: int, source_name: str, story: Story | None = None,
                  step: int | None = None) -> bytes:
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
    story : geodata.story.Story, optional
        A story whose incidents are all in ``view``: with ``step``, that step's
        picture; without, a PDF of one page per step (as ``mapapp export
        DATA --story S.md -o s.pdf``).
    step : int, optional
        The story's step (1-based).

    Returns
    -------
    bytes
    """
    from ..still import render_still  # (matplotlib only when a picture is asked for)

    with _ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="incident-map-picture-") as tmp:
        out = Path(tmp) / f"view.{fmt}"
        render_still(view, out, title=title, size=size, filters=filters, total=total,
                     source_name=source_name, story=story, step=step)
        return out.read_bytes()


def _refusal(n: int) -> str | None:
    if n <= MAX_PICTURE_INCIDENTS:
        return None
    return (f"The view has {n:,} incidents: the page draws pictures of at most "
            f"{MAX_PICTURE_INCIDENTS:,}. Filter it down, or run `mapapp export` on the "
            f"file with the same filters.")


def show(mask, dataset: Dataset, filters: geodata.Filters, played: Played | None = None) -> None:
    """Offer the view as a PNG picture and a PDF, made when a button is pressed.

    With ``played`` (the story the page plays), its step as a PNG and the whole
    story as a PDF of one page per step are offered too.
    """
    st.markdown("**Picture of this view** (for a slide or a report; the same as "
                "`mapapp export ... -o view.png` or `view.pdf`)")
    size = st.radio("Page", list(SIZE_LABELS), format_func=SIZE_LABELS.get, horizontal=True,
                    key="picture_size", label_visibility="collapsed")
    n = int(np.count_nonzero(mask))
    stem = Path(dataset.label).stem + ("-filtered" if not filters.is_empty() else "")
    refusal = _refusal(n)
    if refusal:
        st.caption(refusal)

    def make(fmt: str):
        return lambda: picture_bytes(dataset.gdf.loc[mask], fmt, size=size,
                                     title=f"Incidents: {dataset.label}", filters=filters,
                                     total=dataset.total, source_name=dataset.label)

    disabled = n == 0 or refusal is not None
    png, pdf = st.columns(2)
    page = SIZE_LABELS[size]
    png.download_button(f"PNG, {page}, 300 dpi", data=make("png"), file_name=f"{stem}.png",
                        mime="image/png", on_click="ignore", width="stretch",
                        disabled=disabled)
    pdf.download_button(f"PDF, {page} (vector)", data=make("pdf"), file_name=f"{stem}.pdf",
                        mime="application/pdf", on_click="ignore", width="stretch",
                        disabled=disabled)
    if played is not None:
        _story_pictures(mask, dataset, filters, played, size)


def _story_pictures(mask, dataset: Dataset, filters: geodata.Filters, played: Played,
                    size: str) -> None:
    """The played story's step as a PNG, and the whole story as a PDF (a page per step)."""
    story = played.story
    # the view's incidents and every step's (a filter never hides a step, as on the map)
    shown = np.array(mask, dtype=bool)
    for position in map(dataset.position, story.incident_ids):  # (no pass over every id)
        if position is not None:
            shown[position] = True
    n = int(np.count_nonzero(shown))
    st.markdown(f"**Pictures of the story** {md(story.title or played.name)} (the same as "
                "`mapapp export ... --story` with `--step`, or `-o story.pdf`)")
    refusal = _refusal(n)
    if refusal is None and played.count > MAX_STORY_PAGES:
        refusal = (f"The story has {played.count} steps: the page makes PDFs of at most "
                   f"{MAX_STORY_PAGES}. Run `mapapp export DATA --story` for it.")
    if refusal:
        st.caption(refusal)

    def make(fmt: str, step: int | None):
        return lambda: picture_bytes(dataset.gdf.loc[shown], fmt, size=size,
                                     title=story.title or played.name, filters=filters,
                                     total=dataset.total, source_name=dataset.label,
                                     story=story, step=step)

    page = SIZE_LABELS[size]
    one, whole = st.columns(2)
    one.download_button(f"This step (PNG, {page}, 300 dpi)", data=make("png", played.step),
                        file_name=f"{played.name}-step-{played.step:02d}.png",
                        mime="image/png", on_click="ignore", width="stretch",
                        disabled=_refusal(n) is not None, key="story-picture-step")
    whole.download_button(f"The whole story (PDF, {page}, one page per step)",
                          data=make("pdf", None), file_name=f"{played.name}.pdf",
                          mime="application/pdf", on_click="ignore", width="stretch",
                          disabled=refusal is not None, key="story-picture-pdf")
