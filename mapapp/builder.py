"""The one folium map builder, used by the export and by the Streamlit page.

The map is a folium :class:`~folium.Map` holding two elements of this
module: :class:`Basemap` (tile layers from xyzservices, offline country
outlines under them, the layer control) and :class:`IncidentLayer` inside a
:class:`~folium.FeatureGroup` (the incidents, their chain, uncertainty,
clusters, heat, legend, summary and time control). The incidents reach the
page as the compact columns of :func:`mapapp.mapdata.draw_payload`, escaped
for a ``<script>`` block, and are drawn by ``templates/incidentmap.js``,
which puts data text into the page only through ``textContent``.
:mod:`mapapp.export` renders a map into one self-contained HTML file.

Examples
--------
>>> import geodata
>>> from mapapp.builder import build_map
>>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
>>> m = build_map(gdf, title="US-Iran escalation")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import html
import json
import uuid
from collections.abc import Callable
from importlib import resources

import folium
import geopandas as gpd
import orjson
import xyzservices.providers as xyz
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import JSCSSMixin
from jinja2 import Template

import geodata

from . import assets, contract, exportdata
from .localize import localize
from .mapdata import (
    OTHER_COLOR,
    actor_colors,
    data_bounds,
    event_shapes,
    safe_json,
)

__all__ = [
    "BASEMAPS",
    "Basemap",
    "IncidentLayer",
    "InlineData",
    "base_map",
    "build_map",
    "export_group",
    "incident_layers",
    "page_group",
    "view_summary",
]

#: Basemap tiles (xyzservices providers); the first is shown by default.
TILE_PROVIDERS = (xyz.OpenStreetMap.Mapnik, xyz.Esri.WorldImagery)

#: The basemap choices: the tile providers each offers, the first shown.
#: ``outlines`` has none: the map makes no network request at all, so no tile
#: server learns which area is looked at; country outlines and place names
#: (offline, under the tiles in the other choices) are all it shows.
BASEMAPS = {
    "tiles": TILE_PROVIDERS,
    "outlines": (),
    "satellite": (xyz.Esri.WorldImagery, xyz.OpenStreetMap.Mapnik),
}


def _check_basemap(basemap: str) -> str:
    if basemap not in BASEMAPS:
        choices = ", ".join(map(repr, BASEMAPS))
        raise ValueError(f"basemap must be one of {choices}, got {basemap!r}")
    return basemap


@functools.lru_cache(maxsize=1)
def _places_text() -> str:
    return resources.files("mapapp").joinpath("data", "places.json").read_text(encoding="utf-8")


def _places() -> dict:
    """The offline place names (``mapapp/data/places.json``): countries and cities."""
    places = json.loads(_places_text())
    return {"countries": places["countries"], "cities": places["cities"]}


def _tiles(basemap: str = "tiles") -> list[contract.Tile]:
    return [
        contract.Tile(
            name=provider.name.replace(".", " "),
            url=provider.build_url(fill_subdomain=False, scale_factor=""),
            attribution=provider.html_attribution,
            max_zoom=provider.get("max_zoom", 19),
            subdomains=provider.get("subdomains", "abc"),
        )
        for provider in BASEMAPS[basemap]
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

    def __init__(
        self, *, bounds=None, offline_outlines: bool = True, basemap: str = "tiles",
        asset_url=assets.asset_url,
    ):
        super().__init__(asset_url)
        self._name = "Basemap"
        self.options_json = _basemap_options(
            offline_outlines, safe_json(bounds), _check_basemap(basemap)
        )


@functools.lru_cache(maxsize=8)
def _basemap_options(offline_outlines: bool, bounds_json: str, basemap: str = "tiles") -> str:
    # (made once: the page makes a base map on every rerun, and the outlines
    # are 0.3 MB of JSON to parse and write again)
    options = contract.BasemapOptions(
        tiles=_tiles(basemap),
        collapsed=True,
        countries=assets.countries_geojson() if offline_outlines else None,
        bounds=orjson.loads(bounds_json),
        labels=_places() if offline_outlines else None,
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
        inline: InlineData | None = None,
    ):
        super().__init__(asset_url)
        self._name = "IncidentLayer"
        self.data_json = data_json
        self.options_json = safe_json(options.to_dict())
        #: The export's data, put into the page by :func:`mapapp.export.render_html`.
        self.inline = inline


class InlineData:
    """What an export's layer carries: its payload and blocks, packed as text.

    ``key`` is the id of the payload's element (the ids': ``key-ids``; each
    block's: ``key-props-N``); ``payload``, ``ids`` and each of ``blocks``
    are :func:`mapapp.exportdata.pack7` text of deflated data
    (:func:`~mapapp.exportdata.payload_bytes` without the ids,
    :func:`~mapapp.exportdata.ids_bytes`, :func:`~mapapp.exportdata.iter_blocks`).
    """

    def __init__(self, gdf: gpd.GeoDataFrame, colors: dict[str, str]):
        self.key = f"incident-data-{uuid.uuid4().hex}"
        self.payload, self.ids, self.blocks = exportdata.pack_export(gdf, colors)

    def remote(self) -> contract.RemoteData:
        """The layer's data for the script: where its payload and blocks are."""
        return contract.RemoteData(url="#" + self.key,
                                   props_url=f"#{self.key}-props-{{block}}",
                                   props_block=exportdata.EXPORT_BLOCK, mask="all")


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
    selected: str | None = None,
    story: contract.StoryOptions | None = None,
) -> contract.LayerOptions:
    counts = summary["actor_counts"]
    legend = [
        contract.LegendActor(name=name, color=color, count=counts[name])
        for name, color in colors.items()
        if counts.get(name, 0)
    ]
    n = summary["incidents"]
    # (the dates once, on the count line: the filter's range where one is
    # set, else the incidents' own; the filter lines leave them out)
    start, end = summary["start"], summary["end"]
    if filters is not None and filters.start is not None:
        start = f"{filters.start:%Y-%m-%d}"
    if filters is not None and filters.end is not None:
        end = f"{filters.end:%Y-%m-%d}"
    return contract.LayerOptions(
        title=title,
        total=total if total is not None else n,
        start=start,
        end=end,
        filters=filters.describe(dates=False) if filters is not None else [],
        other_color=OTHER_COLOR,
        legend_actors=legend,
        other_actors=max(len(counts) - len(legend), 0),
        shapes=event_shapes(summary["event_types"]),
        fit=fit,
        cluster=cluster,
        legend_open=legend_open and n > 0,
        selected=None if selected is None else str(selected),
        story=story.to_dict() if story is not None else None,
    )


