"""End to end: a real `streamlit run` on localhost, driven in headless Chromium."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import DATASET, ROOT, feature_collection, make_feature, streamlit_server
from mapjs import (
    DRAWN_CANVAS,
    DRAWN_IDS,
    MAP_READY,
    click_marker,
    is_map_frame,
    marker_screen_point,
)

pytestmark = pytest.mark.browser


def _features():
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from _serve(tmp_path_factory)


def _serve(tmp_path_factory, env=None):
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with streamlit_server(ROOT / "mapapp" / "app.py", log, "--server.enableStaticServing",
                          "false", env={**os.environ, **(env or {})}) as url:
        yield url


def _map_frame(page, timeout=60):
    """The page's map frame, once its incidents are drawn."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            if is_map_frame(frame):
                try:
                    if frame.evaluate(MAP_READY):
                        return frame
                except Exception:  # the frame is still loading
                    pass
        page.wait_for_timeout(250)
    raise AssertionError("the map did not draw")


def _drawn(frame, expected_count=None, timeout=30):
    """Ids drawn on the map (waiting until the expected number is there)."""
    deadline = time.time() + timeout
    ids = frame.evaluate(DRAWN_IDS)
    while expected_count is not None and len(ids) != expected_count and time.time() < deadline:
        frame.page.wait_for_timeout(250)  # (time.sleep would stall Playwright's event loop)
        ids = frame.evaluate(DRAWN_IDS)
    return sorted(ids)


def _choose_actor(p, name):
    """Pick an actor in the sidebar, as a person would; returns the sidebar."""
    sidebar = p.locator('[data-testid="stSidebar"]')
    box = sidebar.locator('[data-testid="stMultiSelect"] input').first
    box.click()
    box.fill(name)
    p.get_by_role("option", name=name, exact=True).first.click()
    p.keyboard.press("Escape")
    return sidebar


def test_page_draws_every_incident_offline(server, page):
    page.page.goto(server + "/")
    frame = _map_frame(page.page)
    expected = sorted(f["properties"]["id"] for f in _features())
    assert _drawn(frame, len(expected)) == expected
    # scripts and styles came from the app itself: only basemap tiles were blocked
    assert page.blocked_non_tiles() == []
    assert page.errors == []


@pytest.mark.parametrize("workers", [True, False],
                         ids=["on worker threads", "where no worker can be made"])
def test_the_map_draws_whole_with_or_without_worker_threads(server, page, workers):
    # (the map frame starts worker threads to unpack its two draw files, the columns
    # and the ids; where none can be made, a policy or an old browser, it unpacks them
    # on its own thread: the same map either way)
    if not workers:
        page.page.add_init_script("delete window.Worker;")
    page.page.goto(server + "/")
    frame = _map_frame(page.page)
    expected = sorted(f["properties"]["id"] for f in _features())
    assert _drawn(frame, len(expected)) == expected  # (each id from the ids' file)
    assert bool(page.page.workers) == workers  # (made, or none could be)
    assert page.errors == []


def test_a_link_draws_exactly_the_matching_incidents(server, page):
    page.page.goto(server + "/?actor=Iran&start=2020-01-01&end=2020-03-31")
    frame = _map_frame(page.page)
    expected = sorted(
        f["properties"]["id"] for f in _features()
        if "Iran" in (f["properties"]["actor"], f["properties"].get("target"))
        and "2020-01-01" <= f["properties"]["date"] <= "2020-03-31"
    )
    assert expected
    assert _drawn(frame, len(expected)) == expected
    page.page.get_by_text(f"{len(expected)} of {len(_features())}").first.wait_for()


def test_filter_changes_redraw_exactly_the_new_view(server, page):
    # each view takes over the markers it shares with the one before: none may be left over
    p = page.page
    p.goto(server + "/")
    frame = _map_frame(p)
    features = [f["properties"] for f in _features()]
    assert _drawn(frame, len(features)) == sorted(f["id"] for f in features)
    sidebar = _choose_actor(p, "Iran")
    iran = sorted(f["id"] for f in features if "Iran" in (f["actor"], f.get("target")))
    assert _drawn(frame, len(iran)) == iran
    sidebar.get_by_text("perpetrator", exact=True).first.click()
    perp = sorted(f["id"] for f in features if f["actor"] == "Iran")
    assert perp != iran
    assert _drawn(frame, len(perp)) == perp
    frame.wait_for_function(f"() => document.querySelector('.im-summary-count')"
                            f".dataset.count === '{len(perp)}'")
    # the canvas draws the new view too (at most every one of its markers, nothing else)
    drawn = frame.evaluate(DRAWN_CANVAS)
    assert {m["id"] for m in drawn["markers"]} <= set(perp)
    sidebar.get_by_text("Reset filters", exact=True).first.click()
    assert _drawn(frame, len(features)) == sorted(f["id"] for f in features)
    assert page.errors == []


