"""What a person sees on the map: boxes, positions and overlaps in a real browser."""

from __future__ import annotations

import json

import pytest
from conftest import DATASET
from mapjs import DRAWN_CANVAS, MAP_READY, is_map_frame, marker_screen_point, wait_until_still

from mapapp.cli import main

pytestmark = pytest.mark.browser

# The README's example: Iran as perpetrator since 2020.
README_EXAMPLE = ["--actor", "Iran", "--role", "perpetrator", "--start", "2020-01-01"]

# The map's container and the boxes of the elements a person reads, in page pixels.
BOXES = """(selectors) => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {x: r.left, y: r.top, width: r.width, height: r.height}; };
  const out = {map: box(document.querySelector('.leaflet-container'))};
  for (const s of selectors) out[s] = Array.from(document.querySelectorAll(s)).map(box);
  return out;
}"""


def _features():
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


def _by_suffix(suffix):
    return next(f["properties"] for f in _features() if f["properties"]["id"].endswith(suffix))


def _export(tmp_path_factory, name, *args):
    out = tmp_path_factory.mktemp("visual") / name
    assert main(["export", str(DATASET), "-o", str(out), *args]) == 0
    return out


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    return _export(tmp_path_factory, "whole.html")


def _open(page, path, width=1400, height=900):
    page.page.set_viewport_size({"width": width, "height": height})
    page.page.goto(path.as_uri())
    page.page.wait_for_function(MAP_READY, timeout=30_000)
    page.page.wait_for_selector('.im-summary-count[data-state="drawn"]', timeout=10_000)
    return page.page


def _inside(inner, outer, slack=0.5):
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def _covers(box, x, y, margin=0.0):
    return (box["x"] - margin <= x <= box["x"] + box["width"] + margin
            and box["y"] - margin <= y <= box["y"] + box["height"] + margin)


def _screen_markers(p):
    """Every drawn incident marker in page pixels."""
    drawn = p.evaluate(DRAWN_CANVAS)
    m = p.evaluate(BOXES, [])["map"]
    return [{"id": d["id"], "x": m["x"] + d["x"], "y": m["y"] + d["y"]} for d in drawn["markers"]]


# ------------------------------------------------------------------ tooltip


def test_tooltip_is_a_readable_box_next_to_its_marker(whole, page):
    p = _open(page, whole)
    props = _by_suffix("k1-air-base-rocket-attack")
    point = marker_screen_point(p, props["id"])
    p.wait_for_timeout(100)
    p.mouse.move(point["x"], point["y"])
    tip = p.wait_for_selector(".leaflet-tooltip .im-tooltip", timeout=5_000)
    # the id at once, the title when its block of details is decoded (a state, not a time)
    p.wait_for_function("(t) => document.querySelector('.im-tooltip').textContent.includes(t)",
                        arg=props["title"])
    tip = p.wait_for_selector(".leaflet-tooltip .im-tooltip")  # (rebuilt with the details)
    assert props["title"] in tip.inner_text()
    boxes = p.evaluate(BOXES, [".leaflet-tooltip", ".im-tooltip b"])
    box, title = boxes[".leaflet-tooltip"][0], boxes[".im-tooltip b"][0]
    # wide enough to read: words on a line, not letters
    assert box["width"] >= 120, box
    # a few lines at most (a line of 13 px text is about 18 px high)
    assert box["height"] <= 4 * 20 + 20, box
    line = p.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.im-tooltip')).lineHeight)")
    assert title["height"] <= 3 * line + 1
    # inside the map, just above the marker it names
    assert _inside(box, boxes["map"]), (box, boxes["map"])
    assert abs(box["x"] + box["width"] / 2 - point["x"]) <= 2
    assert 0 <= point["y"] - (box["y"] + box["height"]) <= 30, (box, point)


# ------------------------------------------------ controls clear of incidents


def _controls(p):
    return p.evaluate(BOXES, [".im-summary", ".im-legend", ".leaflet-control-zoom",
                              ".leaflet-control-layers", ".im-time"])


def _covered(p, markers):
    """(marker id, control) pairs where a control's box covers an incident marker."""
    boxes = _controls(p)
    return [(m["id"], name) for name, found in boxes.items() if name != "map"
            for box in found for m in markers if _covers(box, m["x"], m["y"], margin=7)]


@pytest.mark.parametrize("args", [[], README_EXAMPLE, ["--actor", "Kataib Hezbollah"]],
                         ids=["whole", "readme-example", "kataib-hezbollah"])
