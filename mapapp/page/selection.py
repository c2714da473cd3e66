"""The selected incident: one state for the map, the table and the linked list."""

from __future__ import annotations

import streamlit as st

from ..state import Dataset

__all__ = ["select", "selected"]


def select(incident_id: str, dataset: Dataset) -> None:
    """Select an incident and centre the map on it."""
    st.session_state["selected"] = incident_id
    i = dataset.position(incident_id)
    if i is not None:
        point = dataset.gdf.geometry.iloc[i]
        st.session_state["center"] = (float(point.y), float(point.x))


def selected() -> str | None:
    """The selected incident's id, if any."""
    return st.session_state.get("selected")
