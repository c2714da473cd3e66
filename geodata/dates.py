"""Dates as real exports write them, parsed column-wise.

ACLED, UCDP and hand-made files write dates in many forms, and a spreadsheet
that re-saves a file rewrites them again (``2020-05-09`` becomes ``9-May-20``
or ``09/05/2020``). :func:`parse_dates` reads every form below, once per
*distinct* string (a million rows hold a few thousand distinct dates):

================================  =========================================
form                              example
================================  =========================================
ISO day (a time is dropped)       ``2020-01-15``, ``2020-01-15T10:30:00Z``
ISO with slashes or dots          ``2020/01/15``, ``2020.01.15``
day month-name year               ``15 January 2020``, ``15 Jan 2020``
day-month-name-year               ``01-January-2015``, ``9-May-20``
month-name day, year              ``January 15, 2020``
numeric day and month, any order  ``31-12-19``, ``5/9/2020``, ``15.01.2020``
================================  =========================================

Where a form is ambiguous, the evidence decides in this order:

* a two-digit year takes its century from the row's ``year`` column (ACLED
  and UCDP both have one), else from the four-digit years of the file's other
  rows when they all lie in one century;
* the order of day and month in numeric dates (``5/9/2020``) is the one the
  file's other rows prove (a first number above 12 proves day first, a
  second number above 12 proves month first); if the row's ``year`` column
  leaves only one reading, that one.

A row still ambiguous is rejected with the readings tried. Dates outside what
pandas' nanosecond timestamps hold (before 1677-09-22 or after 2262-04-11)
are rejected as such.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["DATE_FORMS", "MAX_DATE", "MIN_DATE", "ParsedDates", "days_of", "parse_dates"]

#: The earliest and latest day a ``datetime64[ns]`` column holds.
MIN_DATE = _dt.date(1677, 9, 22)
MAX_DATE = _dt.date(2262, 4, 11)

#: The forms :func:`parse_dates` reads, as named in messages.
DATE_FORMS = ("YYYY-MM-DD", "15 January 2020", "01-January-2015", "January 15, 2020",
              "9-May-20", "31-12-19", "5/9/2020")

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                  r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")
_DAY_MONTH_NAME = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([A-Za-z]{3,9})\.?[\s\-/.,]+"
                             r"(\d{4}|\d{2})")
_MONTH_NAME_DAY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}|\d{2})")
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"\d{4}")


@dataclass
class ParsedDates:
    """The result of :func:`parse_dates`.

    Attributes
    ----------
    dates : pandas.Series
        ``datetime64[ns]``, NaT where missing or rejected.
    errors : pandas.Series
        Object dtype: None where the cell parsed (or was empty), else why not
        (e.g. ``"ambiguous date '5/9/2020': ..."``).
    precision : pandas.Series or None
        ``"month"``/``"year"`` for partial dates (``partial=True``), None elsewhere;
        None when no partial date was found.
    """

    dates: pd.Series
    errors: pd.Series
    precision: pd.Series | None


@dataclass(frozen=True)
class _Reading:
    """One way to read a string: a day, and what it assumed."""

    day: _dt.date | None  # None: the form matched but the day does not exist
    order: str | None  # "dmy"/"mdy" for numeric day-month forms, else None
    century_guess: bool  # a two-digit year read in some century
    text: str  # how the reading is described in messages


def _day(y: int, m: int, d: int) -> _dt.date | None:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


def _years(two_or_four: str) -> list[tuple[int, bool]]:
    """Candidate years: a four-digit year itself, a two-digit one in 1900 and 2000."""
    if len(two_or_four) == 4:
        return [(int(two_or_four), False)]
    yy = int(two_or_four)
    return [(1900 + yy, True), (2000 + yy, True)]


def _readings(text: str) -> list[_Reading] | None:
    """Every reading of ``text`` (None: no form matches)."""
    if m := _ISO.fullmatch(text):
        return [_Reading(_day(int(m[1]), int(m[3]), int(m[4])), None, False, "year-month-day")]
    for pattern, day_first in ((_DAY_MONTH_NAME, True), (_MONTH_NAME_DAY, False)):
        if m := pattern.fullmatch(text):
            day_s, month_s = (m[1], m[2]) if day_first else (m[2], m[1])
            month = _MONTHS.get(month_s.lower())
            if month is None:
                return None
            return [_Reading(_day(y, month, int(day_s)), None, guess,
                             f"{y}" if guess else "day month year")
                    for y, guess in _years(m[3])]
    if m := _NUMERIC.fullmatch(text):
        a, b = int(m[1]), int(m[3])
        out = []
        for y, guess in _years(m[4]):
            for order, (d, mo) in (("dmy", (a, b)), ("mdy", (b, a))):
                if 1 <= mo <= 12:
                    out.append(_Reading(_day(y, mo, d), order, guess,
                                        "day/month/year" if order == "dmy"
                                        else "month/day/year"))
        return out or [_Reading(None, None, False, "day/month/year")]
    return None


def _describe(readings: list[_Reading]) -> str:
    parts = []
    for rd in readings:
        if rd.day is None:
            continue
        how = "day first" if rd.order == "dmy" else "month first" if rd.order == "mdy" else ""
        parts.append(f"{rd.day:%Y-%m-%d}" + (f" ({how})" if how else ""))
    return " or ".join(dict.fromkeys(parts))


def _file_evidence(readings: dict[str, list[_Reading]]) -> tuple[str | None, int | None]:
    """(day/month order, century) that the file's unambiguous dates prove, if any."""
    orders: set[str] = set()
    centuries: set[int] = set()
    for found in readings.values():
        valid = [rd for rd in found if rd.day is not None]
        kinds = {rd.order for rd in valid if rd.order}
        if len(kinds) == 1:  # readable in one order only: proves that order
            orders |= kinds
        centuries |= {rd.day.year // 100 for rd in valid if not rd.century_guess}
    order = next(iter(orders)) if len(orders) == 1 else None
    century = next(iter(centuries)) if len(centuries) == 1 else None
    return order, century


def _year_values(year: pd.Series | None, n: int) -> np.ndarray:
    """The row's ``year`` column as float (NaN where missing or not a year)."""
    if year is None:
        return np.full(n, np.nan)
    codes, uniques = pd.factorize(year)  # few distinct years: convert each once
    numbers = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").to_numpy(
        dtype="float64")
    whole = np.isfinite(numbers) & (numbers == np.round(numbers))
    table = np.append(np.where(whole, numbers, np.nan), np.nan)
    return table[np.where(codes < 0, len(uniques), codes)]


