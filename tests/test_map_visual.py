"""What a person sees on the map: boxes, positions and overlaps in a real browser."""

from __future__ import annotations

import json

import pytest
from conftest import DATASET
from mapjs import DRAWN_CANVAS, MAP_READY, marker_screen_point

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
    p.wait_for_function("() => document.querySelector('.im-tooltip b').textContent.length > 12")
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
