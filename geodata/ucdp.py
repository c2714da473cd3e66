"""UCDP GED as published: its source citations and its fatality estimates.

UCDP's ``source_article`` lists the articles an event is coded from, each as
``"Publisher,YYYY-MM-DD,Headline"``, separated by ``;``. A headline may itself
hold ``;`` and commas, inside the item's quotes, so the list is split only on
a ``;`` outside quotes. UCDP's ``low``/``best``/``high`` estimates do not
always satisfy ``low <= best <= high``; such events are real and are kept
(see ``docs/importing.md``: ``fatalities_inconsistent``).
"""

from __future__ import annotations

import re

__all__ = ["parse_source_article", "split_outside_quotes"]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def split_outside_quotes(text: str, sep: str = ";") -> list[str]:
    """Split ``text`` on ``sep`` where it is not inside double quotes.

    Examples
    --------
    >>> split_outside_quotes('"A,2020-01-01,x; y";"B,2020-01-02,z"')
    ['"A,2020-01-01,x; y"', '"B,2020-01-02,z"']
    """
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _unquote(item: str) -> str:
    item = item.strip()
    if len(item) >= 2 and item[0] == item[-1] == '"':
        item = item[1:-1]
    return item.replace('""', '"').strip()


def parse_source_article(text: str) -> list[dict] | None:
    """UCDP's ``source_article`` as sources with publisher, date and title.

    An item that is not ``Publisher,YYYY-MM-DD,Headline`` is kept whole as the
    title; an http(s) address becomes the ``url``.

    Parameters
    ----------
    text : str
        The cell.

    Returns
    -------
    list of dict or None
        None when the cell holds no item.

    Examples
    --------
    >>> parse_source_article('"Reuters,2017-01-05,Blast; 5 dead";"AFP,2017-01-06,Toll rises"')
    [{'title': 'Blast; 5 dead', 'publisher': 'Reuters', 'date': '2017-01-05'}, \
{'title': 'Toll rises', 'publisher': 'AFP', 'date': '2017-01-06'}]
    """
    from .validate import is_http_url

    out: list[dict] = []
    for raw in split_outside_quotes(text):
        item = _unquote(raw)
        if not item:
            continue
        parts = [p.strip() for p in item.split(",", 2)]
        if len(parts) >= 2 and _DAY.fullmatch(parts[1]):
            title = _unquote(parts[2]) if len(parts) == 3 else ""
            publisher = _unquote(parts[0]) or None
            source = {"title": title or publisher or item, "publisher": publisher,
                      "date": parts[1]}  # (the order of geodata.nested's layout)
            out.append({k: v for k, v in source.items() if v is not None})
        elif is_http_url(item):
            out.append({"url": item})
        else:
            out.append({"title": item})
    return out or None
