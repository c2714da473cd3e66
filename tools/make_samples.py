"""Write the small synthetic samples in ACLED and UCDP GED layouts (``samples/``).

The rows are made up by this script, with a fixed seed, to show the two
layouts the importer reads (``docs/importing.md``): plausible places in Iraq
and Syria with their real coordinates, actors named after the built-in
dataset's, and fatalities, dates and sources invented. They are not copied
from ACLED or UCDP and describe no real event; every note and source says so.

Run ``python tools/make_samples.py`` from the checkout to write
``samples/acled_sample.csv`` and ``samples/ucdp_ged_sample.csv`` (the same
bytes every time).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "samples"
ROWS = 30
SEED = 2020

#: (place, admin1, admin2, country, ISO3, numeric ISO, latitude, longitude)
PLACES = [
    ("Baghdad", "Baghdad", "Karkh", "Iraq", "IRQ", 368, 33.3152, 44.3661),
    ("Kirkuk", "Kirkuk", "Kirkuk", "Iraq", "IRQ", 368, 35.4681, 44.3922),
    ("Erbil", "Erbil", "Erbil", "Iraq", "IRQ", 368, 36.1911, 44.0092),
    ("Taji", "Baghdad", "Tarmia", "Iraq", "IRQ", 368, 33.5133, 44.2564),
    ("Al-Qaim", "Anbar", "Al-Qaim", "Iraq", "IRQ", 368, 34.3686, 41.0945),
    ("Mosul", "Ninewa", "Mosul", "Iraq", "IRQ", 368, 36.3400, 43.1300),
    ("Basra", "Basrah", "Basrah", "Iraq", "IRQ", 368, 30.5085, 47.7804),
    ("Deir ez-Zor", "Deir ez-Zor", "Deir ez-Zor", "Syria", "SYR", 760, 35.3359, 40.1408),
    ("Abu Kamal", "Deir ez-Zor", "Abu Kamal", "Syria", "SYR", 760, 34.4508, 40.9186),
]
ACTORS = ["Kataib Hezbollah", "Military Forces of the United States", "Unidentified Armed Group",
          "Military Forces of Iraq", "Protesters (Iraq)"]
TARGETS = ["Military Forces of the United States", "Kataib Hezbollah", "Civilians (Iraq)",
           "Military Forces of Iraq", ""]
ACLED_TYPES = [("Explosions/Remote violence", "Shelling/artillery/missile attack",
                "Political violence"),
               ("Explosions/Remote violence", "Air/drone strike", "Political violence"),
               ("Battles", "Armed clash", "Political violence"),
               ("Protests", "Peaceful protest", "Demonstrations")]
ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]
UCDP_COLUMNS = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_new_id",
    "conflict_name", "dyad_new_id", "dyad_name", "side_a_new_id", "side_a", "side_b_new_id",
    "side_b", "number_of_sources", "source_article", "source_office", "source_date",
    "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec",
    "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "best", "high", "low", "gwnoa", "gwnob",
]
NOTE = "Synthetic sample row made by tools/make_samples.py; describes no real event."


def _day(rng: random.Random) -> dt.date:
    return dt.date(2019, 10, 1) + dt.timedelta(days=rng.randrange(200))


def acled_rows(rng: random.Random) -> list[dict]:
    """Rows in ACLED's current 31-column layout."""
    rows = []
    for i in range(ROWS):
        place, admin1, admin2, country, _, iso, lat, lon = rng.choice(PLACES)
        event_type, sub_event_type, disorder = rng.choice(ACLED_TYPES)
        day = _day(rng)
        actor = rng.choice(ACTORS)
        target = rng.choice([t for t in TARGETS if t != actor])
        rows.append({
            "event_id_cnty": f"SAMPLE{i + 1:04d}", "event_date": f"{day:%d %B %Y}",
            "year": day.year, "time_precision": rng.choice([1, 1, 1, 2]),
            "disorder_type": disorder, "event_type": event_type,
            "sub_event_type": sub_event_type, "actor1": actor, "assoc_actor_1": "",
            "inter1": 3, "actor2": target, "assoc_actor_2": "", "inter2": 1 if target else 0,
            "interaction": 13, "civilian_targeting": "", "iso": iso, "region": "Middle East",
            "country": country, "admin1": admin1, "admin2": admin2, "admin3": "",
            "location": place, "latitude": f"{lat + rng.uniform(-0.03, 0.03):.4f}",
            "longitude": f"{lon + rng.uniform(-0.03, 0.03):.4f}",
            "geo_precision": rng.choice([1, 1, 2]),
            "source": rng.choice(["Sample Wire", "Sample Wire; Example Daily", "Example Daily"]),
            "source_scale": "National", "notes": NOTE,
            "fatalities": rng.choice([0, 0, 0, 1, 2, 4]), "tags": "",
            "timestamp": 1700000000 + i,
        })
    return rows


