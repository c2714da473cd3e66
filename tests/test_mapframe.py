"""The page's map frame's arguments (mapapp.page.mapframe): what the frame is sent."""

from __future__ import annotations

import json

from mapapp import assets
from mapapp.builder import base_map, page_group
from mapapp.page import mapframe

SUMMARY = {"actor_counts": {"A </script><b>": 3}, "incidents": 3, "start": "2020-01-01",
           "end": "2020-02-01", "event_types": {}}


def _parts(basemap="tiles", mask="all", bounds=((0, 0), (10, 10))):
    base = base_map(bounds=[list(b) for b in bounds], asset_url=assets.static_url, basemap=basemap)
    group = page_group(data_url="/d/draw.bin.gz", props_url="/d/p{block}", mask=mask,
                       summary=SUMMARY, colors={"A </script><b>": "#f00"},
                       asset_url=assets.static_url)
    return base, group


def test_the_map_and_the_view_are_made_under_the_names_the_frame_reads():
    args = mapframe.frame_args(*_parts(), data_url="/d/draw.bin.gz", height=620)
    assert args["map_var"] == assets.FRAME_MAP_ID == "map_div"
    assert f'var {args["map_var"]} = L.map(\n                "{args["map_var"]}"' in args["script"]
    assert "IncidentMap.basemap(map_div, " in args["script"]
    assert "fitBounds" in args["script"]
    assert args["group"].count(f"var {args['group_var']} = L.featureGroup(") == 1
    assert f"IncidentMap.attach(\n            {args['group_var']}, " in args["group"]
    assert args["group"].rstrip().endswith(f"{args['group_var']}.addTo(map_div);")
    assert "IncidentMap.attach" not in args["script"]  # (the view is swapped alone)
    assert (args["data_url"], args["height"], args["center"], args["zoom"]) == (
        "/d/draw.bin.gz", 620, None, None)
    json.dumps(args)  # (sent as JSON)


def test_text_from_data_reaches_the_frame_escaped():
    args = mapframe.frame_args(*_parts(), data_url="/d/draw.bin.gz", height=620)
    assert "</script>" not in args["group"] and "<b>" not in args["group"]
    assert "A \\u003c/script\\u003e\\u003cb\\u003e" in args["group"]


def test_a_filter_change_keeps_the_map_script_another_basemap_does_not():
    first = mapframe.frame_args(*_parts(), data_url="/d", height=620)
    changed = mapframe.frame_args(*_parts(mask="AAE="), data_url="/d", height=620)
    assert changed["script"] == first["script"]  # (same component key: the map stays)
    assert changed["group"] != first["group"]
    other = mapframe.frame_args(*_parts(basemap="outlines"), data_url="/d", height=620)
    assert other["script"] != first["script"]  # (a new key: a new map)


def test_a_centre_goes_as_numbers():
    args = mapframe.frame_args(*_parts(), data_url=None, height=500, center=(33.3, 44.4), zoom=7)
    assert (args["center"], args["zoom"]) == ([33.3, 44.4], 7)
