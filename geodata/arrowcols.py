"""A GeoJSON file's columns as Arrow once: converted for the checks, reused for the frame.

:func:`geodata.columnar.columns_of_features` gives each property's values as
a Python list. The column checks need most of them as Arrow arrays (text,
categories, days, the nested properties in their typed layout), and so does
the typed frame (:func:`geodata.io.frame_from_columns`). :func:`convert`
makes each such array once; :func:`kept` hands the frame the kept rows of
those arrays instead of the lists, where the frame built from them is the
same as from the lists (``tests/test_columnar.py`` compares the two paths).

At 1,000,000 incidents this saves converting the same columns twice and the
Python loops over the nested properties' dicts (docs/performance.md,
"2026-12-03: GeoJSON the first time, and the import").
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import nested
from .schema import CATEGORICAL_FIELDS, COUNT_FIELDS, NESTED_FIELDS

__all__ = ["convert", "kept"]

#: Columns left as lists: numbers (their checks tell a bool from a number by the
#: Python values), the ids (made apart) and the dates (the frame types them from text).
_AS_LISTS = frozenset(("id", "geo_precision_km", *COUNT_FIELDS))
_DATES = frozenset(("date", "end_date"))


def _text(values: list, parsed: bool) -> pa.Array | None:
    """The values as a string array, or None when one is not a string (nor missing)."""
    try:
        if parsed:  # (JSON values: a str, or no bytes that Arrow would take as text)
            return pa.array(values, type=pa.string(), from_pandas=False)
        arr = pa.array(values, from_pandas=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None
    return arr if pa.types.is_string(arr.type) else None


def convert(values: dict[str, list], parsed: bool = False) -> dict[str, pa.Array]:
    """The columns worth checking and typing as Arrow, each converted once.

    Parameters
    ----------
    values : dict of str to list
        Each property's values (None where missing), as
        :func:`geodata.columnar.columns_of_features` gives them.
    parsed : bool, default False
        True when the values are parsed JSON (str, numbers, bools, None,
        lists and dicts only): text is then converted as text directly,
        several times faster than letting Arrow infer the type.

    Returns
    -------
    dict of str to pyarrow.Array
        Text columns (every value a string or missing) as string arrays, and
        ``sources``, ``attribution`` and ``related`` in their typed layout
        (:func:`geodata.nested.typed_array`) where every value fits it. Other
        columns are left out (they stay lists). Empty within
        :func:`geodata.nested.objects_only`.
    """
    out: dict[str, pa.Array] = {}
    if not nested.enabled():
        return out
    for name, column in values.items():
        if not isinstance(column, list) or name in _AS_LISTS:
            continue
        if name in NESTED_FIELDS:
            arr = nested.typed_array(name, column)
        else:
            arr = _text(column, parsed)
        if arr is not None:
            out[name] = arr
    return out


def _retyped(name: str, arr: pa.Array) -> pa.Array:
    """A typed nested column's kept rows in the layout :func:`nested.typed_array` gives them.

    A column "keeping its nulls" (every dict had every key, some null) whose
    kept rows hold no null child is typed plainly, as those rows alone would be.
    """
    layout = arr.type
    if not nested.is_dense(layout):
        return arr
    struct = arr.flatten() if pa.types.is_list(layout) else arr
    valid = len(struct) - struct.null_count
    present = sum(len(c) - c.null_count for c in struct.flatten())
    return arr.cast(nested.TYPES[name]) if present == valid * struct.type.num_fields else arr


def kept(name: str, arr: pa.Array, valid: np.ndarray | None) -> pa.Array | None:
    """The kept rows of a column :func:`convert` made, for the frame; None: use the list.

    Parameters
    ----------
    name : str
        The property.
    arr : pyarrow.Array
        From :func:`convert`.
    valid : numpy.ndarray of bool or None
        The rows kept (None: every row).

    Returns
    -------
    pyarrow.Array or None
        None where the frame types the list otherwise than the array: the
        dates (typed from their text) and a category column with no value
        left (pandas gives its empty categories another dtype).
    """
    if name in _DATES:
        return None
    if valid is not None:
        arr = arr.filter(pa.array(valid))
    if name in NESTED_FIELDS:
        return _retyped(name, arr)
    if name in CATEGORICAL_FIELDS:  # (as a frame's categories: geodata.io types them so)
        return None if arr.null_count == len(arr) else arr.dictionary_encode()
    return arr

