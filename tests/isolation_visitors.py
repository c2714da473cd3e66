"""Two visitors in two browser contexts (run by tests/test_isolation.py as a script).

It needs a Playwright of its own (the test session's persistent browser
cannot open a second context), so it runs in its own process and prints
what it saw as JSON. The network is blocked: only the local server answers.

Usage: python isolation_visitors.py URL UPLOAD_DIR LAST_ID LAST_TITLE
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mapapp.mapdata import DRAW_FILE  # noqa: E402
from mapapp.serving import MAP_FRAME_PATH, SWEEP_EVERY  # noqa: E402 (the page's map frame)

DATA = "/component/mapapp.serving.data/"
COUNT = """() => { const e = document.querySelector('.im-summary-count');
  return e && e.dataset.state !== 'loading' ? e.dataset.count : null; }"""


OPEN = """id => { for (const k of Object.keys(window)) { const v = window[k];
  if (v && window.L && v instanceof L.Map) { IncidentMap.openIncident(v, id); return; } } }"""


def _block(route):
    if route.request.url.startswith(("http://127.0.0.1", "http://localhost")):
        route.continue_()
    else:
        route.abort()


def _visitor(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    context.route("**/*", _block)
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if DATA in r.url else None)
    return context, page, seen


def _wait_count(page, count: str, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            if MAP_FRAME_PATH not in frame.url:
                continue
            try:
                if frame.evaluate(COUNT) == count:
                    return frame
            except Exception:  # (the frame is still loading)
                pass
        page.wait_for_timeout(250)
    raise AssertionError(f"the map did not show {count} incidents")


def _draw_urls(seen):
    return [u for u in seen if u.endswith("/" + DRAW_FILE)]


def main(url: str, uploads: Path, last_id: str, last_title: str) -> dict:
    out: dict = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox"])
        ctx_b, page_b, seen_b = _visitor(browser)
        page_b.goto(url + "/")
        frame_b = _wait_count(page_b, "5000")
        out["b_draw"] = _draw_urls(seen_b)[-1]

        ctx_a, page_a, seen_a = _visitor(browser)
        page_a.goto(url + "/")
        _wait_count(page_a, "5000")
        out["a_served_draw"] = _draw_urls(seen_a)[-1]
        out["a_uploads"] = []
        for path in sorted(uploads.glob("upload-*.geojson")):
            n = len(json.loads(path.read_text())["features"])
            page_a.locator('input[type="file"]').set_input_files(str(path))
            _wait_count(page_a, str(n))
            out["a_uploads"].append(_draw_urls(seen_a)[-1])

        # B, after A's ten uploads: its files are all there, its popups load
        out["b_status_after"] = ctx_b.request.get(out["b_draw"]).status
        seen_b.clear()
        frame_b.evaluate(OPEN, last_id)
        frame_b.wait_for_selector(f'.leaflet-popup-content :text("{last_title}")', timeout=30_000)
        out["b_popup_fetched"] = [u for u in seen_b if "/props/" in u]
        foreign = ctx_b.request.get(out["b_draw"], headers={"Origin": "http://evil.example"})
        out["b_cors_header"] = foreign.headers.get("access-control-allow-origin")
        # what B could try for A's upload: the content-derived names of old, the dataset folders
        key = re.search(r"/s/([^/]+)/", out["a_uploads"][-1]).group(1)
        guesses = [url + "/app/static/data/incidents-" + key + ".draw.json",
                   url + DATA + DRAW_FILE, url + DATA + "s/" + key[:-1] + "A/" + DRAW_FILE]
        out["guesses"] = []
        for guess in guesses:
            response = ctx_b.request.get(guess)
            out["guesses"].append([response.status, b"mine-" in response.body()])
        out["a_status_while_a_is_there"] = ctx_a.request.get(out["a_uploads"][-1]).status

        # A leaves; once Streamlit lets its session go, A's links go too
        ctx_a.close()
        page_b.wait_for_timeout(4000)
        page_b.reload()
        _wait_count(page_b, "5000")
        # (the links of a session gone longer than the grace go at the next sweep: a
        # session's run or the sweeper's, every serving.SWEEP_EVERY seconds)
        deadline = time.time() + 3 * SWEEP_EVERY
        while True:
            statuses = [ctx_b.request.get(u).status for u in out["a_uploads"]]
            if set(statuses) == {404} or time.time() > deadline:
                break
            page_b.wait_for_timeout(500)
        out["a_status_after_a_left"] = statuses
        out["a_served_status_after_a_left"] = ctx_b.request.get(out["a_served_draw"]).status
        out["b_draw_after_reload"] = _draw_urls(seen_b)[-1]
        out["b_status_after_reload"] = ctx_b.request.get(out["b_draw_after_reload"]).status
        ctx_b.close()
        browser.close()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3], sys.argv[4])))