def _click_settled(p, frame, fid: str) -> None:
    """Click incident ``fid``'s marker once the map has settled (the same place twice)."""
    point, previous = None, {}
    for _ in range(40):
        point = marker_screen_point(frame, fid, center=False)
        if point == previous:
            break
        previous = point
        p.wait_for_timeout(300)
    click_marker(frame, fid, center=False)


def test_clicking_a_marker_shows_its_details(server, page):
    p = page.page
    p.goto(server + "/")
    frame = _map_frame(p)
    target = next(f for f in _features() if f["properties"]["id"].endswith("abqaiq-attack"))
    _click_settled(p, frame, target["properties"]["id"])
    # the popup opens in the map...
    frame.wait_for_selector(".leaflet-popup-content .im-popup", timeout=10_000)
    # ...and the page's detail panel shows the incident, its sources and its chain
    title = target["properties"]["title"]
    p.get_by_text(title, exact=True).first.wait_for(timeout=20_000)
    # (the panel's parts arrive one after another: wait for each, never a fixed time)
    link = p.locator(f'a[href="{target["properties"]["sources"][-1]["url"]}"]')
    link.first.wait_for(state="attached", timeout=20_000)
    p.get_by_role("button", name="same attack").first.wait_for(timeout=10_000)
    p.wait_for_function("id => new URLSearchParams(location.search).get('id') === id",
                        arg=target["properties"]["id"], timeout=20_000)


# Markers that came on the map after the page's rerun (a big view is drawn as
# cells with no marker on the map; zoomed in, its markers come) have no click
# listener of their own (the frame listens on the view's group). Taken off here, as they would be.
_FORGET_CLICK_LISTENERS = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) {
      let n = 0;
      v.eachLayer(l => {
        if (l.feature && l instanceof L.CircleMarker) { l.off('click'); n += 1; }
      });
      return n;
    }
  }
  return 0;
}"""


def test_a_marker_that_came_after_the_rerun_still_selects_its_incident(server, page):
    p = page.page
    p.goto(server + "/")
    frame = _map_frame(p)
    _drawn(frame, len(_features()))
    target = next(f for f in _features() if f["properties"]["id"].endswith("abqaiq-attack"))
    assert frame.evaluate(_FORGET_CLICK_LISTENERS) == len(_features())
    _click_settled(p, frame, target["properties"]["id"])
    frame.wait_for_selector(".leaflet-popup-content .im-popup", timeout=10_000)
    p.get_by_text(target["properties"]["title"], exact=True).first.wait_for(timeout=20_000)
    p.wait_for_function("id => new URLSearchParams(location.search).get('id') === id",
                        arg=target["properties"]["id"], timeout=20_000)


def test_html_download_draws_the_same_incidents(server, page, tmp_path):
    p = page.page
    p.goto(server + "/?actor=Kataib%20Hezbollah")
    frame = _map_frame(p)
    expected = sorted(
        f["properties"]["id"] for f in _features()
        if "Kataib Hezbollah" in (f["properties"]["actor"], f["properties"].get("target"))
    )
    assert _drawn(frame, len(expected)) == expected
    with p.expect_download(timeout=60_000) as info:
        p.get_by_role("button", name="HTML map (works offline)").click()
    path = tmp_path / "download.html"
    info.value.save_as(path)
    p.goto(path.as_uri())
    p.wait_for_function(MAP_READY, timeout=30_000)
    assert sorted(p.evaluate(DRAWN_IDS)) == expected

    p.goto(server + "/?actor=Kataib%20Hezbollah")
    _map_frame(p)
    with p.expect_download(timeout=60_000) as info:
        p.get_by_role("button", name="GeoJSON").click()
    gj = tmp_path / "download.geojson"
    info.value.save_as(gj)
    got = json.loads(gj.read_text(encoding="utf-8"))
    assert sorted(f["properties"]["id"] for f in got["features"]) == expected


def test_upload_of_a_bad_file_lists_problems_and_maps_the_good_part(server, page, tmp_path):
    features = [make_feature(0), make_feature(1), make_feature(2, date="2020-02-30"),
                make_feature(3, title='<img src=x onerror="window.__pwned=1">')]
    path = Path(tmp_path) / "mine.geojson"
    path.write_text(json.dumps(feature_collection(features)))
    p = page.page
    p.goto(server + "/")
    _map_frame(p)
    p.locator('input[type="file"]').set_input_files(str(path))
    p.get_by_text("1 invalid").first.wait_for(timeout=30_000)
    # the problem table is a data grid (drawn on a canvas): its cells are in the DOM
    p.get_by_text("not an ISO 8601 day (YYYY-MM-DD): '2020-02-30'").first.wait_for(
        state="attached")
    deadline = time.time() + 30
    while time.time() < deadline:
        frame = _map_frame(p)
        ids = _drawn(frame)
        if ids == ["inc-0", "inc-1", "inc-3"]:
            break
        p.wait_for_timeout(500)
    assert ids == ["inc-0", "inc-1", "inc-3"]
    assert frame.evaluate("window.__pwned") is None and p.evaluate("window.__pwned") is None


def _switch(frame, label):
    """Tick or untick an overlay in the map's layer control, as a person would."""
    frame.hover(".leaflet-control-layers")
    frame.wait_for_selector(".leaflet-control-layers-expanded")
    frame.locator(".leaflet-control-layers-overlays label", has_text=label).click()


