"""Offline assets: registry, inlining, localize(), static files, basemap data."""

from __future__ import annotations

import base64
import os
import re
import uuid
from pathlib import Path

import folium
import pytest
from folium.plugins import Fullscreen, HeatMap, MarkerCluster

from mapapp import assets as A
from mapapp.assets import (
    ASSETS,
    Asset,
    AssetError,
    asset_text,
    asset_url,
    countries_geojson,
    static_url,
    write_static,
)
from mapapp.inline import inline_assets
from mapapp.localize import localize

EXTERNAL_TAG = re.compile(
    r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE
)


def external_tags(html: str) -> list[str]:
    return EXTERNAL_TAG.findall(html)


def incident_map(**kwargs) -> folium.Map:
    m = folium.Map(location=[33.0, 44.0], zoom_start=5, tiles=None, **kwargs)
    m.options["max_zoom"] = 12
    cluster = MarkerCluster().add_to(m)
    folium.CircleMarker([33.3, 44.4], radius=5).add_to(cluster)
    folium.Marker([33.4, 44.5]).add_to(cluster)
    HeatMap([[33.3, 44.4, 1.0], [36.2, 37.1, 0.5]]).add_to(m)
    return m


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """Register assets from a throw-away package; returns a writer of its files."""
    module = f"fake_assets_{uuid.uuid4().hex}"  # fresh module: no sys.modules reuse
    pkg = tmp_path / module
    pkg.mkdir()
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))

    def _add(name: str, text: str) -> str:
        (pkg / name).write_text(text, encoding="utf-8")
        kind = "js" if name.endswith(".js") else "css"
        asset = Asset(name, kind, module, "fake-assets-pkg", name, "fake", xstatic=False)
        monkeypatch.setitem(ASSETS, name, asset)
        return name

    _add.module = module
    return _add


# ------------------------------------------------------------------ registry


def test_registry_names():
    assert set(ASSETS) >= {
        "leaflet.js",
        "leaflet.css",
        "markercluster.js",
        "MarkerCluster.css",
        "MarkerCluster.Default.css",
        "leaflet-heat.js",
        "jquery.js",
        "incidentmap.js",
        "incidentmap.css",
    }
    assert set(A.__all__) <= set(dir(A))


@pytest.mark.parametrize("name", sorted(ASSETS))
def test_every_asset_resolves_to_nonempty_text(name):
    path = A.asset_path(name)
    assert path.is_file()
    if ASSETS[name].module != "mapapp":  # third-party files come from installed wheels
        assert "site-packages" in path.parts or "dist-packages" in path.parts
    text = asset_text(name)
    assert text.strip()
    assert asset_url(name) == f"mapapp-asset://{name}"
    assert path.suffix == {"js": ".js", "css": ".css"}[ASSETS[name].kind]


def test_asset_contents_are_the_expected_libraries():
    assert "Leaflet 1.9.3" in asset_text("leaflet.js")
    assert ".leaflet-container" in asset_text("leaflet.css")
    assert "MarkerClusterGroup" in asset_text("markercluster.js")
    assert ".marker-cluster" in asset_text("MarkerCluster.Default.css")
    assert "heatLayer" in asset_text("leaflet-heat.js")
    assert "jQuery" in asset_text("jquery.js")


def test_unknown_asset_name():
    with pytest.raises(AssetError, match="unknown asset 'nope.js'"):
        asset_text("nope.js")
    with pytest.raises(AssetError):
        asset_url("nope.js")


def test_missing_package_names_pip_command(monkeypatch):
    asset = Asset(
        "gone.js", "js", "xstatic.pkg.not_installed_x", "xstatic-not-installed-x", "a.js", "x"
    )
    monkeypatch.setitem(ASSETS, "gone.js", asset)
    with pytest.raises(
        AssetError, match=r"xstatic-not-installed-x.*pip install xstatic-not-installed-x"
    ):
        asset_text("gone.js")
    assert issubclass(AssetError, RuntimeError)


