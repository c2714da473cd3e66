"""The exported map's first draw, ours against a git revision's (main), in Chromium.

Issue 15: "Export of a million: ... drawn in 3 s". Builds the export of the
same GeoParquet file with this tree's code and with ``--before``'s (``git
archive``, as ``bench_export_million.py`` does), then opens them in turn,
``--repeats`` times each, alternated (the machine's load moves), in a fresh
headless Chromium each time, every request but ``file:`` and ``blob:``
blocked. Per opening:

- ``drawn``: navigation start to the summary's ``data-state="drawn"``;
- ``busy``: the page's main thread busy (any task) until then (CDP
  ``Performance.getMetrics`` ``TaskDuration``, read right after);
- ``script``, ``gc``, ``native``: the main thread's seconds of JavaScript,
  garbage collection and the browser's own work (``(program)``: the HTML
  parser, inflating) in a CPU profile started before the navigation.

With ``--page``, the page's map too: each tree's draw files
(``mapdata.draw_files``; ``draw_file_bytes`` in a tree from before them)
served from 127.0.0.1 to the export's page
stripped of its data (the same scripts, basemap and options; the layer's
``url`` the served file, as the page's map frame gets it): ``drawn`` and
``after``, from the draw file's last byte (Resource Timing ``responseEnd``)
to drawn: its gunzip, parse and the draw.

Medians are reported, with before / ours ratios. Usage::

    .venv/bin/python benchmarks/bench_first_draw.py --data /tmp/bench-open \\
        --sizes 100000,1000000 --before main --repeats 5 --page
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export_million import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    _load,
    build,
    main_tree,
)

_HOOK = """
window.__drawnAt = null;
new MutationObserver(() => {
  const el = document.querySelector('.im-summary-count[data-state="drawn"]');
  if (el && window.__drawnAt === null) window.__drawnAt = performance.now();
}).observe(document, {subtree: true, attributes: true, childList: true});
"""
_OTHER = {"(idle)", "(program)", "(garbage collector)", "(root)"}


def _profile_seconds(profile: dict) -> dict:
    """Seconds of script, GC and the browser's own work in a CPU profile."""
    name = {n["id"]: n["callFrame"]["functionName"] for n in profile["nodes"]}
    out = {"script": 0.0, "gc": 0.0, "native": 0.0}
    for sample, dt in zip(profile["samples"], profile["timeDeltas"], strict=True):
        f = name.get(sample)
        key = ("gc" if f == "(garbage collector)" else "native" if f == "(program)"
               else None if f in _OTHER else "script")
        if key:
            out[key] += dt / 1e6
    return out


def open_once(pw, path: Path, blank: Path) -> dict:
    """One opening of an export: drawn, main thread busy, profile seconds, count."""
    with _browser(pw, ("file:", "blob:")) as (context, page):
        page.goto(blank.as_uri())  # (the profiler starts in this renderer)
        page.add_init_script(_HOOK)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        cdp.send("Profiler.start")
        page.goto(path.as_uri(), wait_until="commit", timeout=120_000)
        page.wait_for_function("() => window.__drawnAt !== null", timeout=120_000, polling=20)
        drawn = page.evaluate("window.__drawnAt") / 1000
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        profile = cdp.send("Profiler.stop")["profile"]
        count = int(page.get_attribute(".im-summary-count", "data-count"))
        return {"drawn": drawn, "busy": metrics.get("TaskDuration", 0.0), "count": count,
                **_profile_seconds(profile)}


@contextlib.contextmanager
def _browser(pw, allowed: tuple[str, ...]):
    """A fresh Chromium profile's context and page; requests other than to ``allowed`` fail."""
    context = pw.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="bench-chromium-"), executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_()
                   if r.request.url.startswith(allowed) else r.abort())
        yield context, page
    finally:
        context.close()


_DRAW_FILE = r"""
import pathlib, sys
import geodata
from mapapp import mapdata
gdf = geodata.load(sys.argv[1]).gdf
folder = pathlib.Path(sys.argv[2])
folder.mkdir(exist_ok=True)
if hasattr(mapdata, "draw_files"):  # (the draw file and its ids apart)
    for name, data in mapdata.draw_files(gdf):
        (folder / name).write_bytes(data)
else:  # (a tree from before them: one gzip'd JSON)
    (folder / mapdata.DRAW_FILE).write_bytes(mapdata.draw_file_bytes(gdf))
print(mapdata.DRAW_FILE)
"""


