"""The nested properties (``sources``, ``attribution``, ``related``) as typed Arrow columns.

A frame from :func:`geodata.load` keeps each of these columns as a pandas
column backed by Arrow (:class:`pandas.ArrowDtype`) of the schema's layout
(:data:`TYPES`) whenever its values fit that layout exactly, and as an object
column of Python lists and dicts (as before) when they do not. For 100,000
of ``benchmarks/bench_export.py``'s incidents the three columns take 47 MB as
Arrow buffers against about 237 MB as Python objects (``sys.getsizeof``,
recursively), and a GeoParquet file stores them natively, so opening it
makes no Python object per row (docs/performance.md, "Typed nested columns").

**Fits exactly** (:func:`typed_array`): every value is missing, or (``sources``,
``related``) a ``list`` of ``dict`` or (``attribution``) a ``dict``, whose keys
are some of the layout's fields in the layout's order, whose values are
strings (``claimed_by`` and ``blamed_by``: lists of strings), and no key holds
an explicit ``null``. In a struct a key that is absent and a key that is null
are both a null child; the layout reads a null child as an absent key, so a
column where some key holds ``null`` explicitly keeps its objects. The check
costs one Python pass over the dicts (each one's key tuple looked up in the
set of allowed tuples, its keys counted) and one conversion by Arrow
(``pa.array(values, type=...)``: it refuses a number or a bool where text
belongs): the keys counted must equal the non-null children Arrow made, so an
explicit null (a null child) makes the two differ. Tuples, NumPy arrays or
other containers make the pass fail too. A column that does not fit stays an
object column, whole.

**Keys with nulls**: a column where *every* dict has *every* field is typed
too, marked as keeping its nulls (:data:`DENSE_TYPES`: its list items, or
its first field, not nullable, which Arrow and Parquet keep): there a null
child reads back as the key with ``null`` (the built-in data's sources, for
example, all carry ``"url": null`` when they have no link). Only a column
mixing absent keys and explicit nulls stays objects.

**Reading back** (:func:`column_values`): each value comes back as the same
Python object as before, keys in the same order (``None`` where missing, keys
with a null child left out), so the JSON written from either is the same bytes.

**JSON text** (:func:`json_texts`): each row's value as the JSON orjson would
write for the object, made by Arrow compute (no Python object per row).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .jsontext import _is_missing, _json_default, _quoted
from .memory import release

__all__ = ["DENSE_TYPES", "TYPES", "arrow_of", "column_values", "enabled", "frame_column",
           "is_dense", "is_typed", "join_chunks", "json_texts", "objects_only", "statuses",
           "stored_column", "to_objects", "typed_array", "typed_series", "types_mapper"]

_STR = pa.string()
#: The typed layout of each nested property (docs/schema.md).
TYPES: dict[str, pa.DataType] = {
    "sources": pa.list_(pa.struct([("title", _STR), ("publisher", _STR), ("date", _STR),
                                   ("url", _STR)])),
    "attribution": pa.struct([("status", _STR), ("claimed_by", pa.list_(_STR)),
                              ("blamed_by", pa.list_(_STR)), ("note", _STR)]),
    "related": pa.list_(pa.struct([("id", _STR), ("relation", _STR)])),
}
_NAME_LISTS = ("claimed_by", "blamed_by")


def _dense(layout: pa.DataType) -> pa.DataType:
    """The layout marked "nulls kept": its list items (or its first field) not nullable."""
    if pa.types.is_list(layout):
        return pa.list_(pa.field("item", layout.value_type, nullable=False))
    return pa.struct([layout.field(0).with_nullable(False), *list(layout)[1:]])


#: The same layouts, marked as keeping explicit nulls (every dict had every key).
DENSE_TYPES: dict[str, pa.DataType] = {name: _dense(t) for name, t in TYPES.items()}
_ALL_TYPES = (*TYPES.values(), *DENSE_TYPES.values())


def is_dense(layout: pa.DataType) -> bool:
    """Whether a typed layout keeps its null children as explicit nulls (:data:`DENSE_TYPES`).

    Parameters
    ----------
    layout : pyarrow.DataType

    Returns
    -------
    bool
    """
    if pa.types.is_list(layout):
        return not layout.value_field.nullable
    return not layout.field(0).nullable


_enabled = [True]


@contextlib.contextmanager
def objects_only():
    """Within it, nested columns are made and read as objects: the path before typed columns.

    For tests and ``benchmarks/bench_open.py``, which compare the two.
    """
    _enabled.append(False)
    try:
        yield
    finally:
        _enabled.pop()


def enabled() -> bool:
    """Whether nested columns are typed (False within :func:`objects_only`).

    Returns
    -------
    bool
    """
    return _enabled[-1]


# ---------------------------------------------------------------- fits exactly


def _in_order(layout: pa.DataType) -> frozenset:
    """Every key tuple a dict may have: the layout's fields, some left out, in its order."""
    struct = layout.value_type if pa.types.is_list(layout) else layout
    names = [f.name for f in struct]
    return frozenset(tuple(n for i, n in enumerate(names) if mask >> i & 1)
                     for mask in range(1 << len(names)))