def test_missing_file_in_installed_package(fake_package, monkeypatch):
    fake_package("present.js", "1;")
    monkeypatch.setitem(
        ASSETS,
        "absent.js",
        Asset(
            "absent.js",
            "js",
            fake_package.module,
            "fake-assets-pkg",
            "absent.js",
            "f",
            xstatic=False,
        ),
    )
    with pytest.raises(
        AssetError, match="absent.js.*pip install --force-reinstall fake-assets-pkg"
    ):
        asset_text("absent.js")


# ------------------------------------------------------------------ inlining


def test_inline_minimal_map():
    m = folium.Map(location=[33, 44], zoom_start=5, tiles=None)
    m.default_js = [("leaflet", asset_url("leaflet.js"))]
    m.default_css = [("leaflet_css", asset_url("leaflet.css"))]
    html = m.get_root().render()
    assert '<script src="mapapp-asset://leaflet.js"></script>' in html
    assert '<link rel="stylesheet" href="mapapp-asset://leaflet.css"/>' in html
    out = inline_assets(html)
    assert external_tags(out) == []
    assert "mapapp-asset://" not in out
    assert not re.search(r"<script[^>]*\bsrc=", out)
    assert not re.search(r"<link[^>]*\bhref=", out)
    assert "Leaflet 1.9.3, a JS library for interactive maps" in out
    assert ".leaflet-container" in out
    # the library is the installed file, minus its source-map comment only
    assert (
        asset_text("leaflet.js").replace("//# sourceMappingURL=leaflet.js.map", "").strip() in out
    )
    assert "sourceMappingURL" not in out


_CDN_LEAFLET = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"  # not fetched


@pytest.mark.parametrize(
    "tag, url",
    [
        (
            f'<script src="{_CDN_LEAFLET}"></script>',
            _CDN_LEAFLET,
        ),
        (
            "<script src='//code.jquery.com/jquery-3.7.1.min.js'></script>",
            "//code.jquery.com/jquery-3.7.1.min.js",
        ),
        ('<link rel="stylesheet" href="http://example.org/x.css"/>', "http://example.org/x.css"),
        ("<LINK HREF=https://example.org/y.css REL=stylesheet>", "https://example.org/y.css"),
    ],
)
def test_inline_refuses_remaining_cdn(tag, url):
    html = f'<head><script src="mapapp-asset://leaflet.js"></script>{tag}</head>'
    with pytest.raises(AssetError, match=re.escape(url)):
        inline_assets(html)


def test_inline_lists_every_external_url():
    m = folium.Map(tiles=None)  # class defaults: all CDN
    with pytest.raises(AssetError) as info:
        inline_assets(m.get_root().render())
    message = str(info.value)
    for _key, url in folium.Map.default_js + folium.Map.default_css:
        assert url in message


def test_css_images_become_data_uris():
    out = inline_assets('<link rel="stylesheet" href="mapapp-asset://leaflet.css"/>')
    assert out.startswith("<style>") and out.endswith("</style>")
    assert "url(images/" not in out
    assert "url(#default#VML)" in out  # a fragment, not a request: kept
    uris = re.findall(r'url\("data:image/png;base64,([A-Za-z0-9+/=]+)"\)', out)
    assert len(uris) == 3  # layers.png, layers-2x.png, marker-icon.png
    layers = A.asset_path("leaflet.css").parent / "images" / "layers.png"
    assert base64.b64decode(uris[0]) == layers.read_bytes()
    assert not re.search(r"url\(\s*(?!['\"]?(?:data:|#))", out)


def test_inline_tolerates_markup_variants():
    html = (
        "<SCRIPT  src = 'mapapp-asset://leaflet.js' ></SCRIPT >\n"
        "<link href=mapapp-asset://MarkerCluster.css rel='stylesheet'>\n"
        '<link rel="stylesheet" type="text/css" href="mapapp-asset://leaflet.css" />'
    )
    out = inline_assets(html)
    assert "mapapp-asset://" not in out
    assert out.count("<script>") == 1 and out.count("<style>") == 2


def test_inline_same_asset_once():
    tag = '<script src="mapapp-asset://leaflet-heat.js"></script>'
    out = inline_assets(tag + tag)
    assert out.count("<script>") == 1


def test_inline_unknown_or_misused_placeholder():
    with pytest.raises(AssetError, match="unknown asset"):
        inline_assets('<script src="mapapp-asset://nope.js"></script>')
    with pytest.raises(AssetError, match="not a js file"):
        inline_assets('<script src="mapapp-asset://leaflet.css"></script>')
    with pytest.raises(AssetError, match="unexpected markup"):
        inline_assets('<img src="mapapp-asset://leaflet.js">')


