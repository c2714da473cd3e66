"""Bounded load on the Streamlit page: browser users and websocket sessions at once.

On loopback only. Generates synthetic incidents in the project's schema
(``bench_export.make_features``), starts the page the way ``mapapp serve``
does (``mapapp.serve.streamlit_command``: 127.0.0.1, a free port, static
serving off, its cache in a temporary ``INCIDENT_MAP_CACHE``), then runs:

* **browser users** (Playwright, Debian's Chromium, one browser context each,
  every non-loopback request aborted): each opens the page with a link
  ``?actor=A`` of its own, waits for ``[data-state="drawn"]`` on
  ``.im-summary-count`` with the ``data-count`` its filter gives, then clicks
  the sidebar's role (perpetrator, target, either) and waits again. A count
  that never matches what this user asked for is an error (state bleed), and
  so is an exception shown in the page. A third of the users also upload small
  GeoJSON files (their actor the perpetrator of all incidents but one, the
  target of that one) and wait for their map to show exactly them, per role.
* **websocket sessions**: plain clients of Streamlit's own protocol
  (``/_stcore/stream``, ``BackMsg``/``ForwardMsg`` protobufs from the
  installed streamlit): each runs the page with its own link query, reads the
  "Incidents shown" metric the script sent it, fetches its map's
  the draw file over HTTP (as the map would), and changes the role through the
  radio's widget state. The server does the work it does for a browser
  (except serving the map's scripts and popup blocks); the client draws
  nothing, so these sessions cost no browser CPU.

Three phases on one server: a warm-up session (the first visitor reads the
file and writes the map's files); the naive order, every client one after
another (open and one round of the three roles each); then all of them at
once, the same round first (its wall time gives the ratio), then changes
(and the uploads) until ``--duration`` has passed. Afterwards every client
fetches its map's draw file again (no HTTP 404 after anyone's uploads)
and a new visitor opens the page.

Streamlit is given ``--server.disconnectedSessionTTL 5`` (default 120) so
that the sessions that left are let go within the run. Reports errors
(the exit status is 1 if there is any), latency percentiles (open -> drawn, change -> drawn), the
server's RSS (idle, warm, peak, after the sessions have gone), RSS per
session, and the disk used by its cache folder.

    python benchmarks/bench_load.py                  # 100,000 incidents, 10 + 40
    python benchmarks/bench_load.py --quick          # under 2 minutes
    python benchmarks/bench_load.py --users 4 --sessions 10 --duration 30 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _p in (ROOT, ROOT / "benchmarks", ROOT / "tests"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from bench_export import _machine as machine_info  # noqa: E402
from bench_export import make_features  # noqa: E402
from conftest import CHROMIUM_ARGS, feature_collection, make_feature  # noqa: E402
from load_clients import (  # noqa: E402
    ROLES,
    BrowserUser,
    Plan,
    Recorder,
    WsSession,
    http_status,
)

import geodata  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
QUICK = {"users": 2, "sessions": 4, "incidents": 10_000, "duration": 10.0, "uploads": 2}
DEFAULTS = {"users": 10, "sessions": 40, "incidents": 100_000, "duration": 60.0, "uploads": 9}
#: Streamlit keeps a gone browser's session this long (s); the default is 120.
SESSION_TTL = 5


# ---------------------------------------------------------------- arguments


def parse_args(argv=None) -> argparse.Namespace:
    """The options; ``--quick`` sets the defaults any explicit option overrides."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, help="browser users (default 10; quick 2)")
    ap.add_argument("--sessions", type=int, help="websocket sessions (default 40; quick 4)")
    ap.add_argument("--incidents", type=int, help="synthetic incidents (default 100000; "
                    "quick 10000)")
    ap.add_argument("--duration", type=float, help="seconds of concurrent load after the "
                    "first round (default 60; quick 10)")
    ap.add_argument("--uploads", type=int, help="small GeoJSON uploads in all, by a third "
                    "of the browser users (default 9; quick 2)")
    ap.add_argument("--timeout", type=float, default=180.0,
                    help="seconds one open or change may take before it is an error")
    ap.add_argument("--quick", action="store_true", help="small numbers: under 2 minutes")
    ap.add_argument("--seed", type=int, default=20200103)
    ap.add_argument("--json", type=Path, help="write the figures to this file")
    args = ap.parse_args(argv)
    base = QUICK if args.quick else DEFAULTS
    for key, value in base.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    for key in ("users", "sessions", "uploads"):
        if getattr(args, key) < 0:
            ap.error(f"--{key} should be 0 or more, got {getattr(args, key)}")
    if args.users + args.sessions < 1:
        ap.error("nothing to run: --users and --sessions are both 0")
    if args.incidents < 100:
        ap.error(f"--incidents should be at least 100, got {args.incidents}")
    if args.uploads and not args.users:
        ap.error("--uploads needs at least one browser user")
    return args


