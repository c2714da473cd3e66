"""`mapapp export`: the standalone HTML map, checked in a real headless browser."""

from __future__ import annotations

import json
import re

import orjson
import pytest
from conftest import DATASET, make_feature, opened
from mapjs import DRAWN_IDS, MAP_READY, marker_screen_point

import geodata
from geodata.geojson_write import iter_properties_json
from mapapp.cli import main
from mapapp.export import export_html
from mapapp.exportdata import (
    EXPORT_BLOCK,
    FIXED_BYTES,
    block_columns,
    columns_from_rows,
    estimate_size,
    pack7,
    read_export,
    rows_from_columns,
    unpack7,
)
from mapapp.exportguard import bytes_per_incident, size_problem
from mapapp.mapdata import safe_json

pytestmark = pytest.mark.browser


def _dataset():
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


def _open(page, path):
    page.page.goto(path.as_uri())
    page.page.wait_for_function(MAP_READY, timeout=30_000)
    return sorted(page.page.evaluate(DRAWN_IDS))


def _export(tmp_path, *args, name="map.html"):
    out = tmp_path / name
    assert main(["export", str(DATASET), "-o", str(out), *args]) == 0
    return out


def test_whole_dataset_draws_every_incident_offline(tmp_path, page):
    out = _export(tmp_path)
    html = out.read_text(encoding="utf-8")
    # self-contained: no script or stylesheet is loaded from anywhere
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    drawn = _open(page, out)
    assert drawn == sorted(f["properties"]["id"] for f in _dataset())
    assert page.blocked_non_tiles() == []  # only basemap tiles tried the network
    assert page.errors == []
    # the summary on the map says how many and when
    summary = page.page.inner_text(".im-summary")
    assert f"{len(drawn)} incidents" in summary and "1979-11-04 to 2020-03-14" in summary


def test_actor_filter_draws_exactly_the_matching_incidents(tmp_path, page):
    out = _export(tmp_path, "--actor", "Kataib Hezbollah")
    expected = sorted(
        f["properties"]["id"] for f in _dataset()
        if "Kataib Hezbollah" in (f["properties"].get("actor"), f["properties"].get("target"))
    )
    assert len(expected) >= 3
    assert _open(page, out) == expected
    summary = page.page.inner_text(".im-summary")
    assert "actor or target: Kataib Hezbollah" in summary and "'" not in summary


def test_date_and_role_filters(tmp_path, page):
    out = _export(tmp_path, "--start", "2019-12-27", "--end", "2020-01-03",
                  "--actor", "United States", "--role", "perpetrator")
    expected = sorted(
        f["properties"]["id"] for f in _dataset()
        if "2019-12-27" <= f["properties"]["date"] <= "2020-01-03"
        and f["properties"]["actor"] == "United States"
    )
    assert expected
    assert _open(page, out) == expected


def test_clicking_a_marker_opens_its_popup_with_source_links(tmp_path, page):
    out = _export(tmp_path)
    _open(page, out)
    k1 = next(f for f in _dataset() if f["properties"]["id"].endswith("k1-air-base-rocket-attack"))
    point = marker_screen_point(page.page, k1["properties"]["id"])
    page.page.mouse.click(point["x"], point["y"])
    popup = page.page.wait_for_selector(".leaflet-popup-content .im-popup", timeout=5000)
    text = popup.inner_text()
    assert k1["properties"]["title"] in text
    assert "disputed" in text and "United States" in text  # who blamed whom
    links = page.page.eval_on_selector_all(
        ".leaflet-popup-content a.im-source-link", "els => els.map(e => e.href)")
    expected = [s["url"] for s in k1["properties"]["sources"] if s.get("url")]
    assert links == expected
    # the chain: the popup links the incidents that answered this one
    assert "response to" in text.replace("_", " ") or "Linked incidents" in text


PAYLOADS = [
    '<img src=x onerror="window.__pwned=1">',
    "${window.__pwned=2}",
    "`+(window.__pwned=3)+`",
    "</script><script>window.__pwned=4</script>",
    "C:\\path\\2019 \\u003c <!-- -->",
    "<svg onload=alert(5)>",
]


