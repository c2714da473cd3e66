"""Benchmark the standalone HTML export against a naive folium map.

Generates synthetic incidents in the project's schema (``docs/schema.md``):
~50 actors, the 6 ACLED event types, dates over two years, points at real
places of the Middle East (jittered), 1-3 sources with https URLs, notes of
100-300 characters, all attribution statuses, and a share of coarse
locations (``geo_precision_km`` >= 2, drawn as uncertainty circles) and of
linked incidents (drawn as the escalation chain). Then, for each size, in
one run:

1. **build**: wall time of ``mapapp.export.export_html(gdf, path)`` (the
   GeoDataFrame is built first with ``geodata.frame_from_features``, not
   timed);
2. **size**: the HTML's bytes divided by the bytes of the same incidents as
   compact GeoJSON (``geodata.dumps_geojson``, the floor), and the same after
   subtracting the fixed part (the inlined scripts, styles and country
   outlines, measured on a one-incident export);
3. **draw**: in headless Chromium (network blocked), the time from
   navigation start until the map's incident context is ready
   (``ctx.ready``, fired with ``incidents:ready``), every incident is shown
   (a layer on the map) and the incident canvas has drawn that state (as
   markers or clusters), plus one animation frame and the rendering of that
   frame, read from ``performance.now()`` in the page; and **details**: when
   the incidents' full properties (what popups show, read after the first
   frame) are in.

The export is measured as shipped (``cluster='auto'``: clusters above 5,000
incidents) and with ``cluster=False``.

The naive approach is one ``folium.Marker`` with a ``folium.Popup`` (HTML of
the title, date, actor, notes and sources, escaped) per incident on a plain
``folium.Map``, saved with ``m.save()``: build time and size of that file.
That page loads Leaflet, jQuery, Bootstrap etc. from CDNs, which a blocked
network cannot reach; so for its draw time (until ``n`` elements
``.leaflet-marker-icon`` exist, plus one frame; 60 s timeout) the same map is
localized with ``mapapp.localize.localize(m)`` (keeps jQuery, which folium's
Popup needs) and ``mapapp.inline.inline_assets`` (not timed). Its fixed part
is an empty localized folium map, which is also the draw-time baseline.

Usage::

    .venv/bin/python benchmarks/bench_export.py --sizes 1000,10000,100000 \\
        --naive-max 10000 --json bench_export.json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import html
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import folium  # noqa: E402

import geodata  # noqa: E402
from mapapp.export import export_html  # noqa: E402
from mapapp.inline import inline_assets  # noqa: E402
from mapapp.localize import localize  # noqa: E402

# Goals at 100k incidents (from the issue).
GOAL_N = 100_000
GOAL_SIZE_FACTOR = 1.3  # HTML <= 1.3 x data + fixed part
GOAL_DRAW_S = 2.0
GOAL_BUILD_S = 5.0
NAIVE_TIMEOUT_S = 60.0

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# ---------------------------------------------------------------- synthetic data

ACTORS = [
    "United States", "Iran", "Islamic Revolutionary Guard Corps", "Quds Force", "Israel",
    "Saudi Arabia", "United Arab Emirates", "Turkey", "Russia", "Syrian Arab Army",
    "Iraqi Security Forces", "Iraqi Counter Terrorism Service", "Popular Mobilization Forces",
    "Kataib Hezbollah", "Asaib Ahl al-Haq", "Harakat Hezbollah al-Nujaba",
    "Kataib Sayyid al-Shuhada", "Badr Organization", "Saraya Awliya al-Dam", "Ashab al-Kahf",
    "Hezbollah", "Houthis (Ansar Allah)", "Hamas", "Palestinian Islamic Jihad", "Islamic State",
    "Islamic State - Sinai Province", "Hayat Tahrir al-Sham", "Syrian Democratic Forces",
    "Syrian National Army", "Kurdistan Workers' Party (PKK)", "Peshmerga",
    "Al-Qaeda in the Arabian Peninsula", "Southern Transitional Council",
    "Yemeni government forces", "Saudi-led coalition", "Lebanese Armed Forces",
    "Jordanian Armed Forces", "Bahraini security forces", "Egyptian Armed Forces",
    "Jaish al-Adl", "PJAK", "Kurdistan Democratic Party of Iran", "Israel Defense Forces",
    "Iranian police", "Protesters (Iraq)", "Protesters (Iran)", "Protesters (Lebanon)",
    "Rioters (Iraq)", "Unidentified armed group", "Unknown",
]
TARGETS = ACTORS[:40] + [
    "Civilians", "Oil tanker", "Saudi Aramco", "US embassy", "Coalition convoy",
    "Military base", "Oil facility", "Government building",
]

EVENTS = {
    "Battles": ["Armed clash", "Government regains territory",
                "Non-state actor overtakes territory"],
    "Explosions/Remote violence": ["Air/drone strike", "Shelling/artillery/missile attack",
                                   "Remote explosive/landmine/IED", "Suicide bomb"],
    "Violence against civilians": ["Attack", "Abduction/forced disappearance"],
    "Protests": ["Peaceful protest", "Protest with intervention",
                 "Excessive force against protesters"],
    "Riots": ["Violent demonstration", "Mob violence"],
    "Strategic developments": ["Arrests", "Looting/property destruction",
                               "Disrupted weapons use", "Headquarters or base established"],
}
EVENT_WEIGHTS = [18, 40, 10, 14, 8, 10]

# (place, admin1, ISO3, lat, lon)
PLACES = [
    ("Baghdad", "Baghdad", "IRQ", 33.3152, 44.3661),
    ("Baghdad International Airport", "Baghdad", "IRQ", 33.2625, 44.2346),
    ("Ayn al-Asad air base", "Anbar", "IRQ", 33.7856, 42.4412),
    ("Al-Qaim", "Anbar", "IRQ", 34.3686, 41.0944),
    ("Erbil", "Erbil", "IRQ", 36.1911, 44.0092),
    ("Kirkuk K-1 air base", "Kirkuk", "IRQ", 35.5089, 44.3347),
    ("Mosul", "Ninewa", "IRQ", 36.3350, 43.1189),
    ("Basra", "Basra", "IRQ", 30.5085, 47.7804),
    ("Camp Taji", "Baghdad", "IRQ", 33.5233, 44.2561),
    ("Nasiriyah", "Dhi Qar", "IRQ", 31.0439, 46.2573),
    ("Damascus", "Damascus", "SYR", 33.5138, 36.2765),
    ("Deir ez-Zor", "Deir ez Zor", "SYR", 35.3359, 40.1408),
    ("Al-Bukamal", "Deir ez Zor", "SYR", 34.4537, 40.9187),
    ("Aleppo", "Aleppo", "SYR", 36.2021, 37.1343),
    ("Idlib", "Idleb", "SYR", 35.9306, 36.6339),
    ("Raqqa", "Ar-Raqqa", "SYR", 35.9594, 39.0079),
    ("Tehran", "Tehran", "IRN", 35.6892, 51.3890),
    ("Isfahan", "Isfahan", "IRN", 32.6546, 51.6680),
    ("Natanz", "Isfahan", "IRN", 33.7240, 51.7270),
    ("Ahvaz", "Khuzestan", "IRN", 31.3183, 48.6706),
    ("Bandar Abbas", "Hormozgan", "IRN", 27.1832, 56.2666),
    ("Kermanshah", "Kermanshah", "IRN", 34.3142, 47.0650),
    ("Sanaa", "Amanat al Asimah", "YEM", 15.3694, 44.1910),
    ("Aden", "Aden", "YEM", 12.7855, 45.0187),
    ("Al Hudaydah", "Al Hudaydah", "YEM", 14.7978, 42.9545),
    ("Marib", "Marib", "YEM", 15.4629, 45.3225),
    ("Taizz", "Taizz", "YEM", 13.5795, 44.0209),
    ("Riyadh", "Riyadh", "SAU", 24.7136, 46.6753),
    ("Abqaiq oil processing plant", "Eastern Province", "SAU", 25.9275, 49.6725),
    ("Jizan", "Jizan", "SAU", 16.8892, 42.5511),
    ("Abha International Airport", "Asir", "SAU", 18.2404, 42.6566),
    ("Beirut", "Beirut", "LBN", 33.8938, 35.5018),
    ("Tyre", "South Lebanon", "LBN", 33.2705, 35.2038),
    ("Haifa", "Haifa", "ISR", 32.7940, 34.9896),
    ("Gaza City", "Gaza City", "PSE", 31.5017, 34.4668),
    ("Amman", "Amman", "JOR", 31.9539, 35.9106),
    ("Abu Dhabi", "Abu Dhabi", "ARE", 24.4539, 54.3773),
    ("Fujairah anchorage", "Fujairah", "ARE", 25.1288, 56.3265),
    ("Manama", "Capital", "BHR", 26.2285, 50.5860),
    ("Diyarbakir", "Diyarbakir", "TUR", 37.9144, 40.2306),
]

PUBLISHERS = [
    ("Reuters", "www.reuters.com"), ("Associated Press", "apnews.com"),
    ("AFP", "www.france24.com"), ("Al Jazeera", "www.aljazeera.com"),
    ("BBC News", "www.bbc.com"), ("The New York Times", "www.nytimes.com"),
    ("The Washington Post", "www.washingtonpost.com"), ("Al-Monitor", "www.al-monitor.com"),
    ("The National", "www.thenationalnews.com"), ("Rudaw", "www.rudaw.net"),
    ("Asharq Al-Awsat", "english.aawsat.com"), ("Middle East Eye", "www.middleeasteye.net"),
    ("The Times of Israel", "www.timesofisrael.com"), ("ACLED", "acleddata.com"),
]

NOTE_SENTENCES = [
    "Local officials said the {sub} hit {place} shortly after midnight.",
    "{actor} did not comment on the report.",
    "Sources disagree on the number of casualties; the figure given is the lowest.",
    "A statement attributed to {actor} was posted on social media the next day.",
    "Security sources said {target} had been warned in advance.",
    "Satellite images published later showed damage at the site.",
    "The incident followed days of rising tension in {admin1}.",
    "Witnesses reported several explosions and heavy gunfire near {place}.",
    "The location is approximate; reports name only the district.",
    "Officials from {country} condemned the attack and promised an investigation.",
    "Hospital sources gave a higher toll than the official one.",
    "No group claimed responsibility within 48 hours.",
]

TITLE_TEMPLATES = [
    "{sub} by {actor} near {place}",
    "{actor} {verb} {target} in {place}",
    "{sub} at {place}, {admin1}",
    "{sub} on {target} near {place}",
]
VERBS = ["strikes", "attacks", "targets", "clashes with", "shells", "detains"]

STATUSES = ["confirmed", "claimed", "alleged", "disputed", "unknown"]
STATUS_WEIGHTS = [35, 20, 20, 10, 15]
# (geo_precision, km choices, weight): about 40% are coarser than 2 km.
PRECISIONS = [("site", [0.5, 1.0], 60), ("town", [5.0, 10.0], 25),
              ("region", [25.0, 50.0, 100.0], 12), ("country", [250.0, 500.0], 3)]

START = dt.date(2019, 1, 1)
DAYS = 731  # two years


def _slug(text: str, words: int = 7) -> str:
    keep = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join([w for w in keep.split("-") if w][:words])


def _notes(rng: random.Random, fields: dict) -> str:
    target = rng.randint(100, 300)
    parts: list[str] = []
    for s in rng.sample(NOTE_SENTENCES, len(NOTE_SENTENCES)):
        parts.append(s.format(**fields))
        if len(" ".join(parts)) >= target:
            break
    text = " ".join(parts)
    if len(text) > 300:
        text = text[:297].rsplit(" ", 1)[0] + "..."
    while len(text) < 100:  # pragma: no cover - the sentences are long enough
        text += " Details are unconfirmed."
    return text


def make_features(n: int, seed: int = 20200103) -> list[dict]:
    """``n`` valid, realistic incident features (deterministic for a seed)."""
    rng = random.Random(seed)
    types = list(EVENTS)
    features = []
    for i in range(n):
        event_type = rng.choices(types, EVENT_WEIGHTS)[0]
        sub = rng.choice(EVENTS[event_type])
        actor = ACTORS[min(int(rng.paretovariate(1.2)) - 1, len(ACTORS) - 1)
                       if rng.random() < 0.5 else rng.randrange(len(ACTORS))]
        target = rng.choice(TARGETS)
        place, admin1, iso3, lat, lon = rng.choice(PLACES)
        prec, kms, _w = rng.choices(PRECISIONS, [p[2] for p in PRECISIONS])[0]
        km = rng.choice(kms)
        spread = min(km, 60.0) / 111.0 + 0.02
        lat += rng.uniform(-spread, spread)
        lon += rng.uniform(-spread, spread)
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        date = day.isoformat()
        iid = f"{date}-{_slug(place, 3)}-{i:06d}"
        fields = {"sub": sub.lower(), "actor": actor, "target": target, "place": place,
                  "admin1": admin1, "country": iso3}
        title = rng.choice(TITLE_TEMPLATES).format(
            sub=sub, actor=actor, target=target, place=place, admin1=admin1,
            verb=rng.choice(VERBS))
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        attribution: dict = {"status": status, "claimed_by": [], "blamed_by": []}
        if status in ("confirmed", "claimed"):
            attribution["claimed_by"] = [actor]
        if status in ("alleged", "disputed"):
            attribution["blamed_by"] = rng.sample(ACTORS[:12], rng.randint(1, 2))
        if status == "disputed":
            attribution["claimed_by"] = [rng.choice(ACTORS[12:30])]
            attribution["note"] = "Responsibility is contested by the claimant and the accused."
        sources = []
        for _ in range(rng.randint(1, 3)):
            pub, host = rng.choice(PUBLISHERS)
            sdate = (day + dt.timedelta(days=rng.randint(0, 3))).isoformat()
            sources.append({
                "title": f"{title}: what we know",
                "publisher": pub,
                "date": sdate,
                "url": f"https://{host}/world/middle-east/{_slug(title)}-{sdate.replace('-', '')}",
            })
        fatalities = int(rng.expovariate(0.4)) if event_type != "Protests" else 0
        props = {
            "id": iid,
            "title": title,
            "date": date,
            "date_precision": "day" if rng.random() < 0.9 else "week",
            "event_type": event_type,
            "sub_event_type": sub,
            "actor": actor,
            "target": target,
            "attribution": attribution,
            "fatalities": fatalities,
            "place": place,
            "admin1": admin1,
            "country": iso3,
            "geo_precision": prec,
            "geo_precision_km": km,
            "sources": sources,
            "notes": _notes(rng, fields),
            "related": [],
        }
        if fatalities and rng.random() < 0.2:
            props["fatalities_low"] = max(fatalities - rng.randint(1, 3), 0)
            props["fatalities_high"] = fatalities + rng.randint(1, 5)
        if i and rng.random() < 0.03:  # answers an earlier incident: the chain
            j = rng.randrange(max(0, i - 500), i)
            props["related"] = [{"id": features[j]["id"],
                                 "relation": rng.choice(["response_to", "follows"])}]
        features.append({"type": "Feature", "id": iid,
                         "geometry": {"type": "Point",
                                      "coordinates": [round(lon, 5), round(lat, 5)]},
                         "properties": props})
    return features


# ---------------------------------------------------------------- builds


def _timed(fn):
    gc.collect()
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def build_ours(gdf, path: Path, cluster) -> float:
    seconds, _ = _timed(lambda: export_html(gdf, path, cluster=cluster))
    return seconds


def _naive_popup(row) -> str:
    e = html.escape
    items = "".join(
        f'<li><a href="{e(s["url"])}" target="_blank">{e(s.get("title") or s["url"])}</a>'
        f' ({e(s.get("publisher") or "")})</li>'
        for s in (row.sources or []) if s.get("url")
    )
    return (f"<b>{e(row.title)}</b><br>{row.date:%Y-%m-%d}<br>Actor: {e(str(row.actor))}"
            f"<p>{e(row.notes or '')}</p><ol>{items}</ol>")


def build_naive_map(gdf) -> folium.Map:
    m = folium.Map(location=[30, 45], zoom_start=5)
    for row in gdf.itertuples(index=False):
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=folium.Popup(_naive_popup(row), max_width=350),
        ).add_to(m)
    return m


def build_naive(gdf, path: Path) -> tuple[float, folium.Map]:
    def run():
        m = build_naive_map(gdf)
        m.save(str(path))
        return m

    return _timed(run)


def localized_page(m: folium.Map, path: Path) -> Path:
    """The naive map with its CDN scripts replaced by inlined local copies."""
    # The root Figure: a saved map already has the CDN links in its header.
    localize(m.get_root())  # jQuery is kept: folium's Popup calls $()
    path.write_text(inline_assets(m.get_root().render()), encoding="utf-8")
    return path


# ---------------------------------------------------------------- browser

# Runs in every page before its scripts: polls for the condition, then waits
# one animation frame and the rendering of that frame (a message posted from
# the rAF callback is handled after the frame is rendered).
_PROBE = r"""
(() => {
  const MODE = %(mode)s, N = %(n)d;
  const B = window.__bench = {ready: null, raf: null, drawn: null, props: null};
  function globals(test) {
    if (!window.L || !L.Map) return null;
    for (const k of Object.keys(window)) {
      let v; try { v = window[k]; } catch (e) { continue; }
      if (v && typeof v === 'object' && test(v)) return v;
    }
    return null;
  }
  function done() {
    if (MODE === 'ours') {
      // every incident shown, and the canvas has drawn its latest state
      const g = globals(v => v._imContext && v._imContext.ready);
      if (!g) return false;
      const canvas = g._imContext.canvas;
      // (_imSets since the ES-module map script of issue 10; _sets before)
      const shown = (canvas._imSets || canvas._sets).reduce((a, s) => a + s.shown, 0);
      return shown >= N && canvas.drawnVersion === canvas.version;
    }
    if (MODE === 'naive') {
      return document.getElementsByClassName('leaflet-marker-icon').length >= N;
    }
    return !!globals(v => v instanceof L.Map);  // empty map
  }
  if (MODE === 'ours') {  // when the popups' details are in (after the draw)
    const t = setInterval(() => {
      const g = globals(v => v._imContext && v._imContext.ready);
      if (g && g._imContext.ds.props) { B.props = performance.now(); clearInterval(t); }
    }, 10);
  }
  const timer = setInterval(() => {
    if (!done()) return;
    clearInterval(timer);
    B.ready = performance.now();
    requestAnimationFrame(() => {
      B.raf = performance.now();
      const ch = new MessageChannel();
      ch.port1.onmessage = () => { B.drawn = performance.now(); };
      ch.port2.postMessage(0);
    });
  }, 4);
})();
"""


def _is_local(url: str) -> bool:
    """The tests' rule: file, data and loopback URLs only."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from conftest import is_local_url

    return is_local_url(url)


