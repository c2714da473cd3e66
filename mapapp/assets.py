"""Scripts, stylesheets and basemap data for offline maps, from installed packages.

Nothing here touches the network.  Every asset a map needs resolves to a file
inside an installed Python package (see :data:`ASSETS`):

- ``leaflet.js``, ``leaflet.css`` (+ its ``images/``): ``xstatic-leaflet``,
  ``xstatic/pkg/leaflet/data/leaflet.js`` (minified) and ``leaflet.css``;
- ``markercluster.js``, ``MarkerCluster.css``, ``MarkerCluster.Default.css``:
  ``xstatic-leaflet-markercluster``, ``xstatic/pkg/leaflet_markercluster/data/``
  ``leaflet.markercluster.js`` (minified) and the two stylesheets;
- ``leaflet-heat.js``: ``folium``, ``folium/templates/leaflet_heat.min.js``
  (Leaflet.heat, the file folium's ``HeatMap`` would fetch from a CDN);
- ``jquery.js``: ``xstatic-jquery``, ``xstatic/pkg/jquery/data/jquery.min.js``,
  used only when the map has a folium ``Popup``, whose template calls ``$()``
  (see :func:`localize`);
- ``incidentmap.js``, ``incidentmap.css``: this project's own
  ``mapapp/templates/`` files (package data of ``mapapp``).

The offline basemap, country outlines from Natural Earth, is
:func:`countries_geojson`.

Typical use::

    m = folium.Map(tiles=None, ...)
    m.options["max_zoom"] = 12            # no tile layer: MarkerCluster needs a maxZoom
    ...                                   # add layers, MarkerCluster, HeatMap
    localize(m)                           # default_js/default_css -> mapapp-asset:// urls
    html = inline_assets(m.get_root().render())   # self-contained, no CDN

For Streamlit (``server.enableStaticServing = true``) write the files into the
app's ``static/`` folder once and point the elements at ``/app/static/...``::

    write_static(Path(__file__).parent / "static")
    localize(m, asset_url=static_url)
"""

from __future__ import annotations

import base64
import functools
import importlib
import importlib.metadata
import json
import mimetypes
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Literal

__all__ = [
    "ASSETS",
    "ASSET_SCHEME",
    "Asset",
    "AssetError",
    "asset_path",
    "asset_text",
    "asset_url",
    "countries_geojson",
    "inline_assets",
    "localize",
    "static_url",
    "write_static",
]

#: Prefix of the placeholder urls that :func:`inline_assets` replaces.
ASSET_SCHEME = "mapapp-asset://"


class AssetError(RuntimeError):
    """An asset is missing, unknown, or a map still depends on the network."""


@dataclass(frozen=True)
class Asset:
    """A script or stylesheet shipped inside an installed Python package.

    Parameters
    ----------
    name : str
        Short name used in urls and by :func:`asset_text`.
    kind : {"js", "css"}
        Script or stylesheet.
    module : str
        Importable module that carries the file.
    distribution : str
        Name to ``pip install``.
    relpath : str
        Path of the file below the module's data directory (POSIX separators).
    static_dir : str
        Folder, below the directory given to :func:`write_static`, that holds
        the file (and the images a stylesheet refers to).
    xstatic : bool
        If true the data directory is the module's ``BASE_DIR`` attribute (the
        XStatic convention), else the module's own package directory.
    extras : tuple of str
        Glob patterns (relative to the data directory) of further files that
        :func:`write_static` copies with this one, keeping their relative paths.
    """

    name: str
    kind: Literal["js", "css"]
    module: str
    distribution: str
    relpath: str
    static_dir: str
    xstatic: bool = True
    extras: tuple[str, ...] = ()

    @property
    def static_path(self) -> str:
        """Return the file's path relative to the :func:`write_static` directory.

        Returns
        -------
        str
            POSIX relative path, e.g. ``"leaflet/leaflet.js"``.
        """
        return f"{self.static_dir}/{self.relpath}"


_LEAFLET = ("xstatic.pkg.leaflet", "xstatic-leaflet")
_JQUERY = ("xstatic.pkg.jquery", "xstatic-jquery")
_CLUSTER = ("xstatic.pkg.leaflet_markercluster", "xstatic-leaflet-markercluster")
_MAPAPP = ("mapapp", "incident-map")
#: Distributions of the optional extra ``folium-plugins`` (other folium maps only).
_PLUGIN_DISTRIBUTIONS = frozenset({_JQUERY[1], _CLUSTER[1]})

