"""An export above the old breaking point (about 165,000): drawn, details a click away.

200,000 incidents, the network blocked: the map draws them all, and opening
incidents from different blocks shows their titles and sources, each from
its own block, decoded on demand (one block per click); a hostile title stays
text; a decoded block is the page's blocks, object for object.
"""

from __future__ import annotations

import orjson
import pytest
from conftest import make_feature
from mapjs import MAP_READY

import geodata
from geodata.geojson_write import iter_properties_json
from mapapp.contract import PROPS_BLOCK
from mapapp.export import export_html
from mapapp.exportdata import EXPORT_BLOCK

pytestmark = pytest.mark.browser

N = 200_000
HOSTILE = 150_123
HOSTILE_TITLE = '</script><img src=x onerror="window.__pwned=1"> {{7*7}}'

_DS = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) {
      let ds = null;
      v.eachLayer(l => { if (l._imContext && l._imContext.ds) ds = l._imContext.ds; });
      if (ds) return [v, ds];
    }
  }
  return [null, null];
}"""

_OPEN = """async ([id, find]) => {
  const [map, ds] = (FIND)();
  if (!IncidentMap.openIncident(map, id)) return null;
  const sel = '.leaflet-popup-content .im-popup[data-incident-id="' + CSS.escape(id) + '"]';
  for (let k = 0; k < 1000; k++) {
    const el = document.querySelector(sel);
    if (el && !el.textContent.includes('Loading the details')) {
      return {
        text: el.innerText,
        links: [...el.querySelectorAll('a.im-source-link')].map(a => a.getAttribute('href')),
        blocks: Object.keys(ds.blocks).map(Number).sort((a, b) => a - b)
      };
    }
    await new Promise(ok => setTimeout(ok, 10));
  }
  return null;
}""".replace("FIND", _DS)


def _feature(i: int) -> dict:
    title = HOSTILE_TITLE if i == HOSTILE else f"Incident number {i}"
    return make_feature(
        i, title=title, date=f"20{10 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        sources=[{"title": f"Report {i}", "publisher": "Pub",
                  "url": f"https://example.org/report/{i}"}],
    )


@pytest.fixture(scope="module")
def big_export(tmp_path_factory):
    gdf = geodata.frame_from_features([_feature(i) for i in range(N)])
    path = tmp_path_factory.mktemp("big") / "big.html"
    export_html(gdf, path, basemap="outlines")
    return gdf, path


def _open(page, path):
    page.page.goto(path.as_uri())
    page.page.wait_for_function(MAP_READY, timeout=60_000)
    page.page.wait_for_selector('.im-summary-count[data-state="drawn"]', timeout=60_000)


def test_the_map_draws_every_incident_and_each_popup_reads_one_block(big_export, page):
    gdf, path = big_export
    _open(page, path)
    assert page.page.get_attribute(".im-summary-count", "data-count") == str(N)
    seen: list[int] = []
    for i in (0, 57_321, 199_999, 1_000):
        fid = f"inc-{i}"
        got = page.page.evaluate(_OPEN, [fid, None])
        assert got is not None, fid
        assert f"Incident number {i}" in got["text"] and fid in got["text"]
        assert got["links"] == [f"https://example.org/report/{i}"]
        seen.append(i // EXPORT_BLOCK)
        # (one block more per click, none for an incident of a block already read)
        assert got["blocks"] == sorted(set(seen)), fid
    assert page.blocked_non_tiles() == [] and page.errors == []


def test_a_hostile_title_stays_text(big_export, page):
    _gdf, path = big_export
    _open(page, path)
    got = page.page.evaluate(_OPEN, [f"inc-{HOSTILE}", None])
    assert got is not None and HOSTILE_TITLE in got["text"]
    assert page.page.evaluate("window.__pwned") is None
    assert page.dialogs == [] and page.errors == []


def test_a_decoded_block_is_the_pages_block(big_export, page):
    gdf, path = big_export
    _open(page, path)
    block = HOSTILE // EXPORT_BLOCK
    rows = page.page.evaluate(
        """async (b) => {
      const [_map, ds] = (FIND)();
      await ds.loadBlock(b);
      return ds.blocks[b];
    }""".replace("FIND", _DS), block)
    part = gdf.iloc[block * EXPORT_BLOCK:(block + 1) * EXPORT_BLOCK]
    # (an export block is four of the page's blocks, end to end)
    expected = [r for b in iter_properties_json(part, PROPS_BLOCK) for r in orjson.loads(b)]
    assert len(expected) == EXPORT_BLOCK == 4 * PROPS_BLOCK
    assert rows == expected
    assert [list(r) for r in rows] == [list(r) for r in expected]
