"""The export's data: the draw payload and the properties, compressed, as text a page can hold.

A standalone map (:mod:`mapapp.export`) carries every incident. The draw
payload (:func:`mapapp.mapdata.draw_payload`) goes in as one binary
container (:func:`payload_bytes`: the columns as raw little-endian arrays, the
rest as JSON) and its ids apart (:func:`ids_bytes`: their JSON list, which the
map inflates on a second thread and splits only when it first needs an id),
the properties in blocks of :data:`EXPORT_BLOCK` incidents (four
of the page's blocks; :func:`block_columns`: column by column, which
compresses better than rows that repeat every key; nested values such as
``sources`` split into one column per key). Each is compressed with raw
deflate (the browser's ``DecompressionStream('deflate-raw')``) and written
as text by :func:`pack7`: 7 bits per character, 14 % over the bytes where
base64 costs 33 %. The map decodes the payload before it draws and a block
only when a popup or a tooltip needs one of its incidents
(``frontend/src/decode.js``, ``dataset.js``).

:func:`estimate_size` predicts a file's size from a sample, before anything
is built (the size guard of :mod:`mapapp.exportguard`).
"""

from __future__ import annotations

import collections
import contextlib
import gc
import itertools
import math
import re
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geodata import nested as typed_nested
from geodata.geojson_write import (
    _OPT,
    _column_json,
    _is_missing,
    _json_default,
    _Unsupported,
    to_features,
)
from geodata.jsontext import _escaped
from geodata.schema import DERIVED_FIELDS

from . import compress, contract
from .drawcols import BINARY_COLUMNS, ids_bytes, payload_bytes, read_payload
from .exportnested import nested_blocks

__all__ = [
    "BINARY_COLUMNS",
    "EXPORT_BLOCK",
    "LEVEL",
    "block_columns",
    "columns_from_rows",
    "deflate",
    "estimate_size",
    "inflate",
    "iter_blocks",
    "pack7",
    "pack_export",
    "ids_bytes",
    "payload_bytes",
    "read_export",
    "read_payload",
    "rows_from_columns",
    "unpack7",
]

#: Deflate level of the export's data: 6 makes blocks 25 % smaller than 1 at
#: twice the CPU; 9 saves 2 % more at twice again (measured at 100,000).
LEVEL = 6

#: Incidents per block of the export: four of the page's blocks
#: (:data:`mapapp.contract.PROPS_BLOCK`). Each block is compressed alone, so
#: bigger blocks compress better: 2,000 make the properties 6 % smaller than
#: 1,000, 4,000 10 % (measured at 40,000 incidents of the benchmark's data);
#: a click decodes one block (4,000 rows: tens of milliseconds).
EXPORT_BLOCK = 4 * contract.PROPS_BLOCK

#: The values :func:`pack7` never writes as themselves: NUL (the HTML parser
#: makes it U+FFFD), CR (made LF), ``<`` (could close the script) and ``~``
#: (the escape). Each is written as ``~`` and a digit: ``~0`` for NUL, ``~1``
#: for CR, ``~2`` for ``<``, ``~3`` for ``~``. Only ASCII, and no more DEL or
#: other control characters than the data has: Chromium read the 107 MB file
#: of a million incidents in 7.3 s with U+0100-U+0102 for these, 5.6 s with
#: DEL as the escape, 1.0 s this way.
_ESCAPED = (0, 13, 60, 126)
_ESC = 126
#: Rows made into column JSON at a time (whole blocks, at least one): 48,000 (about
#: 43 MB of JSON) take 15 % less CPU than 12,000 at 1M (fewer Arrow calls).
_CHUNK = 48_000
#: Blocks waiting to be compressed at most (by two threads).
_AHEAD = 16


# --------------------------------------------------------------- encoding


def deflate(data: bytes, level: int = LEVEL) -> bytes:
    """Raw deflate (no header: what ``DecompressionStream('deflate-raw')`` reads).

    By the system's libdeflate where there is one (half zlib's CPU), else zlib
    (:mod:`mapapp.compress`).
    """
    return compress.deflate(data, level)


def inflate(data: bytes) -> bytes:
    """The bytes :func:`deflate` compressed."""
    return zlib.decompress(data, -15)