def export_group(
    gdf: gpd.GeoDataFrame,
    *,
    title: str | None = None,
    filters: geodata.Filters | None = None,
    total: int | None = None,
    colors: dict[str, str] | None = None,
    fit: bool = False,
    cluster: bool | str = "auto",
    selected: str | None = None,
    asset_url: Callable[[str], str] = assets.asset_url,
    story: contract.StoryOptions | None = None,
) -> folium.FeatureGroup:
    """The incidents of ``gdf`` as a FeatureGroup that carries them (the export).

    The page holds their :func:`~mapapp.mapdata.draw_payload`, decoded
    before the first frame, and their properties (for popups) in blocks of
    :data:`mapapp.exportdata.EXPORT_BLOCK` incidents, each decoded when one of
    its incidents is first shown (:class:`InlineData`).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents to draw (already filtered).
    title, filters, total, cluster, selected, asset_url, story
        As for :func:`build_map`.
    colors : dict, optional
        Actor colours (default :func:`~mapapp.mapdata.actor_colors` of ``gdf``).
    fit : bool
        Fit the map to the incidents when they are drawn.

    Returns
    -------
    folium.FeatureGroup
    """
    colors = colors if colors is not None else actor_colors(gdf)
    inline = InlineData(gdf, colors)
    options = _layer_options(
        view_summary(gdf), title=title, filters=filters, total=total, colors=colors, fit=fit,
        cluster=cluster, legend_open=story is None, selected=selected, story=story,
    )
    group = folium.FeatureGroup(name="Incidents", control=False)
    group.add_child(IncidentLayer(safe_json(inline.remote()), options, asset_url=asset_url,
                                  inline=inline))
    return group