# ---------------------------------------------------------------- plans


def role_counts(gdf, actor: str) -> dict:
    """Incidents shown for ``actor`` in each role (a plain reading of the filter)."""
    return {role: int(geodata.Filters(actors=[actor], role=role).mask(gdf).sum())
            for role in ROLES}


def usable_actors(gdf) -> list[str]:
    """Actors whose three role counts differ and are not 0: a change always shows."""
    names = sorted(set(gdf["actor"].astype(str)) - {"Unknown"})
    out = []
    for actor in names:
        c = role_counts(gdf, actor)
        if min(c.values()) > 0 and len(set(c.values())) == 3:
            out.append(actor)
    return out


def make_plans(gdf, users: int, sessions: int, uploads: int, upload_dir: Path) -> list[Plan]:
    """One plan per client; actors go round, so neighbours ask for different counts."""
    actors = usable_actors(gdf)
    if not actors:
        raise SystemExit("no actor with three different role counts: use more --incidents")
    plans = []
    for i in range(users + sessions):
        kind = "browser" if i < users else "ws"
        actor = actors[i % len(actors)]
        plans.append(Plan(f"{kind}-{i if i < users else i - users}", kind, actor,
                          role_counts(gdf, actor)))
    uploaders = plans[:users][: max(1, users // 3)] if uploads else []
    for j in range(uploads):
        plan = uploaders[j % len(uploaders)]
        path = upload_dir / f"upload-{j:02d}.geojson"
        plan.uploads.append((path, write_upload(path, plan.actor, 3 + j)))
    return plans


def write_upload(path: Path, actor: str, n: int) -> dict:
    """A small upload of ``n`` incidents: ``actor`` the perpetrator of all but the last
    and the target of the last; the count each role shows (n - 1, 1, n: all differ)."""
    features = [make_feature(k, id=f"{path.stem}-{k}", title=f"{path.stem} incident {k}",
                             actor=actor if k < n - 1 else "Someone else",
                             target=actor if k == n - 1 else "Something else")
                for k in range(n)]
    path.write_text(json.dumps(feature_collection(features)), encoding="utf-8")
    return {"perpetrator": n - 1, "target": 1, "any": n}


# ---------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB), from /proc."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(k) for k in kids] + [g for k in kids for g in _children(int(k))]


def disk_mb(path: Path) -> float:
    """Bytes of the files below ``path`` (MB); symlinks not followed."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total / 1e6


class Server:
    """``streamlit run`` of the page, as ``mapapp serve`` starts it, with a sampler."""

    def __init__(self, data: Path, workdir: Path):
        from mapapp.serve import streamlit_command

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cache = workdir / "cache"
        self.log = workdir / "server.log"
        cmd = streamlit_command(str(data), port=self.port, headless=True)
        extra = ["--server.fileWatcherType", "none",
                 "--server.disconnectedSessionTTL", str(SESSION_TTL)]
        cut = cmd.index("--")
        cmd = cmd[:cut] + extra + cmd[cut:]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "INCIDENT_MAP_CACHE": str(self.cache)}
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out,
                                         stderr=subprocess.STDOUT)
        self.peak_rss = self.peak_disk = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2):
                    self._sampler.start()
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"the page did not start:\n{self.log.read_text()[-2000:]}")

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_rss = max(self.peak_rss, rss_mb(self.proc.pid))
            self.peak_disk = max(self.peak_disk, disk_mb(self.cache))

    def reset_peaks(self) -> None:
        self.peak_rss, self.peak_disk = rss_mb(self.proc.pid), disk_mb(self.cache)

    def now(self) -> dict:
        return {"rss_mb": rss_mb(self.proc.pid), "disk_mb": disk_mb(self.cache)}

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback")


# ---------------------------------------------------------------- phases


def _client(browser, url: str, plan: Plan, rec: Recorder, timeout: float):
    if plan.kind == "browser":
        return BrowserUser(browser, url, plan, rec, timeout)
    return WsSession(url, plan, rec, timeout)


async def _guarded(plan: Plan, rec: Recorder, coro) -> None:
    """Run one client's steps; a crash of the client is an error, not the end of the run."""
    try:
        await coro
    except Exception as exc:  # (Playwright, websockets, timeouts)
        rec.error(plan, f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")


async def _round(client, first: bool) -> None:
    for role in ("perpetrator", "target", "any"):
        await client.change(role, first)


async def sequential(browser, url, plans, rec, timeout) -> dict:
    """The naive order: each client opens and does one round, then leaves; wall time per kind."""
    rec.phase = "sequential"
    wall: dict = {}
    for plan in plans:
        t0 = time.perf_counter()
        client = _client(browser, url, plan, rec, timeout)

        async def steps(client=client):
            await client.open(True)
            await _round(client, True)

        await _guarded(plan, rec, steps())
        await _guarded(plan, rec, client.close())
        wall[plan.kind] = wall.get(plan.kind, 0.0) + time.perf_counter() - t0
    wall["all"] = sum(wall.values())
    return wall


async def concurrent(browser, url, plans, rec, args) -> tuple[dict, list]:
    """Every client at once: one round (timed), then changes and uploads until the deadline."""
    rec.phase = "concurrent"
    t0 = time.perf_counter()
    deadline = t0 + args.duration
    done: dict = {}
    clients = [_client(browser, url, plan, rec, args.timeout) for plan in plans]

    async def steps(client):
        await client.open(True)
        await _round(client, True)
        for kind in (client.plan.kind, "all"):
            done[kind] = max(done.get(kind, 0.0), time.perf_counter() - t0)
        for path, counts in client.plan.uploads:
            await client.upload(path, counts)
            await _round(client, False)
        while time.perf_counter() < deadline:
            await _round(client, False)

    await asyncio.gather(*(_guarded(c.plan, rec, steps(c)) for c in clients))
    return done, clients


async def afterwards(browser, url, plans, clients, rec, timeout) -> None:
    """Every client's map files still load; a new visitor's map draws."""
    rec.phase = "after"
    for client in clients:
        if isinstance(client, BrowserUser):
            status = await client.final_status()
        else:
            status = (await asyncio.to_thread(http_status, client.draw_url))[0] \
                if client.draw_url else 0
        if status != 200:
            rec.error(client.plan, f"its map's draw file answered HTTP {status} at the end")
    visitor = Plan("new-visitor", plans[0].kind, plans[0].actor, plans[0].counts)
    client = _client(browser, url, visitor, rec, timeout)
    await _guarded(visitor, rec, client.open(False))
    await _guarded(visitor, rec, client.close())
    for c in clients:
        await _guarded(c.plan, rec, c.close())


async def run_all(server: Server, plans: list[Plan], rec: Recorder, args, result: dict) -> None:
    """Warm-up, the naive order, all at once, the checks; figures into ``result``."""
    from playwright.async_api import async_playwright

    # SIGTERM stops the run as Ctrl-C does: the page is stopped, its data removed
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, asyncio.current_task().cancel)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=CHROMIUM_ARGS)
        memory = result["memory"]
        t0 = time.perf_counter()
        warm = Plan("warm-up", "ws", plans[0].actor, plans[0].counts)
        client = WsSession(server.url, warm, rec, args.timeout)
        await _guarded(warm, rec, client.open(False))
        await client.close()
        result["first_visit_s"] = time.perf_counter() - t0
        memory["warm"] = server.now()
        print(f"warm: first visit {result['first_visit_s']:.1f} s; {memory['warm']}", flush=True)
        server.reset_peaks()
        result["wall_sequential"] = await sequential(browser, server.url, plans, rec,
                                                     args.timeout)
        memory["peak_sequential"] = {"rss_mb": server.peak_rss, "disk_mb": server.peak_disk}
        print(f"sequential: {result['wall_sequential']}; errors so far {len(rec.errors)}",
              flush=True)
        server.reset_peaks()
        result["wall_concurrent"], clients = await concurrent(browser, server.url, plans, rec,
                                                              args)
        await afterwards(browser, server.url, plans, clients, rec, args.timeout)
        memory["peak_concurrent"] = {"rss_mb": server.peak_rss, "disk_mb": server.peak_disk}
        print(f"concurrent: {result['wall_concurrent']}; errors so far {len(rec.errors)}",
              flush=True)
        await browser.close()
    await asyncio.sleep(SESSION_TTL + 3)  # (Streamlit lets the gone sessions go)
    memory["after"] = server.now()


# ---------------------------------------------------------------- report


def percentiles(values: list[float]) -> dict:
    """n, p50, p90 and max (nearest rank) of some timings; None for no timing."""
    if not values:
        return {"n": 0, "p50": None, "p90": None, "max": None}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))]

    return {"n": len(ordered), "p50": rank(0.5), "p90": rank(0.9), "max": ordered[-1]}


