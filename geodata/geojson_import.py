"""Read any point GeoJSON or GeoParquet as a table the importers convert.

A GeoJSON written by GDAL (``ogr2ogr``), csv2geojson, OpenStreetMap tools or
the like carries its fields as feature properties, typed (numbers are JSON
numbers, an ``id`` may be numeric). :func:`read_geo_table` turns them back into
text columns, exactly as a CSV export of the same data would hold them, and
adds ``latitude``/``longitude`` from the geometry, so that ACLED and UCDP GED
copies are recognised by their properties and converted with the same rules
as their CSV exports, and anything else goes through the plain-CSV rules
(synonyms and ``mapping``).

Geometry rules:

* a Point gives the coordinates;
* any other geometry (MultiPoint, LineString, Polygon, ...) gives a
  representative point on it (:func:`shapely.point_on_surface`) and a radius in
  km that reaches every vertex, so the precision radius covers the shape;
* a null, empty or invalid geometry rejects the feature with the reason.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from .errors import DataSourceError
from .headers import check_width
from .io import to_wgs84

__all__ = ["GEO_SUFFIXES", "GeoTable", "is_geo_input", "read_geo_table", "shape_radius_km"]

#: Input suffixes read as GeoJSON or GeoParquet.
GEO_SUFFIXES = (".geojson", ".json", ".parquet", ".geoparquet")

_EARTH_KM = 6371.0088
_COORD_NAMES = ("latitude", "longitude")


@dataclass
class GeoTable:
    """Features as text columns.

    Attributes
    ----------
    frame : pandas.DataFrame
        ``str`` columns: each property, then ``latitude``/``longitude``.
    lines : numpy.ndarray
        The feature index (0-based) of each row.
    columns : list of str
        Column names, in order.
    bad : list of (int, str, list of str)
        Rejected features: (index, reason, their cells in column order).
    shape_km : numpy.ndarray
        Per row: the radius (km) a non-point geometry needs, NaN for points.
    notes : list of str
        What the reader did (e.g. how many polygons became points).
    """

    frame: pd.DataFrame
    lines: np.ndarray
    columns: list[str]
    bad: list[tuple[int, str, list[str]]]
    shape_km: np.ndarray
    notes: list[str] = field(default_factory=list)


def is_geo_input(name: str, head: bytes) -> bool:
    """True when a file is GeoJSON or GeoParquet (by suffix or by its first bytes)."""
    if Path(name).suffix.lower() in GEO_SUFFIXES:
        return True
    if head.startswith(b"PAR1"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text.startswith(b"{") and b'"type"' in text[:4096]


def _text(value: Any) -> str:
    """A property value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _haversine_km(lon0: float, lat0: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    p0, p1 = np.radians(lat0), np.radians(lats)
    dp, dl = p1 - p0, np.radians(lons - lon0)
    a = np.sin(dp / 2) ** 2 + np.cos(p0) * np.cos(p1) * np.sin(dl / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def shape_radius_km(geom) -> tuple[float, float, float]:
    """(lon, lat, radius km) of a representative point that covers ``geom``.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> lon, lat, km = shape_radius_km(box(44.0, 33.0, 44.2, 33.2))
    >>> round(lon, 1), round(lat, 1), 14 < km < 15
    (44.1, 33.1, True)
    """
    point = shapely.point_on_surface(geom)
    coords = shapely.get_coordinates(geom)
    lon, lat = float(shapely.get_x(point)), float(shapely.get_y(point))
    km = float(_haversine_km(lon, lat, coords[:, 0], coords[:, 1]).max()) if len(coords) else 0.0
    return lon, lat, math.ceil(km * 10) / 10


def _geometry(geom: Any) -> tuple[float, float, float] | str:
    """(lon, lat, shape km or NaN) or the reason the geometry is unusable."""
    if geom is None:
        return "geometry: null (the feature has no location)"
    if isinstance(geom, dict) and geom.get("type") == "Point":
        c = geom.get("coordinates")
        if (isinstance(c, list | tuple) and len(c) >= 2
                and all(isinstance(v, int | float) and not isinstance(v, bool) for v in c[:2])):
            return float(c[0]), float(c[1]), math.nan
        return f"geometry: Point coordinates are not [longitude, latitude]: {c!r:.60}"
    try:
        shape = shapely.from_geojson(json.dumps(geom)) if isinstance(geom, dict) else geom
    except (shapely.errors.GEOSException, TypeError, ValueError) as exc:
        return f"geometry: not a valid GeoJSON geometry ({exc})"
    if shape is None or shape.is_empty:
        return "geometry: empty (the feature has no location)"
    if shape.geom_type == "Point":
        return float(shape.x), float(shape.y), math.nan
    return shape_radius_km(shape)


def _features(path: str | os.PathLike | None, data: bytes | None, name: str) -> list:
    from .io import load_features

    return load_features(data if data is not None else path, name=name, kind="geojson")


def _records_from_geojson(features: list, name: str) -> tuple[list[dict], list[Any]]:
    records, geoms = [], []
    for i, feat in enumerate(features):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise DataSourceError(f"{name}: feature {i} is not a GeoJSON Feature object")
        props = dict(feat.get("properties") or {})
        if "id" in feat and feat["id"] is not None and "id" not in props:
            props = {"id": feat["id"], **props}
        records.append(props)
        geoms.append(feat.get("geometry"))
    return records, geoms


def _records_from_parquet(path, data, name: str) -> tuple[list[dict], list[Any]]:
    import io

    import geopandas as gpd

    try:
        gdf = gpd.read_parquet(io.BytesIO(data) if data is not None else path)
    except Exception as exc:  # pyarrow and geopandas raise many kinds
        raise DataSourceError(f"{name}: not a readable GeoParquet file: {exc}") from exc
    gdf = to_wgs84(gdf, name)
    props = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    records = props.astype(object).where(props.notna(), None).to_dict("records")
    return records, list(gdf.geometry.values)


def read_geo_table(path: str | os.PathLike | None, data: bytes | None, name: str) -> GeoTable:
    """Read a GeoJSON FeatureCollection or a GeoParquet file as text columns.

    Parameters
    ----------
    path : path or None
        The file (None when ``data`` is given).
    data : bytes or None
        The file's bytes (an upload).
    name : str
        The file's name, for messages.

    Returns
    -------
    GeoTable

    Raises
    ------
    DataSourceError
        When the file is not a FeatureCollection or not readable GeoParquet.
    """
    records, geoms = _records(path, data, name)
    columns: dict[str, None] = {}
    for rec in records:
        for key in rec:
            if str(key).strip().lower() not in _COORD_NAMES:  # the geometry gives them
                columns.setdefault(str(key), None)
    check_width(len(columns), name)
    frame, lines, bad, radius = _tabulate(records, geoms, list(columns))
    notes = []
    shapes = int(np.count_nonzero(~np.isnan(radius)))
    if shapes:
        notes.append(f"{shapes} feature{'s' if shapes != 1 else ''} with a line or polygon "
                     f"geometry placed at a point on the shape, with a radius that covers it")
    return GeoTable(frame, lines, [*columns, *_COORD_NAMES], bad, radius, notes)


def _records(path, data: bytes | None, name: str) -> tuple[list[dict], list[Any]]:
    """(properties, geometry) of each feature of a GeoParquet or GeoJSON file."""
    if data is not None:
        head = data[:4]
    else:
        with open(path, "rb") as fh:
            head = fh.read(4)
    if head == b"PAR1" or Path(name).suffix.lower() in (".parquet", ".geoparquet"):
        return _records_from_parquet(path, data, name)
    return _records_from_geojson(_features(path, data, name), name)


def _tabulate(records: list[dict], geoms: list[Any], columns: list[str]):
    """Text cells per column (then latitude/longitude) for the features with a location.

    Returns (frame, feature index per row, rejected features, shape radius per row).
    """
    cells: dict[str, list[str]] = {c: [] for c in [*columns, *_COORD_NAMES]}
    lines: list[int] = []
    radius: list[float] = []
    bad: list[tuple[int, str, list[str]]] = []
    for i, (rec, geom) in enumerate(zip(records, geoms, strict=True)):
        where = _geometry(geom)
        texts = [_text(rec.get(c)) for c in columns]
        if isinstance(where, str):
            ident = rec.get("id")
            who = f" (id {_text(ident)!r})" if ident is not None else ""
            bad.append((i, f"feature {i}{who}: {where}", [*texts, "", ""]))
            continue
        lon, lat, km = where
        for c, t in zip(columns, texts, strict=True):
            cells[c].append(t)
        cells["latitude"].append(repr(lat))
        cells["longitude"].append(repr(lon))
        lines.append(i)
        radius.append(km)
    frame = pd.DataFrame({c: pd.Series(v, dtype="str") for c, v in cells.items()},
                         index=pd.RangeIndex(len(lines)))
    return (frame, np.asarray(lines, dtype=np.int64), bad,
            np.asarray(radius, dtype="float64"))
