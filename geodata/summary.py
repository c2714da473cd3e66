"""Summaries: headline figures, counts by actor or type, incidents per day or week.

:class:`Figures` holds a frame's per-incident columns, made once, and sums the
figures of any view from a boolean mask without making the view's frame (the
page recomputes them on every filter change). The module functions are the
same figures for a whole frame.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pandas as pd

from .categories import drop_unused
from .dates import days_of

__all__ = [
    "TIMELINE_ACTORS",
    "Figures",
    "by_period",
    "category_codes",
    "count_by",
    "dense_span",
    "fatality_columns",
    "format_count",
    "overview",
    "period_starts",
    "view_summary",
]

#: Actors a timeline tells apart (the most frequent); the rest are "Other".
TIMELINE_ACTORS = 10

#: Spans up to this many days are binned by day, longer ones by week.
DAILY_MAX_DAYS = 120


def _known(value) -> bool:
    return value is not None and value is not pd.NA and value == value  # NaN != NaN


def format_count(value, low=None, high=None) -> str:
    """Write a count with its range: ``"1,234 (range 1,000–1,500)"``.

    The one formatter of counts with a low and a high estimate (fatalities)
    for every Python caller. Thousands get commas; the range is shown when
    both bounds are known and differ from the count, with an en dash.

    Parameters
    ----------
    value : int or None
        The best estimate (None, NaN or ``pd.NA``: unknown).
    low, high : int or None, optional
        The bounds; a missing one is taken to be ``value``.

    Returns
    -------
    str
        ``"N"``, ``"N (range A–B)"``, ``"A–B"`` when only the bounds are
        known, or ``"-"`` when nothing is.

    Examples
    --------
    >>> format_count(12)
    '12'
    >>> format_count(1234, 1000, 1500)
    '1,234 (range 1,000–1,500)'
    >>> format_count(4, 4, 4), format_count(None, 2, 9), format_count(None)
    ('4', '2–9', '-')
    """
    best = int(value) if _known(value) else None
    lo = int(low) if _known(low) else best
    hi = int(high) if _known(high) else best
    if best is None:
        return f"{lo:,}–{hi:,}" if lo is not None and hi is not None else "-"
    if (lo, hi) == (best, best) or lo is None or hi is None:
        return f"{best:,}"
    return f"{best:,} (range {lo:,}–{hi:,})"


def fatality_columns(gdf: pd.DataFrame) -> pd.DataFrame:
    """Best, low and high fatality figures per row (low/high fall back to best).

    Parameters
    ----------
    gdf : pandas.DataFrame
        Incidents, with any of ``fatalities``, ``fatalities_low``, ``fatalities_high``.

    Returns
    -------
    pandas.DataFrame
        Those three columns as nullable integers, on ``gdf``'s index.
    """
    best = gdf["fatalities"] if "fatalities" in gdf.columns else pd.Series(pd.NA, index=gdf.index)
    best = best.astype("Int64")
    low = gdf["fatalities_low"].astype("Int64") if "fatalities_low" in gdf.columns else best
    high = gdf["fatalities_high"].astype("Int64") if "fatalities_high" in gdf.columns else best
    return pd.DataFrame(
        {
            "fatalities": best,
            "fatalities_low": low.fillna(best),
            "fatalities_high": high.fillna(best),
        },
        index=gdf.index,
    )


def count_by(gdf: gpd.GeoDataFrame, column: str) -> pd.DataFrame:
    """Incidents and fatalities (best, low, high) per value of ``column``.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    column : str
        The column to group by; missing values count as ``"(none)"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by the column's values, sorted by incidents (most first), with
        columns ``incidents``, ``fatalities``, ``fatalities_low``,
        ``fatalities_high``. Missing counts are treated as 0 in the sums.

    Examples
    --------
    >>> count_by(gdf, "actor").head()  # doctest: +SKIP
    """
    fat = fatality_columns(gdf).fillna(0).astype("int64")
    key = gdf[column].astype(object).where(gdf[column].notna(), "(none)")
    frame = pd.concat([key.rename(column), fat], axis=1)
    out = frame.groupby(column, sort=False, observed=True).agg(
        incidents=("fatalities", "size"),
        fatalities=("fatalities", "sum"),
        fatalities_low=("fatalities_low", "sum"),
        fatalities_high=("fatalities_high", "sum"),
    )
    return out.sort_values(["incidents", "fatalities"], ascending=False)


def period_starts(dates, freq: str) -> np.ndarray:
    """The first day of the period each date falls in.

    Parameters
    ----------
    dates : array-like of datetime64
        The dates (NaT stays NaT).
    freq : {'D', 'W', 'MS'}
        Days, weeks starting on Monday, or calendar months.

    Returns
    -------
    numpy.ndarray of datetime64[D]

    Raises
    ------
    ValueError
        For any other ``freq``.

    Examples
    --------
    >>> period_starts(np.array(["2020-01-08"], dtype="datetime64[D]"), "W")
    array(['2020-01-06'], dtype='datetime64[D]')
    """
    days = days_of(dates)
    if freq == "D":
        return days
    if freq == "W":  # 1970-01-01 was a Thursday: day 0 is 3 days after a Monday
        return days - ((days.astype("int64") + 3) % 7).astype("timedelta64[D]")
    if freq == "MS":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    raise ValueError(f"freq must be one of 'W', 'D' or 'MS', got {freq!r}")


def by_period(gdf: gpd.GeoDataFrame, freq: str = "W", by: str | None = None) -> pd.DataFrame:
    """Incidents and fatalities per period (``'W'`` weeks starting Monday, ``'D'`` days).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    freq : {'W', 'D', 'MS'}
        Period length (see :func:`period_starts`).
    by : str, optional
        Also split by this column (e.g. ``'actor'``).

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (start of the period), optionally ``by``,
        ``incidents`` and ``fatalities``.

    Raises
    ------
    ValueError
        For an unknown ``freq``.
    """
    period = pd.to_datetime(period_starts(gdf["date"].to_numpy(), freq)).astype("datetime64[ns]")
    fat = fatality_columns(gdf)["fatalities"].fillna(0).astype("int64")
    frame = pd.DataFrame({"period": period, "fatalities": fat.to_numpy()}, index=gdf.index)
    keys = ["period"]
    if by is not None:
        frame[by] = gdf[by].astype(object).where(gdf[by].notna(), "(none)")
        keys.append(by)
    out = frame.groupby(keys, sort=True).agg(
        incidents=("fatalities", "size"), fatalities=("fatalities", "sum")
    )
    return out.reset_index()


#: The share of a view's incidents the timeline opens on (see :func:`dense_span`).
DENSE_SHARE = 0.9


def dense_span(days, share: float = DENSE_SHARE) -> tuple[np.datetime64, np.datetime64] | None:
    """The shortest span of days that holds ``share`` of the dates: where the incidents are.

    Parameters
    ----------
    days : array-like of datetime64
        The incidents' days (NaT ignored).
    share : float, default 0.9
        The share of them the span must hold (at least one date).

    Returns
    -------
    tuple of numpy.datetime64[D] or None
        The first and last day of the span (the earliest such span when
        several are as short), or None when there is no date.

    Examples
    --------
    >>> days = np.array(["1979-11-04", "2020-01-03", "2020-01-05", "2020-01-08",
    ...                  "2020-01-09", "2020-01-11", "2020-01-12", "2020-01-13",
    ...                  "2020-01-15", "2020-01-16"], dtype="datetime64[D]")
    >>> dense_span(days)
    (np.datetime64('2020-01-03'), np.datetime64('2020-01-16'))
    """
    d = days_of(days)
    d = d[~np.isnat(d)].astype("int64")
    if not len(d):
        return None
    k = max(1, min(len(d), int(np.ceil(share * len(d) - 1e-9))))
    lo, hi = int(d.min()), int(d.max())
    if k == len(d):  # (every date: the first and the last)
        return _as_day(lo), _as_day(hi)
    # Counted per day (no sort of every date): a window that holds k incidents
    # and starts on day s ends on the day of the k-th incident from s's first.
    per_day = np.bincount(d - lo, minlength=hi - lo + 1)
    held = np.cumsum(per_day)
    starts = np.flatnonzero(per_day)
    before = held[starts] - per_day[starts]
    starts, before = starts[before + k <= len(d)], before[before + k <= len(d)]
    ends = np.searchsorted(held, before + k, side="left")
    i = int(np.argmin(ends - starts))  # (the earliest of the shortest)
    return _as_day(lo + int(starts[i])), _as_day(lo + int(ends[i]))


def _as_day(n: int) -> np.datetime64:
    return np.datetime64(n, "D")


def category_codes(series: pd.Series) -> tuple[list[str], np.ndarray]:
    """The distinct values of a column and each row's index into them.

    Parameters
    ----------
    series : pandas.Series
        A categorical or text column.

    Returns
    -------
    names : list of str
        The values in use, in category order.
    codes : numpy.ndarray
        Per row, the index into ``names`` (-1 where missing).
    """
    cat = series if isinstance(series.dtype, pd.CategoricalDtype) else series.astype("category")
    cat = drop_unused(cat.array)
    return [str(c) for c in cat.categories], np.asarray(cat.codes)


def _ranked(codes: np.ndarray, names: list[str]) -> list[tuple[str, int]]:
    """(value, rows) for the values present, most first, then by name."""
    counts = np.bincount(codes[codes >= 0], minlength=len(names))
    used = (i for i in range(len(names)) if counts[i])
    return [(names[i], int(counts[i])) for i in sorted(used, key=lambda i: (-counts[i], names[i]))]


def _day(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None else f"{ts:%Y-%m-%d}"


class Figures:
    """The figures of any view of one frame, summed from a mask.

    Built once per frame: the per-incident columns (fatalities, first and
    last day, actor and event type codes) are made on first use and kept.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents (as :func:`geodata.read` returns them).

    Examples
    --------
    >>> figures = Figures(gdf)  # doctest: +SKIP
    >>> figures.overview(gdf["actor"] == "Iran")["incidents"]  # doctest: +SKIP
    """

    def __init__(self, gdf: gpd.GeoDataFrame):
        self.gdf = gdf

    def _mask(self, mask) -> np.ndarray:
        if mask is None:
            return np.ones(len(self.gdf), dtype=bool)
        sel = np.asarray(mask, dtype=bool)
        if sel.shape != (len(self.gdf),):
            raise ValueError(f"mask must have one flag per incident ({len(self.gdf)}), "
                             f"got shape {sel.shape}")
        return sel

    @functools.cached_property
    def _columns(self) -> dict:
        gdf = self.gdf
        fat = fatality_columns(gdf).fillna(0).astype("int64")
        date = pd.to_datetime(gdf["date"]).to_numpy().astype("datetime64[ns]", copy=False)
        stop = gdf["end_date"].fillna(gdf["date"]) if "end_date" in gdf.columns else gdf["date"]
        actors, actor = (category_codes(gdf["actor"]) if "actor" in gdf
                         else ([], np.full(len(gdf), -1, dtype=np.int8)))
        types, etype = category_codes(gdf["event_type"]) if "event_type" in gdf else ([], None)
        return {
            "fatalities": fat["fatalities"].to_numpy(),
            "fatalities_low": fat["fatalities_low"].to_numpy(),
            "fatalities_high": fat["fatalities_high"].to_numpy(),
            "date": date,
            "stop": pd.to_datetime(stop).to_numpy().astype("datetime64[ns]", copy=False),
            "actors": actors, "actor": actor, "types": types, "type": etype,
        }

    def overview(self, mask=None) -> dict:
        """Headline figures of a view: incidents, fatalities with range, date span.

        Parameters
        ----------
        mask : array-like of bool, optional
            One flag per incident; all of them by default.

        Returns
        -------
        dict
            ``incidents``, ``fatalities``, ``fatalities_low``,
            ``fatalities_high`` (sums; missing counts as 0), ``start`` and
            ``end`` (Timestamps, an incident's ``end_date`` included, or None).
        """
        sel = self._mask(mask)
        c = self._columns
        n = int(sel.sum())
        start = end = None
        if n:
            first, last = c["date"][sel].min(), c["stop"][sel].max()
            start = None if np.isnat(first) else pd.Timestamp(first)
            end = None if np.isnat(last) else pd.Timestamp(last)
        return {
            "incidents": n,
            "fatalities": int(c["fatalities"][sel].sum()),
            "fatalities_low": int(c["fatalities_low"][sel].sum()),
            "fatalities_high": int(c["fatalities_high"][sel].sum()),
            "start": start,
            "end": end,
        }

    def view_summary(self, mask=None) -> dict:
        """What a map's summary, legend and layer control say about a view.

        Parameters
        ----------
        mask : array-like of bool, optional
            One flag per incident; all of them by default.

        Returns
        -------
        dict
            ``incidents``; ``start`` and ``end`` (``YYYY-MM-DD`` or None);
            ``actor_counts`` (incidents per actor, most first, then by name);
            ``event_types`` (sorted).
        """
        sel = self._mask(mask)
        c = self._columns
        ov = self.overview(sel)
        types = [] if c["type"] is None else sorted(n for n, _ in _ranked(c["type"][sel],
                                                                            c["types"]))
        return {
            "incidents": ov["incidents"],
            "start": _day(ov["start"]),
            "end": _day(ov["end"]),
            "actor_counts": dict(_ranked(c["actor"][sel], c["actors"])),
            "event_types": types,
        }

    @functools.cached_property
    def _timeline_parts(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        c = self._columns
        top = [name for name, _ in _ranked(c["actor"], c["actors"])][:TIMELINE_ACTORS]
        # the last entry, "Other", also takes code -1 (a missing actor)
        lookup = np.array([top.index(a) if a in top else len(top) for a in c["actors"]]
                          + [len(top)], dtype=np.int16)  # (a code per incident: 2 bytes)
        return days_of(c["date"]), top, lookup[c["actor"]]

    @property
    def timeline_actors(self) -> list[str]:
        """The actors a timeline colours, its legend in every view.

        Returns
        -------
        list of str
            The :data:`TIMELINE_ACTORS` most frequent, then ``"Other"`` if the
            frame has more (or incidents without an actor).
        """
        days, top, code = self._timeline_parts
        other = bool((code[~np.isnat(days)] == len(top)).any())
        return [*top, "Other"] if other else list(top)

    def dense_span(self, mask=None, share: float = DENSE_SHARE):
        """The shortest span holding ``share`` of a view's incidents (:func:`dense_span`).

        Parameters
        ----------
        mask : array-like of bool, optional
            One flag per incident; all of them by default.
        share : float, default 0.9
            The share of the view's dated incidents the span holds.

        Returns
        -------
        tuple of numpy.datetime64[D] or None
            Its first and last day; None for a view without dates.
        """
        days = self._timeline_parts[0]
        return dense_span(days[self._mask(mask)], share)

    def timeline(self, mask=None, freq: str | None = None,
                 span=None) -> tuple[pd.DataFrame, str]:
        """Incidents per period and actor in a view.

        Parameters
        ----------
        mask : array-like of bool, optional
            One flag per incident; all of them by default.
        freq : {'D', 'W', 'MS'}, optional
            The period; by default the day when the counted incidents span
            at most :data:`DAILY_MAX_DAYS` days, else the week (from Monday).
        span : tuple of two dates, optional
            Count only the incidents from the first to the last day (as
            :meth:`dense_span` gives).

        Returns
        -------
        counts : pandas.DataFrame
            Columns ``period``, ``actor`` (see :attr:`timeline_actors`) and
            ``incidents``; only non-zero rows, by period then actor.
        freq : str
            The period used.
        """
        days, top, code = self._timeline_parts
        sel = self._mask(mask) & ~np.isnat(days)
        if span is not None:
            first, last = (np.datetime64(d, "D") for d in span)
            sel &= (days >= first) & (days <= last)
        if not sel.any():
            empty = pd.DataFrame({"period": pd.to_datetime([]), "actor": [], "incidents": []})
            return empty, freq or "D"
        if freq is None:
            span = int((days[sel].max() - days[sel].min()).astype("int64"))
            freq = "D" if span <= DAILY_MAX_DAYS else "W"
        starts = period_starts(days[sel], freq).astype("int64")  # (days since 1970)
        first = int(starts.min())
        width = len(top) + 1
        slots = int(starts.max()) - first + 1  # (a slot per day: no sort of a million dates)
        counts = np.bincount((starts - first) * width + code[sel],
                             minlength=slots * width).reshape(slots, width)
        used = np.flatnonzero(counts.any(axis=1))
        distinct = (first + used).astype("datetime64[D]")
        counts = counts[used]
        rows, cols = np.nonzero(counts)
        frame = pd.DataFrame({
            "period": pd.to_datetime(distinct[rows]),
            "actor": np.array([*top, "Other"], dtype=object)[cols],
            "incidents": counts[rows, cols],
        })
        return frame, freq


def overview(gdf: gpd.GeoDataFrame) -> dict:
    """Headline figures of a frame: incidents, fatalities with range, date span.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.

    Returns
    -------
    dict
        See :meth:`Figures.overview`.
    """
    return Figures(gdf).overview()


def view_summary(gdf: gpd.GeoDataFrame) -> dict:
    """What a map's summary, legend and layer control say about a frame.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.

    Returns
    -------
    dict
        See :meth:`Figures.view_summary`.
    """
    return Figures(gdf).view_summary()
