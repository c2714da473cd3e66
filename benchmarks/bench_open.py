"""Benchmark opening a big dataset until it is ready for the page, against the per-feature path.

"Ready for the page" is what the page does before it draws: ``geodata.load``
(read, check, type), the page's ``mapapp.state.Dataset`` (its choices,
colours, bounds and figures) and the map's draw payload
(``mapapp.mapdata.draw_payload`` as JSON text). The map's properties files
and the browser are not part of it (``bench_page.py`` measures the page).

The incidents are ``bench_export.make_features``' (the project's schema,
1.36 KB of GeoJSON each), written once as GeoJSON and GeoParquet into
``--data`` and reused by later runs. Each case runs in a fresh process (so
its peak RSS is its own), in one run:

- ``parse``: the floor for GeoJSON: read the file and ``orjson.loads`` it;
- ``ours``: ``geodata.load`` as the page calls it; for GeoJSON the first
  time (an empty cache: checked column by column, then its GeoParquet working
  copy written) and the next time (the copy read);
- ``naive``: the per-feature path ``geodata.load`` took before
  (``geodata.load.load_per_feature``: one dict per feature, each checked
  alone, then typed), the same ``Dataset`` and payload.

``--before DIR`` runs the chosen cases again with another copy of the
project (e.g. ``git archive main | tar -x -C DIR``), each right after this
tree's, and prints before/now ratios of wall, CPU and peak RSS.

Usage::

    .venv/bin/python benchmarks/bench_open.py --sizes 100000 --data /tmp/bench-open
    .venv/bin/python benchmarks/bench_open.py --sizes 100000,1000000 --data /tmp/bench-open
    .venv/bin/python benchmarks/bench_open.py --sizes 1000000 --naive-max 0 \
        --cases parquet:ours,geojson:parse,geojson:ours-first --before /tmp/main-copy
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
#: The copy of the project a case runs with (``--before``: this script, another tree).
TREE_ENV = "BENCH_OPEN_TREE"
sys.path.insert(0, os.environ.get(TREE_ENV) or str(HERE.parent))

CASES = ("parse", "naive", "ours-first", "ours-cached", "objects-first", "objects-cached")


def make_data(folder: Path, n: int) -> dict[str, Path]:
    """The GeoJSON and GeoParquet files of ``n`` synthetic incidents (made once)."""
    from bench_export import make_features

    import geodata
    from geodata import nested

    os.environ.setdefault("INCIDENT_MAP_MAX_FILE_MB", "8192")  # (the 1M GeoJSON is read)
    paths = {"geojson": folder / f"incidents-{n}.geojson",
             "parquet": folder / f"incidents-{n}.parquet",
             "parquet-text": folder / f"incidents-{n}-text.parquet"}
    if not paths["geojson"].is_file():
        folder.mkdir(parents=True, exist_ok=True)
        geodata.write(geodata.frame_from_features(make_features(n)), paths["geojson"])
    if not paths["parquet"].is_file():  # (nested columns typed: stored natively)
        geodata.write(geodata.load(paths["geojson"], cache=False).gdf, paths["parquet"])
    if not paths["parquet-text"].is_file():  # (as before typed columns: JSON text)
        with nested.objects_only():
            geodata.write(geodata.load(paths["geojson"], cache=False).gdf,
                          paths["parquet-text"])
    return paths


def _rss_mb() -> float:
    """The process's resident memory now, after a full collection and malloc_trim."""
    import ctypes

    gc.collect()
    import pyarrow as pa

    pa.default_memory_pool().release_unused()  # (Arrow's allocator keeps freed pages a while)
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _frame_mb(gdf) -> dict:
    """The frame's own memory: Arrow buffers of Arrow-backed columns, objects by getsizeof."""
    import pandas as pd

    arrow = other = 0
    for name in gdf.columns:
        col = gdf[name]
        if isinstance(col.dtype, pd.ArrowDtype):
            arrow += col.array._pa_array.nbytes
        elif name != gdf.geometry.name:
            other += int(col.memory_usage(deep=True, index=False))
    return {"frame_arrow_mb": arrow / 2**20, "frame_other_mb": other / 2**20}


