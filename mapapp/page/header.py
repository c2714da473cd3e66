"""The page's head: title, notes on the link, the file's problems, the view's figures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import geodata

from ..state import Dataset
from .text import md

__all__ = ["MAX_NOTES", "show"]

#: Notes on unusable link parameters shown at most (the rest are counted).
MAX_NOTES = 10


def _fmt_day(value) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _metrics(mask, dataset: Dataset) -> None:
    ov = dataset.overview(mask)
    a, b, c = st.columns([1, 1, 2])
    a.metric("Incidents shown", f"{ov['incidents']:,} of {dataset.total:,}")
    b.metric("Fatalities", geodata.format_count(ov["fatalities"], ov["fatalities_low"],
                                                ov["fatalities_high"]))
    c.metric("Date span", f"{_fmt_day(ov['start'])} to {_fmt_day(ov['end'])}")


def _report(dataset: Dataset) -> None:
    report = dataset.report
    if report.ok:
        return
    with st.expander(f"⚠ {md(report.summary())}", expanded=True):
        st.caption("These incidents were left out; the rest are on the map.")
        st.dataframe(pd.DataFrame([p.as_dict() for p in report.problems]),
                     hide_index=True, width="stretch")


def _notes(notes: list[str]) -> None:
    """The link's unusable parameters, as text (a crafted link renders no link or image)."""
    if not notes:
        return
    lines = [f"Link parameter {md(note)}." for note in notes[:MAX_NOTES]]
    if len(notes) > MAX_NOTES:
        lines.append(f"… and {len(notes) - MAX_NOTES:,} more.")
    st.info("  \n".join(lines))


def show(mask, dataset: Dataset, filters: geodata.Filters, notes: list[str]) -> None:
    """Draw the head of the page for the view."""
    st.title("Incident map")
    st.caption(f"{md(dataset.label)}: who did what, where and when, and who says so.")
    _notes(notes)
    _report(dataset)
    _metrics(mask, dataset)
    if not mask.any():
        st.warning(f"Nothing to show: {md(geodata.empty_reason(dataset.gdf, filters))}.")
