"""The page's map as a Streamlit component of our own (no streamlit-folium).

The folium builder stays the one map builder: the page makes
:func:`mapapp.builder.base_map` and :func:`mapapp.builder.page_group`, and
this module renders each one's script (every element's ``script`` macro, the
element before its children, as folium's page would run them) and hands them
to the map frame, ``index.html`` beside the map's assets
(:func:`mapapp.assets.frame_html`, served as :data:`mapapp.serving.MAP_COMPONENT`).
The frame (``frontend/src/framemap.js``) makes the map once per component
key and on later reruns swaps only the view's group; a new ``center`` moves
the view. The map is keyed by the base map's script too, so another basemap
or dataset makes a new map, as ``st_folium`` did.

Every text from data is escaped by the builder (``safe_json``); the
arguments travel as JSON and the frame never puts one into ``innerHTML``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import folium
from branca.element import Element

from .. import assets

__all__ = ["GROUP_VAR", "MAP_VAR", "frame_args", "group_script", "map_script", "show"]

#: The map's variable in the frame (and its div's id): folium's name of a Map whose id is "div".
MAP_VAR = assets.FRAME_MAP_ID
#: The view's group's variable in the frame.
GROUP_VAR = "feature_group_view"


def _scripts(element: Element) -> Iterator[str]:
    """Each element's ``script`` macro output, the element first, then its children."""
    macro = element._template.module.__dict__.get("script")
    if macro is not None:
        yield str(macro(element, {}))
    for child in element._children.values():
        yield from _scripts(child)


def map_script(base: folium.Map) -> str:
    """The base map's script, making the map as :data:`MAP_VAR` in the frame's div of that id.

    Parameters
    ----------
    base : folium.Map
        :func:`mapapp.builder.base_map` (its id is set to ``"div"``).

    Returns
    -------
    str
        JavaScript that runs after Leaflet and ``incidentmap.js``.
    """
    base._id = MAP_VAR.removeprefix("map_")
    return "\n".join(_scripts(base))


def group_script(group: folium.FeatureGroup, base: folium.Map) -> str:
    """The view's group's script: the group made as :data:`GROUP_VAR` and added to the map.

    Parameters
    ----------
    group : folium.FeatureGroup
        :func:`mapapp.builder.page_group` (added to ``base`` here, its id set).
    base : folium.Map
        The map it goes on, after :func:`map_script`.

    Returns
    -------
    str
    """
    group._id = GROUP_VAR.removeprefix("feature_group_")
    group.add_to(base)
    # (folium adds a layer's addTo when it renders the whole page, which this does not)
    return "\n".join([*_scripts(group), f"{GROUP_VAR}.addTo({MAP_VAR});"])


def frame_args(base: folium.Map, group: folium.FeatureGroup, *, data_url: str | None,
               height: int, center=None, zoom: int | None = None) -> dict:
    """What the map frame is sent on each rerun (JSON).

    Parameters
    ----------
    base, group
        The base map and the view's group (see :func:`map_script`, :func:`group_script`).
    data_url : str or None
        The dataset's draw file, fetched by the frame as soon as it has this.
    height : int
        The map's height in pixels.
    center : sequence of two floats, optional
        ``[lat, lng]`` to move the view to (when it differs from the last one).
    zoom : int, optional
        The zoom to move to with ``center``.

    Returns
    -------
    dict
        ``script``, ``map_var``, ``group``, ``group_var``, ``data_url``,
        ``height``, ``center``, ``zoom``.
    """
    script = map_script(base)
    return {
        "script": script,
        "map_var": MAP_VAR,
        "group": group_script(group, base),
        "group_var": GROUP_VAR,
        "data_url": data_url,
        "height": int(height),
        "center": [float(center[0]), float(center[1])] if center else None,
        "zoom": int(zoom) if zoom is not None else None,
    }


def show(base: folium.Map, group: folium.FeatureGroup, *, key: str, data_url: str | None,
         height: int, center=None, zoom: int | None = None) -> dict | None:
    """Show the map in the page; returns the last click (see :func:`mapapp.contract.clicked_id`).

    Parameters
    ----------
    base, group, data_url, height, center, zoom
        As for :func:`frame_args`.
    key : str
        The component's key; the base map's script is added to it, so a
        new dataset or basemap makes a new map and a filter change does not.

    Returns
    -------
    dict or None
        ``{"id", "lat", "lng", "count", "frame"}`` of the last click, None before one.
    """
    from .load import map_component

    args = frame_args(base, group, data_url=data_url, height=height, center=center, zoom=zoom)
    digest = hashlib.blake2b(args["script"].encode("utf-8"), digest_size=8).hexdigest()
    value = map_component()(**args, key=f"{key}-{digest}", default=None)
    return value if isinstance(value, dict) else None


