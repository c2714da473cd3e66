"""The geocoder's entry points: :func:`lookup`, :func:`geocode`, :func:`geocode_many`."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import AmbiguousPlaceError, GeocodeError, UnknownPlaceError
from .candidate import Candidate
from .gazetteer import _gazetteer
from .names import _clean
from .search import (
    PlaceNotInAdmin1Error,
    _ambiguity_message,
    _merged,
    _Search,
    _search,
    _unknown_admin1_error,
)
from .user import _user_gazetteer, use_gazetteer

__all__ = ["geocode", "geocode_many", "lookup"]


def lookup(name: str, country: str | None = None, admin1: str | None = None, *,
           gazetteer=None) -> list[Candidate]:
    """Return every gazetteer entry matching a place name, best first.

    Parameters
    ----------
    name : str
        Place name, any spelling handled by :func:`normalize`.
    country : str, optional
        Keep only entries in this country: ISO3 (``"IRQ"``), ISO2 (``"IQ"``)
        or an English name (``"Iraq"``), case-insensitive.
    admin1 : str, optional
        Keep only entries in this first-level division: a GeoNames admin1
        name or a common spelling of it (``Ninewa``, ``Nineveh``, ``Dohuk``,
        ``Salahuddin``, Arabic script ...), compared normalised and ignoring
        words like "Governorate"; or a GeoNames code (``"15"``, ``"IQ.15"``).
        Entries in another division are never returned.
    gazetteer : UserGazetteer, str or os.PathLike, optional
        A user gazetteer (or its CSV path) searched first; when it has a match
        only its matches are returned. Default: the one set by
        :func:`use_gazetteer`, if any.

    Returns
    -------
    list of Candidate
        Best first: exact spellings before folded ones (see
        :func:`normalize`), then project sites, countries, towns of at least
        :data:`MAJOR_TOWN_POPULATION` inhabitants, smaller towns; then main
        names before alternate names, then larger population first. Empty
        if nothing matches.

    Raises
    ------
    GeocodeError
        If the country hint names no known country, or the admin1 hint no
        known division (of that country).
    """
    gaz = _gazetteer()
    found = _search(gaz, name, country, admin1, _user_gazetteer(gazetteer))
    if found.unknown_admin1:
        iso2 = gaz.resolve_country_hint(country) if country not in (None, "") else None
        raise _unknown_admin1_error(gaz, str(name), country, admin1, iso2)
    return [hit[1] for hit in found.hits]


def geocode(name: str, country: str | None = None, admin1: str | None = None, *,
            gazetteer=None) -> Candidate:
    """Resolve a place name to a single gazetteer entry.

    The candidates of :func:`lookup` are compared by rank: match quality
    (exact spelling before folded spelling), then gazetteer (user
    gazetteer, project site, country, town of at least
    :data:`MAJOR_TOWN_POPULATION`, smaller town), then main name before
    alternate name. The best-ranked candidates win:

    * one of them: it is the answer;
    * several in one country and admin1 division within 10 km of the first:
      the same place listed twice; the first (most populous) is the answer;
    * several in one division, further apart but all within
      :data:`MERGE_RADIUS_KM` of their centroid: the centroid, with a radius
      covering them all and the precision that radius gives (never a 10 km
      town for a point chosen among several);
    * otherwise the name is ambiguous. Population never breaks a tie between
      places in different countries or admin1 divisions.

    Parameters
    ----------
    name : str
        Place name.
    country, admin1 : str, optional
        Hints, as in :func:`lookup`. A candidate in another division than
        ``admin1`` is never returned.
    gazetteer : UserGazetteer, str or os.PathLike, optional
        As in :func:`lookup`.

    Returns
    -------
    Candidate
        The match, with precision and radius.

    Raises
    ------
    UnknownPlaceError
        If nothing matches (message ``unknown place 'NAME'`` plus the hints).
    PlaceNotInAdmin1Error
        If the name matches only places outside the admin1 division given
        (an :class:`UnknownPlaceError` naming them).
    AmbiguousPlaceError
        If several equally good places match; ``.candidates`` lists them.
    GeocodeError
        If the country hint names no known country or the admin1 hint no
        known division.
    """
    gaz = _gazetteer()
    found = _search(gaz, name, country, admin1, _user_gazetteer(gazetteer))
    if found.unknown_admin1:
        iso2 = gaz.resolve_country_hint(country) if country not in (None, "") else None
        raise _unknown_admin1_error(gaz, str(name), country, admin1, iso2)
    if not found.hits:
        raise _no_match_error(gaz, found, str(name), country, admin1)
    best_rank = found.hits[0][0]
    best = [hit[1] for hit in found.hits if hit[0] == best_rank]
    if len(best) == 1:
        return best[0]
    merged = _merged(best)
    if merged is not None:
        return merged
    raise AmbiguousPlaceError(_ambiguity_message(str(name), country, admin1, best), best)


def _no_match_error(gaz, found: _Search, name: str, country, admin1) -> UnknownPlaceError:
    """Nothing matched: the name is unknown, or known only outside the admin1 given."""
    if found.excluded:
        labels = sorted({gaz.division_label(r) for r in found.regions}) or [str(admin1)]
        return PlaceNotInAdmin1Error(name, country or None, admin1 or None,
                                     [h[1] for h in found.excluded], " or ".join(labels))
    return UnknownPlaceError(name, country or None, admin1 or None)


# --------------------------------------------------------------------------
# Many names at once
# --------------------------------------------------------------------------

_MANY_COLUMNS = ("lat", "lon", "geo_precision", "geo_precision_km", "geocode_source",
                 "geocode_error")
_FLOAT_COLUMNS = ("lat", "lon", "geo_precision_km")


def _column(values, n: int, what: str) -> list[str | None]:
    if values is None or isinstance(values, str):
        return [_clean(values)] * n
    seq = list(values)
    if len(seq) != n:
        raise ValueError(f"{what} has {len(seq)} values for {n} names")
    return [_clean(v) for v in seq]


def _resolve(name: str | None, country: str | None, admin1: str | None) -> tuple:
    if name is None:
        return (np.nan, np.nan, None, np.nan, None, "empty place name")
    try:
        c = geocode(name, country, admin1)
    except GeocodeError as exc:
        return (np.nan, np.nan, None, np.nan, None, str(exc))
    return (c.lat, c.lon, c.precision, c.radius_km, c.source, None)


def geocode_many(names: Iterable, countries=None, admin1s=None, *,
                 gazetteer=None) -> pd.DataFrame:
    """Geocode a column of place names; errors are reported per row.

    Each distinct (name, country, admin1) triple is resolved once, so a
    million rows naming a few thousand places cost a few thousand lookups.

    Parameters
    ----------
    names : iterable of str
        Place names; a pandas Series keeps its index in the result. Missing
        or blank names give the error ``"empty place name"``.
    countries, admin1s : str or iterable, optional
        One hint for all rows, or one per row (None/NaN for none).
    gazetteer : UserGazetteer, str or os.PathLike, optional
        A user gazetteer searched first, as in :func:`lookup`.

    Returns
    -------
    pandas.DataFrame
        One row per name, in order, with columns ``lat``, ``lon``,
        ``geo_precision``, ``geo_precision_km``, ``geocode_source`` and
        ``geocode_error`` (the error message, or None on success; on error the
        other columns are NaN/None).

    Raises
    ------
    ValueError
        If ``countries`` or ``admin1s`` has a different length than ``names``.
    """
    index = names.index if isinstance(names, pd.Series) else None
    name_list = [_clean(v) for v in names]
    n = len(name_list)
    triples = pd.Series(
        list(zip(name_list, _column(countries, n, "countries"), _column(admin1s, n, "admin1s"),
                 strict=True)),
        dtype=object,
    )
    codes, uniques = pd.factorize(triples)
    with use_gazetteer(gazetteer):
        resolved = [_resolve(*triple) for triple in uniques]
    columns = {}
    for k, column in enumerate(_MANY_COLUMNS):
        dtype = float if column in _FLOAT_COLUMNS else object
        per_unique = np.array([r[k] for r in resolved], dtype=dtype)
        columns[column] = pd.Series(per_unique.take(codes), dtype=dtype, index=index)
    return pd.DataFrame(columns, index=index)
