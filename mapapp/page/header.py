"""The page's head: title, notes on the link, the file's problems, the view's figures."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import geodata

from ..state import Dataset
from .text import md

__all__ = ["MAX_NOTES", "no_incidents", "problem_rows", "show"]

#: Notes on unusable link parameters shown at most (the rest are counted).
MAX_NOTES = 10


def _fmt_day(value) -> str:
    if value is None or pd.isna(value):
        return "-"
    return f"{pd.Timestamp(value):%Y-%m-%d}"


def _metrics(mask, dataset: Dataset, a, b, c) -> None:
    ov = dataset.overview(mask)
    a.metric("Incidents shown", f"{ov['incidents']:,} of {dataset.total:,}")
    fatalities = geodata.format_count(ov["fatalities"], ov["fatalities_low"],
                                      ov["fatalities_high"])
    # (a long figure wraps before its range, not inside it)
    b.metric("Fatalities",
             fatalities.replace("(range ", "(range\u00a0").replace("–", "\u2060–\u2060"))
    c.metric("Date span", f"{_fmt_day(ov['start'])} to\u00a0{_fmt_day(ov['end'])}")


#: "field: what is wrong", as an import writes a rejected row's reasons.
_FIELD_REASON = re.compile(r"([A-Za-z_][\w.\[\]]*): (.+)", re.DOTALL)
#: Reasons an import writes without a leading field: the field they are about.
_FIELD_IN_REASON = (re.compile(r"\S+ given but (\S+) missing"),
                    re.compile(r"(\S+) missing and no place to geocode"))


def _field_and_reason(part: str) -> tuple[str | None, str]:
    found = _FIELD_REASON.fullmatch(part)
    if found:
        return found[1], found[2]
    for pattern in _FIELD_IN_REASON:
        found = pattern.fullmatch(part)
        if found:
            return found[1], part
    return None, part


def problem_rows(problems) -> list[dict]:
    """One row per problem, its field named even where an import left it in the message.

    A CSV import rejects a row with reasons such as ``"latitude: 95.0 out of
    range; date: not a date"``: each becomes a row with its field.

    Parameters
    ----------
    problems : list of geodata.errors.Problem

    Returns
    -------
    list of dict
        ``index``, ``id``, ``field``, ``message``, ``line`` per problem.
    """
    rows = []
    for problem in problems:
        row = problem.as_dict()
        if row.get("field") is None and isinstance(row.get("message"), str):
            for part in row["message"].split("; "):
                field, reason = _field_and_reason(part)
                rows.append({**row, "field": field, "message": reason})
            continue
        rows.append(row)
    return rows


def _problem_frame(problems) -> pd.DataFrame:
    """The problems as a table a person reads: no column that is empty throughout, no None."""
    frame = pd.DataFrame(problem_rows(problems))
    frame = frame[[c for c in frame.columns if c in ("id", "message") or frame[c].notna().any()]]
    for column in ("index", "line"):
        if column in frame.columns and frame[column].notna().all():
            frame[column] = frame[column].astype("int64")
    return frame.astype(object).where(frame.notna(), "")


def _report(dataset: Dataset) -> None:
    report = dataset.report
    if report.ok:
        return
    with st.expander(f"⚠ {md(report.summary())}", expanded=True):
        st.caption("These incidents were left out; the rest are on the map.")
        st.dataframe(_problem_frame(report.problems), hide_index=True, width="stretch")


def no_incidents(dataset: Dataset) -> None:
    """The page of a dataset with no usable incident: why, and every problem.

    Parameters
    ----------
    dataset : mapapp.state.Dataset
        A dataset whose frame is empty (an empty file, a header-only CSV, or
        every incident invalid).
    """
    st.title("Incident map")
    report = dataset.report
    why = ("it holds no incident" if not report.n_features
           else "its one incident has problems" if report.n_features == 1
           else f"all {report.n_features:,} of its incidents have problems")
    st.error(f"{md(dataset.label)} has nothing to map: {md(why)}. Fix the file, or "
             "upload another in the sidebar.")
    if report.problems:
        _report(dataset)


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
    # one row: the title and the file's name beside the view's figures
    title, a, b, c = st.columns([3, 2, 3, 3], vertical_alignment="bottom")
    with title:
        st.title("Incident map")
        st.caption(f"{md(dataset.label)}: who did what, where and when, and who says so.")
    _metrics(mask, dataset, a, b, c)
    _notes(notes)
    _report(dataset)
    if not mask.any():
        st.warning(f"Nothing to show: {md(geodata.empty_reason(dataset.gdf, filters))}.")