def pack7(data: bytes) -> str:
    """Bytes as text for a ``<script>`` element: 7 bits per character, ASCII only.

    Every 7 bits become one character, U+0000 to U+007F, except NUL, CR,
    ``<`` and ``~``, written as ``~`` and a digit (:data:`_ESCAPED`; the HTML
    parser changes the first two, the third could close the script). So
    the text is 8/7 of the bytes plus about 3 %, against 4/3 for base64.
    ``decode.js``'s ``unpack7`` reverses it.

    Parameters
    ----------
    data : bytes
        Any bytes.

    Returns
    -------
    str
        ASCII text: ``ceil(8 * len(data) / 7)`` characters and one more per
        escaped value.
    """
    groups = math.ceil(8 * len(data) / 7)
    raw = np.frombuffer(data, dtype=np.uint8)
    padded = np.zeros(math.ceil(len(raw) / 7) * 7, dtype=np.uint8)
    padded[: len(raw)] = raw
    sevens = padded.reshape(-1, 7).astype(np.uint64)
    word = np.zeros(len(sevens), dtype=np.uint64)
    for k in range(7):  # (56 bits, big-endian)
        word |= sevens[:, k] << np.uint64(8 * (6 - k))
    out = np.empty((len(sevens), 8), dtype=np.uint8)
    for k in range(8):
        out[:, k] = (word >> np.uint64(7 * (7 - k))) & np.uint64(127)
    text = out.ravel()[:groups].tobytes()
    text = text.replace(bytes([_ESC]), bytes([_ESC, 0x33]))  # (the escape first)
    for k, value in enumerate(_ESCAPED[:-1]):
        text = text.replace(bytes([value]), bytes([_ESC, 0x30 + k]))
    return text.decode("ascii")