def latency_table(events: list[dict]) -> list[dict]:
    """Percentiles per phase, client kind and step (open, change, upload)."""
    rows = []
    for phase in ("sequential", "concurrent", "after"):
        for kind in ("browser", "ws"):
            for what in ("open", "change", "upload"):
                times = [e["seconds"] for e in events
                         if (e["phase"], e["kind"], e["what"]) == (phase, kind, what)]
                if times:
                    rows.append({"phase": phase, "kind": kind, "what": what,
                                 **percentiles(times)})
    return rows


def ratios(events: list[dict], wall_seq: dict, wall_conc: dict) -> list[dict]:
    """Concurrent against one-after-another, on the same first round of every client."""
    out = []
    if wall_seq.get("all") and wall_conc.get("all"):
        out.append({"what": "wall time until every client has opened and done one round",
                    "naive": wall_seq["all"], "ours": wall_conc["all"],
                    "ratio": wall_seq["all"] / wall_conc["all"],
                    "means": "one after another / all at once: above 1, serving them at "
                             "once is faster than queueing them"})
    for kind in ("browser", "ws"):
        for what in ("open", "change"):
            def p50(phase, kind=kind, what=what):
                return percentiles([e["seconds"] for e in events if e["first_round"]
                                    and (e["phase"], e["kind"], e["what"])
                                    == (phase, kind, what)])["p50"]

            seq, conc = p50("sequential"), p50("concurrent")
            if seq is None or conc is None:
                continue
            out.append({"what": f"{kind}: p50 {what} -> drawn, first round",
                        "naive": seq, "ours": conc, "ratio": conc / seq if seq else None,
                        "means": "all at once / alone: the slow-down one user feels"})
    return out


