"""The page's open as a request timeline: when the map's frame, the draw file and the draw come.

One fresh ``streamlit run`` of a checkout's page on one data file, one headless
Chromium page (every non-loopback request blocked); prints, in seconds from
opening, the map frame asked, the draw file asked and got, and every incident
drawn (``--count``: how many). Waits in the page (``wait_for_function``), or
with ``--poll`` as ``bench_page.py`` does (a ``frame.evaluate`` every 15 ms).
Run it for two checkouts one after the other, several times, either order:

    python benchmarks/page_timeline.py /tmp/before /tmp/bench-open/incidents-100000.parquet
    python benchmarks/page_timeline.py . /tmp/bench-open/incidents-100000.parquet --poll
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_page import CHROMIUM_ARGS, is_local_url, start, wait_count  # noqa: E402
from load_clients import is_map_frame_url  # noqa: E402

from mapapp.contract import DRAW_FILE  # noqa: E402

DRAWN = """n => [...document.querySelectorAll('iframe')].some(f => {
  try {
    const e = f.contentDocument.querySelector('.im-summary-count[data-state="drawn"]');
    return e && e.dataset.count === String(n);
  } catch (x) { return false; }
})"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkout", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--poll", action="store_true", help="wait as bench_page.py does")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    proc, url = start(args.checkout / "mapapp" / "app.py", args.data, cwd=args.checkout)
    stages: dict[str, float] = {}
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                tempfile.mkdtemp(), executable_path="/usr/bin/chromium", headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 1400})
            page = ctx.new_page()
            page.route("**/*", lambda r: r.continue_() if is_local_url(r.request.url)
                       else r.abort())
            t0 = time.perf_counter()

            def mark(name: str, hit: bool) -> None:
                if hit and name not in stages:
                    stages[name] = round(time.perf_counter() - t0, 2)

            answered: set[str] = set()
            page.on("request", lambda r: (
                mark("map frame asked", is_map_frame_url(r.url) and "/index.html" in r.url),
                mark("draw file asked", "/" + DRAW_FILE in r.url)))
            page.on("response", lambda r: r.status == 200 and answered.add(r.url))
            page.on("requestfinished", lambda r: mark(
                "draw file got", "/" + DRAW_FILE in r.url and r.url in answered))
            page.goto(url + "/")
            if args.poll:
                wait_count(page, "ours", args.count, t0)
            else:
                page.wait_for_function(DRAWN, arg=args.count, timeout=120_000)
            mark("drawn", True)
            ctx.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(" ".join(f"{k} {v:.2f}" for k, v in stages.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
