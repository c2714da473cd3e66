"""Take the README's screenshots with the project itself (``docs/screenshots/``).

Two pictures, both of the built-in dataset, both with the network cut off
(only loopback requests go through, so basemap tiles fail as they would
offline):

* ``page.png``: the Streamlit page as ``mapapp serve`` shows it, on a free
  loopback port, 1400x900, once the map has drawn its incidents
  (``[data-state="drawn"]``), with one incident of the escalation chosen
  (``?id=``) so that the detail panel beside the map is filled and its ring
  is on the map; its popup closed and the map zoomed to the region from the
  Levant to the Gulf of Oman, as a person would, so that the map shows it.
* ``export-offline.png``: the standalone map ``mapapp export`` writes, opened
  from disk, 1400x900: country outlines, place names, incidents, legend.

Run from the checkout (Debian's Chromium and the Playwright package needed;
never ``playwright install``)::

    .venv/bin/python tools/make_screenshots.py

Both pictures are reduced to a palette (and checked to stay under 400 KB)
and written atomically.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.io import atomic_write  # noqa: E402
from mapapp.serving import MAP_FRAME_PATH  # noqa: E402 (the page's map frame)

OUT = ROOT / "docs" / "screenshots"
SIZE = {"width": 1400, "height": 900}
#: The incident chosen on the page (the strike at Baghdad airport).
CHOSEN = "2020-01-03-baghdad-airport-drone-strike"
MAX_BYTES = 400_000
_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: True once a Leaflet map in the document shows its incidents and has stopped moving.
_DRAWN_AND_STILL = """() => {
  const count = document.querySelector('.im-summary-count');
  if (!count || count.dataset.state !== 'drawn') return false;
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) {
      const key = JSON.stringify([v.getCenter(), v.getZoom(), IncidentMap.drawn(v)]);
      const still = !v._animatingZoom && !(v._panAnim && v._panAnim._inProgress)
        && window.__shotLastView === key;
      window.__shotLastView = key;
      return still;
    }
  }
  return false;
}"""

#: Show the escalation's region (the Levant to the Gulf of Oman), as a person would zoom.
_REGION = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) {
      v.fitBounds([[23.5, 34.5], [37.5, 57.5]], {animate: false});
      return v.getZoom();
    }
  }
  return null;
}"""

#: True once Streamlit has finished its run (no "Running..." widget, no skeleton).
_PAGE_SETTLED = """() => !document.querySelector('[data-testid="stStatusWidget"]')
  && !document.querySelector('[data-testid="stSkeleton"]')
  && document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas,'
                               + ' [data-testid="stVegaLiteChart"] svg').length > 0"""


def _local(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return (parts.hostname or "") in ("127.0.0.1", "localhost", "::1")


def _offline(page) -> list[str]:
    """Block every request that leaves the machine; returns the list of blocked URLs."""
    blocked: list[str] = []

    def route(r):
        if _local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return blocked


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_health(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mapapp serve stopped (exit code {proc.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"mapapp serve did not answer on {url}")


def _map_frame(page, timeout: float = 90):
    """The page's map frame, once its incidents are drawn and it has stopped moving."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if MAP_FRAME_PATH in frame.url:
                try:
                    frame.wait_for_function(_DRAWN_AND_STILL, timeout=5_000, polling=150)
                    return frame
                except Exception:  # noqa: S110 (the frame is still loading, or was replaced)
                    pass
        page.wait_for_timeout(250)
    raise SystemExit("the page's map did not draw")


def _small_png(png: bytes) -> bytes:
    """The picture with a palette of at most 256 colours, optimised (a few hundred KB)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    reduced = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    reduced.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _save(png: bytes, path: Path) -> None:
    data = _small_png(png)
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{path}: {len(data):,} bytes, more than {MAX_BYTES:,}")

    def write(tmp: str) -> None:
        Path(tmp).write_bytes(data)

    atomic_write(path, write)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
          f"{len(data) / 1000:.0f} KB")


def shoot_page(browser, out: Path, env: dict) -> None:
    """``page.png``: the page through ``mapapp serve``, one incident chosen."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "mapapp.cli", "serve", "--headless", "--port", str(port)]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_for_health(url, proc)
            page = browser.new_page(viewport=SIZE)
            _offline(page)
            page.goto(f"{url}/?id={CHOSEN}")
            _map_frame(page)
            page.wait_for_function(_PAGE_SETTLED, timeout=60_000, polling=200)
            page.locator(".st-key-detail").get_by_text("Attribution").first.wait_for()
            page.evaluate("document.fonts.ready")
            frame = _map_frame(page)  # (the chosen incident's popup is open, the map settled)
            # its card is beside the map already: the popup goes, the map shows the region
            frame.locator(".leaflet-popup-close-button").first.click()
            frame.wait_for_selector(".leaflet-popup", state="detached")
            frame.evaluate(_REGION)
            _map_frame(page)
            _save(page.screenshot(), out / "page.png")
            page.close()
        finally:
            proc.terminate()  # (mapapp serve passes it on to Streamlit)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def shoot_export(browser, out: Path, env: dict, work: Path) -> None:
    """``export-offline.png``: the exported map opened from disk with no network."""
    html = work / "map.html"
    subprocess.run([sys.executable, "-m", "mapapp.cli", "export", str(ROOT / "incidents.geojson"),
                    "-o", str(html)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    page = browser.new_page(viewport=SIZE)
    blocked = _offline(page)
    page.goto(html.as_uri())
    page.wait_for_function(_DRAWN_AND_STILL, timeout=60_000, polling=150)
    page.evaluate("document.fonts.ready")
    if not page.locator(".im-labels .im-label").count():
        raise SystemExit("the exported map shows no place name")
    _save(page.screenshot(), out / "export-offline.png")
    page.close()
    print(f"  ({len(blocked)} requests outside the machine blocked, basemap tiles)")


def main(argv=None) -> int:
    """Write both screenshots; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default docs/screenshots)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args(argv)
    if not Path(args.chromium).exists():
        parser.error(f"no browser at {args.chromium} (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        work = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "INCIDENT_MAP_CACHE": str(work / "cache")}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=_ARGS)
            try:
                shoot_page(browser, args.out, env)
                shoot_export(browser, args.out, env, work)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
