"""The one folium map builder, used by the export and by the Streamlit page.

The map is a folium :class:`~folium.Map` holding two elements of this
module: :class:`Basemap` (tile layers from xyzservices, offline country
outlines under them, the layer control) and :class:`IncidentLayer` inside a
:class:`~folium.FeatureGroup` (the incidents, their chain, uncertainty,
clusters, heat, legend, summary and time control). The incidents reach the
page as one compact GeoJSON object, escaped for a ``<script>`` block, and
are drawn by ``templates/incidentmap.js``, which puts data text into the
page only through ``textContent``.

Examples
--------
>>> import geodata
>>> from mapapp.builder import build_map, export_html
>>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
>>> export_html(gdf, "map.html", title="US-Iran escalation")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import functools
import gzip
import hashlib
import html
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import xyzservices.providers as xyz
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin
from jinja2 import Template

import geodata
from geodata.io import atomic_write
from geodata.summary import category_codes

from . import assets, contract

__all__ = [
    "Basemap",
    "IncidentLayer",
    "actor_colors",
    "build_map",
    "draw_payload",
    "export_group",
    "export_html",
    "page_group",
    "properties_json",
    "render_html",
    "safe_json",
    "view_summary",
]

#: Qualitative palette: Okabe-Ito's colour-blind-safe colours, then Tol's, no two alike.
#: As many colours as legend entries, so the listed actors never share one.
PALETTE = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#882255", "#332288", "#999933", "#F0E442", "#AA4499", "#6F4E37",
)
OTHER_COLOR = "#8c8c8c"
LEGEND_ACTORS = 12

#: Marker shape per ACLED event type; other types get the remaining shapes.
SHAPES = {
    "Explosions/Remote violence": "circle",
    "Battles": "diamond",
    "Violence against civilians": "triangle",
    "Protests": "square",
    "Riots": "triangle-down",
    "Strategic developments": "hexagon",
}
_SPARE_SHAPES = ("star", "square", "diamond", "triangle", "triangle-down", "hexagon")

#: Characters of base64 per block of the export's embedded properties (a multiple of 4).
PROPS_BLOCK = 1 << 20

#: Basemap tiles (xyzservices providers); the first is shown by default.
TILE_PROVIDERS = (xyz.OpenStreetMap.Mapnik, xyz.Esri.WorldImagery)


def _stable_index(name: str, modulo: int) -> int:
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % modulo


def actor_colors(gdf: gpd.GeoDataFrame, limit: int = LEGEND_ACTORS) -> dict[str, str]:
    """Colours for the ``limit`` most frequent actors (the rest are grey).

    Each actor's colour comes from a hash of its name, so it is the same in
    every view and export of any dataset; collisions among the listed actors
    are resolved in order of frequency (the most frequent keeps its colour).
    """
    if "actor" not in gdf.columns or not len(gdf):
        return {}
    counts = gdf["actor"].astype(object).value_counts(dropna=True)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:limit]
    taken: set[int] = set()
    out = {}
    for name, _ in ranked:
        i = _stable_index(str(name), len(PALETTE))
        while i in taken and len(taken) < len(PALETTE):
            i = (i + 1) % len(PALETTE)
        taken.add(i)
        out[str(name)] = PALETTE[i]
    return out


def event_shapes(types) -> dict[str, str]:
    """Marker shape for each event type."""
    out = {}
    for t in types:
        out[t] = SHAPES.get(t) or _SPARE_SHAPES[_stable_index(t, len(_SPARE_SHAPES))]
    return out


def safe_json(obj) -> str:
    r"""JSON text that is safe inside an HTML ``<script>`` block.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc., so no data can close the
    script or open a comment; U+2028/2029 are escaped for older parsers.
    """
    text = orjson.dumps(obj, option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _b64(values: np.ndarray, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def draw_payload(
    gdf: gpd.GeoDataFrame, colors: dict[str, str] | None = None
) -> contract.DrawPayload:
    """What the map needs to draw the incidents, as compact columns.

    The keys are those of :class:`mapapp.contract.DrawPayload`.

    The map draws from this (a few bytes per incident, decoded in
    milliseconds) and reads each incident's full properties, for popups,
    from :func:`properties_json` afterwards. Numbers are little-endian typed
    arrays in base64; text columns are lists of distinct values plus codes.

    - ``n``, ``ids``: incident count and ids, in the frame's order;
    - ``xy``: float64 longitude, latitude pairs;
    - ``palette``/``color``: each incident's fill colour, uint8 codes (its
      actor's colour in ``colors``, default :func:`actor_colors`, else grey);
    - ``types``/``type``: the event types and uint16 codes (65535: none);
    - ``dashed``: uint8, 1 where the attribution is not confirmed;
    - ``dates``/``date``: the sorted distinct days and uint32 codes;
    - ``km``: float32 ``geo_precision_km`` (NaN: none);
    - ``links``: ``[from, to, relation]`` row pairs of ``related`` whose
      both ends are in the frame (the escalation chain).
    """
    n = len(gdf)
    ids = gdf["id"].astype(str).tolist() if n else []
    xy = np.empty((n, 2), dtype="<f8")
    if n:
        xy[:, 0] = gdf.geometry.x.to_numpy()
        xy[:, 1] = gdf.geometry.y.to_numpy()

    def coded(column: str) -> tuple[list[str], str]:
        if column not in gdf.columns or not n:
            return [], _b64(np.full(n, 65535), "<u2")
        names, codes = category_codes(gdf[column])
        return names, _b64(np.where(codes < 0, 65535, codes), "<u2")

    colors = colors if colors is not None else actor_colors(gdf)
    palette = sorted(set(colors.values())) + [OTHER_COLOR]
    color = np.full(n, len(palette) - 1, dtype=np.uint8)
    if n and "actor" in gdf.columns:
        names, codes = category_codes(gdf["actor"])
        grey = len(palette) - 1
        lookup = np.array(
            [palette.index(colors[a]) if a in colors else grey for a in names] + [grey],
            dtype=np.uint8,
        )
        color = lookup[codes]  # (code -1, no actor, picks the last entry: grey)
    types, kind = coded("event_type")
    status = gdf["attribution_status"].astype(object) if "attribution_status" in gdf else None
    dashed = np.ones(n, dtype=np.uint8) if status is None else (status != "confirmed").to_numpy()
    if n and "date" in gdf.columns:
        days = gdf["date"].to_numpy().astype("datetime64[D]")
        known = ~np.isnat(days)
        distinct, inverse = np.unique(days[known], return_inverse=True)
        date = np.full(n, 2**32 - 1, dtype=np.int64)
        date[known] = inverse
        dates = [str(d) for d in np.datetime_as_string(distinct, unit="D")]
    else:
        date, dates = np.full(n, 2**32 - 1), []
    km = (
        pd.to_numeric(gdf["geo_precision_km"], errors="coerce")
        .to_numpy(dtype="f8", na_value=np.nan)
        if "geo_precision_km" in gdf.columns
        else np.full(n, np.nan)
    )
    links = []
    if "related" in gdf.columns and n:
        where = {v: i for i, v in enumerate(ids)}
        for i, related in enumerate(gdf["related"].tolist()):
            if not isinstance(related, list | tuple):
                continue
            for r in related:
                if isinstance(r, dict) and str(r.get("id")) in where:
                    j = where[str(r.get("id"))]
                    if j != i:
                        links.append([j, i, str(r.get("relation") or "related")])
    return contract.DrawPayload(
        n=n,
        ids=ids,
        xy=_b64(xy, "<f8"),
        palette=palette,
        color=_b64(color, "u1"),
        types=types,
        type=kind,
        dashed=_b64(dashed, "u1"),
        dates=dates,
        date=_b64(date, "<u4"),
        km=_b64(km, "<f4"),
        links=links,
    )


def properties_json(gdf: gpd.GeoDataFrame) -> bytes:
    """Every incident's properties as a JSON array, in the frame's order."""
    features = geodata.to_features(gdf)
    return orjson.dumps([f["properties"] for f in features], option=orjson.OPT_SERIALIZE_NUMPY)


def _tiles() -> list[contract.Tile]:
    return [
        contract.Tile(
            name=provider.name.replace(".", " "),
            url=provider.build_url(fill_subdomain=False, scale_factor=""),
            attribution=provider.html_attribution,
            max_zoom=provider.get("max_zoom", 19),
            subdomains=provider.get("subdomains", "abc"),
        )
        for provider in TILE_PROVIDERS
    ]


class _Verbatim(Element):
    """Text that goes into the page as it is: never compiled as a Jinja template."""

    def __init__(self, text: str):
        super().__init__()
        self._name = "Verbatim"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _Localized(JSCSSMixin):
    """An element whose scripts and stylesheets come from :mod:`mapapp.assets`."""

    js_assets: tuple[str, ...] = ()
    css_assets: tuple[str, ...] = ()

    def __init__(self, asset_url: Callable[[str], str] = assets.asset_url):
        super().__init__()
        self.default_js = [(n, asset_url(n)) for n in self.js_assets]
        self.default_css = [(n, asset_url(n)) for n in self.css_assets]

    def render(self, **kwargs) -> None:
        """What ``JSCSSMixin.render`` does, but the macros' output goes in verbatim.

        branca wraps each macro's output in ``Element(text)``, which compiles
        the text as a Jinja template and renders it again with the page: that
        evaluated any ``{{ }}`` in the incidents' text and failed on ``{#``,
        and lexing tens of megabytes of data took most of the export's time.
        """
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("You cannot render this Element if it is not in a Figure.")
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            if macros.get(part) is not None:
                getattr(figure, part).add_child(
                    _Verbatim(macros[part](self, kwargs)), name=self.get_name()
                )
        for child in self._children.values():
            child.render(**kwargs)


class Basemap(_Localized):
    """Tile layers (xyzservices), offline country outlines and the layer control."""

    js_assets = ("incidentmap.js",)
    css_assets = ("incidentmap.css",)
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        IncidentMap.basemap({{ this._parent.get_name() }}, {{ this.options_json }});
        {% endmacro %}
        """
    )

    def __init__(self, *, bounds=None, offline_outlines: bool = True, asset_url=assets.asset_url):
        super().__init__(asset_url)
        self._name = "Basemap"
        self.options_json = _basemap_options(offline_outlines, safe_json(bounds))