def draw_time(pw, path: Path, mode: str, n: int, timeout_s: float) -> dict:
    """Load ``path`` in a fresh headless Chromium; seconds until drawn, or timeout."""
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    context = pw.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
    )
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.route("**/*", lambda route: route.continue_() if _is_local(route.request.url)
                   else route.abort())
        page.add_init_script(_PROBE % {"mode": json.dumps(mode), "n": n})
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="commit", timeout=timeout_s * 1000)
        try:
            page.wait_for_function("() => window.__bench && window.__bench.drawn !== null",
                                   timeout=max(timeout_s - (time.perf_counter() - t0), 1) * 1000,
                                   polling=50)
        except Exception:  # playwright's TimeoutError
            return {"seconds": None, "timeout": True, "errors": errors}
        b = page.evaluate("() => window.__bench")
        if mode == "ours":  # wait for the details too (read after the draw)
            try:
                page.wait_for_function("() => window.__bench.props !== null",
                                       timeout=timeout_s * 1000, polling=50)
                b = page.evaluate("() => window.__bench")
            except Exception:  # playwright's TimeoutError
                pass
        return {"seconds": b["drawn"] / 1000, "ready_s": b["ready"] / 1000,
                "props_s": None if b.get("props") is None else b["props"] / 1000,
                "timeout": b["drawn"] / 1000 > timeout_s, "errors": errors}
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