#: Registry of the assets a map may use, by short name.
ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset("leaflet.js", "js", *_LEAFLET, "leaflet.js", "leaflet"),
        # Leaflet's JS finds its default marker images (incl. marker-shadow.png,
        # which the CSS does not mention) next to the stylesheet.
        Asset("leaflet.css", "css", *_LEAFLET, "leaflet.css", "leaflet", extras=("images/*",)),
        Asset("markercluster.js", "js", *_CLUSTER, "leaflet.markercluster.js", "markercluster"),
        Asset("MarkerCluster.css", "css", *_CLUSTER, "MarkerCluster.css", "markercluster"),
        Asset(
            "MarkerCluster.Default.css",
            "css",
            *_CLUSTER,
            "MarkerCluster.Default.css",
            "markercluster",
        ),
        Asset(
            "leaflet-heat.js",
            "js",
            "folium",
            "folium",
            "templates/leaflet_heat.min.js",
            "leaflet-heat",
            xstatic=False,
        ),
        Asset("jquery.js", "js", *_JQUERY, "jquery.min.js", "jquery"),
        # The project's own map code, shipped as package data of mapapp.
        Asset(
            "incidentmap.js", "js", *_MAPAPP, "templates/incidentmap.js", "mapapp", xstatic=False
        ),
        Asset(
            "incidentmap.css", "css", *_MAPAPP, "templates/incidentmap.css", "mapapp", xstatic=False
        ),
    )
}

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
_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


# --------------------------------------------------------------------------- files


def _asset(name: str) -> Asset:
    try:
        return ASSETS[name]
    except KeyError:
        raise AssetError(
            f"unknown asset {name!r}; known assets: {', '.join(sorted(ASSETS))}"
        ) from None


def _distribution_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown version"


def _data_dir(asset: Asset) -> Path:
    """Return the directory that ``asset.relpath`` is relative to."""
    try:
        module = importlib.import_module(asset.module)
    except ImportError as exc:
        raise AssetError(
            f"asset {asset.name!r} comes from the Python package {asset.distribution!r} "
            f"(module {asset.module}), which is not installed; install it with: "
            f"pip install {asset.distribution}"
            + (
                " (or: pip install 'incident-map[folium-plugins]'; the project's own maps "
                "do not need it)"
                if asset.distribution in _PLUGIN_DISTRIBUTIONS
                else ""
            )
        ) from exc
    if asset.xstatic:
        base = getattr(module, "BASE_DIR", None)
        if base is None:
            raise AssetError(
                f"module {asset.module} has no BASE_DIR; reinstall it with: "
                f"pip install --force-reinstall {asset.distribution}"
            )
        return Path(base)
    return Path(str(resources.files(asset.module)))


def asset_path(name: str) -> Path:
    """Return the installed file of an asset.

    Parameters
    ----------
    name : str
        Short asset name, a key of :data:`ASSETS`.

    Returns
    -------
    pathlib.Path
        Existing file inside the installed package.

    Raises
    ------
    AssetError
        If the name is unknown, the package is not installed or lacks the file.
    """
    asset = _asset(name)
    path = _data_dir(asset).joinpath(*PurePosixPath(asset.relpath).parts)
    if not path.is_file():
        raise AssetError(
            f"asset {name!r}: {path} not found in {asset.distribution} "
            f"({_distribution_version(asset.distribution)}); reinstall it with: "
            f"pip install --force-reinstall {asset.distribution}"
        )
    return path


@functools.cache
def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def asset_text(name: str) -> str:
    """Return the text of an asset file as installed (universal newlines).

    Parameters
    ----------
    name : str
        Short asset name, a key of :data:`ASSETS`.

    Returns
    -------
    str
        The file's text.

    Raises
    ------
    AssetError
        If the name is unknown or the package that carries it is missing; the
        message names the package and the ``pip install`` command.
    """
    return _read_text(asset_path(name))


def asset_url(name: str) -> str:
    """Return the placeholder url of an asset, for ``default_js``/``default_css``.

    Parameters
    ----------
    name : str
        Short asset name, a key of :data:`ASSETS`.

    Returns
    -------
    str
        ``"mapapp-asset://<name>"``, replaced by :func:`inline_assets`.

    Raises
    ------
    AssetError
        If the name is unknown.
    """
    return ASSET_SCHEME + _asset(name).name


