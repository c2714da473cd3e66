"""Real exports in their real layouts (issue 11): nothing is lost, nothing is misread.

Every fixture is built here in the layout the real file has (no third-party
file is committed: ACLED's terms restrict redistribution). The expected values
are read off the fixture rows themselves.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from test_importers import (
    ACLED_BASE,
    ACLED_COLUMNS,
    UCDP_BASE,
    UCDP_COLUMNS,
    acled_row,
    by_id,
    csv_text,
    ucdp_row,
)

import geodata
from geodata.dates import parse_dates
from geodata.errors import DataSourceError
from geodata.importers import import_file, import_frame
from geodata.ucdp import parse_source_article


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- dates


def test_spreadsheet_resaved_acled_dates_use_the_year_column(tmp_path):
    # Excel re-saves 2020-05-09 as 9-May-20 and 2019-12-31 as 31-12-19 (day first)
    rows = [acled_row(event_id_cnty="A1", event_date="9-May-20", year="2020"),
            acled_row(event_id_cnty="A2", event_date="31-12-19", year="2019"),
            acled_row(event_id_cnty="A3", event_date="1-Jan-99", year="1999"),
            acled_row(event_id_cnty="A4", event_date="15 January 2020", year="2020"),
            acled_row(event_id_cnty="A5", event_date="01-January-2015", year="2015")]
    gdf, rejects = import_frame(_write(tmp_path / "a.csv", csv_text(ACLED_COLUMNS, rows)))
    assert len(rejects) == 0
    dates = {k: f["properties"]["date"] for k, f in by_id(gdf).items()}
    assert dates == {"A1": "2020-05-09", "A2": "2019-12-31", "A3": "1999-01-01",
                     "A4": "2020-01-15", "A5": "2015-01-01"}


def test_day_month_order_is_decided_by_the_files_other_rows(tmp_path):
    rows = [acled_row(event_id_cnty="B1", event_date="5/9/2020"),
            acled_row(event_id_cnty="B2", event_date="25/9/2020")]  # only day-first fits
    gdf, rejects = import_frame(_write(tmp_path / "b.csv", csv_text(ACLED_COLUMNS, rows)))
    assert len(rejects) == 0
    assert by_id(gdf)["B1"]["properties"]["date"] == "2020-09-05"

    rows = [acled_row(event_id_cnty="C1", event_date="5/9/2020"),
            acled_row(event_id_cnty="C2", event_date="9/25/2020")]  # only month-first fits
    gdf, rejects = import_frame(_write(tmp_path / "c.csv", csv_text(ACLED_COLUMNS, rows)))
    assert by_id(gdf)["C1"]["properties"]["date"] == "2020-05-09"


def test_a_row_still_ambiguous_is_rejected_with_the_readings(tmp_path):
    rows = [acled_row(event_id_cnty="D1", event_date="5/9/2020"),
            acled_row(event_id_cnty="D2", event_date="1500-01-01"),
            acled_row(event_id_cnty="D3", event_date="9-May-20", year="2021")]
    result = import_file(_write(tmp_path / "d.csv", csv_text(ACLED_COLUMNS, rows)),
                         tmp_path / "d.geojson")
    assert result.imported == 0
    assert result.reject_lines() == [
        "line 2: event_date: ambiguous date '5/9/2020': could be 2020-09-05 (day first) or "
        "2020-05-09 (month first); neither the row's year nor the file's other dates decide "
        "(write it as YYYY-MM-DD)",
        "line 3: event_date: '1500-01-01' is outside the dates that can be held "
        "(1677-09-22 to 2262-04-11)",
        "line 4: event_date: '9-May-20': no reading (1920-05-09 or 2020-05-09) falls in the "
        "row's year 2021",
    ]


def test_dates_are_parsed_once_per_distinct_string(monkeypatch):
    from geodata import dates

    calls = []
    real = dates._readings
    monkeypatch.setattr(dates, "_readings", lambda s: calls.append(s) or real(s))
    values = pd.Series(["9-May-20", "10-May-20"] * 5000)
    parsed = parse_dates(values, pd.Series(["2020"] * 10000))
    assert sorted(calls) == ["10-May-20", "9-May-20"]
    assert parsed.errors.isna().all()
    assert parsed.dates.dt.strftime("%Y-%m-%d").tolist()[:2] == ["2020-05-09", "2020-05-10"]


# ---------------------------------------------------------------- UCDP


GED_SOURCES = ('"Reuters,2017-01-05,Blast in Mosul; five dead";'
               '"Agence France Presse,2017-01-06,""Toll rises"" after blast"')


def test_ucdp_extract_keeps_inconsistent_events_and_parses_sources(tmp_path):
    rows = [ucdp_row(id="1", best="6573", low="6573", high="10"),  # high below best
            ucdp_row(id="2", best="3", low="1", high="5", source_article=GED_SOURCES),
            ucdp_row(id="3", best="4", low="5", high="9")]
    path = _write(tmp_path / "ged.csv", csv_text(UCDP_COLUMNS, rows))
    result = import_file(path, tmp_path / "ged.geojson")
    assert (result.imported, result.rejected) == (3, 0)
    assert "kept 2 events whose low/best/high disagree" in result.summary()
    feats = by_id(geodata.read(tmp_path / "ged.geojson"))
    big = feats["ucdp-1"]["properties"]
    assert big["fatalities"] == 6573 and big["fatalities_inconsistent"] is True
    assert (big["ucdp_low"], big["ucdp_high"]) == (6573, 10)
    good = feats["ucdp-2"]["properties"]
    assert (good["fatalities_low"], good["fatalities"], good["fatalities_high"]) == (1, 3, 5)
    assert "fatalities_inconsistent" not in good
    assert good["sources"] == [
        {"publisher": "Reuters", "date": "2017-01-05", "title": "Blast in Mosul; five dead"},
        {"publisher": "Agence France Presse", "date": "2017-01-06",
         "title": '"Toll rises" after blast'},
    ]
    assert geodata.validate(tmp_path / "ged.geojson").ok


def test_source_article_items_split_only_outside_quotes():
    assert parse_source_article('"A,2020-01-01,x; y; z"') == [
        {"publisher": "A", "date": "2020-01-01", "title": "x; y; z"}]
    assert parse_source_article("Plain note") == [{"title": "Plain note"}]
    assert parse_source_article(" ; ") is None


HXL = {"id": "#event +id", "year": "#date +year", "date_start": "#date +start",
       "adm_1": "#adm1 +name", "latitude": "#geo +lat", "longitude": "#geo +lon",
       "country": "#country +name", "best": "#affected +killed"}


def test_hdx_copy_with_an_hxl_row_is_counted_and_numbers_stay_numbers(tmp_path):
    text = csv_text(UCDP_COLUMNS, [HXL, ucdp_row(), ucdp_row(id="244700")])
    result = import_file(_write(tmp_path / "hdx.csv", text), tmp_path / "hdx.geojson")
    assert (result.imported, result.rejected) == (2, 0)
    assert result.notes == ["skipped 1 row of HXL hashtags on line 2 (#event +id, "
                            "#date +year, #adm1 +name, ...)"]
    p = by_id(geodata.read(tmp_path / "hdx.geojson"))["ucdp-244700"]["properties"]
    assert p["year"] == 2017 and p["deaths_b"] == 10  # typed, not text


# ---------------------------------------------------------------- headers


def test_title_line_above_the_header_is_skipped_and_reported(tmp_path):
    text = "(Sample)\n\n" + csv_text(ACLED_COLUMNS, [acled_row(), acled_row(
        event_id_cnty="IRQ1002", event_date="bad")])
    result = import_file(_write(tmp_path / "sample.csv", text), tmp_path / "s.geojson")
    assert result.fmt == "acled" and result.imported == 1
    assert result.reject_lines()[0].startswith("line 5: event_date: not a date: 'bad'")
    assert result.notes[0] == ("skipped 2 lines above the header on line 3 "
                               "(line 1: '(Sample)', line 2: blank)")


def test_headerless_file_is_refused_clearly(tmp_path):
    path = _write(tmp_path / "nohead.csv", "2020-01-08,Iraq,33.3,44.4\n2020-01-09,Iraq,33,44\n")
    with pytest.raises(DataSourceError, match=r"nohead.csv: no header line: line 1 should name "
                                              r"the columns but its cells look like data"):
        import_frame(path)


def test_acled_without_actor1_says_which_column_is_missing(tmp_path):
    columns = [c for c in ACLED_COLUMNS if c != "actor1"]
    path = _write(tmp_path / "noactor.csv", csv_text(columns, [acled_row()]))
    with pytest.raises(DataSourceError, match=r"noactor.csv: looks like an ACLED export .* "
                                              r"column actor1 is missing"):
        import_frame(path)
    gdf, rejects = import_frame(path, fmt="csv")  # asked for explicitly: plain CSV rules
    assert len(gdf) + len(rejects) == 1


def test_uppercase_and_old_acled_columns(tmp_path):
    old = {"ASSOC_ACTOR_1": "ALLY_ACTOR_1", "ASSOC_ACTOR_2": "ALLY_ACTOR_2"}
    columns = [old.get(c.upper(), c.upper()) for c in ACLED_COLUMNS]
    row = {old.get(k.upper(), k.upper()): v for k, v in ACLED_BASE.items()}
    row["ALLY_ACTOR_2"] = "Civilians (Iraq)"
    gdf, rejects = import_frame(_write(tmp_path / "old.csv", csv_text(columns, [row])))
    assert len(rejects) == 0
    p = geodata.to_features(gdf)[0]["properties"]
    assert p["assoc_actors"] == ["Islamic Revolutionary Guard Corps", "Quds Force"]
    assert p["assoc_targets"] == ["Civilians (Iraq)"]
    assert p["inter1"] == "State forces" and p["region"] == "Middle East"  # lower case
    assert not [k for k in p if k != k.lower()]


# ---------------------------------------------------------------- GeoJSON / GeoParquet


def _fc(features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def _gdal_ucdp_feature(row: dict, fid: int) -> dict:
    """A feature as ogr2ogr writes the GED CSV: numbers typed, id numeric, dates as dates."""
    numeric = {"id", "year", "type_of_violence", "conflict_new_id", "dyad_new_id",
               "side_a_new_id", "side_b_new_id", "number_of_sources", "where_prec", "gwnoa",
               "priogrid_gid", "country_id", "event_clarity", "date_prec", "deaths_a",
               "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low"}
    props = {}
    for key, value in row.items():
        if key in numeric:
            props[key] = int(value) if value else None
        elif key in ("latitude", "longitude"):
            props[key] = float(value)
        elif key in ("date_start", "date_end"):
            props[key] = value[:10].replace("-", "/") + " 00:00:00"
        else:
            props[key] = value or None
    return {"type": "Feature", "id": fid, "properties": props,
            "geometry": {"type": "Point", "coordinates": [props["longitude"],
                                                          props["latitude"]]}}


def test_gdal_geojson_of_ucdp_ged_imports_and_exports(tmp_path):
    rows = [ucdp_row(), ucdp_row(id="244700", best="5", low="6", high="4"),
            ucdp_row(id="244701", country="Syria", latitude="35.0", longitude="40.4")]
    path = _write(tmp_path / "ged_gdal.geojson",
                  _fc([_gdal_ucdp_feature(r, i) for i, r in enumerate(rows)]))
    out = tmp_path / "out.geojson"
    result = import_file(path, out)
    assert (result.fmt, result.imported, result.rejected) == ("ucdp", 3, 0)
    feats = by_id(geodata.read(out))
    p = feats["ucdp-244657"]["properties"]
    assert (p["date"], p["end_date"], p["country"]) == ("2017-01-03", "2017-01-05", "IRQ")
    assert p["fatalities"] == 13 and p["year"] == 2017
    assert feats["ucdp-244701"]["properties"]["country"] == "SYR"
    assert feats["ucdp-244700"]["properties"]["fatalities_inconsistent"] is True
    assert geodata.validate(out).ok


def test_plain_point_geojson_with_synonyms_and_country_names(tmp_path):
    # csv2geojson writes every value as a string (and keeps the lat/lon columns)
    feats = [{"type": "Feature",
              "properties": {"name": "Market attack", "event_date": "2021-03-04",
                             "category": "Explosions/Remote violence",
                             "side_a": "Unknown armed group", "country": "Iraq",
                             "lat": "33.3", "lon": "44.4"},
              "geometry": {"type": "Point", "coordinates": [44.4, 33.3]}}]
    out = tmp_path / "plain.geojson"
    result = import_file(_write(tmp_path / "csv2geojson.json", _fc(feats)), out)
    assert (result.fmt, result.imported, result.rejected) == ("csv", 1, 0)
    p = geodata.read(out).iloc[0]
    assert (p["title"], p["actor"], p["country"], str(p["date"].date())) == (
        "Market attack", "Unknown armed group", "IRQ", "2021-03-04")
    assert (p.geometry.x, p.geometry.y) == (44.4, 33.3)

    # other tools: a numeric feature id, title/date_start/actor1, a country name
    feats = [{"type": "Feature", "id": 7,
              "properties": {"title": "Clash", "date_start": "4/3/2021", "event_type": "Battles",
                             "actor1": "A", "country": "Syrian Arab Republic"},
              "geometry": {"type": "Point", "coordinates": [40.0, 35.0]}}]
    result = import_file(_write(tmp_path / "other.geojson", _fc(feats)), out)
    assert result.reject_lines()[0].startswith(  # 4/3/2021: day or month first?
        "line 0: date_start: ambiguous date '4/3/2021'")
    feats[0]["properties"]["date_start"] = "2021-03-04"
    gdf, rejects = import_frame(_write(tmp_path / "other.geojson", _fc(feats)))
    assert len(rejects) == 0
    p = by_id(gdf)["7"]["properties"]  # numeric id -> string
    assert (p["title"], p["actor"], p["country"]) == ("Clash", "A", "SYR")


def test_mapping_applies_to_geojson_properties(tmp_path):
    feats = [{"type": "Feature", "properties": {"when": "2021-03-04", "kind": "Protests",
                                                "who": "Students", "land": "IRQ"},
              "geometry": {"type": "Point", "coordinates": [44.4, 33.3]}}]
    gdf, rejects = import_frame(_write(tmp_path / "m.geojson", _fc(feats)),
                                mapping={"when": "date", "kind": "event_type", "who": "actor",
                                         "land": "country"})
    assert len(rejects) == 0 and gdf.iloc[0]["actor"] == "Students"


def test_polygons_become_points_whose_radius_covers_them_and_null_geometry_is_rejected(
        tmp_path):
    square = [[44.0, 33.0], [44.2, 33.0], [44.2, 33.2], [44.0, 33.2], [44.0, 33.0]]
    feats = [
        {"type": "Feature", "properties": {"id": "poly", "date": "2021-03-04",
                                           "event_type": "Protests", "country": "IRQ"},
         "geometry": {"type": "Polygon", "coordinates": [square]}},
        {"type": "Feature", "properties": {"id": "line", "date": "2021-03-04",
                                           "event_type": "Protests", "country": "IRQ",
                                           "geo_precision": "site"},
         "geometry": {"type": "LineString", "coordinates": [[44.0, 33.0], [45.0, 33.0]]}},
        {"type": "Feature", "properties": {"id": "nowhere", "date": "2021-03-04",
                                           "event_type": "Protests", "country": "IRQ"},
         "geometry": None},
    ]
    result = import_file(_write(tmp_path / "shapes.geojson", _fc(feats)),
                         tmp_path / "out.parquet")
    assert (result.imported, result.rejected) == (2, 1)
    assert result.reject_lines() == [
        "line 2: feature 2 (id 'nowhere'): geometry: null (the feature has no location)"]
    gdf = geodata.read(tmp_path / "out.parquet")
    for _, row in gdf.iterrows():
        coords = square if row["id"] == "poly" else [[44.0, 33.0], [45.0, 33.0]]
        far = max(_km(row.geometry.x, row.geometry.y, lon, lat) for lon, lat in coords)
        assert far <= row["geo_precision_km"] <= far + 0.2
        assert row.geometry.y == pytest.approx(33.1 if row["id"] == "poly" else 33.0, abs=0.11)
    poly = gdf.set_index("id").loc["poly"]
    assert poly["geo_precision"] == "region"  # 14.5 km: wider than a town's 10 km


def _km(lon0, lat0, lon1, lat1) -> float:
    p0, p1 = math.radians(lat0), math.radians(lat1)
    a = (math.sin((p1 - p0) / 2) ** 2
         + math.cos(p0) * math.cos(p1) * math.sin(math.radians(lon1 - lon0) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_geoparquet_input(tmp_path):
    import geopandas as gpd

    frame = pd.DataFrame([{k: v for k, v in UCDP_BASE.items()}, {**UCDP_BASE, "id": "244700"}])
    frame[["best", "low", "high", "year"]] = frame[["best", "low", "high", "year"]].astype(int)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(
        frame["longitude"].astype(float), frame["latitude"].astype(float)), crs="EPSG:4326")
    gdf.to_parquet(tmp_path / "ged.parquet")
    result = import_file(tmp_path / "ged.parquet", tmp_path / "out.geojson")
    assert (result.fmt, result.imported, result.rejected) == ("ucdp", 2, 0)
