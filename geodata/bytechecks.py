"""Checks of whole Arrow columns by their bytes, dictionaries and offsets.

For :mod:`geodata.columnar`: each answers a rule of :mod:`geodata.validate`
for a column at once, as a NumPy array of booleans, without a Python object
per row: text that is not blank (:func:`_has_text`), http(s) URLs
(:func:`_http_urls`), a category column's values (:func:`_by_dictionary`).
Like every column check, one may flag a good row (the per-feature check then
decides), never pass a bad one (``tests/test_columnar.py``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .schema import URL_SCHEMES

#: A frame's typed values (one array, or the chunks it was read in).
_ARROW = (pa.Array, pa.ChunkedArray)
#: A character that is never whitespace (letters, digits, punctuation, symbols):
#: a string holding one is not empty after ``str.strip()``.
_TEXT = r"[\pL\pN\pP\pS]"


def _is_text(arrow_type: pa.DataType) -> bool:
    """Arrow text, of either offset width (a frame's text is ``large_string``, kept uncopied)."""
    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _bools(arr: pa.Array, null: bool) -> np.ndarray:
    return np.asarray(arr.fill_null(null).to_numpy(zero_copy_only=False), dtype=bool)


def _dictionary(values) -> bool:
    """Whether ``values`` are a frame's categories (Arrow dictionary-encoded text)."""
    return isinstance(values, _ARROW) and pa.types.is_dictionary(values.type) and \
        _is_text(values.type.value_type)


def _by_dictionary(values: pa.Array | pa.ChunkedArray, check) -> np.ndarray:
    """``check`` (an Arrow array -> booleans) answered on a dictionary column's few values.

    Each chunk's dictionary is checked once and the answers taken by its
    indices (a null index: a null answer), not the million rows decoded.
    """
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = [pc.take(check(chunk.dictionary), chunk.indices) for chunk in chunks]
    return pa.chunked_array(out, type=pa.bool_()) if out else pa.array([], pa.bool_())


#: Bytes :func:`_printable` reads at a time (its two work arrays stay this small).
_BYTES_AT_ONCE = 1 << 22


def _bytes_of(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of a string array: string ``i`` is ``bytes[offsets[i]:offsets[i + 1]]``."""
    _, offsets, data = text.buffers()
    wide = pa.types.is_large_string(text.type)
    off = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32,
                        count=len(text) + 1, offset=text.offset * (8 if wide else 4))
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return off, raw


def _printable(text: pa.Array) -> np.ndarray:
    """True where a string's every byte is printable ASCII but the space (``!`` to ``~``).

    One pass of NumPy over the array's bytes (the regular expression took
    0.3-0.5 s for a million incidents' two million URLs). A null's bytes
    count too (a null normally has none; any it has can only flag its row).
    """
    out = np.ones(len(text), dtype=bool)
    if not len(text):
        return out
    off, raw = _bytes_of(text)
    raw = raw[off[0]:off[-1]]
    step = max(min(len(raw), _BYTES_AT_ONCE), 1)
    shifted, over = np.empty(step, dtype=np.uint8), np.empty(step, dtype=bool)
    for start in range(0, len(raw), step):  # (a block at a time: no new pages per block)
        part = raw[start:start + step]
        m = len(part)
        np.subtract(part, np.uint8(0x21), out=shifted[:m])  # (wraps below "!")
        np.greater(shifted[:m], np.uint8(0x5D), out=over[:m])
        bad = np.flatnonzero(over[:m])
        if bad.size:
            out[np.searchsorted(off, bad + (off[0] + start), side="right") - 1] = False
    return out


def _has_text(text: pa.Array | pa.ChunkedArray, null: bool) -> np.ndarray:
    """True where a string holds a :data:`_TEXT` character (``null`` where missing).

    A string whose first byte is printable ASCII but the space (a letter,
    digit, punctuation or symbol) holds one; the regular expression reads
    only the others (a few, instead of every row: 45 ms a text column at a
    million).
    """
    parts = []
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        off, raw = _bytes_of(chunk)
        starts = off[:-1]
        first = np.zeros(len(chunk), dtype=np.uint8)
        some = off[1:] > starts
        first[some] = raw[starts[some]]
        ok = (first - np.uint8(0x21)) <= np.uint8(0x5D)  # (0: empty, wraps above "~")
        missing = _bools(chunk.is_null(), False)
        rest = np.flatnonzero(~ok & ~missing)
        if rest.size:
            ok[rest] = _bools(pc.match_substring_regex(chunk.take(pa.array(rest)), _TEXT), False)
        ok[missing] = null
        parts.append(ok)
    return np.concatenate(parts) if parts else np.ones(0, dtype=bool)


def _http_urls(url: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An http(s) URL of printable ASCII (anything else is left to the per-feature check).

    A scheme of :data:`~geodata.schema.URL_SCHEMES` in any case, ``://``, at
    least one more character, every byte from ``!`` to ``~``; True for null
    (no URL). Sound against :func:`geodata.validate.is_http_url`: it passes
    every string this passes (ASCII without space or control).
    """
    size = pc.binary_length(url)
    scheme = pa.repeat(False, len(url))
    for name in URL_SCHEMES:
        prefix = name + "://"
        scheme = pc.or_(scheme, pc.and_(pc.starts_with(url, prefix, ignore_case=True),
                                        pc.greater(size, len(prefix))))
    chunks = url.chunks if isinstance(url, pa.ChunkedArray) else [url]
    printable = np.concatenate([_printable(c) for c in chunks] or [np.ones(0, dtype=bool)])
    return _bools(scheme, True) & (printable | _bools(url.is_null(), False))
