"""The story format: parsing, validation against a dataset, the shipped story, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import DATASET, ROOT, feature_collection, make_feature
from hypothesis import given, settings
from hypothesis import strategies as st

import geodata
from geodata.story import (
    StoryError,
    View,
    parse_story,
    read_story,
    step_mask,
    validate_story,
)
from geodata.story_new import new_story
from mapapp.cli import main

SHIPPED = ROOT / "stories" / "escalation.md"

GOOD = """\
# Title of the story

An introduction.

## First step
incidents: inc-1, inc-2
view: 33.3, 44.4, 9
dates: 2020-01-02..2020-01-03

Text of the first step,
on two lines.

Second paragraph.

## Second step ##
incidents: `inc-3`

### A sub-heading is text
```
## inside a fence is text
incidents: not-a-key
```
"""


@pytest.fixture(scope="module")
def small():
    return geodata.frame_from_features(feature_collection(
        [make_feature(i) for i in range(6)])["features"])


@pytest.fixture(scope="module")
def dataset():
    return geodata.read(DATASET)


def _messages(problems):
    return [str(p) for p in problems]


# ------------------------------------------------------------------ parsing


def test_parse_reads_title_steps_keys_and_text():
    story = parse_story(GOOD, "s.md")
    assert story.problems == ()
    assert story.title == "Title of the story"
    assert story.intro == "An introduction."
    assert [s.heading for s in story.steps] == ["First step", "Second step"]
    first, second = story.steps
    assert first.number == 1 and first.line == 5
    assert first.incidents == ("inc-1", "inc-2")
    assert first.view == View(33.3, 44.4, 9.0)
    assert first.dates == (dt.date(2020, 1, 2), dt.date(2020, 1, 3))
    assert first.paragraphs == ["Text of the first step, on two lines.", "Second paragraph."]
    assert second.incidents == ("inc-3",)
    assert second.view is None and second.dates is None
    assert "## inside a fence is text" in second.text
    assert "incidents: not-a-key" in second.text
    assert "### A sub-heading is text" in second.text
    assert story.incident_ids == ["inc-1", "inc-2", "inc-3"]


def test_backticks_keep_an_id_with_a_comma():
    story = parse_story("# T\n## S\nincidents: `a, b`, c\n")
    assert story.steps[0].incidents == ("a, b", "c")


def test_one_day_is_a_date_window():
    story = parse_story("# T\n## S\nincidents: a\ndates: 2020-01-08\n")
    assert story.steps[0].dates == (dt.date(2020, 1, 8), dt.date(2020, 1, 8))


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("## S\nincidents: a\n", r"s\.md: line 1, field 'title': no '# title' line"),
        ("# T\n\nJust text.\n", r"s\.md: no steps: write one '## heading' per step"),
        ("# T\n## S\nSome text.\n",
         r"line 2, step 1 \('S'\), field 'incidents': a step needs a line 'incidents: id"),
        ("# T\n## S\nincidents:  \n", r"line 3, step 1 \('S'\), field 'incidents': lists no id"),
        ("# T\n## S\nincidents: a, a\n", r"line 3, .*'incidents': id 'a' is listed twice"),
        ("# T\n## S\nincidents: a\nincidents: b\n", r"line 4, .*given twice \(first on line 3\)"),
        ("# T\n## S\nincidents: a\nview: 33.3, 44.4\n",
         r"line 4, step 1 \('S'\), field 'view': must be 'lat, lon, zoom' .*got '33.3, 44.4'"),
        ("# T\n## S\nincidents: a\nview: 95, 44, 9\n", r"'view': latitude must be between"),
        ("# T\n## S\nincidents: a\nview: 33, 200, 9\n", r"'view': longitude must be between"),
        ("# T\n## S\nincidents: a\nview: 33, 44, 25\n", r"'view': zoom must be between 0 and 20"),
        ("# T\n## S\nincidents: a\nview: nan, 44, 9\n", r"'view': must be finite numbers"),
        ("# T\n## S\nincidents: a\ndates: 2020-02-30\n",
         r"line 4, .*'dates': must be 'YYYY-MM-DD\.\.YYYY-MM-DD' .*got '2020-02-30'"),
        ("# T\n## S\nincidents: a\ndates: 2020-01-08..2020-01-01\n",
         r"'dates': the end 2020-01-01 is before the start 2020-01-08"),
        ("# T\n## S\nincident: a\n", r"line 3, step 1 \('S'\): unknown key 'incident' "
                                     r"\(did you mean 'incidents:'\?\)"),
        ("# T\n## S\nincidents: a\n# Again\n", r"line 4, field 'title': a story has one"),
        ("# T\n##\nincidents: a\n", r"line 2, step 1, field 'heading': the '##' heading is empty"),
    ],
)
def test_parse_problems_name_file_line_step_field(text, pattern):
    story = parse_story(text, "s.md")
    assert any(re.search(pattern, m) for m in _messages(story.problems)), story.problems


def test_a_problem_never_hides_the_rest():
    story = parse_story("# T\n## A\nview: x\n## B\nincidents: a\ndates: y\n", "s.md")
    fields = sorted(p.field for p in story.problems)
    assert fields == ["dates", "incidents", "view"]
    assert [p.line for p in story.problems] == sorted(p.line for p in story.problems)


def test_text_stays_plain():
    hostile = "<script>alert(1)</script> $\\frac{1}{0}$ [x](javascript:alert(1))"
    story = parse_story(f"# {hostile}\n## {hostile}\nincidents: a\n{hostile}\n")
    assert story.title == hostile
    assert story.steps[0].heading == hostile
    assert story.steps[0].text == hostile


def test_read_story_names_the_file(tmp_path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"# T\n## S\nincidents: a\n\xff\n")
    with pytest.raises(geodata.DataSourceError, match=r"bad\.md: line 4: .*not UTF-8"):
        read_story(path)
    with pytest.raises(geodata.DataSourceError, match=r"missing\.md: cannot read the story"):
        read_story(tmp_path / "missing.md")


# --------------------------------------------------------------- validation


def test_validate_unknown_id_with_did_you_mean(small):
    story = parse_story("# T\n## One\nincidents: inc-1, inc-11x, zzzzzzzzzz\n", "s.md")
    messages = _messages(validate_story(story, small))
    assert messages == [
        "s.md: line 3, step 1 ('One'), field 'incidents': unknown id 'inc-11x' "
        "(did you mean 'inc-1'?)",
        "s.md: line 3, step 1 ('One'), field 'incidents': unknown id 'zzzzzzzzzz'",
    ]


def test_validate_incident_outside_the_step_dates(small):
    # make_feature(i) is dated 2020-01-(i+1)
    story = parse_story("# T\n## One\nincidents: inc-1, inc-4\ndates: 2020-01-01..2020-01-03\n",
                        "s.md")
    messages = _messages(validate_story(story, small))
    assert messages == [
        "s.md: line 4, step 1 ('One'), field 'dates': incident 'inc-4' (2020-01-05) is "
        "outside the step's dates 2020-01-01..2020-01-03",
    ]


def test_validate_a_good_story_has_no_problem(small):
    assert validate_story(parse_story(GOOD.replace("inc-3", "inc-5")), small) == []


def test_step_mask_picks_the_step_rows(small):
    step = parse_story("# T\n## S\nincidents: inc-4, inc-2\n").steps[0]
    assert small["id"][step_mask(step, small)].tolist() == ["inc-2", "inc-4"]


# ------------------------------------------------------------ starting story


def test_new_story_one_step_per_incident_in_date_order(small):
    shuffled = small.iloc[[3, 0, 5, 1]]
    text = new_story(shuffled, title="Draft\nwith a newline")
    story = parse_story(text, "new.md")
    assert validate_story(story, small) == []
    assert story.title == "Draft with a newline"
    expected = shuffled.sort_values("date")
    assert [s.incidents for s in story.steps] == [(i,) for i in expected["id"]]
    assert [s.heading for s in story.steps] == expected["title"].tolist()
    assert [s.dates[0] for s in story.steps] == [d.date() for d in expected["date"]]


def test_new_story_of_nothing_is_an_error(small):
    with pytest.raises(StoryError, match="no incidents to make a story of"):
        new_story(small.iloc[:0])


# ------------------------------------------------------------------- fuzzing

_pieces = st.sampled_from([
    "# ", "## ", "### ", "incidents:", "view:", "dates:", "incident:", ",", "`", "```",
    "..", "2020-01-01", "2020-13-40", "33.3", "-1e309", "nan", "\n", "\r\n", "\t", " ",
    "\ufeff", "\u2028", "inc-1",
])
_story_text = st.lists(_pieces | st.text(max_size=8), max_size=40).map("".join)


_FUZZ_GDF = geodata.frame_from_features([make_feature(i) for i in range(3)])


@settings(max_examples=300, deadline=None)
@given(text=_story_text)
def test_fuzz_no_traceback_on_any_text(text):
    story = parse_story(text, "fuzz.md")
    problems = validate_story(story, _FUZZ_GDF)
    for p in problems:
        assert str(p).startswith("fuzz.md")
    if not problems:
        assert story.title and story.steps
        assert all(s.incidents for s in story.steps)


# -------------------------------------------------------------- the shipped story


def test_shipped_story_is_valid_against_the_dataset(dataset):
    story = read_story(SHIPPED)
    assert validate_story(story, dataset) == []
    assert len(story.steps) == 12
    # the incidents the brief names are all told
    ids = set(story.incident_ids)
    for wanted in ("fujairah", "gulf-of-oman", "global-hawk", "abqaiq", "k1-air-base",
                   "kataib-hezbollah", "embassy-baghdad-storming", "airport",
                   "parliament", "ayn-al-asad", "erbil", "taji"):
        assert any(wanted in i for i in ids), wanted
    # in date order, each step with its sources named
    starts = [s.dates[0] for s in story.steps]
    assert starts == sorted(starts)
    for step in story.steps:
        assert re.search(r"^Sources?: ", step.text, re.M), step.heading
        assert step.view is not None


def test_shipped_story_does_not_copy_the_articles():
    """No sentence-length run of 8 words is taken from the seed articles."""
    places = (ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds")
    texts = [p.read_text(encoding="utf-8") for seeds in places for p in sorted(seeds.glob("*.txt"))]
    if not texts:
        pytest.skip("the seed articles are not on this machine")

    def grams(text):
        words = re.findall(r"[a-z0-9']+", text.lower().replace("\u2019", "'"))
        return {tuple(words[i:i + 8]) for i in range(len(words) - 7)}

    seed_grams = set().union(*(grams(t) for t in texts))
    story = read_story(SHIPPED)
    for step in story.steps:
        body = "\n".join(p for p in step.paragraphs if not p.startswith("Source"))
        assert not grams(body) & seed_grams, step.heading


# ------------------------------------------------------------------ the CLI


def test_cli_story_check_ok(capsys):
    assert main(["story", "check", str(SHIPPED), str(DATASET)]) == 0
    out = capsys.readouterr().out
    assert "12 steps" in out and "no problems" in out


def test_cli_story_check_lists_problems(tmp_path, capsys):
    bad = tmp_path / "bad.md"
    bad.write_text("# T\n## One\nincidents: 2019-12-27-k1-air-base-rocket-atack\n"
                   "## Two\nview: 1, 2\n", encoding="utf-8")
    assert main(["story", "check", str(bad), str(DATASET)]) == 1
    err = capsys.readouterr().err
    assert ("line 3, step 1 ('One'), field 'incidents': unknown id "
            "'2019-12-27-k1-air-base-rocket-atack' (did you mean "
            "'2019-12-27-k1-air-base-rocket-attack'?)") in err
    assert "line 5, step 2 ('Two'), field 'view'" in err
    assert "Traceback" not in err


def test_cli_story_new_from_ids_and_from_filters(tmp_path, dataset):
    out = tmp_path / "new.md"
    ids = ["2020-01-08-erbil-missile-strike", "2019-12-27-k1-air-base-rocket-attack"]
    assert main(["story", "new", str(DATASET), "--ids", *ids, "-o", str(out)]) == 0
    story = read_story(out)
    assert validate_story(story, dataset) == []
    assert [s.incidents for s in story.steps] == [(ids[1],), (ids[0],)]  # date order

    out2 = tmp_path / "filtered.md"
    assert main(["story", "new", str(DATASET), "--start", "2020-01-01", "--end",
                 "2020-01-31", "-o", str(out2), "--title", "January"]) == 0
    story = read_story(out2)
    gdf = geodata.Filters(start="2020-01-01", end="2020-01-31").apply(dataset)
    assert story.title == "January"
    assert sorted(story.incident_ids) == sorted(gdf["id"])


def test_cli_story_new_refuses_to_overwrite_and_unknown_ids(tmp_path, capsys):
    out = tmp_path / "mine.md"
    out.write_text("my edits", encoding="utf-8")
    assert main(["story", "new", str(DATASET), "--ids", "2020-01-08-erbil-missile-strike",
                 "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "my edits"
    assert main(["story", "new", str(DATASET), "--ids", "2020-01-08-erbil-misile-strike",
                 "-o", str(tmp_path / "x.md")]) == 1
    err = capsys.readouterr().err
    assert "unknown id '2020-01-08-erbil-misile-strike'" in err
    assert "did you mean '2020-01-08-erbil-missile-strike'" in err
    assert not (tmp_path / "x.md").exists()


def test_cli_story_new_ids_and_filters_are_exclusive(tmp_path, capsys):
    code = main(["story", "new", str(DATASET), "--ids", "a", "--actor", "Iran",
                 "-o", str(tmp_path / "x.md")])
    assert code == 2
    assert "either --ids or filters" in capsys.readouterr().err


def test_dataset_file_is_not_modified_by_story_commands(tmp_path):
    before = DATASET.read_bytes()
    main(["story", "new", str(DATASET), "--country", "IRQ", "-o", str(tmp_path / "s.md")])
    main(["story", "check", str(tmp_path / "s.md"), str(DATASET)])
    assert DATASET.read_bytes() == before
    assert json.loads(before)["features"]
