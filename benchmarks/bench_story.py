"""Benchmark a story played in the exported map (issue 14) against the naive approach.

Synthetic incidents (``bench_export.make_features``) and a story of 12 steps
of 1 to 5 random incidents each. In one run:

1. **build**: wall time and bytes of ``export_html(gdf, path, story=...)``
   (one file that plays the 12 steps) against the naive approach, one
   exported map per step (12 files of the same incidents), and against one
   plain export (the story's own cost);
2. **draw**: in headless Chromium (network blocked, reduced motion: steps
   jump, they do not fly), the median time of the canvas' ``drawNow()``
   with a step highlighted (the others dimmed) against the same map with no
   step highlighted;
3. **step**: the median time from ``IncidentMap.showStep(map, n)`` until the
   map is at the step and has drawn it (``storyState(map).state ==
   'shown'``, then one animation frame).

Usage::

    .venv/bin/python benchmarks/bench_story.py --size 100000 --repeat 15
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_export import CHROMIUM, CHROMIUM_ARGS, _is_local, make_features  # noqa: E402

import geodata  # noqa: E402
from geodata.story import parse_story  # noqa: E402
from mapapp.contract import story_options  # noqa: E402
from mapapp.export import export_html  # noqa: E402

STEPS = 12

_MEASURE = """async ([repeat, steps]) => {
  let map = null;
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) { map = v; }
  }
  let ctx = null;
  map.eachLayer((l) => { if (l._imContext) { ctx = l._imContext; } });
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const draws = (highlight) => {
    ctx.highlight = highlight;
    const t = [];
    for (let k = 0; k < repeat; k++) {
      const t0 = performance.now(); map._imCanvas.drawNow(); t.push(performance.now() - t0);
    }
    return med(t);
  };
  const lit = ctx.highlight;
  const plain = draws(null), highlighted = draws(lit);
  const stepTimes = [];
  for (let n = 2; n <= steps; n++) {
    const t0 = performance.now();
    IncidentMap.showStep(map, n);
    while (IncidentMap.storyState(map).state !== 'shown') { await frame(); }
    await frame();
    stepTimes.push(performance.now() - t0);
  }
  return { plain: plain, highlighted: highlighted, step: med(stepTimes) };
}"""


def make_story(ids: list[str], seed: int = 14) -> str:
    rng = random.Random(seed)
    parts = ["# A benchmark story\n"]
    for k in range(1, STEPS + 1):
        chosen = rng.sample(ids, rng.randint(1, 5))
        parts.append(f"## Step {k}\nincidents: {', '.join(chosen)}\n\nText of step {k}.\n")
    return "\n".join(parts)


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def measure_browser(path: Path, repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
        try:
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if _is_local(r.request.url)
                       else r.abort())
            page.goto(path.as_uri())
            page.wait_for_selector('.im-story[data-state="shown"]', timeout=300_000)
            return page.evaluate(_MEASURE, [repeat, STEPS])
        finally:
            context.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    gdf = geodata.frame_from_features(make_features(args.size))
    story = parse_story(make_story(gdf["id"].astype(str).tolist()), "bench.md")
    played = story_options(story)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        plain_s = _timed(lambda: export_html(gdf, out / "plain.html", title="plain"))
        story_s = _timed(lambda: export_html(gdf, out / "story.html", title="story",
                                             story=played))
        naive_s = 0.0
        naive_bytes = 0
        for k in range(1, STEPS + 1):  # (the naive way: one map per step)
            one = story_options(story, step=k)
            naive_s += _timed(lambda one=one, k=k: export_html(
                gdf, out / f"step-{k}.html", title=f"step {k}", story=one))
            naive_bytes += (out / f"step-{k}.html").stat().st_size
        story_bytes = (out / "story.html").stat().st_size
        plain_bytes = (out / "plain.html").stat().st_size
        browser = measure_browser(out / "story.html", args.repeat)
    results = {
        "incidents": args.size, "steps": STEPS,
        "build_s": {"story": story_s, "plain": plain_s, "naive_12_files": naive_s},
        "bytes": {"story": story_bytes, "plain": plain_bytes, "naive_12_files": naive_bytes},
        "draw_ms": {"highlighted": browser["highlighted"], "plain": browser["plain"]},
        "step_ms": browser["step"],
    }
    print(f"{args.size:,} incidents, a story of {STEPS} steps")
    print(f"build: one story file {story_s:.2f} s, {story_bytes / 2**20:.1f} MB; "
          f"a plain export {plain_s:.2f} s, {plain_bytes / 2**20:.1f} MB "
          f"(story/plain {story_s / plain_s:.2f}x time, {story_bytes / plain_bytes:.3f}x size)")
    print(f"naive, one file per step: {naive_s:.2f} s, {naive_bytes / 2**20:.1f} MB "
          f"(naive/story {naive_s / story_s:.1f}x time, {naive_bytes / story_bytes:.1f}x size)")
    lit, plain = browser["highlighted"], browser["plain"]
    print(f"draw: {lit:.1f} ms with a step highlighted, {plain:.1f} ms without "
          f"(ratio {lit / plain:.2f})")
    print(f"step change (jump, reduced motion) until drawn: {browser['step']:.1f} ms (median)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