def test_inline_escapes_closing_tags(fake_package):
    fake_package("evil.js", 'var s = "</script><script>alert(1)</SCRIPT>";\n')
    fake_package("evil.css", '.a::after { content: "</style><script>"; }\n')
    out = inline_assets(
        '<script src="mapapp-asset://evil.js"></script>'
        '<link rel="stylesheet" href="mapapp-asset://evil.css"/>'
    )
    assert 'var s = "<\\/script><script>alert(1)<\\/SCRIPT>";' in out
    assert 'content: "<\\/style><script>";' in out
    assert len(re.findall(r"</script", out, re.IGNORECASE)) == 1
    assert len(re.findall(r"</style", out, re.IGNORECASE)) == 1


def test_inline_default_icon_uses_data_uris():
    out = inline_assets('<script src="mapapp-asset://leaflet.js"></script>')
    assert "L.Icon.Default.mergeOptions" in out
    assert '"shadowUrl": "data:image/png;base64,' in out
    plain = inline_assets('<script src="mapapp-asset://leaflet.js"></script>', default_icon=False)
    assert "mergeOptions({" not in plain.split("Leaflet 1.9.3")[1][-2000:]


# ------------------------------------------------------------------ localize


def test_localize_map_with_cluster_and_heatmap():
    m = incident_map()
    assert localize(m) is m
    html = m.get_root().render()
    assert external_tags(html) == []
    head = html.split("</head>")[0]
    for name in ["leaflet.js", "markercluster.js", "leaflet-heat.js"]:
        assert f'<script src="mapapp-asset://{name}"></script>' in head
    for name in ["leaflet.css", "MarkerCluster.css", "MarkerCluster.Default.css"]:
        assert f'<link rel="stylesheet" href="mapapp-asset://{name}"/>' in head
    # leaflet before its plugins
    assert head.index("mapapp-asset://leaflet.js") < head.index("mapapp-asset://markercluster.js")
    for dropped in ["jquery", "bootstrap", "awesome", "glyphicons", "fontawesome"]:
        assert dropped not in head.lower()

    out = inline_assets(html)
    assert external_tags(out) == []
    assert "mapapp-asset://" not in out
    assert "MarkerClusterGroup" in out and "heatLayer" in out


def test_localize_sets_instance_attributes_only():
    before = {
        cls: (list(cls.default_js), list(cls.default_css))
        for cls in (folium.Map, MarkerCluster, HeatMap)
    }
    m = incident_map()
    localize(m)
    assert "default_js" in vars(m) and "default_css" in vars(m)
    for cls, (js, css) in before.items():
        assert cls.default_js == js and cls.default_css == css
    # a new, unlocalized map still renders folium's CDN urls
    assert external_tags(folium.Map(tiles=None).get_root().render())


def test_localize_keeps_jquery_only_for_popups():
    m = incident_map()
    localize(m)
    assert [k for k, _ in m.default_js] == ["leaflet.js"]

    m = incident_map()
    folium.Marker([33.1, 44.1], popup="<b>hello</b>").add_to(m)
    localize(m)
    assert ("jquery.js", asset_url("jquery.js")) in m.default_js
    out = inline_assets(m.get_root().render())
    assert "jQuery" in out and external_tags(out) == []

    m = incident_map()
    localize(m, jquery=False)
    assert "jquery.js" not in dict(m.default_js)


def test_localize_is_idempotent_and_switches_urls():
    m = incident_map()
    localize(m)
    localize(m)
    assert m.default_js == [("leaflet.js", "mapapp-asset://leaflet.js")]
    localize(m, asset_url=static_url)
    prefix = "/component/mapapp.serving.static/"
    assert m.default_js == [("leaflet.js", prefix + "leaflet/leaflet.js")]
    html = m.get_root().render()
    assert f'<script src="{prefix}markercluster/leaflet.markercluster.js"></script>' in html
    assert f'<link rel="stylesheet" href="{prefix}leaflet/leaflet.css"/>' in html
    assert external_tags(html) == []