def parse_dates(values: pd.Series, year: pd.Series | None = None, *,
                partial: bool = False) -> ParsedDates:
    """Parse a column of date strings as real exports write them.

    Parameters
    ----------
    values : pandas.Series
        Text; missing or blank cells stay missing (no error).
    year : pandas.Series, optional
        The row's own year (e.g. ACLED's and UCDP's ``year`` column), used to
        settle a two-digit year's century and to choose between readings.
    partial : bool, default False
        Also accept ``YYYY-MM`` (month precision) and ``YYYY`` (year).

    Returns
    -------
    ParsedDates

    Examples
    --------
    >>> s = pd.Series(["9-May-20", "31-12-19", "5/9/2020", "25/9/2020"])
    >>> r = parse_dates(s, pd.Series(["2020", "2019", "2020", "2020"]))
    >>> [f"{d:%Y-%m-%d}" for d in r.dates]
    ['2020-05-09', '2019-12-31', '2020-09-05', '2020-09-25']
    """
    n = len(values)
    index = pd.RangeIndex(n)
    codes, distinct = _distinct_strings(values, index)
    readings = {s: _readings(s) for s in distinct}
    precision_of = _partial_readings(readings) if partial else {}
    order, century = _file_evidence({s: r for s, r in readings.items() if r})
    years = _year_values(year, n)
    if year is not None:  # the year column is evidence of the century too
        seen = {int(y) // 100 for y in np.unique(years[np.isfinite(years)]).tolist()}
        if century is None and len(seen) == 1:
            century = next(iter(seen))
    dates, errors = _decide_column(codes, distinct, readings, years, order, century, index)
    precision = None
    if precision_of:
        prec_values = np.array([precision_of.get(s) for s in distinct] + [None], dtype=object)
        precision = pd.Series(prec_values[np.where(codes < 0, len(distinct), codes)],
                              index=index, dtype=object)
        precision = precision.where(errors.isna(), None)
    return ParsedDates(dates, errors, precision)


def _distinct_strings(values: pd.Series, index: pd.RangeIndex) -> tuple[np.ndarray, list[str]]:
    """(code per row, -1 where empty; the distinct stripped strings)."""
    codes, uniques = pd.factorize(pd.Series(values.to_numpy(), index=index))
    stripped = [str(u).strip() for u in uniques.tolist()]  # strip per distinct value
    return _refactor(codes, stripped)


def _partial_readings(readings: dict[str, list[_Reading] | None]) -> dict[str, str]:
    """Read ``YYYY-MM`` and ``YYYY`` where nothing else matched; string -> precision."""
    precision_of: dict[str, str] = {}
    for s, found in readings.items():
        if found is None and _YEAR_MONTH.fullmatch(s):
            y, m = (int(p) for p in s.split("-"))
            readings[s] = [_Reading(_day(y, m, 1), None, False, "year-month")]
            precision_of[s] = "month"
        elif found is None and _YEAR.fullmatch(s):
            readings[s] = [_Reading(_day(int(s), 1, 1), None, False, "year")]
            precision_of[s] = "year"
    return precision_of


def _decide_column(codes: np.ndarray, distinct: list[str],
                   readings: dict[str, list[_Reading] | None], years: np.ndarray,
                   order: str | None, century: int | None,
                   index: pd.RangeIndex) -> tuple[pd.Series, pd.Series]:
    """(dates, errors) per row, deciding once per distinct (string, year) pair."""
    ycodes, yuniq = pd.factorize(pd.Series(years))
    pair = codes.astype(np.int64) * (len(yuniq) + 1) + (ycodes.astype(np.int64) + 1)
    pair_codes, pair_uniq = pd.factorize(pair)
    decided: list[tuple[_dt.date | None, str | None]] = []
    for p in pair_uniq.tolist():
        s_code, y_code = divmod(int(p), len(yuniq) + 1)
        if p < 0:  # an empty cell
            decided.append((None, None))
            continue
        s = distinct[s_code]
        row_year = None if y_code == 0 else int(yuniq[y_code - 1])
        decided.append(_decide(s, readings[s], row_year, order, century))
    n_pairs = len(decided)
    days = np.empty(n_pairs + 1, dtype=object)
    errs = np.empty(n_pairs + 1, dtype=object)
    days[:-1] = [d for d, _ in decided]
    errs[:-1] = [e for _, e in decided]
    days[-1] = errs[-1] = None
    pair_codes = np.where(codes < 0, n_pairs, pair_codes)
    day_values = np.array([np.datetime64(d, "D") if d is not None else np.datetime64("NaT")
                           for d in days.tolist()], dtype="datetime64[D]")
    dates = pd.Series(day_values[pair_codes].astype("datetime64[ns]"), index=index)
    errors = pd.Series(errs[pair_codes], index=index, dtype=object)
    return dates, errors


def _refactor(codes: np.ndarray, values: list[str]) -> tuple[np.ndarray, list[str]]:
    """Merge codes whose values became equal (after stripping); empty values become missing."""
    merged: dict[str, int] = {}
    remap = np.empty(len(values) + 1, dtype=np.int64)
    for i, v in enumerate(values):
        remap[i] = -1 if not v else merged.setdefault(v, len(merged))
    remap[-1] = -1
    return remap[np.where(codes < 0, len(values), codes)], list(merged)


def _decide(s: str, found: list[_Reading] | None, row_year: int | None, order: str | None,
            century: int | None) -> tuple[_dt.date | None, str | None]:
    """(day, None) or (None, why not) for one string and the row's year."""
    if found is None:
        return None, f"not a date: {s!r} (forms read: {', '.join(DATE_FORMS)})"
    valid = [rd for rd in found if rd.day is not None]
    if not valid:
        return None, f"not a date: {s!r}"
    if len(valid) > 1 and row_year is not None:
        in_year = [rd for rd in valid if rd.day.year == row_year]
        if not in_year and any(rd.century_guess for rd in valid):
            return None, (f"{s!r}: no reading ({_describe(valid)}) falls in the row's year "
                          f"{row_year}")
        valid = in_year or valid
    if len(valid) > 1 and any(rd.century_guess for rd in valid) and century is not None:
        valid = [rd for rd in valid if not rd.century_guess or rd.day.year // 100 == century] \
            or valid
    if len(valid) > 1 and order is not None:
        valid = [rd for rd in valid if rd.order in (None, order)] or valid
    days = {rd.day for rd in valid}
    if len(days) > 1:
        return None, (f"ambiguous date {s!r}: could be {_describe(valid)}; neither the row's "
                      f"year nor the file's other dates decide (write it as YYYY-MM-DD)")
    day = next(iter(days))
    if not MIN_DATE <= day <= MAX_DATE:
        return None, (f"{s!r} is outside the dates that can be held ({MIN_DATE:%Y-%m-%d} to "
                      f"{MAX_DATE:%Y-%m-%d})")
    return day, None


#: Nanoseconds in a day.
_DAY_NS = 86_400_000_000_000


def days_of(values) -> np.ndarray:
    """Each time's day as ``datetime64[D]`` (NaT kept), right on every day a frame holds.

    NumPy's ``astype("datetime64[D]")`` of a nanosecond time at midnight on
    :data:`MIN_DATE` (1677-09-22) overflows to 2262-04-11; this floors the
    nanoseconds by the day instead (Arrow's times: cast to Arrow's days).

    Parameters
    ----------
    values : array-like of datetime64, or pyarrow (Chunked)Array of timestamps
        Times of any unit (days, seconds, nanoseconds...).

    Returns
    -------
    numpy.ndarray of datetime64[D]

    Examples
    --------
    >>> days_of(np.array(["1677-09-22", "NaT"], dtype="datetime64[ns]"))
    array(['1677-09-22',        'NaT'], dtype='datetime64[D]')
    """
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values.cast(pa.date32(), safe=False).to_numpy(zero_copy_only=False)
    arr = np.asarray(values)
    if arr.dtype.kind != "M" or np.datetime_data(arr.dtype)[0] in ("D", "W", "M", "Y"):
        return arr.astype("datetime64[D]")
    ns = arr.astype("datetime64[ns]")
    days = np.floor_divide(ns.view("int64"), _DAY_NS).astype("datetime64[D]")
    days[np.isnat(ns)] = np.datetime64("NaT")
    return days
