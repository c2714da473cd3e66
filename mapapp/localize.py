"""Make a folium map load its scripts and stylesheets from local copies.

folium and its plugins link Leaflet and friends from CDNs; :func:`localize`
rewrites those links to the offline copies that :mod:`mapapp.assets`
registers (placeholders for :func:`mapapp.inline.inline_assets`, or the
urls Streamlit serves), drops the libraries the project's maps do not use,
and refuses anything that would still load from the network.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from branca.colormap import ColorMap
from branca.element import CssLink, JavascriptLink
from folium import Popup

from .assets import ASSET_SCHEME, ASSETS, AssetError, asset_url, find_asset, is_external_url

__all__ = ["localize"]

# File names (last url segment, lower case) of CDN urls that folium and its
# plugins use, mapped to our asset names.
_KNOWN_FILES = {
    "leaflet.js": "leaflet.js",
    "leaflet-src.js": "leaflet.js",
    "leaflet.css": "leaflet.css",
    "leaflet.markercluster.js": "markercluster.js",
    "leaflet.markercluster-src.js": "markercluster.js",
    "markercluster.css": "MarkerCluster.css",
    "markercluster.default.css": "MarkerCluster.Default.css",
    "leaflet_heat.min.js": "leaflet-heat.js",
    "leaflet-heat.js": "leaflet-heat.js",
}
_JQUERY_FILE = re.compile(r"jquery(?:-\d+(?:\.\d+)*)?(?:\.slim)?(?:\.min)?\.js")
# Link names folium uses for them (folium.Map, plugins.MarkerCluster, plugins.HeatMap).
_KNOWN_KEYS = {
    "leaflet": "leaflet.js",
    "leaflet_css": "leaflet.css",
    "markerclusterjs": "markercluster.js",
    "markerclustercss": "MarkerCluster.css",
    "markerclusterdefaultcss": "MarkerCluster.Default.css",
    "leaflet-heat.js": "leaflet-heat.js",
    "jquery": "jquery.js",
}
# Libraries folium.Map loads by default that the project's maps do not use.
_DROP = re.compile(
    r"bootstrap|awesome[-_.]?markers|awesome[-_.]rotate|glyphicons|font-?awesome"
    r"|fortawesome",
    re.IGNORECASE,
)




def _match_asset(key: str, url: str) -> str | None:
    """Return the asset name a ``(key, url)`` link stands for, if any."""
    if url.startswith(ASSET_SCHEME):
        return find_asset(url[len(ASSET_SCHEME) :]).name
    filename = re.split(r"[?#]", url, maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1].lower()
    if _JQUERY_FILE.fullmatch(filename):
        return "jquery.js"
    return _KNOWN_FILES.get(filename) or _KNOWN_KEYS.get(key)


def _where(element: Any) -> str:
    return f"{type(element).__name__} {getattr(element, '_name', '')!r}".rstrip(" '")


def _localize_links(
    element: Any, links: Any, kind: str, url_of: Callable[[str], str], jquery: bool
) -> list[tuple[str, str]]:
    """Rewrite one ``default_js``/``default_css`` list (see :func:`localize`)."""
    out: dict[str, str] = {}
    for key, url in links:
        name = _match_asset(key, url)
        if name == "jquery.js" and not jquery:
            continue
        if name is not None:
            if ASSETS[name].kind != kind:
                raise AssetError(f"{_where(element)}: {key!r} ({url}) is not a {kind} file")
            out.setdefault(name, url_of(name))
        elif _DROP.search(key) or _DROP.search(url):
            continue
        elif is_external_url(url):
            raise AssetError(
                f"{_where(element)} loads {key!r} from {url}, which has no offline copy in "
                "mapapp.assets.ASSETS; register one or do not use this element"
            )
        else:
            out[key] = url  # already local (relative path, data: URI, ...)
    return list(out.items())


def _walk(root: Any) -> Iterator[Any]:
    """Yield ``root`` and every element below it (depth first, document order)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        yield element
        below = list(getattr(element, "_children", {}).values())
        # Figure's header/html/script and DualMap's two maps are not children.
        for attr in ("header", "html", "script", "m1", "m2"):
            part = getattr(element, attr, None)
            if hasattr(part, "_children"):
                below.append(part)
        stack.extend(reversed(below))


