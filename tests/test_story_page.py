"""A story played in the page: a real `streamlit run` in headless Chromium.

The page runs on a copy of the dataset with a ``stories/`` folder beside it:
the shipped story, a hostile one and one that does not fit the data.
"""

from __future__ import annotations

import io
import re
import shutil

import pytest
from conftest import DATASET, ROOT
from mapjs import DRAWN_CANVAS
from PIL import Image
from test_page_e2e import _map_frame, _serve
from test_page_picture import _download
from test_story_play import HOSTILE

from geodata.story import parse_story, read_story

pytestmark = pytest.mark.browser

STORY = ROOT / "stories" / "escalation.md"
STATE = """() => {
  for (const k of Object.keys(window)) {
    const v = window[k];
    if (v && window.L && v instanceof L.Map && v._imCanvas) return IncidentMap.storyState(v);
  }
  return null;
}"""
# (the page's panel: its container's key)
PANEL = ".st-key-story-panel"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("storydata")
    shutil.copy(DATASET, folder / "incidents.geojson")
    (folder / "stories").mkdir()
    shutil.copy(STORY, folder / "stories" / "escalation.md")
    (folder / "stories" / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (folder / "stories" / "broken.md").write_text(
        "# Broken\n## One\nincidents: 2019-12-27-k1-air-base-rocket-atack\n", encoding="utf-8")
    yield from _serve(tmp_path_factory, env={"MAPAPP_DATA": str(folder / "incidents.geojson")})


def _shown(p, step, count):
    """The page and its map show ``step`` of the story file: text, address, highlight."""
    p.wait_for_function("n => new URLSearchParams(location.search).get('step') === n",
                        arg=str(step.number), timeout=30_000)
    panel = p.locator(PANEL)
    panel.get_by_text(f"step {step.number} of {count}").wait_for(timeout=30_000)
    # (the page's Markdown puts an invisible word joiner where text would become a link)
    assert step.heading in panel.inner_text().replace("\u2060", "")
    frame = _map_frame(p)
    frame.wait_for_function(
        f"() => {{ const s = ({STATE})(); return s && s.step === {step.number} "
        "&& s.state === 'shown'; }", timeout=30_000)
    state = frame.evaluate(STATE)
    assert sorted(state["highlighted"]) == sorted(step.incidents)
    drawn = frame.evaluate(DRAWN_CANVAS)["markers"]
    assert sorted(m["id"] for m in drawn if m.get("highlighted")) == sorted(step.incidents)
    return panel


def test_a_shared_step_opens_and_keys_and_buttons_step(server, page):
    story = read_story(STORY)
    count = len(story.steps)
    p = page.page
    p.goto(server + "/?story=escalation&step=3")
    panel = _shown(p, story.steps[2], count)
    for paragraph in story.steps[2].paragraphs:
        assert paragraph in " ".join(panel.inner_text().split())
    p.keyboard.press("ArrowRight")
    _shown(p, story.steps[3], count)
    panel.get_by_role("button", name="Next").click()
    _shown(p, story.steps[4], count)
    panel.get_by_role("button", name="Previous").click()
    _shown(p, story.steps[3], count)
    p.locator("h1").first.click()  # (the focus back on the page, off the button)
    p.keyboard.press("ArrowLeft")
    _shown(p, story.steps[2], count)
    assert page.errors == [] and page.blocked_non_tiles() == []


def test_the_shipped_story_plays_in_the_page(server, page):
    story = read_story(STORY)
    count = len(story.steps)
    p = page.page
    p.goto(server + "/?story=escalation")
    assert story.intro_paragraphs
    for step in story.steps:
        panel = _shown(p, step, count)
        text = " ".join(panel.inner_text().split())
        assert all(paragraph in text for paragraph in step.paragraphs)
        # the story's introduction under its title on step 1, before the step's heading
        intro = [text.find(paragraph) for paragraph in story.intro_paragraphs]
        if step.number == 1:
            assert all(0 <= at < text.find(step.heading) for at in intro), intro
        else:
            assert intro == [-1] * len(intro)
        if step.number < count:
            panel.get_by_role("button", name="Next").click()
    assert panel.get_by_role("button", name="Next").is_disabled()
    assert page.errors == []


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ("story=..%2F..%2Fetc%2Fpasswd", "no such story"),
        ("story=escalation.md", "no such story"),
        ("story=escalation&step=abc", "not a step number"),
        ("story=escalation&step=40", "is not a step of the story"),
    ],
)
def test_bad_story_links_give_a_note(server, page, query, note):
    p = page.page
    p.goto(f"{server}/?{query}")
    _map_frame(p)
    p.get_by_text(note).first.wait_for(timeout=30_000)
    assert p.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in p.inner_text("body")


def test_a_story_that_does_not_fit_shows_its_problems(server, page):
    p = page.page
    p.goto(f"{server}/?story=broken")
    _map_frame(p)
    p.get_by_text("The story cannot be played").first.wait_for(timeout=30_000)
    p.get_by_text("unknown id").first.wait_for(timeout=10_000)
    assert p.locator('[data-testid="stException"]').count() == 0


def test_hostile_story_text_stays_text_in_the_page(server, page):
    story = parse_story(HOSTILE)
    p = page.page
    p.goto(f"{server}/?story=hostile")
    panel = _shown(p, story.steps[0], 1)
    assert panel.locator("img, script, a, b").count() == 0
    text = panel.inner_text().replace("\u2060", "")
    assert "[a link](https://evil.example) **bold**" in text
    assert "<img src=x" in text and "<b>not bold</b>" in text
    assert " ".join(story.intro_paragraphs[0].split()) in " ".join(text.split())
    assert p.evaluate("window.__pwned") is None and page.dialogs == []


def _pages(data: bytes) -> int:
    try:
        import pypdf
    except ImportError:
        return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def test_the_played_story_as_a_step_picture_and_a_pdf(server, page, tmp_path):
    story = read_story(STORY)
    count = len(story.steps)
    p = page.page
    p.goto(server + "/?story=escalation&step=3")
    step = story.steps[2]
    _shown(p, step, count)

    png = _download(p, "This step (PNG, A4 landscape, 300 dpi)", tmp_path)
    assert png.name == "escalation-step-03.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (3508, 2480)  # A4 landscape at 300 dpi
        assert image.text["Title"] == story.title
        # (the step's incidents highlighted, the rest of the view dimmed)
        assert f"{len(step.incidents)} highlighted" in image.text["Description"]

    p.get_by_text("16:9 slide", exact=True).click()
    name = "The whole story (PDF, 16:9 slide, one page per step)"
    p.get_by_role("button", name=name).wait_for(timeout=30_000)
    pdf = _download(p, name, tmp_path)
    assert pdf.name == "escalation.pdf"
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert _pages(data) == count
    assert len(re.findall(rb"/MediaBox\s*\[\s*0 0 960 540\s*\]", data)) == count
    assert page.errors == []