def page_group(
    *,
    data_url: str,
    props_url: str | None,
    mask: str,
    summary: dict,
    props_block: int = contract.PROPS_BLOCK,
    colors: dict[str, str],
    title: str | None = None,
    filters: geodata.Filters | None = None,
    total: int | None = None,
    cluster: bool | str = "auto",
    legend_open: bool = True,
    selected: str | None = None,
    fit: bool = True,
    asset_url: Callable[[str], str] = assets.asset_url,
    story: contract.StoryOptions | None = None,
) -> folium.FeatureGroup:
    """A view of a dataset the page serves, as a FeatureGroup (what the page swaps).

    The map fetches the whole dataset's :func:`~mapapp.mapdata.draw_payload` from
    ``data_url`` (once), each properties block from ``props_url`` when a popup
    first needs it, and draws the incidents that ``mask`` picks, so a filter
    change sends a few kilobytes, not the data again.

    Parameters
    ----------
    data_url : str
        Where the page serves the payload.
    props_url : str or None
        URL template of a properties block (``{block}``: its number).
    mask : str
        ``'all'`` or a base64 bitset (see :func:`mapapp.mapdata.mask_code`).
    summary : dict
        The view's :func:`view_summary`.
    colors : dict
        The whole dataset's actor colours.
    title, filters, total, cluster, selected, asset_url
        As for :func:`build_map`.
    legend_open : bool
        The legend starts open (when the view has incidents).
    fit : bool
        Fit the map to the view's incidents (clear of the summary and the
        legend) when the view's incidents change; a view that differs only
        in its selection keeps the map where the user left it.
    props_block : int, default mapapp.contract.PROPS_BLOCK
        Incidents per properties block.
    story : mapapp.contract.StoryOptions, optional
        A story played on the view (the page: its current step, no panel).

    Returns
    -------
    folium.FeatureGroup
    """
    data_json = safe_json(contract.RemoteData(
        url=data_url, props_url=props_url, props_block=props_block, mask=mask))
    options = _layer_options(
        summary, title=title, filters=filters, total=total, colors=colors, fit=fit,
        cluster=cluster, legend_open=legend_open, selected=selected, story=story,
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
    basemap: str = "tiles",
) -> folium.Map:
    """A folium Map with tiles, offline outlines, place names and controls, without incidents.

    Parameters
    ----------
    bounds : list, optional
        ``[[south, west], [north, east]]`` to fit.
    height : str or int
        The map's height.
    asset_url : callable
        As for :func:`build_map`.
    title : str, optional
        The page title (escaped).
    basemap : {'tiles', 'outlines', 'satellite'}
        As for :func:`build_map`.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        When ``basemap`` is not one of :data:`BASEMAPS`.
    """
    _check_basemap(basemap)
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
    m.add_child(Basemap(bounds=None, basemap=basemap, asset_url=asset_url))
    localize(m, asset_url=asset_url)
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
    basemap: str = "tiles",
    selected: str | None = None,
    story: contract.StoryOptions | None = None,
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
        Actor colours (default :func:`~mapapp.mapdata.actor_colors` of ``gdf``); pass the full
        dataset's colours so a filtered view keeps them.
    cluster : bool or 'auto'
        Cluster markers; 'auto' clusters above 5,000 incidents.
    asset_url : callable
        Maps an asset name to the URL the page loads it from: placeholders
        (inlined by :func:`mapapp.export.render_html`) or Streamlit static URLs.
    basemap : {'tiles', 'outlines', 'satellite'}
        ``tiles``: OpenStreetMap; ``satellite``: Esri World Imagery; both
        with the other a click away. ``outlines``: country outlines and
        place names only, and no network request at all. Every choice has
        the offline outlines and place names under its tiles.
    selected : str, optional
        An incident's id: drawn with a ring above the others, brought into
        view, its popup open.
    story : mapapp.contract.StoryOptions, optional
        A story to play (:func:`mapapp.contract.story_options`): its step
        panel, previous and next, arrow keys, ``#step=N``; each step's
        incidents highlighted, the others dimmed; the legend starts closed.

    Returns
    -------
    folium.Map

    Raises
    ------
    ValueError
        When ``basemap`` is not one of :data:`BASEMAPS`.
    """
    m = base_map(bounds=data_bounds(gdf), height=height, asset_url=asset_url, title=title,
                 basemap=basemap)
    group = export_group(
        gdf, title=title, filters=filters, total=total, colors=colors, fit=True,
        cluster=cluster, selected=selected, asset_url=asset_url, story=story,
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


def incident_layers(element) -> list[IncidentLayer]:
    """Every :class:`IncidentLayer` in ``element``'s tree.

    Parameters
    ----------
    element : branca.element.Element
        A map, a figure or a group.

    Returns
    -------
    list of IncidentLayer
    """
    return [el for el in _elements(element) if isinstance(el, IncidentLayer)]
