"""The share panel: the view's link, and downloads of exactly the view."""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import streamlit as st

import geodata

from ..builder import build_map
from ..export import render_html
from ..exportguard import bytes_per_incident, fits, size_problem
from ..state import Dataset, query_from_filters, to_csv_bytes
from .text import md

__all__ = ["show"]


_ESTIMATING = threading.Lock()


def _downloads(mask, dataset: Dataset, filters: geodata.Filters) -> None:
    """Exactly the view, made when a button is pressed (not on every rerun)."""
    stem = Path(dataset.label).stem + ("-filtered" if not filters.is_empty() else "")
    title = f"Incidents: {dataset.label}"
    empty = not np.any(mask)

    def view():
        return dataset.gdf.loc[mask]

    c1, c2, c3 = st.columns(3)
    c1.download_button("GeoJSON", data=lambda: geodata.dumps_geojson(view()),
                       file_name=f"{stem}.geojson", mime="application/geo+json",
                       on_click="ignore", width="stretch", disabled=empty)
    c2.download_button("CSV", data=lambda: to_csv_bytes(view()), file_name=f"{stem}.csv",
                       mime="text/csv", on_click="ignore", width="stretch", disabled=empty)
    per = 0.0 if empty else _per_incident(dataset)
    # (the view's frame is made only when the map would be too big: to say what would fit)
    problem = None if empty or fits(int(np.count_nonzero(mask)), per) else size_problem(
        view(), cli=False, per_incident=per)
    c3.download_button(
        "HTML map (works offline)",
        data=lambda: render_html(build_map(view(), title=title, filters=filters,
                                           total=dataset.total, colors=dataset.colors)),
        file_name=f"{stem}.html", mime="text/html", on_click="ignore",
        width="stretch", disabled=empty or problem is not None,
    )
    if problem is not None:  # (the same rule as `mapapp export --max-mb`)
        st.warning("The HTML map is not offered: " + md(problem))


def prepare(dataset: Dataset) -> None:
    """Estimate the dataset's export size per incident, once (as a first visitor's run would)."""
    if dataset.total:
        _per_incident(dataset)


def _per_incident(dataset: Dataset) -> float:
    """The export's bytes per incident of the dataset, estimated once (a sample) and kept."""
    with _ESTIMATING:  # (two runs asking at once, a visitor's and the server's, estimate once)
        per = getattr(dataset, "_export_bytes_per_incident", None)
        if per is None:
            per = bytes_per_incident(dataset.gdf)
            dataset._export_bytes_per_incident = per  # (shared by every view and session)
    return per


def address(filters: geodata.Filters, selected: str | None,
            story: dict[str, str] | None = None) -> dict:
    """Put the view in the page's address (on every run); returns its query.

    ``story``: the played story's ``story`` and ``step`` (see
    :func:`mapapp.page.story.query`), kept in the address too.
    """
    query = {**query_from_filters(filters, selected), **(story or {})}
    st.query_params.from_dict(query)
    return query


def show(mask, dataset: Dataset, filters: geodata.Filters, selected: str | None,
         story: dict[str, str] | None = None) -> None:
    """Put the view in the page's address, show its query, and offer its downloads.

    ``story``: as for :func:`address`, shown too.
    """
    st.subheader("Share and export this view")
    query = address(filters, selected, story)
    st.caption("The page's address now holds this view"
               + (" and the story's step" if story else "") + ": copy it to share. Its query:")
    st.code("?" + urlencode(query, doseq=True) if query else "(none: the whole dataset)",
            language=None)
    _downloads(mask, dataset, filters)
