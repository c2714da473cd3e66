"""Tests of geodata.importers: ACLED, UCDP GED and plain CSV to the incident schema.

Every fixture is built here as CSV text in the exact column layout of the
format. "line" in rejects is the first physical line of a record (header = 1).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import orjson
import pytest

import geodata
from geodata import geojson_write
from geodata.errors import DataSourceError
from geodata.importers import ImportResult, countries, detect_format, import_file, import_frame
from mapapp.cli import main

# ---------------------------------------------------------------- fixtures

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
    "source_headline", "source_original", "where_prec", "gwnoa", "gwnob", "adm_1", "adm_2",
    "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
    "deaths_civilians", "deaths_unknown", "best", "high", "low",
]

ACLED_BASE = {
    "event_id_cnty": "IRQ1001", "event_date": "2020-01-08", "year": "2020",
    "time_precision": "1", "disorder_type": "Political violence",
    "event_type": "Explosions/Remote violence",
    "sub_event_type": "Shelling/artillery/missile attack",
    "actor1": "Military Forces of Iran (1989-)",
    "assoc_actor_1": "Islamic Revolutionary Guard Corps; Quds Force", "inter1": "State forces",
    "actor2": "Military Forces of the United States (2017-2021)", "assoc_actor_2": "",
    "inter2": "External/Other forces", "interaction": "State forces-External/Other forces",
    "civilian_targeting": "", "iso": "368", "region": "Middle East", "country": "Iraq",
    "admin1": "Al Anbar", "admin2": "Hit", "admin3": "", "location": "Ayn al-Asad",
    "latitude": "33.7856", "longitude": "42.4412", "geo_precision": "1",
    "source": "Al Sumaria; Shafaq News", "source_scale": "National",
    "notes": "On 8 January 2020, missiles hit the base.", "fatalities": "0",
    "tags": "", "timestamp": "1658707200",
}


def acled_row(**changes) -> dict:
    return {**ACLED_BASE, **changes}


#: (row, first physical line). IRQ1002's notes hold a comma and a newline, so
#: the record takes lines 3 and 4 and everything after it moves down by one.
ACLED_ROWS = [
    (acled_row(), 2),
    (acled_row(event_id_cnty="IRQ1002", event_date="08 January 2020", time_precision="2",
               event_type="Battles", sub_event_type="Armed clash", actor2="",
               inter2="", assoc_actor_1="", geo_precision="3", location="Erbil",
               admin1="Erbil", latitude="36.2376", longitude="43.9632", fatalities="2",
               notes="Clashes near Erbil, two killed.\nFollow-up reports differ.",
               tags="crowd size=no report", source="Rudaw"), 3),
    (acled_row(event_id_cnty="IRQ1003", event_date="2019-02-30"), 5),
    (acled_row(event_id_cnty="IRQ1004", latitude="", longitude="", location=""), 6),
    (acled_row(event_id_cnty="SYR1005", time_precision="3", geo_precision="2", iso="760",
               country="Syria", admin1="Deir ez Zor", admin2="", location="Al Mayadin",
               latitude="35.0201", longitude="40.4528", actor2="", inter2="",
               assoc_actor_1="", notes="", fatalities="12", source="SOHR"), 7),
    (acled_row(event_id_cnty="PSE1006", iso="275", country="Palestine", admin1="Gaza Strip",
               location="Gaza City", latitude="31.5017", longitude="34.4668", fatalities="",
               source="", assoc_actor_1=" ; Hamas ;; "), 8),
]


def csv_text(columns, rows, *, delimiter=",", newline="\n") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buf.getvalue()


def acled_text() -> str:
    return csv_text(ACLED_COLUMNS, [row for row, _ in ACLED_ROWS])


UCDP_BASE = {
    "id": "244657", "relid": "IRQ-2017-1-259-1", "year": "2017", "active_year": "TRUE",
    "code_status": "Clear", "type_of_violence": "1", "conflict_new_id": "259",
    "conflict_name": "Iraq: Government", "dyad_new_id": "524",
    "dyad_name": "Government of Iraq - IS", "side_a_new_id": "116",
    "side_a": "Government of Iraq", "side_b_new_id": "234", "side_b": "IS",
    "number_of_sources": "2",
    "source_article": ('Agence France Presse,2017-01-03,"Iraqi forces advance in Mosul";'
                       "https://example.org/news/mosul-1"),
    "source_office": "AFP", "source_date": "2017-01-03",
    "source_headline": "Iraqi forces advance", "source_original": "Iraqi military",
    "where_prec": "1", "gwnoa": "645", "gwnob": "", "adm_1": "Ninawa province",
    "adm_2": "Mosul district", "latitude": "36.335", "longitude": "43.1189",
    "geom_wkt": "POINT (43.1189 36.335)", "priogrid_gid": "180000", "country": "Iraq",
    "country_id": "645", "region": "Middle East", "event_clarity": "1", "date_prec": "1",
    "date_start": "2017-01-03 00:00:00.000", "date_end": "2017-01-05 00:00:00.000",
    "deaths_a": "3", "deaths_b": "10", "deaths_civilians": "0", "deaths_unknown": "0",
    "best": "13", "high": "20", "low": "11",
}


def ucdp_row(**changes) -> dict:
    return {**UCDP_BASE, **changes}


UCDP_ROWS = [
    (ucdp_row(), 2),
    (ucdp_row(id="244658", type_of_violence="3", side_a="IS", side_b="Civilians",
              where_prec="6", adm_1="", adm_2="", latitude="33.0", longitude="44.0",
              date_prec="4", date_start="2017-02-01", date_end="2017-02-28", best="0",
              high="0", low="0", source_article="BBC Monitoring"), 3),
    (ucdp_row(id="244659", type_of_violence="2", country="Russia (Soviet Union)",
              country_id="365", where_prec="2", latitude="43.3", longitude="45.7",
              date_prec="2", best="5", high="4", low="6"), 4),
    (ucdp_row(id="244660", latitude="", longitude="", adm_1="", adm_2=""), 5),
    (ucdp_row(id="244661", where_prec="3", date_prec="5", date_start="2017-03-01",
              date_end="2017-03-01", source_article=""), 6),
]


def ucdp_text() -> str:
    return csv_text(UCDP_COLUMNS, [row for row, _ in UCDP_ROWS])


@pytest.fixture
def acled_file(tmp_path) -> Path:
    path = tmp_path / "acled.csv"
    path.write_text(acled_text(), encoding="utf-8")
    return path


@pytest.fixture
def ucdp_file(tmp_path) -> Path:
    path = tmp_path / "ged.csv"
    path.write_text(ucdp_text(), encoding="utf-8")
    return path


def by_id(gdf) -> dict[str, dict]:
    return {f["properties"]["id"]: f for f in geodata.to_features(gdf)}


# ---------------------------------------------------------------- detection


def test_detect_format():
    assert detect_format(ACLED_COLUMNS) == "acled"
    assert detect_format([c.upper() for c in ACLED_COLUMNS]) == "acled"  # old exports
    old = [c for c in ACLED_COLUMNS if c != "event_id_cnty"] + ["data_id", "event_id_no_cnty"]
    assert detect_format(old) == "acled"
    assert detect_format(UCDP_COLUMNS) == "ucdp"
    assert detect_format(["lat", "lon", "date", "actor", "event_id_cnty"]) == "csv"
    assert detect_format(["side_a", "side_b", "latitude"]) == "csv"


def test_auto_detection_on_files(acled_file, ucdp_file, tmp_path):
    assert import_file(acled_file, tmp_path / "a.geojson").fmt == "acled"
    assert import_file(ucdp_file, tmp_path / "u.geojson").fmt == "ucdp"
    plain = tmp_path / "plain.csv"
    plain.write_text("date,lat,lon,type,country\n2020-01-01,33,44,Battles,IRQ\n")
    assert import_file(plain, tmp_path / "p.geojson").fmt == "csv"


# ---------------------------------------------------------------- ACLED


def test_acled_field_mapping(acled_file):
    gdf, rejects = import_frame(acled_file)
    feats = by_id(gdf)
    assert sorted(feats) == ["IRQ1001", "IRQ1002", "PSE1006", "SYR1005"]

    first = feats["IRQ1001"]
    p = first["properties"]
    assert first["geometry"]["coordinates"] == [42.4412, 33.7856]
    assert p["date"] == "2020-01-08"
    assert p["date_precision"] == "day"
    assert p["event_type"] == "Explosions/Remote violence"
    assert p["sub_event_type"] == "Shelling/artillery/missile attack"
    assert p["actor"] == "Military Forces of Iran (1989-)"
    assert p["target"] == "Military Forces of the United States (2017-2021)"
    assert p["assoc_actors"] == ["Islamic Revolutionary Guard Corps", "Quds Force"]
    assert "assoc_targets" not in p  # empty cell: omitted
    assert p["country"] == "IRQ"
    assert p["acled_iso"] == 368  # the numeric code is kept, as an int
    assert p["admin1"] == "Al Anbar"
    assert p["place"] == "Ayn al-Asad"
    assert (p["geo_precision"], p["geo_precision_km"]) == ("site", 1.0)
    assert p["sources"] == [{"title": "Al Sumaria", "publisher": "Al Sumaria"},
                            {"title": "Shafaq News", "publisher": "Shafaq News"}]
    assert p["fatalities"] == 0  # zero is a value, not a missing one
    assert p["attribution"] == {"status": "unknown"}
    assert p["title"] == "Shelling/artillery/missile attack in Ayn al-Asad, 2020-01-08"
    # every other column is kept, typed; empty cells are left out
    assert p["year"] == 2020 and p["timestamp"] == 1658707200
    assert p["inter1"] == "State forces" and p["region"] == "Middle East"
    assert p["admin2"] == "Hit" and p["source_scale"] == "National"
    assert "admin3" not in p and "civilian_targeting" not in p and "acled_tags" not in p

    second = feats["IRQ1002"]["properties"]
    assert second["date"] == "2020-01-08"  # "08 January 2020" (older exports)
    assert second["date_precision"] == "week"
    assert (second["geo_precision"], second["geo_precision_km"]) == ("region", 100.0)
    assert "target" not in second
    assert second["notes"] == "Clashes near Erbil, two killed.\nFollow-up reports differ."
    assert second["acled_tags"] == "crowd size=no report"
    assert second["fatalities"] == 2

    syria = feats["SYR1005"]["properties"]
    assert syria["country"] == "SYR" and syria["acled_iso"] == 760
    assert syria["date_precision"] == "month"
    assert (syria["geo_precision"], syria["geo_precision_km"]) == ("town", 10.0)
    assert "notes" not in syria and "admin2" not in syria

    gaza = feats["PSE1006"]["properties"]
    assert gaza["country"] == "PSE"
    assert "fatalities" not in gaza and "sources" not in gaza
    assert gaza["assoc_actors"] == ["Hamas"]
    assert len(rejects) == 2


def test_acled_rejects_with_line_numbers(acled_file, tmp_path):
    before = acled_file.read_bytes()
    rejects_path = tmp_path / "rejects.csv"
    result = import_file(acled_file, tmp_path / "out.geojson", rejects=rejects_path)
    assert isinstance(result, ImportResult)
    assert result.imported == 4 and result.rejected == 2
    assert result.imported + result.rejected == len(ACLED_ROWS)
    assert result.reject_lines() == [
        "line 5: event_date: not a date: '2019-02-30'",
        "line 6: latitude/longitude missing and no place to geocode",
    ]
    assert result.rejects["line"].tolist() == [5, 6]
    assert result.rejects["id"].tolist() == ["IRQ1003", "IRQ1004"]
    # the original row follows line, id and reason
    assert list(result.rejects.columns) == ["line", "id", "reason", *ACLED_COLUMNS]
    assert result.rejects.loc[0, "event_date"] == "2019-02-30"
    with open(rejects_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["line"], r["event_id_cnty"]) for r in rows] == [("5", "IRQ1003"), ("6", "IRQ1004")]
    assert rows[0]["reason"] == "event_date: not a date: '2019-02-30'"
    assert result.summary() == (
        f"imported 4 incidents from {acled_file} (ACLED) to {tmp_path / 'out.geojson'}; "
        f"2 rows rejected (see {rejects_path})"
    )
    assert acled_file.read_bytes() == before  # the input is only read


def test_line_numbers_match_the_fixture(acled_file):
    _, rejects = import_frame(acled_file)
    expected = {row["event_id_cnty"]: line for row, line in ACLED_ROWS}
    for _, r in rejects.iterrows():
        assert r["line"] == expected[r["id"]]
    # and the physical line really holds that record
    lines = acled_file.read_text(encoding="utf-8").split("\n")
    for _, r in rejects.iterrows():
        assert lines[r["line"] - 1].startswith(r["id"] + ",")


def test_acled_uppercase_headers_and_iso3(tmp_path):
    columns = [c.upper() for c in ACLED_COLUMNS if c != "iso"] + ["ISO3"]
    row = {k.upper(): v for k, v in ACLED_BASE.items()} | {"ISO3": "IRQ", "COUNTRY": "Iraq"}
    path = tmp_path / "old.csv"
    path.write_text(csv_text(columns, [row]), encoding="utf-8")
    gdf, rejects = import_frame(path)
    assert len(rejects) == 0
    p = geodata.to_features(gdf)[0]["properties"]
    assert p["country"] == "IRQ" and p["id"] == "IRQ1001"


def test_acled_bad_codes_are_rejected(tmp_path):
    rows = [acled_row(event_id_cnty="A1", time_precision="7"),
            acled_row(event_id_cnty="A2", geo_precision="x", fatalities="-3"),
            acled_row(event_id_cnty="A3", iso="999", country="Narnia"),
            acled_row(event_id_cnty="A4", latitude="95", longitude="44"),
            acled_row(event_id_cnty="A5", event_type="", actor1="")]
    path = tmp_path / "bad.csv"
    path.write_text(csv_text(ACLED_COLUMNS, rows), encoding="utf-8")
    gdf, rejects = import_frame(path)
    reasons = dict(zip(rejects["id"], rejects["reason"], strict=True))
    assert reasons["A1"] == "time_precision: unknown value (expected 1, 2 or 3): '7'"
    assert "geo_precision: unknown value (expected 1, 2 or 3): 'x'" in reasons["A2"]
    assert "fatalities: not a whole number of at least 0: '-3'" in reasons["A2"]
    assert reasons["A3"] == "country: unknown country: 'Narnia'"
    assert reasons["A4"] == "latitude: 95.0 out of range [-90, 90]"
    assert reasons["A5"] == "event_type: missing"
    assert len(gdf) == 0


def test_duplicate_ids_are_rejected_after_the_first(tmp_path):
    rows = [acled_row(), acled_row(event_date="2020-01-09"), acled_row(event_date="bad")]
    path = tmp_path / "dup.csv"
    path.write_text(csv_text(ACLED_COLUMNS, rows), encoding="utf-8")
    result = import_file(path, tmp_path / "out.geojson")
    assert result.imported == 1
    assert result.reject_lines() == [
        "line 3: event_id_cnty: duplicate id 'IRQ1001' (first on line 2)",
        "line 4: event_date: not a date: 'bad' (forms read: YYYY-MM-DD, 15 January 2020, "
        "01-January-2015, January 15, 2020, 9-May-20, 31-12-19, 5/9/2020)",
    ]


# ---------------------------------------------------------------- UCDP


def test_ucdp_field_mapping(ucdp_file):
    gdf, rejects = import_frame(ucdp_file)
    feats = by_id(gdf)
    assert sorted(feats) == ["ucdp-244657", "ucdp-244658", "ucdp-244659", "ucdp-244661"]

    p = feats["ucdp-244657"]["properties"]
    assert feats["ucdp-244657"]["geometry"]["coordinates"] == [43.1189, 36.335]
    assert (p["actor"], p["target"]) == ("Government of Iraq", "IS")
    assert (p["date"], p["end_date"], p["date_precision"]) == ("2017-01-03", "2017-01-05", "day")
    assert (p["event_type"], p["sub_event_type"]) == ("Battles", "State-based conflict")
    assert p["ucdp_type_of_violence"] == 1
    assert (p["fatalities_low"], p["fatalities"], p["fatalities_high"]) == (11, 13, 20)
    assert (p["geo_precision"], p["geo_precision_km"]) == ("site", 1.0)
    assert p["country"] == "IRQ" and p["country_id"] == 645  # Gleditsch-Ward code kept
    assert p["admin1"] == "Ninawa province" and p["place"] == "Mosul district"
    assert p["sources"] == [
        {"publisher": "Agence France Presse", "date": "2017-01-03",
         "title": "Iraqi forces advance in Mosul"},
        {"url": "https://example.org/news/mosul-1"},
    ]
    assert p["relid"] == "IRQ-2017-1-259-1" and p["active_year"] is True
    assert p["deaths_b"] == 10 and p["dyad_name"] == "Government of Iraq - IS"
    assert "gwnob" not in p  # empty cell omitted
    assert "id" in p and "best" not in p and "where_prec" not in p  # consumed

    one_sided = feats["ucdp-244658"]["properties"]
    assert (one_sided["event_type"], one_sided["sub_event_type"]) == (
        "Violence against civilians", "One-sided violence")
    assert (one_sided["geo_precision"], one_sided["geo_precision_km"]) == ("country", 500.0)
    assert one_sided["date_precision"] == "month" and one_sided["end_date"] == "2017-02-28"
    assert (one_sided["fatalities_low"], one_sided["fatalities"],
            one_sided["fatalities_high"]) == (0, 0, 0)
    assert one_sided["sources"] == [{"title": "BBC Monitoring"}]

    same_day = feats["ucdp-244661"]["properties"]
    assert "end_date" not in same_day  # only kept when later than the start
    assert same_day["date_precision"] == "year"
    assert (same_day["geo_precision"], same_day["geo_precision_km"]) == ("region", 50.0)
    assert "sources" not in same_day

    # low 6 > best 5 > high 4: kept as UCDP publishes it, flagged, the range as given
    odd = feats["ucdp-244659"]["properties"]
    assert odd["fatalities"] == 5 and odd["fatalities_inconsistent"] is True
    assert (odd["ucdp_low"], odd["ucdp_high"]) == (6, 4)
    assert "fatalities_low" not in odd and "fatalities_high" not in odd
    assert "fatalities_inconsistent" not in p and "ucdp_low" not in p

    assert rejects["line"].tolist() == [5]
    assert rejects["reason"].tolist() == ["latitude/longitude missing and no place to geocode"]


def test_ucdp_country_names_with_old_names():
    assert countries._country_iso3("Russia (Soviet Union)") == "RUS"
    assert countries._country_iso3("DR Congo (Zaire)") == "COD"
    assert countries._country_iso3("Yemen (North Yemen)") == "YEM"
    assert countries._country_iso3("Kingdom of eSwatini (Swaziland)") == "SWZ"
    assert countries._country_iso3("Bosnia-Herzegovina") == "BIH"
    assert countries._country_iso3("Congo") == "COG"
    assert countries._country_iso3("Democratic Republic of Congo") == "COD"
    assert countries._country_iso3("iq") == "IRQ" and countries._country_iso3("IRQ") == "IRQ"
    assert countries._country_iso3("Côte d'Ivoire") == "CIV"
    assert countries._country_iso3("Narnia") is None


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("suffix", [".geojson", ".parquet"])
def test_round_trip_validate_read_export(acled_file, ucdp_file, tmp_path, suffix):
    for src in (acled_file, ucdp_file):
        out = tmp_path / f"{src.stem}{suffix}"
        result = import_file(src, out)
        assert result.output == str(out)
        report = geodata.validate(out)  # strict: raises if anything is wrong
        assert report.ok and report.n_features == result.imported
        gdf = geodata.read(out)
        assert len(gdf) == result.imported
        in_memory, _ = import_frame(src)
        assert geodata.to_features(gdf) == geodata.to_features(in_memory)
        try:
            from mapapp.export import export_html
        except ImportError as exc:  # pragma: no cover - mapapp is part of this project
            pytest.skip(f"mapapp.export cannot be imported ({exc}); export step skipped")
        html = export_html(gdf, tmp_path / f"{src.stem}{suffix}.html", title="Imported")
        assert html.stat().st_size > 0


def test_geojson_output_is_byte_identical_to_geodata_write(acled_file, ucdp_file, tmp_path,
                                                           monkeypatch):
    monkeypatch.setattr(geojson_write, "GEOJSON_CHUNK", 2)  # several chunks even for a few rows
    for src in (acled_file, ucdp_file):
        out = tmp_path / f"{src.stem}.geojson"
        import_file(src, out)
        again = tmp_path / f"{src.stem}-again.geojson"
        geodata.write(import_frame(src)[0], again)  # the same frame through geodata.write
        assert out.read_bytes() == again.read_bytes()
        # the column-wise writer writes what the one-dict-per-feature path writes
        plain = orjson.dumps(geodata.to_feature_collection(import_frame(src)[0]),
                             option=orjson.OPT_SERIALIZE_NUMPY) + b"\n"
        assert out.read_bytes() == plain
        assert geodata.load_features(out) == geodata.to_features(geodata.read(out))


def test_check_features_safety_net_maps_problems_to_lines(tmp_path, monkeypatch):
    path = tmp_path / "plain.csv"
    path.write_text("date,lat,lon,type,country\n"
                    "2020-01-01,33,44,Battles,Iraq\n"
                    "2020-01-02,34,44,Battles,Syria\n", encoding="utf-8")
    real = countries._country_iso3
    # a converter bug that writes a bad country for Syria: only check_features sees it
    monkeypatch.setattr(countries, "_country_iso3",
                        lambda v: "Syria" if v == "Syria" else real(v))
    result = import_file(path, tmp_path / "out.geojson", check=True)
    assert result.imported == 1
    assert result.reject_lines() == [
        "line 3: country: must be an ISO 3166-1 alpha-3 code such as 'IRQ', got 'Syria'"]
    geodata.validate(tmp_path / "out.geojson")
    unchecked = import_file(path, tmp_path / "unchecked.geojson", check=False)
    assert unchecked.imported == 2
    assert not geodata.validate(tmp_path / "unchecked.geojson", lenient=True).ok


# ---------------------------------------------------------------- plain CSV


def test_plain_csv_synonyms_defaults_and_sniffing(tmp_path):
    text = ("\ufeffDay;Lat;Lng;Kind;Perpetrator;Victim;City;Country;Killed;Description;URL;Extra\n"
            "2020-01-08;33.7856;42.4412;Explosions/Remote violence;Iran;United States;"
            "Ayn al-Asad;IQ;0;Missile strike;https://example.org/a;x1\n"
            "2020-02;36.19;44.01;Battles;;;;Iraq;;;Reuters 2020;\n")
    path = tmp_path / "mine.csv"
    path.write_text(text, encoding="utf-8")
    result = import_file(path, tmp_path / "out.geojson", mapping={"Kind": "event_type"})
    assert (result.fmt, result.imported, result.rejected) == ("csv", 2, 0)
    feats = by_id(geodata.read(tmp_path / "out.geojson"))
    a = feats["row-2"]["properties"]  # no id column: "row-<line>"
    assert a["title"] == "Explosions/Remote violence in Ayn al-Asad, 2020-01-08"
    assert (a["actor"], a["target"], a["place"], a["country"]) == (
        "Iran", "United States", "Ayn al-Asad", "IRQ")
    assert a["fatalities"] == 0 and a["notes"] == "Missile strike"
    assert a["sources"] == [{"url": "https://example.org/a"}]
    assert a["date_precision"] == "day" and a["extra"] == "x1"  # header case does not leak
    b = feats["row-3"]["properties"]
    assert (b["date"], b["date_precision"]) == ("2020-02-01", "month")
    assert b["actor"] == "Unknown" and b["sources"] == [{"title": "Reuters 2020"}]
    assert b["title"] == "Battles in IRQ, 2020-02-01"


def test_old_mac_line_endings(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b"date,lat,lon,type,country\r2020-01-01,33,44,Battles,IRQ\r"
                     b"2020-01-32,33,44,Battles,IRQ\r")
    result = import_file(path, tmp_path / "out.geojson")
    assert result.imported == 1
    assert result.reject_lines() == ["line 3: date: not a date: '2020-01-32'"]


def test_tsv_and_crlf(tmp_path):
    text = ("id\tdate\tlatitude\tlongitude\tevent_type\tcountry\r\n"
            "a\t2020-01-01\t33\t44\tBattles\tIRQ\r\n"
            "b\t2020-01-32\t33\t44\tBattles\tIRQ\r\n")
    path = tmp_path / "data.tsv"
    path.write_bytes(text.encode())
    result = import_file(path, tmp_path / "out.geojson")
    assert result.imported == 1
    assert result.reject_lines() == ["line 3: date: not a date: '2020-01-32'"]


def test_malformed_rows_blank_lines_and_multiline_records(tmp_path):
    text = ("date,lat,lon,type,country,actor\n"          # 1
            "2020-01-01,33,44,Battles,IRQ,A\n"           # 2
            "\n"                                          # 3 blank: not a row
            "2020-01-02,33,44,Battles,IRQ,B,EXTRA\n"     # 4
            "2020-01-03,33,44,Battles,IRQ\n"             # 5
            '2020-01-04,33,44,"Multi\n'                  # 6
            'line type",IRQ,C\n'                         # 7
            "2020-01-05,91,44,Battles,IRQ,D\n"           # 8
            "2020-01-06,33,abc,Battles,IRQ,E\n"          # 9
            "   \n"                                       # 10 blank
            "2020-01-07,,,Battles,IRQ,F\n")              # 11
    path = tmp_path / "messy.csv"
    path.write_text(text, encoding="utf-8")
    result = import_file(path, tmp_path / "out.geojson", rejects=tmp_path / "rej.csv")
    assert result.imported == 2
    assert result.reject_lines() == [
        "line 4: 7 fields where the header has 6",
        "line 5: 5 fields where the header has 6",
        "line 8: lat: 91.0 out of range [-90, 90]",
        "line 9: lon: not a number: 'abc'",
        "line 11: lat/lon missing and no place to geocode",
    ]
    assert result.imported + result.rejected == 7  # data records in the file
    assert sorted(by_id(geodata.read(tmp_path / "out.geojson"))) == ["row-2", "row-6"]
    rows = list(csv.DictReader(io.StringIO((tmp_path / "rej.csv").read_text(encoding="utf-8"))))
    assert rows[0]["actor"] == "B" and rows[1]["actor"] == ""


def test_mapping_errors(tmp_path, acled_file):
    path = tmp_path / "plain.csv"
    path.write_text("when,lat,lon,type,country\n2020-01-01,33,44,Battles,IRQ\n")
    with pytest.raises(DataSourceError, match="unknown field"):
        import_frame(path, mapping={"when": "datum"})
    with pytest.raises(DataSourceError, match="does not have"):
        import_frame(path, mapping={"nope": "date"})
    with pytest.raises(DataSourceError, match="plain CSV only"):
        import_frame(acled_file, mapping={"notes": "title"})
    gdf, rejects = import_frame(path)  # no date column recognised
    assert rejects["reason"].tolist() == [
        "date: missing (add a column or map one with --map COLUMN=date)"]
    gdf, rejects = import_frame(path, mapping={"when": "date"})
    assert len(gdf) == 1 and len(rejects) == 0


def test_input_kinds_bytes_and_uploads(acled_file):
    from_path, _ = import_frame(acled_file)
    data = acled_file.read_bytes()
    upload = io.BytesIO(data)
    upload.name = "acled.csv"
    for given in (data, upload):
        gdf, rejects = import_frame(given)
        assert geodata.to_features(gdf) == geodata.to_features(from_path)
        assert rejects["line"].tolist() == [5, 6]


def test_unreadable_inputs(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(DataSourceError, match="empty"):
        import_frame(tmp_path / "empty.csv")
    (tmp_path / "book.xlsx").write_bytes(b"PK\x03\x04rest")
    with pytest.raises(DataSourceError, match="save the sheet as CSV"):
        import_frame(tmp_path / "book.xlsx")
    (tmp_path / "latin1.csv").write_bytes("date,place\n2020-01-01,Sanaa\n2020-01-02,Bogot\xe1\n"
                                          .encode("latin-1"))
    with pytest.raises(DataSourceError, match="not UTF-8 text.*line 3"):
        import_frame(tmp_path / "latin1.csv")
    with pytest.raises(DataSourceError, match="no such file"):
        import_frame(tmp_path / "missing.csv")
    (tmp_path / "twice.csv").write_text("date,Date\n1,2\n")
    with pytest.raises(DataSourceError, match="appears twice"):
        import_frame(tmp_path / "twice.csv")
    with pytest.raises(DataSourceError, match="not a usable UCDP GED file: columns date_start"):
        import_frame(_write(tmp_path / "u.csv", "x\n1\n"), fmt="ucdp")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_header_only_writes_nothing(tmp_path):
    path = _write(tmp_path / "h.csv", ",".join(ACLED_COLUMNS) + "\n")
    out = tmp_path / "out.geojson"
    result = import_file(path, out, rejects=tmp_path / "r.csv")
    assert (result.imported, result.rejected, result.output) == (0, 0, None)
    assert not out.exists()
    assert (tmp_path / "r.csv").read_text().startswith("line,id,reason,event_id_cnty")
    assert result.summary() == (f"nothing imported from {path} (ACLED): no data rows; "
                                "no file written")


def test_refuses_to_overwrite_the_input(acled_file, tmp_path):
    with pytest.raises(DataSourceError, match="refusing to overwrite the input"):
        import_file(acled_file, acled_file)
    same = tmp_path / "same.geojson"
    same.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(DataSourceError, match="refusing to overwrite the input"):
        import_file(same, same)
    with pytest.raises(DataSourceError, match="refusing to overwrite the input"):
        import_file(acled_file, tmp_path / "o.geojson", rejects=acled_file)
    with pytest.raises(DataSourceError, match="unknown output type"):
        import_file(acled_file, tmp_path / "out.csv")
    with pytest.raises(DataSourceError, match="does not exist"):
        import_file(acled_file, tmp_path / "nowhere" / "out.geojson")


def test_progress_on_stderr(acled_file, tmp_path, capsys):
    import_file(acled_file, tmp_path / "out.geojson", progress=True)
    err = capsys.readouterr().err
    assert "reading" in err and "converting 6 rows" in err and "writing" in err
    assert err.endswith("\n")


# ---------------------------------------------------------------- geocoding


@pytest.mark.slow
def test_plain_csv_with_place_names_only_is_geocoded(tmp_path):
    from geodata.geocode import geocode

    text = ("date,place,event_type,actor\n"
            "2020-01-08,Ayn al-Asad,Explosions/Remote violence,Iran\n"
            "2020-01-08,Erbil,Explosions/Remote violence,Iran\n"
            "2019-12-27,Kirkuk,Explosions/Remote violence,Kataib Hezbollah\n"
            "2020-01-09,Qwxyzzyville,Battles,Unknown\n"
            "2020-01-10,Springfield,Battles,Unknown\n")
    path = _write(tmp_path / "places.csv", text)
    result = import_file(path, tmp_path / "out.geojson")
    assert (result.imported, result.rejected) == (3, 2)
    lines = result.reject_lines()
    assert lines[0] == "line 5: place: unknown place 'Qwxyzzyville'"
    assert lines[1].startswith("line 6: place: ambiguous place 'Springfield': ")
    assert "candidates" in lines[1] and "Springfield [town]" in lines[1]
    geodata.validate(tmp_path / "out.geojson")
    feats = {f["properties"]["place"]: f for f in geodata.load_features(tmp_path / "out.geojson")}
    for name in ("Ayn al-Asad", "Erbil", "Kirkuk"):
        expected = geocode(name)
        p = feats[name]["properties"]
        assert feats[name]["geometry"]["coordinates"] == [expected.lon, expected.lat]
        assert p["country"] == "IRQ" == expected.country
        assert (p["geo_precision"], p["geo_precision_km"]) == (expected.precision,
                                                                expected.radius_km)
        assert p["geocode_source"] == expected.source
    lon, lat = feats["Ayn al-Asad"]["geometry"]["coordinates"]
    assert abs(lat - 33.79) < 0.05 and abs(lon - 42.44) < 0.05


# ---------------------------------------------------------------- CLI


def test_cli_import_exit_codes_and_counts(acled_file, tmp_path, capsys):
    before = acled_file.read_bytes()
    out = tmp_path / "out.geojson"
    code = main(["import", str(acled_file), "-o", str(out), "--rejects", str(tmp_path / "r.csv")])
    captured = capsys.readouterr()
    assert code == 0
    assert "imported 4 incidents" in captured.out and "2 rows rejected" in captured.out
    assert geodata.validate(out).ok

    code = main(["import", str(acled_file), "-o", str(tmp_path / "o2.parquet")])
    captured = capsys.readouterr()
    assert code == 0
    assert "line 5: event_date: not a date: '2019-02-30'" in captured.err  # no --rejects

    bad = _write(tmp_path / "bad.csv", csv_text(ACLED_COLUMNS, [acled_row(event_date="x")]))
    assert main(["import", str(bad), "-o", str(tmp_path / "none.geojson")]) == 1
    assert "nothing imported" in capsys.readouterr().out
    assert not (tmp_path / "none.geojson").exists()

    assert main(["import", str(acled_file), "-o", str(acled_file)]) == 2
    assert "refusing to overwrite the input" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.csv"), "-o", str(out)]) == 1
    assert "no such file" in capsys.readouterr().err
    assert acled_file.read_bytes() == before

    plain = _write(tmp_path / "plain.csv", "when,lat,lon,type,country\n2020-01-01,33,44,B,IRQ\n")
    assert main(["import", str(plain), "-o", str(tmp_path / "p.geojson"),
                 "--map", "when=date"]) == 0
    assert "imported 1 incident from" in capsys.readouterr().out
