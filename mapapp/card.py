"""The incident card: the rows the page's detail panel and the map's popup show.

One definition for both. :data:`CARD_ROWS` fixes the rows, their order and
their labels; :func:`card_rows` gives each row's text for an incident. The
map script follows the same list (it is sent to it through
:mod:`mapapp.contract`) and formats values by the same rules, which a browser
test compares incident by incident.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from geodata import format_count

__all__ = ["CARD_ROWS", "card_rows"]

#: (key, label) of each row, in order. A row without a value is left out.
CARD_ROWS: tuple[tuple[str, str], ...] = (
    ("date", "Date"),
    ("event", "Event"),
    ("actor", "Actor"),
    ("target", "Target"),
    ("attribution", "Attribution"),
    ("claimed_by", "Claimed by"),
    ("blamed_by", "Blamed by"),
    ("attribution_note", "On attribution"),
    ("fatalities", "Fatalities"),
    ("injuries", "Injuries"),
    ("place", "Place"),
    ("id", "ID"),
)


def _known(v) -> bool:
    return v is not None and v != "" and not (isinstance(v, float) and math.isnan(v))


def _number(v) -> str:
    """A number as the script writes it: ``2`` for 2.0, ``2.5`` for 2.5."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _names(v) -> str | None:
    items = [str(x) for x in v if _known(x)] if isinstance(v, list) else []
    return "; ".join(items) or None


def _date(p: Mapping) -> str | None:
    if not _known(p.get("date")):
        return None
    text = str(p["date"])
    if _known(p.get("end_date")) and p["end_date"] != p["date"]:
        text += f" to {p['end_date']}"
    if _known(p.get("date_precision")) and p["date_precision"] != "day":
        text += f" (precision: {p['date_precision']})"
    return text


def _place(p: Mapping) -> str | None:
    parts: list[str] = []
    for part in (p.get("place"), p.get("admin1"), p.get("country")):
        if _known(part) and str(part).casefold() not in (x.casefold() for x in parts):
            parts.append(str(part))  # ("Baghdad, Baghdad, IRQ" reads "Baghdad, IRQ")
    text = ", ".join(parts)
    if _known(p.get("geo_precision")):
        text += f" (precision: {p['geo_precision']}"
        km = p.get("geo_precision_km")
        if isinstance(km, int | float) and not isinstance(km, bool) and _known(km):
            text += f", \u00b1{_number(km)} km"
        text += ")"
    return text or None


def _fatalities(p: Mapping) -> str | None:
    values = (p.get("fatalities"), p.get("fatalities_low"), p.get("fatalities_high"))
    text = format_count(*values)
    return None if text == "-" else text


def _value(key: str, p: Mapping) -> str | None:
    att = p.get("attribution") if isinstance(p.get("attribution"), Mapping) else {}
    if key == "date":
        return _date(p)
    if key == "event":
        return " / ".join(str(x) for x in (p.get("event_type"), p.get("sub_event_type"))
                          if _known(x)) or None
    if key == "attribution":
        return str(att.get("status") or "unknown")
    if key in ("claimed_by", "blamed_by"):
        return _names(att.get(key))
    if key == "attribution_note":
        return str(att["note"]) if _known(att.get("note")) else None
    if key == "fatalities":
        return _fatalities(p)
    if key == "injuries":
        return format_count(p["injuries"]) if _known(p.get("injuries")) else None
    if key == "place":
        return _place(p)
    return str(p[key]) if _known(p.get(key)) else None  # actor, target, id


def card_rows(props: Mapping) -> list[tuple[str, str]]:
    """The card of an incident: (label, text) for each row that has a value.

    Parameters
    ----------
    props : mapping
        The incident's properties, as in its GeoJSON feature.

    Returns
    -------
    list of (str, str)
        Plain text (escape it for where it goes).

    Examples
    --------
    >>> card_rows({"id": "a", "date": "2020-01-03", "place": "Baghdad",
    ...            "admin1": "Baghdad", "country": "IRQ", "fatalities": 10,
    ...            "fatalities_low": 7, "fatalities_high": 1200})[-3:]
    [('Fatalities', '10 (range 7–1,200)'), ('Place', 'Baghdad, IRQ'), ('ID', 'a')]
    """
    rows = []
    for key, label in CARD_ROWS:
        value = _value(key, props)
        if value is not None and value != "":
            rows.append((label, value))
    return rows