def page_variant(export: Path, folder: Path, case: str, parquet: Path, tree: Path | None) -> Path:
    """The export's page without its data, drawing from the draw files in folder ``case``."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(tree or ROOT))
    name = subprocess.run([sys.executable, "-c", _DRAW_FILE, str(parquet), str(folder / case)],
                          check=True, env=env, cwd=tempfile.gettempdir(), capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    page = export.read_text(encoding="utf-8")
    page = re.sub(r'<script type="application/octet-stream" id="[^"]+">[^<]*</script>\n?', "", page)
    page = re.sub(r"<script>if \(window.IncidentMap && IncidentMap.readEarly\)[^<]*</script>", "",
                  page)
    page, k = re.subn(r'\{"url":"#incident-data-[0-9a-f]+","props_url":"#[^"]+"',
                      '{"url":"/' + case + '/' + name + '","props_url":null', page)
    if k != 1:
        raise RuntimeError("the export's layer was not found")
    out = folder / f"page-{case}.html"
    out.write_text(page, encoding="utf-8")
    return out


def open_page(pw, url: str, name: str) -> dict:
    """One opening of a page variant: drawn, and drawn after the last byte of its draw files.

    ``name``: what the draw files' URLs hold (their folder).
    """
    with _browser(pw, ("http://127.0.0.1:",)) as (context, page):
        page.add_init_script(_HOOK)
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url, wait_until="commit", timeout=120_000)
        page.wait_for_function("() => window.__drawnAt !== null", timeout=120_000, polling=20)
        drawn = page.evaluate("window.__drawnAt")
        end = page.evaluate("(n) => Math.max(...performance.getEntriesByType('resource')"
                            ".filter(e => e.name.includes(n)).map(e => e.responseEnd))", name)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {"drawn": drawn / 1000, "after": (drawn - end) / 1000,
                "busy": metrics.get("TaskDuration", 0.0)}


def run_pages(pw, n: int, folder: Path, repeats: int) -> list[dict]:
    """The page variants of ``folder`` opened alternately, served from 127.0.0.1."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    got: dict[str, list[dict]] = {"ours": [], "before": []}
    try:
        for _ in range(repeats):
            for case in got:
                got[case].append(open_page(pw, f"{base}/page-{case}.html", f"/{case}/"))
    finally:
        server.shutdown()
    rows = []
    for case, runs in got.items():
        size = sum(f.stat().st_size for f in (folder / case).iterdir()) / 1e6
        row = {"n": n, "case": "page " + case, "draw_file_mb": size, "runs": runs,
               "load": _load()}
        for key in ("drawn", "after", "busy"):
            row[key] = statistics.median(r[key] for r in runs)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # (no line per request)
        pass


def run(data: Path, sizes: list[int], before: str, repeats: int,
        pages: bool = False) -> list[dict]:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-first-draw-"))
    blank = work / "blank.html"
    blank.write_text("<!DOCTYPE html><title>blank</title>")
    src = {"ours": None, "before": main_tree(before)}
    rows = []
    with sync_playwright() as pw:
        for n in sizes:
            parquet = data / f"incidents-{n}.parquet"
            files = {}
            for case, tree in src.items():
                out = work / f"{case}-{n}.html"
                built = build("main" if tree else "ours", parquet, out, tree or Path("."))
                files[case] = out
                print(json.dumps({"n": n, "case": case, **built}), flush=True)
            got: dict[str, list[dict]] = {case: [] for case in files}
            for _ in range(repeats):
                for case, out in files.items():
                    got[case].append(open_once(pw, out, blank))
            if pages:
                for case, out in files.items():
                    page_variant(out, work, case, parquet, src[case])
                rows += run_pages(pw, n, work, repeats)
            for case, out in files.items():
                runs = got[case]
                row = {"n": n, "case": case, "size_mb": out.stat().st_size / 1e6,
                       "runs": runs, "load": _load()}
                for key in ("drawn", "busy", "script", "gc", "native"):
                    row[key] = statistics.median(r[key] for r in runs)
                row["drawn_min"] = min(r["drawn"] for r in runs)
                rows.append(row)
                print(json.dumps(row), flush=True)
                out.unlink()
    return rows


def report(rows: list[dict], before: str) -> None:
    pages = [r for r in rows if r["case"].startswith("page ")]
    rows = [r for r in rows if not r["case"].startswith("page ")]
    if pages:
        print("\n| incidents | the page's map | draw file | drawn | after the file arrived | "
              "main thread busy |")
        print("|---:|---|---:|---:|---:|---:|")
        for r in pages:
            case = f"before ({before})" if r["case"] == "page before" else "ours"
            print(f"| {r['n']:,} | {case} | {r['draw_file_mb']:.1f} MB | {r['drawn']:.2f} s | "
                  f"{r['after']:.2f} s | {r['busy']:.2f} s |")
        for n in sorted({r["n"] for r in pages}):
            ours = next(r for r in pages if r["n"] == n and r["case"] == "page ours")
            old = next(r for r in pages if r["n"] == n and r["case"] == "page before")
            print(f"{n:,}: page, before / ours: drawn {old['drawn'] / ours['drawn']:.2f}x, after "
                  f"the file {old['after'] / ours['after']:.2f}x, draw file "
                  f"{old['draw_file_mb'] / ours['draw_file_mb']:.2f}x")
    print("\n| incidents | case | size | drawn (median) | drawn (min) | main thread busy | "
          "script | GC | browser's own |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        case = f"before ({before})" if r["case"] == "before" else "ours"
        print(f"| {r['n']:,} | {case} | {r['size_mb']:.1f} MB | {r['drawn']:.2f} s | "
              f"{r['drawn_min']:.2f} s | {r['busy']:.2f} s | {r['script']:.2f} s | "
              f"{r['gc']:.2f} s | {r['native']:.2f} s |")
    for n in sorted({r["n"] for r in rows}):
        ours = next(r for r in rows if r["n"] == n and r["case"] == "ours")
        old = next(r for r in rows if r["n"] == n and r["case"] == "before")
        print(f"{n:,}: before / ours: drawn {old['drawn'] / ours['drawn']:.2f}x, main thread "
              f"{old['busy'] / ours['busy']:.2f}x, script {old['script'] / ours['script']:.2f}x, "
              f"size {old['size_mb'] / ours['size_mb']:.3f}x")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/tmp/bench-open"),
                    help="folder of incidents-N.parquet")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--before", default="main", help="the git revision to compare with")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--page", action="store_true",
                    help="the page's map from its draw file too")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    print(f"load average at start: {_load()}", flush=True)
    t0 = time.perf_counter()
    rows = run(args.data, [int(s) for s in args.sizes.split(",")], args.before, args.repeats,
               args.page)
    report(rows, args.before)
    print(f"load average at end: {_load()} ({time.perf_counter() - t0:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
