"""Inline a rendered map page's scripts and stylesheets, so it needs no network.

The page's ``<script src="mapapp-asset://NAME">`` and ``<link
href="mapapp-asset://NAME">`` tags (put there by
:func:`mapapp.localize.localize`) become the assets' text, read from the
installed packages by :mod:`mapapp.assets`.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from pathlib import Path

from .assets import (
    ASSET_SCHEME,
    AssetError,
    asset_path,
    css_local_refs,
    find_asset,
    is_external_url,
    served_text,
)

__all__ = ["inline_assets"]


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(name: str) -> str:
    """Stylesheet text with every local ``url(...)`` turned into a ``data:`` URI."""
    text = served_text(name)
    parts: list[str] = []
    last = 0
    for match, target, _rel in css_local_refs(name):
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
    images = asset_path("leaflet.css").parent / "images"
    options = {
        "iconUrl": _data_uri(images / "marker-icon.png"),
        "iconRetinaUrl": _data_uri(images / "marker-icon-2x.png"),
        "shadowUrl": _data_uri(images / "marker-shadow.png"),
    }
    return (
        "\n;(function(){if(window.L&&L.Icon&&L.Icon.Default){L.Icon.Default.imagePath='';"
        f"L.Icon.Default.mergeOptions({json.dumps(options)});}}}})();\n"
    )



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
    return list(dict.fromkeys(u for u in urls if is_external_url(u)))


def _inline_tag(match: re.Match[str], seen: set[str], default_icon: bool) -> str:
    """The text that replaces one script or stylesheet tag (see :func:`inline_assets`).

    Tags of other urls stay; an asset already in ``seen`` (inlined earlier
    in the page) becomes nothing, any other is added to ``seen``.
    """
    is_script = match.group("surl") is not None
    url = match.group("surl") if is_script else match.group("lurl")
    if not url.startswith(ASSET_SCHEME):
        return match.group(0)
    name = url[len(ASSET_SCHEME) :]
    kind = "js" if is_script else "css"
    if find_asset(name).kind != kind:
        raise AssetError(f"asset {name!r} is not a {kind} file but is used in {match[0]!r}")
    if name in seen:
        return ""
    seen.add(name)
    if is_script:
        text = served_text(name)
        if name == "leaflet.js" and default_icon:
            text += _default_icon_script()
        return "<script>\n" + _escape_end_tag(text, "script") + "\n</script>"
    return "<style>\n" + _escape_end_tag(_inline_css(name), "style") + "\n</style>"


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
        :func:`mapapp.localize.localize`.
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
            "the map still loads these from the network (call mapapp.localize.localize on "
            "the map before rendering): " + ", ".join(external)
        )
    seen: set[str] = set()
    # One pass over the page: inserted library text is never scanned again.
    result = _TAG.sub(lambda match: _inline_tag(match, seen, default_icon), html)
    placeholders = set(re.findall(re.escape(ASSET_SCHEME) + r"[^\s\"'<>)]*", html))
    leftover = sorted(placeholders - {ASSET_SCHEME + name for name in seen})
    if leftover:
        raise AssetError("asset placeholders left in unexpected markup: " + ", ".join(leftover))
    return result

