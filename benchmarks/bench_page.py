"""How fast the Streamlit page redraws after a filter change, against the naive page.

Runs, in one go, a real ``streamlit run`` of the page (mapapp/app.py) and of
the naive page (benchmarks/naive_page.py: re-read on every rerun, a Python
loop to filter, one folium Marker per incident) on the same synthetic data,
drives each in headless Chromium (Debian's, every non-loopback request
blocked), and times each filter change from the key press or click to the
moment the map shows the new incidents.

    python benchmarks/bench_page.py --sizes 10000,100000 --naive-max 10000

The page's open (issue 15): ``--formats parquet,geojson`` opens each file
format (GeoJSON twice: the first time, converting it into an empty working-
copy folder, then from the copy); ``--data DIR`` takes (or makes) the files
of ``benchmarks/bench_open.py``; ``--before DIR`` runs the same cases on
another checkout of the page (e.g. ``git archive main | tar -x -C DIR``), in
the same run, for a before/after ratio. Each case records the server's CPU
seconds and resident memory when the map is drawn. The page is opened as
soon as the server answers (its first visitor races the server's own opening
of the dataset, :mod:`mapapp.warmup`); ``--when-ready`` adds, per format, a
case opened once the server's console says the dataset is open: a visitor
to a running server.

    python benchmarks/bench_page.py --sizes 100000,1000000 --naive-max 0 \
        --formats parquet,geojson --data /tmp/bench-open --before /tmp/page-before

Prints a table with the ratios; ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_export import make_features  # noqa: E402
from conftest import CHROMIUM_ARGS, is_local_url  # noqa: E402
from load_clients import is_map_frame_url  # noqa: E402

import geodata  # noqa: E402
from mapapp.contract import DRAW_FILE  # noqa: E402

TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: What the server's console says once its dataset is open (mapapp/warmup.py).
READY = ("the page is ready", "could not be opened")


def wait_ready(log: Path, timeout: float) -> bool:
    """Wait until the server's console says its dataset is open (or why not)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        text = log.read_text(errors="replace") if log.is_file() else ""
        if any(line in text for line in READY):
            return True
        time.sleep(0.05)
    return False


def start(script: Path, data: Path, cwd: Path = ROOT, env: dict | None = None,
          log: Path | None = None) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, MAPAPP_DATA=str(data), **(env or {}))
    env["PYTHONPATH"] = str(cwd)
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--browser.gatherUsageStats", "false", "--server.enableStaticServing", "true",
           "--server.fileWatcherType", "none", "--server.maxMessageSize", "1000"]
    out = open(log, "w") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    if log is not None:
        out.close()  # (the child holds its own copy)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"{script} did not start")


def _frame(page):
    for frame in page.frames:
        if is_map_frame_url(frame.url):  # (ours, or st_folium's in a --before checkout)
            return frame
    return None


OURS_COUNT = """() => {
  const el = document.querySelector('.im-summary-count');
  return el ? parseInt(el.dataset.count, 10) : null;
}"""
NAIVE_COUNT = "() => document.querySelectorAll('.leaflet-marker-icon').length"


def wait_count(page, mode: str, expected: int, t0: float) -> float | None:
    """Seconds from t0 until the map shows ``expected`` incidents (None on timeout)."""
    script = OURS_COUNT if mode == "ours" else NAIVE_COUNT
    while time.perf_counter() - t0 < TIMEOUT:
        frame = _frame(page)
        if frame is not None:
            try:
                if frame.evaluate(script) == expected:
                    frame.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
                    return time.perf_counter() - t0
            except Exception:  # the frame is being replaced
                pass
        page.wait_for_timeout(15)
    return None


#: The page has shown everything: the filters, the table and the timeline are there and
#: Streamlit runs no script (``stApp``'s ``data-test-script-state``).
SETTLED = """() => !!document.querySelector('[data-testid="stDataFrame"]')
    && !!document.querySelector('[data-testid="stSidebar"] [data-testid="stMultiSelect"]')
    && document.querySelector('[data-testid="stApp"]')
         .getAttribute('data-test-script-state') === 'notRunning'"""