def draw_median(pw, path, mode, n, timeout_s, repeat) -> dict:
    runs = []
    for _ in range(repeat):
        r = draw_time(pw, path, mode, n, timeout_s)
        runs.append(r)
        if r["timeout"] or r["seconds"] is None:
            return {"seconds": None, "timeout": True, "runs": [None],
                    "errors": r["errors"][:3]}
    secs = [r["seconds"] for r in runs]
    return {"seconds": statistics.median(secs), "timeout": False,
            "ready_s": statistics.median(r["ready_s"] for r in runs),
            "props_s": (statistics.median(r["props_s"] for r in runs)
                        if all(r.get("props_s") is not None for r in runs) else None),
            "runs": [round(s, 3) for s in secs],
            "errors": sorted({e for r in runs for e in r["errors"]})[:3]}


# ---------------------------------------------------------------- report


def _fmt_s(v) -> str:
    return "timeout" if v is None else f"{v:.2f}"


def _ratio(a, b) -> str:
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.3f}" if a / b < 0.1 else f"{a / b:.2f}"


def print_table(results: dict) -> None:
    rows = results["sizes"]
    head = ("n", "data MB", "build s", "HTML MB", "HTML/data", "(HTML-fixed)/data",
            "draw s auto", "draw s nocl", "details s auto")
    print("\nOurs (mapapp.export.export_html)")
    print(" | ".join(head))
    for r in rows:
        o = r["ours"]
        print(" | ".join([
            f"{r['n']:,}", f"{r['data_bytes'] / 1e6:.2f}", f"{o['build_s']:.2f}",
            f"{o['html_bytes'] / 1e6:.2f}", f"{o['html_bytes'] / r['data_bytes']:.2f}",
            f"{(o['html_bytes'] - results['fixed']['ours_bytes']) / r['data_bytes']:.3f}",
            _fmt_s(o["draw_auto"]["seconds"]), _fmt_s(o["draw_nocluster"]["seconds"]),
            _fmt_s(o["draw_auto"].get("props_s")),
        ]))
    print("\nNaive (folium.Marker + folium.Popup per incident, m.save())")
    print("n | build s | HTML MB | HTML/data | localized (HTML-fixed)/data | draw s")
    for r in rows:
        nv = r.get("naive")
        if not nv:
            print(f"{r['n']:,} | skipped (--naive-max)")
            continue
        print(" | ".join([
            f"{r['n']:,}", f"{nv['build_s']:.2f}", f"{nv['html_bytes'] / 1e6:.2f}",
            f"{nv['html_bytes'] / r['data_bytes']:.2f}",
            f"{(nv['localized_bytes'] - results['fixed']['naive_bytes']) / r['data_bytes']:.2f}",
            _fmt_s(nv["draw"]["seconds"]),
        ]))
    print("\nOurs vs naive (ours / naive; < 1 means ours is faster or smaller)")
    print("n | build-time ratio | size ratio (saved files) | size ratio (both inlined) "
          "| draw-time ratio (auto) | draw-time ratio (no clusters)")
    for r in rows:
        nv = r.get("naive")
        if not nv:
            continue
        o = r["ours"]
        print(" | ".join([
            f"{r['n']:,}", _ratio(o["build_s"], nv["build_s"]),
            _ratio(o["html_bytes"], nv["html_bytes"]),
            _ratio(o["html_bytes"], nv["localized_bytes"]),
            _ratio(o["draw_auto"]["seconds"], nv["draw"]["seconds"]) if nv["draw"]["seconds"]
            else "naive timed out",
            _ratio(o["draw_nocluster"]["seconds"], nv["draw"]["seconds"]) if nv["draw"]["seconds"]
            else "naive timed out",
        ]))
    f = results["fixed"]
    print(f"\nFixed part: ours {f['ours_bytes'] / 1e6:.2f} MB (1-incident export minus its data); "
          f"naive localized empty folium map {f['naive_bytes'] / 1e6:.2f} MB")
    print(f"Empty Leaflet page (localized folium map, no markers) drawn in "
          f"{_fmt_s(results['baseline_draw']['seconds'])} s")