def ucdp_rows(rng: random.Random) -> list[dict]:
    """Rows in UCDP GED's CSV layout."""
    rows = []
    for i in range(ROWS):
        place, admin1, admin2, country, _, _, lat, lon = rng.choice(PLACES)
        day = _day(rng)
        violence = rng.choice([1, 1, 2, 3])
        side_a = "Government of Iraq" if violence == 1 else rng.choice(["IS", "Kataib Hezbollah"])
        side_b = {1: "IS", 2: "Sample militia", 3: "Civilians"}[violence]
        low = rng.choice([0, 1, 2])
        best = low + rng.choice([0, 1, 3])
        lat += rng.uniform(-0.03, 0.03)
        lon += rng.uniform(-0.03, 0.03)
        rows.append({
            "id": 900000 + i, "relid": f"SAMPLE-{i + 1}", "year": day.year, "active_year": 1,
            "code_status": "Clear", "type_of_violence": violence, "conflict_new_id": 999,
            "conflict_name": f"Iraq: Sample conflict {violence}", "dyad_new_id": 9990 + violence,
            "dyad_name": f"{side_a} - {side_b}", "side_a_new_id": 1, "side_a": side_a,
            "side_b_new_id": 2, "side_b": side_b, "number_of_sources": 1,
            "source_article": f'"Sample Wire,{day:%Y-%m-%d},Synthetic report {i + 1}"',
            "source_office": "", "source_date": f"{day:%Y-%m-%d}",
            "source_headline": f"Synthetic report {i + 1}", "source_original": "Sample Wire",
            "where_prec": rng.choice([1, 1, 2, 3]),
            "where_coordinates": f"{place} town", "where_description": NOTE,
            "adm_1": f"{admin1} province", "adm_2": f"{admin2} district",
            "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}",
            "geom_wkt": f"POINT ({lon:.4f} {lat:.4f})", "priogrid_gid": 150000 + i,
            "country": country, "country_id": 645 if country == "Iraq" else 652,
            "region": "Middle East", "event_clarity": 1, "date_prec": 1,
            "date_start": f"{day:%Y-%m-%d} 00:00:00.000",
            "date_end": f"{day:%Y-%m-%d} 00:00:00.000",
            "deaths_a": 0, "deaths_b": best, "deaths_civilians": 0, "deaths_unknown": 0,
            "best": best, "high": best + 1, "low": low, "gwnoa": 645, "gwnob": "",
        })
    return rows


def _csv(columns: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    """Write atomically: a temporary file beside ``path``, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(out: Path = OUT) -> list[Path]:
    """Write both samples into ``out``; returns their paths."""
    rng = random.Random(SEED)
    paths = [out / "acled_sample.csv", out / "ucdp_ged_sample.csv"]
    _write(paths[0], _csv(ACLED_COLUMNS, acled_rows(rng)))
    _write(paths[1], _csv(UCDP_COLUMNS, ucdp_rows(rng)))
    return paths


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(f"wrote {written}")
