"""Find the header of a CSV export instead of assuming it is the first line.

Real exports put things around the header: ACLED's own sample has a title
line ``(Sample)`` above it, the HDX copy of UCDP GED has a row of HXL hashtags
(``#date +start``, ``#adm1 +name`` ...) under it, old ACLED exports write
their column names in UPPERCASE and under older names (``ALLY_ACTOR_1``), and
a file may have no header at all. The helpers here recognise each case so
that the importer can skip, rename or refuse with a message that says why.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import DataSourceError

__all__ = [
    "ACLED_RENAMES",
    "HEADER_SEARCH_LINES",
    "HeaderLine",
    "MAX_COLUMNS",
    "check_width",
    "find_header",
    "headerless_reason",
    "is_hxl_row",
    "looks_like",
]

#: How many physical lines are searched for the header.
HEADER_SEARCH_LINES = 25

#: Older ACLED column names (2015-2024 exports and their shapefile copies, whose
#: names are cut at 10 characters) -> today's names.
ACLED_RENAMES = {
    "ally_actor_1": "assoc_actor_1",
    "ally_actor_2": "assoc_actor_2",
    "event_id_c": "event_id_cnty",
    "event_id_n": "event_id_no_cnty",
    "event_date_": "event_date",
    "time_preci": "time_precision",
    "time_precis": "time_precision",
    "sub_event_": "sub_event_type",
    "assoc_acto": "assoc_actor_1",
    "interactio": "interaction",
    "geo_precis": "geo_precision",
    "source_sca": "source_scale",
    "total_fatalities": "fatalities",
    "country_iso": "iso",
    "iso_code": "iso",
}

# Columns only ACLED or only UCDP GED exports have: three of them make a file
# "look like" that format even when a required column is missing.
_DISTINCT = {
    "acled": ("event_id_cnty", "event_id_no_cnty", "event_date", "time_precision",
              "disorder_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
              "actor2", "inter2", "interaction", "civilian_targeting", "admin3",
              "source_scale", "ally_actor_1"),
    "ucdp": ("relid", "type_of_violence", "conflict_new_id", "dyad_new_id", "dyad_name",
             "side_a", "side_b", "side_a_new_id", "source_article", "where_prec",
             "where_coordinates", "adm_1", "priogrid_gid", "date_prec", "date_start",
             "deaths_a", "deaths_b", "deaths_civilians", "best", "low", "high"),
}

_HXL_TAG = re.compile(r"#[A-Za-z][A-Za-z0-9_]*(?:\s*\+[A-Za-z][A-Za-z0-9_]*)*")
_DATA_LIKE = re.compile(r"[+-]?\d+(?:[.,]\d+)?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


@dataclass
class HeaderLine:
    """Where the header is.

    Attributes
    ----------
    index : int
        0-based physical line of the header.
    delimiter : str
        The field delimiter.
    skipped : list of (int, str)
        Lines above the header (1-based line number, text), blank lines included.
    """

    index: int
    delimiter: str
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _cells(line: str, delim: str) -> int:
    """How many non-empty cells a line has."""
    try:
        return sum(bool(c.strip()) for c in next(csv.reader(io.StringIO(line), delimiter=delim)))
    except (StopIteration, csv.Error):
        return 0


def find_header(lines: list[str], delimiter_of) -> HeaderLine:
    """Find the header among the first :data:`HEADER_SEARCH_LINES` lines.

    The header is the first line with at least two non-empty cells; blank
    lines and title lines (one cell, such as ACLED's ``(Sample)``) above it are
    skipped. A file whose lines all have one cell has its header on the first
    non-blank line.

    Parameters
    ----------
    lines : list of str
        The file's first physical lines.
    delimiter_of : callable
        ``delimiter_of(line) -> str``: the delimiter a line suggests.

    Returns
    -------
    HeaderLine

    Examples
    --------
    >>> h = find_header(["(Sample)", "", "a,b,c", "1,2,3"], lambda line: ",")
    >>> h.index, h.skipped
    (2, [(1, '(Sample)'), (2, '')])
    """
    head = lines[:HEADER_SEARCH_LINES]
    filled = [i for i, line in enumerate(head) if line.strip()]
    if not filled:
        return HeaderLine(0, delimiter_of(head[0] if head else ""))
    index = filled[0]
    for i in filled:  # title lines have one cell at most; the header has several
        if _cells(head[i], delimiter_of(head[i])) >= 2:
            index = i
            break
    delim = delimiter_of(head[index])
    skipped = [(i + 1, head[i]) for i in range(index)]
    return HeaderLine(index, delim, skipped)


def headerless_reason(names: list[str]) -> str | None:
    """Why a header line looks like data (None when it looks like a header).

    Examples
    --------
    >>> headerless_reason(["2020-01-08", "Iraq", "33.3", "44.4"])
    "its cells look like data ('2020-01-08', '33.3', '44.4'), not column names"
    >>> headerless_reason(["date", "country", "lat", "lon"]) is None
    True
    """
    cells = [n.strip() for n in names if n.strip()]
    data_like = [c for c in cells if _DATA_LIKE.fullmatch(c)]
    if cells and len(data_like) * 2 >= len(cells) and len(data_like) >= 1:
        shown = ", ".join(repr(c) for c in data_like[:3])
        return f"its cells look like data ({shown}), not column names"
    return None


def is_hxl_row(cells: Iterable[str]) -> bool:
    """True for a row of HXL hashtags (``#date +start``, ``#adm1 +name`` ...).

    Examples
    --------
    >>> is_hxl_row(["#event +id", "", "#date +start", "#geo +lat"])
    True
    >>> is_hxl_row(["1", "#tag", ""])
    False
    """
    present = [c.strip() for c in cells if c is not None and str(c).strip()]
    return bool(present) and all(_HXL_TAG.fullmatch(c) for c in present)


def looks_like(names: Iterable[str]) -> tuple[str, list[str]] | None:
    """(format, distinctive columns found) when a header looks like ACLED or UCDP GED.

    Three columns that only that format's exports have are enough.

    Examples
    --------
    >>> looks_like(["event_id_cnty", "event_date", "sub_event_type", "latitude"])
    ('acled', ['event_id_cnty', 'event_date', 'sub_event_type'])
    >>> looks_like(["date", "lat", "lon"]) is None
    True
    """
    have = list(names)
    best = None
    for fmt, distinct in _DISTINCT.items():
        found = [c for c in distinct if c in have]
        if len(found) >= 3 and (best is None or len(found) > len(best[1])):
            best = (fmt, found)
    return best


#: The most columns an imported file may have (each costs a few milliseconds per
#: column whatever the rows; ACLED has 31, UCDP GED 49).
MAX_COLUMNS = 500


def check_width(n_columns: int, name: str) -> None:
    """Refuse a file with more than :data:`MAX_COLUMNS` columns, in one clear message.

    Parameters
    ----------
    n_columns : int
        The header's columns (or a GeoJSON's distinct property names).
    name : str
        The file's name, for the message.

    Raises
    ------
    DataSourceError
        When the file is wider than :data:`MAX_COLUMNS`.
    """
    if n_columns > MAX_COLUMNS:
        raise DataSourceError(
            f"{name}: {n_columns} columns; the importer reads at most {MAX_COLUMNS}. Is the "
            f"delimiter right? If so, keep only the columns you need and import again"
        )
