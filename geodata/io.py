"""Reading and writing incidents: GeoJSON and GeoParquet, lossless and atomic.

A frame returned by :func:`read` has typed columns (datetime dates, nullable
integer counts, categorical actors and types, EPSG:4326 points) and keeps
every other property of the file, untouched, as an object column.
:func:`write` turns it back into the same file: read -> write -> read gives
the same properties. A property that is ``null`` and one that is absent are
the same thing here (both read as missing, both written as absent).
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import DataSourceError
from .schema import (
    ATTRIBUTION_STATUSES,
    CATEGORICAL_FIELDS,
    COUNT_FIELDS,
    DERIVED_FIELDS,
    KNOWN_FIELDS,
    NESTED_FIELDS,
)
from .validate import ValidationReport, _feature_id, check_features

try:  # orjson is several times faster on large files; json is the fallback
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _orjson = None

__all__ = [
    "GEOJSON_SUFFIXES",
    "PARQUET_SUFFIXES",
    "atomic_write",
    "dumps_geojson",
    "features_of",
    "frame_from_features",
    "load_features",
    "read",
    "to_feature_collection",
    "to_features",
    "write",
]

GEOJSON_SUFFIXES = (".geojson", ".json")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
_PARQUET_META_KEY = b"incident_map"
_DATE_FIELDS = ("date", "end_date")


# ---------------------------------------------------------------- parsing


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(data: bytes, source: str) -> Any:
    try:
        if _orjson is not None:
            return _orjson.loads(data)
        return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # orjson's error subclasses json's, with the same line/column fields.
        # Its message can mention the position in bytes, which users do not need.
        msg = exc.msg.split(":")[0] if exc.msg else "invalid JSON"
        raise DataSourceError(
            f"{source}: not valid JSON: {msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"{source}: not valid JSON: {exc}") from exc


def _read_bytes(path: str | os.PathLike) -> bytes:
    source = os.fspath(path)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise DataSourceError(f"{source}: no such file") from exc
    except IsADirectoryError as exc:
        raise DataSourceError(f"{source}: is a directory, not a file") from exc
    except OSError as exc:
        raise DataSourceError(f"{source}: cannot be read: {exc.strerror or exc}") from exc


def features_of(data: Any, source: str | None = None) -> list:
    """Return the features of a parsed GeoJSON FeatureCollection.

    Raises
    ------
    DataSourceError
        When ``data`` is not a FeatureCollection with a ``features`` list.
    """
    label = f"{source}: " if source else ""
    if not isinstance(data, Mapping):
        raise DataSourceError(
            f"{label}expected a GeoJSON FeatureCollection object, got {type(data).__name__}"
        )
    if data.get("type") != "FeatureCollection":
        raise DataSourceError(
            f"{label}expected a GeoJSON FeatureCollection, got type {data.get('type')!r}"
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise DataSourceError(f"{label}'features' must be a list, got {type(features).__name__}")
    return features


def _suffix(path: str | os.PathLike) -> str:
    return Path(path).suffix.lower()


def load_features(path: str | os.PathLike) -> list:
    """Parse a GeoJSON or GeoParquet file into raw GeoJSON feature dicts.

    Nothing is checked against the schema here; see :func:`check_features`.

    Raises
    ------
    DataSourceError
        When the file is missing, unreadable, not JSON or of an unknown kind.
    """
    source = os.fspath(path)
    suffix = _suffix(path)
    if suffix in PARQUET_SUFFIXES:
        return to_features(_read_parquet_frame(path))
    if suffix not in GEOJSON_SUFFIXES:
        raise DataSourceError(
            f"{source}: unknown file type {suffix or '(none)'!r}; expected one of "
            f"{', '.join(GEOJSON_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    return features_of(_parse_json(_read_bytes(path), source), source)


# ---------------------------------------------------------------- frames


def _object_column(values: list) -> pd.Series:
    return pd.Series(values, dtype=object)


def _typed_frame(columns: dict[str, list], lon: np.ndarray, lat: np.ndarray) -> gpd.GeoDataFrame:
    """Build the typed frame from per-property value lists (None = missing)."""
    data: dict[str, Any] = {}
    for name, values in columns.items():
        if name in _DATE_FIELDS:
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
        else:
            data[name] = _object_column(values)
    n = len(lon)
    attribution = columns.get("attribution", [None] * n)
    data["attribution_status"] = pd.Categorical(
        [a.get("status", "unknown") if isinstance(a, Mapping) else "unknown" for a in attribution],
        categories=list(ATTRIBUTION_STATUSES),
    )
    order = [k for k in KNOWN_FIELDS if k in data] + [k for k in data if k not in KNOWN_FIELDS]
    frame = pd.DataFrame({k: data[k] for k in order}, index=pd.RangeIndex(n))
    return gpd.GeoDataFrame(frame, geometry=shapely.points(lon, lat), crs="EPSG:4326")


def frame_from_features(features: list) -> gpd.GeoDataFrame:
    """Turn valid GeoJSON point features into the typed incident frame.

    The features must have passed :func:`check_features`.
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
        columns["id"][i] = _feature_id(f)
        coords = f["geometry"]["coordinates"]
        lon[i] = coords[0]
        lat[i] = coords[1]
    for name in DERIVED_FIELDS:
        columns.pop(name, None)
    return _typed_frame(columns, lon, lat)


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def _json_column(series: pd.Series) -> tuple[list, bool]:
    """Column values as JSON-ready objects (None where missing), and whether any is missing.

    Vectorised for the column types a frame from :func:`read` has; other
    columns take the general path.
    """
    dtype = series.dtype
    if dtype == np.dtype("datetime64[ns]"):
        arr = series.to_numpy()
        out = np.datetime_as_string(arr, unit="D").tolist()
        return _blank(out, np.isnat(arr))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        out = series.dt.strftime("%Y-%m-%d").astype(object).where(series.notna(), None).tolist()
        return out, None in out
    if isinstance(dtype, pd.CategoricalDtype):
        categories = list(dtype.categories)
        if all(isinstance(c, str) for c in categories):
            lookup = np.empty(len(categories) + 1, dtype=object)
            lookup[: len(categories)] = categories  # code -1 (missing) picks the last: None
            codes = series.cat.codes.to_numpy()
            return lookup[codes].tolist(), bool((codes < 0).any())
        series = series.astype(object)
        dtype = series.dtype
    if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return _blank(series.astype(object).tolist(), series.isna().to_numpy())
    if pd.api.types.is_float_dtype(dtype) and series.to_numpy().dtype.kind == "f":
        return _blank(series.tolist(), np.isnan(series.to_numpy()))
    out = series.tolist()
    # pd.isna flags every value the test below can match (and maybe more).
    candidates = np.flatnonzero(pd.isna(series).to_numpy())
    missing = False
    for i in candidates.tolist():
        if _is_missing(out[i]):
            out[i] = None
            missing = True
    return out, missing