def _user_sys(before) -> dict:
    """User and system CPU since ``before`` (``os.times()``): the system part (new pages
    for GBs of objects) moves most with the machine's load."""
    now = os.times()
    return {"user": now.user - before.user, "sys": now.system - before.system}


def _ready(load) -> dict:
    """Time ``load()`` (giving the frame and report), the Dataset and the draw payload."""
    from mapapp.mapdata import draw_payload, safe_json
    from mapapp.state import Dataset

    stages = {}
    gc.collect()
    c0, times0 = time.process_time(), os.times()
    t0 = time.perf_counter()
    gdf, report = load()
    t1 = time.perf_counter()
    dataset = Dataset(gdf, report, "bench")
    t2 = time.perf_counter()
    payload = safe_json(draw_payload(dataset.gdf, dataset.colors))
    t3 = time.perf_counter()
    stages.update(cpu=time.process_time() - c0, **_user_sys(times0), load=t1 - t0,
                  dataset=t2 - t1,
                  payload=t3 - t2, total=t3 - t0, incidents=len(gdf),
                  payload_mb=len(payload) / 1e6)
    del payload
    stages.update(_frame_mb(gdf), rss_after_mb=_rss_mb())  # (the frame and Dataset held)
    return stages


def run_case(case: str, path: Path) -> dict:
    """One case, in this process."""
    import orjson

    import geodata

    loader = sys.modules["geodata.load"]
    kind = "parquet" if path.suffix == ".parquet" else "geojson"
    if case == "parse":  # (the cycle collector paused, as geodata.load does)
        c0, t0, times0 = time.process_time(), time.perf_counter(), os.times()
        gc.disable()
        orjson.loads(path.read_bytes())
        gc.enable()
        result = {"total": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  **_user_sys(times0),
                  "file_gb": path.stat().st_size / 2**30}
    elif case == "naive":
        result = _ready(lambda: loader.load_per_feature(path, path.name, kind, True))
    else:
        from geodata import nested

        def load():
            loaded = geodata.load(path, lenient=True)  # (the page's call)
            return loaded.gdf, loaded.report
        if case.startswith("objects"):  # (nested columns as objects: before typed columns)
            with nested.objects_only():
                result = _ready(load)
        else:
            result = _ready(load)
    result["peak_rss_mb"] = _peak_mb()
    return result


