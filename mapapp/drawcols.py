"""The draw payload's positions made compact for the map's first draw.

:func:`xy_column`: positions as int32 in 1e-7 degrees (``xy_scale``);
:func:`b64`, a typed array's bytes in base64 (every coded column of the
payload). Used by :func:`mapapp.mapdata.draw_payload` (docs/performance.md,
"the first draw at a million").
"""

from __future__ import annotations

import base64

import geopandas as gpd
import numpy as np

__all__ = ["XY_SCALE", "b64", "xy_column"]


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
