"""geodata.load: one loader for every format, paths and upload bytes, frame and report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import feature_collection, make_feature
from test_importers import ACLED_COLUMNS, UCDP_COLUMNS, acled_row, csv_text, ucdp_row

import geodata
from geodata import DataSourceError, ValidationError

FORMATS = ("geojson", "parquet", "acled", "ucdp", "csv")
PLAIN_CSV = ("id,title,date,type,actor,country,lat,lon,deaths\n"
             "p1,Strike,2020-01-03,Battles,Iran,IRQ,33.3,44.4,2\n"
             "p2,Shelling,2020-01-05,Battles,Iran,IRQ,33.4,44.5,0\n")


def make_file(directory: Path, fmt: str) -> Path:
    """A small valid file of each format the project reads, made in code."""
    if fmt == "geojson":
        path = directory / "mine.geojson"
        path.write_text(json.dumps(feature_collection([make_feature(i) for i in range(3)])))
    elif fmt == "parquet":
        path = directory / "mine.parquet"
        geodata.write(geodata.read(make_file(directory, "geojson")), path)
    elif fmt == "acled":
        path = directory / "acled.csv"
        rows = [acled_row(), acled_row(event_id_cnty="IRQ1002", fatalities="3")]
        path.write_text(csv_text(ACLED_COLUMNS, rows), encoding="utf-8")
    elif fmt == "ucdp":
        path = directory / "ged.csv"
        path.write_text(csv_text(UCDP_COLUMNS, [ucdp_row(), ucdp_row(id="244700")]),
                        encoding="utf-8")
    else:
        path = directory / "plain.csv"
        path.write_text(PLAIN_CSV, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_load_reads_every_format_from_a_path_and_from_bytes(tmp_path, fmt):
    path = make_file(tmp_path, fmt)
    loaded = geodata.load(path)
    assert loaded.format == fmt and loaded.name == str(path)
    assert loaded.report.ok and len(loaded.gdf) >= 2
    assert str(loaded.gdf["date"].dtype).startswith("datetime64")
    upload = geodata.load(path.read_bytes(), name=path.name)  # an upload: no temp file
    assert upload.format == fmt and upload.name == path.name
    assert geodata.to_features(upload.gdf) == geodata.to_features(loaded.gdf)


def test_read_returns_a_frame_only(tmp_path):
    gdf = geodata.read(make_file(tmp_path, "csv"))
    assert list(gdf["id"]) == ["p1", "p2"]
    with pytest.raises(TypeError):
        geodata.read(make_file(tmp_path, "geojson"), return_report=True)


def test_csv_rejects_are_problems_with_their_line(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text(PLAIN_CSV + "p3,Bad,2020-02-30,Battles,Iran,IRQ,33.4,44.5,1\n"
                    "p4,Far,2020-01-06,Battles,Iran,IRQ,95,44.5,1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"plain\.csv: 2 problems found\n  line 4 "
                                              r"\(id 'p3'\): .*date") as info:
        geodata.load(path)
    assert [p.line for p in info.value.problems] == [4, 5]
    loaded = geodata.load(path, lenient=True)
    assert list(loaded.gdf["id"]) == ["p1", "p2"]
    report = loaded.report
    assert (report.n_features, report.n_valid, report.n_invalid) == (4, 2, 2)
    assert str(report.problems[1]).startswith("line 5 (id 'p4'): ")
    assert report.problems[1].as_dict()["line"] == 5


def test_geojson_problems_keep_feature_index_and_field(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps(feature_collection([make_feature(0),
                                                   make_feature(1, country="Iraq")])))
    loaded = geodata.load(path, lenient=True)
    assert len(loaded.gdf) == 1
    [problem] = loaded.report.problems
    assert (problem.index, problem.id, problem.field, problem.line) == (1, "inc-1", "country",
                                                                        None)


@pytest.mark.parametrize(("data", "pattern"), [
    (b"{not json", r"^mine\.geojson: not valid JSON"),
    (b"", r"^mine\.geojson: the file is empty$"),
    (b" \n", r"^mine\.geojson: the file is empty$"),
])
def test_an_upload_is_named_by_the_users_file_name(data, pattern):
    with pytest.raises(DataSourceError, match=pattern):
        geodata.load(data, name="mine.geojson")


def test_a_csv_upload_is_named_by_the_users_file_name():
    with pytest.raises(DataSourceError, match=r"^mine\.csv: the file is empty"):
        geodata.load(b"", name="mine.csv")


def test_unknown_names_are_recognised_by_content_or_refused(tmp_path):
    geojson = make_file(tmp_path, "geojson").read_bytes()
    parquet = make_file(tmp_path, "parquet").read_bytes()
    assert geodata.load(geojson, name="download").format == "geojson"
    assert geodata.load(parquet).format == "parquet"
    odd = tmp_path / "notes.xyz"
    odd.write_text("hello")
    with pytest.raises(DataSourceError, match=r"notes\.xyz: unknown file type '\.xyz'; "
                                              r"expected one of \.geojson, .*\.csv"):
        geodata.load(odd)
    with pytest.raises(DataSourceError, match=r"missing\.geojson: no such file"):
        geodata.load(tmp_path / "missing.geojson")


def test_fmt_overrides_the_name(tmp_path):
    path = make_file(tmp_path, "csv")
    renamed = path.with_name("plain.data")
    renamed.write_bytes(path.read_bytes())
    assert geodata.load(renamed, fmt="csv").format == "csv"
    with pytest.raises(DataSourceError, match=r"unknown format 'xls'"):
        geodata.load(renamed, fmt="xls")


def test_load_does_not_modify_the_input(tmp_path):
    for fmt in FORMATS:
        path = make_file(tmp_path, fmt)
        before = path.read_bytes()
        geodata.load(path, lenient=True)
        assert path.read_bytes() == before


@pytest.mark.parametrize(("args", "text"), [
    ((12,), "12"),
    ((0, 0, 0), "0"),
    ((1234, 1000, 1500), "1,234 (range 1,000–1,500)"),
    ((4, None, 9), "4 (range 4–9)"),
    ((None, 2, 9), "2–9"),
    ((None, None, 9), "-"),
    ((None,), "-"),
    ((float("nan"), float("nan"), float("nan")), "-"),
])
def test_format_count(args, text):
    assert geodata.format_count(*args) == text
