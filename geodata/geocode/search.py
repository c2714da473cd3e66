"""Finding and ranking the gazetteer entries a name matches, and choosing one.

:func:`_search` collects every match (user gazetteer, sites, countries,
towns) with its rank, applies the admin1 hint and sorts best first;
:func:`_merged` decides whether several equally good candidates are one
place; the messages of the geocoder's errors are built here too.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from ..errors import GeocodeError, UnknownPlaceError, format_hints
from ..schema import GEO_PRECISION_DEFAULT_KM
from .candidate import Candidate, _haversine_km, _precision_for
from .gazetteer import _Gazetteer
from .index import MAJOR_TOWN_POPULATION
from .names import _admin1_key, _fold, _light, normalize
from .user import UserGazetteer

__all__ = ["MERGE_RADIUS_KM", "PlaceNotInAdmin1Error"]

#: Several equally good candidates in one admin1 division are merged into
#: their centroid when it lies within this many km (plus their own radius)
#: of each of them; further apart the name is ambiguous.
MERGE_RADIUS_KM = 50.0

# Match quality (first element of a candidate's rank): the name equals one of
# the entry's names after light normalisation (case, diacritics, punctuation)
# or only after the full normalisation of :func:`normalize`.
_LIGHT, _FOLDED = 0, 1
# Which gazetteer (second element): the user's own places, then curated
# sites, countries, large towns, small towns.
_USER, _SITE, _COUNTRY, _MAJOR_TOWN, _MINOR_TOWN = -1, 0, 1, 2, 3
# Third element: the name matches the entry's main name, or only an alternate.
_MAIN_NAME, _ALT_NAME = 0, 1

# A hit: (rank, candidate, regions, keys). ``regions`` holds the
# (ISO2, admin1 code) pairs the entry lies in (empty if unknown); ``keys``
# the normalised admin1 names of entries whose admin1 name is not in the
# division table (a sites.csv or user row), else empty.
_Hit = tuple


class _Search:
    """The outcome of one search: kept hits, best first, and those ruled out."""

    __slots__ = ("excluded", "hits", "regions", "unknown_admin1", "user")

    def __init__(self):
        self.hits: list[_Hit] = []
        self.excluded: list[_Hit] = []
        self.regions: frozenset = frozenset()
        self.unknown_admin1 = False
        self.user = False



class _Found:
    """Matches collected so far: the best rank of each entry and how to make it."""

    __slots__ = ("hits",)

    def __init__(self):
        self.hits: dict[tuple, _Hit] = {}

    def offer(self, key: tuple, rank: tuple[int, int, int], make, regions: frozenset, keys=()):
        """Keep the entry ``key`` with ``rank`` unless it is already known with a better one."""
        if key not in self.hits or rank < self.hits[key][0]:
            self.hits[key] = (rank, make, regions, frozenset(keys))


def _offer_user(found: _Found, gaz: _Gazetteer, user: UserGazetteer, iso2: str | None,
                light: str, folded: str) -> None:
    for level, index, key in ((_LIGHT, user.light, light), (_FOLDED, user.fold, folded)):
        for k in index.get(key, ()):
            p = user.places[k]
            if iso2 and p.country != iso2:
                continue
            regions = gaz.regions_for((p.country,), p.admin1)
            keys = () if regions or not p.admin1 else (_admin1_key(p.admin1),)
            found.offer(("user", k), (level, _USER, _MAIN_NAME),
                        lambda k=k: user.candidate(gaz, k), regions, keys)


def _offer_sites(found: _Found, gaz: _Gazetteer, iso2: str | None, light: str,
                 folded: str) -> None:
    for level, index, key in ((_LIGHT, gaz.site_light, light), (_FOLDED, gaz.site_fold, folded)):
        for j in index.get(key, ()):
            site = gaz.sites[j]
            if iso2 and iso2 not in site.countries:
                continue
            regions = gaz.regions_for(site.countries, site.admin1)
            keys = () if regions or not site.admin1 else (_admin1_key(site.admin1),)
            found.offer(("site", j), (level, _SITE, _MAIN_NAME), lambda j=j: gaz.site(j),
                        regions, keys)


def _offer_countries(found: _Found, gaz: _Gazetteer, iso2: str | None, light: str,
                     folded: str) -> None:
    for level, index, key in ((_LIGHT, gaz.country_light, light),
                              (_FOLDED, gaz.country_fold, folded)):
        for cc in index.get(key, ()):
            if iso2 and cc != iso2:
                continue
            found.offer(("country", cc), (level, _COUNTRY, _MAIN_NAME),
                        lambda cc=cc: gaz.country(cc), frozenset())


def _offer_towns(found: _Found, gaz: _Gazetteer, iso2: str | None, light: str,
                 folded: str) -> None:
    town_hits = (
        (_LIGHT, gaz.light_index.get(light)),
        (_FOLDED, gaz.light_index.get(folded) + gaz.fold_index.get(folded)),
    )
    for level, ids in town_hits:
        for i in ids:
            region = gaz.town_region(i)
            if iso2 and region[0] != iso2:
                continue
            tier = _MAJOR_TOWN if gaz.t_pop[i] >= MAJOR_TOWN_POPULATION else _MINOR_TOWN
            main = _MAIN_NAME if normalize(gaz.t_name[i]) == folded else _ALT_NAME
            found.offer(("town", i), (level, tier, main), lambda i=i: gaz.town(i),
                        frozenset({region}))


def _search(gaz: _Gazetteer, name: str, country: str | None, admin1: str | None,
            user: UserGazetteer | None = None) -> _Search:
    """All matches as hits, best first, with the admin1 hint applied."""
    out = _Search()
    iso2 = gaz.resolve_country_hint(country) if country not in (None, "") else None
    light = _light(str(name))
    folded = _fold(light)
    if not folded:
        return out
    found = _Found()
    if user is not None:
        _offer_user(found, gaz, user, iso2, light, folded)
    _offer_sites(found, gaz, iso2, light, folded)
    _offer_countries(found, gaz, iso2, light, folded)
    _offer_towns(found, gaz, iso2, light, folded)

    hits = list(found.hits.values())
    if admin1 not in (None, ""):
        hits = _apply_admin1(gaz, out, hits, str(admin1), iso2)
    if user is not None:
        mine = [h for h in hits if h[0][1] == _USER]
        if mine:  # the user's own places are consulted first
            out.user = True
            hits = mine
    hits = [(rank, make(), regions, keys) for rank, make, regions, keys in hits]
    hits.sort(key=lambda h: (h[0], -(h[1].population or 0), h[1].name, h[1].lat, h[1].lon))
    out.hits = hits
    return out



def _apply_admin1(gaz: _Gazetteer, out: _Search, hits: list, admin1: str, iso2: str | None
                  ) -> list:
    """Keep the hits in the division ``admin1`` names; record the others."""
    want = gaz.resolve_admin1_hint(admin1, iso2)
    want_keys = {_admin1_key(admin1), normalize(admin1)}
    out.regions = want
    matched, unknown, excluded = [], [], []
    for hit in hits:
        regions, keys = hit[2], hit[3]
        if regions & want or keys & want_keys:
            matched.append(hit)
        elif keys or any(r in gaz.divisions.name for r in regions):
            excluded.append(hit)  # in another division: never returned
        else:
            unknown.append(hit)  # division not known: cannot be ruled out
    if not want and not any(h[3] & want_keys for h in hits):
        out.unknown_admin1 = True
        return []
    out.excluded = [(rank, make(), regions, keys) for rank, make, regions, keys in excluded]
    # Entries whose division is unknown (countries, towns whose GeoNames code
    # has no name) cannot be ruled out by it; they count only when nothing
    # in the division matches.
    return matched or unknown


def _unknown_admin1_error(gaz: _Gazetteer, name: str, country, admin1, iso2) -> GeocodeError:
    known = sorted({label for r, label in gaz.divisions.name.items() if r[0] == iso2})
    where = f" of {gaz.iso3_of.get(iso2, iso2)}" if iso2 else ""
    listing = f"; known divisions{where}: {', '.join(known)}" if known else ""
    return GeocodeError(
        f"place '{name}'{format_hints(country, admin1)}: admin1 '{admin1}' is not a known "
        f"first-level division{where}{listing}; check the spelling, or leave admin1 empty")


class PlaceNotInAdmin1Error(UnknownPlaceError):
    """The name is known, but not in the first-level division given.

    ``.elsewhere`` lists the same-name places in other divisions (the
    candidates the admin1 hint ruled out).
    """

    def __init__(self, name: str, country, admin1, elsewhere: list, label: str):
        GeocodeError.__init__(self, _not_in_admin1_message(name, country, admin1, elsewhere,
                                                           label))
        self.name, self.country, self.admin1 = name, country, admin1
        self.elsewhere = list(elsewhere)


def _not_in_admin1_message(name, country, admin1, elsewhere, label) -> str:
    shown = "; ".join(c.describe() for c in elsewhere[:5])
    more = f"; and {len(elsewhere) - 5} more" if len(elsewhere) > 5 else ""
    return (f"place '{name}' not found in {label}{format_hints(country, admin1)}; same-name "
            f"places elsewhere: {shown}{more}")



def _spread_km(cands: Sequence[Candidate]) -> tuple[float, float, float]:
    """Centroid of the candidates and the radius that covers all of them."""
    lat = sum(c.lat for c in cands) / len(cands)
    x = sum(math.cos(math.radians(c.lon)) for c in cands)
    y = sum(math.sin(math.radians(c.lon)) for c in cands)
    lon = math.degrees(math.atan2(y, x))
    radius = max(_haversine_km(lat, lon, c.lat, c.lon) + c.radius_km for c in cands)
    return lat, lon, radius


def _same_division(cands: Sequence[Candidate]) -> bool:
    first = cands[0]
    return all((o.country, o.admin1 or o.admin1_code) == (first.country,
                                                          first.admin1 or first.admin1_code)
               for o in cands[1:])



def _merged(cands: Sequence[Candidate]) -> Candidate | None:
    """One answer for several equally good candidates of one division, or None.

    Within 10 km of the first: one place listed twice, the first is the
    answer. Within :data:`MERGE_RADIUS_KM` of their centroid: the centroid,
    with a radius that covers every candidate (and a precision to match).
    """
    if not _same_division(cands):
        return None
    first = cands[0]
    if all(_haversine_km(first.lat, first.lon, c.lat, c.lon) <= GEO_PRECISION_DEFAULT_KM["town"]
           for c in cands[1:]):
        return first
    lat, lon, radius = _spread_km(cands)
    if radius - max(c.radius_km for c in cands) > MERGE_RADIUS_KM:
        return None
    radius = round(radius, 1)
    return dataclasses.replace(
        first, lat=round(lat, 5), lon=round(lon, 5), radius_km=radius,
        precision=_precision_for(radius),
        source=(f"centroid of {len(cands)} same-name places in one admin1 division: "
                + "; ".join(c.source for c in cands[:5])),
        population=None)



def _ambiguity_message(name: str, country, admin1, cands: Sequence[Candidate]) -> str:
    shown = "; ".join(c.describe() for c in cands[:10])
    more = f"; and {len(cands) - 10} more" if len(cands) > 10 else ""
    places = {(c.country, c.admin1 or c.admin1_code) for c in cands}
    if len(places) > 1:
        advice = "pass a country or admin1 hint to choose one"
    else:
        advice = ("they share country and admin1 but lie more than "
                  f"{MERGE_RADIUS_KM:g} km apart, so use a more specific name or a gazetteer "
                  "of your own (--gazetteer)")
    return (f"ambiguous place '{name}'{format_hints(country, admin1)}: {len(cands)} candidates: "
            f"{shown}{more}; {advice}")
