"""Benchmark writing the page map's data files, column by column against one dict per incident.

``mapapp.mapdata.write_data_files`` writes, once per dataset, the draw
payload (the draw files) and the properties in gzip'd blocks of
``contract.PROPS_BLOCK`` incidents (``props/N.json.gz``) that popups and the
detail panel fetch. Cases, each in a fresh process (its CPU time and peak RSS
its own), on ``bench_open.make_data``'s GeoParquet file, in one run:

- ``naive``: ``write_data_files(..., per_feature=True)``: each block through
  ``geodata.to_features`` (one feature dict per incident), as before;
- ``objects``: as ``ours``, on the frame as before typed nested columns
  (``geodata.nested.objects_only``, the GeoParquet file with JSON text);
- ``ours``: ``write_data_files(...)``: the blocks built from column arrays
  (``geodata.geojson_write.iter_properties_json``), nested columns typed.

The file is opened and the page's ``Dataset`` made before the clock starts;
"write peak" is how far the RSS rose above its level before writing; "JSON
CPU" is the CPU time of the blocks' JSON alone (not gzip'd, before the
write), "payload CPU" the draw payload's alone.
``--memory`` adds a probe of where the opened dataset's memory is: the RSS
after opening, then after dropping each group of columns in turn (objects
made row by row share Python's arenas, so a group's memory may only come
back with the next group's: docs/performance.md counts them one by one).

Usage::

    .venv/bin/python benchmarks/bench_props.py --data /tmp/bench-open
    .venv/bin/python benchmarks/bench_props.py --data /tmp/bench-open --million --memory
"""

from __future__ import annotations

import argparse
import ctypes
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
sys.path.insert(0, str(HERE.parent))

CASES = ("naive", "objects", "ours", "memory", "memory-objects")

