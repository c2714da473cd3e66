"""Benchmark the export at 100,000 and 1,000,000 incidents: ours, main's, lonboard's, pydeck's.

Issue 15's goals for ``mapapp export``: a million incidents built in 20 s, no
bigger than lonboard's file, drawn in 3 s, every incident's details readable;
at 100,000 no bigger and no slower to build than lonboard, drawn faster.

The incidents are ``bench_export.make_features``' (the project's schema),
written once as GeoParquet into ``--data``. Each build runs in a fresh
process that reads the file with ``geodata.load`` (timed apart: ``read``)
and then writes the HTML (``build``: wall and CPU, all threads):

- ``ours``: this tree's ``mapapp.export.export_html``;
- ``ours-zlib``: the same without the system's libdeflate
  (``INCIDENT_MAP_NO_LIBDEFLATE=1``: zlib deflates, as on a system without
  it); built and measured, not opened (the file holds the same data);
- ``main``: the same call with main's code (``git archive`` of ``--before``
  into a temporary folder): one gzip of every incident's properties, decoded
  all at once (the naive approach);
- ``lonboard``: ``lonboard.viz(gdf).to_html(path)`` of the same frame;
- ``pydeck``: a ``ScatterplotLayer`` of the points with the columns its
  tooltip shows (id, title, date, actor, event type), ``to_html(offline=True)``
  (the deck.gl bundle inlined; pydeck cannot carry nested values).

Then each file is opened in headless Chromium with every request blocked
except ``file:``: ``drawn`` is the time from navigation start until the
map's summary has ``data-state="drawn"`` (ours, main's), or until the
deck's canvas shows the points (pydeck: screenshots every ~0.1 s, so
rounded up by that much); ``popup`` the time from
``IncidentMap.openIncident`` of the incident in the middle until its popup
shows its details (ours, main's; 60 s at most), with the page's main thread
meanwhile: seconds of script (a CPU profile's samples) and seconds busy
with any task (``Performance.getMetrics``: script, layout, painting);
``details`` the time to decode the details alone (ours: one block not read
yet; main's: every incident's properties, which its map reads after the
first frame). lonboard's page loads
require.js and its widget manager from CDNs, so it never draws offline: its
build time and size are measured, its drawing is not.

Usage::

    .venv/bin/python benchmarks/bench_export_million.py --data /tmp/export-bench \\
        --sizes 100000,1000000 --json bench_export_million.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CASES = ("ours", "ours-zlib", "main", "lonboard", "pydeck")
TIMEOUT_S = 120.0

# One build in a fresh process: argv = case, data, output; prints JSON.
_BUILD = r"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
case, data, out = sys.argv[1:4]
import geodata
t0, c0 = time.perf_counter(), cpu()
gdf = geodata.load(data).gdf
t1, c1 = time.perf_counter(), cpu()
if case in ("ours", "ours-zlib", "main"):
    from mapapp.export import export_html
    export_html(gdf, out, basemap="outlines")
elif case == "lonboard":
    import lonboard
    lonboard.viz(gdf).to_html(out)
else:
    import pydeck
    df = gdf[["id", "title", "date", "actor", "event_type"]].astype(str)
    df["lon"], df["lat"] = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    layer = pydeck.Layer("ScatterplotLayer", data=df, get_position=["lon", "lat"],
                         get_radius=2000, get_fill_color=[200, 30, 0], pickable=True)
    deck = pydeck.Deck(layers=[layer], map_style=None, map_provider=None,
                       initial_view_state=pydeck.ViewState(latitude=31, longitude=47, zoom=4),
                       tooltip={"text": "{title} {date} {actor}"})
    deck.to_html(out, offline=True, open_browser=False, notebook_display=False)
t2, c2 = time.perf_counter(), cpu()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"read": t1 - t0, "read_cpu": c1 - c0, "build": t2 - t1,
                  "build_cpu": c2 - c1, "peak_mb": peak}))
"""

_DRAWN_HOOK = """
window.__drawnAt = null;
new MutationObserver(() => {
  const el = document.querySelector('.im-summary-count[data-state="drawn"]');
  if (el && window.__drawnAt === null) window.__drawnAt = performance.now();
}).observe(document, {subtree: true, attributes: true, childList: true});
"""

