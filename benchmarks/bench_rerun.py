"""The page's server-side cost, in CPU seconds, for this checkout against another one.

A filter change on the page is a Streamlit rerun on the server, then a redraw
in the browser (``bench_page.py`` times the two together, from the click to
the map showing the view, which a busy machine blurs). This measures the
server's part alone and in CPU time, which the load of other processes
disturbs far less than wall time: for each checkout, in its own process,
Streamlit's ``AppTest`` runs the page (``mapapp/app.py``) on the same
synthetic dataset, then the changes ``bench_page.py`` makes (actor, role,
second actor, reset) ``--repeat`` times. The checkouts alternate, so both
see the same machine.

    python benchmarks/bench_rerun.py --n 100000 --other ../before --rounds 2

``--other`` is another checkout of the project (``git worktree add ../before
781af89``); it runs with this checkout's virtual environment. Prints, for
each checkout, the median CPU seconds of the first open (reading the file,
checking it, the map's data files, the first run) and of each change, and
their ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Runs in a fresh process with the checkout first on ``sys.path``.
_PROBE = r"""
import json, os, sys, time
root, reps = sys.argv[1], int(sys.argv[2])
actors = json.loads(sys.argv[3])
sys.path.insert(0, root)
from streamlit.testing.v1 import AppTest

at = AppTest.from_file(os.path.join(root, "mapapp", "app.py"), default_timeout=900)

def cpu(fn):
    start = time.process_time()
    fn()
    if at.exception:
        raise SystemExit(f"the page failed: {at.exception}")
    return time.process_time() - start

def reset():
    next(b for b in at.button if "Reset" in b.label).click().run()

out = {"first": cpu(at.run), "changes": {}}
steps = [("actor", lambda: at.multiselect(key="f_actors").set_value(actors[:1]).run()),
         ("role", lambda: at.radio(key="f_role").set_value("perpetrator").run()),
         ("+ actor", lambda: at.multiselect(key="f_actors").set_value(actors[:2]).run()),
         ("reset", reset)]
for _ in range(reps):
    for name, step in steps:
        out["changes"].setdefault(name, []).append(cpu(step))
print("RESULT " + json.dumps(out))
"""


def make_dataset(n: int, folder: Path) -> tuple[Path, list[str]]:
    """``n`` synthetic incidents (``bench_export.make_features``) and the two commonest actors."""
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    from bench_export import make_features

    import geodata

    gdf = geodata.frame_from_features(make_features(n))
    path = folder / f"incidents-{n}.geojson"
    geodata.write(gdf, path)
    counts = gdf["actor"].astype(object).value_counts()
    return path, [a for a in counts.index if a != "Unknown"][:2]


def probe(checkout: Path, data: Path, actors: list[str], repeat: int) -> dict:
    """One checkout's CPU seconds: the first open and each change."""
    env = dict(os.environ, MAPAPP_DATA=str(data), PYTHONPATH=str(checkout))
    done = subprocess.run([sys.executable, "-c", _PROBE, str(checkout), str(repeat),
                           json.dumps(actors)], cwd=checkout, env=env, capture_output=True,
                          text=True, check=False)
    line = next((s for s in done.stdout.splitlines() if s.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"{checkout}: the probe failed:\n{done.stderr[-2000:]}")
    return json.loads(line[len("RESULT "):])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="incidents (default 100000)")
    parser.add_argument("--other", type=Path, required=True, help="another checkout to compare")
    parser.add_argument("--rounds", type=int, default=2, help="alternated runs of each checkout")
    parser.add_argument("--repeat", type=int, default=3, help="each change, per run")
    args = parser.parse_args(argv)
    checkouts = {"this": ROOT, "other": args.other.resolve()}
    runs: dict[str, list[dict]] = {name: [] for name in checkouts}
    with tempfile.TemporaryDirectory() as tmp:
        data, actors = make_dataset(args.n, Path(tmp))
        for _ in range(args.rounds):
            for name, checkout in checkouts.items():
                runs[name].append(probe(checkout, data, actors, args.repeat))
                print(name, json.dumps(runs[name][-1]), flush=True)
    print(f"\nCPU seconds on the server, median ({args.n:,} incidents, load "
          f"{os.getloadavg()[0]:.1f}); this = {ROOT}, other = {checkouts['other']}")
    print(f"{'':<12} {'this':>8} {'other':>8}  this/other")
    rows = [("first open", lambda r: [r["first"]])]
    rows += [(c, lambda r, c=c: r["changes"][c]) for c in runs["this"][0]["changes"]]
    for label, values in rows:
        this = statistics.median(v for r in runs["this"] for v in values(r))
        other = statistics.median(v for r in runs["other"] for v in values(r))
        print(f"{label:<12} {this:>8.3f} {other:>8.3f}  {this / other:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
