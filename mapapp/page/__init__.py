"""The Streamlit page: filter incidents by date and actor, explore, share, export.

``mapapp/app.py`` is the script Streamlit runs; it reads the command line and
calls :func:`main`. One module per panel: :mod:`.load` (the dataset),
:mod:`.sidebar` (filters), :mod:`.mapview`, :mod:`.detail`, :mod:`.timeline`,
:mod:`.table`, :mod:`.share`, :mod:`.picture` (the view as PNG or PDF),
:mod:`.header`, :mod:`.story` (a story played step by step). Every widget's state is mirrored
in the URL query, so that a link reproduces the view.
"""

from __future__ import annotations

import os

import streamlit as st

from ..datafiles import MAPS_COMING
from . import detail, header, mapview, picture, share, sidebar, story, table, timeline
from .load import DEFAULT_DATASET, load, static_assets
from .selection import selected
from .text import md, md_link

__all__ = ["DEFAULT_DATASET", "main", "md", "md_link", "prepare"]


#: The page's head kept compact, so that a laptop's screen is mostly map; a figure
#: too long for its column wraps (at a no-break space's neighbours) instead of
#: being cut short with "…".
_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding: 2.75rem 2.5rem 3rem 2.5rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.75rem; padding: 0.25rem 0 0 0; }
[data-testid="stMetricValue"] { font-size: 1.3rem; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricLabel"] p { font-size: 0.8rem; }
</style>"""


def prepare(dataset) -> None:
    """Work a first visitor's run does once per dataset, done ahead (:mod:`mapapp.warmup`).

    The table's first order and the export's size estimate are kept on the
    dataset; the map's templates are compiled once per server.

    Parameters
    ----------
    dataset : mapapp.state.Dataset
        The dataset, as :func:`.load.prepare_path` opened it.
    """
    table.prepare(dataset)
    share.prepare(dataset)
    mapview.prepare(dataset)


def main(path: str | os.PathLike = DEFAULT_DATASET) -> None:
    """Render the page on the dataset at ``path`` (or the visitor's upload).

    Parameters
    ----------
    path : str or path-like
        The dataset shown when the visitor has uploaded none.
    """
    st.set_page_config(page_title="Incident map", page_icon="🗺️", layout="wide")
    static_assets()
    # a refused upload's message goes in this slot, so that nothing after it moves:
    # the map keeps its frame (and its zoom and layers), the view stays as it was
    first = _first_run()
    sent = MAPS_COMING.add() if first else (lambda: None)  # (its map first: datafiles)
    try:
        with st.container():
            dataset, key = load(path, upload=not first)
        if dataset is None or not dataset.total:
            st.session_state[_RAN] = True  # (no map to wait for: the next run is a whole one)
            if dataset is not None:
                header.no_incidents(dataset)
            st.stop()
        notes = sidebar.init_state(dataset, key)
        notes = notes + story.pick(path, dataset, key)
        played = story.current(path, dataset, key)
        filters = sidebar.filters(dataset)
        mask = dataset.mask(filters)  # (the view's frame is made only when needed)
        table.pick(mask, dataset)  # (a row chosen in the table moves the map on this run)
        st.html(_STYLE)

        # The map goes to the browser first (it has the most to redraw); the
        # title, figures and filter widgets follow, in their places.
        top = st.container()
        left, right = st.columns([2, 1], gap="medium")
        with left:
            mapview.show(dataset, key, filters, mask, played)
        sent()  # (the rest of the run no longer holds the draw files back)
        if first:
            sidebar.later()
        else:
            sidebar.widgets(dataset)
        with top:
            header.show(mask, dataset, filters, notes)
        with right:  # (beside the map, as tall as it: a long card scrolls in its place)
            placeholder = st.container(height=mapview.MAP_HEIGHT, border=False, key="detail")
        with st.container():  # (one place, so that nothing before it moves when it fills)
            if first:
                share.address(filters, selected(), story.query(played))
                st.caption("The timeline, the table and the downloads of these incidents follow "
                           "once the map is drawn.")
            else:
                timeline.show(mask, dataset, played.dates(dataset)
                              if isinstance(played, story.Played) else None)
                table.show(mask, dataset)
                share.show(mask, dataset, filters, selected(), story.query(played))
                picture.show(mask, dataset, filters,
                             played if isinstance(played, story.Played) else None)
        with placeholder:
            story.panel(played, dataset)
            detail.show(selected(), mask, dataset)
        story.sync_query(played)
        st.session_state[_RAN] = True
    finally:
        sent()


#: Session state key: the session's page has run once.
_RAN = "_incident_map_ran"


def _first_run() -> bool:
    """Whether this is the session's first run of the page.

    The first run leaves the filter widgets, the upload, the timeline, the
    table and the share and picture panels for the next, which the map asks
    for once it has drawn (:class:`mapapp.contract.MapClick` ``drawn``), so
    that the browser makes the map first: it loads each kind of widget's
    code when it first shows one (the date field, the lists, the upload: 0.3-0.5 s
    at a first visit), and a chart library, a data grid and a code
    highlighter, on the thread that makes the map. The filters' values are
    already set (from the link, else the whole dataset), so the map drawn
    first is the one the widgets then show. The download buttons come with
    that run, never before it: a download pressed while a run replaces its
    button would be lost. A page with nothing to map (an unreadable file, no
    valid incident) has no map to wait for and offers the upload at once.
    """
    return not st.session_state.get(_RAN)
