"""The Python-JavaScript contract: the keys Python sends are the keys the script reads."""

from __future__ import annotations

import re

import orjson
import pytest
from conftest import DATASET, ROOT
from mapjs import MAP_READY, click_marker

import geodata
from mapapp import builder, contract, mapdata
from mapapp.cli import main

SRC = ROOT / "mapapp" / "frontend" / "src"


def _reads(pattern: str, files) -> set[str]:
    """Keys read as ``NAME.key`` (not assigned) in the script's sources."""
    found = set()
    for name in files:
        text = (SRC / name).read_text(encoding="utf-8")
        found |= set(re.findall(pattern + r"\.([A-Za-z_]\w*)\b(?!\s*=[^=])", text))
    return found


ALL_SOURCES = sorted(p.name for p in SRC.glob("*.js"))


def test_layer_options_the_script_reads_are_the_ones_python_sends():
    # (the script reads a view's options as ``opts.key`` everywhere)
    assert _reads(r"\bopts", ALL_SOURCES) == set(contract.LAYER_OPTION_KEYS)


def test_payload_columns_the_script_reads_are_the_ones_python_sends():
    assert _reads(r"\bpayload", ["dataset.js"]) == set(contract.PAYLOAD_KEYS)


def test_remote_data_keys():
    # ``props`` is the script's own: readData() adds where the export's properties are
    assert _reads(r"\bdata", ["views.js"]) - {"props"} == set(contract.REMOTE_KEYS)
    assert "data.props = " in (SRC / "views.js").read_text(encoding="utf-8")


def test_basemap_options_and_tiles():
    assert _reads(r"\boptions", ["basemap.js"]) == set(contract.BASEMAP_KEYS)
    assert _reads(r"\bt", ["basemap.js"]) == set(contract.TILE_KEYS)


def test_the_generated_contract_module_is_fresh():
    assert (SRC / "contract.js").read_text(encoding="utf-8") == contract.contract_js(), (
        "run `python -m mapapp.contract`, then `npm run build` in mapapp/frontend"
    )
    built = (ROOT / "mapapp" / "templates" / "incidentmap.js").read_text(encoding="latin-1")
    assert f"CONTRACT_VERSION = {contract.CONTRACT_VERSION};" in built


@pytest.fixture(scope="module")
def gdf():
    return geodata.read(DATASET)


def test_the_builder_sends_exactly_the_contract(gdf):
    assert set(mapdata.draw_payload(gdf)) == contract.PAYLOAD_KEYS
    group = builder.export_group(gdf)
    layer = next(el for el in builder._elements(group) if isinstance(el, builder.IncidentLayer))
    assert set(orjson.loads(layer.options_json)) == contract.LAYER_OPTION_KEYS
    m = builder.base_map(bounds=mapdata.data_bounds(gdf))
    basemap = next(el for el in builder._elements(m) if isinstance(el, builder.Basemap))
    options = orjson.loads(basemap.options_json)
    assert set(options) <= contract.BASEMAP_KEYS and {"tiles", "countries"} <= set(options)
    assert all(set(t) == contract.TILE_KEYS for t in options["tiles"]) and options["tiles"]
    summary = builder.view_summary(gdf)
    page = builder.page_group(
        data_url="/d.json", props_url="/p/{block}.json.gz", mask="all", summary=summary,
        colors=mapdata.actor_colors(gdf),
    )
    layer = next(el for el in builder._elements(page) if isinstance(el, builder.IncidentLayer))
    assert set(orjson.loads(layer.data_json)) == contract.REMOTE_KEYS
    assert set(orjson.loads(layer.options_json)) == contract.LAYER_OPTION_KEYS


def test_layer_option_defaults_keep_every_layer_on():
    o = contract.LayerOptions().to_dict()
    assert o["show_uncertainty"] and o["show_chain"] and o["timeline"]
    assert o["uncertainty_min_km"] == 2.0 and o["cluster"] == "auto"
    assert "colors" not in o  # (the script never read them: the palette comes with the payload)


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"id": "a-1", "lat": 1.0, "lng": 2.0, "count": 1, "frame": "f"}, "a-1"),
        ({"id": 12}, "12"),
        ({"id": "ID x <b>"}, "ID x <b>"),
        ({"id": None, "lat": 1.0, "lng": 2.0}, None),
        ({"id": True}, None),
        ({"id": {"x": 1}}, None),
        ({"id": [1]}, None),
        ({"last_active_drawing": {"properties": {"id": "a-1"}}}, None),  # (st_folium's, gone)
        ({}, None),
        (None, None),
    ],
)
def test_clicked_id(result, expected):
    assert contract.clicked_id(result) == expected


@pytest.mark.browser
def test_a_click_hands_the_incident_over_as_an_id(page, tmp_path):
    out = tmp_path / "map.html"
    assert main(["export", str(DATASET), "-o", str(out)]) == 0
    p = page.page
    p.goto(out.as_uri())
    p.wait_for_function(MAP_READY, timeout=30_000)
    # what the page's map frame does (framemap.js): listen on the incidents' group,
    # send e.layer.toGeoJSON()'s id
    p.evaluate(
        """() => {
      for (const k of Object.keys(window)) {
        const v = window[k];
        if (v && window.L && v instanceof L.FeatureGroup && v._imContext) {
          v.on('click', (e) => { window.__drawing = e.layer && e.layer.toGeoJSON(); });
        }
      }
    }"""
    )
    ids = [f["properties"]["id"] for f in orjson.loads(DATASET.read_bytes())["features"]]
    target = next(i for i in ids if i.endswith("abqaiq-attack"))  # (no other marker near it)
    click_marker(p, target)
    p.wait_for_function("() => !!window.__drawing", timeout=10_000)
    drawing = p.evaluate("() => window.__drawing")
    assert contract.clicked_id({"id": drawing["properties"]["id"], "count": 1}) == target
    # small: the id and the point, not the incident's properties
    assert set(drawing["properties"]) == {"id"}
    popup = p.wait_for_selector(".leaflet-popup-content .im-popup")
    assert popup.get_attribute("data-incident-id") == target
    assert page.errors == []
