"""The draw payload made compact for the map's first draw, and its binary container.

:func:`xy_column`: positions as int32 in 1e-7 degrees (``xy_scale``);
:func:`b64`, a typed array's bytes in base64 (every coded column of the
payload). Used by :func:`mapapp.mapdata.draw_payload` (docs/performance.md,
"the first draw at a million"). :func:`payload_bytes` and :func:`ids_bytes`:
the payload as the map reads it fastest, its columns' raw bytes in one
container and its ids apart (the export's elements and the page's draw
files); :func:`read_payload` reads them back.
"""

from __future__ import annotations

import base64
import gzip
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson

from geodata.jsontext import _OPT

from . import contract

__all__ = ["BINARY_COLUMNS", "XY_SCALE", "b64", "ids_bytes", "payload_bytes", "read_draw_file",
           "read_payload", "xy_column"]

#: The draw payload's typed-array columns (base64 in the payload, raw bytes in the container).
BINARY_COLUMNS = ("xy", "color", "type", "dashed", "date", "km")
#: The container's first bytes (version 1).
_MAGIC = b"IMP1"


def b64(values: np.ndarray, dtype: str) -> str:
    """``values`` as ``dtype`` (little-endian, e.g. ``"<u4"``), base64: a typed array's bytes."""
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


#: ``xy_scale`` of positions sent as int32 (units of 1e-7 degree, about 1 cm).
XY_SCALE = 10_000_000


def xy_column(gdf: gpd.GeoDataFrame) -> tuple[str, int]:
    """Longitude, latitude pairs and their scale: int32 in 1e-7 degrees, or float64 (0).

    A position with at most 7 decimals comes back exactly (the map divides
    by the scale: the double nearest the decimal, as parsing it would give);
    the columns are half the bytes (at a million 8 MB where float64 took
    16, deflated 7.5 MB against 9.6), so less to send, inflate and read
    before the first draw. Positions beyond int32's range, or not finite,
    are sent as float64.
    """
    xy = np.empty((len(gdf), 2), dtype="<f8")
    if len(gdf):
        xy[:, 0] = gdf.geometry.x.to_numpy()
        xy[:, 1] = gdf.geometry.y.to_numpy()
    scaled = np.round(xy * XY_SCALE)
    if np.all(np.isfinite(scaled)) and np.all(np.abs(scaled) <= 2**31 - 1):
        return b64(scaled, "<i4"), XY_SCALE
    return b64(xy, "<f8"), 0


def payload_bytes(payload: dict, ids: bool = True) -> bytes:
    """The draw payload as one binary container (``decode.js``'s ``readPayload``).

    ``IMP1``, the header's length (uint32, little-endian), the header (JSON:
    the payload's other keys, and ``buffers``: ``[key, offset, length]`` of
    each typed-array column), then the columns' raw bytes, each at an
    offset that is a multiple of 8 (a Float64Array can view it in place).

    Parameters
    ----------
    payload : dict
        A :func:`mapapp.mapdata.draw_payload` (its columns in base64).
    ids : bool
        Whether the header holds the ids; the export leaves them out and
        writes them apart (:func:`ids_bytes`), inflated beside the columns
        on a second thread and split into strings only when first needed.

    Returns
    -------
    bytes
    """
    columns = [(key, base64.b64decode(payload[key])) for key in BINARY_COLUMNS]
    header = {k: v for k, v in payload.items()
              if k not in BINARY_COLUMNS and (ids or k != "ids")}
    buffers, offset = [], 0
    for key, raw in columns:
        buffers.append([key, offset, len(raw)])
        offset += -(-len(raw) // 8) * 8
    header["buffers"] = buffers
    head = orjson.dumps(header, option=_OPT)
    start = -(-(8 + len(head)) // 8) * 8
    parts = [_MAGIC, len(head).to_bytes(4, "little"), head, b" " * (start - 8 - len(head))]
    for (_key, raw), (_, _at, _n) in zip(columns, buffers, strict=True):
        parts += [raw, b"\0" * (-len(raw) % 8)]
    return b"".join(parts)


def ids_bytes(payload: dict) -> bytes:
    """The payload's ids as a JSON list (UTF-8, compact): the export's ``-ids`` element."""
    return orjson.dumps(payload["ids"], option=_OPT)


def read_payload(data: bytes, ids: bytes | None = None) -> dict:
    """The draw payload :func:`payload_bytes` packed (its columns as raw bytes).

    ``ids``: the :func:`ids_bytes` written apart, if they were.
    """
    if data[:4] != _MAGIC:
        raise ValueError("not an incident payload")
    size = int.from_bytes(data[4:8], "little")
    payload = orjson.loads(data[8:8 + size])
    base = -(-(8 + size) // 8) * 8
    for key, offset, length in payload.pop("buffers"):
        payload[key] = data[base + offset:base + offset + length]
    if ids is not None:
        payload["ids"] = orjson.loads(ids)
    return payload


def read_draw_file(path: str | os.PathLike) -> dict:
    """The draw payload in a page's draw file and the ids beside it (for scripts and tests).

    Parameters
    ----------
    path : str or path-like
        The :data:`mapapp.contract.DRAW_FILE`; its ids are read from the
        :data:`~mapapp.contract.IDS_FILE` beside it.

    Returns
    -------
    dict
        As :func:`mapapp.mapdata.draw_payload` made it (its typed-array columns in base64).
    """
    path = Path(path)
    payload = read_payload(gzip.decompress(path.read_bytes()),
                           gzip.decompress((path.parent / contract.IDS_FILE).read_bytes()))
    for key in BINARY_COLUMNS:
        payload[key] = base64.b64encode(payload[key]).decode("ascii")
    return payload
