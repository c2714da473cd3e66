"""The detail panel: the selected incident's card, sources and linked incidents."""

from __future__ import annotations

import streamlit as st

import geodata

from ..card import card_rows
from ..state import Dataset
from .selection import select
from .text import md, md_link

__all__ = ["show"]


def _sources(p: dict) -> None:
    sources = [s for s in p.get("sources") or [] if isinstance(s, dict)]
    if not sources:
        return
    st.markdown("**Sources**")
    st.markdown("\n".join(
        f"{i}. {md_link(s.get('title'), s.get('url'))}"
        + (f" — {md(', '.join(str(x) for x in (s.get('publisher'), s.get('date')) if x))}"
           if s.get("publisher") or s.get("date") else "")
        for i, s in enumerate(sources, 1)
    ))


def _linked(incident_id: str, props: dict, dataset: Dataset) -> None:
    """Buttons that step along the escalation chain, both ways."""
    links = [(r.get("id"), r.get("relation") or "related", "→")
             for r in props.get("related") or [] if isinstance(r, dict) and r.get("id")]
    links += [(other, relation, "←") for other, relation in dataset.incoming.get(incident_id, [])]
    if not links:
        return
    st.markdown("**Linked incidents**")
    titles = dataset.titles
    for i, (other, relation, arrow) in enumerate(links):
        label = f"{arrow} {relation.replace('_', ' ')}: {titles.get(other, other)}"
        st.button(label, key=f"link-{i}-{other}", on_click=select, args=(other, dataset),
                  disabled=other not in titles, width="stretch")


def show(incident_id: str | None, mask, dataset: Dataset) -> None:
    """Draw the selected incident's card (or how to select one)."""
    st.subheader("Incident")
    if not incident_id:
        st.caption("Click an incident on the map, or a row of the table, to read it here.")
        return
    i = dataset.position(incident_id)
    if i is None:
        st.caption("That incident is not in this dataset.")
        return
    p = geodata.to_features(dataset.gdf.iloc[i:i + 1])[0]["properties"]
    st.markdown(f"**{md(p.get('title'))}**")
    if not mask[i]:
        st.caption("Not in the current view (filtered out).")
    st.markdown("  \n".join(f"**{md(label)}:** {md(text)}" for label, text in card_rows(p)))
    if p.get("notes"):
        st.markdown(md(p["notes"]))
    _sources(p)
    _linked(incident_id, p, dataset)