def memory_figures(memory: dict, clients: int) -> dict:
    """RSS per session: the concurrent peak over the warm server, shared by every session."""
    warm = memory["warm"]["rss_mb"]
    return {
        "rss_idle_mb": memory["idle"]["rss_mb"], "rss_warm_mb": warm,
        "rss_peak_sequential_mb": memory["peak_sequential"]["rss_mb"],
        "rss_peak_mb": memory["peak_concurrent"]["rss_mb"],
        "rss_after_mb": memory["after"]["rss_mb"],
        "rss_per_session_mb": (memory["peak_concurrent"]["rss_mb"] - warm) / clients,
        "rss_one_session_mb": memory["peak_sequential"]["rss_mb"] - warm,
        "disk_warm_mb": memory["warm"]["disk_mb"],
        "disk_peak_mb": memory["peak_concurrent"]["disk_mb"],
        "disk_after_mb": memory["after"]["disk_mb"],
    }


def _s(v) -> str:
    return "-" if v is None else f"{v:.2f}"


def format_report(result: dict) -> str:
    """The figures as text: setup, errors, latencies, ratios, memory and disk."""
    a = result["args"]
    lines = [f"\nload: {a['incidents']:,} incidents, {a['users']} browser users + "
             f"{a['sessions']} websocket sessions, {a['uploads']} uploads, "
             f"{a['duration']:g} s concurrent; loopback only",
             f"machine: {result.get('machine', {})}",
             f"first visit (reads the file, writes the map's files): "
             f"{_s(result.get('first_visit_s'))} s",
             f"errors: {len(result['errors'])}; server tracebacks: "
             f"{result.get('server_tracebacks', '-')}"]
    lines += [f"  {e}" for e in result["errors"][:20]]
    lines.append(f"\n{'phase':<11} {'client':<8} {'step':<7} {'n':>5} {'p50 s':>7} "
                 f"{'p90 s':>7} {'max s':>7}")
    for r in result["latency"]:
        lines.append(f"{r['phase']:<11} {r['kind']:<8} {r['what']:<7} {r['n']:>5} "
                     f"{_s(r['p50']):>7} {_s(r['p90']):>7} {_s(r['max']):>7}")
    lines.append("\nall at once vs one after another (the naive order), same work")
    for r in result["ratios"]:
        lines.append(f"  {r['what']}: {_s(r['naive'])} s one after another, {_s(r['ours'])} s "
                     f"at once; ratio {_s(r['ratio'])} ({r['means']})")
    m = result.get("memory_figures")
    if m:
        lines += [
            "\nserver memory (RSS, MB) and its cache folder on disk (MB)",
            f"  RSS idle {m['rss_idle_mb']:.0f}, warm {m['rss_warm_mb']:.0f}, peak alone "
            f"{m['rss_peak_sequential_mb']:.0f}, peak all at once {m['rss_peak_mb']:.0f}, "
            f"after the sessions left {m['rss_after_mb']:.0f}",
            f"  per session: {m['rss_per_session_mb']:.1f} MB ((peak - warm) / "
            f"{a['users'] + a['sessions']} clients); one session alone: "
            f"{m['rss_one_session_mb']:.1f} MB (peak of the naive order - warm)",
            f"  disk: warm {m['disk_warm_mb']:.1f}, peak {m['disk_peak_mb']:.1f}, "
            f"after {m['disk_after_mb']:.1f}"]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def make_dataset(n: int, seed: int, directory: Path) -> tuple:
    """Synthetic incidents written as GeoParquet; the frame the page will read back."""
    gdf = geodata.frame_from_features(make_features(n, seed))
    path = directory / f"incidents-{n}.parquet"
    geodata.write(gdf, path)
    return geodata.read(path), path


