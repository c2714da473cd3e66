"""Server memory with 1 and with N sessions on one dataset: what each extra visitor costs.

Issue 15: one copy per dataset, under 50 MB more per extra session. Starts a
real ``streamlit run`` of the page on a GeoParquet file (``bench_open.py``'s),
opens one raw websocket session (``load_clients.WsSession``: the page's
script runs as for a browser, its map's draw file is fetched), waits for
the server to settle (the properties blocks written, RSS still), then opens
more sessions one by one, each changing the actor's role once and staying
connected, and reads the server's resident memory after each.

    python benchmarks/bench_sessions.py --sizes 100000,1000000 --sessions 10

Prints RSS with 1 and with N sessions and the MB per extra session.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_page import server_stats, start  # noqa: E402
from load_clients import Plan, Recorder, WsSession  # noqa: E402

from geodata.filters import Filters  # noqa: E402
from geodata.query import DuckDBSource  # noqa: E402

ROOT = HERE.parent


def _plan(path: Path, k: int) -> Plan:
    duck = DuckDBSource(path)
    top = duck.counts(Filters(), "actor").index[0]
    counts = {role: len(duck.rows(Filters(actors=[top], role=role)))
              for role in ("perpetrator", "target", "any")}
    duck.close()
    return Plan(name=f"ws-{k}", kind="ws", actor=str(top), counts=counts)


def _settled(pid: int, quiet: float = 3.0, limit: float = 300.0) -> dict:
    """The server's stats once its RSS has not moved by 2 MB for ``quiet`` seconds."""
    deadline, last, since = time.time() + limit, None, time.time()
    while time.time() < deadline:
        now = server_stats(pid)
        if last is None or abs(now["rss_mb"] - last["rss_mb"]) > 2:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return now
        time.sleep(0.5)
    return server_stats(pid)


async def _sessions(url: str, plan: Plan, pid: int, n: int, timeout: float) -> list[dict]:
    rec, open_ws, out = Recorder(), [], []
    for k in range(n):
        ws = WsSession(url, Plan(f"ws-{k}", "ws", plan.actor, plan.counts), rec, timeout)
        t0 = time.perf_counter()
        await ws.open(first=True)
        await ws.change("perpetrator", first=True)
        took = time.perf_counter() - t0
        open_ws.append(ws)
        stats = await asyncio.to_thread(_settled, pid)
        out.append({"sessions": k + 1, "open_and_change_s": took, **stats,
                    "errors": list(rec.errors)})
        print(json.dumps(out[-1]), flush=True)
    for ws in open_ws:
        await ws.close()
    return out


def measure(n: int, path: Path, sessions: int, timeout: float) -> dict:
    plan = _plan(path, 0)
    with tempfile.TemporaryDirectory() as cache:
        proc, url = start(ROOT / "mapapp" / "app.py", path, env={"INCIDENT_MAP_CACHE": cache})
        try:
            idle = _settled(proc.pid)
            rows = asyncio.run(_sessions(url, plan, proc.pid, sessions, timeout))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    one, last = rows[0], rows[-1]
    per = (last["rss_mb"] - one["rss_mb"]) / max(len(rows) - 1, 1)
    # (the allocator may hand memory back meanwhile: the largest rise is the bound)
    worst = (max(r["rss_mb"] for r in rows) - one["rss_mb"]) / max(len(rows) - 1, 1)
    return {"per_extra_session_bound_mb": max(worst, 0.0), "n": n,
            "idle_mb": idle["rss_mb"], "one_mb": one["rss_mb"], "last_mb": last["rss_mb"],
            "peak_mb": last["peak_mb"], "sessions": len(rows), "per_extra_session_mb": per,
            "rows": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--data", type=Path, default=Path("/tmp/bench-open"))
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    from bench_open import make_data

    results = [measure(n, make_data(args.data, n)["parquet"], args.sessions, args.timeout)
               for n in [int(s) for s in args.sizes.split(",")]]
    print(f"\n{'n':>9}  {'idle':>8} {'1 session':>10} {f'{args.sessions} sessions':>12} "
          f"{'peak':>8}  MB per extra session (goal: under 50)")
    for r in results:
        print(f"{r['n']:>9}  {r['idle_mb']:>6.0f}MB {r['one_mb']:>8.0f}MB {r['last_mb']:>10.0f}MB "
              f"{r['peak_mb']:>6.0f}MB  {r['per_extra_session_mb']:.1f} "
              f"(at most {r['per_extra_session_bound_mb']:.1f}: the largest rise over 1 session)")
        errors = r["rows"][-1]["errors"]
        if errors:
            print(f"           errors: {errors[:3]}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