_ORDERS = {name: _in_order(layout) for name, layout in TYPES.items()}


def _list_keys(values: list, orders: frozenset) -> int:
    """Keys of every dict in lists of dicts; -1 when a value is not such a list."""
    keys = 0
    for v in values:
        if v is None:
            continue
        if type(v) is not list:
            return -1
        for d in v:
            if type(d) is not dict or tuple(d) not in orders:
                return -1
            keys += len(d)
    return keys


def _dict_keys(values: list, orders: frozenset) -> int:
    """Keys of every dict; -1 when a value is not a dict (or a name list not a list)."""
    keys = 0
    for d in values:
        if d is None:
            continue
        if type(d) is not dict or tuple(d) not in orders:
            return -1
        for name in _NAME_LISTS:
            v = d.get(name)
            if v is not None and type(v) is not list:
                return -1
        keys += len(d)
    return keys


def _children_present(struct: pa.StructArray) -> int:
    """Non-null children of a struct array (a null struct's children count as null)."""
    return sum(len(c) - c.null_count for c in struct.flatten())


def typed_array(name: str, values: list) -> pa.Array | None:
    """``values`` in :data:`TYPES` ``[name]``, or None when they do not fit it exactly.

    Parameters
    ----------
    name : str
        The property (``sources``, ``attribution`` or ``related``).
    values : list
        Its values, one per row (None where missing).

    Returns
    -------
    pyarrow.Array or None
        None for any other property, or when a value would not read back as
        itself (see the module's docstring).
    """
    layout = TYPES.get(name)
    if layout is None or not enabled():
        return None
    count = _list_keys if pa.types.is_list(layout) else _dict_keys
    keys = count(values, _ORDERS[name])
    if keys < 0:
        return None
    try:
        arr = pa.array(values, type=layout, from_pandas=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError, UnicodeError):
        return None
    struct = arr.values if pa.types.is_list(layout) else arr
    if _children_present(struct) == keys:
        return arr  # (no key holds null: a null child is an absent key)
    valid = len(struct) - struct.null_count
    if keys != valid * struct.type.num_fields:
        return None  # (some keys absent, some null: the two cannot be told apart)
    first = struct.field(0).filter(struct.is_valid())
    if not pa.types.is_list(layout) and first.null_count:
        return None  # (the dense attribution's status is never null)
    return arr.cast(DENSE_TYPES[name])  # (every dict had every key: nulls are explicit)


def is_typed(series: pd.Series) -> bool:
    """Whether a column holds a typed nested layout (:data:`TYPES`).

    Parameters
    ----------
    series : pandas.Series

    Returns
    -------
    bool
    """
    dtype = series.dtype
    return isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype in _ALL_TYPES


def typed_series(arr: pa.Array | pa.ChunkedArray, index=None) -> pd.Series:
    """A pandas column backed by ``arr`` (no copy when it is one array).

    Chunks (a file's row groups) are joined once here: Arrow's ``take`` of
    rows from a chunked column joins them on every call (0.7 s for 10,000
    rows of a million incidents' notes, against 7 ms).

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray
    index : pandas.Index, optional

    Returns
    -------
    pandas.Series
    """
    return pd.Series(pd.arrays.ArrowExtensionArray(one_chunk(arr)), index=index, copy=False)