def test_no_control_covers_an_incident_at_1400x900(tmp_path_factory, page, args):
    # the open legend sat over the Gulf of Oman and Fujairah incidents
    out = _export(tmp_path_factory, "view.html", *args)
    p = _open(page, out)
    markers = _screen_markers(p)
    count = int(p.get_attribute(".im-summary-count", "data-count"))
    assert len(markers) == count and count > 0
    assert p.evaluate("() => document.querySelector('.im-legend details').open")
    assert _covered(p, markers) == []
    # every one is inside the map
    m = p.evaluate(BOXES, [])["map"]
    assert all(_covers(m, d["x"], d["y"]) for d in markers)


def test_the_summary_writes_dates_once_and_names_plainly(tmp_path_factory, page):
    out = _export(tmp_path_factory, "kh.html", "--actor", "Kataib Hezbollah", "--actor", "Iran",
                  "--start", "2020-01-01", "--end", "2020-01-31")
    p = _open(page, out)
    text = p.inner_text(".im-summary")
    assert "actor or target: Kataib Hezbollah, Iran" in text
    assert "'" not in text
    assert text.count("2020-01-01") == 1 and text.count("2020-01-31") == 1


# ------------------------------------------------------ offline place names


def test_outlines_basemap_makes_no_request_and_names_the_places(tmp_path_factory, page):
    out = _export(tmp_path_factory, "outlines.html", *README_EXAMPLE, "--basemap", "outlines")
    p = _open(page, out, width=1280, height=900)
    p.wait_for_timeout(300)
    assert page.blocked == []  # not even a tile: no server learns where we look
    assert p.evaluate("() => document.querySelectorAll('.leaflet-tile').length") == 0
    boxes = p.evaluate(
        """() => { const m = document.querySelector('.leaflet-container').getBoundingClientRect();
          return Array.from(document.querySelectorAll('.im-label')).map(e => {
            const r = e.querySelector('.im-label-text').getBoundingClientRect();
            return {name: e.dataset.place, inside: r.left >= m.left && r.right <= m.right
                    && r.top >= m.top && r.bottom <= m.bottom && r.width > 0,
                    color: getComputedStyle(e.querySelector('.im-label-text')).color}; }); }""")
    shown = {b["name"] for b in boxes if b["inside"]}
    assert {"Iraq", "Iran", "Baghdad"} <= shown, shown
    # drawn under the incidents, never over a marker
    z = p.evaluate("""() => { const z = n => +getComputedStyle(document.querySelector(
        '.leaflet-pane.leaflet-' + n + '-pane')).zIndex;
        return [z('im-labels'), z('im-incidents')]; }""")
    assert z[0] < z[1]
    assert page.errors == []


