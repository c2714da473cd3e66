"""Two of the draw payload's columns made compact for the map's first draw.

:func:`xy_column`: positions as int32 in 1e-7 degrees (``xy_scale``);
:func:`joined_ids`: the page's draw file's ids as one text; :func:`b64`, a typed
array's bytes in base64 (every coded column of the payload). Used by
:func:`mapapp.mapdata.draw_payload` and :func:`mapapp.mapdata.draw_file_bytes`
(docs/performance.md, "the first draw at a million").
"""

from __future__ import annotations

import base64

import geopandas as gpd
import numpy as np

__all__ = ["XY_SCALE", "b64", "joined_ids", "xy_column"]


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


def joined_ids(ids: list[str]) -> list[str] | str:
    """The draw file's ids: one text, joined by newlines, when no id holds one.

    The map reads one string of a million ids (30 MB) at JSON's speed and
    splits it only when it first needs an id (a click, a look-up): a list
    of a million strings took about 0.2 s of the page's thread to parse
    before the first draw. Ids that hold a newline (or are missing) stay a list.
    """
    try:
        text = "\n".join(ids)
    except TypeError:  # (a missing id: null in the list)
        return ids
    return text if len(ids) and text.count("\n") == len(ids) - 1 else ids
