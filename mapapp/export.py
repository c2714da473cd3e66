"""A map as one self-contained HTML file: every script, style and datum inlined.

:func:`render_html` turns a map from :mod:`mapapp.builder` into a page that
opens with a double click and needs no network (only basemap tiles use it,
and with ``basemap="outlines"`` there are none);
:func:`export_html` builds the map of a frame and writes that page.

Examples
--------
>>> import geodata
>>> from mapapp.export import export_html
>>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
>>> export_html(gdf, "map.html", title="US-Iran escalation")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path

import folium
import geopandas as gpd

from geodata.io import atomic_write

from .builder import build_map, incident_layers
from .inline import inline_assets

__all__ = ["export_html", "render_html"]


_READ_EARLY = "if (window.IncidentMap && IncidentMap.readEarly) {{ IncidentMap.readEarly({}); }}"


def _data_blocks(page: str, layers: list) -> list[tuple[int, str, str]]:
    """``(position, opening tag, text)`` of each element of data to insert into the page.

    A layer's ids and payload go just before the script that reads them,
    followed by a line that starts their reading (``IncidentMap.readEarly``:
    unpacked and inflated on two worker threads while the map is made); its
    properties blocks at the end of the page (read when a popup needs one).
    """
    inserts = []
    end = page.rindex("</html>")
    for layer in layers:
        data = layer.inline
        if data is None:
            continue
        url = f'"#{data.key}"'
        if page.count(url) != 1:
            raise RuntimeError("an incident layer's data did not reach the page exactly once")
        start = page.rfind("<script", 0, page.index(url))
        tag = '<script type="application/octet-stream" id="{}">'
        # (their reading starts right after each: the ids on a worker thread
        # while the parser reads the payload, the payload while the map is made)
        inserts.append((start, tag.format(f"{data.key}-ids"), data.ids))
        inserts.append((start, "<script>", _READ_EARLY.format(f'"#{data.key}-ids"')))
        inserts.append((start, tag.format(data.key), data.payload))
        inserts.append((start, "<script>", _READ_EARLY.format(url)))
        for k, text in enumerate(data.blocks):
            inserts.append((end, tag.format(f"{data.key}-props-{k}"), text))
    return inserts


def render_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page: every script and style inlined.

    Each incident layer's draw payload goes into the page as a data
    element (``<script type="application/octet-stream">``, deflated and
    packed as text: :mod:`mapapp.exportdata`) just before the script that
    reads it, and its properties, in blocks of
    :data:`mapapp.exportdata.EXPORT_BLOCK` incidents packed alike, at the end
    of the page; the map decodes a block when a popup or tooltip first
    needs it. The page is rendered and its assets inlined without the data,
    which goes in last, so megabytes of data are copied once and never
    scanned for tags (they cannot hold any: the packed text has no ``<``).

    Parameters
    ----------
    m : folium.Map
        A map from :func:`mapapp.builder.build_map` (or any folium map whose
        assets :func:`mapapp.localize.localize` can make local).

    Returns
    -------
    str
        The HTML page.
    """
    root = m.get_root()
    layers = incident_layers(root)
    page = inline_assets(root.render())
    parts, pos = [], 0
    for start, tag, data in sorted(_data_blocks(page, layers), key=lambda item: item[0]):
        parts += [page[pos:start], tag, data, "</script>\n"]
        pos = start
    parts.append(page[pos:])
    return "".join(parts)


def export_html(gdf: gpd.GeoDataFrame, path: str | os.PathLike, **kwargs) -> Path:
    """Write a standalone HTML map of ``gdf`` atomically.

    The file opens with a double click and needs no network (only basemap
    tiles use it).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents to show (already filtered).
    path : str or os.PathLike
        The ``.html`` file to write.
    **kwargs
        Those of :func:`mapapp.builder.build_map`.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    page = render_html(build_map(gdf, **kwargs))
    data = page.encode("utf-8")
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    return Path(path)