def _checked(frame, label) -> bool:
    box = frame.locator(".leaflet-control-layers-overlays label", has_text=label).locator("input")
    return box.is_checked()


def test_what_the_user_switched_off_stays_off_after_a_filter_change(server, page):
    p = page.page
    p.goto(server + "/")
    frame = _map_frame(p)
    features = [f["properties"] for f in _features()]
    _drawn(frame, len(features))
    _switch(frame, "Explosions/Remote violence")
    _switch(frame, "Protests")
    _switch(frame, "Location uncertainty")
    rest = sorted(f["id"] for f in features
                  if f["event_type"] not in ("Explosions/Remote violence", "Protests"))
    assert _drawn(frame, len(rest)) == rest
    # a filter change: Iran's incidents are all explosions, switched off (Protests leaves the view)
    sidebar = _choose_actor(p, "Iran")
    iran = [f for f in features if "Iran" in (f["actor"], f.get("target"))]
    assert {f["event_type"] for f in iran} == {"Explosions/Remote violence"}
    frame.wait_for_function(f"() => document.querySelector('.im-summary-count')"
                            f".dataset.count === '{len(iran)}'")
    assert _drawn(frame) == []
    assert not _checked(frame, "Explosions/Remote violence")
    # back to everything: the types switched off (even one that left the view) stay off
    sidebar.get_by_text("Reset filters", exact=True).first.click()
    frame.wait_for_function(f"() => document.querySelector('.im-summary-count')"
                            f".dataset.count === '{len(features)}'")
    assert _drawn(frame, len(rest)) == rest
    assert not _checked(frame, "Protests") and not _checked(frame, "Location uncertainty")
    assert _checked(frame, "Escalation chain")
    assert frame.evaluate(
        "() => { for (const k of Object.keys(window)) { const v = window[k];"
        " if (v && window.L && v instanceof L.Map && v._imCanvas) return v._imCanvas.flags; } }"
    ) == {"uncertainty": 0, "chain": 1, "cluster": 0}
    # and back on
    _switch(frame, "Explosions/Remote violence")
    _switch(frame, "Protests")
    assert _drawn(frame, len(features)) == sorted(f["id"] for f in features)
    assert page.errors == []


def _summary_count(frame, n):
    frame.wait_for_function(f"() => document.querySelector('.im-summary-count')"
                            f".dataset.count === '{n}'")


def _shown_count(p, n, timeout=60):
    """Wait until the map (whichever frame holds it now) shows n incidents."""
    deadline = time.time() + timeout
    count = None
    while time.time() < deadline:
        try:
            count = _map_frame(p).evaluate(
                "() => document.querySelector('.im-summary-count').dataset.count")
            if count == str(n):
                return
        except Exception:  # the map's frame was replaced while we read it
            pass
        p.wait_for_timeout(250)
    raise AssertionError(f"the map shows {count} incidents, not {n}")