_POPUP = """async ([id, timeout]) => {
  let map = null;
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) map = v;
  }
  const t0 = performance.now();
  if (!IncidentMap.openIncident(map, id)) return null;
  while (performance.now() - t0 < timeout) {
    const el = document.querySelector('.leaflet-popup-content .im-popup');
    if (el && el.getAttribute('data-incident-id') === id
        && !el.textContent.includes('Loading the details')
        && el.querySelector('a.im-source-link')) {
      return performance.now() - t0;
    }
    await new Promise(ok => setTimeout(ok, 5));
  }
  return null;
}"""


# The details alone: one unread block decoded (ours), or every incident's
# properties decoded at once (main's), in ms; null if they never come.
_DETAILS = """async (timeout) => {
  let ds = null;
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map) {
      v.eachLayer(l => { if (l._imContext && l._imContext.ds) ds = l._imContext.ds; });
    }
  }
  const t0 = performance.now();
  const size = ds.blockSize();
  const late = new Promise(ok => setTimeout(() => ok('timeout'), timeout));
  if (size) {
    const b = Math.floor(ds.n / size / 3);
    await Promise.race([ds.loadBlock(b), late]);
    return ds.blocks[b] && ds.blocks[b].length ? performance.now() - t0 : null;
  }
  await Promise.race([ds.loadProps(), late]);
  return ds.props && ds.props.length === ds.n ? performance.now() - t0 : null;
}"""


def make_data(folder: Path, n: int) -> Path:
    """The GeoParquet file of ``n`` synthetic incidents (made once)."""
    path = folder / f"inc-{n}.parquet"
    if not path.is_file():
        from bench_export import make_features

        import geodata

        folder.mkdir(parents=True, exist_ok=True)
        geodata.write(geodata.frame_from_features(make_features(n)), path)
    return path


