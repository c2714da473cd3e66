"""Counts per cell: a view with more incidents in the map than a person can read as points."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import DATASET, ROOT, make_feature
from mapjs import DRAWN_CANVAS, MAP_READY, wait_until_still
from test_map_visual import BOXES

import geodata
from mapapp.export import export_html

pytestmark = pytest.mark.browser

N = 120_000  # above the default threshold (50,000) at the first fit

# IncidentMap.cells of the page's map.
CELLS = """() => { for (const k of Object.keys(window)) { const v = window[k];
  if (v && window.L && v instanceof L.Map && v._imCanvas) return IncidentMap.cells(v); }
  return null; }"""

# Calls fn(map) on the page's map; its result if plain (not the map: Playwright
# would copy every layer on it).
ON_MAP = """(src) => { const fn = eval(src);
  for (const k of Object.keys(window)) { const v = window[k];
  if (v && window.L && v instanceof L.Map && v._imCanvas) { const r = fn(v);
    return r !== null && typeof r === 'object' ? null : r; } } return null; }"""


CONTROLS = [".im-summary", ".im-legend", ".leaflet-control-zoom", ".leaflet-control-layers",
            ".im-time"]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_export import make_features

    out = tmp_path_factory.mktemp("cells") / "big.html"
    export_html(geodata.frame_from_features(make_features(N, seed=15)), out)
    return out


def _open(page, path, width=1400, height=900):
    page.page.set_viewport_size({"width": width, "height": height})
    page.page.goto(path.as_uri())
    page.page.wait_for_function(MAP_READY, timeout=60_000)
    page.page.wait_for_selector('.im-summary-count[data-state="drawn"]', timeout=30_000)
    return page.page


def _summary(p):
    return p.evaluate("""() => { const s = document.querySelector('.im-summary-count');
        return {mode: s.dataset.mode, count: +s.dataset.count, state: s.dataset.state}; }""")


def _drawn(p, mode):
    p.wait_for_selector(f'.im-summary-count[data-mode="{mode}"][data-state="drawn"]',
                        timeout=20_000)
    wait_until_still(p)


def _inside(inner, outer, slack=0.5):
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def _under(boxes, x, y):
    return [b for name in CONTROLS for b in boxes[name]
            if b["x"] <= x <= b["x"] + b["width"] and b["y"] <= y <= b["y"] + b["height"]]


def _click_cell(p, cell):
    m = p.evaluate(BOXES, [])["map"]
    p.mouse.click(m["x"] + cell["x"] + cell["width"] / 2, m["y"] + cell["y"] + cell["height"] / 2)
    return p.wait_for_selector(".leaflet-popup .im-cell-popup", timeout=5_000)


def test_a_big_view_opens_as_cells_that_hold_every_incident(big, page):
    p = _open(page, big)
    s = _summary(p)
    assert s == {"mode": "cells", "count": N, "state": "drawn"}
    state = p.evaluate(CELLS)
    assert state["mode"] == "cells" and state["count"] == N
    assert sum(c["count"] for c in state["cells"]) == N
    for c in state["cells"]:
        assert c["count"] == sum(a["count"] for a in c["actors"]) == sum(
            t["count"] for t in c["types"])
    # no single markers drawn under the cells
    assert p.evaluate(DRAWN_CANVAS)["markers"] == []
    assert page.errors == []


def test_cells_are_visible_boxes_with_readable_counts_clear_of_the_controls(big, page):
    p = _open(page, big)
    state = p.evaluate(CELLS)
    boxes = p.evaluate(BOXES, CONTROLS)
    m = boxes["map"]
    cells = state["cells"]
    assert 10 <= len(cells) <= 2000
    for c in cells:
        box = {"x": m["x"] + c["x"], "y": m["y"] + c["y"],
               "width": c["width"], "height": c["height"]}
        assert 32 <= c["width"] == c["height"] <= 48
        assert _inside(box, m), (c, m)
    labelled = [c for c in cells if c["label"]]
    # most cells carry their count, short enough to read inside the cell
    assert len(labelled) >= 0.8 * len(cells)
    for c in labelled:
        assert len(c["label"]) <= 4
        cx, cy = m["x"] + c["x"] + c["width"] / 2, m["y"] + c["y"] + c["height"] / 2
        assert _under(boxes, cx, cy) == [], c
    # the key to the colours says what the cells are
    text = p.inner_text(".im-cells")
    assert "120,000 in view" in text and "log scale" in text
    assert p.is_visible(".im-cells-ramp")


def test_clicking_a_cell_shows_its_breakdown(big, page):
    p = _open(page, big)
    cell = max(p.evaluate(CELLS)["cells"], key=lambda c: c["count"])
    popup = _click_cell(p, cell)
    assert int(popup.get_attribute("data-count")) == cell["count"]
    actors = p.eval_on_selector_all(".im-cell-actor", "rs => rs.map(r => +r.dataset.count)")
    types = p.eval_on_selector_all(".im-cell-type", "rs => rs.map(r => +r.dataset.count)")
    assert sum(actors) == sum(types) == cell["count"]
    listed = p.eval_on_selector_all(".im-cell-actor:not(.im-cell-more)",
                                    "rs => rs.map(r => +r.dataset.count)")
    assert listed == sorted(listed, reverse=True) and len(listed) >= 2
    text = popup.inner_text()
    assert f"{cell['count']:,} incidents in this cell" in text
    assert cell["actors"][0]["name"] in text and cell["types"][0]["name"] in text
    assert f"{cell['dates'][0]} to {cell['dates'][1]}" in text
    assert p.is_visible(".im-cell-zoom")


def test_zooming_into_a_cell_returns_to_incidents_with_their_popups(big, page):
    p = _open(page, big)
    cell = max(p.evaluate(CELLS)["cells"], key=lambda c: c["count"])
    _click_cell(p, cell)
    p.click(".im-cell-zoom")
    _drawn(p, "points")
    s = _summary(p)
    assert s["count"] == N  # (points: the view's count, as before)
    assert p.evaluate(CELLS)["cells"] == []
    # the cell's incidents are in view; one of them opens its popup
    drawn = p.evaluate(DRAWN_CANVAS)
    assert drawn["markers"] or drawn["clusters"]
    boxes = p.evaluate(BOXES, CONTROLS)
    m = boxes["map"]
    clear = [mk for mk in drawn["markers"]
             if 10 < mk["x"] < m["width"] - 10 and 10 < mk["y"] < m["height"] - 10
             and not _under(boxes, m["x"] + mk["x"], m["y"] + mk["y"])]
    if clear:  # (a marker alone: clicked as a person would)
        mk = clear[0]
        p.mouse.click(m["x"] + mk["x"], m["y"] + mk["y"])
        wanted = mk["id"]
    else:  # (all in clusters: open one as a script would)
        wanted = p.evaluate(ON_MAP, """(map) => { const c = map._imCanvas._imBubbles[0];
            const ds = c.set.ds, b = L.latLngBounds(c.bounds);
            for (let i = 0; i < ds.n; i++) { if (b.contains([ds.lat(i), ds.lng(i)])) {
              IncidentMap.openIncident(map, ds.ids[i]); return ds.ids[i]; } } return null; }""")
    pop = p.wait_for_selector(".leaflet-popup [data-incident-id]", timeout=10_000)
    assert pop.get_attribute("data-incident-id") == wanted
    assert page.errors == []


def test_filtering_down_with_the_time_control_returns_to_points(big, page):
    p = _open(page, big)
    slider = p.locator(".im-slider")
    slider.focus()
    p.keyboard.press("Home")
    for _ in range(30):
        p.keyboard.press("ArrowRight")
    _drawn(p, "points")
    assert p.evaluate(CELLS)["mode"] == "points"
    p.keyboard.press("End")
    _drawn(p, "cells")
    assert sum(c["count"] for c in p.evaluate(CELLS)["cells"]) == N


def test_panning_and_zooming_keep_the_counts_honest(big, page):
    p = _open(page, big)
    before = p.evaluate(CELLS)
    # a pan by a few pixels keeps every cell's count (cells follow the zoom's grid)
    p.evaluate(ON_MAP, "(map) => map.panBy([13, 7], {animate: false})")
    _drawn(p, "cells")
    after = p.evaluate(CELLS)
    assert {tuple(map(tuple, c["bounds"])): c["count"] for c in before["cells"]} == {
        tuple(map(tuple, c["bounds"])): c["count"] for c in after["cells"]}
    # one zoom in: smaller cells on the ground, fewer incidents in view, still summed
    p.evaluate(ON_MAP, "(map) => map.setZoom(map.getZoom() + 1, {animate: false})")
    p.wait_for_function(CELLS.replace("return IncidentMap.cells(v)",
                                      f"return IncidentMap.cells(v).zoom === {before['zoom'] + 1}"))
    p.wait_for_selector('.im-summary-count[data-state="drawn"]')
    s, zoomed = _summary(p), p.evaluate(CELLS)
    total = sum(c["count"] for c in zoomed["cells"]) if zoomed["mode"] == "cells" else N
    assert s["count"] == total and s["mode"] == zoomed["mode"]


def test_colour_by_main_actor_keys_the_cells_by_name(big, page):
    p = _open(page, big)
    p.select_option(".im-cells-split", "actor")
    p.wait_for_function(CELLS.replace("return IncidentMap.cells(v)",
                                      "return IncidentMap.cells(v).split === 'actor'"))
    state = p.evaluate(CELLS)
    mains = {c["actors"][0]["name"] for c in state["cells"]}
    key = p.inner_text(".im-cells-key")
    assert all(name in key for name in mains)
    assert "log scale" not in key


def test_a_cell_popup_shows_hostile_names_as_text(tmp_path, page):
    evil = '<img src=x onerror="window.__pwned=1">'
    feats = [make_feature(i, actor=evil if i % 2 else "Iran", event_type=f"<b>{i % 3}</b>")
             for i in range(60)]
    out = tmp_path / "evil.html"
    export_html(geodata.frame_from_features(feats), out)
    p = _open(page, out)
    assert _summary(p)["mode"] == "points"
    # (a threshold below the view's count, as a script may set it)
    p.evaluate(ON_MAP, """(map) => { map.eachLayer((l) => {
        if (l._imContext) { l._imContext.options.cells_threshold = 10; } });
        map._imCanvas.changed(); }""")
    _drawn(p, "cells")
    cell = max(p.evaluate(CELLS)["cells"], key=lambda c: c["count"])
    popup = _click_cell(p, cell)
    text = popup.inner_text()
    assert evil in text and re.search(r"<b>\d</b>", text), text
    assert p.evaluate("() => window.__pwned") is None
    assert p.eval_on_selector_all(".im-cell-popup img, .im-cell-popup b", "n => n.length") == 0


def test_the_built_in_map_never_shows_cells(tmp_path, page):
    out = tmp_path / "builtin.html"
    export_html(geodata.read(DATASET), out)
    p = _open(page, out)
    for zoom in (0, 2, 5, 9):
        p.evaluate(ON_MAP, f"(map) => map.setZoom({zoom}, {{animate: false}})")
        p.wait_for_selector('.im-summary-count[data-state="drawn"]')
        assert _summary(p)["mode"] == "points"
        assert p.evaluate(CELLS)["mode"] == "points"
    assert not p.is_visible(".im-cells")


def test_the_page_sends_the_same_threshold_and_cell_size():
    # (the page draws with the same script: its views carry the same options)
    import orjson

    from mapapp import builder, contract

    gdf = geodata.read(DATASET)
    page = builder.page_group(data_url="/d.json", props_url=None, mask="all",
                              summary=builder.view_summary(gdf), colors={})
    layer = next(el for el in builder._elements(page) if isinstance(el, builder.IncidentLayer))
    options = orjson.loads(layer.options_json)
    assert options["cells_threshold"] == contract.LayerOptions().cells_threshold == 50_000
    assert options["cell_px"] == 40
