"""The user's own gazetteer: a CSV of places searched before the built-in one.

:func:`load_gazetteer` reads and checks the file; :func:`use_gazetteer`
makes one the default for a block of code. :func:`build_gazetteer`
(:mod:`geodata.geocode.build`) writes such files.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import math
import os
from dataclasses import dataclass

from ..errors import GeocodeError
from ..schema import GEO_PRECISION_DEFAULT_KM, GEO_PRECISIONS
from .candidate import Candidate, _precision_for
from .gazetteer import _add_list, _Gazetteer, _gazetteer
from .names import _light, normalize

__all__ = ["GAZETTEER_COLUMNS", "UserGazetteer", "load_gazetteer", "use_gazetteer"]

#: Columns of a user gazetteer file; ``alt_names``, ``precision_km``,
#: ``source`` and ``count`` are optional.
GAZETTEER_COLUMNS = ("name", "admin1", "country", "lat", "lon", "precision")
_GAZETTEER_OPTIONAL = ("alt_names", "precision_km", "source", "count")


@dataclass(frozen=True)
class _UserPlace:
    name: str
    names: tuple[str, ...]
    admin1: str | None
    country: str  # ISO2
    lat: float
    lon: float
    radius_km: float
    source: str


class UserGazetteer:
    """Places from the user's own CSV file, searched before the built-in gazetteer.

    Load one with :func:`load_gazetteer`; pass it (or the path) as
    ``gazetteer=`` to :func:`geocode`, :func:`lookup` or :func:`geocode_many`,
    or make it the default for a block of code with :func:`use_gazetteer`.

    Parameters
    ----------
    path : str
        The file it was read from (used in sources and messages).
    places : list
        The entries, in file order.
    """

    def __init__(self, path: str, places: list[_UserPlace]):
        self.path = path
        self.places = places
        self.light: dict[str, list[int]] = {}
        self.fold: dict[str, list[int]] = {}
        for k, place in enumerate(places):
            for raw in place.names:
                _add_list(self.light, _light(raw), k)
                _add_list(self.fold, normalize(raw), k)

    def __len__(self) -> int:
        return len(self.places)

    def __repr__(self) -> str:
        return f"UserGazetteer({self.path!r}, {len(self.places)} places)"

    def candidate(self, gaz: _Gazetteer, k: int) -> Candidate:
        """Return entry ``k`` as a :class:`Candidate`."""
        p = self.places[k]
        return Candidate(
            name=p.name, lat=p.lat, lon=p.lon, country=gaz.iso3_of.get(p.country, p.country),
            admin1=p.admin1, precision=_precision_for(p.radius_km), radius_km=p.radius_km,
            source=f"user gazetteer {os.path.basename(self.path)}: {p.source}", kind="user",
            population=None,
        )


def _precision_km(value: str, row_label: str) -> float:
    text = (value or "").strip()
    if text.lower() in GEO_PRECISION_DEFAULT_KM:
        return GEO_PRECISION_DEFAULT_KM[text.lower()]
    try:
        km = float(text)
    except ValueError:
        raise ValueError(f"{row_label}: precision must be a radius in km or one of "
                         f"{', '.join(GEO_PRECISIONS)}, got {text!r}") from None
    if not (km > 0 and math.isfinite(km)):
        raise ValueError(f"{row_label}: precision must be a positive radius in km, got {text!r}")
    return km


def load_gazetteer(path: str | os.PathLike) -> UserGazetteer:
    """Read a user gazetteer CSV.

    The file has a header with at least :data:`GAZETTEER_COLUMNS`: ``name``,
    ``admin1`` (may be empty), ``country`` (ISO3, ISO2 or English name),
    ``lat``, ``lon`` (WGS84 degrees) and ``precision`` (a radius in km, or
    ``site``/``town``/``region``/``country``). Optional: ``alt_names``
    (``;``-separated), ``precision_km`` (overrides ``precision``),
    ``source``, ``count``. :func:`build_gazetteer` writes such files.

    Parameters
    ----------
    path : str or os.PathLike
        The CSV file (UTF-8).

    Returns
    -------
    UserGazetteer

    Raises
    ------
    GeocodeError
        If the file cannot be read, lacks a column, or a row is invalid; the
        message names the file, the line, the field and what is wrong.
    """
    label = os.fspath(path)
    gaz = _gazetteer()
    try:
        handle = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise GeocodeError(f"{label}: cannot read the gazetteer: {exc.strerror or exc}") from exc
    places = []
    try:
        with handle:
            reader = csv.DictReader(handle)
            fields = [f.strip().lower() for f in (reader.fieldnames or ())]
            reader.fieldnames = fields
            missing = [c for c in GAZETTEER_COLUMNS if c not in fields
                       and not (c == "precision" and "precision_km" in fields)]
            if missing:
                raise GeocodeError(f"{label}: missing column(s) {', '.join(missing)} (a "
                                   f"gazetteer needs {', '.join(GAZETTEER_COLUMNS)})")
            for line, row in enumerate(reader, start=2):
                where = f"{label}, line {line}"
                try:
                    places.append(_user_place(gaz, row, where))
                except ValueError as exc:
                    raise GeocodeError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise GeocodeError(f"{label}: not UTF-8 text ({exc.reason})") from None
    return UserGazetteer(label, places)


def _user_place(gaz: _Gazetteer, row: dict, where: str) -> _UserPlace:
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError(f"{where}: name is empty")
    try:
        lat, lon = float(row.get("lat") or ""), float(row.get("lon") or "")
    except ValueError:
        raise ValueError(f"{where} ({name!r}): lat/lon must be numbers, got "
                         f"{row.get('lat')!r}, {row.get('lon')!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"{where} ({name!r}): lat/lon out of range: {lat}, {lon}")
    country = (row.get("country") or "").strip()
    if not country:
        raise ValueError(f"{where} ({name!r}): country is empty")
    try:
        iso2 = gaz.resolve_country_hint(country)
    except GeocodeError:
        raise ValueError(f"{where} ({name!r}): unknown country {country!r} (use an ISO3 or "
                         "ISO2 code or an English country name)") from None
    km_text = row.get("precision_km") or row.get("precision") or ""
    radius = _precision_km(km_text, f"{where} ({name!r})")
    alts = tuple(a.strip() for a in (row.get("alt_names") or "").split(";") if a.strip())
    source = (row.get("source") or "").strip() or f"line {where.rsplit(' ', 1)[-1]}"
    return _UserPlace(name=name, names=(name, *alts),
                      admin1=(row.get("admin1") or "").strip() or None, country=iso2,
                      lat=lat, lon=lon, radius_km=radius, source=source)


_DEFAULT_USER: contextvars.ContextVar[UserGazetteer | None] = contextvars.ContextVar(
    "geodata_user_gazetteer", default=None)


def _user_gazetteer(gazetteer) -> UserGazetteer | None:
    if gazetteer is None:
        return _DEFAULT_USER.get()
    if isinstance(gazetteer, UserGazetteer):
        return gazetteer
    return _load_cached_gazetteer(os.fspath(gazetteer))


def _load_cached_gazetteer(path: str) -> UserGazetteer:
    stat = os.stat(path) if os.path.exists(path) else None
    key = (os.path.abspath(path), stat and stat.st_mtime_ns, stat and stat.st_size)
    hit = _USER_CACHE.get(key)
    if hit is None:
        hit = load_gazetteer(path)
        _USER_CACHE.clear()
        _USER_CACHE[key] = hit
    return hit


_USER_CACHE: dict[tuple, UserGazetteer] = {}


@contextlib.contextmanager
def use_gazetteer(gazetteer):
    """Make a user gazetteer the default for the calls inside a ``with`` block.

    Parameters
    ----------
    gazetteer : UserGazetteer, str, os.PathLike or None
        The gazetteer or the path of its CSV file; None leaves the default
        unchanged.

    Yields
    ------
    UserGazetteer or None
        The gazetteer in force inside the block.

    Examples
    --------
    >>> with use_gazetteer("places.csv"):  # doctest: +SKIP
    ...     geocode("Tall Kayf", "IRQ", "Ninewa")
    """
    if gazetteer is None:
        yield _DEFAULT_USER.get()
        return
    user = _user_gazetteer(gazetteer)
    token = _DEFAULT_USER.set(user)
    try:
        yield user
    finally:
        _DEFAULT_USER.reset(token)
