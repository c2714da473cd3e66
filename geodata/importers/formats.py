"""The formats the importers read, and how a file's format is recognised by its header."""

from __future__ import annotations

from ..errors import DataSourceError
from ..headers import (
    ACLED_RENAMES,
    looks_like,
)
from .source import _norm_header, _Table

#: Formats :func:`import_file` understands (``fmt="auto"`` picks one).
FORMATS = ("acled", "ucdp", "csv")
#: How each format is named in messages.
FORMAT_LABELS = {"acled": "ACLED", "ucdp": "UCDP GED", "csv": "CSV"}
#: Up to this many rows, :func:`geodata.validate.check_features` is run on the
#: converted features as well (``check=None``); above it only the column-wise
#: checks run.
CHECK_FEATURES_MAX_ROWS = 250_000
#: ACLED's export columns, in its order (31; older exports differ a little).
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)
_ACLED_MARKERS = ("event_date", "actor1", "event_type")
_ACLED_ID_COLUMNS = ("event_id_cnty", "event_id_no_cnty", "data_id")
_UCDP_MARKERS = ("side_a", "side_b", "where_prec", "date_prec", "best")


def detect_format(columns) -> str:
    """Recognise a file's format from its header.

    Parameters
    ----------
    columns : iterable of str
        The header's column names (case and surrounding spaces do not matter).

    Returns
    -------
    str
        ``"acled"`` when the header has ``event_date``, ``actor1``,
        ``event_type`` and one of ``event_id_cnty``/``event_id_no_cnty``/
        ``data_id``; ``"ucdp"`` when it has ``side_a``, ``side_b``,
        ``where_prec``, ``date_prec`` and ``best``; otherwise ``"csv"``.

    Examples
    --------
    >>> detect_format(["event_id_cnty", "event_date", "actor1", "event_type"])
    'acled'
    >>> detect_format(["lat", "lon", "date"])
    'csv'
    """
    names = {_norm_header(str(c)) for c in columns}
    names |= {ACLED_RENAMES[c] for c in names if c in ACLED_RENAMES}
    if all(m in names for m in _ACLED_MARKERS) and any(c in names for c in _ACLED_ID_COLUMNS):
        return "acled"
    if all(m in names for m in _UCDP_MARKERS):
        return "ucdp"
    return "csv"


def _refuse_near_miss(t: _Table) -> None:
    """A header that looks like ACLED or UCDP GED but lacks a required column is an error.

    Otherwise such a file would silently be read as plain CSV (and lose its meaning).
    """
    names = set(t.lookup())
    near = looks_like(names)
    if near is None:
        return
    kind, found = near
    if kind == "acled":
        missing = [m for m in _ACLED_MARKERS if m not in names]
        if not any(c in names for c in _ACLED_ID_COLUMNS):
            missing.append(" or ".join(_ACLED_ID_COLUMNS))
    else:
        missing = [m for m in _UCDP_MARKERS if m not in names]
    label = "an ACLED export" if kind == "acled" else "a UCDP GED file"
    raise DataSourceError(
        f"{t.name}: looks like {label} (it has columns {', '.join(found[:4])}) but column"
        f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
        f"{'are' if len(missing) > 1 else 'is'} missing; add "
        f"{'them' if len(missing) > 1 else 'it'}, or import the file as plain CSV with "
        f"--format csv"
    )