def test_typing_an_actor_and_enter_picks_that_actor_alone(server, page):
    p = page.page
    p.goto(server + "/")
    frame = _map_frame(p)
    sidebar = p.locator('[data-testid="stSidebar"]')
    box = sidebar.locator('[data-testid="stMultiSelect"] input').first
    box.click()
    box.fill("Iran")
    p.keyboard.press("Enter")
    p.keyboard.press("Escape")
    chosen = sidebar.locator('[data-testid="stMultiSelect"]').first.locator(
        '[aria-label="Selected values"] [data-tag]')
    chosen.first.wait_for()
    assert chosen.all_inner_texts() == ["Iran"]
    features = [f["properties"] for f in _features()]
    _summary_count(frame, sum("Iran" in (f["actor"], f.get("target")) for f in features))


@pytest.mark.parametrize("case", ["not json", "empty", "all invalid"])
def test_an_upload_that_cannot_be_read_keeps_the_current_view(server, page, tmp_path, case):
    name, text = {
        "not json": ("notes.geojson", "this is not JSON"),
        "empty": ("empty.geojson", ""),
        "all invalid": ("bad.geojson", json.dumps(feature_collection(
            [make_feature(0, date="2020-02-30")]))),
    }[case]
    path = Path(tmp_path) / name
    path.write_text(text)
    p = page.page
    p.goto(server + "/?actor=Iran")
    frame = _map_frame(p)
    features = [f["properties"] for f in _features()]
    iran = sum("Iran" in (f["actor"], f.get("target")) for f in features)
    _summary_count(frame, iran)
    frame.evaluate("() => { window.__before_upload = true; }")
    p.locator('input[type="file"]').set_input_files(str(path))
    alert = p.get_by_text("Your file could not be used").first
    alert.wait_for(timeout=30_000)
    text = alert.inner_text()
    assert f"still shows incidents.geojson: {name}: " in text and "/tmp" not in text
    assert "\n" not in text.strip()
    _shown_count(p, iran)
    assert p.get_by_text("Incidents shown").count() == 1
    # the very same map: not redrawn from scratch (its zoom and layer choices stay)
    assert _map_frame(p).evaluate("() => window.__before_upload === true")


# ---------------------------------------------------------------- what a person sees


_MAP = 'iframe[title="mapapp.serving.map"]'
_DETAIL = ".st-key-detail"


def _props(incident_id):
    return next(f["properties"] for f in _features() if f["properties"]["id"] == incident_id)


def _detail_shows(p, incident_id, timeout=30_000):
    """Wait until the detail panel and the page's link show this incident."""
    p.locator(_DETAIL).get_by_text(_props(incident_id)["title"], exact=True).first.wait_for(
        timeout=timeout)
    p.wait_for_function("id => new URLSearchParams(location.search).get('id') === id",
                        arg=incident_id, timeout=timeout)


def _scrolled(p) -> float:
    """How far the page is scrolled down (Streamlit scrolls its main section, not the window)."""
    return p.evaluate("() => window.scrollY"
                      " + (document.querySelector('[data-testid=\"stMain\"]') || {}).scrollTop")


def test_on_a_laptop_screen_the_map_fills_most_of_the_first_view(server, page):
    p = page.page
    p.set_viewport_size({"width": 1280, "height": 720})
    p.goto(server + "/")
    _map_frame(p)
    box = p.locator(_MAP).bounding_box()
    assert _scrolled(p) == 0
    above_fold = min(box["y"] + box["height"], 720) - max(box["y"], 0)
    assert above_fold >= 550, box
    assert box["width"] >= 550, box
    # the figures are in that first view too, above the map
    metric = p.get_by_text("Incidents shown").first.bounding_box()
    assert metric["y"] + metric["height"] <= box["y"]