def goals(results: dict) -> list[tuple[str, bool | None, str]]:
    rows = {r["n"]: r for r in results["sizes"]}
    if GOAL_N not in rows:
        return [("goals are for 100,000 incidents; not measured", None, "")]
    r = rows[GOAL_N]
    o = r["ours"]
    limit = GOAL_SIZE_FACTOR * r["data_bytes"] + results["fixed"]["ours_bytes"]
    auto, nocl = o["draw_auto"]["seconds"], o["draw_nocluster"]["seconds"]
    return [
        (f"HTML <= 1.3 x data + fixed ({limit / 1e6:.2f} MB)", o["html_bytes"] <= limit,
         f"{o['html_bytes'] / 1e6:.2f} MB"),
        (f"drawn within {GOAL_DRAW_S:g} s (as shipped, cluster='auto')",
         auto is not None and auto <= GOAL_DRAW_S, f"{_fmt_s(auto)} s"),
        (f"drawn within {GOAL_DRAW_S:g} s (cluster=False)",
         nocl is not None and nocl <= GOAL_DRAW_S, f"{_fmt_s(nocl)} s"),
        (f"export built within {GOAL_BUILD_S:g} s", o["build_s"] <= GOAL_BUILD_S,
         f"{o['build_s']:.2f} s"),
    ]


