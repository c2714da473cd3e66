"""The table panel: the view's incidents, sortable, a row selects an incident."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ..state import Dataset
from .selection import select
from .tabledata import table_data

__all__ = ["TABLE_ROWS", "show"]

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


def show(mask, dataset: Dataset) -> None:
    """Draw the view's incidents as a table; a newly chosen row selects its incident."""
    st.subheader("Incidents")
    order = st.radio("Order", list(_ORDERS), horizontal=True, key="table_order",
                     label_visibility="collapsed")
    data = table_data(dataset)
    positions = data.order(*_ORDERS[order])
    positions = positions[np.asarray(mask, dtype=bool)[positions]]
    if len(positions) > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {len(positions):,} incidents, {order}; "
                   "the CSV download below has them all.")
        positions = positions[:TABLE_ROWS]
    table = data.arrow.take(positions)  # (rows of an Arrow table made once)
    state = st.dataframe(
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
    shown = dataset.ids[positions]
    rows = getattr(getattr(state, "selection", None), "rows", None) or []
    if rows and st.session_state.get("table_row") != (rows[0], len(shown)):
        st.session_state["table_row"] = (rows[0], len(shown))
        if rows[0] < len(shown):
            select(str(shown[rows[0]]), dataset)
