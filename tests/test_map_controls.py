"""The map's controls in a real browser: time control, clusters, heat map, layer toggles."""

from __future__ import annotations

import json

import pytest
from conftest import DATASET
from mapjs import DRAWN_IDS, MAP_READY

from mapapp.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("controls") / "map.html"
    assert main(["export", str(DATASET), "-o", str(out)]) == 0
    return out


@pytest.fixture
def features():
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


def _open(page, path):
    page.page.goto(path.as_uri())
    page.page.wait_for_function(MAP_READY, timeout=30_000)
    return page.page


def _expand_layers(p):
    p.hover(".leaflet-control-layers")
    p.wait_for_selector(".leaflet-control-layers-expanded")


def _toggle(p, label):
    _expand_layers(p)
    p.locator(".leaflet-control-layers-overlays label", has_text=label).click()


def test_time_control_steps_through_the_dates(exported, page, features):
    p = _open(page, exported)
    days = sorted({f["properties"]["date"] for f in features})
    slider = p.locator(".im-slider")
    slider.focus()
    p.keyboard.press("Home")
    first = sorted(f["properties"]["id"] for f in features if f["properties"]["date"] <= days[0])
    assert sorted(p.evaluate(DRAWN_IDS)) == first
    assert f"up to {days[0]}" in p.inner_text(".im-time-label")
    for _ in range(5):
        p.keyboard.press("ArrowRight")
    upto = sorted(f["properties"]["id"] for f in features if f["properties"]["date"] <= days[5])
    assert sorted(p.evaluate(DRAWN_IDS)) == upto
    assert f"{len(upto)} shown up to {days[5]}" in p.inner_text(".im-summary")
    p.keyboard.press("End")
    assert len(p.evaluate(DRAWN_IDS)) == len(features)
    assert page.errors == []


def test_switching_an_event_type_off_hides_exactly_those(exported, page, features):
    p = _open(page, exported)
    _toggle(p, "Strategic developments")
    kept = sorted(f["properties"]["id"] for f in features
                  if f["properties"]["event_type"] != "Strategic developments")
    assert sorted(p.evaluate(DRAWN_IDS)) == kept
    _toggle(p, "Strategic developments")
    assert len(p.evaluate(DRAWN_IDS)) == len(features)


def test_clusters_hold_every_incident(exported, page, features):
    p = _open(page, exported)
    _toggle(p, "Cluster markers")
    p.evaluate("""() => { for (const k of Object.keys(window)) { const v = window[k];
                  if (v instanceof L.Map) v.setZoom(4, {animate: false}); } }""")
    p.wait_for_timeout(500)
    clusters = p.eval_on_selector_all(
        ".marker-cluster", "els => els.map(e => parseInt(e.innerText, 10))")
    assert clusters, "no cluster drawn"
    single = p.evaluate(DRAWN_IDS)
    assert sum(clusters) + len(single) == len(features)
    _toggle(p, "Cluster markers")
    assert len(p.evaluate(DRAWN_IDS)) == len(features)
    assert p.locator(".marker-cluster").count() == 0
    assert page.errors == []


def test_heat_map_draws_offline(exported, page):
    p = _open(page, exported)
    _toggle(p, "Density (heat map)")
    p.wait_for_selector("canvas.leaflet-heatmap-layer", state="attached")
    assert page.errors == [] and page.blocked_non_tiles() == []


def test_offline_outlines_are_under_the_tiles(exported, page):
    p = _open(page, exported)
    z = p.evaluate("""() => { for (const k of Object.keys(window)) { const v = window[k];
        if (v instanceof L.Map) {
          const pane = (name) => v.getPane(name);
          return [getComputedStyle(pane('im-basemap')).zIndex,
                  getComputedStyle(pane('tilePane')).zIndex,
                  pane('im-basemap').querySelectorAll('path').length];
        } } }""")
    basemap, tiles, paths = int(z[0]), int(z[1]), z[2]
    assert basemap < tiles and paths > 150
