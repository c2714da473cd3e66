"""Typed column helpers: text, counts, numbers, codes and dates, and why rows are rejected.

Each helper works on a whole text column at once and adds a message to a
:class:`_Reasons` for every row it cannot convert.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..schema import MAX_COUNT

_INT_RE = r"[+-]?(?:0|[1-9]\d{0,14})"
_COUNT_RE = r"\+?\d+(?:\.0*)?"
_FLOAT_RE = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"


def _fmt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Reasons:
    """Why rows are rejected: any number of messages per row, in the order found."""

    def __init__(self, n: int):
        self.n = n
        self._rows: list[np.ndarray] = []
        self._messages: list[list[str]] = []
        self._mask = np.zeros(n, dtype=bool)

    def add(self, mask, message: str | Callable[[np.ndarray], list[str]]) -> None:
        """Reject the rows in ``mask`` with ``message`` (or ``message(rows)``)."""
        mask = np.asarray(mask, dtype=bool)
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        msgs = [message] * len(rows) if isinstance(message, str) else list(message(rows))
        self._rows.append(rows)
        self._messages.append(msgs)
        self._mask |= mask

    def add_values(self, mask, label: str, problem: str, values: pd.Series) -> None:
        """Reject rows with ``"label: problem: 'value'"``."""
        self.add(mask, lambda rows: [f"{label}: {problem}: {_fmt(v)}"
                                     for v in values.iloc[rows].tolist()])

    def add_at(self, rows: np.ndarray, messages: list[str]) -> None:
        mask = np.zeros(self.n, dtype=bool)
        mask[rows] = True
        order = np.argsort(rows, kind="stable")
        self._rows.append(np.asarray(rows)[order])
        self._messages.append([messages[i] for i in order])
        self._mask |= mask

    @property
    def mask(self) -> np.ndarray:
        return self._mask

    def joined(self) -> dict[int, str]:
        """Row -> all its reasons joined with "; "."""
        out: dict[int, list[str]] = {}
        for rows, msgs in zip(self._rows, self._messages, strict=True):
            for r, m in zip(rows.tolist(), msgs, strict=True):
                out.setdefault(r, []).append(m)
        return {r: "; ".join(ms) for r, ms in out.items()}


def _clean(s: pd.Series | None, n: int) -> pd.Series:
    """Strip whitespace; empty cells (and a missing column) become missing."""
    if s is None:
        return pd.Series(np.nan, index=pd.RangeIndex(n), dtype="str")
    s = s.str.strip()
    return s.where(s.str.len() > 0)


def _present(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy()


def _arrow_float(s: pd.Series) -> np.ndarray:
    """Numbers from text already checked by a regex (missing -> NaN)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(s):
        return np.zeros(0, dtype="float64")
    arr = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.large_string()) \
        if s.dtype != "str" else pa.array(s, from_pandas=True)
    return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


def _count(raw: pd.Series | None, label: str, reasons: _Reasons, n: int) -> pd.Series:
    """Non-negative whole numbers (``"3"``, ``"3.0"``); anything else is rejected."""
    c = _clean(raw, n)
    ok = c.str.fullmatch(_COUNT_RE).fillna(False).to_numpy(dtype=bool)
    bad = _present(c) & ~ok
    reasons.add_values(bad, label, "not a whole number of at least 0", c)
    values = _arrow_float(c.where(ok))
    big = values > MAX_COUNT
    reasons.add_values(big, label, f"above {MAX_COUNT}, the largest count this tool handles", c)
    return pd.Series(np.where(big, np.nan, values), dtype="float64").astype("Int64")


def _number(raw: pd.Series | None, label: str, reasons: _Reasons, n: int,
            lo: float | None = None, hi: float | None = None) -> np.ndarray:
    c = _clean(raw, n)
    ok = c.str.fullmatch(_FLOAT_RE).fillna(False).to_numpy(dtype=bool)
    reasons.add_values(_present(c) & ~ok, label, "not a number", c)
    values = _arrow_float(c.where(ok))
    finite = np.isfinite(values)
    if lo is not None:
        out = ~np.isnan(values) & ~(finite & (values >= lo) & (values <= hi))
        reasons.add(out, lambda rows: [
            f"{label}: {float(values[r])!r} out of range [{lo:g}, {hi:g}]" for r in rows])
        values = np.where(out, np.nan, values)
    return values


