"""The detail panel: the selected incident's card, sources and linked incidents."""

from __future__ import annotations

import streamlit as st

import geodata

from ..state import Dataset
from .selection import select
from .text import md, md_link

__all__ = ["show"]


def _date_text(p: dict) -> str:
    date = md(p.get("date"))
    if p.get("end_date") and p["end_date"] != p.get("date"):
        date += f" to {md(p['end_date'])}"
    if p.get("date_precision") and p["date_precision"] != "day":
        date += f" (precision: {md(p['date_precision'])})"
    return date


def _attribution_lines(att: dict) -> list[tuple[str, str]]:
    lines = [("Attribution", md(att.get("status", "unknown")))]
    if att.get("claimed_by"):
        lines.append(("Claimed by", md("; ".join(map(str, att["claimed_by"])))))
    if att.get("blamed_by"):
        lines.append(("Blamed by", md("; ".join(map(str, att["blamed_by"])))))
    if att.get("note"):
        lines.append(("On attribution", md(att["note"])))
    return lines


def _fatalities_text(p: dict) -> str | None:
    fat = p.get("fatalities")
    low, high = p.get("fatalities_low"), p.get("fatalities_high")
    if fat is None and low is None:
        return None
    text = "-" if fat is None else str(fat)
    if low is not None and high is not None and (low, high) != (fat, fat):
        text += f" (range {low}–{high})"
    return md(text)


def _place_text(p: dict) -> str:
    place = ", ".join(str(x) for x in (p.get("place"), p.get("admin1"), p.get("country")) if x)
    if p.get("geo_precision"):
        place += f" (precision: {p['geo_precision']}"
        if p.get("geo_precision_km") is not None:
            place += f", ±{p['geo_precision_km']} km"
        place += ")"
    return md(place)


def _card_lines(incident_id: str, p: dict) -> list[tuple[str, str]]:
    """The card's rows, label and Markdown-escaped value."""
    lines = [
        ("Date", _date_text(p)),
        ("Event", md(" / ".join(x for x in (p.get("event_type"), p.get("sub_event_type")) if x))),
        ("Actor", md(p.get("actor"))),
        ("Target", md(p.get("target"))),
    ]
    lines += _attribution_lines(p.get("attribution") or {})
    fatalities = _fatalities_text(p)
    if fatalities is not None:
        lines.append(("Fatalities", fatalities))
    if p.get("injuries") is not None:
        lines.append(("Injuries", md(p["injuries"])))
    lines.append(("Place", _place_text(p)))
    lines.append(("ID", md(incident_id)))
    return lines


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
    st.markdown("  \n".join(f"**{k}:** {v}" for k, v in _card_lines(incident_id, p) if v))
    if p.get("notes"):
        st.markdown(md(p["notes"]))
    _sources(p)
    _linked(incident_id, p, dataset)