def test_localize_unknown_cdn_raises():
    m = incident_map()
    Fullscreen().add_to(m)
    with pytest.raises(AssetError, match=re.escape(Fullscreen.default_js[0][1])):
        localize(m)


def test_localize_rewrites_header_links_of_a_rendered_figure():
    m = incident_map()
    m.get_root().render()  # header now holds folium's CDN links
    localize(m.get_root())
    out = inline_assets(m.get_root().render())
    assert external_tags(out) == []
    assert out.count("Leaflet 1.9.3, a JS library") == 1


def test_localize_rejects_colormap():
    import branca.colormap

    m = incident_map()
    branca.colormap.LinearColormap(["red", "blue"], vmin=0, vmax=1).add_to(m)
    with pytest.raises(AssetError, match="d3"):
        localize(m)


# ------------------------------------------------------------------ static files


def test_write_static(tmp_path):
    target = tmp_path / "static"
    written = write_static(target)
    assert set(written) == set(ASSETS)
    for name, rel in written.items():
        path = target / rel
        assert path.is_file() and path.stat().st_size > 0
        assert static_url(name) == "/component/mapapp.serving.static/" + rel
        assert static_url(name, prefix="/app/static/sub") == "/app/static/sub/" + rel
    # relative image urls in leaflet.css stay valid
    css_path = target / written["leaflet.css"]
    for ref in re.findall(r"url\(([^)#]+)\)", css_path.read_text(encoding="utf-8")):
        assert (css_path.parent / ref.strip("'\"")).is_file(), ref
    assert "sourceMappingURL" not in (target / written["leaflet.js"]).read_text(encoding="utf-8")
    # Leaflet's JS finds marker images next to leaflet.css, shadow included
    for image in ["marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"]:
        assert (css_path.parent / "images" / image).is_file()

    # idempotent: identical files are not rewritten
    stamps = {}
    for path in target.rglob("*"):
        if path.is_file():
            os.utime(path, (1_000_000, 1_000_000))
            stamps[path] = path.stat().st_mtime
    assert write_static(target) == written
    assert {p: p.stat().st_mtime for p in stamps} == stamps
    assert not [p for p in target.rglob(".*.tmp")]

    # a changed file is restored
    js = target / written["markercluster.js"]
    js.write_text("broken", encoding="utf-8")
    write_static(target)
    assert "MarkerClusterGroup" in js.read_text(encoding="utf-8")


# ------------------------------------------------------------------ basemap


def test_countries_geojson():
    data = countries_geojson()
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert len(features) > 150
    for feature in features:
        props = feature["properties"]
        assert set(props) == {"name", "iso_a3"}
        assert isinstance(props["name"], str) and props["name"]
        assert isinstance(props["iso_a3"], str) and props["iso_a3"]
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    codes = {f["properties"]["iso_a3"] for f in features}
    assert {"IRQ", "IRN", "SAU", "ARE", "SYR", "ISR"} <= codes


def test_countries_geojson_is_small_and_a_fresh_copy():
    path = Path(A.__file__).parent / "data" / "countries.geojson"
    assert path.stat().st_size < 300_000
    first = countries_geojson()
    first["features"].clear()
    assert len(countries_geojson()["features"]) > 150


def test_countries_geometry_is_valid_and_in_range():
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    geoms = [shape(f["geometry"]) for f in countries_geojson()["features"]]
    assert all(g.is_valid and not g.is_empty for g in geoms)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    assert -180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90
    iraq = next(
        g
        for g, f in zip(geoms, countries_geojson()["features"], strict=True)
        if f["properties"]["iso_a3"] == "IRQ"
    )
    assert iraq.contains(shapely.Point(44.37, 33.31))  # Baghdad


# ------------------------------------------------------------------ browser


