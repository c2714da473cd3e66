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


_NEEDS_ESCAPE = r'["\\\x00-\x1f]'
_OPT = orjson.OPT_SERIALIZE_NUMPY
#: The escape of each control character, as orjson writes it (so the bytes match its output).
_CONTROL_ESCAPES = [orjson.dumps(chr(code)).decode()[1:-1] for code in range(32)]


def _large(value: str) -> pa.Scalar:
    return pa.scalar(value, type=pa.large_string())


def _json_strings(values: pd.Series) -> pa.Array:
    """JSON string literals of a text column (null where missing)."""
    return _quoted(pa.array(values.astype("str"), from_pandas=True))


def _quoted(arr: pa.Array) -> pa.Array:
    """JSON string literals of Arrow strings (null where null), escaped column by column.

    Text without quotes, backslashes or control characters only needs its
    quotes; where a column has some, each is replaced by its JSON escape.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    if pc.any(pc.fill_null(pc.match_substring_regex(arr, _NEEDS_ESCAPE), False)).as_py():
        arr = pc.replace_substring(arr, "\\", "\\\\")
        arr = pc.replace_substring(arr, '"', '\\"')
        if pc.any(pc.fill_null(pc.match_substring_regex(arr, r"[\x00-\x1f]"), False)).as_py():
            for code in range(32):
                arr = pc.replace_substring(arr, chr(code), _CONTROL_ESCAPES[code])
    return pc.binary_join_element_wise(_large('"'), arr, _large('"'), _large(""))


