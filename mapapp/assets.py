"""Scripts, stylesheets and basemap data for offline maps, from installed packages.

This module locates them; :mod:`mapapp.localize` points a folium map at
them and :mod:`mapapp.inline` inlines them into a rendered page.

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
  (see :func:`mapapp.localize.localize`);
- ``incidentmap.js``, ``incidentmap.css``: this project's own
  ``mapapp/templates/`` files (package data of ``mapapp``).

The offline basemap, country outlines from Natural Earth, is
:func:`countries_geojson`.

Typical use::

    from mapapp.inline import inline_assets
    from mapapp.localize import localize

    m = folium.Map(tiles=None, ...)
    m.options["max_zoom"] = 12            # no tile layer: MarkerCluster needs a maxZoom
    ...                                   # add layers, MarkerCluster, HeatMap
    localize(m)                           # default_js/default_css -> mapapp-asset:// urls
    html = inline_assets(m.get_root().render())   # self-contained, no CDN

For Streamlit, write the files once into a folder outside the package (the
page uses :func:`mapapp.serving.static_dir`, served as a component: see
:mod:`mapapp.serving`) and point the elements at it::

    write_static(serving.static_dir())
    localize(m, asset_url=static_url)
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Literal

__all__ = [
    "ASSETS",
    "ASSET_SCHEME",
    "STATIC_PREFIX",
    "Asset",
    "AssetError",
    "asset_path",
    "asset_text",
    "asset_url",
    "countries_geojson",
    "css_local_refs",
    "find_asset",
    "is_external_url",
    "served_text",
    "static_url",
    "FRAME_CSS",
    "FRAME_JS",
    "FRAME_MAP_ID",
    "frame_html",
    "write_static",
]

#: Prefix of the placeholder urls that :func:`mapapp.inline.inline_assets` replaces.
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
        # The page's map frame: Streamlit's component protocol (inlined in its index.html).
        Asset("mapframe.js", "js", *_MAPAPP, "templates/mapframe.js", "mapapp", xstatic=False),
    )
}

#: The page's map frame (``index.html`` of :func:`write_static`): its scripts in the
#: order they run and its stylesheets; ``mapframe.js`` is inlined before them.
FRAME_JS = ("leaflet.js", "leaflet-heat.js", "incidentmap.js")
FRAME_CSS = ("leaflet.css", "incidentmap.css")
#: The id (and the global variable) of the frame's map: folium's ``get_name()``
#: of a Map whose ``_id`` is ``"div"`` (see :mod:`mapapp.page.mapframe`).
FRAME_MAP_ID = "map_div"

_EXTERNAL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def is_external_url(url: str) -> bool:
    """Whether a url loads from the network (``http(s)://`` or ``//``).

    Parameters
    ----------
    url : str
        A ``src``/``href`` value.

    Returns
    -------
    bool
    """
    return bool(_EXTERNAL.match(url))


# --------------------------------------------------------------------------- files


def find_asset(name: str) -> Asset:
    """Return the registered asset of a name.

    Parameters
    ----------
    name : str
        Short asset name, a key of :data:`ASSETS`.

    Returns
    -------
    Asset

    Raises
    ------
    AssetError
        If the name is unknown (the message lists the known ones).
    """
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
    asset = find_asset(name)
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
        ``"mapapp-asset://<name>"``, replaced by :func:`mapapp.inline.inline_assets`.

    Raises
    ------
    AssetError
        If the name is unknown.
    """
    return ASSET_SCHEME + find_asset(name).name


#: Where the page serves the folder given to :func:`write_static` (see :mod:`mapapp.serving`).
STATIC_PREFIX = "/component/mapapp.serving.static/"


def static_url(name: str, prefix: str = STATIC_PREFIX) -> str:
    """Return the url of an asset written by :func:`write_static`.

    Parameters
    ----------
    name : str
        Short asset name, a key of :data:`ASSETS`.
    prefix : str, default STATIC_PREFIX
        Url of the directory given to :func:`write_static`: by default the
        page's, :func:`mapapp.serving.static_dir` served as the component
        ``mapapp.serving.static``.  (With ``server.enableStaticServing``,
        ``<app dir>/static/X`` is at ``"/app/static/X"``.)

    Returns
    -------
    str
        E.g. ``"/component/mapapp.serving.static/leaflet/leaflet.js"``.

    Raises
    ------
    AssetError
        If the name is unknown.
    """
    return prefix.rstrip("/") + "/" + find_asset(name).static_path


# ------------------------------------------------------------- text preparation

_SOURCEMAP_JS = re.compile(r"^[ \t]*//[#@][ \t]*sourceMappingURL=[^\r\n]*\r?\n?", re.MULTILINE)
_SOURCEMAP_CSS = re.compile(r"/\*[#@][ \t]*sourceMappingURL=.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<ref>[^"')]*?)(?P=q)\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b", re.IGNORECASE)


def served_text(name: str) -> str:
    """Return the asset text without source-map comments (the maps are not shipped).

    Parameters
    ----------
    name : str
        Short asset name, a key of :data:`ASSETS`.

    Returns
    -------
    str
        The text that is inlined into a page or written by :func:`write_static`.
    """
    asset = find_asset(name)
    text = asset_text(name)
    return _SOURCEMAP_JS.sub("", text) if asset.kind == "js" else _SOURCEMAP_CSS.sub("", text)


def css_local_refs(name: str) -> Iterator[tuple[re.Match[str], Path, str]]:
    """Yield ``(match, file, relative path)`` for each file a stylesheet refers to.

    References to fragments (``url(#default#VML)``) and ``data:`` URIs are
    skipped.  Anything else must be a relative path to a file in the same
    package, so a stylesheet can never make a request.

    Parameters
    ----------
    name : str
        Short name of a stylesheet asset.

    Yields
    ------
    tuple of (re.Match, pathlib.Path, str)
        The ``url(...)`` in :func:`served_text`, the file, and its path
        relative to the package's data directory.

    Raises
    ------
    AssetError
        If the stylesheet uses ``@import`` or refers to anything but a file
        in its own package.
    """
    path = asset_path(name)
    base = _data_dir(find_asset(name)).resolve()
    text = served_text(name)
    if _CSS_IMPORT.search(text):
        raise AssetError(f"stylesheet {name!r} uses @import, which would load another file")
    for match in _CSS_URL.finditer(text):
        ref = match.group("ref").strip()
        if not ref or ref.startswith("#") or ref.lower().startswith("data:"):
            continue
        if is_external_url(ref) or re.match(r"^[a-z][a-z0-9+.-]*:", ref, re.IGNORECASE):
            raise AssetError(f"stylesheet {name!r} refers to the external url {ref!r}")
        clean = re.split(r"[?#]", ref, maxsplit=1)[0]
        target = (path.parent / clean).resolve()
        if not target.is_relative_to(base) or not target.is_file():
            raise AssetError(
                f"stylesheet {name!r} refers to {ref!r}, which is not a file in "
                f"{find_asset(name).distribution}"
            )
        yield match, target, target.relative_to(base).as_posix()


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

    The page writes them to :func:`mapapp.serving.static_dir` (outside the
    package) and serves that folder at :data:`STATIC_PREFIX` (see
    :func:`static_url`).  Layout: ``leaflet/leaflet.js``,
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
            files = [(asset.static_path, served_text(name).encode("utf-8"))]
        except AssetError:
            if asset.distribution in _PLUGIN_DISTRIBUTIONS:
                continue  # (the optional extra: the project's own maps do not use it)
            raise
        extra: dict[str, Path] = {}
        if asset.kind == "css":
            extra.update((rel, target) for _match, target, rel in css_local_refs(name))
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
    _write_if_changed(root / "index.html", frame_html().encode("utf-8"))
    return written


def frame_html() -> str:
    """The page's map frame, ``index.html`` beside the assets :func:`write_static` writes.

    ``mapapp.serving`` serves that folder as the map's component: the frame's
    script (``mapframe.js``, inlined) tells Streamlit it is ready at once and
    asks for the dataset's draw file as soon as the first render names it,
    while the browser fetches the scripts and stylesheets listed here in
    parallel as it parses the page (plain tags, no loader).

    Returns
    -------
    str
        The HTML; asset URLs are relative to the folder.

    Raises
    ------
    AssetError
        If the frame's script could close its ``<script>`` element.
    """
    frame = served_text("mapframe.js")
    if re.search(r"</script|<!--", frame, re.IGNORECASE):
        raise AssetError("mapframe.js contains '</script' or '<!--' and cannot be inlined")
    links = "".join(
        f'<link rel="stylesheet" href="{find_asset(n).static_path}">\n' for n in FRAME_CSS
    )
    scripts = "".join(f'<script src="{find_asset(n).static_path}"></script>\n' for n in FRAME_JS)
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Incident map</title>\n"
        f"<script>\n{frame}</script>\n{links}{scripts}"
        "<style>html, body { margin: 0; padding: 0; width: 100%; height: 100%; "
        "overflow: hidden; }\n"
        f"#{FRAME_MAP_ID} {{ position: relative; width: 100%; height: 100%; }}\n"
        ".leaflet-container { font-size: 1rem; }\n"
        ".im-frame-error { font: 14px sans-serif; padding: 8px; color: #a00; }</style>\n"
        f'</head>\n<body>\n<div id="{FRAME_MAP_ID}"></div>\n</body>\n</html>\n'
    )


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
