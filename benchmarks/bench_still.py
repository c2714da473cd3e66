"""Benchmark still pictures against a plain ``GeoDataFrame.plot``.

For each size, with the synthetic incidents of ``bench_export.make_features``
(same schema, places, sources and chain as the export benchmark), in one run:

1. **ours**: wall time of ``mapapp.still.render_still(gdf, "map.png")`` (A4,
   300 dpi: basemap, styled markers, precision circles, chain arrows,
   labels, legend, key and sources) and of the same as a vector PDF;
2. **plain**: ``gdf.plot(ax=ax, markersize=4)`` on an A4 figure saved at the
   same dpi / as PDF: the floor any picture of the points costs.

Then a **12-step story PDF** (each step 1-3 random incidents, the rest of
the dataset dimmed) against 12 pages of plain ``gdf.plot`` in one PdfPages.
The GeoDataFrame is built before timing. Median of ``--repeat`` runs.

Usage::

    .venv/bin/python benchmarks/bench_still.py --sizes 1000,100000 --story-size 10000
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_export import make_features  # noqa: E402

import geodata  # noqa: E402
from geodata.story import parse_story  # noqa: E402
from mapapp.still import DPI, SIZES, render_still  # noqa: E402


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _plain_figure(gdf) -> Figure:
    fig = Figure(figsize=SIZES["a4"], dpi=DPI)
    FigureCanvasAgg(fig)
    gdf.plot(ax=fig.add_subplot(), markersize=4)
    return fig


def plain(gdf, path: Path, fmt: str) -> None:
    _plain_figure(gdf).savefig(path, format=fmt, dpi=DPI)


def plain_pages(gdf, path: Path, pages: int) -> None:
    with PdfPages(path) as pdf:
        for _ in range(pages):
            pdf.savefig(_plain_figure(gdf))


def story_of(gdf, steps: int, seed: int = 3):
    rng = random.Random(seed)
    ids = gdf["id"].tolist()
    lines = ["# A benchmark story"]
    for i in range(steps):
        lines += [f"## Step {i + 1}", f"incidents: {', '.join(rng.sample(ids, rng.randint(1, 3)))}",
                  "", "Some text for the step, long enough to wrap over two lines in the "
                  "column beside the map.", ""]
    story = parse_story("\n".join(lines), "bench.md")
    assert not story.problems, story.problems
    return story


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--story-size", type=int, default=10000)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="bench-still-"))
    results = {"matplotlib": matplotlib.__version__, "maps": [], "story": None}
    print(f"{'incidents':>10} {'format':>6} {'ours s':>8} {'plain s':>8} {'ratio':>6}")
    for n in [int(s) for s in args.sizes.split(",")]:
        gdf = geodata.frame_from_features(make_features(n))
        for fmt in ("png", "pdf"):
            ours = _median(lambda g=gdf, f=fmt: render_still(g, out / f"ours.{f}"), args.repeat)
            base = _median(lambda g=gdf, f=fmt: plain(g, out / f"plain.{f}", f), args.repeat)
            results["maps"].append({"n": n, "format": fmt, "ours": ours, "plain": base})
            print(f"{n:>10} {fmt:>6} {ours:>8.2f} {base:>8.2f} {ours / base:>6.1f}")
    gdf = geodata.frame_from_features(make_features(args.story_size))
    story = story_of(gdf, args.steps)
    ours = _median(lambda: render_still(gdf, out / "story.pdf", story=story), args.repeat)
    base = _median(lambda: plain_pages(gdf, out / "plain-story.pdf", args.steps), args.repeat)
    results["story"] = {"n": args.story_size, "steps": args.steps, "ours": ours, "plain": base}
    print(f"story PDF, {args.steps} steps over {args.story_size} incidents: ours {ours:.2f} s, "
          f"plain {base:.2f} s, ratio {ours / base:.1f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
