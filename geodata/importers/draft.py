"""The converted columns of a file before its rows are filtered; what converters share."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataSourceError
from ..schema import (
    DERIVED_FIELDS,
    KNOWN_FIELDS,
)
from .columns import _clean, _number, _present, _Reasons, _typed
from .formats import FORMAT_LABELS
from .source import _norm_header, _Table

_RESERVED = frozenset(KNOWN_FIELDS) | frozenset(DERIVED_FIELDS) | {"geometry", "type"}
_UNKNOWN_ATTRIBUTION = {"status": "unknown"}


@dataclass
class _Draft:
    """Converted columns, full length (one entry per input row), before filtering."""

    n: int
    reasons: _Reasons
    fields: dict[str, pd.Series] = field(default_factory=dict)
    extras: dict[str, pd.Series] = field(default_factory=dict)
    lat: np.ndarray | None = None
    lon: np.ndarray | None = None
    coords_missing: np.ndarray | None = None  # both coordinates empty
    labels: dict[str, str] = field(default_factory=dict)  # field -> column name for messages
    given: dict[str, np.ndarray] = field(default_factory=dict)  # field -> source cell not empty
    status: pd.Series | None = None  # attribution status per row; None: all "unknown"
    notes: list[str] = field(default_factory=list)  # what the conversion kept or skipped


def _coordinates(d: _Draft, lat_raw, lon_raw, lat_label: str, lon_label: str) -> None:
    n = d.n
    lat = _number(lat_raw, lat_label, d.reasons, n, -90.0, 90.0)
    lon = _number(lon_raw, lon_label, d.reasons, n, -180.0, 180.0)
    lat_given = _present(_clean(lat_raw, n))
    lon_given = _present(_clean(lon_raw, n))
    d.reasons.add(lat_given & ~lon_given, f"{lat_label} given but {lon_label} missing")
    d.reasons.add(lon_given & ~lat_given, f"{lon_label} given but {lat_label} missing")
    d.lat, d.lon = lat, lon
    d.coords_missing = ~lat_given & ~lon_given


def _extras(d: _Draft, t: _Table, used: set[str], prefix: str,
            renames: Mapping[str, str] | None = None) -> None:
    """Keep every unused column as a typed extra property (empty cells omitted)."""
    renames = renames or {}
    for name in t.columns:
        if name in used:
            continue
        key = _norm_header(name)
        prop = renames.get(key, name.strip().lower())  # header case does not leak
        if prop in _RESERVED or prop in d.extras:
            prop = f"{prefix}_{prop}"
        value = _typed(_clean(t.frame[name], d.n))
        if value is not None:
            d.extras[prop] = value


def _require(t: _Table, fmt: str, needed: tuple[str, ...]) -> dict[str, str]:
    cols = t.lookup()
    missing = [c for c in needed if c not in cols]
    if missing:
        raise DataSourceError(
            f"{t.name}: not a usable {FORMAT_LABELS[fmt]} file: column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing"
        )
    return cols


def _accessors(t: _Table, cols: dict[str, str]):
    """Column access for a converter.

    Returns ``col(key)`` (which records the column as used), ``label(key)``
    (the file's own column name, for messages) and the set of used columns
    (the rest become extra properties).
    """
    used: set[str] = set()

    def col(key: str) -> pd.Series | None:
        name = cols.get(key)
        if name is None:
            return None
        used.add(name)
        return t.frame[name]

    def label(key: str) -> str:
        return cols.get(key, key)

    return col, label, used


def _peek(t: _Table, cols: dict[str, str], key: str) -> pd.Series | None:
    """A column read for evidence only (it is still kept as an extra property)."""
    name = cols.get(key)
    return None if name is None else t.frame[name]