def main_tree(rev: str) -> Path:
    """main's ``geodata`` and ``mapapp`` (``git archive``) in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="bench-main-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "geodata", "mapapp"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def build(case: str, data: Path, out: Path, main_src: Path) -> dict:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=str(main_src if case == "main" else ROOT))
    if case == "ours-zlib":
        env["INCIDENT_MAP_NO_LIBDEFLATE"] = "1"
    run = subprocess.run([sys.executable, "-c", _BUILD, case, str(data), str(out)],
                         capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    if run.returncode:
        return {"error": run.stderr.strip().splitlines()[-1][:300]}
    row = json.loads(run.stdout.strip().splitlines()[-1])
    row["size_mb"] = out.stat().st_size / 1e6
    return row


def _has_points(png: bytes) -> bool:
    """Whether a screenshot shows drawn points (many pixels of the layer's red)."""
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    red = (img[..., 0] > 150) & (img[..., 1] < 90) & (img[..., 2] < 60)
    return int(red.sum()) > 200


def _busy(cdp) -> float:
    """Seconds the page's main thread was busy so far (any task: script, layout, painting)."""
    got = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return got.get("TaskDuration", 0.0)


def _script_seconds(profile: dict) -> float:
    """Seconds of JavaScript in a CPU profile (its samples but idle, GC and the browser's own)."""
    other = {"(idle)", "(program)", "(garbage collector)", "(root)"}
    name = {n["id"]: n["callFrame"]["functionName"] for n in profile["nodes"]}
    return sum(d for s, d in zip(profile["samples"], profile["timeDeltas"], strict=True)
               if name.get(s) not in other) / 1e6


def open_in_chromium(pw, case: str, path: Path, n: int, middle_id: str) -> dict:
    context = pw.chromium.launch_persistent_context(
        tempfile.mkdtemp(prefix="bench-chromium-"), executable_path=CHROMIUM, headless=True,
        args=CHROMIUM_ARGS, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        out: dict = {}
        if case in ("ours", "main"):
            page.add_init_script(_DRAWN_HOOK)
            page.goto(path.as_uri(), wait_until="commit", timeout=TIMEOUT_S * 1000)
            page.wait_for_function("() => window.__drawnAt !== null", timeout=TIMEOUT_S * 1000,
                                   polling=50)
            out["drawn"] = page.evaluate("window.__drawnAt") / 1000
            out["count"] = int(page.get_attribute(".im-summary-count", "data-count"))
            cdp = context.new_cdp_session(page)
            cdp.send("Performance.enable")
            cdp.send("Profiler.enable")
            for key, script, arg in (("details", _DETAILS, 60_000),
                                     ("popup", _POPUP, [middle_id, 60_000])):
                before = _busy(cdp)
                cdp.send("Profiler.start")
                try:
                    got = page.evaluate(script, arg)
                except Exception as exc:  # (main's at 1M: "Failed to fetch")
                    out[key + "_error"] = str(exc).splitlines()[0][:120]
                    got = None
                out[key] = None if got is None else got / 1000
                out[key + "_script"] = _script_seconds(cdp.send("Profiler.stop")["profile"])
                out[key + "_busy"] = _busy(cdp) - before
        elif case == "pydeck":
            t0 = time.perf_counter()
            page.goto(path.as_uri(), wait_until="commit", timeout=TIMEOUT_S * 1000)
            while time.perf_counter() - t0 < TIMEOUT_S:
                if _has_points(page.screenshot()):
                    out["drawn"] = time.perf_counter() - t0
                    break
        return out
    except Exception as exc:  # (a page that never draws is a result, not a crash)
        return {"error": str(exc).splitlines()[0][:200]}
    finally:
        context.close()


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run(sizes: list[int], data: Path, before: str, cases: list[str]) -> list[dict]:
    from playwright.sync_api import sync_playwright

    main_src = main_tree(before)
    rows = []
    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    with sync_playwright() as pw:
        for n in sizes:
            path = make_data(data, n)
            middle = f"{n // 2}"
            for case in cases:
                out = work / f"{case}-{n}.html"
                load_before = _load()
                row = {"n": n, "case": case, "load_before": load_before,
                       **build(case, path, out, main_src)}
                if "error" not in row and case != "ours-zlib":
                    import pyarrow.parquet as pq

                    ids = pq.read_table(path, columns=["id"]).column("id").to_pylist()
                    middle = str(ids[n // 2])
                    row.update(open_in_chromium(pw, case, out, n, middle))
                row["load_after"] = _load()
                rows.append(row)
                print(json.dumps(row), flush=True)
                out.unlink(missing_ok=True)
    return rows


def _f(v, unit="s", digits=2) -> str:
    return "" if v is None else f"{v:.{digits}f} {unit}"


def report(rows: list[dict]) -> None:
    print("\n| incidents | case | read | build (wall) | build CPU | size | drawn | details | "
          "popup | popup: script / main thread busy |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "error" in r and "build" not in r:
            print(f"| {r['n']:,} | {r['case']} | error: {r['error']} | | | | | | |")
            continue
        popup = _f(r.get("popup")) if r["case"] in ("ours", "main") else "n/a"
        details = _f(r.get("details")) if r["case"] in ("ours", "main") else "n/a"
        if r["case"] in ("ours", "main") and r.get("popup") is None and "drawn" in r:
            popup = "never (60 s)"
        if r["case"] in ("ours", "main") and r.get("details") is None and "drawn" in r:
            details = "never (60 s)"
        drawn = _f(r.get("drawn")) or {"lonboard": "never (offline)",
                                       "ours-zlib": "not opened"}.get(r["case"],
                                                                     r.get("error", ""))
        print(f"| {r['n']:,} | {r['case']} | {_f(r.get('read'))} | {_f(r.get('build'))} | "
              f"{_f(r.get('build_cpu'))} | {_f(r.get('size_mb'), 'MB', 1)} | {drawn} | "
              f"{details} | {popup} | {_f(r.get('popup_script'))} / {_f(r.get('popup_busy'))} |")
    for n in sorted({r["n"] for r in rows}):
        by = {r["case"]: r for r in rows if r["n"] == n}
        ours = by.get("ours", {})
        for other in ("ours-zlib", "main", "lonboard", "pydeck"):
            o = by.get(other, {})
            parts = []
            for key, label in (("build", "build"), ("build_cpu", "build CPU"),
                               ("size_mb", "size"), ("drawn", "drawn"), ("popup", "popup"),
                               ("popup_busy", "popup main thread")):
                if ours.get(key) and o.get(key):
                    parts.append(f"{label} {o[key] / ours[key]:.2f}x")
            if parts:
                print(f"{n:,}: {other} / ours: " + ", ".join(parts))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "export-bench")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--before", default="main", help="the git revision of 'main' (naive)")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average at start: {_load()}", flush=True)
    rows = run(sizes, args.data, args.before, args.cases.split(","))
    report(rows)
    print(f"load average at end: {_load()}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