def one_chunk(arr: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``arr`` as one chunk (joined when it has several).

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray

    Returns
    -------
    pyarrow.Array or pyarrow.ChunkedArray
    """
    if isinstance(arr, pa.ChunkedArray) and arr.num_chunks > 1:
        return pa.chunked_array([arr.combine_chunks()], type=arr.type)
    return arr


def join_chunks(gdf: pd.DataFrame) -> None:
    """Join each Arrow column of a frame just read into one chunk, a column at a time.

    The reader gives a chunk per batch (8 at a million rows, one row group);
    the typed frame holds one (:func:`one_chunk`). Joined here, each
    column's chunks are freed as soon as it is joined: joined
    while the typed frame was built, all the chunks and all the joined
    columns were held at once (a peak of 2.5 GB at a million). What the
    reader and each join free is handed back at once (:func:`release`): the
    pages the reader's threads freed are not reused by this one's joins, and
    were the peak (2.0 GB; 1.7 GB now).

    Parameters
    ----------
    gdf : pandas.DataFrame
        Changed in place (a frame the reader just made, nobody else's).
    """
    release()
    for column in gdf.columns:
        arr = getattr(gdf[column].array, "_pa_array", None)
        if isinstance(arr, pa.ChunkedArray) and arr.num_chunks > 1:
            dtype = gdf[column].dtype
            one = one_chunk(arr)
            del arr
            gdf[column] = one.to_pandas(types_mapper=lambda _t, d=dtype: d).set_axis(gdf.index)
            release()


# ---------------------------------------------------------------- reading back


def arrow_of(series_or_array) -> pa.Array:
    """The Arrow data of a typed column (one array, no copy when it has one chunk).

    Parameters
    ----------
    series_or_array : pandas.Series, pyarrow.Array or pyarrow.ChunkedArray

    Returns
    -------
    pyarrow.Array
    """
    arr = series_or_array
    if isinstance(arr, pd.Series):
        arr = arr.array._pa_array  # (the ArrowExtensionArray's own data, no copy)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return arr


def _present(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


def to_objects(arr: pa.Array | pa.ChunkedArray) -> list:
    """The Python objects of a typed nested array (None where missing, null keys left out).

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray
        Of a layout in :data:`TYPES`.

    Returns
    -------
    list
    """
    rows = arrow_of(arr).to_pylist()
    if is_dense(arr.type):
        return rows
    if rows and pa.types.is_list(arr.type):
        return [None if r is None else [_present(d) if d is not None else None for d in r]
                for r in rows]
    return [None if d is None else _present(d) for d in rows]


def column_values(series: pd.Series) -> list:
    """A nested column's values as Python objects, typed or not (None where missing).

    Parameters
    ----------
    series : pandas.Series

    Returns
    -------
    list
        What the object column held: lists and dicts (None where missing).
    """
    if is_typed(series):
        return to_objects(arrow_of(series))
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
            for v in series.tolist()]


# ---------------------------------------------------------------- JSON text


def _quoted_all(arr: pa.Array) -> pa.Array:
    return _quoted(arr) if len(arr) else pa.array([], type=pa.large_string())


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, type=pa.large_string())


def _list_parts(arr: pa.ListArray) -> tuple[pa.Array, pa.Array]:
    """(offsets from 0, the items they cover): only this slice's items, never the whole column."""
    offsets = arr.offsets
    start, end = offsets[0].as_py(), offsets[-1].as_py()
    return pc.subtract(offsets, start), arr.values.slice(start, end - start)


def _list_json(arr: pa.ListArray, offsets: pa.Array, items: pa.Array) -> pa.Array:
    """``'[a,b]'`` per list, from each item's JSON text (null where the list is null)."""
    lists = pa.ListArray.from_arrays(offsets, items, mask=arr.is_null())
    joined = pc.binary_join(lists, _large(","))
    return pc.binary_join_element_wise(_large("["), joined, _large("]"), _large(""))


def _value_json(arr: pa.Array, dense: bool = False) -> pa.Array:
    """JSON text of each value of a string, list-of-string or struct array (null: null)."""
    if pa.types.is_struct(arr.type):
        return _struct_json(arr, dense)
    if pa.types.is_list(arr.type):
        offsets, values = _list_parts(arr)  # (a slice of 10,000 rows: their items alone)
        items = pc.fill_null(_value_json(values, dense), _large("null"))
        return _list_json(arr, offsets, items)
    return _quoted_all(arr.cast(pa.large_string()))


def _struct_json(arr: pa.StructArray, dense: bool) -> pa.Array:
    """``'{"k":v,...}'`` per struct (null where the struct is).

    ``dense``: null children written as ``null``; else left out.
    """
    parts = []
    for field, child in zip(arr.type, arr.flatten(), strict=True):
        key = _large("," + '"' + field.name + '":')  # (the layout's names need no escape)
        value = _value_json(child)
        if dense:
            value = pc.fill_null(value, _large("null"))
        frag = pc.binary_join_element_wise(key, value, _large(""))
        parts.append(pc.fill_null(frag, _large("")))
    body = pc.binary_join_element_wise(*parts, _large(""))
    opened = pc.binary_replace_slice(body, 0, 1, "{")  # (the first comma, or '' -> '{')
    objects = pc.binary_join_element_wise(opened, _large("}"), _large(""))
    return pc.if_else(arr.is_valid(), objects, pa.scalar(None, type=pa.large_string()))


def json_texts(series_or_array) -> tuple[pa.Array, np.ndarray]:
    """Each row's value as JSON text (as orjson writes the object), and where it is missing.

    Parameters
    ----------
    series_or_array : pandas.Series or pyarrow.Array
        A typed nested column (:func:`is_typed`).

    Returns
    -------
    (pyarrow.Array of large_string, numpy.ndarray of bool)
        The texts (``""`` where missing) and the missing mask.
    """
    arr = arrow_of(series_or_array)
    texts = _value_json(arr, is_dense(arr.type)) if len(arr) else \
        pa.array([], type=pa.large_string())
    missing = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return pc.fill_null(texts, _large("")), missing


# ---------------------------------------------------------------- frames


def frame_column(name: str, values) -> pd.Series:
    """A nested property's frame column: typed when its values fit, else objects.

    Parameters
    ----------
    name : str
        The property.
    values : list or pyarrow.Array
        Its values (None where missing), or an array already typed.

    Returns
    -------
    pandas.Series
        Of :class:`pandas.ArrowDtype` (:data:`TYPES`), or of objects.
    """
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return typed_series(values) if enabled() else pd.Series(to_objects(values), dtype=object)
    arr = typed_array(name, values)
    return typed_series(arr) if arr is not None else pd.Series(values, dtype=object)


def statuses(attribution: pd.Series) -> np.ndarray | list:
    """Each row's ``attribution.status`` (``"unknown"`` where there is none).

    Parameters
    ----------
    attribution : pandas.Series
        The ``attribution`` column, typed or not.

    Returns
    -------
    numpy.ndarray or list
        The status per row, for a categorical of the statuses.
    """
    if is_typed(attribution):
        status = pc.struct_field(arrow_of(attribution), "status")
        return status.fill_null("unknown").to_numpy(zero_copy_only=False)
    return [a.get("status", "unknown") if isinstance(a, Mapping) else "unknown"
            for a in attribution.tolist()]


# ---------------------------------------------------------------- storing


def _exact(value) -> bool:
    """Whether ``value`` comes back from JSON text as itself (no tuples, sets or NumPy)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is dict:
            if not all(type(k) is str for k in v):
                return False
            stack.extend(v.values())
        elif type(v) is list:
            stack.extend(v)
        elif type(v) not in (str, int, float, bool, type(None)) or v != v:
            return False
    return True


def _json_text(values: list) -> list:
    out = []
    for v in values:
        if _is_missing(v):
            out.append(None)
            continue
        try:
            out.append(orjson.dumps(v, default=_json_default,
                                    option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8"))
        except TypeError:  # (integers over 64 bits)
            out.append(json.dumps(v, ensure_ascii=False, default=_json_default))
    return out


def stored_column(name: str, series: pd.Series, *, exact: bool) -> tuple[pa.Array, str] | None:
    """How a typed nested or object column is stored in GeoParquet, and its kind.

    The one encoder of :func:`geodata.write` (GeoParquet) and the working copy
    (:mod:`geodata.framecache`).

    Parameters
    ----------
    name : str
        The column.
    series : pandas.Series
        A typed nested column (:func:`is_typed`) or an object column.
    exact : bool
        True: None when a value would not come back as itself from JSON text
        (a tuple, a NumPy value, NaN); False: such values are written as JSON
        makes them (lists, numbers, null).

    Returns
    -------
    (pyarrow.Array, str) or None
        The kind is ``"typed"`` (stored natively, :data:`TYPES`), ``"text"``
        (strings) or ``"json"`` (JSON text, parsed on read).
    """
    if is_typed(series):
        return arrow_of(series), "typed"
    values = series.tolist()
    if all(v is None or type(v) is str for v in values):
        return pa.array(values, type=pa.string()), "text"
    arr = typed_array(name, values)
    if arr is not None:
        return arr, "typed"
    if exact and not all(_exact(v) for v in values):
        return None
    return pa.array(_json_text(values), type=pa.string()), "json"


def types_mapper(arrow_type: pa.DataType):
    """``to_pandas(types_mapper=...)``: the typed nested layouts as :class:`pandas.ArrowDtype`.

    Parameters
    ----------
    arrow_type : pyarrow.DataType

    Returns
    -------
    pandas.ArrowDtype or None
    """
    return pd.ArrowDtype(arrow_type) if arrow_type in _ALL_TYPES else None
