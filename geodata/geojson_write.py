"""Frames to GeoJSON: feature dicts, and the column-wise writer for large frames.

:func:`to_features` turns a typed incident frame back into GeoJSON Feature
dicts; :func:`iter_geojson` writes the same document column by column (one
pyarrow string operation per column instead of one dict per feature), falling
back to :func:`to_features` for frames it does not handle;
:func:`iter_properties_json` writes the features' properties alone, in
blocks, the same way. All leave missing properties and derived columns out.
:mod:`geodata.io` re-exports the public names.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Callable, Iterator

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from . import nested
from .dates import days_of
from .jsontext import _OPT, _is_missing, _json_default, _json_strings, _large, _quoted
from .schema import DERIVED_FIELDS

__all__ = [
    "GEOJSON_CHUNK",
    "dumps_geojson",
    "iter_geojson",
    "iter_properties_json",
    "to_feature_collection",
    "to_features",
]


def _json_column(series: pd.Series) -> tuple[list, bool]:
    """Column values as JSON-ready objects (None where missing), and whether any is missing.

    Vectorised for the column types a frame from :func:`read` has; other
    columns take the general path.
    """
    dtype = series.dtype
    if nested.is_typed(series):
        out = nested.column_values(series)
        return out, None in out
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


@contextlib.contextmanager
def _gc_paused():
    """Pause the cycle collector while building many small acyclic objects.

    Nothing made inside holds a cycle; see docs/performance.md (Reading and
    writing) for why the pause pays.
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

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.

    Returns
    -------
    list of dict
        One Feature per row, properties in column order; missing values and
        derived columns (``attribution_status``) are left out.
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
    """Turn a frame into a GeoJSON FeatureCollection dict (RFC 7946).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.

    Returns
    -------
    dict
        ``{"type": "FeatureCollection", "features": to_features(gdf)}``.
    """
    return {"type": "FeatureCollection", "features": to_features(gdf)}


class _Unsupported(Exception):
    """A frame the column-wise writer does not handle (:func:`to_features` does)."""