def _map_codes(raw: pd.Series | None, table: Mapping[str, Any], label: str, reasons: _Reasons,
               n: int, expected: str) -> pd.Series:
    """Map coded values through ``table`` (missing stays missing; unknown is rejected)."""
    c = _clean(raw, n)
    if not c.notna().any():
        return pd.Series([None] * n, dtype=object)
    codes, uniques = pd.factorize(c)
    keys = [str(u) for u in uniques]
    keys = [k[:-2] if k.endswith(".0") else k for k in keys]  # "1.0" from spreadsheets
    values = np.array([table.get(k) for k in keys] + [None], dtype=object)
    out = values[codes]
    unknown = _present(c) & pd.isna(pd.Series(out)).to_numpy()
    reasons.add_values(unknown, label, f"unknown value (expected {expected})", c)
    return pd.Series(out, dtype=object)


def _per_distinct(s: pd.Series, fn: Callable[[str], Any]) -> np.ndarray:
    """``fn`` applied once per distinct present value; None where missing."""
    codes, uniques = pd.factorize(s)
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:-1] = [fn(u) for u in uniques.tolist()] if len(uniques) else []
    values[-1] = None
    return values[codes]


def _split_names(text: str) -> list[str] | None:
    parts = [p.strip() for p in text.split(";")]
    parts = [p for p in parts if p]
    return parts or None


def _day_strings(dates: pd.Series) -> pd.Series:
    values = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(str)
    return pd.Series(values, dtype="str").where(dates.notna().to_numpy())


def _dates(raw: pd.Series | None, label: str, reasons: _Reasons, n: int, *,
           partial: bool = False, year: pd.Series | None = None,
           ) -> tuple[pd.Series, pd.Series | None]:
    """Parse dates column-wise; returns (datetime64[ns] series, precision or None).

    Every form of :func:`geodata.dates.parse_dates` is read (ISO, ``15 January
    2020``, ``9-May-20``, ``31-12-19``, ``5/9/2020`` ...); ``year`` is the
    row's own year column, which settles ambiguous forms. With
    ``partial=True`` also ``YYYY-MM`` (month precision) and ``YYYY`` (year).
    """
    from ..dates import parse_dates

    c = _clean(raw, n)
    if not c.notna().any():
        return pd.Series(pd.NaT, index=c.index, dtype="datetime64[ns]"), None
    parsed = parse_dates(c, None if year is None else _clean(year, n), partial=partial)
    errors = parsed.errors
    bad = errors.notna().to_numpy()
    reasons.add(bad, lambda rows: [f"{label}: {errors.iloc[i]}" for i in rows])
    return parsed.dates, parsed.precision


def _day(ts) -> str:
    return "" if pd.isna(ts) else f"{ts:%Y-%m-%d}"


def _shared(n: int, value: Any) -> pd.Series:
    arr = np.empty(n, dtype=object)
    arr.fill(value)
    return pd.Series(arr, dtype=object)


def _typed(c: pd.Series) -> pd.Series | None:
    """true/false -> boolean, whole numbers -> Int64, numbers -> float64, else text.

    Returns None when every cell is empty.
    """
    present = c.notna()
    if not present.any():
        return None
    values = c[present]
    sample = values.iloc[:200]  # most text columns fail on the first values: skip the scans

    def all_match(pattern: str) -> bool:
        return bool(sample.str.fullmatch(pattern).all()) and bool(
            values.str.fullmatch(pattern).all())

    if all_match(r"(?i)true|false"):
        return pd.Series(pd.array(c.str.lower().map({"true": True, "false": False}).tolist(),
                                  dtype="boolean"))
    if all_match(_INT_RE):
        return pd.Series(_arrow_float(c), dtype="float64").astype("Int64")
    if all_match(_FLOAT_RE):
        return pd.Series(_arrow_float(c), dtype="float64")
    return c