@pytest.mark.browser
def test_place_names_sit_in_their_country_and_are_small():
    from shapely.geometry import Point, shape

    from mapapp.builder import _places

    places = _places()
    countries = {f["properties"]["name"]: shape(f["geometry"])
                 for f in countries_geojson()["features"]}
    # every outline has its name, inside it
    assert sorted(c[0] for c in places["countries"]) == sorted(countries)
    for name, lon, lat, zoom, _iso in places["countries"]:
        assert countries[name].contains(Point(lon, lat)), name
        assert 2 <= zoom <= 5
    cities = {c[0]: c for c in places["cities"]}
    assert {"Baghdad", "Tehran", "Erbil", "Mosul", "Damascus", "Riyadh"} <= set(cities)
    assert "Sadr City" not in cities  # a district of Baghdad, not a city of its own
    assert abs(cities["Baghdad"][1] - 44.4) < 0.1 and abs(cities["Baghdad"][2] - 33.3) < 0.1
    assert cities["Baghdad"][3] < cities["Sulaymaniyah"][3]  # a capital shows sooner
    data = Path(A.__file__).resolve().parent / "data"
    size = (data / "places.json").stat().st_size
    assert size < 60_000
    readme = (data / "README.md").read_text(encoding="utf-8")
    assert "places.json" in readme and "GeoNames" in readme and "CC BY 4.0" in readme


def test_inlined_map_runs_offline_in_chromium(tmp_path, browser):
    # (the session's browser: a second sync_playwright() in one process fails
    # when another test module has started the shared one)
    m = incident_map()
    folium.Marker([32.0, 41.0], popup="<b>single</b>").add_to(m)
    folium.GeoJson(countries_geojson(), name="countries").add_to(m)
    folium.LayerControl().add_to(m)
    localize(m)
    page_path = tmp_path / "map.html"
    page_path.write_text(inline_assets(m.get_root().render()), encoding="utf-8")

    requests, errors = [], []
    page = browser.new_page()
    try:
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:"))
                else route.abort()
            ),
        )
        page.goto(page_path.as_uri())
        page.wait_for_selector(".leaflet-container")
        assert page.evaluate("L.version") == "1.9.3"
        assert page.evaluate("typeof L.markerClusterGroup") == "function"
        assert page.evaluate("typeof L.heatLayer") == "function"
        assert page.evaluate("document.querySelectorAll('path').length") > 150
        page.click("img.leaflet-marker-icon", force=True)
        page.wait_for_selector(".leaflet-popup-content b")
        icons = page.evaluate(
            "Array.from(document.querySelectorAll('img'))"
            ".map(i => [i.src.slice(0, 5), i.naturalWidth])"
        )
        assert icons and all(src == "data:" and width > 0 for src, width in icons)
    finally:
        page.close()
    assert errors == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []


def test_the_folium_plugin_extra_is_optional(monkeypatch, tmp_path):
    # Without xstatic-jquery / xstatic-leaflet-markercluster (the extra
    # ``folium-plugins``), the project's own assets are still written, and
    # asking for a plugin's asset says how to get it.
    import importlib

    real = importlib.import_module

    def without_plugins(name, *args, **kwargs):
        if name.startswith(("xstatic.pkg.jquery", "xstatic.pkg.leaflet_markercluster")):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib, "import_module", without_plugins)
    written = A.write_static(tmp_path)
    assert "leaflet.js" in written and "incidentmap.js" in written
    assert "jquery.js" not in written and "markercluster.js" not in written
    with pytest.raises(A.AssetError, match=r"incident-map\[folium-plugins\]"):
        A.asset_path("jquery.js")


def test_the_map_frame_lists_its_assets_as_plain_tags(tmp_path):
    """index.html beside the assets: the frame's script inlined first, then plain tags."""
    from mapapp.assets import FRAME_CSS, FRAME_JS, FRAME_MAP_ID, find_asset

    write_static(tmp_path)
    html = (tmp_path / "index.html").read_text(encoding="utf-8")
    for name in FRAME_JS + FRAME_CSS:  # (each a file written beside it)
        rel = find_asset(name).static_path
        assert (tmp_path / rel).is_file()
        assert f'"{rel}"' in html
    assert html.index("streamlit:componentReady") < html.index('<script src="leaflet/leaflet.js">')
    js = html.index('src="leaflet/leaflet.js"')
    assert js < html.index('src="mapapp/templates/incidentmap.js"')
    assert f'<div id="{FRAME_MAP_ID}">' in html
    assert "http" not in html.replace("http(s)", "")  # (no CDN: nothing from the network)
    assert "async" not in html.split("</script>", 1)[1]  # (in order, fetched in parallel)