#: Column groups the memory probe drops in turn.
GROUPS = {
    "nested (sources, attribution, related)": ["sources", "attribution", "related"],
    "free text (id, title, place, admin1, notes)": ["id", "title", "place", "admin1", "notes"],
    "typed (categories, dates, numbers)": None,  # (every other column but the geometry)
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` (the peak since the last reset) of /proc/self/status."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:  # (5: reset the peak RSS, Linux)
        f.write("5")


def _rss_mb() -> float:
    gc.collect()
    import pyarrow as pa

    pa.default_memory_pool().release_unused()  # (Arrow's allocator keeps freed pages a while)
    try:  # (give freed heap pages back, so RSS shows what is held)
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _open(path: Path):
    import geodata
    from mapapp.state import Dataset

    loaded = geodata.load(path, lenient=True)  # (the page's call)
    return Dataset(loaded.gdf, loaded.report, "bench")


def run_case(case: str, path: Path) -> dict:
    """One case, in this process (``objects``: nested columns as objects, as before)."""
    if case.endswith("objects"):
        from geodata import nested

        with nested.objects_only():
            return _run_case(case.removesuffix("-objects"), path)
    return _run_case(case, path)


def _run_case(case: str, path: Path) -> dict:
    from mapapp import mapdata

    if case == "memory":
        return _memory(path)
    t0 = time.perf_counter()
    dataset = _open(path)
    opened = {"open": time.perf_counter() - t0}
    from geodata.geojson_write import iter_properties_json

    gc.collect()
    c0 = time.process_time()  # (the blocks' JSON alone, not gzip'd: what the two paths differ in)
    sum(len(b) for b in iter_properties_json(dataset.gdf, 1000, per_feature=case == "naive"))
    opened["json_cpu"] = time.process_time() - c0
    c0 = time.process_time()
    mapdata.draw_payload(dataset.gdf, dataset.colors)
    opened["payload_cpu"] = time.process_time() - c0
    gc.collect()
    base = _status_mb("VmRSS")
    _reset_peak()
    with tempfile.TemporaryDirectory() as tmp:
        c0, t0 = time.process_time(), time.perf_counter()
        _, props = mapdata.write_data_files(dataset.gdf, Path(tmp) / "d", colors=dataset.colors,
                                            per_feature=case == "naive")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = sum(p.stat().st_size for p in props.iterdir())
        blocks = len(list(props.iterdir()))
    return {**opened, "total": wall, "cpu": cpu, "peak_rss_mb": _peak_mb(),
            "write_peak_mb": _status_mb("VmHWM") - base, "props_mb": size / 1e6, "blocks": blocks}


def _memory(path: Path) -> dict:
    """RSS with the dataset open, then after dropping each column group in turn."""
    steps = {"before opening": _rss_mb()}
    gdf = _open(path).gdf  # (the Dataset, gone: only the frame holds the columns)
    steps["open (the frame)"] = _rss_mb()
    for label, names in GROUPS.items():
        if names is None:
            names = [c for c in gdf.columns if c != gdf.geometry.name]
        gdf = gdf.drop(columns=[c for c in names if c in gdf.columns])
        steps[f"without {label}"] = _rss_mb()
    gdf = None
    steps["without the frame"] = _rss_mb()
    return {"memory": steps, "peak_rss_mb": _peak_mb()}


def spawn(case: str, path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(HERE.parent), INCIDENT_MAP_MAX_FILE_MB="8192")
    out = subprocess.run([sys.executable, __file__, "--case", case, "--file", str(path)],
                         env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(rows: list[dict]) -> None:
    """Print the table and the ratios (naive / ours)."""
    print(f"\n{'n':>9} {'case':<7} {'open':>8} {'JSON CPU':>9} {'payload':>8} {'write':>8} "
          f"{'CPU':>8} {'write peak':>11} {'peak RSS':>9} {'props':>9}")
    for r in rows:
        if "total" not in r:
            continue
        print(f"{r['n']:>9} {r['case']:<7} {r['open']:7.2f}s {r['json_cpu']:8.2f}s "
              f"{r['payload_cpu']:7.2f}s {r['total']:7.2f}s {r['cpu']:7.2f}s "
              f"{r['write_peak_mb']:9.0f}MB {r['peak_rss_mb']:7.0f}MB {r['props_mb']:7.1f}MB")
    for n in sorted({r["n"] for r in rows}):
        got = {r["case"]: r for r in rows if r["n"] == n and "total" in r}
        if {"objects", "ours"} <= set(got):
            objects, ours = got["objects"], got["ours"]
            print(f"{n:>9}: objects/typed open {objects['open'] / ours['open']:.1f}x, JSON CPU "
                  f"{objects['json_cpu'] / ours['json_cpu']:.1f}x, write CPU "
                  f"{objects['cpu'] / ours['cpu']:.1f}x")
        if {"naive", "ours"} <= set(got):
            naive, ours = got["naive"], got["ours"]
            print(f"{n:>9}: naive/ours JSON CPU {naive['json_cpu'] / ours['json_cpu']:.1f}x, "
                  f"write wall {naive['total'] / ours['total']:.1f}x, "
                  f"CPU {naive['cpu'] / ours['cpu']:.1f}x, write peak "
                  f"{naive['write_peak_mb']:.0f} / {ours['write_peak_mb']:.0f} MB")
    for r in rows:
        if "memory" in r:
            print(f"\nmemory at {r['n']:,}, {r['case']} (RSS after gc and malloc_trim, MB):")
            for step, mb in r["memory"].items():
                print(f"  {step:<52} {mb:8.0f}")


def main(argv=None) -> int:
    from bench_open import finish, make_data

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-open",
                    help="where bench_open.py's generated files are kept between runs")
    ap.add_argument("--million", action="store_true", help="1,000,000 incidents too (minutes)")
    ap.add_argument("--memory", action="store_true", help="probe the opened dataset's memory")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case, args.file)))
        return 0
    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    for n in [100_000, 1_000_000] if args.million else [100_000]:
        paths = make_data(args.data, n)
        cases = ("naive", "objects", "ours") + (("memory-objects", "memory") if args.memory
                                                 else ())
        for case in cases:
            path = paths["parquet-text" if case in ("naive", "objects", "memory-objects")
                         else "parquet"]
            rows.append({"n": n, "case": case, **spawn(case, path)})
            print(json.dumps(rows[-1]), flush=True)
    return finish(rows, report, args.json)


if __name__ == "__main__":
    sys.exit(main())
