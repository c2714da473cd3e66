"""Opening one incident from a whole view of cells (issue 15: details on demand at any size).

``IncidentMap.openIncident``, a chain link in a popup, a table row and a
``?id=`` link all bring one incident into view with its popup open. From
the whole view of tens of thousands of incidents (cells) that is one move
to a zoom where the view shows points, the popup inside the map.
"""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT, make_feature
from mapjs import DRAWN_CANVAS, MAP_READY, wait_until_still
from test_cells import CELLS, CONTROLS, ON_MAP, _inside, _summary, _under
from test_map_visual import BOXES

import geodata
from mapapp.export import export_html

pytestmark = pytest.mark.browser

N = 60_000  # above the cells threshold (50,000) in the whole view, small enough for CI


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_export import make_features

    features = make_features(N, seed=3)
    out = tmp_path_factory.mktemp("open") / "many.html"
    export_html(geodata.frame_from_features(features), out, basemap="outlines")
    return out, {f["properties"]["id"]: f["properties"] for f in features}


def _open(page, path):
    page.page.set_viewport_size({"width": 1400, "height": 900})
    page.page.goto(path.as_uri())
    page.page.wait_for_function(MAP_READY, timeout=60_000)
    page.page.wait_for_selector('.im-summary-count[data-state="drawn"]', timeout=30_000)
    return page.page


def _open_incident(p, ident):
    assert p.evaluate(ON_MAP, f"(map) => IncidentMap.openIncident(map, {ident!r})") is True
    return _shown(p, ident)


def _shown(p, ident):
    """Wait for the incident's popup with its details, the map still and drawn."""
    title = f'.leaflet-popup .im-popup[data-incident-id="{ident}"] .im-title'
    p.wait_for_selector(title, timeout=20_000)
    wait_until_still(p)
    p.wait_for_selector('.im-summary-count[data-state="drawn"]', timeout=20_000)
    # (a popup closed a moment ago fades out before it goes)
    p.wait_for_function("() => document.querySelectorAll('.leaflet-popup').length === 1")
    return p.inner_text(title)


def _check_popup_on_its_incident(p, ident):
    """The popup inside the map, clear of the controls, its tip on the ringed incident."""
    boxes = p.evaluate(BOXES, [".leaflet-popup"] + CONTROLS)
    m, pop = boxes["map"], boxes[".leaflet-popup"]
    assert len(pop) == 1
    pop = pop[0]
    assert _inside(pop, m), (pop, m)
    for name in (".im-summary", ".leaflet-control-zoom", ".leaflet-control-layers"):
        for b in boxes[name]:
            apart = (pop["x"] >= b["x"] + b["width"] or b["x"] >= pop["x"] + pop["width"]
                     or pop["y"] >= b["y"] + b["height"] or b["y"] >= pop["y"] + pop["height"])
            assert apart, (name, pop, b)
    sel = p.evaluate(DRAWN_CANVAS)["selected"]
    assert sel and sel["id"] == ident
    x, y = m["x"] + sel["x"], m["y"] + sel["y"]
    assert m["x"] < x < m["x"] + m["width"] and m["y"] < y < m["y"] + m["height"]
    assert not _under(boxes, x, y)
    assert abs(x - (pop["x"] + pop["width"] / 2)) <= 2  # (the tip points at it)
    assert pop["y"] + pop["height"] <= y


# How many of the view's incidents lie in the map's bounds now.
IN_BOUNDS = """(map) => { let ctx = null;
  map.eachLayer((l) => { if (l._imContext && l._imContext.ds) ctx = l._imContext; });
  const b = map.getBounds(), ds = ctx.ds; let n = 0;
  for (let i = 0; i < ds.n; i++) { if (b.contains([ds.lat(i), ds.lng(i)])) n += 1; }
  return n; }"""