def test_stepping_along_linked_incidents_keeps_the_page_still(server, page):
    p = page.page
    p.set_viewport_size({"width": 1280, "height": 720})
    start = "2019-12-29-us-airstrikes-kataib-hezbollah-iraq"
    p.goto(server + f"/?id={start}")
    _map_frame(p)
    _detail_shows(p, start)
    # the linked incidents' buttons sit beside the map, in the first view
    step = _props("2019-12-27-k1-air-base-rocket-attack")
    button = p.locator(_DETAIL).get_by_role("button", name=f"response to: {step['title']}")
    map_box = p.locator(_MAP).bounding_box()
    box = button.bounding_box()
    assert box["x"] >= map_box["x"] + map_box["width"]
    assert map_box["y"] <= box["y"] and box["y"] + box["height"] <= 720
    p.mouse.move(map_box["x"] - 20, 300)  # (beside the map, over the page)
    p.mouse.wheel(0, 120)  # a person has scrolled a little
    deadline = time.time() + 10
    while _scrolled(p) == 0 and time.time() < deadline:
        p.wait_for_timeout(100)
    before = _scrolled(p)
    assert before > 0
    button.click()
    _detail_shows(p, step["id"])
    p.wait_for_timeout(500)  # (let any late layout settle before measuring)
    assert _scrolled(p) == before
    top = p.locator(_DETAIL).bounding_box()["y"]
    assert 0 <= top < 720
    assert page.errors == []


_POPUP_SETTLED = """(title) => {
  const pop = document.querySelector('.leaflet-popup');
  if (!pop || !pop.textContent.includes(title)) { window.__popupAt = null; return false; }
  const r = pop.getBoundingClientRect(), at = [r.left, r.top, r.width, r.height].join();
  const still = window.__popupAt === at;
  window.__popupAt = at;
  return still;
}"""


def test_a_link_to_an_incident_opens_its_popup_whole_inside_the_map(server, page):
    # (the map is moved to the chosen incident as the page says, its popup opened with its
    # details; a zoom still animating as the popup opened once left it cut off at the top)
    p = page.page
    p.set_viewport_size({"width": 1400, "height": 900})
    chosen = _props("2020-01-03-baghdad-airport-drone-strike")
    p.goto(server + f"/?id={chosen['id']}")
    frame = _map_frame(p)
    frame.wait_for_function(_POPUP_SETTLED, arg=chosen["title"], polling=250, timeout=30_000)
    popup = frame.locator(".leaflet-popup").bounding_box()  # (page coordinates)
    map_box = p.locator(_MAP).bounding_box()
    assert popup["height"] > 150  # (its details, not the one line it starts with)
    bottom, right = map_box["y"] + map_box["height"], map_box["x"] + map_box["width"]
    assert map_box["y"] <= popup["y"] and popup["y"] + popup["height"] <= bottom
    assert map_box["x"] <= popup["x"] and popup["x"] + popup["width"] <= right
    close = frame.locator(".leaflet-popup-close-button").bounding_box()
    x, y = close["x"] + close["width"] / 2, close["y"] + close["height"] / 2
    assert p.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y]) == "IFRAME"
    frame.locator(".leaflet-popup-close-button").click()  # (a person can close it)
    frame.wait_for_selector(".leaflet-popup", state="detached")
    assert page.errors == []


def test_a_link_recorded_on_both_incidents_is_one_button(server, page):
    p = page.page
    p.goto(server + "/?id=2019-09-14-abqaiq-attack")
    _map_frame(p)
    _detail_shows(p, "2019-09-14-abqaiq-attack")
    khurais = _props("2019-09-14-khurais-attack")["title"]
    buttons = p.locator(_DETAIL).get_by_role("button")
    buttons.first.wait_for()
    labels = buttons.all_inner_texts()
    assert [label for label in labels if khurais in label] == [f"↔ same attack: {khurais}"]


def test_a_table_row_selects_its_incident_and_keeps_it_across_reruns(server, page):
    p = page.page
    p.goto(server + "/")
    _map_frame(p)
    grid = p.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    newest = sorted((f["properties"] for f in _features()), key=lambda q: q["id"])
    newest = sorted(newest, key=lambda q: q["date"], reverse=True)
    box = grid.bounding_box()
    before = _scrolled(p)
    # a click on the third row's selection box (rows are 35 px under a 35 px header)
    p.mouse.click(box["x"] + 15, box["y"] + 35 + 35 * 2 + 17)
    chosen = newest[2]["id"]
    _detail_shows(p, chosen)
    assert _scrolled(p) == before  # (no jump)
    # another order puts another incident on that row: the chosen one stays selected
    p.get_by_text("oldest first", exact=True).click()
    oldest = sorted(newest, key=lambda q: (q["date"], q["id"]))
    assert oldest[2]["id"] != chosen
    p.wait_for_timeout(1500)  # (the rerun the order change makes)
    _detail_shows(p, chosen)
    assert page.errors == []


