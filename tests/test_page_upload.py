"""The page's upload, through Streamlit's AppTest: a failed upload keeps the view, in one line."""

from __future__ import annotations

import json
import re

import pytest
from conftest import DATASET, feature_collection, make_feature, opened
from streamlit.testing.v1 import AppTest

APP = str(DATASET.parent / "mapapp" / "app.py")
TOTAL = len(json.loads(DATASET.read_text(encoding="utf-8"))["features"])
_ACLED = (DATASET.parent / "samples" / "acled_sample.csv").read_text(encoding="utf-8")


def _plain(text: str) -> str:
    """What a person reads of Markdown-escaped text (the backslashes go)."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def _page(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return opened(at)


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader[0].set_value((name, data, "application/octet-stream"))
    return at.run()


def _shown(at) -> str:
    return at.metric[0].value


def _geojson(features) -> bytes:
    return json.dumps(feature_collection(features)).encode()


_FAILED = {
    "empty file": ("mine.geojson", b"", "mine.geojson: the file is empty."),
    "empty csv": ("mine.csv", b"", "mine.csv: the file is empty."),
    "not json": ("notes.geojson", b"this is not JSON", "notes.geojson: not valid JSON"),
    "no incident": ("none.geojson", _geojson([]), "none.geojson: it holds no incident."),
    "all invalid": ("bad.geojson", _geojson([make_feature(0, date="2020-02-30"),
                                             make_feature(1, country="Iraq!")]),
                    "bad.geojson: all 2 of its incidents have problems; first: feature 0, "
                    "id 'inc-0', date: "),
    "all rows rejected": ("rows.csv", (b"id,date,actor,event_type,latitude,longitude,country,"
                                       b"title\nr1,2020-01-02,X,Protests,95,44,IRQ,T\n"),
                          "rows.csv: its one incident has problems; first: line 2, id 'r1', "
                          "latitude: "),
}


@pytest.mark.parametrize("case", list(_FAILED))
def test_a_failed_upload_keeps_the_view_and_says_why_in_one_line(case):
    name, data, expected = _FAILED[case]
    at = _page({"actor": "Iran"})
    before = _shown(at)
    assert before.endswith(f"of {TOTAL}") and not before.startswith(f"{TOTAL} ")
    at = _upload(at, name, data)
    assert not at.exception
    assert _shown(at) == before  # (the same dataset, the same filters: the same view)
    assert at.multiselect[0].value == ["Iran"]
    assert len(at.error) == 1
    message = _plain(at.error[0].value)
    assert "\n" not in message
    assert message.startswith("Your file could not be used, so the page still shows "
                              "incidents.geojson: ")
    assert expected in message
    assert "/tmp" not in message and "upload" not in message.split(": ", 1)[1]


def test_a_failed_upload_after_a_good_one_keeps_the_good_one():
    at = _upload(_page(), "good.geojson", _geojson([make_feature(i) for i in range(3)]))
    assert _shown(at) == "3 of 3" and not at.error
    at = _upload(at, "bad.geojson", _geojson([make_feature(0, date="2020-02-30")]))
    assert _shown(at) == "3 of 3"
    assert [_plain(e.value).split(": ")[0] for e in at.error] == [
        "Your file could not be used, so the page still shows good.geojson"]


def test_the_reject_table_of_a_csv_upload_names_each_rows_id_and_field():
    lines = _ACLED.splitlines()
    lines[1] = lines[1].replace("36.1937", "95.5")
    lines[2] = lines[2].replace("03 March 2020", "31 February 2020").replace("30.4848", "")
    at = _upload(_page(), "acled.csv", ("\n".join(lines) + "\n").encode())
    assert not at.exception and not at.error
    problems = next(df for df in at.dataframe if "message" in df.value.columns).value
    assert "index" not in problems.columns  # (a CSV has lines, not feature indexes)
    rows = problems[["line", "id", "field"]].values.tolist()
    assert rows == [[2, "SAMPLE0001", "latitude"], [3, "SAMPLE0002", "event_date"],
                    [3, "SAMPLE0002", "latitude"]]
    assert not problems.isna().any().any()
    shown = problems.astype(str).values.ravel().tolist()
    assert "None" not in shown and "nan" not in shown


def test_an_upload_keeps_the_view_the_visitor_chose_even_when_the_address_lags_behind():
    # A click's run updates the address only at its end; an upload that
    # interrupts it arrives with the address of the click before.
    at = _page({"actor": "Iran"})
    at.radio(key="f_role").set_value("perpetrator").run()
    at.query_params.clear()
    at.query_params["actor"] = "Iran"  # the lagging address: no role yet
    features = ([make_feature(i, actor="Iran") for i in range(3)]
                + [make_feature(3, actor="Iraq", target="Iran"), make_feature(4, actor="Iraq")])
    at = _upload(at, "mine.geojson", _geojson(features))
    assert not at.exception and not at.error
    assert at.radio(key="f_role").value == "perpetrator"
    assert at.multiselect[0].value == ["Iran"]
    assert _shown(at) == "3 of 5"