def _blank(values: list, mask: np.ndarray) -> tuple[list, bool]:
    """Set ``values[i] = None`` where ``mask`` is true."""
    where = np.flatnonzero(mask).tolist()
    for i in where:
        values[i] = None
    return values, bool(where)


def _json_ready(series: pd.Series) -> list:
    """Column values as JSON-ready Python objects, None where missing."""
    return _json_column(series)[0]


@contextlib.contextmanager
def _gc_paused():
    """Pause the cycle collector while building many small acyclic objects.

    Otherwise it runs every 700 new containers and each full run walks every
    object of the frame (the nested sources and attributions): about half of
    the time of turning 100,000 incidents into features.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def to_features(gdf: gpd.GeoDataFrame) -> list[dict]:
    """Turn an incident frame back into GeoJSON Feature dicts.

    Missing values are left out; derived columns (``attribution_status``) are
    not written.
    """
    with _gc_paused():
        return _to_features(gdf)


def _to_features(gdf: gpd.GeoDataFrame) -> list[dict]:
    names = [c for c in gdf.columns if c != gdf.geometry.name and c not in DERIVED_FIELDS]
    columns = [_json_column(gdf[c]) for c in names]
    values = [col for col, _ in columns]
    sparse = [name for name, (_, missing) in zip(names, columns, strict=True) if missing]
    geoms = gdf.geometry.values
    n = len(gdf)
    if n and bool(np.all(shapely.get_type_id(geoms) == 0)):
        xs = shapely.get_x(geoms).tolist()
        ys = shapely.get_y(geoms).tolist()
        geometries = [{"type": "Point", "coordinates": [x, y]} for x, y in zip(xs, ys, strict=True)]
    else:
        geometries = [None if g is None else shapely.geometry.mapping(g) for g in geoms]
    ids = values[names.index("id")] if "id" in names else [None] * n
    rows = zip(*values, strict=True) if values else ((),) * n
    features = []
    for i, row in enumerate(rows):
        props = dict(zip(names, row, strict=True))  # in column order; missing values dropped below
        for name in sparse:
            if props[name] is None:
                del props[name]
        if ids[i] is None:
            features.append({"type": "Feature", "geometry": geometries[i], "properties": props})
        else:
            features.append({"type": "Feature", "id": ids[i], "geometry": geometries[i],
                             "properties": props})
    return features


def to_feature_collection(gdf: gpd.GeoDataFrame) -> dict:
    """The frame as a GeoJSON FeatureCollection dict (RFC 7946)."""
    return {"type": "FeatureCollection", "features": to_features(gdf)}


# ---------------------------------------------------------------- read


def _read_parquet_frame(path: str | os.PathLike) -> gpd.GeoDataFrame:
    import pyarrow.parquet as pq

    source = os.fspath(path)
    if not Path(path).is_file():
        raise DataSourceError(f"{source}: no such file")
    try:
        meta = pq.read_schema(path).metadata or {}
        gdf = gpd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds for a bad file
        raise DataSourceError(f"{source}: not a readable GeoParquet file: {exc}") from exc
    info = json.loads(meta.get(_PARQUET_META_KEY, b"{}"))
    for name in info.get("json_columns", []):
        if name in gdf.columns:
            try:
                values = [json.loads(v) if isinstance(v, str) else None
                          for v in gdf[name].tolist()]
            except json.JSONDecodeError as exc:
                raise DataSourceError(
                    f"{source}: column {name!r} should hold JSON text: {exc}"
                ) from exc
            gdf[name] = pd.Series(values, dtype=object, index=gdf.index)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    return gdf


def read(
    path: str | os.PathLike,
    *,
    lenient: bool = False,
    return_report: bool = False,
) -> gpd.GeoDataFrame | tuple[gpd.GeoDataFrame, ValidationReport]:
    """Read incidents from a GeoJSON or GeoParquet file into a typed frame.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.geojson``/``.json`` or ``.parquet``/``.geoparquet`` file.
    lenient : bool, default False
        Strict mode raises :class:`~geodata.errors.ValidationError` listing
        every bad feature. Lenient mode drops the bad features and keeps the
        good ones; ask for the report with ``return_report=True``.
    return_report : bool, default False
        Return ``(frame, report)`` instead of the frame alone.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per incident: datetime ``date``/``end_date``, nullable integer
        counts, categorical actors and types, EPSG:4326 points, and every other
        property as it was in the file.

    Examples
    --------
    >>> import geodata
    >>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
    """
    source = os.fspath(path)
    features = load_features(path)
    report = check_features(features, source)
    if not lenient:
        report.raise_if_invalid()
    good = features if report.ok else [f for f, keep in zip(features, report.valid, strict=True)
                                       if keep]
    gdf = frame_from_features(good)
    return (gdf, report) if return_report else gdf


# ---------------------------------------------------------------- write


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Write a file atomically: ``write(tmp)`` then rename over ``path``.

    A crash or an error while writing leaves the old file whole and no
    temporary file behind.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise DataSourceError(f"{os.fspath(path)}: directory {str(directory)!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    raise TypeError(f"cannot write {type(value).__name__} to GeoJSON")


def dumps_geojson(gdf: gpd.GeoDataFrame, *, indent: int | None = None) -> bytes:
    """Serialise a frame to GeoJSON bytes (UTF-8, RFC 7946)."""
    fc = to_feature_collection(gdf)
    if _orjson is not None and indent in (None, 2):
        option = _orjson.OPT_SERIALIZE_NUMPY | (_orjson.OPT_INDENT_2 if indent else 0)
        return _orjson.dumps(fc, default=_json_default, option=option) + b"\n"
    text = json.dumps(fc, ensure_ascii=False, indent=indent, default=_json_default,
                      separators=None if indent else (",", ":"))
    return text.encode("utf-8") + b"\n"


def _parquet_table(gdf: gpd.GeoDataFrame):
    from geopandas.io.arrow import _geopandas_to_arrow

    out = gdf.drop(columns=[c for c in DERIVED_FIELDS if c in gdf.columns])
    json_columns = []
    for name in out.columns:
        if name == out.geometry.name:
            continue
        col = out[name]
        if col.dtype == object:
            values = col.tolist()
            plain = all(v is None or isinstance(v, str) for v in values)
            if name in NESTED_FIELDS or not plain:
                json_columns.append(name)
                out[name] = pd.Series(
                    [None if v is None or (isinstance(v, float) and math.isnan(v))
                     else json.dumps(v, ensure_ascii=False, default=_json_default)
                     for v in values],
                    dtype=object, index=out.index,
                )
    table = _geopandas_to_arrow(out, index=False)
    meta = dict(table.schema.metadata or {})
    meta[_PARQUET_META_KEY] = json.dumps({"json_columns": json_columns}).encode()
    return table.replace_schema_metadata(meta)


def write(gdf: gpd.GeoDataFrame, path: str | os.PathLike, *, indent: int | None = None) -> None:
    """Write incidents to GeoJSON or GeoParquet, atomically and losslessly.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A frame as returned by :func:`read` (or any frame of points in
        EPSG:4326 with the schema's columns).
    path : str or os.PathLike
        Output file; the suffix picks the format.
    indent : int, optional
        Pretty-print GeoJSON with this indent (GeoJSON only).

    Raises
    ------
    DataSourceError
        For an unknown suffix or a directory that does not exist.
    """
    source = os.fspath(path)
    suffix = _suffix(path)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    if suffix in GEOJSON_SUFFIXES:
        data = dumps_geojson(gdf, indent=indent)
        atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    elif suffix in PARQUET_SUFFIXES:
        import pyarrow.parquet as pq

        table = _parquet_table(gdf)
        atomic_write(path, lambda tmp: pq.write_table(table, tmp))
    else:
        raise DataSourceError(
            f"{source}: unknown file type {suffix or '(none)'!r}; expected one of "
            f"{', '.join(GEOJSON_SUFFIXES + PARQUET_SUFFIXES)}"
        )
