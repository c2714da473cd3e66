"""The curated dataset: valid, sourced from the seed articles, placed where it happened."""

from __future__ import annotations

import json
import re

import pytest
import shapely
from conftest import DATASET, ROOT

import geodata
from mapapp.assets import countries_geojson

SEEDS = ROOT.parent / "shared" / "seeds"
SEED_TITLES = {
    "Qassem Soleimani's Assassination and Its Aftermath",
    "Killing of Iranian Al-Quds, Major General Qassem Soleimani, Initial Observations",
}


@pytest.fixture(scope="module")
def features():
    return json.loads(DATASET.read_text(encoding="utf-8"))["features"]


def test_dataset_is_valid_and_round_trips(tmp_path):
    report = geodata.validate(DATASET)
    assert report.ok and report.n_features >= 15
    gdf = geodata.read(DATASET)
    geodata.write(gdf, tmp_path / "copy.geojson")
    assert geodata.to_features(geodata.read(tmp_path / "copy.geojson")) == geodata.to_features(gdf)


def test_every_incident_cites_a_seed_article(features):
    for f in features:
        titles = {s.get("title") for s in f["properties"]["sources"]}
        assert titles & SEED_TITLES, f["properties"]["id"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside this checkout")
def test_every_reference_url_is_in_a_seed_reference_list(features):
    seed_text = "\n".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    listed = set(re.findall(r"Available at: (\S+)", seed_text))
    urls = {s["url"] for f in features for s in f["properties"]["sources"] if s.get("url")}
    assert urls, "no reference URL at all"
    assert urls <= listed, urls - listed


def test_the_escalation_chain_is_linked(features):
    ids = {f["properties"]["id"] for f in features}
    by_id = {f["properties"]["id"]: f["properties"] for f in features}
    for p in by_id.values():
        for r in p.get("related", []):
            assert r["id"] in ids, (p["id"], r["id"])

    def find(fragment):
        return next(i for i in ids if fragment in i)

    def answers(later, earlier):
        return any(r["id"] == earlier for r in by_id[later].get("related", []))

    k1, strikes = find("k1-air-base"), find("airstrikes-kataib-hezbollah-iraq")
    embassy, airport = find("us-embassy-baghdad-storming"), find("baghdad-airport")
    asad = find("ayn-al-asad")
    assert answers(strikes, k1) and answers(embassy, strikes)
    assert answers(airport, embassy) or answers(airport, k1)
    assert answers(asad, airport)


def test_disputed_attributions_say_who_claims_and_who_blames(features):
    by_id = {f["properties"]["id"]: f["properties"] for f in features}
    abqaiq = next(p for i, p in by_id.items() if "abqaiq" in i)
    assert abqaiq["attribution"]["status"] == "disputed"
    assert any("Houthi" in c for c in abqaiq["attribution"]["claimed_by"])
    assert {"United States", "Saudi Arabia"} <= set(abqaiq["attribution"]["blamed_by"])
    k1 = next(p for i, p in by_id.items() if "k1-air-base" in i)
    assert k1["attribution"]["status"] == "disputed"
    assert "United States" in k1["attribution"]["blamed_by"]


def test_land_sites_lie_in_their_country(features):
    """Site- and town-precision points on land fall inside (or within their
    stated radius of) the outline of the country they name."""
    outlines = {c["properties"]["iso_a3"]: shapely.geometry.shape(c["geometry"])
                for c in countries_geojson()["features"]}
    checked = 0
    for f in features:
        p = f["properties"]
        if p.get("geo_precision") not in ("site", "town") or p["country"] not in outlines:
            continue
        point = shapely.Point(f["geometry"]["coordinates"])
        # the outlines are simplified (~0.1 degree), so allow that much slack
        slack = 0.15 + p.get("geo_precision_km", 0) / 111
        assert outlines[p["country"]].distance(point) <= slack, p["id"]
        checked += 1
    assert checked >= 10


def test_precision_is_stated_everywhere(features):
    for f in features:
        p = f["properties"]
        assert p.get("geo_precision") in ("site", "town", "region", "country"), p["id"]
        assert isinstance(p.get("geo_precision_km"), int | float), p["id"]
        assert p.get("date_precision") in ("day", "week", "month", "year"), p["id"]
