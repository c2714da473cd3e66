"""The table panel: the view's incidents, sortable, a row selects an incident."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from ..state import Dataset
from .selection import select
from .tabledata import table_data

__all__ = ["TABLE_ROWS", "pick", "show"]

#: Rows the table sends to the browser at most (the CSV download has every one).
TABLE_ROWS = 10_000
#: The table's columns, left to right: what a person sorts and scans by
#: (date, what, who, how many died) comes before the id.
_COLUMNS = ("date", "title", "actor", "fatalities", "target", "event_type",
            "attribution_status", "place", "country", "sources", "source", "id")
_ORDERS = {
    "newest first": (("date", "id"), (False, True)),
    "oldest first": (("date", "id"), (True, True)),
    "most fatalities": (("fatalities", "date"), (False, False)),
}


def _positions(mask, dataset: Dataset, order: str) -> np.ndarray:
    """The incidents in the table, row by row: the view, in ``order``, capped."""
    positions = table_data(dataset).order(*_ORDERS[order])
    return positions[np.asarray(mask, dtype=bool)[positions]]


def prepare(dataset: Dataset) -> None:
    """Sort the dataset in the table's first order, once (as a first visitor's run would)."""
    table_data(dataset).order(*_ORDERS[next(iter(_ORDERS))])


def pick(mask, dataset: Dataset) -> None:
    """Select the incident of a row just chosen in the table (before the map is drawn).

    The table's state is known when the run starts, so the map, the detail
    panel and the link follow the row on the same run.
    """
    order = st.session_state.get("table_order") or next(iter(_ORDERS))
    state = st.session_state.get("table") or {}
    rows = (state.get("selection") or {}).get("rows") or []
    positions = _positions(mask, dataset, order)[:TABLE_ROWS]
    picked = _picked(rows[0] if rows else None, positions)
    if picked is not None:
        select(str(dataset.ids[picked]), dataset)


def show(mask, dataset: Dataset) -> None:
    """Draw the view's incidents as a table (:func:`pick` handles a chosen row)."""
    st.subheader("Incidents")
    order = st.radio("Order", list(_ORDERS), horizontal=True, key="table_order",
                     label_visibility="collapsed")
    positions = _positions(mask, dataset, order)
    if len(positions) > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {len(positions):,} incidents, {order}; "
                   "the CSV download below has them all.")
        positions = positions[:TABLE_ROWS]
    table = table_data(dataset).rows(positions)  # (only the rows sent are made)
    st.dataframe(
        table, hide_index=True, width="stretch", height=320,
        on_select="rerun", selection_mode="single-row", key="table",
        column_order=[c for c in _COLUMNS if c in table.column_names],
        column_config={
            "date": st.column_config.DateColumn("date", format="YYYY-MM-DD", width="small"),
            "title": st.column_config.TextColumn("title", width="large"),
            "fatalities": st.column_config.NumberColumn("fatalities", width="small"),
            "attribution_status": "attribution",
            "source": st.column_config.LinkColumn("first source", display_text="open"),
        },
    )


def _picked(row: int | None, positions: np.ndarray) -> int | None:
    """The incident a person just chose in the table, if they chose one on this run.

    The table keeps its selected row number when its rows change (a filter,
    another order): that is no new choice, and must not select whichever
    incident now sits at that row. A choice is a row that changed while the
    rows stayed the same.
    """
    rows_now = hashlib.blake2b(np.ascontiguousarray(positions).tobytes(),
                               digest_size=16).digest()
    before = st.session_state.get("table_row")
    st.session_state["table_row"] = (row, rows_now)
    new = row is not None and before is not None and before[1] == rows_now and before[0] != row
    return int(positions[row]) if new and row < len(positions) else None