def test_labels_show_where_they_help(tmp_path_factory, page):
    out = _export(tmp_path_factory, "outlines-all.html", "--basemap", "outlines")
    p = _open(page, out)
    zoom_to = """z => { for (const k of Object.keys(window)) { const v = window[k];
        if (v instanceof L.Map) { v.setView([33.3, 44.4], z, {animate: false}); } } }"""
    names = "() => Array.from(document.querySelectorAll('.im-label')).map(e => e.dataset.place)"
    p.evaluate(zoom_to, 3)
    world = p.evaluate(names)
    assert "Iraq" in world and "Sulaymaniyah" not in world  # small cities wait for a closer look
    p.evaluate(zoom_to, 7)
    near = p.evaluate(names)
    assert {"Baghdad", "Karbala"} <= set(near)
    # no two names on top of each other
    rects = p.evaluate("""() => Array.from(document.querySelectorAll('.im-label-text'))
        .map(e => { const r = e.getBoundingClientRect();
                    return [r.left, r.top, r.right, r.bottom]; })""")
    overlaps = [(a, b) for i, a in enumerate(rects) for b in rects[i + 1:]
                if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
    assert overlaps == []


def test_satellite_basemap_shows_esri_imagery_with_its_attribution(tmp_path_factory, page):
    out = _export(tmp_path_factory, "satellite.html", *README_EXAMPLE, "--basemap", "satellite")
    p = _open(page, out)
    p.wait_for_timeout(300)
    assert page.blocked and all("arcgisonline.com" in u for u in page.blocked)
    assert "Esri" in p.inner_text(".leaflet-control-attribution")


def test_an_unknown_basemap_is_refused_by_name():
    import geodata
    from mapapp.builder import build_map

    gdf = geodata.read(DATASET)
    with pytest.raises(ValueError, match=r"basemap must be one of 'tiles', 'outlines', "
                                         r"'satellite', got 'stamen'"):
        build_map(gdf, basemap="stamen")


# ------------------------------------------------------------------ selection


RING = (255, 212, 0)  # SELECTED_RING in frontend/src/shapes.js


def _ring_pixels(p, point, radius=13):
    """How many pixels of the ring's colour a screenshot shows around a point."""
    import io

    from PIL import Image

    clip = {"x": point["x"] - radius - 4, "y": point["y"] - radius - 4,
            "width": 2 * radius + 8, "height": 2 * radius + 8}
    raw = Image.open(io.BytesIO(p.screenshot(clip=clip))).convert("RGB").tobytes()
    return sum(1 for k in range(0, len(raw), 3)
               if all(abs(raw[k + j] - RING[j]) <= 40 for j in range(3)))


def test_selected_incident_is_ringed_with_its_popup_open(tmp_path, page):
    import geodata
    from mapapp.export import export_html

    k1 = _by_suffix("k1-air-base-rocket-attack")
    other = _by_suffix("abqaiq-attack")
    out = export_html(geodata.read(DATASET), tmp_path / "sel.html", selected=k1["id"])
    p = _open(page, out)
    popup = p.wait_for_selector(".leaflet-popup-content .im-popup", timeout=5_000)
    assert popup.get_attribute("data-incident-id") == k1["id"]
    p.evaluate("() => document.querySelector('.leaflet-popup-close-button').click()")
    wait_until_still(p)  # (the popup's auto-pan may still be moving the map)
    drawn = p.evaluate(DRAWN_CANVAS)
    assert drawn["selected"]["id"] == k1["id"]
    m = p.evaluate(BOXES, [])["map"]
    sel = {"x": m["x"] + drawn["selected"]["x"], "y": m["y"] + drawn["selected"]["y"]}
    assert _ring_pixels(p, sel) > 20
    o = next(d for d in drawn["markers"] if d["id"] == other["id"])
    assert _ring_pixels(p, {"x": m["x"] + o["x"], "y": m["y"] + o["y"]}) == 0
    # opening another incident closes the first popup and moves the ring
    point = marker_screen_point(p, other["id"], center=False)
    p.mouse.click(point["x"], point["y"])
    p.wait_for_function("id => { const e = document.querySelectorAll('.im-popup');"
                        " return e.length === 1 && e[0].dataset.incidentId === id; }",
                        arg=other["id"])
    assert p.evaluate(DRAWN_CANVAS)["selected"]["id"] == other["id"]


def test_an_unknown_selection_draws_the_view_without_a_popup(tmp_path, page):
    import geodata
    from mapapp.export import export_html

    out = export_html(geodata.read(DATASET), tmp_path / "sel.html", selected="no-such-id")
    p = _open(page, out)
    assert p.query_selector(".leaflet-popup") is None
    assert p.evaluate(DRAWN_CANVAS)["selected"] is None
    assert page.errors == []


# ---------------------------------------------------------------- the chain


def test_a_link_recorded_on_both_incidents_is_one_line_and_listed_once(tmp_path, page):
    from conftest import make_feature

    import geodata
    from mapapp.export import export_html

    a = make_feature(0, id="a", title="First strike", date="2020-01-02",
                     related=[{"id": "b", "relation": "response_to"}])
    b = make_feature(1, id="b", title="Answer", date="2020-01-05",
                     related=[{"id": "a", "relation": "response_to"}])
    c = make_feature(2, id="c", title="Later", date="2020-01-09",
                     related=[{"id": "b", "relation": "follows"}])
    out = export_html(geodata.frame_from_features([a, b, c]), tmp_path / "chain.html")
    p = _open(page, out)
    p.hover(".leaflet-control-layers")
    label = p.locator(".leaflet-control-layers-overlays label", has_text="Escalation chain")
    assert "(2 links)" in label.inner_text()
    assert p.evaluate("""() => IncidentMap.openIncident(
        Object.values(window).find(v => v instanceof L.Map), 'a')""")
    p.wait_for_selector(".im-popup[data-incident-id='a'] .im-related")
    items = p.locator(".im-popup .im-related li").all_inner_texts()
    assert len(items) == 1 and "response to: Answer" in items[0], items
    assert "response_to" not in p.inner_text(".im-popup")
    # the legend says what the line is
    assert "escalation chain" in p.inner_text(".im-legend").lower()


# ------------------------------------------------------------------ the page


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real `streamlit run` of the app on loopback (as tests/test_page_e2e.py starts it)."""
    from conftest import ROOT, streamlit_server

    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with streamlit_server(ROOT / "mapapp" / "app.py", log,
                          "--server.enableStaticServing", "false") as url:
        yield url


def _map_frame(p, count=None, timeout=60_000):
    """The page's map frame once it shows a drawn view (of ``count`` incidents)."""
    wanted = '[data-state="drawn"]' + (f'[data-count="{count}"]' if count is not None else "")
    deadline = timeout / 250
    for _ in range(int(deadline)):
        for frame in p.frames:
            if is_map_frame(frame):
                try:
                    if frame.query_selector(".im-summary-count" + wanted):
                        return frame
                except Exception:  # the frame is still loading
                    pass
        p.wait_for_timeout(250)
    raise AssertionError("the map did not draw the view")


def _frame_markers(frame):
    drawn = frame.evaluate(DRAWN_CANVAS)
    m = frame.evaluate(BOXES, [])["map"]
    return [{"id": d["id"], "x": m["x"] + d["x"], "y": m["y"] + d["y"]} for d in drawn["markers"]]


def test_page_fits_a_filtered_view_clear_of_the_summary_and_opens_popups_below_it(server, page):
    p = page.page
    iran = [f["properties"] for f in _features()
            if f["properties"]["actor"] == "Iran" and f["properties"]["date"] >= "2020-01-01"]
    p.goto(server + "/?actor=Iran&role=perpetrator&start=2020-01-01")
    frame = _map_frame(p, len(iran))
    p.wait_for_timeout(300)
    markers = _frame_markers(frame)
    assert sorted(m["id"] for m in markers) == sorted(f["id"] for f in iran)
    assert _covered(frame, markers) == []
    # the top-most incident's popup: its title in view, under no control
    top = min(markers, key=lambda m: m["y"])
    frame.locator(".leaflet-container").first.click(
        position={"x": top["x"] - frame.evaluate(BOXES, [])["map"]["x"],
                  "y": top["y"] - frame.evaluate(BOXES, [])["map"]["y"]})
    frame.wait_for_selector(f".leaflet-popup-content .im-popup[data-incident-id='{top['id']}']"
                            " .im-title", timeout=10_000)
    p.wait_for_timeout(800)  # (the popup pans the map into place)
    frame = _map_frame(p, len(iran))
    seen = frame.evaluate(
        """() => { const t = document.querySelector('.leaflet-popup-content .im-title');
          const r = t.getBoundingClientRect(), m = document.querySelector('.leaflet-container')
            .getBoundingClientRect();
          const pts = [[r.left + 3, r.top + 3], [r.left + r.width / 2, r.top + r.height / 2],
                       [r.right - 3, r.bottom - 3]];
          return {inside: r.top >= m.top && r.left >= m.left && r.right <= m.right,
                  visible: pts.every(([x, y]) =>
                    t.contains(document.elementFromPoint(x, y)))}; }""")
    assert seen == {"inside": True, "visible": True}
    assert page.errors == []


def test_page_link_with_an_id_opens_that_incident_ringed(server, page):
    p = page.page
    k1 = _by_suffix("k1-air-base-rocket-attack")
    p.goto(server + f"/?id={k1['id']}")
    frame = _map_frame(p)
    popup = frame.wait_for_selector(".leaflet-popup-content .im-popup .im-title", timeout=20_000)
    assert popup.inner_text() == k1["title"]
    assert frame.get_attribute(".leaflet-popup-content .im-popup", "data-incident-id") == k1["id"]
    drawn = frame.evaluate(DRAWN_CANVAS)
    assert drawn["selected"]["id"] == k1["id"]
    assert page.errors == []


# ------------------------------------------------ the map's small print


def _overlap(a, b) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


@pytest.mark.parametrize(("width", "height"), [(1400, 900), (650, 600)])
def test_the_scale_bar_and_the_legend_are_read_whole(whole, page, width, height):
    # on a map as narrow as the page's, the attribution ran over the scale bar; at
    # 1400x900 the open legend's last lines were out of its box
    p = _open(page, whole, width, height)
    boxes = p.evaluate(BOXES, [".leaflet-control-scale-line", ".leaflet-control-attribution"])
    scale, attribution = boxes[".leaflet-control-scale-line"], boxes[
        ".leaflet-control-attribution"][0]
    assert len(scale) == 2 and not any(_overlap(line, attribution) for line in scale), boxes
    assert all(_inside(box, boxes["map"]) for box in [*scale, attribution])
    if width == 1400:
        assert p.evaluate("""() => { const e = document.querySelector('.im-legend');
            return e.scrollHeight <= e.clientHeight + 1; }""")
