"""The page's head in a real browser: every figure read whole, never cut short with "…"."""

from __future__ import annotations

import json

import pytest
from conftest import feature_collection, make_feature
from test_page_e2e import _map_frame, _serve

pytestmark = pytest.mark.browser

#: Each figure's label, its value as a person reads it, and whether the text is cut or hidden.
_FIGURES = """() => [...document.querySelectorAll('[data-testid="stMetric"]')].map(m => {
  const value = m.querySelector('[data-testid="stMetricValue"]');
  const text = value.querySelector('[data-testid="stMarkdownContainer"]') || value;
  const box = text.getBoundingClientRect(), outer = m.getBoundingClientRect();
  return {label: m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
          value: text.innerText.replace(/[\\u2060]/g, '').replace(/\\u00a0/g, ' '),
          cut: text.scrollWidth > text.clientWidth + 1 || text.scrollHeight > text.clientHeight + 1,
          ellipsis: getComputedStyle(text).textOverflow === 'ellipsis'
                    && getComputedStyle(text).whiteSpace === 'nowrap',
          inside: box.left >= outer.left - 1 && box.right <= outer.right + 1
                  && box.right <= window.innerWidth};
})"""


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    """The page on incidents with six-figure fatality estimates (the longest figures)."""
    features = [make_feature(i, fatalities=9999, fatalities_low=5000, fatalities_high=20000)
                for i in range(20)]
    path = tmp_path_factory.mktemp("big") / "big.geojson"
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    yield from _serve(tmp_path_factory, env={"MAPAPP_DATA": str(path)})


@pytest.mark.parametrize("width", [1280, 1400])
def test_every_figure_of_the_head_is_read_whole(big_server, page, width):
    p = page.page
    p.set_viewport_size({"width": width, "height": 800})
    p.goto(big_server + "/")
    _map_frame(p)
    # (the map can be drawn before the head's last figure is on the page: wait for it)
    p.locator('[data-testid="stMetric"]', has_text="Fatalities").first.wait_for(timeout=30_000)
    figures = {f["label"]: f for f in p.evaluate(_FIGURES)}
    assert figures["Fatalities"]["value"] == "199,980 (range 100,000–400,000)"
    assert figures["Incidents shown"]["value"] == "20 of 20"
    assert figures["Date span"]["value"] == "2020-01-01 to 2020-01-20"
    for label, figure in figures.items():
        assert not figure["cut"] and not figure["ellipsis"], (width, label, figure)
        assert figure["inside"], (width, label, figure)
