"""Build ``countries.geojson``, the offline basemap of country outlines.

The source is the Natural Earth 1:110m admin-0 countries layer (public domain)
as shipped by the installed ``pyogrio`` wheel in its test fixtures
(``pyogrio/tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp``), so no
download is needed.

Steps:

1. read the shapefile (EPSG:4326) and keep only ``name`` and ``iso_a3``;
2. fix the two well-known Natural Earth ``iso_a3 == "-99"`` entries for
   France and Norway (``FRA``, ``NOR``); other ``-99`` entries (Kosovo,
   N. Cyprus, Somaliland) have no ISO code and stay ``-99``;
3. simplify with :func:`shapely.coverage_simplify`, which simplifies the
   shared borders once so neighbouring countries still fit together exactly.
   If the input is not a valid coverage (or shapely < 2.1), fall back to
   :func:`shapely.simplify` with ``preserve_topology=True``;
4. snap to a grid with :func:`shapely.set_precision` (keeps polygons valid)
   and write coordinates rounded to that many decimals;
5. orient rings counter-clockwise (RFC 7946) and write compact UTF-8 JSON,
   features sorted by name.

Run from the project root::

    .venv/bin/python tools/make_countries.py
"""

from __future__ import annotations

import argparse
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import pyogrio
import shapely

#: Path of the shapefile inside the installed pyogrio package.
FIXTURE = "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"

#: Natural Earth marks these countries ``-99``; their ISO 3166 codes are known.
ISO_FIXES = {"France": "FRA", "Norway": "NOR"}

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "mapapp" / "data" / "countries.geojson"


def source_path() -> Path:
    """Return the path of Natural Earth low-resolution countries in pyogrio.

    Returns
    -------
    pathlib.Path
        The ``.shp`` file of pyogrio's ``naturalearth_lowres`` fixture.

    Raises
    ------
    FileNotFoundError
        If the installed pyogrio does not carry the fixture.
    """
    path = Path(str(resources.files("pyogrio").joinpath(FIXTURE)))
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: this pyogrio ({pyogrio.__version__}) wheel does not "
            "ship the naturalearth_lowres test fixture"
        )
    return path


def simplify(geoms: Any, tolerance: float) -> Any:
    """Simplify country polygons, keeping shared borders identical if possible.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely geometries
        Country (multi)polygons.
    tolerance : float
        Simplification tolerance in degrees.

    Returns
    -------
    numpy.ndarray of shapely geometries
        Simplified geometries, in the same order.
    """
    if hasattr(shapely, "coverage_simplify") and shapely.coverage_is_valid(geoms):
        return shapely.coverage_simplify(geoms, tolerance)
    return shapely.simplify(geoms, tolerance, preserve_topology=True)


def _round_coords(obj: Any, ndigits: int) -> Any:
    """Round every number in nested coordinate sequences.

    Parameters
    ----------
    obj : Any
        A coordinate, or a (nested) sequence of coordinates.
    ndigits : int
        Decimal places.

    Returns
    -------
    Any
        The same structure as lists with rounded floats.
    """
    if isinstance(obj, (list, tuple)):
        return [_round_coords(item, ndigits) for item in obj]
    value = round(float(obj), ndigits)
    return 0.0 if value == 0 else value  # no "-0.0"


def build(tolerance: float = 0.1, ndigits: int = 3) -> dict[str, Any]:
    """Build the simplified countries FeatureCollection.

    Parameters
    ----------
    tolerance : float, default 0.1
        Simplification tolerance in degrees.
    ndigits : int, default 3
        Decimal places kept in coordinates (grid size ``10 ** -ndigits``).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection whose features have only ``name`` and
        ``iso_a3`` properties.
    """
    df = pyogrio.read_dataframe(source_path(), columns=["name", "iso_a3"])
    if df.crs is not None and df.crs.to_epsg() != 4326:
        df = df.to_crs(4326)
    geoms = simplify(df.geometry.values, tolerance)
    geoms = shapely.set_precision(geoms, 10.0**-ndigits)
    if hasattr(shapely, "orient_polygons"):
        geoms = shapely.orient_polygons(geoms, exterior_cw=False)

    features = []
    for name, iso, geom in zip(df["name"], df["iso_a3"], geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        mapping = shapely.geometry.mapping(geom)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name, "iso_a3": ISO_FIXES.get(name, iso)},
                "geometry": {
                    "type": mapping["type"],
                    "coordinates": _round_coords(mapping["coordinates"], ndigits),
                },
            }
        )
    features.sort(key=lambda f: f["properties"]["name"])
    return {"type": "FeatureCollection", "features": features}


def write(collection: dict[str, Any], output: Path) -> int:
    """Write a FeatureCollection as compact UTF-8 JSON.

    Parameters
    ----------
    collection : dict
        The GeoJSON to write.
    output : pathlib.Path
        Destination file.

    Returns
    -------
    int
        Size of the written file in bytes.
    """
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    data = (text + "\n").encode("utf-8")
    output.write_bytes(data)
    return len(data)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.1, help="degrees (default 0.1)")
    parser.add_argument("--digits", type=int, default=3, help="decimal places (default 3)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not (args.tolerance >= 0 and math.isfinite(args.tolerance)):
        parser.error("--tolerance must be a finite number >= 0")
    collection = build(args.tolerance, args.digits)
    size = write(collection, args.output)
    print(
        f"wrote {args.output} ({size} bytes, {len(collection['features'])} features) "
        f"from {source_path()} (pyogrio {pyogrio.__version__})"
    )


if __name__ == "__main__":
    main()
