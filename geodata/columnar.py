"""Column-wise checks: the fast path of :func:`geodata.load` for GeoJSON and GeoParquet.

The rules are :mod:`geodata.validate`'s; here they run on whole columns
(Arrow and NumPy vectors, one tight loop for the nested properties) to find
the rows that *may* break one. Those few rows, and only those, go through
the per-feature check (:func:`geodata.validate.feature_problems`), so every
message is the one the per-feature path gives: file, feature index, id,
field, what is wrong. A column check may flag a good row (the per-feature
check then finds nothing), never pass a bad one: ``tests/test_columnar.py``
compares both paths on hostile rows.

A clean dataset is never turned into one dict per feature: GeoParquet goes
from its columns to the typed frame directly, GeoJSON in one pass over the
parsed features.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from . import arrowcols, nested
from .bytechecks import (
    _ARROW,
    _TEXT,
    _bools,
    _by_dictionary,
    _dictionary,
    _has_text,
    _is_text,
)
from .dates import MAX_DATE, MIN_DATE, days_of
from .errors import Problem
from .geojson import feature_id
from .geojson_write import _json_column, to_features
from .nestedchecks import (
    _attribution_ok,
    _related_ok,
    _shallow,
    _sources_ok,
    _typed_attribution_ok,
    _typed_related_ok,
    _typed_sources_ok,
)
from .schema import (
    CATEGORICAL_FIELDS,
    COUNT_FIELDS,
    DATE_PRECISIONS,
    DERIVED_FIELDS,
    GEO_PRECISIONS,
    MAX_COUNT,
    MAX_NESTING,
    MAX_RADIUS_KM,
)
from .validate import ValidationReport, _depth_over, feature_problems

__all__ = ["Columns", "check_columns", "columns_of_features", "columns_of_frame"]

_REQUIRED_TEXT = ("title", "event_type", "actor", "country")
_OPTIONAL_TEXT = ("sub_event_type", "target", "place", "admin1", "notes")
_NESTED = ("attribution", "sources", "related")
_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ISO3 = r"^[A-Z]{3}$"


@dataclass
class Columns:
    """A dataset as columns, before it is typed.

    Attributes
    ----------
    values : dict of str to list or pyarrow.Array
        Each property's values in row order (None where missing), in the
        order the properties first appear; a typed nested column of a frame
        (:mod:`geodata.nested`) stays its Arrow array (no object per row).
    ids : list or pyarrow.ChunkedArray
        The id each row goes by (:func:`geodata.geojson.feature_id`), None
        where it has none or is not a Feature at all; a frame's text ids stay
        Arrow (null where missing or empty).
    lon, lat : numpy.ndarray
        The point's coordinates (NaN where the geometry is not usable).
    shape_ok : numpy.ndarray of bool
        False where the row is not a Feature with an object of properties
        and a Point of two or three numbers.
    features : callable
        ``features(rows)``: the raw features of those rows, as the
        per-feature check sees them.
    points : numpy.ndarray or None
        A frame's own shapely points when every row has a two-dimensional
        one (the typed frame keeps them instead of making them again).
    parsed : bool
        True when the values are parsed JSON (:func:`columns_of_features`).
    arrow : dict of str to pyarrow.Array
        Columns of ``values`` also held as Arrow (:func:`geodata.arrowcols.convert`,
        made by :func:`check_columns`), for the checks and the frame.
    parsed_values : dict of str to (numpy.ndarray, numpy.ndarray)
        The days (``datetime64[ns]``) and numbers (``float64``) the checks read
        from the dates, counts and radius, and where each is the row's value
        (made by :func:`check_columns`; the frame takes them instead of
        converting the values again).
    """

    values: dict[str, list]
    ids: list
    lon: np.ndarray
    lat: np.ndarray
    shape_ok: np.ndarray
    features: Callable[[np.ndarray], list]
    points: np.ndarray | None = None
    parsed: bool = False
    arrow: dict = field(default_factory=dict)
    parsed_values: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.ids)


# ---------------------------------------------------------------- building columns


def _feature_id(props: dict, feature: dict):
    """:func:`geodata.geojson.feature_id`, the usual string id answered without its checks."""
    fid = props.get("id")
    if type(fid) is str and fid:
        return fid
    return feature_id(feature)


def _point(geom) -> tuple[float, float] | None:
    if type(geom) is not dict or geom.get("type") != "Point":
        return None
    c = geom.get("coordinates")
    if type(c) is not list or not 2 <= len(c) <= 3:
        return None
    for v in c:
        if type(v) is not float and type(v) is not int:
            return None
    return c[0], c[1]


def columns_of_features(features: list) -> Columns:
    """The columns of parsed GeoJSON features, in one pass.

    Parameters
    ----------
    features : list
        As parsed from the file (nothing checked yet).

    Returns
    -------
    Columns
    """
    n = len(features)
    values: dict[str, list] = {"id": [None] * n}
    ids: list = [None] * n
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    shape_ok = np.ones(n, dtype=bool)
    for i, f in enumerate(features):
        if type(f) is not dict or f.get("type") != "Feature":
            shape_ok[i] = False
            continue
        props = f.get("properties")
        if type(props) is not dict:
            shape_ok[i] = False
            ids[i] = _feature_id({}, f)
            continue
        ids[i] = _feature_id(props, f)
        for k, v in props.items():
            column = values.get(k)
            if column is None:
                column = values[k] = [None] * n
            column[i] = v
        xy = _point(f.get("geometry"))
        try:
            lon[i], lat[i] = xy
        except (TypeError, OverflowError):  # (None: not a Point of numbers)
            shape_ok[i] = False
    return Columns(values, ids, lon, lat, shape_ok, lambda rows: [features[i] for i in rows],
                   parsed=True)


def _frame_ids(values: list | pa.ChunkedArray) -> list | pa.ChunkedArray:
    """The ids rows of a frame go by (their ``id`` is both the property and the Feature's)."""
    if isinstance(values, _ARROW):  # (text: an empty string is no id)
        return pc.if_else(pc.equal(values, ""), pa.scalar(None, values.type), values)
    out = []
    for v in values:
        if type(v) is str:
            out.append(v or None)
        elif isinstance(v, int) and not isinstance(v, bool):
            out.append(str(v))
        else:
            out.append(v if isinstance(v, str) and v else None)
    return out


#: Columns a frame types otherwise than as text (their values stay Python objects here);
#: a nested property held as text (a file's plain strings) is checked value by value.
_NOT_TEXT = frozenset(("id", "date", "end_date", *CATEGORICAL_FIELDS, *_NESTED))


def _frame_values(name: str, column: pd.Series) -> list | pa.Array:
    """A frame column's values: Arrow where the frame has them typed (no object per row).

    Typed nested columns, text, the schema's categories (a dictionary array),
    days (naive ``datetime64[ns]``: a timestamp array), counts and radii; any
    other column as the JSON values :func:`geodata.to_features` would give.
    """
    if nested.is_typed(column):  # (its chunks as read: joining them copies hundreds of MB)
        return column.array._pa_array
    if name == "id" and _arrow_text(column) and nested.enabled():
        return column.array._pa_array  # (checked and typed as Arrow: no string object per row)
    if nested.enabled() and _typed_scalars(name, column.dtype):
        return pa.array(column, from_pandas=True)  # (NaN, NaT and NA: null)
    if name not in _NOT_TEXT and _arrow_text(column) and nested.enabled():
        return column.array._pa_array  # (large_string, in the chunks read: no copy)
    return _json_column(column)[0]


def _arrow_text(column: pd.Series) -> bool:
    """Whether a frame column is pandas' ``str`` held by Arrow."""
    return isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"


def _typed_scalars(name: str, dtype) -> bool:
    """Whether a frame column of the schema is of a dtype Arrow holds as the schema means it."""
    if name in CATEGORICAL_FIELDS:
        return isinstance(dtype, pd.CategoricalDtype) and all(
            isinstance(c, str) for c in dtype.categories)
    if name in ("date", "end_date"):
        return dtype == np.dtype("datetime64[ns]")
    if name in COUNT_FIELDS:
        return dtype in (np.dtype("int64"), pd.Int64Dtype())
    return name == "geo_precision_km" and dtype == np.dtype("float64")


def columns_of_frame(gdf) -> Columns:
    """The columns of a frame read from GeoParquet, as :func:`geodata.to_features` sees them.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        As read from the file (nested columns already parsed).

    Returns
    -------
    Columns
    """
    n = len(gdf)
    names = [c for c in gdf.columns if c != gdf.geometry.name and c not in DERIVED_FIELDS]
    values = {name: _frame_values(name, gdf[name]) for name in names}
    ids = _frame_ids(values["id"]) if "id" in values else [None] * n
    geoms = gdf.geometry.values
    points = shapely.get_type_id(geoms) == 0
    lon = np.where(points, shapely.get_x(geoms), np.nan)
    lat = np.where(points, shapely.get_y(geoms), np.nan)
    shape_ok = points & np.isfinite(lon) & np.isfinite(lat)
    all_points = bool(n) and bool(points.all())

    def features(rows: np.ndarray) -> list:
        out = to_features(gdf.iloc[rows])
        if not all_points:  # the whole frame would have taken shapely's mapping for each
            for f, g in zip(out, geoms[rows], strict=True):
                f["geometry"] = None if g is None else shapely.geometry.mapping(g)
        return out

    flat = all_points and not bool(shapely.has_z(geoms).any())
    return Columns(values, ids, lon, lat, shape_ok, features, np.asarray(geoms) if flat else None)


# ---------------------------------------------------------------- column checks


def _arrow(values: list | pa.Array) -> pa.Array | None:
    """The values as one Arrow array, or None when they are not of one plain type."""
    if isinstance(values, _ARROW):  # (a frame's categories: checked as their text)
        return values.dictionary_decode() if pa.types.is_dictionary(values.type) else values
    try:
        return pa.array(values, from_pandas=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None


def _text_ok(values: list, required: bool) -> np.ndarray:
    """True where the value is a string that is not blank (or missing, when allowed)."""
    if _dictionary(values):
        return _bools(_by_dictionary(
            values, lambda text: pc.match_substring_regex(text, _TEXT)), not required)
    arr = _arrow(values)
    if arr is not None and pa.types.is_null(arr.type):
        return np.full(len(values), not required)
    if arr is None or not _is_text(arr.type):
        return np.fromiter(((v is None and not required) or (type(v) is str and bool(v.strip()))
                            for v in values), dtype=bool, count=len(values))
    return _has_text(arr, not required)


def _vocabulary_ok(values: list, allowed: tuple) -> np.ndarray:
    if _dictionary(values):
        vocabulary = pa.array(list(allowed))
        return _bools(_by_dictionary(
            values, lambda text: pc.is_in(text, value_set=vocabulary)), True)
    arr = _arrow(values)
    if arr is not None and pa.types.is_null(arr.type):
        return np.ones(len(values), dtype=bool)
    if arr is None or not _is_text(arr.type):
        return np.fromiter((v is None or (type(v) is str and v in allowed) for v in values),
                           dtype=bool, count=len(values))
    return _bools(pc.is_in(arr, value_set=pa.array(list(allowed))), True)


def _days(values: list, required: bool) -> tuple[np.ndarray, np.ndarray]:
    """(ok, the day as datetime64[ns], NaT where missing or not ok)."""
    n = len(values)
    arr = _arrow(values)
    if arr is not None and pa.types.is_null(arr.type):
        return np.full(n, not required), np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if arr is not None and pa.types.is_timestamp(arr.type) and arr.type.tz is None:
        # (a frame's days: the day to_features writes, missing where NaT)
        days = days_of(arr)
        missing = np.isnat(days)
        return _in_range(days, missing, np.ones(n, dtype=bool), required)
    if arr is None or not _is_text(arr.type):
        arr = pa.array([v if type(v) is str else None for v in values], type=pa.string())
        typed = np.fromiter((v is None or type(v) is str for v in values), dtype=bool, count=n)
    else:
        typed = np.ones(n, dtype=bool)
    shaped = _bools(pc.match_substring_regex(arr, _DAY), False)
    strings = pd.Series(arr.to_pandas(), dtype=object).where(shaped, None)
    days = pd.to_datetime(strings, format="%Y-%m-%d", errors="coerce").to_numpy()
    days = days.astype("datetime64[D]")  # (pandas may give seconds: no overflow here)
    return _in_range(days, _bools(pc.is_null(arr), False) & typed, typed, required)


def _in_range(days: np.ndarray, missing: np.ndarray, typed: np.ndarray,
              required: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_days`' answer from the days (datetime64[D]) and where the value is missing."""
    lo, hi = np.datetime64(MIN_DATE, "D"), np.datetime64(MAX_DATE, "D")
    good = ~np.isnat(days) & (days >= lo) & (days <= hi)
    days = np.where(good, days, np.datetime64("NaT")).astype("datetime64[ns]")
    ok = typed & (good | (missing & (not required)))
    return ok, days


def _numbers(values: list, integer: bool, limit: float) -> tuple[np.ndarray, np.ndarray]:
    """(ok, the value as float64, NaN where missing or not ok) for counts and radii."""
    n = len(values)
    arr = _arrow(values)
    if arr is not None and pa.types.is_null(arr.type):
        return np.ones(n, dtype=bool), np.full(n, np.nan)
    frame = isinstance(values, _ARROW)  # (a frame's typed column: no bool among them)
    plain = arr is not None and (pa.types.is_int64(arr.type) or (
        pa.types.is_float64(arr.type) and (frame or not any(type(v) is bool for v in values))))
    if not plain:
        typed = np.fromiter((v is None or ((type(v) is int or type(v) is float) and
                                           math.isfinite(v) and abs(v) <= 2 * limit)
                             for v in values), dtype=bool, count=n)
        nums = np.array([float(v) if t and v is not None else np.nan
                         for v, t in zip(values, typed, strict=True)], dtype="float64")
    else:
        typed = np.ones(n, dtype=bool)
        nums = arr.to_numpy(zero_copy_only=False).astype("float64")
    present = ~np.isnan(nums)
    good = present & np.isfinite(nums) & (nums >= 0) & (nums <= limit)
    if integer:
        good &= np.floor(np.where(good, nums, 0)) == np.where(good, nums, 0)
    missing = (_bools(arr.is_null(), False) if frame else
               np.fromiter((v is None for v in values), dtype=bool, count=n))
    ok = typed & (good | missing)
    return ok, np.where(good, nums, np.nan)


def _counts_ok(values: dict[str, list], n: int, parsed: dict) -> np.ndarray:
    ok = np.ones(n, dtype=bool)
    nums = {}
    for name in COUNT_FIELDS:
        if name in values:
            good, nums[name] = _numbers(values[name], True, float(MAX_COUNT))
            parsed[name] = nums[name], good
            ok &= good
    nan = np.full(n, np.nan)
    low, best, high = (nums.get(k, nan) for k in ("fatalities_low", "fatalities",
                                                   "fatalities_high"))
    with np.errstate(invalid="ignore"):
        ok &= ~(low > high) & ~(best < low) & ~(best > high)
    return ok


def _other_ok(values: list) -> np.ndarray:
    """Any other property: True unless its lists or objects nest deeper than one level."""
    arr = _arrow(values)
    if arr is not None and (_is_text(arr.type) or pa.types.is_integer(arr.type)
                            or pa.types.is_floating(arr.type) or pa.types.is_boolean(arr.type)
                            or pa.types.is_null(arr.type)):
        return np.ones(len(values), dtype=bool)
    return np.fromiter((_shallow(v) or not _depth_over(v, MAX_NESTING) for v in values),
                       dtype=bool, count=len(values))


_TYPED_CHECKS = {"attribution": _typed_attribution_ok, "sources": _typed_sources_ok,
                 "related": _typed_related_ok}


def _iso3_ok(values: list) -> np.ndarray:
    """False where the country is a string but not three capitals (missing: see _text_ok)."""
    if _dictionary(values):
        return _bools(_by_dictionary(
            values, lambda text: pc.match_substring_regex(text, _ISO3)), True)
    arr = _arrow(values)
    if arr is not None and _is_text(arr.type):
        return _bools(pc.match_substring_regex(arr, _ISO3), True)
    iso3 = re.compile(_ISO3)
    return np.fromiter((type(v) is not str or bool(iso3.fullmatch(v)) for v in values),
                       dtype=bool, count=len(values))


def _dates_ok(values: dict[str, list], n: int, parsed: dict) -> np.ndarray:
    ok, start = _days(values.get("date", [None] * n), True)
    parsed["date"] = start, ok
    if "end_date" in values:
        end_ok, end = _days(values["end_date"], False)
        parsed["end_date"] = end, end_ok
        ok = ok & end_ok & ~(end < start)
    if "date_precision" in values:
        ok &= _vocabulary_ok(values["date_precision"], DATE_PRECISIONS)
    return ok


def _properties_ok(values: dict[str, list], n: int, parsed: dict) -> np.ndarray:
    """True where a row may keep every property rule; ``parsed`` gets the days and numbers.

    ``parsed[name]``: (the day or number of each row as :func:`_days` and
    :func:`_numbers` give it, where that is the row's value).
    """
    ok = _dates_ok(values, n, parsed) & _counts_ok(values, n, parsed)
    for name in _REQUIRED_TEXT:
        ok &= _text_ok(values.get(name, [None] * n), True)
    for name in _OPTIONAL_TEXT:
        if name in values:
            ok &= _text_ok(values[name], False)
    ok &= _iso3_ok(values.get("country", [None] * n))
    if "geo_precision" in values:
        ok &= _vocabulary_ok(values["geo_precision"], GEO_PRECISIONS)
    if "geo_precision_km" in values:
        good, km = _numbers(values["geo_precision_km"], False, MAX_RADIUS_KM)
        parsed["geo_precision_km"] = km, good
        ok &= good
    checks = {"attribution": _attribution_ok, "sources": _sources_ok, "related": _related_ok}
    for name, column in values.items():
        if isinstance(column, _ARROW) and name in _TYPED_CHECKS:  # (typed: by Arrow)
            ok &= _TYPED_CHECKS[name](column)
        elif name in checks:
            ok &= checks[name](column)
        elif name not in _REQUIRED_TEXT + _OPTIONAL_TEXT + COUNT_FIELDS and name not in (
                "id", "date", "end_date", "date_precision", "geo_precision", "geo_precision_km"):
            ok &= _other_ok(column)
    return ok


def _suspects(cols: Columns) -> np.ndarray:
    """True where a row may break a rule (the per-feature check decides)."""
    n = cols.n
    with np.errstate(invalid="ignore"):
        placed = (np.abs(cols.lon) <= 180) & (np.abs(cols.lat) <= 90)
    if isinstance(cols.ids, _ARROW):  # (a frame's text ids: by Arrow)
        present = _bools(cols.ids.is_valid(), False)
        distinct = len(pc.unique(cols.ids)) == n
    else:
        present = pd.Series(cols.ids, dtype=object).notna().to_numpy()
        distinct = len(set(cols.ids)) == n  # (a set answers the usual case 3x faster)
    ok = cols.shape_ok & placed & present
    if not distinct:
        ok &= ~pd.Series(_id_list(cols), dtype=object).duplicated().to_numpy()
    cols.arrow = arrowcols.convert(cols.values, cols.parsed)
    return ~(ok & _properties_ok({**cols.values, **cols.arrow}, n, cols.parsed_values))


def _id_list(cols: Columns) -> list:
    """The rows' ids as a list (None where missing)."""
    return cols.ids.to_pylist() if isinstance(cols.ids, _ARROW) else cols.ids


def check_columns(cols: Columns, source: str | None) -> ValidationReport:
    """Check a dataset's columns: the report :func:`geodata.check_features` gives.

    Parameters
    ----------
    cols : Columns
        The dataset, from :func:`columns_of_features` or :func:`columns_of_frame`.
    source : str, optional
        The file's name in messages.

    Returns
    -------
    ValidationReport
        The same problems, in the same order, as the per-feature check of
        every feature.
    """
    n = cols.n
    rows = np.flatnonzero(_suspects(cols))
    valid = np.ones(n, dtype=bool)
    problems: list[Problem] = []
    if len(rows):
        listed = _id_list(cols)
        ids = pd.Series(listed, dtype=object)
        twice = np.flatnonzero(ids.duplicated(keep=False).to_numpy() & ids.notna().to_numpy())
        first: dict[str, int] = {}
        for i in twice.tolist():
            first.setdefault(listed[i], i)
        first_index = lambda fid, index: first.get(fid, index)  # noqa: E731
        for i, feature in zip(rows.tolist(), cols.features(rows), strict=True):
            found = feature_problems(i, feature, first_index)
            if found:
                valid[i] = False
                problems.extend(found)
    return ValidationReport(source, n, problems, valid)


def _parsed_kept(name: str, cols: Columns, column, valid: np.ndarray | None) -> pa.Array | None:
    """A value list's kept days or numbers as the checks read them; None: type the list.

    Only where every kept row's value is what the check read (else the list
    is typed as before): the frame gets the same column (``tests/test_columnar.py``).
    """
    found = cols.parsed_values.get(name)
    if found is None or not isinstance(column, list):
        return None
    read, usable = found if valid is None else (found[0][valid], found[1][valid])
    if not usable.all():
        return None
    if name in ("date", "end_date"):
        return pa.array(read, type=pa.timestamp("ns"), from_pandas=True)  # (NaT: null)
    missing = np.isnan(read)
    if name in COUNT_FIELDS:
        return pa.array(np.where(missing, 0, read).astype(np.int64), mask=missing)
    return pa.array(read, type=pa.float64(), mask=missing)


def kept_values(cols: Columns, valid: np.ndarray, features: list | None) -> dict[str, list]:
    """The properties of the rows kept, as :func:`geodata.frame_from_features` would see them.

    Parameters
    ----------
    cols : Columns
        The dataset.
    valid : numpy.ndarray of bool
        The rows kept.
    features : list or None
        The raw features (GeoJSON: a property counts where a kept feature
        has its key, even null); None for a frame (where it has a value).

    Returns
    -------
    dict of str to list
        Each property's values (the ``id`` column holds the rows' ids).
    """
    every = bool(valid.all())
    out: dict[str, list] = {}
    if features is not None and not every:
        keys: dict[str, None] = {"id": None}
        for f in compress(features, valid.tolist()):
            keys.update(dict.fromkeys(f["properties"]))
        names = list(keys)
    else:
        names = list(cols.values)
    for name in names:
        column = cols.values[name]
        reused = None if features is None else _parsed_kept(  # (GeoJSON's value lists)
            name, cols, column, None if every else valid)
        if reused is not None:
            out[name] = reused
            continue
        arr = cols.arrow.get(name)
        if arr is not None and (arr := arrowcols.kept(name, arr, None if every else valid)) \
                is not None:  # (converted for the checks: the same frame, made faster)
            if features is not None or arr.null_count < len(arr):
                out[name] = arr
            continue
        if isinstance(column, _ARROW):  # (a frame's typed columns)
            column = column if every else column.filter(pa.array(valid))
            if column.null_count < len(column):
                out[name] = column
            continue
        column = column if every else list(compress(column, valid.tolist()))
        if features is None and name != "id" and all(v is None for v in column):
            continue
        out[name] = column
    if isinstance(cols.ids, _ARROW):
        out["id"] = cols.ids if every else cols.ids.filter(pa.array(valid))
    else:
        out["id"] = cols.ids if every else list(compress(cols.ids, valid.tolist()))
    for name in DERIVED_FIELDS:
        out.pop(name, None)
    return out