def static_url(name: str, prefix: str = "/app/static/") -> str:
    """Return the url of an asset written by :func:`write_static`.

    Parameters
    ----------
    name : str
        Short asset name, a key of :data:`ASSETS`.
    prefix : str, default "/app/static/"
        Url of the directory given to :func:`write_static`.  Streamlit serves
        ``<app dir>/static/X`` at ``/app/static/X`` when
        ``server.enableStaticServing = true``; if the files were written to a
        sub-folder ``static/sub``, pass ``"/app/static/sub/"``.

    Returns
    -------
    str
        E.g. ``"/app/static/leaflet/leaflet.js"``.

    Raises
    ------
    AssetError
        If the name is unknown.
    """
    return prefix.rstrip("/") + "/" + _asset(name).static_path


# ------------------------------------------------------------- text preparation

_SOURCEMAP_JS = re.compile(r"^[ \t]*//[#@][ \t]*sourceMappingURL=[^\r\n]*\r?\n?", re.MULTILINE)
_SOURCEMAP_CSS = re.compile(r"/\*[#@][ \t]*sourceMappingURL=.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<ref>[^"')]*?)(?P=q)\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b", re.IGNORECASE)


def _served_text(name: str) -> str:
    """Return the asset text without source-map comments (the maps are not shipped)."""
    asset = _asset(name)
    text = asset_text(name)
    return _SOURCEMAP_JS.sub("", text) if asset.kind == "js" else _SOURCEMAP_CSS.sub("", text)


def _css_local_refs(name: str) -> Iterator[tuple[re.Match[str], Path, str]]:
    """Yield ``(match, file, relative path)`` for each file a stylesheet refers to.

    References to fragments (``url(#default#VML)``) and ``data:`` URIs are
    skipped.  Anything else must be a relative path to a file in the same
    package, so a stylesheet can never make a request.
    """
    path = asset_path(name)
    base = _data_dir(_asset(name)).resolve()
    text = _served_text(name)
    if _CSS_IMPORT.search(text):
        raise AssetError(f"stylesheet {name!r} uses @import, which would load another file")
    for match in _CSS_URL.finditer(text):
        ref = match.group("ref").strip()
        if not ref or ref.startswith("#") or ref.lower().startswith("data:"):
            continue
        if _EXTERNAL.match(ref) or re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.IGNORECASE):
            raise AssetError(f"stylesheet {name!r} refers to the external url {ref!r}")
        clean = re.split(r"[?#]", ref, maxsplit=1)[0]
        target = (path.parent / clean).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            raise AssetError(
                f"stylesheet {name!r} refers to {ref!r}, which is not a file in "
                f"{_asset(name).distribution}"
            )
        yield match, target, target.relative_to(base).as_posix()


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(name: str) -> str:
    """Stylesheet text with every local ``url(...)`` turned into a ``data:`` URI."""
    text = _served_text(name)
    parts: list[str] = []
    last = 0
    for match, target, _rel in _css_local_refs(name):
        parts += [text[last : match.start()], f'url("{_data_uri(target)}")']
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def _escape_end_tag(text: str, tag: str) -> str:
    r"""Make ``</tag`` inside inline text harmless (``<\/tag``)."""
    return re.sub(rf"</(?={tag})", r"<\\/", text, flags=re.IGNORECASE)


def _default_icon_script() -> str:
    """Point ``L.Icon.Default`` at data URIs of Leaflet's marker images.

    Leaflet finds its default marker images through the url of ``leaflet.css``;
    when that stylesheet is inlined there is no such url, so the images would
    be requested relative to the page.
    """
    images = _data_dir(ASSETS["leaflet.css"]) / "images"
    options = {
        "iconUrl": _data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": _data_uri(images / "marker-shadow.png"),
    }
    return (
        "\n;(function(){if(window.L&&L.Icon&&L.Icon.Default){L.Icon.Default.imagePath='';"
        f"L.Icon.Default.mergeOptions({json.dumps(options)});}}}})();\n"
    )


# -------------------------------------------------------------------- inlining

