"""The incident card: one list of rows, shown alike by the page and the map's popup."""

from __future__ import annotations

import json

import pytest
from conftest import DATASET, feature_collection, make_feature
from mapjs import MAP_READY
from streamlit.testing.v1 import AppTest

from mapapp.card import CARD_ROWS, card_rows
from mapapp.cli import main
from mapapp.page.text import md

APP = str(DATASET.parent / "mapapp" / "app.py")


def _features():
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


def test_rows_follow_the_list_and_leave_out_what_is_missing():
    props = make_feature(3, fatalities=None, injuries=..., target=...)["properties"]
    rows = card_rows(props)
    labels = [label for label, _ in rows]
    order = [label for _, label in CARD_ROWS]
    assert labels == [x for x in order if x in labels]  # the list's order
    assert "Fatalities" not in labels and "Target" not in labels and "Injuries" not in labels
    assert rows[-1] == ("ID", "inc-3")


def test_counts_places_and_attribution_read_as_a_person_writes_them():
    props = make_feature(
        1, fatalities=1234, fatalities_low=1000, fatalities_high=1500, injuries=2500,
        place="Baghdad", admin1="Baghdad", country="IRQ", geo_precision="site",
        geo_precision_km=2.0,
        attribution={"status": "claimed", "claimed_by": ["Kataib Hezbollah", None, ""],
                     "blamed_by": [], "note": "claimed a day later"},
    )["properties"]
    rows = dict(card_rows(props))
    assert rows["Fatalities"] == "1,234 (range 1,000\u20131,500)"
    assert rows["Injuries"] == "2,500"
    assert rows["Place"] == "Baghdad, IRQ (precision: site, \u00b12 km)"
    assert rows["Attribution"] == "claimed"
    assert rows["Claimed by"] == "Kataib Hezbollah" and "Blamed by" not in rows
    assert rows["On attribution"] == "claimed a day later"
    only_range = make_feature(2, fatalities=None, fatalities_low=2, fatalities_high=9)
    assert dict(card_rows(only_range["properties"]))["Fatalities"] == "2\u20139"


def test_the_page_detail_panel_shows_the_card_rows():
    target = next(f for f in _features() if f["properties"]["id"].endswith("abqaiq-attack"))
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["id"] = target["properties"]["id"]
    at.run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    for label, value in card_rows(target["properties"]):
        assert f"**{md(label)}:** {md(value)}" in text


def _edge_cases(tmp_path):
    """The built-in incidents and a few with every kind of row value."""
    extra = [
        make_feature(90, fatalities=1234, fatalities_low=1000, fatalities_high=1500,
                     injuries=2500, place="Baghdad", admin1="Baghdad", geo_precision="site",
                     geo_precision_km=2.5),
        make_feature(91, fatalities=None, fatalities_low=2, fatalities_high=9, target=...,
                     date_precision="month", end_date="2020-01-20",
                     attribution={"status": "disputed", "claimed_by": ["A"],
                                  "blamed_by": ["B", "C"], "note": "<b>not bold</b>"}),
        make_feature(92, fatalities=0, geo_precision="town", geo_precision_km=10),
    ]
    path = tmp_path / "cards.geojson"
    path.write_text(json.dumps(feature_collection(_features() + extra)), encoding="utf-8")
    return path, [f["properties"] for f in _features() + extra]


@pytest.mark.browser
def test_the_popup_shows_the_same_card_as_the_page(tmp_path, page):
    data, props = _edge_cases(tmp_path)
    out = tmp_path / "map.html"
    assert main(["export", str(data), "-o", str(out)]) == 0
    p = page.page
    p.goto(out.as_uri())
    p.wait_for_function(MAP_READY, timeout=30_000)
    for prop in props:
        opened = p.evaluate(
            """id => { for (const k of Object.keys(window)) { const v = window[k];
                 if (v && window.L && v instanceof L.Map) return IncidentMap.openIncident(v, id); }
               return false; }""", prop["id"])
        assert opened, prop["id"]
        rows = p.wait_for_function(
            """id => { const root = document.querySelector(
                 `.leaflet-popup-content .im-popup[data-incident-id="${CSS.escape(id)}"]`);
               const trs = root && root.querySelectorAll('.im-table tr');
               return trs && trs.length ? [...trs].map(tr => [tr.querySelector('th').textContent,
                                                              tr.querySelector('td').textContent])
                                        : null; }""", arg=prop["id"], timeout=10_000).json_value()
        assert [tuple(r) for r in rows] == card_rows(prop), prop["id"]
    assert page.errors == []
