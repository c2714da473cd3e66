"""The map's controls in a real browser: time control, clusters, heat map, layer toggles."""

from __future__ import annotations

import json

import pytest
from conftest import DATASET
from mapjs import DRAWN_CANVAS, DRAWN_IDS, MAP_READY, MAP_ZOOM, marker_screen_point

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
    p.wait_for_timeout(300)
    drawn = p.evaluate(DRAWN_CANVAS)
    assert drawn["clusters"], "no cluster drawn"
    counts = [c["count"] for c in drawn["clusters"]]
    assert sum(counts) + len(drawn["markers"]) == len(features)
    # every incident is still a layer on the map, inside a cluster or not
    assert len(p.evaluate(DRAWN_IDS)) == len(features)
    # a click on the biggest cluster zooms in on it
    big = max(drawn["clusters"], key=lambda c: c["count"])
    zoom = p.evaluate(MAP_ZOOM)
    p.locator(".leaflet-container").click(position={"x": big["x"], "y": big["y"]})
    p.wait_for_timeout(600)
    assert p.evaluate(MAP_ZOOM) > zoom
    _toggle(p, "Cluster markers")
    p.wait_for_timeout(100)
    drawn = p.evaluate(DRAWN_CANVAS)
    assert drawn["clusters"] == []
    assert len(p.evaluate(DRAWN_IDS)) == len(features)
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


def test_hovering_a_marker_shows_its_tooltip_and_a_pointer(exported, page, features):
    p = _open(page, exported)
    props = next(f["properties"] for f in features
                 if f["properties"]["id"].startswith("2020-01-03"))
    point = marker_screen_point(p, props["id"])
    p.wait_for_timeout(100)
    p.mouse.move(point["x"], point["y"])
    tip = p.wait_for_selector(".leaflet-tooltip", timeout=5_000)
    assert props["title"] in tip.inner_text()
    assert p.evaluate("document.querySelector('.im-map canvas.leaflet-interactive') !== null")
    # away from every marker: the tooltip goes and the pointer with it
    p.mouse.move(5, 600)
    p.wait_for_selector(".leaflet-tooltip", state="detached", timeout=5_000)
    assert p.evaluate("document.querySelector('.im-map canvas.leaflet-interactive') === null")


def test_each_incident_keeps_its_own_event_listeners(exported, page):
    # markers keep listeners in their dataset (one bitset per listener): each
    # marker must still hear exactly what was added to it, as a Leaflet layer does
    p = _open(page, exported)
    calls = p.evaluate(
        """() => {
      let map = null;
      for (const k of Object.keys(window)) {
        const v = window[k];
        if (v && window.L && v instanceof L.Map) map = v;
      }
      const ms = [];
      map.eachLayer(l => { if (l.feature && l instanceof L.CircleMarker) ms.push(l); });
      const [a, b] = ms;
      const log = [];
      const f = e => log.push('f:' + e.target.feature.properties.id + ':' + e.type);
      const obj = {name: 'ctx', g(e) { log.push(this.name + ':' + e.foo); }};
      a.on('ping', f);
      a.on('ping', f);  // (added once)
      a.on('ping', obj.g, obj);
      b.once('ping', f);
      const before = [a.listens('ping'), b.listens('ping'), a.listens('ping', f),
                      a.listens('ping', obj.g, obj), a.listens('ping', obj.g)];
      a.fire('ping', {foo: 1});
      b.fire('ping', {foo: 2});
      b.fire('ping', {foo: 3});  // (once: gone)
      a.off('ping', f);
      a.fire('ping', {foo: 4});
      a.off();
      a.fire('ping', {foo: 5});
      b.on('ping', f);
      b.off('ping');
      b.fire('ping', {foo: 6});
      return {before, after: [a.listens('ping'), b.listens('ping')], log,
              ids: [a.feature.properties.id, b.feature.properties.id]};
    }"""
    )
    a, b = calls["ids"]
    assert calls["before"] == [True, True, True, True, False]
    assert calls["log"] == [f"f:{a}:ping", "ctx:1", f"f:{b}:ping", "ctx:4"]
    assert calls["after"] == [False, False]
