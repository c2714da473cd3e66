"""Benchmark ``geodata.importers`` on a synthetic ACLED export.

Generates an ACLED-layout CSV of ``--rows`` rows (default 1,000,000) with
realistic values in a temporary directory, imports it in-process with
:func:`geodata.importers.import_file`, and prints the wall time, rows per
second and the peak resident memory of the process. It then times a naive
importer (``csv.DictReader`` + one dict per row + ``json.dump``) on a
smaller sample, extrapolates it to ``--rows`` and prints the ratio.

Usage::

    .venv/bin/python benchmarks/bench_import.py --rows 1000000
    .venv/bin/python benchmarks/bench_import.py --rows 1000000 --dates excel
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geodata.importers import ACLED_COLUMNS  # noqa: E402

# (country, ISO3, numeric ISO, region, [(admin1, admin2, location, lat, lon)])
_PLACES = [
    ("Iraq", "IRQ", 368, "Middle East", [
        ("Anbar", "Hit", "Ayn al-Asad", 33.7856, 42.4412),
        ("Baghdad", "Karkh", "Baghdad - Karkh", 33.3152, 44.3661),
        ("Kirkuk", "Kirkuk", "Kirkuk", 35.4681, 44.3922),
        ("Erbil", "Erbil", "Erbil", 36.1911, 44.0092),
        ("Ninewa", "Mosul", "Mosul", 36.3350, 43.1189),
    ]),
    ("Syria", "SYR", 760, "Middle East", [
        ("Deir ez Zor", "Al Mayadin", "Al Mayadin", 35.0201, 40.4528),
        ("Aleppo", "Jebel Saman", "Aleppo", 36.2021, 37.1343),
        ("Idleb", "Idleb", "Idleb", 35.9306, 36.6339),
    ]),
    ("Yemen", "YEM", 887, "Middle East", [
        ("Taizz", "Al Qahirah", "Taizz", 13.5795, 44.0209),
        ("Al Hudaydah", "Al Hali", "Al Hudaydah", 14.7978, 42.9545),
    ]),
    ("Nigeria", "NGA", 566, "Western Africa", [
        ("Borno", "Maiduguri", "Maiduguri", 11.8333, 13.1500),
        ("Zamfara", "Gusau", "Gusau", 12.1628, 6.6614),
    ]),
    ("Ukraine", "UKR", 804, "Europe", [
        ("Donetsk", "Bakhmutskyi", "Bakhmut", 48.5947, 38.0002),
        ("Kharkiv", "Kharkivskyi", "Kharkiv", 49.9935, 36.2304),
    ]),
]

_TYPES = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Demonstrations", "Riots", "Violent demonstration"),
    ("Strategic developments", "Strategic developments", "Looting/property destruction"),
]

_ACTORS = [
    ("Military Forces of {c} (2014-)", "State forces"),
    ("Police Forces of {c} (2014-)", "State forces"),
    ("Unidentified Armed Group ({c})", "Political militia"),
    ("Protesters ({c})", "Protesters"),
    ("Rioters ({c})", "Rioters"),
    ("Civilians ({c})", "Civilians"),
    ("Islamic State (Iraq)", "Rebel group"),
]

_SOURCES = ["Shafaq News", "Al Sumaria", "Rudaw", "Xinhua", "AFP", "Reuters",
            "Kurdistan 24", "Twitter", "Local Source", "BBC Monitoring"]

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]


def generate_acled(path: Path, rows: int, seed: int = 1, dates: str = "iso") -> None:
    """Write a synthetic ACLED export of ``rows`` rows to ``path``.

    ``dates="excel"`` writes the dates as a spreadsheet re-saves them (``9-May-20``).
    """
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ACLED_COLUMNS)
        for i in range(rows):
            country, iso3, iso, region, places = _PLACES[i % len(_PLACES)]
            admin1, admin2, location, lat, lon = places[rng.randrange(len(places))]
            disorder, etype, sub = _TYPES[rng.randrange(len(_TYPES))]
            a1, inter1 = _ACTORS[rng.randrange(len(_ACTORS))]
            a2, inter2 = _ACTORS[rng.randrange(len(_ACTORS))]
            a1, a2 = a1.format(c=country), a2.format(c=country)
            year = 2018 + rng.randrange(7)
            month = rng.randrange(12)
            day = 1 + rng.randrange(28)
            date = (f"{year}-{month + 1:02d}-{day:02d}" if dates == "iso"
                    else f"{day}-{_MONTHS[month][:3]}-{year % 100:02d}")
            srcs = "; ".join(rng.sample(_SOURCES, 1 + rng.randrange(3)))
            fat = rng.choice((0, 0, 0, 1, 2, 3, 5, 12))
            assoc1 = rng.choice(("", "", f"Tribal Militia ({country}); Civilians ({country})"))
            notes = (f"On {day} {_MONTHS[month]} {year}, {a1} clashed with {a2} in {location} "
                     f"({admin1}). {fat} fatalities reported. Reporting by {srcs}.")
            w.writerow([
                f"{iso3}{i + 1}", date, year, rng.choice((1, 1, 1, 2, 3)), disorder, etype, sub,
                a1, assoc1, inter1, a2, "", inter2, f"{inter1}-{inter2}",
                rng.choice(("", "", "Civilian targeting")), iso, region, country, admin1,
                admin2, "", location, f"{lat + rng.uniform(-0.05, 0.05):.4f}",
                f"{lon + rng.uniform(-0.05, 0.05):.4f}", rng.choice((1, 1, 2, 3)), srcs,
                rng.choice(("National", "Subnational", "International", "Other")), notes, fat,
                rng.choice(("", "", "crowd size=no report")), 1_700_000_000 + i,
            ])


def naive_import(src: Path, dst: Path) -> int:
    """The straightforward way: one dict per row, then json.dump."""
    features = []
    with open(src, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            props = {k: v for k, v in row.items() if v != ""}
            props["id"] = row["event_id_cnty"]
            props["date"] = row["event_date"]
            props["fatalities"] = int(row["fatalities"] or 0)
            props["sources"] = [{"title": s.strip(), "publisher": s.strip()}
                                for s in row["source"].split(";") if s.strip()]
            features.append({
                "type": "Feature",
                "geometry": {"type": "Point",
                             "coordinates": [float(row["longitude"]), float(row["latitude"])]},
                "properties": props,
            })
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump({"type": "FeatureCollection", "features": features}, fh)
    return len(features)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--naive-rows", type=int, default=100_000,
                        help="rows for the naive baseline (extrapolated to --rows)")
    parser.add_argument("--format", choices=("geojson", "parquet"), default="geojson")
    parser.add_argument("--dates", choices=("iso", "excel"), default="iso",
                        help="date form: ISO, or as a spreadsheet re-saves them (9-May-20)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)

    from geodata.importers import import_file

    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    src = tmp / "acled.csv"
    t0 = time.perf_counter()
    generate_acled(src, args.rows, dates=args.dates)
    size_mb = src.stat().st_size / 1e6
    print(f"generated {args.rows:,} rows ({size_mb:,.0f} MB) in {time.perf_counter() - t0:.1f} s")
    base_mb = _peak_mb()

    out = tmp / f"out.{args.format}"
    t0, c0 = time.perf_counter(), time.process_time()
    result = import_file(src, out, progress=sys.stderr.isatty())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()
    print(result.summary())
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"import: {wall:.1f} s wall ({cpu:.1f} s CPU), {args.rows / wall:,.0f} rows/s, "
          f"peak RSS {peak:,.0f} MB (before the import: {base_mb:,.0f} MB), "
          f"output {out.stat().st_size / 1e6:,.0f} MB")

    n = min(args.naive_rows, args.rows)
    small = tmp / "small.csv"
    generate_acled(small, n)
    t0 = time.perf_counter()
    naive_import(small, tmp / "naive.geojson")
    naive = time.perf_counter() - t0
    naive_full = naive * args.rows / n
    print(f"naive (csv.DictReader + dicts + json.dump): {naive:.1f} s for {n:,} rows, "
          f"extrapolated {naive_full:.1f} s for {args.rows:,} rows "
          f"(no validation, no typing); ratio naive/import = {naive_full / wall:.1f}x")
    if not args.keep:
        for p in tmp.iterdir():
            p.unlink()
        os.rmdir(tmp)
    else:
        print(f"kept {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
