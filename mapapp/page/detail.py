"""The detail panel: the selected incident's card, sources and linked incidents."""

from __future__ import annotations

import streamlit as st

import geodata

from ..card import card_rows
from ..state import Dataset
from .selection import select
from .text import md, md_link

__all__ = ["links", "show"]


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


def links(incident_id: str, props: dict, dataset: Dataset) -> list[tuple[str, str, str]]:
    """The incidents linked to one, each once: ``(other id, relation, arrow)``.

    A link the incident records is ``→``, one another incident records to
    it ``←``; a link recorded on both with the same relation (``same_attack``
    on both sites of one attack) is listed once, as ``↔``.

    Parameters
    ----------
    incident_id : str
        The incident's id.
    props : dict
        Its properties (``related`` is read).
    dataset : mapapp.state.Dataset
        The dataset (for the links other incidents record to it).

    Returns
    -------
    list of (str, str, str)
        In the order the incident lists them, then the incoming ones.
    """
    found: dict[str, list] = {}
    for r in props.get("related") or []:
        if isinstance(r, dict) and r.get("id") and str(r["id"]) not in found:
            found[str(r["id"])] = [str(r.get("relation") or "related"), "→"]
    for other, relation in dataset.incoming.get(incident_id, []):
        if other == incident_id:
            continue
        if other not in found:
            found[other] = [relation, "←"]
        elif found[other][1] == "→" and found[other][0] == relation:
            found[other][1] = "↔"
    return [(other, relation, arrow) for other, (relation, arrow) in found.items()]


def _linked(incident_id: str, props: dict, dataset: Dataset) -> None:
    """Buttons that step along the escalation chain, both ways (labels escaped)."""
    found = links(incident_id, props, dataset)
    if not found:
        return
    st.markdown("**Linked incidents**")
    titles = dataset.titles
    for other, relation, arrow in found:
        label = md(f"{arrow} {relation.replace('_', ' ')}: {titles.get(other, other)}")
        st.button(label, key=f"link-{other}", on_click=select, args=(other, dataset),
                  disabled=other not in titles, width="stretch")


def show(incident_id: str | None, mask, dataset: Dataset) -> None:
    """Draw the selected incident's card (or how to select one).

    Parameters
    ----------
    incident_id : str or None
        The selected incident.
    mask : numpy.ndarray of bool
        The view (an incident outside it is shown, marked as filtered out).
    dataset : mapapp.state.Dataset
        The dataset.
    """
    st.markdown("##### Incident")
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
    # the chain first, so that its buttons sit beside the map, then the card
    _linked(incident_id, p, dataset)
    st.markdown("  \n".join(f"**{md(label)}:** {md(text)}" for label, text in card_rows(p)))
    if p.get("notes"):
        st.markdown(md(p["notes"]))
    _sources(p)
