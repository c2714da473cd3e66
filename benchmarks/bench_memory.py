"""Benchmark the server's memory with a big dataset open, against an older version, in one run.

What the page's server holds, step by step, for a dataset opened from
GeoParquet (``bench_open.py``'s synthetic incidents, typed layout), each
version in a fresh process:

- ``load_dataset``: :func:`mapapp.state.load_dataset` as the page calls it
  (``geodata.load`` and the ``Dataset``);
- ``draw``: the first draw payload (:func:`mapapp.mapdata.draw_files`,
  what the map fetches first);
- ``select``: the first incident selected (its position, its linked
  incidents' titles, the links to it);
- ``blocks`` (with ``--blocks``): every properties block made, as the
  page's background thread does.

After each step: the resident memory as the server has it (``RSS``: what the
system sees, freed memory the allocators kept included), and at the end the
memory in use (after a collection, Arrow's pool released and ``malloc_trim``),
Arrow's allocated bytes and the peak (``VmHWM``). Wall and CPU seconds per
step. ``--before REV[,REV...]`` runs the same steps on ``git archive REV`` of
this repository (default ``main``), in the same run.

Usage::

    .venv/bin/python benchmarks/bench_memory.py --sizes 100000 --before main
    .venv/bin/python benchmarks/bench_memory.py --sizes 1000000 --before main --blocks
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _rss_now() -> float:
    """Resident memory now, MB (nothing collected or trimmed first)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _in_use() -> float:
    """Resident memory in use, MB: after a collection, Arrow's pool released and malloc_trim."""
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    return _rss_now()


def _peak() -> float:
    """This process's peak resident memory, MB (``VmHWM``)."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) / 1024 for line in fh if line.startswith("VmHWM:"))


def _step(out: dict, name: str, work):
    """Run ``work()``, recording its wall and CPU seconds and the RSS after it."""
    c0, t0 = time.process_time(), time.perf_counter()
    result = work()
    out[f"{name}_s"] = time.perf_counter() - t0
    out[f"{name}_cpu"] = time.process_time() - c0
    out[f"{name}_rss"] = _rss_now()
    return result


def run_steps(path: Path, blocks: bool) -> dict:
    """The steps, in this process (the tree on ``sys.path`` is the version measured)."""
    import pyarrow as pa

    from mapapp import mapdata, state  # (of the tree measured: nothing here imports ROOT)

    out = {"start_rss": _rss_now()}
    dataset = _step(out, "load", lambda: state.load_dataset(path, lenient=True))
    draw = _step(out, "draw", lambda: mapdata.draw_files(dataset.gdf, dataset.colors))
    out["draw_mb"] = len(draw) / 1e6
    del draw

    def select():
        some = str(dataset.ids[len(dataset.ids) // 2])
        i = dataset.position(some)
        dataset.titles.get(some)
        return i, dataset.incoming.get(some, [])

    _step(out, "select", select)
    if blocks:
        _step(out, "blocks", lambda: sum(len(b) for _, b in mapdata.gzip_blocks(dataset.gdf,
                                                                              10_000)))
    out.update(in_use=_in_use(), arrow_mb=pa.total_allocated_bytes() / 2**20,
               peak=_peak(), incidents=dataset.total)
    return out


def tree_of(rev: str, into: Path) -> Path:
    """``git archive rev`` of this repository, unpacked in ``into``."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True,
                          capture_output=True).stdout
    tmp = into / "archive.tar"
    tmp.write_bytes(data)
    with tarfile.open(tmp) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def spawn(tree: Path, path: Path, blocks: bool) -> dict:
    """The steps in a fresh process with ``tree`` first on its path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tree), str(HERE)]),
               INCIDENT_MAP_MAX_FILE_MB="8192")
    args = [sys.executable, __file__, "--run", str(path), "--tree", str(tree)]
    out = subprocess.run(args + (["--blocks"] if blocks else []), env=env,
                         capture_output=True, text=True, check=False)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


_COLUMNS = (("load_s", "load", "s"), ("load_cpu", "CPU", "s"), ("load_rss", "RSS", "MB"),
            ("draw_s", "draw", "s"), ("draw_rss", "RSS", "MB"), ("select_s", "select", "s"),
            ("select_rss", "RSS", "MB"), ("blocks_rss", "blocks RSS", "MB"),
            ("in_use", "in use", "MB"), ("arrow_mb", "Arrow", "MB"), ("peak", "peak", "MB"))


def report(rows: list[dict]) -> None:
    """Print each version's steps, then before / ours."""
    print(f"\n{'n':>9} {'version':<14}" + "".join(f"{h:>11}" for _, h, _ in _COLUMNS))
    for r in rows:
        if "error" in r:
            print(f"{r['n']:>9} {r['version']:<14} {r['error']}")
            continue
        cells = "".join(f"{r[k]:>9.2f}{u:<2}" if u == "s" else f"{r[k]:>9.0f}{u}" if k in r
                        else f"{'':>11}" for k, _, u in _COLUMNS)
        print(f"{r['n']:>9} {r['version']:<14}{cells}")
    for n in sorted({r["n"] for r in rows}):
        mine = next((r for r in rows if r["n"] == n and r["version"] == "ours"), {})
        for old in (r for r in rows if r["n"] == n and r["version"] != "ours"):
            parts = [f"{h} {old[k] / mine[k]:.2f}x" for k, h in (
                ("load_cpu", "load CPU"), ("load_rss", "RSS after load"),
                ("draw_rss", "RSS after draw"), ("select_cpu", "select CPU"),
                ("select_rss", "RSS after select"), ("in_use", "in use"), ("peak", "peak"))
                if mine.get(k) and old.get(k)]
            if parts:
                print(f"{n:>9}: {old['version']} / ours: " + ", ".join(parts))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000", help="comma-separated (1000000 takes GBs)")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-open",
                    help="where bench_open.py's generated files are kept between runs")
    ap.add_argument("--before", default="main", help="the versions to compare with "
                    "(comma-separated git revs; '' for none)")
    ap.add_argument("--blocks", action="store_true", help="also make every properties block")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--run", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.run:
        print(json.dumps(run_steps(args.run, args.blocks)))
        return 0
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from bench_open import finish, make_data

    print(f"python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        versions = []
        for k, before in enumerate(b for b in args.before.split(",") if b):
            rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", before],
                                 check=True, capture_output=True, text=True).stdout.strip()
            (Path(tmp) / str(k)).mkdir()
            versions.append((f"before {rev}", tree_of(before, Path(tmp) / str(k))))
        versions.append(("ours", ROOT))
        for n in [int(s) for s in args.sizes.split(",")]:
            path = make_data(args.data, n)["parquet"]
            for version, tree in versions:
                row = {"n": n, "version": version, **spawn(tree, path, args.blocks)}
                rows.append(row)
                print(json.dumps(row), flush=True)
    return finish(rows, report, args.json)


if __name__ == "__main__":
    sys.exit(main())