def run(args) -> dict:
    """Build the data, start the page, run the phases; the raw figures."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    rec = Recorder()
    result: dict = {"args": {k: (str(v) if isinstance(v, Path) else v)
                             for k, v in vars(args).items()},
                    "machine": machine_info(), "date": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                     time.gmtime())}
    try:
        t0 = time.perf_counter()
        gdf, data = make_dataset(args.incidents, args.seed, workdir)
        plans = make_plans(gdf, args.users, args.sessions, args.uploads, workdir)
        print(f"{len(gdf):,} incidents written in {time.perf_counter() - t0:.1f} s", flush=True)
        server = Server(data, workdir)
        server.wait_ready()
        result["memory"] = {"idle": server.now()}
        try:
            asyncio.run(run_all(server, plans, rec, args, result))
        finally:
            server.stop()
        result["server_tracebacks"] = server.tracebacks()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["errors"] = rec.errors
    result["events"] = rec.events
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    try:
        result = run(args)
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("stopped: the page is stopped and its data removed", file=sys.stderr)
        return 130
    result["latency"] = latency_table(result["events"])
    result["ratios"] = ratios(result["events"], result.get("wall_sequential", {}),
                              result.get("wall_concurrent", {}))
    if {"warm", "after", "peak_concurrent"} <= set(result.get("memory", {})):
        result["memory_figures"] = memory_figures(result["memory"], args.users + args.sessions)
    result["runtime_s"] = time.perf_counter() - t0
    print(format_report(result))
    print(f"\nruntime {result['runtime_s']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 1 if result["errors"] or result.get("server_tracebacks") else 0


if __name__ == "__main__":
    raise SystemExit(main())