def _hostile_frame():
    features = []
    for i, payload in enumerate(PAYLOADS):
        f = make_feature(
            i,
            id=f"x{i}-{payload}",
            title=f"T {payload}",
            notes=f"N {payload}",
            actor=f"A {payload}",
            target=f"G {payload}",
            place=f"P {payload}",
            event_type=f"E {payload}" if i % 2 else "Battles",
            sources=[
                {"title": f"S {payload}", "publisher": f"Pub {payload}",
                 "url": "javascript:window.__pwned=9"},
                {"title": "ok", "url": "https://example.org/?q=<b>&x=`${1}`"},
            ],
            related=[{"id": f"x0-{PAYLOADS[0]}", "relation": payload}],
        )
        features.append(f)
    # bypass validation on purpose: the builder must be safe on its own
    return geodata.frame_from_features(features)


def test_hostile_text_is_shown_literally_and_never_runs(tmp_path, page):
    gdf = _hostile_frame()
    out = tmp_path / "hostile.html"
    export_html(gdf, out, title="Title " + PAYLOADS[0] + PAYLOADS[3])
    drawn = _open(page, out)
    assert len(drawn) == len(PAYLOADS)
    p = page.page
    for fid in drawn:
        texts = p.evaluate(
            """async (id) => {
          let layer = null, map = null;
          for (const k of Object.keys(window)) {
            const v = window[k];
            if (v && window.L && v instanceof L.Map) {
              map = v;
              v.eachLayer(l => { if (l.feature && l instanceof L.CircleMarker
                                     && l.feature.properties.id === id) layer = l; });
            }
          }
          layer.fire('click', {latlng: layer.getLatLng()}, true);
          // (the details come from the incident's block, decoded on the first click)
          const loaded = () => {
            const c = [...document.querySelectorAll('.leaflet-popup-content')].pop();
            return c && !c.innerText.includes('Loading the details');
          };
          for (let k = 0; k < 500 && !loaded(); k++) {
            await new Promise((ok) => setTimeout(ok, 10));
          }
          const content = [...document.querySelectorAll('.leaflet-popup-content')].pop();
          const popup = content.innerText;
          const links = [...content.querySelectorAll('a.im-source-link')]
                          .map(a => a.getAttribute('href'));
          layer.fire('mouseover', {latlng: layer.getLatLng()}, true);
          const tip = [...document.querySelectorAll('.leaflet-tooltip')].map(t => t.innerText);
          layer.fire('mouseout', {latlng: layer.getLatLng()}, true);
          map.closePopup();
          return {popup, links, tip};
        }""",
            fid,
        )
        i = int(fid[1])
        payload = PAYLOADS[i]
        for prefix in ("T ", "N ", "A ", "G ", "P ", "S ", "Pub "):
            assert prefix + payload in texts["popup"], (prefix, payload)
        assert any("T " + payload in t for t in texts["tip"])
        # javascript: never becomes a link; the https one does
        assert texts["links"] == ["https://example.org/?q=%3Cb%3E&x=`${1}`"]
    # layer names (Leaflet renders them as HTML) show the event types literally
    layer_names = p.eval_on_selector(".leaflet-control-layers", "e => e.textContent")
    assert "E " + PAYLOADS[5] in layer_names and "E " + PAYLOADS[3] in layer_names
    assert p.evaluate("window.__pwned") is None
    assert page.dialogs == [] and page.errors == []
    assert "Title " + PAYLOADS[0] in p.inner_text(".im-summary-title")
    assert p.title().startswith("Title <img")  # the page title is text, too


def test_template_syntax_in_the_data_reaches_the_page_unchanged(tmp_path):
    # branca used to compile each element's script as a Jinja template: data
    # text like "{{ 7*7 }}" was evaluated (as Python, at export) and "{#" failed.
    texts = ["A {{ 7*7 }} B", "C {# D", "E {% raw %} F", "{{ self.__init__ }}"]
    gdf = geodata.frame_from_features(
        [make_feature(i, notes=t, title=t) for i, t in enumerate(texts)]
    )
    out = tmp_path / "jinja.html"
    export_html(gdf, out, title="{{ 1 + 1 }}")
    page = out.read_text(encoding="utf-8")
    [(payload, properties)] = read_export(page)
    assert [p["notes"] for p in properties] == texts
    assert [p["title"] for p in properties] == texts
    assert payload["ids"] == [str(p["id"]) for p in properties]
    assert "{{ 1 + 1 }}" in page


