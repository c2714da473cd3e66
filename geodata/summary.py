"""Summaries: counts and fatalities by actor, by event type, by week or day."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

__all__ = ["by_period", "count_by", "fatality_columns", "overview"]


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
