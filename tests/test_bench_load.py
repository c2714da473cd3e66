"""benchmarks/bench_load.py: its options, its plans and uploads, and its report.

The load itself (a server, browsers, minutes) is not run here: it is too
slow and too noisy for a busy machine. What is tested is what decides the
figures: which count each client must see, what the uploads contain, and
how the timings become percentiles, ratios and memory per session.
"""

from __future__ import annotations

import sys
from urllib.parse import parse_qs

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_load  # noqa: E402
from bench_export import make_features  # noqa: E402

import geodata  # noqa: E402


@pytest.fixture(scope="module")
def gdf():
    return geodata.frame_from_features(make_features(3000, seed=7))


def test_defaults_quick_and_explicit_options():
    args = bench_load.parse_args([])
    assert (args.users, args.sessions, args.incidents, args.uploads) == (10, 40, 100_000, 9)
    quick = bench_load.parse_args(["--quick"])
    assert (quick.users, quick.sessions, quick.incidents) == (2, 4, 10_000)
    assert quick.duration < args.duration
    mixed = bench_load.parse_args(["--quick", "--users", "5", "--duration", "3"])
    assert (mixed.users, mixed.sessions, mixed.duration) == (5, 4, 3.0)


@pytest.mark.parametrize("argv, message", [
    (["--users", "-1"], "--users should be 0 or more, got -1"),
    (["--users", "0", "--sessions", "0"], "nothing to run"),
    (["--incidents", "10"], "--incidents should be at least 100, got 10"),
    (["--users", "0", "--uploads", "2"], "--uploads needs at least one browser user"),
])
def test_bad_options_are_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        bench_load.parse_args(argv)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_each_client_asks_for_counts_that_a_plain_reading_gives(gdf, tmp_path):
    plans = bench_load.make_plans(gdf, users=4, sessions=6, uploads=3, upload_dir=tmp_path)
    assert [p.kind for p in plans] == ["browser"] * 4 + ["ws"] * 6
    assert len({p.name for p in plans}) == 10
    actor, target = gdf["actor"].astype(str), gdf["target"].astype(str)
    for plan in plans:
        perpetrator = int((actor == plan.actor).sum())
        targeted = int((target == plan.actor).sum())
        either = int(((actor == plan.actor) | (target == plan.actor)).sum())
        assert plan.counts == {"perpetrator": perpetrator, "target": targeted, "any": either}
        # every change of role changes what the map must show
        assert len(set(plan.counts.values())) == 3 and min(plan.counts.values()) > 0
        assert parse_qs(plan.query) == {"actor": [plan.actor]}  # (the link it opens)
    # neighbours ask for different actors (a session seeing another's view is caught)
    assert all(a.actor != b.actor for a, b in zip(plans, plans[1:], strict=False))
    # the uploads go to browser users only, each file once
    uploads = [u for p in plans for u in p.uploads]
    assert len(uploads) == 3 and len({path for path, _ in uploads}) == 3
    assert all(p.kind == "browser" for p in plans if p.uploads)


def test_an_upload_shows_the_counts_its_uploader_expects(tmp_path):
    path = tmp_path / "upload-00.geojson"
    counts = bench_load.write_upload(path, "Kataib Hezbollah", 5)
    loaded = geodata.load(path)
    assert loaded.report.ok and len(loaded.gdf) == 5
    assert bench_load.role_counts(loaded.gdf, "Kataib Hezbollah") == counts
    assert counts == {"perpetrator": 4, "target": 1, "any": 5}


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(10, 0, -1)]  # 10 .. 1, unordered on purpose
    assert bench_load.percentiles(values) == {"n": 10, "p50": 5.0, "p90": 9.0, "max": 10.0}
    assert bench_load.percentiles([2.5]) == {"n": 1, "p50": 2.5, "p90": 2.5, "max": 2.5}
    assert bench_load.percentiles([])["p50"] is None


def _event(phase, kind, what, seconds, first=True):
    return {"phase": phase, "kind": kind, "what": what, "seconds": seconds,
            "first_round": first, "client": f"{kind}-0"}


def _result():
    events = [_event("sequential", "browser", "open", 2.0),
              _event("sequential", "browser", "change", 0.5),
              _event("concurrent", "browser", "open", 6.0),
              _event("concurrent", "browser", "change", 1.5),
              _event("concurrent", "browser", "change", 9.0, first=False),
              _event("concurrent", "ws", "open", 0.3)]
    memory = {"idle": {"rss_mb": 50, "disk_mb": 0}, "warm": {"rss_mb": 300, "disk_mb": 5},
              "peak_sequential": {"rss_mb": 320, "disk_mb": 5},
              "peak_concurrent": {"rss_mb": 400, "disk_mb": 6},
              "after": {"rss_mb": 310, "disk_mb": 5}}
    result = {"args": {"incidents": 1000, "users": 2, "sessions": 3, "uploads": 1,
                       "duration": 5.0},
              "errors": ["[concurrent] browser-1: change to role target: the map showed 7"],
              "events": events, "memory": memory, "server_tracebacks": 0}
    result["latency"] = bench_load.latency_table(events)
    result["ratios"] = bench_load.ratios(events, {"browser": 8.0, "all": 10.0},
                                         {"browser": 4.0, "all": 4.0})
    result["memory_figures"] = bench_load.memory_figures(memory, clients=5)
    return result


def test_ratios_compare_the_same_first_round():
    by_what = {r["what"]: r for r in _result()["ratios"]}
    wall = by_what["wall time until every client has opened and done one round"]
    assert (wall["naive"], wall["ours"], wall["ratio"]) == (10.0, 4.0, 2.5)
    assert by_what["browser: p50 open -> drawn, first round"]["ratio"] == 3.0
    # the later changes (not first round) do not enter the ratio
    assert by_what["browser: p50 change -> drawn, first round"]["ratio"] == 3.0
    # a kind with no sequential timing has no ratio
    assert not any(r["what"].startswith("ws:") for r in _result()["ratios"])


def test_memory_per_session_is_the_peak_over_the_warm_server_shared_out():
    m = _result()["memory_figures"]
    assert m["rss_per_session_mb"] == pytest.approx(20.0)  # (400 - 300) / 5
    assert m["rss_one_session_mb"] == pytest.approx(20.0)  # 320 - 300
    assert (m["disk_warm_mb"], m["disk_peak_mb"], m["disk_after_mb"]) == (5, 6, 5)


def test_the_report_names_errors_latencies_ratios_and_memory():
    text = bench_load.format_report(_result())
    assert "1,000 incidents, 2 browser users + 3 websocket sessions" in text
    assert "errors: 1; server tracebacks: 0" in text
    assert "browser-1: change to role target: the map showed 7" in text
    lines = text.splitlines()
    row = next(line for line in lines if line.startswith("concurrent  browser  change"))
    assert row.split()[3:] == ["2", "1.50", "9.00", "9.00"]
    assert "ratio 2.50" in text
    assert "per session: 20.0 MB" in text and "after the sessions left 310" in text
