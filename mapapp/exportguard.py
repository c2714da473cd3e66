"""The export's size guard: a file too big to open is refused before it is built.

:func:`size_problem` estimates an export's size (:func:`mapapp.exportdata.estimate_size`,
a sample encoded as the export does) and, over the limit, says so in one
message: the size it would reach, and filters that would bring it under
(the latest years that fit, the largest actors and countries, each with its
count and size), in the words of the command line or of the page.

The default limit, :data:`DEFAULT_MAX_MB` (250 MB), is about 2.3 million
incidents of the benchmark's schema (a million make 107 MB, first drawn in
about 5 s in headless Chromium, 2026-12-03; docs/performance.md): twice the
issue's million, and about what a browser tab opens in seconds (the page's
text, then its decoded payload, are held in memory); past it, opening slows
in proportion and the file is hard to share.
"""

from __future__ import annotations

import os
import shlex

import geopandas as gpd
import pandas as pd

from .exportdata import FIXED_BYTES, estimate_size

__all__ = ["DEFAULT_MAX_MB", "bytes_per_incident", "default_max_mb", "fits", "size_problem"]

#: The default limit of an export's size, in MB (10^6 bytes).
DEFAULT_MAX_MB = 250.0
#: Suggestions listed per kind (years are all listed).
_TOP = 5


def default_max_mb() -> float:
    """The limit: ``INCIDENT_MAP_EXPORT_MAX_MB`` if set (a number), else :data:`DEFAULT_MAX_MB`."""
    try:
        return float(os.environ.get("INCIDENT_MAP_EXPORT_MAX_MB", DEFAULT_MAX_MB))
    except ValueError:
        return DEFAULT_MAX_MB


def bytes_per_incident(gdf: gpd.GeoDataFrame) -> float:
    """An export's bytes per incident of ``gdf``, from a sample (the fixed part left out)."""
    if not len(gdf):
        return 0.0
    return max(estimate_size(gdf) - FIXED_BYTES, 0) / len(gdf)


def fits(count: int, per_incident: float, max_mb: float | None = None) -> bool:
    """Whether an export of ``count`` incidents of ``per_incident`` bytes fits in ``max_mb``.

    Parameters
    ----------
    count : int
        Incidents in the view.
    per_incident : float
        Bytes per incident (:func:`bytes_per_incident`).
    max_mb : float, optional
        The limit in MB (default :func:`default_max_mb`).

    Returns
    -------
    bool
    """
    limit = default_max_mb() if max_mb is None else float(max_mb)
    return (FIXED_BYTES + count * per_incident) / 1e6 <= limit


def _mb(count: int, per: float) -> str:
    """The size of an export of ``count`` incidents, as text: ``"312"``, ``"0.7"``."""
    return _fmt((FIXED_BYTES + count * per) / 1e6)


def _fmt(mb: float) -> str:
    return f"{mb:,.0f}" if mb >= 10 else f"{mb:.1f}"


def _periods(gdf: gpd.GeoDataFrame, freq: str) -> pd.Series:
    """Incidents per year (``"Y"``) or month (``"M"``), oldest first."""
    if "date" not in gdf.columns:
        return pd.Series(dtype="int64")
    dates = pd.to_datetime(gdf["date"], errors="coerce").dropna()
    return dates.dt.to_period(freq).value_counts().sort_index()


def _latest(periods: pd.Series, fits: int) -> tuple[pd.Period | None, int]:
    """The first of the latest periods whose incidents fit together, and their count."""
    kept, start = 0, None
    for period, count in reversed(list(periods.items())):
        if kept + int(count) > fits:
            break
        kept += int(count)
        start = period
    return start, kept


def _suggestions(gdf: gpd.GeoDataFrame, per: float, limit_mb: float, cli: bool) -> list[str]:
    """Lines naming filters that bring an export under ``limit_mb``, with counts and sizes."""
    fits = max(int((limit_mb * 1e6 - FIXED_BYTES) / per), 0) if per else len(gdf)
    lines = [f"at about {per:,.0f} bytes an incident, up to about {fits:,} incidents fit"]
    years = _periods(gdf, "Y")
    if len(years):
        per_year = ", ".join(f"{y}: {int(c):,} (~{_mb(int(c), per)} MB)"
                             for y, c in years.items())
        lines.append(f"incidents per year: {per_year}")
        start, kept = _latest(years, fits)
        if start is None:  # (not even the last year: months)
            start, kept = _latest(_periods(gdf, "M"), fits)
        if start is not None and kept < len(gdf):
            day = f"{start.start_time:%Y-%m-%d}"
            how = f"--start {day}" if cli else f"dates from {day}"
            lines.append(f"{how} keeps {kept:,} incidents (~{_mb(kept, per)} MB)")
    for column, flag, what in (("actor", "--actor {} --role perpetrator", "actor {}"),
                               ("country", "--country {}", "country {}")):
        if column not in gdf.columns:
            continue
        counts = gdf[column].astype(object).value_counts(dropna=True)
        under = [(name, int(c)) for name, c in counts.items() if int(c) <= fits][:_TOP]
        if under:
            shown = "; ".join(f"{(flag if cli else what).format(_quote(str(name), cli))}: {c:,} "
                              f"(~{_mb(c, per)} MB)" for name, c in under)
            lines.append(f"the largest {column} views that fit: {shown}")
    return lines


def _quote(name: str, cli: bool) -> str:
    return shlex.quote(name) if cli else repr(name)


def size_problem(gdf: gpd.GeoDataFrame, max_mb: float | None = None, *, cli: bool = True,
                 per_incident: float | None = None) -> str | None:
    """None when an export of ``gdf`` fits in ``max_mb``; else why not, and what would fit.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The view to export.
    max_mb : float, optional
        The limit in MB (default :func:`default_max_mb`).
    cli : bool, default True
        Name the filters as ``mapapp export``'s options (else as the page's).
    per_incident : float, optional
        Bytes per incident, when already known (:func:`bytes_per_incident`
        of the whole dataset: the page estimates it once).

    Returns
    -------
    str or None
        The message: the size the file would reach, the limit, and filters
        that would bring it under, each with its count and size.
    """
    limit = default_max_mb() if max_mb is None else float(max_mb)
    per = bytes_per_incident(gdf) if per_incident is None else per_incident
    if fits(len(gdf), per, limit):
        return None
    size_mb = (FIXED_BYTES + len(gdf) * per) / 1e6
    raise_it = "raise the limit with --max-mb" if cli else \
        "export with `mapapp export --max-mb`"
    lines = [f"the HTML map of {len(gdf):,} incidents would be about {_fmt(size_mb)} MB, over "
             f"the limit of {_fmt(limit)} MB; filter it down, or {raise_it}:"]
    lines += ["  " + line for line in _suggestions(gdf, per, limit, cli)]
    return "\n".join(lines)
