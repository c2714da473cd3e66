"""Benchmark the map's cells (counts per cell) against drawing every point.

For each size, one self-contained page (the export's map, ``mapapp.export.render_html``)
holds a synthetic draw payload made with NumPy: incidents jittered around the
places of ``bench_export.PLACES``, 13 actor colours, the 6 ACLED event types,
731 days, a share of coarse locations (uncertainty circles). No properties:
this measures drawing only. In headless Chromium (network blocked), with the
map fitted to every incident (all in view), it reads in the page:

1. **draw**: one ``drawNow()`` of the incident canvas plus the rendering of
   that frame (rAF, then a posted message), median of ``--repeat``, for
   - *points* as shipped (``cluster='auto'``: clusters below zoom 11, the
     naive approach for this issue: no aggregation),
   - *points, no clusters* (every marker; ``cells_threshold`` off),
   - *cells* (``cells_threshold`` 0, so the view is drawn as cells);
2. **pan / zoom** (the largest size): ``map.panBy([200, 0])`` and
   ``map.setZoom(z + 1)`` then back, without animation, each until the canvas
   has drawn and the frame is rendered, for points and for cells;
3. **cell size** (the largest size): cells draw time, cell count and the
   share of cells labelled for sides of 24 to 64 pixels;
4. **overplotting** (every size, points): how many incidents share each
   occupied 8-pixel spot (a marker is 12-14 px across), the mean and the
   share of incidents drawn where another already is.

Main-thread time (CDP ``Performance.getMetrics`` ``TaskDuration``, CPU of
the page's thread, less disturbed by other load) is reported with wall time.

Usage::

    .venv/bin/python benchmarks/bench_cells.py --sizes 10000,50000,100000,300000,1000000 \\
        --json bench_cells.json
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import folium
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import CHROMIUM, CHROMIUM_ARGS, PLACES, _is_local  # noqa: E402

from mapapp import builder, contract  # noqa: E402
from mapapp.export import render_html  # noqa: E402
from mapapp.mapdata import PALETTE, safe_json  # noqa: E402

TYPES = ["Battles", "Explosions/Remote violence", "Protests", "Riots",
         "Strategic developments", "Violence against civilians"]


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def payload(n: int, seed: int = 15) -> dict:
    """A draw payload of ``n`` incidents (see :class:`mapapp.contract.DrawPayload`)."""
    rng = np.random.default_rng(seed)
    places = np.array([[p[4], p[3]] for p in PLACES])
    weights = rng.pareto(1.2, len(places)) + 1
    pick = rng.choice(len(places), n, p=weights / weights.sum())
    spread = rng.choice([0.05, 0.15, 0.6], n, p=[0.6, 0.25, 0.15])
    xy = places[pick] + rng.normal(0, 1, (n, 2)) * spread[:, None]
    km = np.where(spread > 0.5, 25.0, np.where(spread > 0.1, 5.0, 0.5)).astype("<f4")
    palette = list(PALETTE) + ["#8c8c8c"]
    color = np.minimum(rng.zipf(1.6, n) - 1, len(palette) - 1).astype("u1")
    return {
        "n": n, "ids": [f"i{k}" for k in range(n)], "xy": _b64(xy.astype("<f8")),
        "palette": palette, "color": _b64(color),
        "types": TYPES, "type": _b64(rng.integers(0, len(TYPES), n).astype("<u2")),
        "dashed": _b64((rng.random(n) < 0.4).astype("u1")),
        "dates": [str(np.datetime64("2019-01-01") + d) for d in range(731)],
        "date": _b64(rng.integers(0, 731, n).astype("<u4")),
        "km": _b64(km), "links": [],
    }


def write_page(n: int, path: Path) -> Path:
    """The export's map page with ``n`` synthetic incidents, fitted to them."""
    data = payload(n)
    legend = [contract.LegendActor(name=f"Actor {k}", color=c, count=0)
              for k, c in enumerate(PALETTE)]
    options = contract.LayerOptions(total=n, fit=True, legend_actors=legend, legend_open=False,
                                    timeline=False)
    m = builder.base_map(bounds=[[12, 30], [42, 62]], basemap="outlines")
    group = folium.FeatureGroup(name="Incidents", control=False)
    group.add_child(builder.IncidentLayer(safe_json(data), options))
    group.add_to(m)
    path.write_text(render_html(m), encoding="utf-8")
    return path


# In the page: time fn() and the rendering of its frame; main-thread time from CDP outside.
_IN_PAGE = r"""
window.__bench = {
  map() { for (const k of Object.keys(window)) { const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) return v; } return null; },
  ctx() { let c = null;
    this.map().eachLayer((l) => { if (l._imContext && l._imContext.ready) c = l._imContext; });
    return c; },
  frame() { return new Promise((ok) => requestAnimationFrame(() => {
    const ch = new MessageChannel(); ch.port1.onmessage = () => ok(); ch.port2.postMessage(0);
  })); },
  async timed(fn) {
    await this.frame(); const t0 = performance.now(); fn(); await this.frame();
    return performance.now() - t0; },
  set(mode, cell) {
    const ctx = this.ctx(), canvas = this.map()._imCanvas;
    ctx.options.cells_threshold = mode === 'cells' ? 0 : null;
    ctx.options.cell_px = cell || 40;
    canvas.flags.cluster = mode === 'points' ? 1 : 0;
  },
  overplot() {
    const map = this.map(), c = map._imCanvas, ctx = this.ctx(), ds = ctx.ds, size = map.getSize();
    const S = 256 * Math.pow(2, map.getZoom()), o = map.getPixelBounds().min, spots = new Map();
    let inView = 0;
    for (let i = 0; i < ds.n; i++) {
      const x = ds.wx[i] * S - o.x, y = ds.wy[i] * S - o.y;
      if (x < 0 || y < 0 || x >= size.x || y >= size.y) continue;
      inView += 1; const k = Math.floor(x / 8) * 100000 + Math.floor(y / 8);
      spots.set(k, (spots.get(k) || 0) + 1);
    }
    return { inView: inView, spots: spots.size, zoom: map.getZoom() };
  }
};
"""