@functools.lru_cache(maxsize=8)
def _basemap_options(offline_outlines: bool, bounds_json: str) -> str:
    # (made once: the page makes a base map on every rerun, and the outlines
    # are 0.3 MB of JSON to parse and write again)
    options = contract.BasemapOptions(
        tiles=_tiles(),
        collapsed=True,
        countries=assets.countries_geojson() if offline_outlines else None,
        bounds=orjson.loads(bounds_json),
    )
    return safe_json(options.to_dict())


class IncidentLayer(_Localized):
    """The incidents and everything drawn from them; lives in a FeatureGroup."""

    js_assets = ("leaflet-heat.js", "incidentmap.js")
    css_assets = ("incidentmap.css",)
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        IncidentMap.attach(
            {{ this._parent.get_name() }}, {{ this.data_json }}, {{ this.options_json }}
        );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data_json: str,
        options: contract.LayerOptions,
        asset_url=assets.asset_url,
        props: bytes | None = None,
    ):
        super().__init__(asset_url)
        self._name = "IncidentLayer"
        self.data_json = data_json
        self.options_json = safe_json(options.to_dict())
        #: The incidents' properties, gzip-compressed (the export embeds them).
        self.props = props


def view_summary(gdf: gpd.GeoDataFrame) -> dict:
    """What the map's summary, legend and layer control say about a view.

    ``incidents``; ``start`` and ``end`` (``YYYY-MM-DD`` or None: the first
    day and the last, an incident's ``end_date`` included); ``actor_counts``
    (incidents per actor, most first); ``event_types`` (sorted).
    :meth:`geodata.Figures.view_summary` gives the same from a mask
    without making the view's frame.
    """
    return geodata.view_summary(gdf)