def test_an_incident_opens_from_the_whole_view_of_cells(many, page):
    path, props = many
    p = _open(page, path)
    assert _summary(p)["mode"] == "cells"
    ident = sorted(props)[N // 2]
    p.evaluate(ON_MAP, "(map) => { window.__moves = 0; "
                       "map.on('moveend', () => { window.__moves += 1; }); }")
    title = _open_incident(p, ident)
    assert title == props[ident]["title"]
    assert "Loading" not in p.inner_text(".leaflet-popup .im-popup")
    # one move of the map (each redraws every incident in view), not one more per popup pan
    assert p.evaluate("window.__moves") == 1
    s = _summary(p)
    assert s["mode"] == "points" and p.evaluate(CELLS)["mode"] == "points"
    assert p.evaluate(ON_MAP, IN_BOUNDS) <= 50_000
    assert p.evaluate(ON_MAP, "(map) => map.getZoom()") >= 11
    _check_popup_on_its_incident(p, ident)
    assert page.errors == []


def test_the_move_goes_deeper_while_the_view_would_still_show_cells(many, page):
    path, props = many
    p = _open(page, path)
    # (a lower threshold, as LayerOptions.cells_threshold would set it: at zoom 11
    # the crowded places still hold more)
    threshold = 300
    p.evaluate(ON_MAP, f"""(map) => {{ map.eachLayer((l) => {{
        if (l._imContext) {{ l._imContext.options.cells_threshold = {threshold}; }} }});
        map._imCanvas.changed(); }}""")
    # an incident in Baghdad, the most crowded place
    ident = next(k for k in sorted(props) if props[k]["place"] == "Baghdad")
    title = _open_incident(p, ident)
    assert title == props[ident]["title"]
    assert p.evaluate(CELLS)["mode"] == "points" and _summary(p)["mode"] == "points"
    assert p.evaluate(ON_MAP, IN_BOUNDS) <= threshold
    assert p.evaluate(ON_MAP, "(map) => map.getZoom()") > 11
    _check_popup_on_its_incident(p, ident)
    assert page.errors == []


def test_a_chain_link_in_the_popup_opens_the_linked_incident(many, page):
    path, props = many
    p = _open(page, path)
    ident = next(k for k in sorted(props)[N // 3:] if props[k]["related"]
                 and props[k]["related"][0]["id"] in props)
    other = props[ident]["related"][0]["id"]
    _open_incident(p, ident)
    p.click(f'.leaflet-popup .im-related-link[data-incident-id="{other}"]')
    assert _shown(p, other) == props[other]["title"]
    assert p.evaluate(CELLS)["mode"] == "points"
    _check_popup_on_its_incident(p, other)
    assert page.errors == []


def _crowd(n, km):
    """``n`` incidents 0.05 degrees apart with a ``km`` uncertainty, and one far away."""
    out = []
    for i in range(n):
        f = make_feature(i, geo_precision_km=km, geo_precision="town")
        f["geometry"]["coordinates"] = [44.0 + (i % 25) * 0.05, 33.0 + (i // 25) * 0.05]
        out.append(f)
    far = make_feature(n, geo_precision_km=km, geo_precision="town")
    far["geometry"]["coordinates"] = [47.5, 30.5]
    return out + [far]


def test_crowded_uncertainty_circles_are_left_out_and_the_legend_says_so(tmp_path, page):
    out = export_html(geodata.frame_from_features(_crowd(600, 10.0)), tmp_path / "crowd.html",
                      basemap="outlines")
    p = _open(page, out)
    note = p.locator(".im-legend .im-legend-note")
    hidden = int(note.get_attribute("data-circles-hidden"))
    assert hidden > 500
    assert "too many to tell apart" in note.inner_text() and f"{hidden:,}" in note.inner_text()
    # zoomed in on a corner of the crowd: few enough to draw, the note as before
    p.evaluate(ON_MAP, "(map) => map.setView([33.1, 44.1], 12, {animate: false})")
    p.wait_for_selector('.im-legend-note[data-circles-hidden="0"]', timeout=10_000)
    assert "too many" not in note.inner_text()
    assert "the point may be off by this radius" in note.inner_text()
    assert page.errors == []