def unpack7(text: str) -> bytes:
    """The bytes :func:`pack7` wrote (for tests; the browser's is ``decode.js``).

    Raises
    ------
    ValueError
        When ``text`` holds a character or an escape :func:`pack7` never writes.
    """
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise ValueError("not text pack7 wrote") from None
    if any(c in raw for c in b"\0\r<"):
        raise ValueError("not text pack7 wrote")

    def value(match: re.Match) -> bytes:
        digit = match.group(1)[0] - 0x30
        if not 0 <= digit < len(_ESCAPED):
            raise ValueError("not text pack7 wrote")
        return bytes([_ESCAPED[digit]])

    codes = np.frombuffer(re.sub(rb"~(.?)", value, raw, flags=re.S) or b"", dtype=np.uint8)
    bits = np.unpackbits(codes[:, None], axis=1)[:, 1:].ravel()
    return np.packbits(bits[: len(bits) // 8 * 8]).tobytes()


def read_export(page: str) -> list[tuple[dict, list[dict]]]:
    """Each incident layer's payload and properties, read back from an export's HTML.

    For tests and scripts: what the map decodes (``decode.js``), decoded
    here with :func:`unpack7`, :func:`inflate` and :func:`rows_from_columns`.

    Parameters
    ----------
    page : str
        The HTML :func:`mapapp.export.render_html` wrote.

    Returns
    -------
    list of (dict, list of dict)
        Per layer, its payload (:func:`read_payload`) and every incident's
        properties, in order (the page's blocks end to end).
    """
    import re

    tag = r'<script type="application/octet-stream" id="(incident-data-[0-9a-z-]+)">([^<]*)<'
    elements = dict(re.findall(tag, page))
    out = []
    for key in (k for k in elements if "-props-" not in k and not k.endswith("-ids")):
        ids = elements.get(f"{key}-ids")
        payload = read_payload(inflate(unpack7(elements[key])),
                               None if ids is None else inflate(unpack7(ids)))
        rows: list[dict] = []
        for b in itertools.count():
            text = elements.get(f"{key}-props-{b}")
            if text is None:
                break
            ids = payload["ids"][b * EXPORT_BLOCK:(b + 1) * EXPORT_BLOCK]
            rows += rows_from_columns(orjson.loads(inflate(unpack7(text))), ids)
        out.append((payload, rows))
    return out


# ---------------------------------------------------- blocks, column by column


def _nested(values: list, missing: np.ndarray) -> dict:
    """A nested column's values split into one list per key of each shape of dict.

    ``len``: per row, its list's length, -1 where missing, -2 for a value
    that is not a list (one element); ``shape``: per element, its dict's
    shape (an index into ``shapes``, each the dict's keys in order), or -1
    for an element that is not a dict with text keys (the next of ``raw``);
    ``cols``: per shape, per key, the values of the dicts of that shape, in
    order.
    """
    lens: list[int] = []
    elements: list = []
    for value, gone in zip(values, missing.tolist(), strict=True):
        if gone:
            lens.append(-1)
        elif isinstance(value, list | tuple):
            lens.append(len(value))
            elements.extend(value)
        else:
            lens.append(-2)
            elements.append(value)
    keys = [tuple(e) if isinstance(e, dict) else None for e in elements]
    index: dict[tuple, int] = {}
    shape = [-1 if k is None else index.setdefault(k, len(index)) for k in keys]
    shapes = list(index)
    bad = {c for c, k in enumerate(shapes) if not all(isinstance(x, str) for x in k)}
    if bad:  # (keys orjson would refuse as they are: the element goes whole)
        shape = [-1 if c in bad else c for c in shape]
    raw = [e for e, c in zip(elements, shape, strict=True) if c < 0]
    cols = []
    for c, k in enumerate(shapes):
        picked = [list(e.values()) for e, code in zip(elements, shape, strict=True) if code == c]
        cols.append([list(v) for v in zip(*picked, strict=True)] if picked else [[] for _ in k])
    return {"len": lens, "shape": shape, "shapes": [list(k) for k in shapes],
            "cols": cols, "raw": raw}


def _is_text(series: pd.Series) -> bool:
    """An object column of plain text (Arrow strings), not of nested values."""
    if typed_nested.is_typed(series):
        return False
    if not pd.api.types.is_object_dtype(series.dtype):
        return True
    first = next((v for v in series.tolist() if not _is_missing(v)), None)
    if not isinstance(first, str):
        return False
    try:
        arr = pa.array(series.tolist(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeError):
        return False
    return pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)


def _values_text(series: pd.Series) -> pa.Array:
    """Each row's JSON value (``null`` where missing), as Arrow text."""
    values, missing = _column_json(series)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if missing is not None and missing.any():
        values = pc.if_else(pa.array(missing), pa.scalar("null", pa.large_string()), values)
    return pc.fill_null(values, "null")


def _blocks_of(values: pa.Array, n: int, block: int, sep: str = ",") -> list[bytes]:
    """``values`` joined with ``sep``, ``block`` rows per piece."""
    offsets = np.append(np.arange(0, n, block), n).astype(np.int64)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values)
    joined = pc.binary_join(lists, pa.scalar(sep, pa.large_string()))
    return joined.cast(pa.large_binary()).to_pylist()


def _text_blocks(series: pd.Series, n: int, block: int) -> list[bytes]:
    """Each block's JSON values of a text column (:func:`_values_text`, joined).

    Where no value is missing, the strings are escaped and joined by
    ``","`` (each block quoted at its ends), not quoted one by one: a third
    of the time.
    """
    if not isinstance(series.dtype, pd.StringDtype) or series.isna().any():
        return _blocks_of(_values_text(series), n, block)
    escaped = _escaped(pa.array(series.astype("str"), from_pandas=True))
    return [b'"' + text + b'"' for text in _blocks_of(escaped, n, block, '","')]


def _missing(series: pd.Series) -> np.ndarray:
    objects = series.tolist()
    out = np.zeros(len(objects), dtype=bool)
    for i in np.flatnonzero(pd.isna(series).to_numpy()).tolist():
        out[i] = _is_missing(objects[i])
    return out


def _chunk_columns(part: gpd.GeoDataFrame, block: int, ids_column: bool) -> list[bytes]:
    """Each block's JSON (:func:`block_columns`) of ``part``, built column by column."""
    n = len(part)
    names = [c for c in part.columns if c != part.geometry.name and c not in DERIVED_FIELDS]
    starts = list(range(0, n, block))
    pieces: list[list[bytes]] = [[] for _ in starts]
    for name in names:
        key = orjson.dumps(name)
        series = part[name]
        if name == "id" and ids_column:
            for p in pieces:
                p.append(b'{"name":' + key + b',"ids":1}')
        elif _is_text(series):
            for p, text in zip(pieces, _text_blocks(series, n, block), strict=True):
                p.append(b'{"name":' + key + b',"values":[' + text + b"]}")
        elif typed_nested.is_typed(series):  # (split per key as objects are, by Arrow)
            texts = nested_blocks(name, typed_nested.arrow_of(series), block)
            for p, text in zip(pieces, texts, strict=True):
                p.append(text)
        else:
            values, missing = series.tolist(), _missing(series)
            for p, s in zip(pieces, starts, strict=True):
                nested = _nested(values[s:s + block], missing[s:s + block])
                p.append(orjson.dumps({"name": name, **nested}, default=_json_default,
                                      option=_OPT))
    sizes = [min(block, n - s) for s in starts]
    return [b'{"n":%d,"cols":[' % size + b",".join(p) + b"]}"
            for size, p in zip(sizes, pieces, strict=True)]


def columns_from_rows(rows: list[dict], ids: list[str] | None = None,
                      order: list[str] | None = None) -> bytes:
    """A block's JSON made from its rows (the path for frames the column path refuses).

    Parameters
    ----------
    rows : list of dict
        The block's properties, as the page's block holds them.
    ids : list of str, optional
        The payload's ids of these rows: an ``id`` equal to them all is not
        written (the map takes it from the payload).
    order : list of str, optional
        The columns' order (the frame's); other keys follow, as first met.

    Returns
    -------
    bytes
        What :func:`block_columns` gives for the same rows (same decoded rows).
    """
    names: dict[str, None] = {}
    present = set().union(*rows) if rows else set()
    names.update(dict.fromkeys(k for k in order or () if k in present))
    for row in rows:
        names.update(dict.fromkeys(row))
    cols = []
    for name in names:
        values = [row.get(name) for row in rows]
        if name == "id" and ids is not None and values == list(ids):
            cols.append({"name": name, "ids": 1})
        elif all(v is None or not isinstance(v, dict | list | tuple) for v in values):
            cols.append({"name": name, "values": values})
        else:
            missing = np.array([name not in row for row in rows], dtype=bool)
            cols.append({"name": name, **_nested(values, missing)})
    return orjson.dumps({"n": len(rows), "cols": cols}, default=_json_default, option=_OPT)


def rows_from_columns(data: dict, ids: list[str]) -> list[dict]:
    """The rows of a block's columns (the reference of ``decode.js``'s ``blockRows``).

    Parameters
    ----------
    data : dict
        A block, parsed.
    ids : list of str
        The payload's ids of its rows.

    Returns
    -------
    list of dict
        The page's rows: keys in column order, missing values left out.
    """
    rows: list[dict] = [{} for _ in range(data["n"])]
    for col in data["cols"]:
        name = col["name"]
        if col.get("ids"):
            values = list(ids)
        elif "values" in col:
            values = col["values"]
        else:
            values = _unnest(col)
        for row, v in zip(rows, values, strict=True):
            if v is not None:
                row[name] = v
    return rows


def _unnest(col: dict) -> list:
    """A nested column's row values from :func:`_nested`'s lists."""
    shapes, cols = col["shapes"], col["cols"]
    taken = [0] * len(shapes)
    shape, raw = iter(col["shape"]), iter(col["raw"])

    def element():
        code = next(shape)
        if code < 0:
            return next(raw)
        at = taken[code]
        taken[code] = at + 1
        return {key: cols[code][j][at] for j, key in enumerate(shapes[code])}

    out = []
    for length in col["len"]:
        if length == -1:
            out.append(None)
        elif length == -2:
            out.append(element())
        else:
            out.append([element() for _ in range(length)])
    return out


def _ids_column(gdf: gpd.GeoDataFrame) -> bool:
    """Whether the ``id`` column is the payload's ids exactly (text, none missing)."""
    if "id" not in gdf.columns:
        return False
    ids = gdf["id"]
    if ids.isna().any():
        return False
    return isinstance(ids.dtype, pd.StringDtype) or all(isinstance(v, str) for v in ids.tolist())


def block_columns(gdf: gpd.GeoDataFrame, block: int = EXPORT_BLOCK) -> Iterator[bytes]:
    """Yield the properties of each block of ``block`` incidents as column JSON.

    ``{"n": rows, "cols": [col, ...]}``, a column per property in the
    frame's order: ``{"name", "values"}`` (one JSON value per row, ``null``
    where missing), ``{"name", "ids": 1}`` (the payload's ids) or a nested
    column (:func:`_nested`). :func:`rows_from_columns` (and the map's
    ``blockRows``) make of it exactly the rows of the page's block
    (:func:`geodata.geojson_write.iter_properties_json`).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents.
    block : int
        Incidents per block.

    Yields
    ------
    bytes
        One block's JSON, in the frame's order.
    """
    n = len(gdf)
    ids_column = _ids_column(gdf)
    chunk = block * max(1, _CHUNK // block)
    collecting = gc.isenabled()
    gc.disable()  # (nothing made here holds a cycle; a collection would walk the frame)
    try:
        for start in range(0, n, chunk):
            part = gdf.iloc[start:start + chunk]
            texts = None
            with contextlib.suppress(_Unsupported, ValueError, TypeError, pa.ArrowException):
                texts = _chunk_columns(part, block, ids_column)
            if texts is None:
                rows = [f["properties"] for f in to_features(part)]
                ids = part["id"].astype(str).tolist() if ids_column else None
                names = list(part.columns)
                texts = [columns_from_rows(rows[s:s + block],
                                           ids[s:s + block] if ids else None, names)
                         for s in range(0, len(rows), block)]
            yield from texts
    finally:
        if collecting:
            gc.enable()


def _pack(text: bytes) -> str:
    return pack7(deflate(text))


def iter_blocks(gdf: gpd.GeoDataFrame, block: int = EXPORT_BLOCK,
                pool: ThreadPoolExecutor | None = None) -> Iterator[str]:
    """Yield each block of :func:`block_columns`, deflated and packed (:func:`pack7`).

    Compressed on two threads (or ``pool``'s) while the next blocks' JSON is
    made (zlib lets go of the GIL), at most :data:`_AHEAD` blocks ahead.
    """
    if pool is None:
        with ThreadPoolExecutor(max_workers=2) as own:
            yield from iter_blocks(gdf, block, own)
        return
    pending: collections.deque = collections.deque()
    for text in block_columns(gdf, block):
        pending.append(pool.submit(_pack, text))
        while len(pending) > _AHEAD or (pending and pending[0].done()):
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def pack_export(gdf: gpd.GeoDataFrame, colors: dict[str, str],
                block: int = EXPORT_BLOCK) -> tuple[str, str, list[str]]:
    """An export's packed payload, ids and blocks.

    The payload: :func:`payload_bytes` without the ids; the ids:
    :func:`ids_bytes`; the blocks: :func:`iter_blocks`. The payload and the
    ids are compressed on the two threads while the blocks are made.
    """
    from .mapdata import draw_payload

    with ThreadPoolExecutor(max_workers=2) as pool:
        drawn = draw_payload(gdf, colors)
        payload = pool.submit(_pack, payload_bytes(drawn, ids=False))
        ids = pool.submit(_pack, ids_bytes(drawn))
        del drawn
        blocks = list(iter_blocks(gdf, block, pool))
        return payload.result(), ids.result(), blocks


# ------------------------------------------------------------------ estimate

#: The export's size without incidents: scripts, styles, outlines and place names
#: (measured: an export of one incident, 509 kB, 2026-12-03), rounded up.
FIXED_BYTES = 520_000
#: Incidents a size estimate encodes (spread over the frame).
SAMPLE = 2 * EXPORT_BLOCK


def estimate_size(gdf: gpd.GeoDataFrame) -> int:
    """The bytes an export of ``gdf`` will take, from a sample (within about 5 %).

    Encodes :data:`SAMPLE` incidents spread evenly over the frame, in whole
    blocks, as the export does (payload and properties), and scales them up.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents to export.

    Returns
    -------
    int
        The estimated size of the file, in bytes.
    """
    from .mapdata import draw_payload

    n = len(gdf)
    if n <= SAMPLE:
        sample = gdf
    else:
        step = n // SAMPLE
        sample = gdf.iloc[: step * SAMPLE : step]
    if not len(sample):
        return FIXED_BYTES
    blocks = sum(len(s.encode("utf-8")) for s in iter_blocks(sample))
    drawn = draw_payload(sample)
    payload = sum(len(pack7(deflate(part)).encode("utf-8"))
                  for part in (payload_bytes(drawn, ids=False), ids_bytes(drawn)))
    return FIXED_BYTES + round((blocks + payload) * n / len(sample))
