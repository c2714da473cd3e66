"""A story played in the exported map (`mapapp export DATA --story S.md -o story.html`).

The shipped story is played step by step in headless Chromium: each step
shows exactly the story file's incidents highlighted (compared with the
file, not with a list written here), its text, its count; arrow keys and
buttons step; ``#step=N`` opens on a step; hostile text stays text.
"""

from __future__ import annotations

import re

import orjson
import pytest
from conftest import DATASET, ROOT
from mapjs import DRAWN_IDS, MAP_READY, MAP_ZOOM

import geodata
from geodata.story import parse_story, read_story
from mapapp import builder, contract
from mapapp.cli import main

STORY = ROOT / "stories" / "escalation.md"
SRC = ROOT / "mapapp" / "frontend" / "src"

# The story played on the page's map, and what its canvas drew.
STATE = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) {
      const d = IncidentMap.drawn(v), box = v.getContainer().getBoundingClientRect();
      const panel = document.querySelector('.im-story');
      const r = panel ? panel.getBoundingClientRect() : null;
      return {story: IncidentMap.storyState(v), markers: d.markers, size: v.getSize(),
              panel: r && {left: r.left - box.left, top: r.top - box.top,
                           right: r.right - box.left, bottom: r.bottom - box.top}};
    }
  }
  return null;
}"""


OPEN = """id => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) return IncidentMap.openIncident(v, id);
  }
}"""


def _reads(pattern: str, name: str) -> set[str]:
    text = (SRC / name).read_text(encoding="utf-8")
    return set(re.findall(pattern + r"\.([A-Za-z_]\w*)\b(?!\s*=[^=])", text))


def test_the_script_reads_exactly_the_story_keys_python_sends():
    assert _reads(r"\bstory", "story.js") == set(contract.STORY_KEYS)
    assert _reads(r"\bstep", "story.js") == set(contract.STORY_STEP_KEYS)
    story = contract.story_options(read_story(STORY)).to_dict()
    assert set(story) == contract.STORY_KEYS
    assert all(set(s) == contract.STORY_STEP_KEYS for s in story["steps"])


def test_story_options_keep_the_story_as_written():
    story = read_story(STORY)
    options = contract.story_options(story, step=40)
    assert options.step == len(story.steps)  # (clamped)
    assert contract.story_options(story, step=-3).step == 1
    for sent, step in zip(options.steps, story.steps, strict=True):
        assert sent["ids"] == list(step.incidents)
        assert sent["heading"] == step.heading and sent["paragraphs"] == step.paragraphs
        assert sent["view"] == (list(step.view) if step.view else None)
    layer = next(el for el in builder._elements(builder.export_group(
        geodata.read(DATASET), story=options)) if isinstance(el, builder.IncidentLayer))
    sent = orjson.loads(layer.options_json)["story"]
    assert sent["steps"][0]["ids"] == list(story.steps[0].incidents)


def test_export_refuses_a_story_that_does_not_fit(tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_text("# T\n## One\nincidents: 2019-12-27-k1-air-base-rocket-atack\n",
                   encoding="utf-8")
    out = tmp_path / "story.html"
    assert main(["export", str(DATASET), "--story", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "line 3, step 1 ('One'), field 'incidents': unknown id" in err
    assert "did you mean '2019-12-27-k1-air-base-rocket-attack'?" in err
    assert "Traceback" not in err and not out.exists()
    assert main(["export", str(DATASET), "--story", str(STORY), "--actor", "Iran",
                 "--role", "perpetrator", "-o", str(out)]) == 1
    assert "is left out by the filters" in capsys.readouterr().err
    assert main(["export", str(DATASET), "--step", "2", "-o", str(out)]) == 2
    assert "--step needs --story" in capsys.readouterr().err
    assert main(["export", str(DATASET), "--story", str(STORY), "--step", "3",
                 "-o", str(out)]) == 0
    assert re.search(r'"step":\s*3\b', out.read_text(encoding="utf-8"))
    out.unlink()
    assert main(["export", str(DATASET), "--story", str(STORY), "--step", "13",
                 "-o", str(out)]) == 2
    assert "escalation.md: no step 13; the story has steps 1 to 12" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------------ browser


@pytest.fixture(scope="module")
def story_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("story") / "story.html"
    assert main(["export", str(DATASET), "--story", str(STORY), "-o", str(out)]) == 0
    return out


def _wait_step(p, n):
    p.wait_for_selector(f'.im-story[data-step="{n}"][data-state="shown"]', timeout=20_000)
    return p.evaluate(STATE)


def _check_step(p, step, count):
    """The panel and the map show ``step`` (of the story file) and nothing else."""
    state = _wait_step(p, step.number)
    panel = p.locator(".im-story")
    assert panel.get_attribute("data-step-count") == str(count)
    assert p.inner_text(".im-story-count") == f"{step.number} / {count}"
    assert p.inner_text(".im-story-heading") == step.heading
    paragraphs = p.locator(".im-story-text p").all_inner_texts()
    assert paragraphs == step.paragraphs
    assert sorted(state["story"]["highlighted"]) == sorted(step.incidents)
    lit = [m for m in state["markers"] if m.get("highlighted")]
    assert sorted(m["id"] for m in lit) == sorted(step.incidents)
    assert all(m.get("dimmed") for m in state["markers"] if not m.get("highlighted"))
    # each of them in the map and clear of the step panel
    box, size = state["panel"], state["size"]
    for m in lit:
        assert 0 < m["x"] < size["x"] and 0 < m["y"] < size["y"], m
        assert not (box["left"] - 8 <= m["x"] <= box["right"] + 8
                    and box["top"] - 8 <= m["y"] <= box["bottom"] + 8), (m, box)
    assert p.evaluate("location.hash") == f"#step={step.number}"
    return state


@pytest.mark.browser
def test_the_shipped_story_plays_step_by_step(story_html, page):
    story = read_story(STORY)
    count = len(story.steps)
    p = page.page
    p.goto(story_html.as_uri())
    p.wait_for_function(MAP_READY, timeout=30_000)
    ids = sorted(f["properties"]["id"] for f in orjson.loads(DATASET.read_bytes())["features"])
    for step in story.steps:
        if step.number > 1:
            p.keyboard.press("ArrowRight")
        _check_step(p, step, count)
        # the story's introduction under its title on step 1 only
        intro = p.locator(".im-story-intro")
        assert intro.is_visible() == (step.number == 1)
        if step.number == 1:
            assert intro.locator("p").all_inner_texts() == story.intro_paragraphs
            box, head = intro.bounding_box(), p.locator(".im-story-heading").bounding_box()
            assert box["y"] + box["height"] <= head["y"]  # (above the step's heading)
        # every incident stays on the map, dimmed, its popup a click away
        assert sorted(p.evaluate(DRAWN_IDS)) == ids
    p.keyboard.press("ArrowRight")  # (past the end: stays)
    _check_step(p, story.steps[-1], count)
    assert p.locator(".im-story-next").is_disabled()
    p.keyboard.press("ArrowLeft")
    _check_step(p, story.steps[-2], count)
    p.locator(".im-story-prev").click()
    _check_step(p, story.steps[-3], count)
    p.locator(".im-story-next").click()
    _check_step(p, story.steps[-2], count)
    assert page.errors == [] and page.blocked_non_tiles() == []


@pytest.mark.browser
def test_a_step_link_opens_on_that_step(story_html, page):
    story = read_story(STORY)
    p = page.page
    p.goto(story_html.as_uri() + "#step=5")
    p.wait_for_function(MAP_READY, timeout=30_000)
    step = story.steps[4]
    state = _check_step(p, step, len(story.steps))
    # the map is at the step's view (its zoom: the incident fits clear of the panel)
    assert step.view is not None and p.evaluate(MAP_ZOOM) == step.view.zoom
    # a click on the step's incident opens its card
    lit = next(m for m in state["markers"] if m.get("highlighted"))
    p.locator(".leaflet-container").first.click(position={"x": lit["x"], "y": lit["y"]})
    p.wait_for_selector(f'.leaflet-popup [data-incident-id="{lit["id"]}"]', timeout=10_000)
    p.keyboard.press("Escape")
    # the step's days are marked on the time control
    assert step.dates is not None
    time = p.locator(".im-time")
    assert time.get_attribute("data-story-start") == f"{step.dates[0]}"
    assert time.get_attribute("data-story-end") == f"{step.dates[1]}"
    assert p.locator(".im-time-mark").is_visible()
    # a dimmed incident's popup still opens
    other = next(i for i in orjson.loads(DATASET.read_bytes())["features"]
                 if i["properties"]["id"] not in step.incidents)["properties"]["id"]
    assert p.evaluate(OPEN, other)
    p.wait_for_selector(f'.leaflet-popup [data-incident-id="{other}"]', timeout=10_000)
    # a changed hash moves the story; a bad one is clamped or ignored
    p.evaluate("location.hash = '#step=99'")
    _check_step(p, story.steps[-1], len(story.steps))
    p.evaluate("location.hash = '#step=two'")
    p.wait_for_timeout(50)  # (a hashchange event is handled in its task: nothing to wait for)
    assert p.evaluate(STATE)["story"]["step"] == len(story.steps)
    assert page.errors == []


HOSTILE = """# Title <img src=x onerror="window.__pwned=1">