def _layer_options(
    summary: dict,
    *,
    title: str | None,
    filters: geodata.Filters | None,
    total: int | None,
    colors: dict[str, str],
    fit: bool,
    cluster: bool | str,
    legend_open: bool,
) -> contract.LayerOptions:
    counts = summary["actor_counts"]
    legend = [
        contract.LegendActor(name=name, color=color, count=counts[name])
        for name, color in colors.items()
        if counts.get(name, 0)
    ]
    n = summary["incidents"]
    return contract.LayerOptions(
        title=title,
        total=total if total is not None else n,
        start=summary["start"],
        end=summary["end"],
        filters=filters.describe() if filters is not None else [],
        other_color=OTHER_COLOR,
        legend_actors=legend,
        other_actors=max(len(counts) - len(legend), 0),
        shapes=event_shapes(summary["event_types"]),
        fit=fit,
        cluster=cluster,
        legend_open=legend_open and n > 0,
    )


def data_bounds(gdf: gpd.GeoDataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the incidents, or None when empty."""
    if not len(gdf):
        return None
    minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
    if not np.all(np.isfinite([minx, miny, maxx, maxy])):
        return None
    return [[miny, minx], [maxy, maxx]]


def export_group(
    gdf: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    filters: geodata.Filters | None = None,
    total: int | None = None,
    colors: dict[str, str] | None = None,
    fit: bool = False,
    cluster: bool | str = "auto",
    asset_url: Callable[[str], str] = assets.asset_url,
) -> folium.FeatureGroup:
    """The incidents of ``gdf`` as a FeatureGroup that carries them (the export).

    The page holds their :func:`draw_payload`, to draw from at once, and
    their properties (for popups), gzip-compressed, read after the first
    frame.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents to draw (already filtered).
    title, filters, total, cluster, asset_url
        As for :func:`build_map`.
    colors : dict, optional
        Actor colours (default :func:`actor_colors` of ``gdf``).
    fit : bool
        Fit the map to the incidents when they are drawn.

    Returns
    -------
    folium.FeatureGroup
    """
    colors = colors if colors is not None else actor_colors(gdf)
    data_json = safe_json(draw_payload(gdf, colors))
    props = gzip.compress(properties_json(gdf), compresslevel=1, mtime=0)
    options = _layer_options(
        view_summary(gdf), title=title, filters=filters, total=total, colors=colors, fit=fit,
        cluster=cluster, legend_open=True,
    )
    group = folium.FeatureGroup(name="Incidents", control=False)
    group.add_child(IncidentLayer(data_json, options, asset_url=asset_url, props=props))
    return group


def page_group(
    *,
    data_url: str,
    props_url: str | None,
    mask: str,
    summary: dict,
    colors: dict[str, str],
    title: str | None = None,
    filters: geodata.Filters | None = None,
    total: int | None = None,
    cluster: bool | str = "auto",
    legend_open: bool = True,
    asset_url: Callable[[str], str] = assets.asset_url,
) -> folium.FeatureGroup:
    """A view of a dataset the page serves, as a FeatureGroup (what the page swaps).

    The map fetches the whole dataset's :func:`draw_payload` from
    ``data_url`` and its :func:`properties_json` from ``props_url`` (once
    each) and draws the incidents that ``mask`` picks, so a filter change
    sends a few kilobytes, not the data again.

    Parameters
    ----------
    data_url, props_url : str
        Where the page serves the payload and the properties.
    mask : str
        ``'all'`` or a base64 bitset (see :meth:`mapapp.state.Dataset.mask_code`).
    summary : dict
        The view's :func:`view_summary`.
    colors : dict
        The whole dataset's actor colours.
    title, filters, total, cluster, asset_url
        As for :func:`build_map`.
    legend_open : bool
        The legend starts open (when the view has incidents).

    Returns
    -------
    folium.FeatureGroup
    """
    data_json = safe_json(contract.RemoteData(url=data_url, props_url=props_url, mask=mask))
    options = _layer_options(
        summary, title=title, filters=filters, total=total, colors=colors, fit=False,
        cluster=cluster, legend_open=legend_open,
    )
    group = folium.FeatureGroup(name="Incidents", control=False)
    group.add_child(IncidentLayer(data_json, options, asset_url=asset_url))
    return group


def base_map(
    *,
    bounds=None,
    height: str | int = "100%",
    asset_url: Callable[[str], str] = assets.asset_url,
    title: str | None = None,
) -> folium.Map:
    """A folium Map with tiles, offline outlines and controls, without incidents."""
    m = folium.Map(
        location=None,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        height=height,
        zoom_start=2,
        world_copy_jump=True,
        max_zoom=19,
    )
    if title:
        m.get_root().title = html.escape(title)
    m.add_child(Basemap(bounds=None, asset_url=asset_url))
    assets.localize(m, asset_url=asset_url)
    if bounds is not None:
        # Not animated: an animated zoom ends 250 ms after the page has drawn
        # the incidents and makes it draw them all again.
        fit = folium.map.FitBounds(bounds, max_zoom=8)
        fit.options["animate"] = False
        m.add_child(fit)
    return m


def build_map(
    gdf: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    filters: geodata.Filters | None = None,
    total: int | None = None,
    colors: dict[str, str] | None = None,
    cluster: bool | str = "auto",
    height: str | int = "100%",
    asset_url: Callable[[str], str] = assets.asset_url,
) -> folium.Map:
    """Build the map of the given incidents.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents to show (already filtered); every one of them is drawn.
    title : str, optional
        Shown on the map and as the page title (escaped).
    filters : geodata.Filters, optional
        The view's filters, listed on the map.
    total : int, optional
        Size of the unfiltered dataset, for "N of M incidents".
    colors : dict, optional
        Actor colours (default :func:`actor_colors` of ``gdf``); pass the full
        dataset's colours so a filtered view keeps them.
    cluster : bool or 'auto'
        Cluster markers; 'auto' clusters above 5,000 incidents.
    asset_url : callable
        Maps an asset name to the URL the page loads it from: placeholders
        (inlined by :func:`render_html`) or Streamlit static URLs.

    Returns
    -------
    folium.Map
    """
    m = base_map(bounds=data_bounds(gdf), height=height, asset_url=asset_url, title=title)
    group = export_group(
        gdf, title=title, filters=filters, total=total, colors=colors, fit=True,
        cluster=cluster, asset_url=asset_url,
    )
    group.add_to(m)
    return m


def _elements(element) -> list:
    """``element`` and every element below it."""
    out, stack = [], [element]
    while stack:
        el = stack.pop()
        out.append(el)
        stack.extend(getattr(el, "_children", {}).values())
    return out


def render_html(m: folium.Map) -> str:
    """The map as one self-contained HTML page: every script and style inlined.

    Each incident layer's columns go into the page as a JSON block
    (``<script type="application/json">``) just before the script that
    reads it (browsers parse JSON text several times faster than a
    JavaScript literal), and its properties, gzip + base64, as a block at
    the end of the page, read after the map is drawn. The page is rendered
    and its assets inlined with a short placeholder in place of the data,
    which goes in last, so megabytes of data are copied once and never
    scanned for tags (they cannot hold any: :func:`safe_json` escapes every
    ``<``, and base64 has none).
    """
    root = m.get_root()
    layers = [el for el in _elements(root) if isinstance(el, IncidentLayer)]
    blocks = {}  # token -> (element id, data)
    try:
        for layer in layers:
            key = f"incident-data-{uuid.uuid4().hex}"
            token = f'IncidentMap.readData("{key}")'
            blocks[token] = (key, layer.data_json)
            layer.data_json = token
        page = assets.inline_assets(root.render())
    finally:
        for layer, (_key, original) in zip(layers, blocks.values(), strict=True):
            layer.data_json = original
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
            step = PROPS_BLOCK
            for k, at in enumerate(range(0, max(len(blob), 1), step)):
                tag = f'<script type="application/octet-stream" id="{key}-props-{k}">'
                inserts.append((end, tag, blob[at : at + step]))
    parts, pos = [], 0
    for start, tag, data in sorted(inserts, key=lambda item: item[0]):
        parts += [page[pos:start], tag, data, "</script>\n"]
        pos = start
    parts.append(page[pos:])
    return "".join(parts)


def export_html(gdf: gpd.GeoDataFrame, path: str | os.PathLike, **kwargs) -> Path:
    """Write a standalone HTML map of ``gdf`` atomically; returns the path.

    Keyword arguments are those of :func:`build_map`. The file opens with a
    double click and needs no network (only basemap tiles use it).
    """
    page = render_html(build_map(gdf, **kwargs))
    data = page.encode("utf-8")
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    return Path(path)