def _metric(cdp, name="TaskDuration") -> float:
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]
                if m["name"] == name)


def _timed(page, cdp, js: str, repeat: int) -> dict:
    walls, cpus = [], []
    for _ in range(repeat):
        c0 = _metric(cdp)
        walls.append(page.evaluate(f"() => window.__bench.timed(() => {{ {js} }})") / 1000)
        cpus.append(_metric(cdp) - c0)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus),
            "runs": [round(w, 4) for w in walls]}


def measure(pw, path: Path, n: int, repeat: int, largest: bool) -> dict:
    profile = tempfile.mkdtemp(prefix="bench-cells-")
    context = pw.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route("**/*", lambda r: r.continue_() if _is_local(r.request.url) else r.abort())
        page.add_init_script(_IN_PAGE)
        t0 = time.perf_counter()
        page.goto(path.as_uri(), timeout=600_000)
        page.wait_for_selector('.im-summary-count[data-state="drawn"]', timeout=600_000)
        out: dict = {"n": n, "open_s": time.perf_counter() - t0, "errors": errors}
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        out["mode_shown"] = page.evaluate(
            "() => document.querySelector('.im-summary-count').dataset.mode")
        draw = "window.__bench.map()._imCanvas.drawNow();"
        for mode in ("points", "points-flat", "cells"):
            page.evaluate(f"() => window.__bench.set('{mode}')")
            out[mode] = _timed(page, cdp, draw, repeat)
        out["overplot"] = page.evaluate("() => window.__bench.overplot()")
        if largest:
            moves = {"pan": "const m = window.__bench.map(); m.panBy([200, 0], {animate: false}); "
                            "m.panBy([-200, 0], {animate: false});",
                     "zoom": "const m = window.__bench.map(); m.setZoom(m.getZoom() + 1, "
                             "{animate: false}); m.setZoom(m.getZoom() - 1, {animate: false});"}
            for mode in ("points", "points-flat", "cells"):
                page.evaluate(f"() => window.__bench.set('{mode}')")
                for name, js in moves.items():
                    r = _timed(page, cdp, js, repeat)  # (two moves: halve)
                    out[f"{name}-{mode}"] = {k: (v / 2 if k != "runs" else v) for k, v in r.items()}
            out["cell_sizes"] = {}
            for cell in (24, 32, 40, 48, 64):
                page.evaluate(f"() => window.__bench.set('cells', {cell})")
                r = _timed(page, cdp, draw, repeat)
                st = page.evaluate("() => { const s = IncidentMap.cells(window.__bench.map()); "
                                   "return {cells: s.cells.length, labelled: "
                                   "s.cells.filter(c => c.label).length}; }")
                out["cell_sizes"][cell] = {**r, **st}
        return out
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def _ms(r: dict) -> str:
    return f"{r['wall_s'] * 1000:.0f} ms (cpu {r['cpu_s'] * 1000:.0f})"


def report(results: list[dict]) -> None:
    print("\n| in view | points (clusters, as shipped) | points, every marker | cells "
          "| points/cells | incidents per 8 px spot |")
    print("|---|---|---|---|---|---|")
    for r in results:
        ov = r["overplot"]
        print(f"| {r['n']:,} | {_ms(r['points'])} | {_ms(r['points-flat'])} | {_ms(r['cells'])} "
              f"| {r['points-flat']['wall_s'] / r['cells']['wall_s']:.1f}x "
              f"| {ov['inView'] / max(ov['spots'], 1):.1f} "
              f"({ov['spots']:,} spots, zoom {ov['zoom']}) |")
    big = results[-1]
    if "pan-cells" in big:
        print(f"\nAt {big['n']:,}: one move, then the canvas drawn and the frame rendered")
        print("| move | points (clusters) | points, every marker | cells |")
        print("|---|---|---|---|")
        for name in ("pan", "zoom"):
            print(f"| {name} | {_ms(big[f'{name}-points'])} | {_ms(big[f'{name}-points-flat'])} "
                  f"| {_ms(big[f'{name}-cells'])} |")
        print("\n| cell side | cells draw | cells | labelled |")
        print("|---|---|---|---|")
        for cell, r in big["cell_sizes"].items():
            print(f"| {cell} px | {_ms(r)} | {r['cells']} | {r['labelled']} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,50000,100000,300000,1000000")
    ap.add_argument("--repeat", type=int, default=5, help="median of this many (default 5)")
    ap.add_argument("--json", type=Path, help="write the results to this JSON file")
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-cells-pages-"))
    results = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        with sync_playwright() as pw:
            for n in sizes:
                path = write_page(n, tmp / f"cells-{n}.html")
                r = measure(pw, path, n, args.repeat, largest=n == max(sizes))
                results.append(r)
                print(f"{n:,}: opened in {r['open_s']:.1f} s, shown as {r['mode_shown']}; "
                      f"points {_ms(r['points'])}, cells {_ms(r['cells'])}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(results)
    print(f"\nload average {os.getloadavg()}; "
          f"this process: cpu {time.process_time() - cpu0:.1f} s, "
          f"wall {time.perf_counter() - wall0:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