# An opening <script ... src=...> or <link ... href=...> tag (used to find any
# external dependency, whatever follows the tag).
_EXTERNAL_TAG = re.compile(
    r"""<(?:script|link)\b[^>]*?(?<![\w-])(?:src|href)\s*=\s*(?P<q>["']?)(?P<url>[^"'\s>]*)(?P=q)""",
    re.IGNORECASE,
)
# Exactly the tags folium/branca render for JavascriptLink and CssLink:
# <script src="URL"></script> and <link rel="stylesheet" href="URL"/>.
_TAG = re.compile(
    r"""<script\b[^>]*?(?<![\w-])src\s*=\s*(?P<sq>["']?)(?P<surl>[^"'\s>]*)(?P=sq)[^>]*>"""
    r"""\s*</script\s*>"""
    r"""|<link\b[^>]*?(?<![\w-])href\s*=\s*(?P<lq>["']?)(?P<lurl>[^"'\s>]*)(?P=lq)[^>]*>""",
    re.IGNORECASE,
)


def _external_refs(html: str) -> list[str]:
    """Return the external urls of ``<script src>`` and ``<link href>`` tags."""
    urls = (m.group("url") for m in _EXTERNAL_TAG.finditer(html))
    return list(dict.fromkeys(u for u in urls if _EXTERNAL.match(u)))


def inline_assets(html: str, *, default_icon: bool = True) -> str:
    """Replace asset placeholder tags by the assets' text.

    ``<script src="mapapp-asset://NAME"></script>`` becomes
    ``<script>...</script>`` and ``<link rel="stylesheet"
    href="mapapp-asset://NAME"/>`` becomes ``<style>...</style>`` (quotes,
    attribute order, case and whitespace may vary).  Stylesheet images become
    ``data:`` URIs, ``</script``/``</style`` inside the text are escaped, and
    source-map comments are removed.  An asset referenced twice is inlined once.

    Parameters
    ----------
    html : str
        A rendered page, typically ``folium_map.get_root().render()`` after
        :func:`localize`.
    default_icon : bool, default True
        After ``leaflet.js``, point ``L.Icon.Default`` at ``data:`` URIs of
        Leaflet's marker images, so plain ``folium.Marker`` icons work offline.

    Returns
    -------
    str
        The page with the assets inlined.

    Raises
    ------
    AssetError
        If the page loads a script or stylesheet from ``http(s)://`` or ``//``
        (all such urls are listed), names an unknown asset, uses an asset in
        the wrong kind of tag, or has a placeholder in other markup.
    """
    external = _external_refs(html)
    if external:
        raise AssetError(
            "the map still loads these from the network (call mapapp.assets.localize on "
            "the map before rendering): " + ", ".join(external)
        )
    seen: set[str] = set()

    def _replace(match: re.Match[str]) -> str:
        is_script = match.group("surl") is not None
        url = match.group("surl") if is_script else match.group("lurl")
        if not url.startswith(ASSET_SCHEME):
            return match.group(0)
        name = url[len(ASSET_SCHEME) :]
        kind = "js" if is_script else "css"
        if _asset(name).kind != kind:
            raise AssetError(f"asset {name!r} is not a {kind} file but is used in {match[0]!r}")
        if name in seen:
            return ""
        seen.add(name)
        if is_script:
            text = _served_text(name)
            if name == "leaflet.js" and default_icon:
                text += _default_icon_script()
            return "<script>\n" + _escape_end_tag(text, "script") + "\n</script>"
        return "<style>\n" + _escape_end_tag(_inline_css(name), "style") + "\n</style>"

    # One pass over the page: inserted library text is never scanned again.
    result = _TAG.sub(_replace, html)
    placeholders = set(re.findall(re.escape(ASSET_SCHEME) + r"[^\s\"'<>)]*", html))
    leftover = sorted(placeholders - {ASSET_SCHEME + name for name in seen})
    if leftover:
        raise AssetError("asset placeholders left in unexpected markup: " + ", ".join(leftover))
    return result


# -------------------------------------------------------------------- localize