def _peak_mb() -> float:
    """This process's peak RSS: ``VmHWM`` (ru_maxrss would carry the parent's over a fork)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spawn(case: str, path: Path, cache: Path, tree: Path | None = None) -> dict:
    """Run a case in a fresh process with ``cache`` as its cache folder (``tree``: another
    copy of the project, imported instead of this one)."""
    tree = tree or HERE.parent
    env = dict(os.environ, INCIDENT_MAP_CACHE=str(cache), INCIDENT_MAP_MAX_FILE_MB="8192",
               PYTHONPATH=str(tree), **{TREE_ENV: str(tree)})
    out = subprocess.run([sys.executable, __file__, "--case", case, "--file", str(path)],
                         env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int, data: Path, naive_max: int, wanted: set | None = None,
            before: Path | None = None, repeat: int = 1) -> list[dict]:
    """Every case at one size; GeoJSON's 'first' and 'cached' share a fresh cache folder.

    ``wanted``: only these ``format:case`` pairs; ``before``: each case run again
    right after with that copy of the project (its rows: ``"tree": "before"``).
    """
    paths = make_data(data, n)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fmt, cases in (("parquet", ("naive", "objects", "ours")),
                           ("geojson", ("parse", "naive", "objects-first", "objects-cached",
                                        "ours-first", "ours-cached"))):
            for case in cases:
                if wanted is not None and f"{fmt}:{case}" not in wanted:
                    continue
                if case == "naive" and n > naive_max:
                    rows.append({"n": n, "format": fmt, "case": case, "note": "skipped"})
                    continue
                cache = Path(tmp) / f"cache-{fmt}-{case.split('-')[0]}"
                path = paths["parquet-text"] if case in ("objects", "naive") and \
                    fmt == "parquet" else paths[fmt]
                run = {"ours": "ours-first", "objects": "objects-first"}.get(case, case)
                trees = [("now", None)] + ([("before", before)] if before else [])
                for run_no, (label, tree) in enumerate(trees * repeat):  # (alternating)
                    # (each run of a first time an empty folder; the next time the one
                    # its first time wrote, as its cases come in the same order)
                    folder = cache.with_name(f"{cache.name}-{run_no}")
                    row = {"n": n, "format": fmt, "case": case, "tree": label,
                           **spawn(run, path, folder, tree)}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    return rows


def _get(rows, n, fmt, case, key="total", tree="now"):
    """The value of a case's runs (their median when it ran several times)."""
    found = sorted(r[key] for r in rows if key in r and (
        r["n"], r["format"], r["case"], r.get("tree", "now")) == (n, fmt, case, tree))
    return found[len(found) // 2] if found else None


def report_before(rows: list[dict]) -> None:
    """Before/now ratios of each case run with both trees (above 1: now is faster, smaller)."""
    pairs = list(dict.fromkeys((r["n"], r["format"], r["case"]) for r in rows
                               if r.get("tree") == "before"))
    if not pairs:
        return
    print(f"\n{'medians':>9} {'format':<8} {'case':<12} {'wall before/now':>22} "
          f"{'CPU before/now':>22} {'user CPU before/now':>22} {'peak before/now':>22}")
    for n, fmt, case in pairs:
        cells = []
        for key, unit in (("total", "s"), ("cpu", "s"), ("user", "s"), ("peak_rss_mb", "MB")):
            a, b = (_get(rows, n, fmt, case, key, tree) for tree in ("before", "now"))
            cells.append(f"{a:.2f}/{b:.2f}{unit} {a / b:.2f}x" if a and b else "-")
        print(f"{n:>9} {fmt:<8} {case:<12} " + " ".join(f"{c:>22}" for c in cells))
    for n in sorted({p[0] for p in pairs}):
        for key in ("cpu", "user"):
            ratios = [_get(rows, n, "geojson", "ours-first", key, tree) /
                      _get(rows, n, "geojson", "parse", key, tree)
                      for tree in ("before", "now")
                      if _get(rows, n, "geojson", "ours-first", key, tree) and
                      _get(rows, n, "geojson", "parse", key, tree)]
            if len(ratios) == 2:
                print(f"{n:>9}: GeoJSON first time / parse, {key} CPU (medians): before "
                      f"{ratios[0]:.2f}x, now {ratios[1]:.2f}x (goal 3x)")


def finish(rows: list[dict], report, json_path: Path | None) -> int:
    """The end of a benchmark's run: its table, the load average, its figures as JSON."""
    report(rows)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    if json_path:
        json_path.write_text(json.dumps(rows, indent=2))
    return 0


def report(rows: list[dict]) -> None:
    """Print the table and the ratios (naive / ours: how many times faster)."""
    print(f"\n{'n':>9} {'format':<8} {'case':<15} {'tree':<6} {'load':>8} {'Dataset':>8} "
          f"{'payload':>8} {'user':>8} {'sys':>8} {'total':>8} {'CPU':>8} {'peak RSS':>9} "
          f"{'RSS after':>9} {'Arrow':>7} {'objects':>8}")
    for r in rows:
        if "total" not in r:
            print(f"{r['n']:>9} {r['format']:<8} {r['case']:<15} {r.get('tree', ''):<6} "
                  f"{r.get('note') or r.get('error')}")
            continue
        cells = [f"{r[k]:7.2f}s" if k in r else f"{'':>8}"
                 for k in ("load", "dataset", "payload", "user", "sys")]
        after = [f"{r[k]:7.0f}MB" if k in r else f"{'':>9}"
                 for k in ("rss_after_mb", "frame_arrow_mb", "frame_other_mb")]
        print(f"{r['n']:>9} {r['format']:<8} {r['case']:<15} {r.get('tree', 'now'):<6} "
              f"{' '.join(cells)} "
              f"{r['total']:7.2f}s {r['cpu']:7.2f}s {r['peak_rss_mb']:7.0f}MB {' '.join(after)}")
    for n in sorted({r["n"] for r in rows}):
        naive_pq, ours_pq = _get(rows, n, "parquet", "naive"), _get(rows, n, "parquet", "ours")
        naive_js = _get(rows, n, "geojson", "naive")
        first, cached = _get(rows, n, "geojson", "ours-first"), _get(rows, n, "geojson",
                                                                       "ours-cached")
        parse = _get(rows, n, "geojson", "parse")
        parts = []
        if naive_pq and ours_pq:
            parts.append(f"GeoParquet naive/ours {naive_pq / ours_pq:.1f}x")
        if naive_js and first:
            parts.append(f"GeoJSON first time naive/ours {naive_js / first:.1f}x")
        if naive_js and cached:
            parts.append(f"GeoJSON cached naive/ours {naive_js / cached:.1f}x")
        if parse and first:
            parts.append(f"GeoJSON first time / parse {first / parse:.1f}x")
            cpu_first, cpu_parse = (_get(rows, n, "geojson", c, "cpu") for c in ("ours-first",
                                                                                "parse"))
            parts.append(f"CPU {cpu_first / cpu_parse:.1f}x (goal 3x)")
        size = _get(rows, n, "geojson", "parse", "file_gb")
        for case in ("parse", "ours-first", "ours-cached"):
            peak = _get(rows, n, "geojson", case, "peak_rss_mb")
            if size and peak:
                parts.append(f"{case} peak {peak / 1024 / size:.1f} GB per GB of GeoJSON")
        for fmt, case, ours in (("parquet", "objects", "ours"),
                                ("geojson", "objects-cached", "ours-cached")):
            a, b = _get(rows, n, fmt, case, "cpu"), _get(rows, n, fmt, ours, "cpu")
            ra, rb = (_get(rows, n, fmt, c, "rss_after_mb") for c in (case, ours))
            if a and b and ra and rb:
                parts.append(f"{fmt} {case}/typed CPU {a / b:.1f}x, RSS after {ra / rb:.1f}x")
        print(f"{n:>9}: " + "; ".join(parts))
        cpu_parse = _get(rows, n, "geojson", "parse", "cpu", "before")
        cpu_first = _get(rows, n, "geojson", "ours-first", "cpu", "before")
        if cpu_parse and cpu_first:
            print(f"{n:>9}: before: GeoJSON first time CPU / its parse's "
                  f"{cpu_first / cpu_parse:.1f}x")
    report_before(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000", help="comma-separated (1000000 takes minutes)")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-open",
                    help="where the generated files are kept between runs")
    ap.add_argument("--naive-max", type=int, default=1_000_000,
                    help="skip the per-feature path above this size")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--cases", help="only these format:case pairs, comma-separated "
                    "(e.g. parquet:ours,geojson:parse,geojson:ours-first)")
    ap.add_argument("--repeat", type=int, default=1, help="run each case this many times "
                    "(with --before: alternating), and compare medians")
    ap.add_argument("--before", type=Path, help="another copy of the project: each case run "
                    "with it too, right after, and before/now ratios printed")
    ap.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, args.file)))
        return 0
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        rows += measure(n, args.data, args.naive_max,
                        set(args.cases.split(",")) if args.cases else None, args.before,
                        args.repeat)
    return finish(rows, report, args.json)


if __name__ == "__main__":
    sys.exit(main())
