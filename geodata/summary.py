"""Summaries: counts and fatalities by actor, by event type, by week or day."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

__all__ = ["by_period", "count_by", "fatality_columns", "format_count", "overview"]


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
    """Best, low and high fatality figures per row (low/high fall back to best)."""
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


def by_period(gdf: gpd.GeoDataFrame, freq: str = "W", by: str | None = None) -> pd.DataFrame:
    """Incidents and fatalities per period (``'W'`` weeks starting Monday, ``'D'`` days).

    Parameters
    ----------
    freq : {'W', 'D', 'MS'}
        Period length.
    by : str, optional
        Also split by this column (e.g. ``'actor'``).

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (start of the period), optionally ``by``,
        ``incidents`` and ``fatalities``.
    """
    if freq == "W":
        period = gdf["date"].dt.to_period("W-SUN").dt.start_time
    elif freq == "D":
        period = gdf["date"].dt.normalize()
    elif freq == "MS":
        period = gdf["date"].dt.to_period("M").dt.start_time
    else:
        raise ValueError(f"freq must be one of 'W', 'D' or 'MS', got {freq!r}")
    fat = fatality_columns(gdf)["fatalities"].fillna(0).astype("int64")
    frame = pd.DataFrame({"period": period, "fatalities": fat})
    keys = ["period"]
    if by is not None:
        frame[by] = gdf[by].astype(object).where(gdf[by].notna(), "(none)")
        keys.append(by)
    out = frame.groupby(keys, sort=True).agg(
        incidents=("fatalities", "size"), fatalities=("fatalities", "sum")
    )
    return out.reset_index()


def overview(gdf: gpd.GeoDataFrame) -> dict:
    """Headline figures: incidents, fatalities with range, date span.

    Returns
    -------
    dict
        ``incidents``, ``fatalities``, ``fatalities_low``, ``fatalities_high``
        (sums; missing counts as 0), ``start`` and ``end`` (Timestamps or None).
    """
    fat = fatality_columns(gdf).fillna(0).astype("int64")
    if len(gdf):
        start = gdf["date"].min()
        stop = gdf["date"]
        if "end_date" in gdf.columns:
            stop = gdf["end_date"].fillna(gdf["date"])
        end = stop.max()
    else:
        start = end = None
    return {
        "incidents": len(gdf),
        "fatalities": int(fat["fatalities"].sum()),
        "fatalities_low": int(fat["fatalities_low"].sum()),
        "fatalities_high": int(fat["fatalities_high"].sum()),
        "start": start,
        "end": end,
    }