def _coded(texts: list[str], codes: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """``texts[code]`` per row (``""`` where the code is -1), and the missing mask."""
    table = pa.array([*texts, ""], type=pa.large_string())
    codes = codes.astype(np.int64)
    missing = codes < 0
    codes[missing] = len(texts)
    return table.take(pa.array(codes)), missing


def _column_json(series: pd.Series) -> tuple[pa.Array, np.ndarray | None]:
    """Each row's value as JSON text, and where it is missing (None: see nulls)."""
    dtype = series.dtype
    if nested.is_typed(series):
        return nested.json_texts(series)
    if isinstance(dtype, pd.CategoricalDtype):
        cats = [orjson.dumps(c, default=_json_default, option=_OPT).decode()
                for c in series.cat.categories.astype(object).tolist()]
        return _coded(cats, series.cat.codes.to_numpy())
    if isinstance(dtype, pd.DatetimeTZDtype):  # (to_features writes its local day)
        raise _Unsupported(f"{series.name}: {dtype}")
    if pd.api.types.is_datetime64_any_dtype(dtype):  # few distinct days: format each once
        codes, uniques = pd.factorize(series.to_numpy(dtype="datetime64[ns]"))
        days = days_of(np.asarray(uniques, dtype="datetime64[ns]")).astype(str)
        return _coded([f'"{d}"' for d in days.tolist()], codes)
    if pd.api.types.is_bool_dtype(dtype):
        flags = series.astype(object).tolist()
        texts = ["" if v is None or v is pd.NA else ("true" if v else "false") for v in flags]
        return pa.array(texts, type=pa.large_string()), series.isna().to_numpy()
    if pd.api.types.is_integer_dtype(dtype):
        return pc.cast(pa.array(series, from_pandas=True), pa.large_string()), None
    if pd.api.types.is_float_dtype(dtype):
        numbers = np.ascontiguousarray(series.to_numpy(dtype="float64"))  # (a strided view:
        # a sample of every k-th row, which orjson refuses)
        texts = orjson.dumps(numbers, option=_OPT)[1:-1].decode().split(",") if len(numbers) \
            else []
        return pa.array(texts, type=pa.large_string()), np.isnan(numbers)
    if isinstance(dtype, pd.StringDtype):
        return _json_strings(series), None
    if pd.api.types.is_object_dtype(dtype):
        return _object_json(series)
    raise _Unsupported(f"{series.name}: {dtype}")


def _object_json(series: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """JSON text of an object column (Arrow's for plain text), and where it is missing.

    Nested values (sources...) are often shared between rows (by a filter's
    copy, or a reader's), so each object is encoded once, by identity: all of
    them in one ``orjson.dumps`` of a list, cut at a separator element.
    """
    objects = series.tolist()
    candidates = pd.isna(series).to_numpy()  # (flags every value _is_missing does, and more)
    missing = np.zeros(len(objects), dtype=bool)
    for i in np.flatnonzero(candidates).tolist():
        missing[i] = _is_missing(objects[i])
    if isinstance(next((o for o in objects if not _is_missing(o)), None), str):  # (else nested)
        with contextlib.suppress(pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
            arr = pa.array(objects, from_pandas=True)
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                return _quoted(arr.fill_null("")), missing
    addresses = np.fromiter(map(id, objects), dtype=np.int64, count=len(objects))
    _, first, codes = np.unique(addresses, return_index=True, return_inverse=True)
    picked = [objects[i] for i in first.tolist()]
    return _each_json(picked).take(pa.array(codes.ravel())), missing


#: A list element no JSON text of the values can hold (checked: see _each_json).
_CUT = "\x00\x1f\u2063cut\x00"
_CUT_JSON = b"," + orjson.dumps(_CUT) + b","


def _each_json(objects: list) -> pa.Array:
    """``orjson.dumps(o)`` of each object, as Arrow strings, made by one call."""
    if not objects:
        return pa.array([], type=pa.large_string())
    spaced: list = [_CUT] * (2 * len(objects) - 1)
    spaced[::2] = objects
    text = orjson.dumps(spaced, default=_json_default, option=_OPT)[1:-1]
    pieces = pc.split_pattern(pa.array([text], type=pa.large_binary()), _CUT_JSON).flatten()
    if len(pieces) != len(objects):  # (a value held the separator's text: one call each)
        pieces = pa.array([orjson.dumps(o, default=_json_default, option=_OPT)
                           for o in objects], type=pa.large_binary())
    return pieces.cast(pa.large_string())


def _fragments(name: str, series: pd.Series, encoded: tuple | None = None) -> pa.Array:
    """``',"name":<json>'`` per row (``''`` where missing): what orjson writes for it.

    ``encoded``: the column's :func:`_column_json`, when already made.
    """
    values, missing = encoded or _column_json(series)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    key = _large("," + orjson.dumps(name).decode() + ":")
    frag = pc.binary_join_element_wise(key, values, _large(""))  # (null where values is)
    if missing is not None and missing.any():
        frag = pc.if_else(pa.array(missing), _large(""), frag)
    return pc.fill_null(frag, "")


def _object_open(parts: list[pa.Array]) -> pa.Array:
    """Each row's fragments joined, opening its object: ``'{"a":1,"b":2'``.

    (Not a join with null_handling="skip": pyarrow 26 drops the rows where
    every value is null from its result.)
    """
    if not parts:
        raise _Unsupported("no properties")
    return pc.binary_replace_slice(pc.binary_join_element_wise(*parts, _large("")), 0, 1, "{")


def _coordinates(values: np.ndarray) -> pa.Array:
    if np.isnan(values).any():
        raise _Unsupported("empty point")
    texts = orjson.dumps(values, option=_OPT)[1:-1].decode().split(",")
    return pa.array(texts, type=pa.large_string())


def _features_columnwise(gdf: gpd.GeoDataFrame) -> bytes:
    """The features of ``gdf``, comma-separated, built column by column.

    Raises ``_Unsupported`` unless every row is a Point with a string id and
    every column has a type handled above.
    """
    if not len(gdf):
        return b""
    geoms = gdf.geometry.values
    if not bool(np.all(shapely.get_type_id(geoms) == 0)) or "id" not in gdf.columns:
        raise _Unsupported("geometry or id")
    ids = gdf["id"]
    if ids.isna().any() or not all(isinstance(v, str) for v in ids.tolist()):
        raise _Unsupported("ids")
    names = [c for c in gdf.columns if c != gdf.geometry.name and c not in DERIVED_FIELDS]
    parts = [_fragments(name, gdf[name]) for name in names]
    props = _object_open(parts)
    features = pc.binary_join_element_wise(
        _large('{"type":"Feature","id":'), _json_strings(ids),
        _large(',"geometry":{"type":"Point","coordinates":['),
        _coordinates(shapely.get_x(geoms)), _large(","), _coordinates(shapely.get_y(geoms)),
        _large(']},"properties":'), props, _large("}},"), _large(""),
    )
    if isinstance(features, pa.ChunkedArray):
        features = features.combine_chunks()
    offsets = np.frombuffer(features.buffers()[1], dtype=np.int64)
    first, last = offsets[features.offset], offsets[features.offset + len(features)]
    return features.buffers()[2].to_pybytes()[first:last - 1]  # without the last comma


def _features_json(part: gpd.GeoDataFrame) -> bytes:
    """The features of ``part``, comma-separated: column-wise when it can, else per feature."""
    try:
        return _features_columnwise(part)
    except _Unsupported:
        return orjson.dumps(to_features(part), default=_json_default, option=_OPT)[1:-1]


def _joined(rows: pa.Array) -> tuple[memoryview, np.ndarray]:
    """The texts of ``rows`` end to end (not copied), and where each starts (+ the end)."""
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)
    offsets = offsets[rows.offset:rows.offset + len(rows) + 1]
    first = int(offsets[0])
    return memoryview(rows.buffers()[2])[first:int(offsets[-1])], offsets - first


def _properties_columnwise(gdf: gpd.GeoDataFrame) -> tuple[memoryview, np.ndarray]:
    """Each row's properties object followed by a comma, end to end, and the row offsets.

    One Arrow join makes every row: its arguments are, per column, the key
    (a scalar) and the values, or, for a column with missing values, its
    fragments (:func:`_fragments`: ``''`` where missing).
    """
    names = [c for c in gdf.columns if c != gdf.geometry.name and c not in DERIVED_FIELDS]
    if not names:
        return memoryview(b"{}," * len(gdf)), np.arange(len(gdf) + 1, dtype=np.int64) * 3
    parts: list = []
    for name in names:
        values, missing = _column_json(gdf[name])
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        if values.null_count or (missing is not None and missing.any()):
            parts.append(_fragments(name, gdf[name], (values, missing)))
        else:  # (always there: no fragments to make)
            parts += [_large("," + orjson.dumps(name).decode() + ":"), values]
    if isinstance(parts[0], pa.Scalar):  # (the first column is always there: it opens the row)
        parts[0] = _large("{" + parts[0].as_py()[1:])
        rows = pc.binary_join_element_wise(*parts, _large("},"), _large(""))
    else:
        rows = pc.binary_join_element_wise(_object_open(parts), _large("},"), _large(""))
    return _joined(rows)


def _properties_per_feature(gdf: gpd.GeoDataFrame) -> tuple[memoryview, np.ndarray]:
    """What :func:`_properties_columnwise` gives, through :func:`to_features`."""
    texts = [orjson.dumps(f["properties"], option=_OPT) + b"," for f in to_features(gdf)]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    return memoryview(b"".join(texts)), offsets


#: Rows :func:`iter_properties_json` builds at a time (whole blocks, at least one).
PROPERTIES_CHUNK = 10_000


def iter_properties_json(gdf: gpd.GeoDataFrame, block: int, *,
                         per_feature: bool = False) -> Iterator[bytes]:
    """Yield the features' properties as JSON arrays of ``block`` incidents each.

    Piece ``k`` holds the bytes of ``orjson.dumps([f["properties"] for f in
    to_features(gdf)[k * block:(k + 1) * block]])``: the same properties, in
    column order, missing ones left out. They are built column by column
    (:func:`iter_geojson`'s fragments), :data:`PROPERTIES_CHUNK` rows or so
    at a time; a chunk with a column type that path does not handle, or a
    value it refuses, goes through :func:`to_features` instead.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    block : int
        Incidents per piece (at least 1); the last piece may hold fewer.
    per_feature : bool, default False
        Build every piece through :func:`to_features` (the path of before,
        for benchmarks and tests).

    Yields
    ------
    bytes
        One JSON array per block, in the frame's order (none for an empty frame).
    """
    n = len(gdf)
    if per_feature:  # (block by block, as mapapp.mapdata wrote them before)
        for start in range(0, n, block):
            features = to_features(gdf.iloc[start:start + block])
            yield orjson.dumps([f["properties"] for f in features], option=_OPT)
        return
    chunk = block * max(1, PROPERTIES_CHUNK // block)
    for start in range(0, n, chunk):
        part = gdf if n <= chunk else gdf.iloc[start:start + chunk]
        text = None
        with contextlib.suppress(_Unsupported, ValueError, TypeError), _gc_paused():
            text, offsets = _properties_columnwise(part)
        if text is None:
            text, offsets = _properties_per_feature(part)
        for first in range(0, len(part), block):
            last = min(first + block, len(part))
            yield b"".join((b"[", text[offsets[first]:offsets[last] - 1], b"]"))


#: Rows the GeoJSON writer serialises at a time.
GEOJSON_CHUNK = 50_000


def iter_geojson(gdf: gpd.GeoDataFrame, *, chunk: int | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Iterator[bytes]:
    """Yield a frame as compact GeoJSON (RFC 7946, UTF-8), a chunk of features at a time.

    The pieces joined are the bytes of ``orjson.dumps(to_feature_collection(gdf))``
    followed by a newline: the same properties, in column order, missing ones
    left out.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Incidents as :func:`geodata.read` returns them (any frame of points works).
    chunk : int, optional
        Features per piece (default :data:`GEOJSON_CHUNK`).
    progress : callable, optional
        Called as ``progress(done, total)`` after each piece.

    Yields
    ------
    bytes
        Consecutive pieces of the document.
    """
    n = len(gdf)
    chunk = chunk or GEOJSON_CHUNK
    yield b'{"type":"FeatureCollection","features":['
    for start in range(0, n, chunk):
        part = gdf if n <= chunk else gdf.iloc[start:start + chunk]
        if start:
            yield b","
        yield _features_json(part)
        if progress is not None:
            progress(min(start + chunk, n), n)
    yield b"]}\n"


def dumps_geojson(gdf: gpd.GeoDataFrame, *, indent: int | None = None) -> bytes:
    """Serialise a frame to GeoJSON bytes (UTF-8, RFC 7946).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    indent : int, optional
        Pretty-print with this indent; compact by default.

    Returns
    -------
    bytes
        The FeatureCollection, ending with a newline.
    """
    if indent is None:
        return b"".join(iter_geojson(gdf))
    fc = to_feature_collection(gdf)
    if indent == 2:
        return orjson.dumps(fc, default=_json_default, option=_OPT | orjson.OPT_INDENT_2) + b"\n"
    return json.dumps(fc, ensure_ascii=False, indent=indent, default=_json_default).encode() + b"\n"
