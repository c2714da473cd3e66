"""Filters and counts three ways: pandas masks, DuckDB over the GeoParquet file, naive Python.

Issue 15 asks for the queries where the data is; this measures whether the
page should send its filters to DuckDB (``geodata.query.DuckDBSource``) instead
of its in-memory masks (``geodata.query.FrameSource``, i.e. ``Filters.mask``),
against the naive way (one Python dict per incident, tested one by one).

    python benchmarks/bench_query.py --sizes 100000,1000000 --data /tmp/bench-open

Uses (or makes) ``benchmarks/bench_open.py``'s GeoParquet files. Each query is
timed ``--repeat`` times (median; the naive one once at a million); CPU is the
process's user + system time (DuckDB's threads included). Prints the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import numpy as np  # noqa: E402

import geodata  # noqa: E402
from geodata.filters import Filters  # noqa: E402
from geodata.query import DuckDBSource, FrameSource  # noqa: E402


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    walls, cpus, out = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(walls), statistics.median(cpus), out


def naive_rows(rows: list[dict], f: Filters) -> list[int]:
    """The naive filter: every incident's dict tested in Python."""
    start = None if f.start is None else f.start.strftime("%Y-%m-%d")
    end = None if f.end is None else f.end.strftime("%Y-%m-%d")
    actors, out = set(f.actors), []
    for i, p in enumerate(rows):
        if end is not None and p["date"] > end:
            continue
        if start is not None and (p["end_date"] or p["date"]) < start:
            continue
        if actors:
            hit = ((f.role != "target" and p["actor"] in actors)
                   or (f.role != "perpetrator" and p["target"] in actors))
            if not hit:
                continue
        if f.event_types and p["event_type"] not in f.event_types:
            continue
        if f.statuses and p["attribution_status"] not in f.statuses:
            continue
        if f.bbox is not None:
            x0, y0, x1, y1 = f.bbox
            if not (x0 <= p["lon"] <= x1 and y0 <= p["lat"] <= y1):
                continue
        out.append(i)
    return out


def _dicts(gdf) -> list[dict]:
    day = gdf["date"].dt.strftime("%Y-%m-%d")
    end = (gdf["end_date"].dt.strftime("%Y-%m-%d") if "end_date" in gdf
           else [None] * len(gdf))
    cols = {"date": day, "end_date": end, "actor": gdf["actor"].astype(object),
            "target": gdf["target"].astype(object), "event_type": gdf["event_type"].astype(object),
            "attribution_status": gdf["attribution_status"].astype(object),
            "lon": gdf.geometry.x, "lat": gdf.geometry.y}
    names = list(cols)
    return [dict(zip(names, v, strict=True)) for v in zip(*(list(c) for c in cols.values()),
                                                          strict=True)]


def views(gdf) -> list[tuple[str, Filters]]:
    top = [a for a in gdf["actor"].astype(object).value_counts().index if a != "Unknown"][:2]
    return [("all (reset)", Filters()),
            (f"actor {top[0]}", Filters(actors=top[:1])),
            ("+ role perpetrator", Filters(actors=top[:1], role="perpetrator")),
            ("two actors, one quarter", Filters(actors=top, start="2020-01-01", end="2020-03-31")),
            ("status claimed", Filters(statuses=["claimed"])),
            ("bbox (Iraq)", Filters(bbox=(38.8, 29.0, 48.6, 37.4)))]


def measure(n: int, path: Path, repeat: int, naive_max: int) -> list[dict]:
    gdf = geodata.load(path).gdf
    frame = FrameSource(gdf)
    wall, cpu, duck = _timed(lambda: DuckDBSource(path), 1)
    rows_naive = _dicts(gdf) if n <= naive_max else None
    out = [{"n": n, "query": "DuckDB setup (points decoded, view made)", "duckdb": wall,
            "duckdb_cpu": cpu}]
    for label, f in views(gdf):
        row = {"n": n, "query": label}
        row["pandas"], row["pandas_cpu"], a = _timed(lambda f=f: frame.rows(f), repeat)
        row["duckdb"], row["duckdb_cpu"], b = _timed(lambda f=f: duck.rows(f), repeat)
        assert np.array_equal(a, b), label
        if rows_naive is not None:
            row["naive"], row["naive_cpu"], c = _timed(
                lambda f=f: naive_rows(rows_naive, f), 1 if n >= 1_000_000 else repeat)
            assert c == a.tolist(), label
        row["kept"] = len(a)
        out.append(row)
    for by in ("actor", "day"):
        f = Filters(start="2019-06-01")
        row = {"n": n, "query": f"counts by {by} (GROUP BY)"}
        row["pandas"], row["pandas_cpu"], a = _timed(lambda f=f, by=by: frame.counts(f, by), repeat)
        row["duckdb"], row["duckdb_cpu"], b = _timed(lambda f=f, by=by: duck.counts(f, by), repeat)
        assert a.equals(b), by
        if rows_naive is not None:
            key = "date" if by == "day" else "actor"
            row["naive"], row["naive_cpu"], _ = _timed(  # (the filter, then the count)
                lambda key=key, f=f: Counter(rows_naive[i][key] for i in naive_rows(rows_naive, f)),
                1)
        out.append(row)
    duck.close()
    return out


def _ms(v) -> str:
    return "-" if v is None else f"{1000 * v:.1f} ms"


def report(rows: list[dict]) -> None:
    print(f"\n{'n':>9}  {'query':<42} {'pandas':>10} {'DuckDB':>10} {'naive':>11}  "
          f"{'DuckDB/pandas':>13} {'naive/pandas':>12}  (CPU: pandas, DuckDB)")
    for r in rows:
        p, d, nv = r.get("pandas"), r.get("duckdb"), r.get("naive")
        ratio = f"{d / p:.1f}x" if p and d else "-"
        nratio = f"{nv / p:.0f}x" if p and nv else "-"
        cpu = (f"{_ms(r.get('pandas_cpu'))}, {_ms(r.get('duckdb_cpu'))}"
               if p is not None else _ms(r.get("duckdb_cpu")))
        print(f"{r['n']:>9}  {r['query'][:42]:<42} {_ms(p):>10} {_ms(d):>10} {_ms(nv):>11}  "
              f"{ratio:>13} {nratio:>12}  ({cpu})")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--data", type=Path, default=Path("/tmp/bench-open"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--naive-max", type=int, default=1_000_000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    from bench_open import make_data

    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        rows += measure(n, make_data(args.data, n)["parquet"], args.repeat, args.naive_max)
    report(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