_EVIL = "evil.example"
_LINK = f"[Session expired, sign in](https://{_EVIL}/login)"
_IMAGE = f"![logo](https://{_EVIL}/pixel.png)"
_FILE = f"[Sign in]({_EVIL}).geojson"  # (a file name holds no slash)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The page on a dataset whose titles, relations and actors are Markdown links and images."""
    features = [
        make_feature(0, title=_LINK, actor=f"[Nobody](https://{_EVIL}/a)",
                     related=[{"id": "inc-1", "relation": _IMAGE}]),
        make_feature(1, title=_IMAGE, related=[{"id": "inc-0", "relation": "follows"}]),
    ]
    path = tmp_path_factory.mktemp("hostile") / _FILE
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    yield from _serve(tmp_path_factory, env={"MAPAPP_DATA": str(path)})


def _nothing_from_data(p):
    """No link to, and no image from, the hostile host anywhere on the page."""
    assert p.locator(f'a[href*="{_EVIL}"]').count() == 0
    assert p.locator(f'img[src*="{_EVIL}"]').count() == 0


def _seen(p) -> str:
    """The page's text as a person reads it (invisible word joiners left out)."""
    return p.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")


def test_text_from_data_and_links_renders_as_text(hostile_server, page):
    p = page.page
    nobody = f"[Nobody](https://{_EVIL}/a)"
    # the actor never was a target: nothing to show, and the warning names the actor
    query = (f"?id=inc-0&role=target&actor={_quote(nobody)}&{_quote(_IMAGE)}=1"
             f"&next={_quote(_LINK)}")
    p.goto(hostile_server + "/" + query)
    _map_frame(p)
    p.get_by_text("Nothing to show").first.wait_for(timeout=30_000)
    p.locator(_DETAIL).get_by_role("button").first.wait_for()
    seen = _seen(p)
    # the incident's title, its linked incident's button, the link's notes, the
    # actor in the warning and the file's name: all there, as text
    assert f"Incident\n\n{_LINK}\n" in seen
    assert f"→ {_IMAGE}: {_IMAGE}" in seen
    assert f"ignored unknown parameter '{_IMAGE}'" in seen
    assert "ignored unknown parameter 'next'" in seen
    assert "Nothing to show" in seen and nobody in seen.split("Nothing to show")[1]
    assert f"{_FILE}: who did what" in seen
    _nothing_from_data(p)
    assert not any(_EVIL in url for url in page.blocked)
    assert page.errors == []


def _quote(text):
    from urllib.parse import quote

    return quote(text, safe="")


def _raw_run(url: str) -> list[tuple[str, str]]:
    """One websocket session by hand: run the page, then send the role radio the number 3.

    What a client that speaks Streamlit's protocol itself can send (no browser
    does). Returns the second run's elements as (type, every text it carries).
    """
    import asyncio

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    async def run(ws, radio_id=None):
        msg = BackMsg()
        msg.rerun_script.query_string = "actor=Iran"
        if radio_id is not None:
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = radio_id
            widget.int_value = 3
        await ws.send(msg.SerializeToString())
        seen, radio = [], None
        while True:
            fm = ForwardMsg()
            fm.ParseFromString(await ws.recv())
            if fm.WhichOneof("type") == "script_finished":
                return seen, radio
            if fm.WhichOneof("type") == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                if el.WhichOneof("type") == "radio" and el.radio.label == "Actor's role":
                    radio = el.radio.id
                seen.append((el.WhichOneof("type"), str(el)))

    async def main():
        async with connect(url.replace("http", "ws", 1) + "/_stcore/stream",
                           subprotocols=["streamlit"], max_size=None) as ws:
            await asyncio.wait_for(run(ws), 120)  # (the first run: the map, no filters yet)
            _, radio = await asyncio.wait_for(run(ws), 120)
            assert radio is not None
            seen, _ = await asyncio.wait_for(run(ws, radio), 120)
            return seen

    # in a thread of its own: the browser tests' Playwright holds this thread's event loop
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(main())).result()


def test_a_raw_client_sending_a_widget_a_wrong_value_sees_no_traceback(server):
    """The page runs with ``client.showErrorDetails = "type"`` (.streamlit/config.toml)."""
    seen = _raw_run(server)
    assert seen  # the run answered
    for kind, text in seen:
        assert str(ROOT) not in text and "Traceback" not in text and ".py" not in text, kind
        if kind == "exception":
            assert "stack_trace" not in text