# ---------------------------------------------------------------- main


def _machine() -> dict:
    info = {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "folium": folium.__version__}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(Exception):
        import subprocess

        info["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True,
                                          text=True, timeout=30).stdout.strip()
    return info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000",
                    help="comma-separated incident counts (default 1000,10000,100000)")
    ap.add_argument("--naive-max", type=int, default=10_000,
                    help="skip the naive approach above this many incidents (default 10000)")
    ap.add_argument("--out", type=Path, help="keep the generated HTML files in this directory")
    ap.add_argument("--json", type=Path, help="write the results to this JSON file")
    ap.add_argument("--repeat", type=int, default=3,
                    help="browser loads per page; the median is reported (default 3)")
    ap.add_argument("--seed", type=int, default=20200103)
    args = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]

    from playwright.sync_api import sync_playwright

    tmp = None
    if args.out:
        out = args.out
        out.mkdir(parents=True, exist_ok=True)
    else:
        out = Path(tmp := tempfile.mkdtemp(prefix="bench-export-"))

    results: dict = {"command": " ".join([Path(sys.executable).name, *sys.argv]),
                     "machine": _machine(), "sizes": []}
    print(f"machine: {results['machine']}")
    try:
        with sync_playwright() as pw:
            # Fixed parts: a one-incident export, and an empty localized folium map.
            one = geodata.frame_from_features(make_features(1, args.seed))
            one_path = out / "ours-1.html"
            export_html(one, one_path)
            ours_fixed = one_path.stat().st_size - len(geodata.dumps_geojson(one))
            empty = folium.Map(location=[30, 45], zoom_start=5)
            empty_path = localized_page(empty, out / "empty-leaflet.html")
            results["fixed"] = {"ours_bytes": ours_fixed,
                                "naive_bytes": empty_path.stat().st_size}
            results["baseline_draw"] = draw_median(pw, empty_path, "empty", 0, 60, args.repeat)
            print(f"fixed parts: {results['fixed']}; empty map drawn in "
                  f"{_fmt_s(results['baseline_draw']['seconds'])} s")

            for n in sizes:
                features = make_features(n, args.seed)
                report = geodata.check_features(features, f"synthetic-{n}")
                if not report.ok:
                    raise SystemExit(f"synthetic data is invalid: {report.problems[:3]}")
                gdf = geodata.frame_from_features(features)
                del features
                data_bytes = len(geodata.dumps_geojson(gdf))
                row: dict = {"n": n, "data_bytes": data_bytes}
                print(f"\n== {n:,} incidents, {data_bytes / 1e6:.2f} MB of GeoJSON", flush=True)

                p_auto = out / f"ours-{n}.html"
                p_nocl = out / f"ours-{n}-nocluster.html"
                build_auto = build_ours(gdf, p_auto, "auto")
                build_nocl = build_ours(gdf, p_nocl, False)
                print(f"ours: built in {build_auto:.2f} s (auto), {build_nocl:.2f} s (no "
                      f"clusters); {p_auto.stat().st_size / 1e6:.2f} MB", flush=True)
                d_auto = draw_median(pw, p_auto, "ours", n, 60, args.repeat)
                d_nocl = draw_median(pw, p_nocl, "ours", n, 60, args.repeat)
                print(f"ours: drawn in {d_auto['runs']} s (auto), {d_nocl['runs']} s "
                      f"(no clusters); page errors: {d_auto['errors'] + d_nocl['errors']}",
                      flush=True)
                row["ours"] = {"build_s": build_auto, "build_nocluster_s": build_nocl,
                               "html_bytes": p_auto.stat().st_size,
                               "html_nocluster_bytes": p_nocl.stat().st_size,
                               "draw_auto": d_auto, "draw_nocluster": d_nocl}

                if n <= args.naive_max:
                    p_naive = out / f"naive-{n}.html"
                    build_s, m = build_naive(gdf, p_naive)
                    p_local = localized_page(m, out / f"naive-{n}-localized.html")
                    del m
                    print(f"naive: built in {build_s:.2f} s; "
                          f"{p_naive.stat().st_size / 1e6:.2f} MB", flush=True)
                    d = draw_median(pw, p_local, "naive", n, NAIVE_TIMEOUT_S,
                                    args.repeat if n <= 10_000 else 1)
                    print(f"naive: drawn in {d['runs']} s; page errors: {d['errors']}",
                          flush=True)
                    row["naive"] = {"build_s": build_s, "html_bytes": p_naive.stat().st_size,
                                    "localized_bytes": p_local.stat().st_size, "draw": d}
                results["sizes"].append(row)
                del gdf
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    print_table(results)
    print("\nGoals at 100,000 incidents")
    results["goals"] = []
    for name, ok, value in goals(results):
        mark = "n/a" if ok is None else ("MET" if ok else "NOT MET")
        print(f"  {mark:8} {name}: {value}")
        results["goals"].append({"goal": name, "met": ok, "value": value})
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