def _match_asset(key: str, url: str) -> str | None:
    """Return the asset name a ``(key, url)`` link stands for, if any."""
    if url.startswith(ASSET_SCHEME):
        return _asset(url[len(ASSET_SCHEME) :]).name
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
        elif _EXTERNAL.match(url):
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
    from folium import Popup

    return any(
        isinstance(el, Popup) or getattr(el, "objects_to_stay_in_front", None) for el in elements
    )


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
    pairs for the assets in :data:`ASSETS`.  Bootstrap, Glyphicons, Font
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
    asset_url : callable, default :func:`asset_url`
        Maps an asset name to the url put into the page: :func:`asset_url` for
        a page passed to :func:`inline_assets`, :func:`static_url` for Streamlit
        static serving (after :func:`write_static`).
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
    from branca.colormap import ColorMap
    from branca.element import CssLink, JavascriptLink

    elements = list(_walk(element))
    keep_jquery = _needs_jquery(elements) if jquery is None else jquery
    for el in elements:
        if isinstance(el, ColorMap):
            raise AssetError(
                f"{_where(el)} loads d3 from https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/"
                "d3.min.js when rendered, which has no offline copy; draw the legend "
                "another way"
            )
        if hasattr(el, "default_js"):
            el.default_js = _localize_links(el, el.default_js, "js", asset_url, keep_jquery)
        if hasattr(el, "default_css"):
            el.default_css = _localize_links(el, el.default_css, "css", asset_url, keep_jquery)
        children = getattr(el, "_children", None)
        if not children:
            continue
        for key, child in list(children.items()):
            if not isinstance(child, (JavascriptLink, CssLink)):
                continue
            kind = "js" if isinstance(child, JavascriptLink) else "css"
            links = _localize_links(child, [(key, child.url)], kind, asset_url, keep_jquery)
            if links:
                child.url = links[0][1]
            else:
                del children[key]
    return element


# ------------------------------------------------------------- static serving


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Atomically write ``data`` to ``path`` unless it already holds exactly that."""
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_static(directory: str | os.PathLike[str]) -> dict[str, str]:
    """Copy every asset, and the images its stylesheet needs, into a directory.

    Meant for Streamlit's static file serving: with
    ``server.enableStaticServing = true``, ``<app dir>/static/X`` is served at
    ``/app/static/X`` (see :func:`static_url`).  Layout: ``leaflet/leaflet.js``,
    ``leaflet/leaflet.css``, ``leaflet/images/*.png`` (all five, the marker
    images included), ``jquery/jquery.min.js``,
    ``markercluster/leaflet.markercluster.js``, ``markercluster/*.css``,
    ``leaflet-heat/templates/leaflet_heat.min.js``, so the stylesheets'
    relative ``url(images/...)`` references stay valid.  Files that already
    have the right content are not rewritten; others are replaced atomically.
    Source-map comments are removed from the copies (the maps are not shipped).

    Parameters
    ----------
    directory : str or os.PathLike
        Destination, created if needed.

    Returns
    -------
    dict of str to str
        Asset name to its path relative to ``directory`` (POSIX separators).

    Assets of the optional extra ``folium-plugins`` (MarkerCluster, jQuery)
    are left out when it is not installed.

    Raises
    ------
    AssetError
        If the package of an asset the project's maps need is missing.
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written: dict[str, str] = {}
    for name, asset in ASSETS.items():
        try:
            files = [(asset.static_path, _served_text(name).encode("utf-8"))]
        except AssetError:
            if asset.distribution in _PLUGIN_DISTRIBUTIONS:
                continue  # (the optional extra: the project's own maps do not use it)
            raise
        extra: dict[str, Path] = {}
        if asset.kind == "css":
            extra.update((rel, target) for _match, target, rel in _css_local_refs(name))
        if asset.extras:
            base = _data_dir(asset)
            for pattern in asset.extras:
                for path in sorted(base.glob(pattern)):
                    if path.is_file():
                        extra[path.relative_to(base).as_posix()] = path
        files += [(f"{asset.static_dir}/{rel}", path.read_bytes()) for rel, path in extra.items()]
        for rel, data in files:
            _write_if_changed(root.joinpath(*PurePosixPath(rel).parts), data)
        written[name] = asset.static_path
    return written


# ------------------------------------------------------------------ basemap


@functools.cache
def _countries_text() -> str:
    resource = resources.files("mapapp") / "data" / "countries.geojson"
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssetError(
            "mapapp/data/countries.geojson is missing; regenerate it with: "
            "python tools/make_countries.py"
        ) from None


def countries_geojson() -> dict[str, Any]:
    """Return the offline basemap: simplified Natural Earth country outlines.

    The file (``mapapp/data/countries.geojson``, see ``mapapp/data/README.md``)
    is read once via :mod:`importlib.resources` and cached; each call parses
    the cached text again and returns a new dict, because folium's ``GeoJson``
    modifies the data it is given (it adds feature ids).

    Returns
    -------
    dict
        A GeoJSON FeatureCollection (EPSG:4326) whose features have the
        properties ``name`` and ``iso_a3`` (``"-99"`` where Natural Earth has
        no ISO code: Kosovo, N. Cyprus, Somaliland).

    Raises
    ------
    AssetError
        If the data file is missing from the installed package.
    """
    return json.loads(_countries_text())
