"""The typed incident frame, made from each property's values (or Arrow columns).

What :func:`geodata.read` and :func:`geodata.load` return: datetime dates,
nullable integer counts, categorical actors and types, typed nested columns
(:mod:`geodata.nested`) where they fit, Arrow text, EPSG:4326 points, and
every other property as it was. :mod:`geodata.io` reads and writes files;
this module only builds frames.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from . import nested
from .categories import drop_unused
from .dates import days_of
from .geojson import feature_id
from .schema import (
    ATTRIBUTION_STATUSES,
    CATEGORICAL_FIELDS,
    COUNT_FIELDS,
    DERIVED_FIELDS,
    KNOWN_FIELDS,
    NESTED_FIELDS,
)

__all__ = ["frame_from_columns", "frame_from_features"]

_DATE_FIELDS = ("date", "end_date")


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # (pandas' "str": Arrow strings)


def _object_column(values: list) -> pd.Series:
    """Arrow strings (``"str"``, NaN where missing) when every value is text, else objects."""
    if isinstance(values, pa.Array | pa.ChunkedArray):  # (text read as Arrow: geodata.columnar)
        if not nested.enabled():
            values = values.to_pylist()
        elif pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            # (one chunk: see nested.typed_series; a frame's large_string kept, no cast)
            return nested.one_chunk(values).to_pandas(types_mapper={values.type: _TEXT}.get)
    if not nested.enabled():  # (the object path, for comparisons)
        return pd.Series(values, dtype=object)
    try:
        arr = pa.array(values, type=pa.string(), from_pandas=False)
    except (pa.ArrowException, TypeError, ValueError, UnicodeError):
        return pd.Series(values, dtype=object)
    return arr.to_pandas(types_mapper={pa.string(): _TEXT}.get)


_SCALAR_FIELDS = frozenset((*_DATE_FIELDS, *COUNT_FIELDS, "geo_precision_km",
                            *CATEGORICAL_FIELDS))


def _typed_from_arrow(name: str, arr: pa.Array):
    """A scalar column a frame had typed, typed as the value-list path types it.

    From :func:`geodata.columnar.columns_of_frame`: the day of each date,
    counts as Int64, the categories present, sorted.
    """
    if name in _DATE_FIELDS:
        return pd.Series(days_of(arr).astype("datetime64[ns]"))
    if name in COUNT_FIELDS:
        return arr.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get).array
    if name == "geo_precision_km":
        return pd.array(arr.to_numpy(zero_copy_only=False).astype("float64"), dtype="float64")
    values = drop_unused(arr.to_pandas().array)
    present = list(values.categories)
    return values if present == sorted(present) else values.reorder_categories(sorted(present))


def _status_column(attribution: pd.Series | None, n: int) -> pd.Categorical:
    """``attribution_status``: each row's status (``"unknown"`` where none; missing if unknown).

    A typed column's codes come from Arrow (no string object per row).
    """
    categories = list(ATTRIBUTION_STATUSES)
    if attribution is not None and nested.is_typed(attribution):
        status = pc.struct_field(nested.arrow_of(attribution), "status").fill_null("unknown")
        codes = pc.index_in(status, value_set=pa.array(categories)).fill_null(-1)
        return pd.Categorical.from_codes(
            codes.to_numpy(zero_copy_only=False).astype(np.int8), categories)
    status = nested.statuses(attribution) if attribution is not None else ["unknown"] * n
    # (an unchecked frame's may be anything: one out of the vocabulary is missing)
    status = [v if type(v) is str and v in ATTRIBUTION_STATUSES else None for v in status]
    return pd.Categorical(status, categories=categories)


def _typed_frame(columns: dict[str, list], lon: np.ndarray, lat: np.ndarray,
                 points: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """Build the typed frame from per-property value lists (None = missing)."""
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if isinstance(values, pa.Array | pa.ChunkedArray) and name in _SCALAR_FIELDS:
            data[name] = _typed_from_arrow(name, values)
        elif name in _DATE_FIELDS:
            data[name] = pd.to_datetime(
                pd.Series(values, dtype=object), format="%Y-%m-%d", errors="coerce"
            ).astype("datetime64[ns]")
        elif name in COUNT_FIELDS:
            data[name] = pd.array([None if v is None else int(v) for v in values], dtype="Int64")
        elif name == "geo_precision_km":
            data[name] = pd.array(
                [np.nan if v is None else float(v) for v in values], dtype="float64"
            )
        elif name in CATEGORICAL_FIELDS:
            data[name] = pd.Categorical(values)
        elif name in NESTED_FIELDS:
            data[name] = nested.frame_column(name, values)
        else:
            data[name] = _object_column(values)
    n = len(lon)
    data["attribution_status"] = _status_column(data.get("attribution"), n)
    order = [k for k in KNOWN_FIELDS if k in data] + [k for k in data if k not in KNOWN_FIELDS]
    frame = pd.DataFrame({k: data[k] for k in order}, index=pd.RangeIndex(n))
    points = shapely.points(lon, lat) if points is None else points
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def frame_from_columns(columns: dict[str, list], lon: np.ndarray,
                       lat: np.ndarray, points: np.ndarray | None = None) -> gpd.GeoDataFrame:
    """The typed incident frame from each property's values (None where missing).

    Parameters
    ----------
    columns : dict of str to list
        Property name to its values, one per incident (``id``: the ids).
    lon, lat : numpy.ndarray
        The points' coordinates.
    points : numpy.ndarray, optional
        Those points as 2-D shapely geometries already: kept, not made again.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`frame_from_features` types it.
    """
    return _typed_frame(columns, lon, lat, points)


def frame_from_features(features: list) -> gpd.GeoDataFrame:
    """Turn valid GeoJSON point features into the typed incident frame.

    Parameters
    ----------
    features : list of dict
        Features that passed :func:`geodata.check_features` (not checked again).

    Returns
    -------
    geopandas.GeoDataFrame
        Typed columns in :data:`~geodata.schema.KNOWN_FIELDS` order, then the
        other properties in file order; EPSG:4326 points.
    """
    n = len(features)
    keys: dict[str, None] = {"id": None}
    for f in features:
        keys.update(dict.fromkeys(f["properties"]))
    columns: dict[str, list] = {k: [None] * n for k in keys}
    lon = np.empty(n, dtype="float64")
    lat = np.empty(n, dtype="float64")
    for i, f in enumerate(features):
        for k, v in f["properties"].items():
            columns[k][i] = v
        columns["id"][i] = feature_id(f)
        coords = f["geometry"]["coordinates"]
        lon[i] = coords[0]
        lat[i] = coords[1]
    for name in DERIVED_FIELDS:
        columns.pop(name, None)
    return _typed_frame(columns, lon, lat)
