"""JSON text as orjson writes it, made by Arrow for whole columns (no geodata imports).

Shared by the column-wise GeoJSON writer (:mod:`geodata.geojson_write`) and
the typed nested columns (:mod:`geodata.nested`), so both escape text the
same way: byte for byte what ``orjson.dumps`` gives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__: list[str] = []


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


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


_OPT = orjson.OPT_SERIALIZE_NUMPY
#: The escape of each control character, as orjson writes it (so the bytes match its output).
_CONTROL_ESCAPES = [orjson.dumps(chr(code)).decode()[1:-1] for code in range(32)]


def _large(value: str) -> pa.Scalar:
    return pa.scalar(value, type=pa.large_string())


def _json_strings(values: pd.Series) -> pa.Array:
    """JSON string literals of a text column (null where missing)."""
    return _quoted(pa.array(values.astype("str"), from_pandas=True))


def _may_need_escape(arr: pa.Array, quotes: bool = True) -> bool:
    """Whether any byte of the strings' data is a control character (or a quote, a backslash).

    One NumPy pass over the data buffer (a regular expression per string took
    most of the export's text columns' time); bytes of null strings count
    too, which only costs the replacements (no-ops where nothing matches).
    """
    if not len(arr):
        return False
    _validity, offsets, data = arr.buffers()
    if data is None:
        return False
    bounds = np.frombuffer(offsets, dtype=np.int64)[arr.offset:arr.offset + len(arr) + 1]
    text = np.frombuffer(data, dtype=np.uint8)[bounds[0]:bounds[-1]]
    found = text < 0x20
    if quotes:
        found |= (text == 0x22) | (text == 0x5C)
    return bool(found.any())


def _escaped(arr: pa.Array) -> pa.Array:
    """Arrow strings as the inside of JSON string literals (large strings, null where null).

    Text without quotes, backslashes or control characters is itself; where a
    column has some, each is replaced by its JSON escape.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    if _may_need_escape(arr):
        arr = pc.replace_substring(arr, "\\", "\\\\")
        arr = pc.replace_substring(arr, '"', '\\"')
        if _may_need_escape(arr, quotes=False):
            for code in range(32):
                arr = pc.replace_substring(arr, chr(code), _CONTROL_ESCAPES[code])
    return arr


def _quoted(arr: pa.Array) -> pa.Array:
    """JSON string literals of Arrow strings (null where null), escaped column by column."""
    return pc.binary_join_element_wise(_large('"'), _escaped(arr), _large('"'), _large(""))