An introduction <img src=x onerror="window.__pwned=4"> [intro link](https://evil.example)
*not emphasis*

## <script>window.__pwned=2</script> [a link](https://evil.example) **bold**
incidents: 2019-12-27-k1-air-base-rocket-attack

<img src=x onerror="window.__pwned=3"> and [click me](javascript:alert(1)) and
<b>not bold</b> {{ 7*7 }}

A second paragraph, kept apart.
"""


@pytest.mark.browser
def test_hostile_story_text_stays_text(tmp_path, page):
    path = tmp_path / "hostile.md"
    path.write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "hostile.html"
    assert main(["export", str(DATASET), "--story", str(path), "-o", str(out)]) == 0
    story = parse_story(HOSTILE)
    p = page.page
    p.goto(out.as_uri())
    p.wait_for_function(MAP_READY, timeout=30_000)
    _check_step(p, story.steps[0], 1)
    panel = p.locator(".im-story")
    assert panel.locator("img, script, a, b, strong").count() == 0
    assert p.inner_text(".im-story-title") == story.title
    assert "<img src=x" in p.inner_text(".im-story-text")
    assert p.locator(".im-story-intro p").all_inner_texts() == story.intro_paragraphs
    assert 'window.__pwned=4"> [intro link](https://evil.example) *not emphasis*' in \
        story.intro_paragraphs[0]
    assert p.evaluate("window.__pwned") is None and page.dialogs == []
    assert page.errors == []


@pytest.mark.browser
def test_a_step_shows_its_incidents_whatever_was_switched_off(story_html, page):
    # the reader hid the step's event type and moved the time control back: the
    # next step still shows its incidents, highlighted
    story = read_story(STORY)
    p = page.page
    p.goto(story_html.as_uri() + "#step=1")
    p.wait_for_function(MAP_READY, timeout=30_000)
    _check_step(p, story.steps[0], len(story.steps))
    p.hover(".leaflet-control-layers")
    p.wait_for_selector(".leaflet-control-layers-expanded")
    p.locator(".leaflet-control-layers-overlays label", has_text="Explosions").click()
    slider = p.locator(".im-slider")
    slider.focus()
    p.keyboard.press("Home")
    p.locator(".im-story-next").click()
    _check_step(p, story.steps[1], len(story.steps))
    assert p.locator(".im-slider").input_value() == p.locator(".im-slider").get_attribute("max")
    assert page.errors == []


# Where the step's highlighted incidents are (by feature.properties.id and the
# data's coordinates), and the boxes of the panel, the summary and the map.
NARROW = """coords => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) {
      const box = v.getContainer().getBoundingClientRect();
      const rel = (sel) => {
        const r = document.querySelector(sel).getBoundingClientRect();
        return {left: r.left - box.left, top: r.top - box.top,
                right: r.right - box.left, bottom: r.bottom - box.top};
      };
      const state = IncidentMap.storyState(v);
      const points = state.highlighted.map((id) => {
        const p = v.latLngToContainerPoint(L.latLng(coords[id][1], coords[id][0]));
        return {id: id, x: p.x, y: p.y};
      });
      return {state: state, points: points, size: v.getSize(), panel: rel('.im-story'),
              summary: rel('.im-summary')};
    }
  }
  return null;
}"""


def _apart(a, b) -> bool:
    return a["right"] <= b["left"] or b["right"] <= a["left"] or \
        a["bottom"] <= b["top"] or b["bottom"] <= a["top"]


@pytest.mark.browser
def test_on_a_narrow_window_the_panel_covers_neither_summary_nor_step(story_html, page):
    story = read_story(STORY)
    coords = {f["properties"]["id"]: f["geometry"]["coordinates"]
              for f in orjson.loads(DATASET.read_bytes())["features"]}
    p = page.page
    p.set_viewport_size({"width": 600, "height": 800})
    p.goto(story_html.as_uri())
    p.wait_for_function(MAP_READY, timeout=30_000)
    for step in story.steps:
        if step.number > 1:
            p.keyboard.press("ArrowRight")
        _wait_step(p, step.number)
        seen = p.evaluate(NARROW, coords)
        assert sorted(seen["state"]["highlighted"]) == sorted(step.incidents)
        panel, summary, size = seen["panel"], seen["summary"], seen["size"]
        assert _apart(panel, summary), (step.number, panel, summary)
        assert panel["right"] <= size["x"] and panel["bottom"] <= size["y"]
        for pt in seen["points"]:
            assert 0 < pt["x"] < size["x"] and 0 < pt["y"] < size["y"], (step.number, pt)
            assert not (panel["left"] - 8 <= pt["x"] <= panel["right"] + 8
                        and panel["top"] - 8 <= pt["y"] <= panel["bottom"] + 8), \
                (step.number, pt, panel)
    assert page.errors == []
