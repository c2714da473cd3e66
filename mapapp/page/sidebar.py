"""The sidebar: the filter widgets, their state, and the link that sets them."""

from __future__ import annotations

import streamlit as st

import geodata
from geodata.schema import ROLES

from ..state import Dataset, filters_from_query, filters_from_values, query_from_filters
from .selection import select

__all__ = ["filters", "init_state", "later", "reset", "widgets"]

#: Typing in a list picks what was typed: options are matched as substrings
#: (not fuzzily, where "Iran" also matched "Israel Defense Forces"), and Enter
#: takes the first match, never "Select N matches".
_PICK = {"filter_mode": "contains", "select_all": False}
_ROLE_LABELS = {"any": "either", "perpetrator": "perpetrator", "target": "target"}
#: The basemap choices (mapapp.builder.BASEMAPS), as the radio names them.
_BASEMAP_LABELS = {"tiles": "street map", "outlines": "outlines only (offline)",
                   "satellite": "satellite"}


def _set_widgets(values: dict) -> None:
    st.session_state["f_dates"] = (values["start"], values["end"])
    st.session_state["f_actors"] = values["actors"]
    st.session_state["f_role"] = values["role"]
    st.session_state["f_types"] = values["event_types"]
    st.session_state["f_countries"] = values["countries"]
    st.session_state["f_statuses"] = values["statuses"]
    st.session_state["selected"] = values.get("id")


def reset(dataset: Dataset) -> None:
    """Every filter back to the whole dataset, and no incident selected."""
    _set_widgets({"start": dataset.start, "end": dataset.end, "actors": [], "role": "any",
                  "event_types": [], "countries": [], "statuses": [], "id": None})
    st.session_state["center"] = None


def init_state(dataset: Dataset, key: str) -> list[str]:
    """On the first run with a dataset, set the widgets from the URL query.

    Returns the notes on query parameters that could not be used (kept for
    the later runs with the same dataset).
    """
    if st.session_state.get("dataset_key") == key:
        return st.session_state.get("query_notes", [])
    # A session that already showed a dataset carries its own view over (the
    # filters it held when its last run started): the address may be a click
    # behind when an upload interrupts the run that would have updated it.
    carried = st.session_state.get("view_query") if "dataset_key" in st.session_state else None
    values, notes = filters_from_query(st.query_params if carried is None else carried, dataset)
    _set_widgets(values)
    st.session_state["dataset_key"] = key
    st.session_state["query_notes"] = notes
    st.session_state["clicks"] = None
    st.session_state["center"] = None
    st.session_state["table_row"] = None
    if values.get("id"):  # a link's ?id= selects its incident as a click would
        select(values["id"], dataset)
    return notes


def filters(dataset: Dataset) -> geodata.Filters:
    """The filters the sidebar's widgets hold (their state is set before the script runs)."""
    dates = st.session_state.get("f_dates") or (dataset.start, dataset.end)
    start = dates[0] if len(dates) > 0 else dataset.start
    end = dates[1] if len(dates) > 1 else start  # mid-selection: one day picked so far
    values = {"start": start, "end": end, "actors": st.session_state["f_actors"],
              "role": st.session_state["f_role"], "event_types": st.session_state["f_types"],
              "countries": st.session_state["f_countries"],
              "statuses": st.session_state["f_statuses"]}
    view = filters_from_values(values, dataset)
    st.session_state["view_query"] = query_from_filters(view)
    return view


def later() -> None:
    """Say where the filters will be, on the run that leaves them for the next (the map first)."""
    st.sidebar.header("Filters")
    st.sidebar.caption("The filters follow once the map is drawn.")


def widgets(dataset: Dataset) -> None:
    """Draw the filter widgets (their values are already in the session state)."""
    sb = st.sidebar
    sb.header("Filters")
    if dataset.start is not None:
        sb.date_input("Dates", min_value=dataset.start, max_value=dataset.end, key="f_dates",
                      help="Inclusive; an incident that spans days counts if it overlaps.")
    sb.multiselect("Actors", dataset.actors, key="f_actors", placeholder="All actors", **_PICK)
    sb.radio("Actor's role", ROLES, key="f_role", horizontal=True,
             format_func=_ROLE_LABELS.__getitem__)
    sb.multiselect("Event types", dataset.event_types, key="f_types", placeholder="All types",
                   **_PICK)
    sb.multiselect("Countries", dataset.countries, key="f_countries", placeholder="All", **_PICK)
    sb.multiselect("Attribution", dataset.statuses, key="f_statuses", placeholder="Any status",
                   help="confirmed, claimed, alleged, disputed or unknown", **_PICK)
    sb.button("Reset filters", on_click=reset, args=(dataset,), width="stretch")
    sb.radio("Basemap", tuple(_BASEMAP_LABELS), key="basemap",
             format_func=_BASEMAP_LABELS.__getitem__,
             help="Outlines only: no map tiles are fetched, so no tile server learns "
                  "which area you look at.")
