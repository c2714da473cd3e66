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

import base64
import os
import uuid
from pathlib import Path

import folium
import geopandas as gpd

from geodata.io import atomic_write

from .builder import build_map, incident_layers
from .inline import inline_assets

__all__ = ["PROPS_BLOCK", "export_html", "render_html"]

#: Characters of base64 per block of the export's embedded properties (a multiple of 4).
PROPS_BLOCK = 1 << 20


def _render_without_data(root, layers: list) -> tuple[str, dict[str, tuple[str, str]]]:
    """The page with its assets inlined and a short token in place of each layer's data.

    Returns the page and, per token, the data block's element id and the data.
    """
    blocks: dict[str, tuple[str, str]] = {}
    try:
        for layer in layers:
            key = f"incident-data-{uuid.uuid4().hex}"
            token = f'IncidentMap.readData("{key}")'
            blocks[token] = (key, layer.data_json)
            layer.data_json = token
        page = inline_assets(root.render())
    finally:
        for layer, (_key, original) in zip(layers, blocks.values(), strict=True):
            layer.data_json = original
    return page, blocks


def _data_blocks(page: str, layers: list, blocks: dict) -> list[tuple[int, str, str]]:
    """``(position, opening tag, text)`` of each block of data to insert into the page."""
    inserts = []
    end = page.rindex("</html>")  # (after the map script: read once the map is drawn)
    for layer, (token, (key, data)) in zip(layers, blocks.items(), strict=True):
        if page.count(token) != 1:
            raise RuntimeError("an incident layer's data did not reach the page exactly once")
        start = page.rfind("<script", 0, page.index(token))
        inserts.append((start, f'<script type="application/json" id="{key}">', data))
        if layer.props is not None:
            # In blocks of 1 MB: the browser's parser can stop between two
            # (and paint the map) but not inside one.
            blob = base64.b64encode(layer.props).decode("ascii")
            for k, at in enumerate(range(0, max(len(blob), 1), PROPS_BLOCK)):
                tag = f'<script type="application/octet-stream" id="{key}-props-{k}">'
                inserts.append((end, tag, blob[at : at + PROPS_BLOCK]))
    return inserts


def render_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page: every script and style inlined.

    Each incident layer's columns go into the page as a JSON block
    (``<script type="application/json">``) just before the script that
    reads it (browsers parse JSON text several times faster than a
    JavaScript literal), and its properties, gzip + base64, as a block at
    the end of the page, read after the map is drawn. The page is rendered
    and its assets inlined with a short placeholder in place of the data,
    which goes in last, so megabytes of data are copied once and never
    scanned for tags (they cannot hold any:
    :func:`~mapapp.mapdata.safe_json` escapes every ``<``, and base64 has
    none).

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
    page, blocks = _render_without_data(root, layers)
    parts, pos = [], 0
    for start, tag, data in sorted(_data_blocks(page, layers, blocks), key=lambda item: item[0]):
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
