"""The page's story panel under Streamlit's AppTest (no browser): state, address, timeline."""

from __future__ import annotations

import json
import shutil

import numpy as np
from conftest import ROOT, opened
from streamlit.testing.v1 import AppTest

from geodata.story import read_story
from geodata.summary import period_starts
from mapapp.page import story as page_story

APP = str(ROOT / "mapapp" / "app.py")
STORY = read_story(ROOT / "stories" / "escalation.md")


def _run(query=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return opened(at)


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


def _band(at):
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    layers = spec.get("layer") or []
    if not layers:
        return None
    return layers[0]["data"]["values"][0], layers[-1]["encoding"]["x"]["title"]


def test_the_stories_beside_the_built_in_dataset():
    folder = page_story.stories_dir(ROOT / "incidents.geojson")
    assert folder == ROOT / "stories"
    assert "escalation" in page_story.story_names(folder)
    assert page_story.story_names(ROOT / "no-such-folder") == []


def test_a_step_link_opens_the_step_and_next_moves_the_address():
    at = _run({"story": "escalation", "step": "5"})
    assert not at.exception
    step = STORY.steps[4]
    assert f"step 5 of {len(STORY.steps)}" in _text(at)
    assert at.session_state["story_pick"] == "escalation"
    assert at.query_params["story"] in ("escalation", ["escalation"])
    assert at.query_params["step"] in ("5", ["5"])
    band, unit = _band(at)  # (over the bar of the step's day: centred on its period's start)
    bar = period_starts(np.array([step.dates[0]], dtype="datetime64[D]"), unit[0].upper())
    assert band["start"] < str(bar[0]) < band["end"]
    assert "this step: 2019-12-27" in band["label"]
    at.button(key="story-next").click().run()
    assert at.query_params["step"] in ("6", ["6"])
    assert f"step 6 of {len(STORY.steps)}" in _text(at)
    at.button(key="story-prev").click().run()
    at.button(key="story-prev").click().run()
    assert at.query_params["step"] in ("4", ["4"])
    at.selectbox(key="story_pick").set_value(None).run()
    assert "story" not in at.query_params and "step" not in at.query_params
    assert _band(at) is None and not at.exception


def test_bad_story_values_are_notes():
    for query, note in (({"story": "../../etc/passwd"}, "no such story"),
                        ({"story": "escalation", "step": "x"}, "not a step number"),
                        ({"step": "3"}, "it needs story=NAME")):
        at = _run(query)
        assert not at.exception
        notes = [i.value.replace("\\", "") for i in at.info]  # (Markdown-escaped)
        assert any(note in n for n in notes), (query, notes)


def test_a_story_that_does_not_fit_the_data_says_so(tmp_path, monkeypatch):
    shutil.copy(ROOT / "incidents.geojson", tmp_path / "incidents.geojson")
    (tmp_path / "stories").mkdir()
    shutil.copy(ROOT / "stories" / "escalation.md", tmp_path / "stories" / "escalation.md")
    (tmp_path / "stories" / "broken.md").write_text(
        "# Broken\n## One\nincidents: no-such-id\n", encoding="utf-8")
    (tmp_path / "stories" / "notes.txt").write_text("not a story", encoding="utf-8")
    monkeypatch.setenv("MAPAPP_DATA", str(tmp_path / "incidents.geojson"))
    at = _run({"story": "broken"})
    assert not at.exception
    options = at.selectbox(key="story_pick").options
    assert len(options) == 3  # (none), broken, escalation: only .md files
    assert any("Broken" in o and "not for this data" in o for o in options)
    assert any(o.startswith("The 2019-2020 escalation") and "not for" not in o for o in options)
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "cannot be played" in warning and "unknown id 'no-such-id'" in warning


def _share_query(at) -> str:
    codes = [c.value for c in at.code if c.value.startswith("?") or c.value.startswith("(none")]
    assert len(codes) == 1, [c.value for c in at.code]
    return codes[0]


def test_the_share_box_holds_the_story_and_its_step():
    at = _run({"story": "escalation", "step": "5", "actor": "Iran"})
    assert not at.exception
    shared = _share_query(at)
    assert shared.startswith("?") and "actor=Iran" in shared
    assert "story=escalation" in shared and "step=5" in shared
    at.button(key="story-next").click().run()
    assert "step=6" in _share_query(at) and "step=5" not in _share_query(at)
    at.selectbox(key="story_pick").set_value(None).run()
    shared = _share_query(at)
    assert "story=" not in shared and "step=" not in shared and "actor=Iran" in shared