def test_safe_json_cannot_close_a_script():
    text = safe_json({"a": "</script><!--<script>", "b": "\u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!--<script>", "b": "\u2028"}


def test_export_errors_are_clear(tmp_path, capsys):
    out = tmp_path / "m.html"
    assert main(["export", str(DATASET), "-o", str(out), "--actor", "Nobody"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mapapp export: no actor or target 'Nobody' in the data; ")
    assert not out.exists()
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}')
    assert main(["export", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "feature 0, field 'id': missing" in err and "Traceback" not in err
    assert main(["export", str(DATASET), "-o", str(out), "--start", "2020-02-30"]) == 2
    assert "start '2020-02-30' does not exist: February 2020 has 29 days" in \
        capsys.readouterr().err
    assert main(["export", str(DATASET), "-o", str(DATASET)]) == 2
    assert "refusing to overwrite the input file" in capsys.readouterr().err


# ------------------------------------------------- the export's data, in blocks


@pytest.mark.parametrize("size", [0, 1, 6, 7, 8, 13, 14, 15, 255, 1000])
def test_packed_text_gives_back_the_bytes_and_holds_no_character_the_parser_changes(size):
    data = bytes((i * 151 + size) % 256 for i in range(size)) + b"\0\r<"[: size % 4]
    text = pack7(data)
    assert unpack7(text) == data
    assert not set(text) & {"\0", "\r", "<"}
    assert text.isascii()  # (Chromium reads a page with other characters several times slower)
    # 8/7 of the bytes, and one more character for each escaped value (NUL, CR, '<', '~')
    assert len(text) == -(-8 * len(data) // 7) + text.count("~")


def _page_rows(gdf):
    return [orjson.loads(b) for b in iter_properties_json(gdf, EXPORT_BLOCK)]


def _export_rows(gdf, blocks):
    ids = gdf["id"].astype(str).tolist() if len(gdf) else []
    return [rows_from_columns(orjson.loads(b), ids[k * EXPORT_BLOCK:(k + 1) * EXPORT_BLOCK])
            for k, b in enumerate(blocks)]


def _odd_frame():
    """Missing values in every kind of column, nested oddities, an extra property."""
    features = []
    for i in range(2500):
        props = {"notes": ..., "related": ..., "fatalities": ...} if i % 3 == 0 else {}
        if i % 5 == 0:
            props["sources"] = [{"url": "https://a.example/", "title": "t", "extra": [1, None]},
                                {"title": "only a title"}, {"title": "u", "url": "https://b"}]
        if i % 7 == 0:
            props["attribution"] = {"status": "claimed", "claimed_by": ["X"], "blamed_by": []}
        if i % 11 == 0:
            props["__proto__"] = {"polluted": True}
            props["2020"] = "a number-like key"
        if i % 13 == 0:
            props["title"] = "</script><!--<script>\r\n\u2028\0 {{ 1 }}"
        features.append(make_feature(i, **props))
    return geodata.frame_from_features(features)


@pytest.mark.parametrize("frame", ["dataset", "hostile", "odd"])
def test_the_decoded_blocks_are_the_pages_blocks(frame):
    gdf = {"dataset": lambda: geodata.read(DATASET), "hostile": _hostile_frame,
           "odd": _odd_frame}[frame]()
    page = _page_rows(gdf)
    blocks = list(block_columns(gdf))
    assert len(blocks) == len(page)
    decoded = _export_rows(gdf, blocks)
    assert decoded == page
    assert [[list(r) for r in b] for b in decoded] == [[list(r) for r in b] for b in page]
    # the path for frames the column path refuses makes the same rows
    ids = gdf["id"].astype(str).tolist()
    rows = [r for b in page for r in b]
    again = [columns_from_rows(rows[s:s + EXPORT_BLOCK], ids[s:s + EXPORT_BLOCK],
                               list(gdf.columns)) for s in range(0, len(rows), EXPORT_BLOCK)]
    assert _export_rows(gdf, again) == page


def test_an_export_holds_every_incidents_properties_in_blocks(tmp_path):
    gdf = _odd_frame()
    out = tmp_path / "odd.html"
    export_html(gdf, out)
    page = out.read_text(encoding="utf-8")
    [(payload, properties)] = read_export(page)
    assert properties == [r for b in _page_rows(gdf) for r in b]
    assert payload["n"] == len(gdf) and payload["ids"] == gdf["id"].tolist()
    # (the payload, its ids apart, and the blocks)
    assert page.count('type="application/octet-stream"') == 2 + -(-len(gdf) // EXPORT_BLOCK)
    # the estimate made before building is close to the file (and rather over)
    assert 0.9 * out.stat().st_size <= estimate_size(gdf) <= 1.25 * out.stat().st_size


def test_the_size_guard_names_the_size_and_filters_and_writes_nothing(tmp_path, capsys):
    features = [make_feature(i, date=f"20{10 + i % 10}-03-01") for i in range(3000)]
    data = tmp_path / "in.geojson"
    data.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    per = bytes_per_incident(geodata.read(data))
    limit = f"{(FIXED_BYTES + per * 1650) / 1e6:.4f}"  # (half of it fits, and a little)
    out = tmp_path / "m.html"
    assert main(["export", str(data), "-o", str(out), "--max-mb", limit]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{out}: not written: the HTML map of 3,000 ")
    assert re.search(r"would be about 0\.\d MB, over the limit of 0\.\d MB", err)
    assert "--max-mb" in err and "incidents per year: 2010: 300 (~" in err
    assert "--start 2015-01-01 keeps 1,500 incidents" in err and "Traceback" not in err
    assert "--actor 'United States' --role perpetrator: 1,000 (~" in err
    assert "--country IRQ: 1,000 (~" in err
    assert not out.exists() and sorted(tmp_path.iterdir()) == [data]
    # under the limit (the default, or one given): written
    assert main(["export", str(data), "-o", str(out)]) == 0
    assert out.exists()


def test_the_size_guard_suggests_a_start_date_that_fits():
    gdf = geodata.frame_from_features([make_feature(i, date=f"20{10 + i % 10}-03-01")
                                       for i in range(4000)])
    per = bytes_per_incident(gdf)
    limit = (FIXED_BYTES + per * 1300) / 1e6  # (three of the ten years fit)
    message = size_problem(gdf, limit)
    assert "2010: 400 (~" in message and "2019: 400 (~" in message
    assert "--start 2017-01-01 keeps 1,200 incidents" in message
    assert size_problem(gdf, limit * 4) is None
    page = size_problem(gdf, limit, cli=False)
    assert "dates from 2017-01-01 keeps 1,200 incidents" in page and "--start" not in page


def test_the_pages_html_download_follows_the_same_limit(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("INCIDENT_MAP_EXPORT_MAX_MB", "0.4")
    at = opened(AppTest.from_file(str(DATASET.parent / "mapapp" / "app.py"), default_timeout=90))
    warning = next(w.value for w in at.warning if "HTML map is not offered" in w.value)
    assert re.search(r"would be about 0\\?\.\d MB, over the limit of 0\\?\.4 MB", warning)
    monkeypatch.setenv("INCIDENT_MAP_EXPORT_MAX_MB", "50")
    at = opened(AppTest.from_file(str(DATASET.parent / "mapapp" / "app.py"), default_timeout=90))
    assert not any("HTML map is not offered" in w.value for w in at.warning)


_OPEN_EACH = """async (ids) => {
  let map = null;
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) map = v;
  }
  const out = [];
  for (const id of ids) {
    if (!IncidentMap.openIncident(map, id)) { out.push(null); continue; }
    let el = null;
    for (let k = 0; k < 300; k++) {
      el = document.querySelector('.leaflet-popup-content .im-popup');
      if (el && el.getAttribute('data-incident-id') === id) break;
      await new Promise((ok) => setTimeout(ok, 10));
    }
    out.push(el ? el.getAttribute('data-incident-id') : null);
    map.closePopup();
  }
  return out;
}"""


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "no-worker"])
def test_ids_read_apart_open_each_incident_with_or_without_a_worker_thread(tmp_path, page,
                                                                           worker):
    # (the export writes the ids apart, inflates them on a worker thread where
    # one can be made, and splits them only when first needed)
    ids = ['plain-1', 'say "hi"', 'a","b', "back\\slash", "été ☃ 😀", "</script><b>", " ", ","]
    gdf = geodata.frame_from_features([make_feature(i, id=v) for i, v in enumerate(ids)])
    out = tmp_path / "ids.html"
    export_html(gdf, out)
    if not worker:
        page.page.add_init_script("delete window.Worker;")
    assert _open(page, out) == sorted(ids)
    assert page.page.evaluate(_OPEN_EACH, ids) == ids
    assert page.errors == []