def settled(page, t0: float) -> float | None:
    """Seconds from t0 until the page shows its filters, table and timeline, run ended.

    A person changes a filter once the page has come, not while its panels
    still arrive: the filter changes are measured from there (each 0.5 s
    after the last). None when it does not settle within the timeout.
    """
    try:
        page.wait_for_function(SETTLED, timeout=TIMEOUT * 1000, polling=50)
    except Exception:  # noqa: BLE001 (a figure, not a failure: the changes follow anyway)
        return None
    return time.perf_counter() - t0


def choose_actor(page, name: str) -> float:
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').first
    box.click()
    box.fill(name)
    option = page.get_by_role("option", name=name, exact=True).first
    option.hover()
    t0 = time.perf_counter()
    option.click()
    return t0


def click_text(page, text: str) -> float:
    target = page.locator('[data-testid="stSidebar"]').get_by_text(text, exact=True).first
    target.hover()
    t0 = time.perf_counter()
    target.click()
    return t0


def close_dropdown(page):
    page.keyboard.press("Escape")
    page.wait_for_timeout(200)


def server_stats(pid: int) -> dict:
    """The server's CPU seconds (user + system, all threads) and resident memory now (MB)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    tick = os.sysconf("SC_CLK_TCK")
    mem = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status.splitlines()
           if line.startswith(("VmRSS", "VmHWM"))}
    return {"cpu_s": (int(fields[11]) + int(fields[12])) / tick,
            "rss_mb": mem.get("VmRSS"), "peak_mb": mem.get("VmHWM")}


def measure(pw, mode: str, data: Path, gdf, actors: list[str], user_dir: str,
            root: Path = ROOT, env: dict | None = None, when_ready: bool = False) -> dict:
    """Open the page (at once, or once the server says its dataset is open), then filter."""
    script = root / "mapapp" / "app.py" if mode == "ours" else ROOT / "benchmarks" / "naive_page.py"
    log = Path(user_dir) / "server.log"
    launched = time.perf_counter()
    proc, url = start(script, data, cwd=root if mode == "ours" else ROOT, env=env, log=log)
    ready_s = None
    if when_ready and (root / "mapapp" / "warmup.py").is_file():
        if wait_ready(log, TIMEOUT):
            ready_s = round(time.perf_counter() - launched, 2)
    ctx = pw.chromium.launch_persistent_context(
        user_dir, executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 1400})
    page = ctx.new_page()
    page.route("**/*", lambda r: r.continue_() if is_local_url(r.request.url) else r.abort())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    result = {"mode": mode, "n": len(gdf), "changes": [], "server_ready_s": ready_s}
    stages: dict[str, float] = {}
    t0 = time.perf_counter()

    def stage(name: str, url: str, marker: str) -> None:
        if marker in url and name not in stages:
            stages[name] = round(time.perf_counter() - t0, 2)

    page.on("request", lambda r: (is_map_frame_url(r.url)
                                  and stage("map frame asked", r.url, "/index.html"),
                                  stage("draw file asked", r.url, "/" + DRAW_FILE)))
    # (got: the whole file, not an early "not written yet" 404 the map asks again after)
    answered: set[str] = set()
    page.on("response", lambda r: r.status == 200 and answered.add(r.url))
    page.on("requestfinished", lambda r: r.url in answered
            and stage("draw file got", r.url, "/" + DRAW_FILE))
    try:
        t0 = time.perf_counter()
        page.goto(url + "/")
        result["first_draw_s"] = wait_count(page, mode, len(gdf), t0)
        result["stages"] = stages  # (seconds from opening: where the first draw's time goes)
        result["server_at_draw"] = server_stats(proc.pid)
        if result["first_draw_s"] is None:
            result["note"] = f"first draw not done within {TIMEOUT:.0f} s"
            return result
        steps = [
            ("actor " + actors[0], lambda: choose_actor(page, actors[0]),
             geodata.Filters(actors=[actors[0]])),
            ("role perpetrator", lambda: (close_dropdown(page), click_text(page, "perpetrator"))[1],
             geodata.Filters(actors=[actors[0]], role="perpetrator")),
            ("+ actor " + actors[1], lambda: choose_actor(page, actors[1]),
             geodata.Filters(actors=actors[:2], role="perpetrator")),
        ]
        if mode == "ours":
            steps.append(("reset (all incidents)",
                          lambda: (close_dropdown(page), click_text(page, "Reset filters"))[1],
                          geodata.Filters()))
        if mode == "ours":  # (its second run, which the drawn map asks for, brings the rest)
            result["settled_s"] = settled(page, t0)
        for label, act, filters in steps:
            expected = gdf.count(filters)
            page.wait_for_timeout(500)
            start_t = act()
            took = wait_count(page, mode, expected, start_t)
            result["changes"].append({"change": label, "incidents": expected, "seconds": took})
            if took is None:
                frame = _frame(page)
                script = OURS_COUNT if mode == "ours" else NAIVE_COUNT
                shown = frame.evaluate(script) if frame else None
                result["note"] = (f"{label}: the map still showed {shown} incidents after "
                                  f"{TIMEOUT:.0f} s; page errors: {errors or 'none'}")
                break
    except Exception as exc:  # noqa: BLE001 (kept in the figures: one case fails, not the run)
        result["note"] = f"{type(exc).__name__}: {str(exc)[:300]}"
    finally:
        ctx.close()
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # (busy writing a million incidents' files)
            proc.kill()
            proc.wait(timeout=20)
    return result


def _fmt(v) -> str:
    return "timeout" if v is None else f"{v:.2f} s"


def _cases(args, data_paths: dict, tmp: str) -> list[tuple[str, str, Path, Path, dict]]:
    """(label, mode, page checkout, data file, env) for each case of one size."""
    roots = [("ours", ROOT)] + ([("before", Path(args.before))] if args.before else [])
    if args.before_first:  # (the first case of a size runs colder: run each order once)
        roots.reverse()
    cases = []
    for fmt in args.formats.split(","):
        for label, root in roots:
            cache = tempfile.mkdtemp(dir=tmp, prefix="cache-")  # (empty: a first conversion)
            env = {"INCIDENT_MAP_CACHE": cache}
            names = ["geojson first", "geojson cached"] if fmt == "geojson" else [fmt]
            for name in names:
                cases.append((f"{label} {name}", "ours", root, data_paths[fmt], env))
            if args.when_ready and label == "ours":  # (a fresh working copy: first again)
                env = {"INCIDENT_MAP_CACHE": tempfile.mkdtemp(dir=tmp, prefix="cache-")}
                cases.append((f"{label} {names[0]}, when ready", "ours", root,
                              data_paths[fmt], env))
    return cases


class _Counts:
    """How many incidents a view keeps, asked of DuckDB over the GeoParquet file.

    (No frame of a million incidents in this process beside the server's.)
    """

    def __init__(self, path: Path):
        from geodata.query import DuckDBSource

        self.source = DuckDBSource(path)
        self.n = len(self.source.rows(geodata.Filters()))

    def __len__(self) -> int:
        return self.n

    def count(self, filters) -> int:
        return len(self.source.rows(filters))

    def actors(self) -> list[str]:
        names = self.source.counts(geodata.Filters(), "actor").index
        return [a for a in names if a not in ("Unknown", "(none)")][:2]


def _data(args, tmp: str, n: int) -> tuple[dict, _Counts]:
    """The size's files (``--data``: made once and kept) and their counter."""
    if args.data:
        from bench_open import make_data

        paths = make_data(Path(args.data), n)
        return paths, _Counts(paths["parquet"])
    gdf = geodata.frame_from_features(make_features(n))
    paths = {"geojson": Path(tmp) / f"incidents-{n}.geojson",
             "parquet": Path(tmp) / f"incidents-{n}.parquet"}
    for path in paths.values():
        geodata.write(gdf, path)
    return paths, _Counts(paths["parquet"])


def _print_open(results: list[dict]) -> None:
    print("\nopening -> every incident drawn (server CPU and memory at that moment)")
    print(f"{'n':>8}  {'case':<24} {'wall':>9} {'server CPU':>11} {'RSS':>9} {'peak':>9}")
    for r in results:
        if r["mode"] != "ours":
            continue
        st = r.get("server_at_draw") or {}
        print(f"{r['n']:>8}  {r.get('case', 'ours'):<24} {_fmt(r.get('first_draw_s')):>9} "
              f"{st.get('cpu_s', 0):>10.1f}s {st.get('rss_mb', 0):>7.0f}MB "
              f"{st.get('peak_mb', 0):>7.0f}MB")
        if r.get("stages"):
            print(f"{'':>10}  stages: " + ", ".join(f"{k} {v:.2f} s"
                                                    for k, v in r["stages"].items()))
        if r.get("settled_s") is not None:
            print(f"{'':>10}  the whole page (filters, table, timeline; no run) at "
                  f"{r['settled_s']:.2f} s; the filter changes are measured after it")
        if r.get("server_ready_s") is not None:
            print(f"{'':>10}  opened once the server said it was ready, "
                  f"{r['server_ready_s']:.2f} s after it was started")
    for r in results:
        if r.get("case", "").startswith("before ") and r.get("first_draw_s"):
            ours = next((o for o in results if o["n"] == r["n"]
                         and o.get("case") == "ours " + r["case"][7:]), None)
            if ours and ours.get("first_draw_s"):
                print(f"{r['n']:>8}  before/ours, {r['case'][7:]}: "
                      f"{r['first_draw_s'] / ours['first_draw_s']:.2f}x wall")


def main(argv=None) -> int:
    global TIMEOUT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--naive-max", type=int, default=10000)
    parser.add_argument("--formats", default="geojson", help="geojson, parquet or both")
    parser.add_argument("--data", help="folder of bench_open.py's files (made if missing)")
    parser.add_argument("--before", help="another checkout of the page, run in the same cases")
    parser.add_argument("--when-ready", action="store_true",
                        help="also open each format once the server says its dataset is open")
    parser.add_argument("--before-first", action="store_true",
                        help="run the --before checkout's case first in each size")
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    TIMEOUT = args.timeout
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        for n in [int(s) for s in args.sizes.split(",")]:
            paths, gdf = _data(args, tmp, n)
            actors = gdf.actors()
            for case, mode, root, data, env in _cases(args, paths, tmp):
                r = measure(pw, mode, data, gdf, actors, tempfile.mkdtemp(dir=tmp), root, env,
                            when_ready=case.endswith("when ready"))
                r["case"] = case
                results.append(r)
                print(json.dumps(r), flush=True)
            if n <= args.naive_max:
                r = measure(pw, "naive", paths["geojson"], gdf, actors, tempfile.mkdtemp(dir=tmp))
                results.append(r)
                print(json.dumps(r), flush=True)
            else:
                results.append({"mode": "naive", "n": n, "note": "skipped (--naive-max)"})
            del gdf
    _print_changes(results)
    _print_open(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


def _print_changes(results: list[dict]) -> None:
    print("\nfilter change -> map redrawn (headless Chromium, streamlit run on loopback)")
    print(f"{'n':>8}  {'change':<38} {'incidents':>9}  {'ours':>9}  {'naive':>9}  ratio")
    for n in sorted({r["n"] for r in results}):
        ours = next(r for r in results if r["n"] == n and r["mode"] == "ours")
        naive = next((r for r in results if r["n"] == n and r["mode"] == "naive"), {})
        print(f"{n:>8}  {'first draw':<38} {n:>9}  {_fmt(ours.get('first_draw_s')):>9}  "
              f"{_fmt(naive.get('first_draw_s')) if naive.get('changes') is not None else '-':>9}")
        for i, c in enumerate(ours.get("changes", [])):
            nc = (naive.get("changes") or [None] * 10)
            nv = nc[i]["seconds"] if i < len(nc) and nc[i] else None
            has_naive = i < len(naive.get("changes") or [])
            ratio = (f"{nv / c['seconds']:.0f}x" if nv and c["seconds"] else "-")
            print(f"{n:>8}  {c['change'][:38]:<38} {c['incidents']:>9}  {_fmt(c['seconds']):>9}  "
                  f"{(_fmt(nv) if has_naive else naive.get('note', '-')):>9}  {ratio}")
        times = [c["seconds"] for r in results if r["n"] == n and r["mode"] == "ours"
                 for c in r.get("changes", []) if c["seconds"] is not None]
        if times:
            print(f"{n:>8}  median filter change (ours, every case): "
                  f"{statistics.median(times):.2f} s; worst {max(times):.2f} s")


if __name__ == "__main__":
    sys.exit(main())