def _needs_jquery(elements: list[Any]) -> bool:
    """Whether folium templates in the tree call jQuery's ``$``.

    ``folium.Popup`` builds its content with ``$(`<div>...`)[0]`` and
    ``folium.Map(objects_to_stay_in_front=...)`` uses ``$(document).ready``.
    """
    return any(
        isinstance(el, Popup) or getattr(el, "objects_to_stay_in_front", None) for el in elements
    )


def _localize_element(el: Any, url_of: Callable[[str], str], jquery: bool) -> None:
    """Localize one element's own links and its ``JavascriptLink``/``CssLink`` children."""
    if isinstance(el, ColorMap):
        raise AssetError(
            f"{_where(el)} loads d3 from https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/"
            "d3.min.js when rendered, which has no offline copy; draw the legend "
            "another way"
        )
    if hasattr(el, "default_js"):
        el.default_js = _localize_links(el, el.default_js, "js", url_of, jquery)
    if hasattr(el, "default_css"):
        el.default_css = _localize_links(el, el.default_css, "css", url_of, jquery)
    children = getattr(el, "_children", None)
    if not children:
        return
    for key, child in list(children.items()):
        if not isinstance(child, (JavascriptLink, CssLink)):
            continue
        kind = "js" if isinstance(child, JavascriptLink) else "css"
        links = _localize_links(child, [(key, child.url)], kind, url_of, jquery)
        if links:
            child.url = links[0][1]
        else:
            del children[key]


def localize(
    element: Any,
    asset_url: Callable[[str], str] = asset_url,  # default: the module-level function
    *,
    jquery: bool | None = None,
) -> Any:
    """Make a folium element tree load its scripts and stylesheets locally.

    For ``element`` and every element below it that declares ``default_js`` /
    ``default_css`` (``folium.Map``, ``plugins.MarkerCluster``,
    ``plugins.HeatMap``, ...), the lists are replaced, as *instance*
    attributes (the classes are left alone), by ``(asset name, asset_url(name))``
    pairs for the assets in :data:`mapapp.assets.ASSETS`.  Bootstrap, Glyphicons, Font
    Awesome and Leaflet.awesome-markers, which ``folium.Map`` loads by
    default, are dropped: the project's maps do not use them (so do not use
    ``folium.Icon``; use ``CircleMarker``, ``DivIcon`` or the default marker).
    jQuery is dropped too unless the map needs it (see ``jquery``).
    ``JavascriptLink``/``CssLink`` elements already in the tree (e.g. in the
    header of a rendered Figure) are rewritten or removed the same way.

    Call it after the last layer is added and before rendering.

    Parameters
    ----------
    element : branca.element.Element
        A ``folium.Map``, a ``Figure`` or any element; its whole subtree is
        processed.
    asset_url : callable, default :func:`mapapp.assets.asset_url`
        Maps an asset name to the url put into the page:
        :func:`~mapapp.assets.asset_url` for a page passed to
        :func:`mapapp.inline.inline_assets`, :func:`~mapapp.assets.static_url`
        for Streamlit static serving (after :func:`~mapapp.assets.write_static`).
    jquery : bool, optional
        Keep jQuery (as the local ``jquery.js`` asset from ``xstatic-jquery``)
        or drop it.  By default it is kept only if the tree needs it: folium's
        ``Popup`` (also made by ``Marker(popup=...)`` and friends) builds its
        content with jQuery, and so does ``Map(objects_to_stay_in_front=...)``.

    Returns
    -------
    branca.element.Element
        ``element`` itself, for chaining.

    Raises
    ------
    AssetError
        If an element loads a script or stylesheet from an ``http(s)://`` or
        ``//`` url that has no registered offline copy (the message names the
        element and the url), or contains a branca ``ColorMap`` (which always
        loads d3 from a CDN).
    """
    elements = list(_walk(element))
    keep_jquery = _needs_jquery(elements) if jquery is None else jquery
    for el in elements:
        _localize_element(el, asset_url, keep_jquery)
    return element
