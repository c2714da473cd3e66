r"""Stories: a narrated sequence of incidents, kept as a plain Markdown file.

A story is text an analyst writes and keeps under version control::

    # The 2019-2020 escalation

    An optional introduction.

    ## Fujairah: four tankers damaged
    incidents: 2019-05-12-fujairah-tanker-sabotage
    view: 25.3, 56.6, 8
    dates: 2019-05-12..2019-05-12

    The step's text, as many paragraphs as needed.

- one ``#`` title, then one step per ``##`` heading (``###`` and deeper
  headings are text; lines inside ``` fences are text);
- in each step, a line ``incidents: id, id, ...`` (required; an id that
  contains a comma is written in backticks), optional ``view: lat, lon, zoom``
  (Leaflet zoom, 0-20) and ``dates: YYYY-MM-DD..YYYY-MM-DD`` (or one day);
- every other line is the step's text. It stays plain text: whoever renders
  it escapes it (HTML, Markdown, matplotlib's mathtext).

:func:`parse_story` never raises on any text: what is wrong goes into
``Story.problems``. :func:`validate_story` adds the checks against a dataset
(unknown ids, with a did-you-mean; a step whose dates miss its incidents).
Pure Python: no streamlit, no folium.

Examples
--------
>>> story = parse_story("# T\n## One\nincidents: a, b\nFirst.\n", name="t.md")
>>> story.title, story.steps[0].heading, story.steps[0].incidents, story.steps[0].text
('T', 'One', ('a', 'b'), 'First.')
>>> story.problems
()
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from .errors import DataSourceError, GeodataError

__all__ = [
    "STORY_KEYS",
    "Step",
    "Story",
    "StoryError",
    "StoryProblem",
    "View",
    "parse_story",
    "read_story",
    "step_mask",
    "suggest_id",
    "validate_story",
]

#: The key lines a step may hold.
STORY_KEYS = ("incidents", "view", "dates")
#: Leaflet's zoom levels a ``view`` may ask for.
ZOOM_RANGE = (0.0, 20.0)
#: Problems shown in a :class:`StoryError`'s message (all are in ``problems``).
_SHOWN = 50

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_KEY = re.compile(r"^[ \t]*([A-Za-z][A-Za-z_-]*)[ \t]*:(.*)$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ID_TOKEN = re.compile(r"`([^`]*)`|([^,]+)")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Key-like words that are probably a misspelt key (flagged with a did-you-mean).
_KEY_TYPOS = ("incident", "ids", "id", "views", "date", "day", "days", "zoom")


class View(NamedTuple):
    """Where a step's map looks: centre and Leaflet zoom."""

    lat: float
    lon: float
    zoom: float


@dataclass(frozen=True)
class StoryProblem:
    """One thing wrong with a story.

    Parameters
    ----------
    source : str
        The story's file name (or label).
    line : int or None
        1-based line of the story file; None for the story as a whole.
    step : int or None
        1-based step number, None outside a step.
    heading : str or None
        The step's heading.
    field : str or None
        ``title``, ``heading``, ``incidents``, ``view`` or ``dates``.
    message : str
        What is wrong, echoing the bad value.
    """

    source: str
    line: int | None
    step: int | None
    heading: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}: line {self.line}"
        if self.step is not None:
            where += f", step {self.step}"
            if self.heading:
                where += f" ({_short(self.heading)!r})"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class StoryError(GeodataError):
    """A story is unusable: carries every problem found.

    Parameters
    ----------
    problems : list of StoryProblem
        Everything wrong, in line order.
    source : str, optional
        The story's file name.
    """

    def __init__(self, problems: list[StoryProblem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source}: " if source else ""
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} in the story"]
        lines += [f"  {p}" for p in self.problems[:_SHOWN]]
        if n > _SHOWN:
            lines.append(f"  ... and {n - _SHOWN} more")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Step:
    """One step of a story.

    Parameters
    ----------
    number : int
        1-based position in the story.
    heading : str
        The ``##`` heading's text.
    text : str
        The step's text (plain; paragraphs separated by blank lines).
    incidents : tuple of str
        The ids it shows, in the order written.
    view : View or None
        Centre and zoom, when given.
    dates : (datetime.date, datetime.date) or None
        The inclusive date window, when given.
    line : int
        The heading's line in the file.
    lines : dict
        The line of each key given (``incidents``, ``view``, ``dates``).
    """

    number: int
    heading: str
    text: str
    incidents: tuple[str, ...]
    view: View | None = None
    dates: tuple[_dt.date, _dt.date] | None = None
    line: int = 0
    lines: dict = field(default_factory=dict, compare=False)

    @property
    def paragraphs(self) -> list[str]:
        """The text's paragraphs, each with its lines joined by spaces (for reflowing)."""
        return _split_paragraphs(self.text)


def _split_paragraphs(text: str) -> list[str]:
    """Paragraphs (blank-line separated), each with its lines joined by spaces."""
    return [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


@dataclass(frozen=True)
class Story:
    """A parsed story.

    Parameters
    ----------
    title : str
        The ``#`` title ("" when missing, which is a problem).
    steps : tuple of Step
        In file order.
    name : str
        The file name, used in messages.
    intro : str
        Text between the title and the first step.
    problems : tuple of StoryProblem
        What :func:`parse_story` found wrong in the text itself.
    """

    title: str
    steps: tuple[Step, ...]
    name: str = "<story>"
    intro: str = ""
    problems: tuple[StoryProblem, ...] = ()

    @property
    def intro_paragraphs(self) -> list[str]:
        """The introduction's paragraphs, as :attr:`Step.paragraphs` (empty when none)."""
        return _split_paragraphs(self.intro)

    @property
    def incident_ids(self) -> list[str]:
        """Every id the story names, each once, in order of first mention."""
        return list(dict.fromkeys(i for s in self.steps for i in s.incidents))


# ------------------------------------------------------------------ parsing


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clip(value: str, limit: int = 80) -> str:
    """A user's value for a message: shortened, quoted by the caller with ``!r``."""
    return _short(value.strip(), limit)


def _heading_of(line: str) -> tuple[int, str] | None:
    """``(level, text)`` of an ATX heading line, else None."""
    m = _HEADING.match(line)
    if not m:
        return None
    text = _CLOSING_HASHES.sub("", m.group(2) or "").strip()
    return len(m.group(1)), text


def _parse_ids(value: str) -> tuple[list[str], list[str]]:
    """The ids of an ``incidents`` value and the complaints about it."""
    ids, complaints = [], []
    rest = value.strip()
    if rest.count("`") % 2:
        complaints.append(f"unbalanced backtick in {_clip(value)!r}")
    for m in _ID_TOKEN.finditer(rest):
        token = m.group(1) if m.group(1) is not None else m.group(2)
        token = token.strip()
        if token:
            ids.append(token)
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            complaints.append(f"id {i!r} is listed twice")
        seen.add(i)
    return list(dict.fromkeys(ids)), complaints


def _parse_view(value: str) -> tuple[View | None, str | None]:
    parts = [p.strip() for p in value.split(",")]
    if len(parts) != 3:
        return None, f"must be 'lat, lon, zoom' (three numbers), got {_clip(value)!r}"
    try:
        lat, lon, zoom = (float(p) for p in parts)
    except ValueError:
        return None, f"must be 'lat, lon, zoom' (three numbers), got {_clip(value)!r}"
    if not all(math.isfinite(v) for v in (lat, lon, zoom)):
        return None, f"must be finite numbers, got {_clip(value)!r}"
    if not -90 <= lat <= 90:
        return None, f"latitude must be between -90 and 90, got {lat:g}"
    if not -180 <= lon <= 180:
        return None, f"longitude must be between -180 and 180, got {lon:g}"
    if not ZOOM_RANGE[0] <= zoom <= ZOOM_RANGE[1]:
        return None, (f"zoom must be between {ZOOM_RANGE[0]:g} and {ZOOM_RANGE[1]:g}, "
                      f"got {zoom:g}")
    return View(lat, lon, zoom), None


def _day(text: str) -> _dt.date | None:
    text = text.strip()
    if not _DAY.match(text):
        return None
    try:
        return _dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse_dates(value: str) -> tuple[tuple[_dt.date, _dt.date] | None, str | None]:
    start_text, sep, end_text = value.strip().partition("..")
    start = _day(start_text)
    end = _day(end_text) if sep else start
    if start is None or end is None:
        return None, (f"must be 'YYYY-MM-DD..YYYY-MM-DD' or one day 'YYYY-MM-DD', "
                      f"got {_clip(value)!r}")
    if end < start:
        return None, f"the end {end} is before the start {start}"
    return (start, end), None


@dataclass
class _Draft:
    """A step while it is being read."""

    heading: str
    line: int
    text: list[str] = field(default_factory=list)
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)


class _Reader:
    """Reads a story's lines into a title, an intro and step drafts."""

    def __init__(self, name: str):
        self.name = name
        self.title = ""
        self.title_line: int | None = None
        self.intro: list[str] = []
        self.drafts: list[_Draft] = []
        self.problems: list[StoryProblem] = []
        self.fence: str | None = None

    def problem(self, line, field_, message, draft: _Draft | None = None) -> None:
        step = len(self.drafts) if draft is not None else None
        heading = draft.heading if draft is not None else None
        self.problems.append(StoryProblem(self.name, line, step, heading, field_, message))

    def feed(self, number: int, line: str) -> None:
        draft = self.drafts[-1] if self.drafts else None
        fence = _FENCE.match(line)
        if self.fence is not None or fence:
            if fence and self.fence is None:
                self.fence = fence.group(1)[0] * 3
            elif fence and fence.group(1).startswith(self.fence):
                self.fence = None
            self._text(line, draft)
            return
        heading = _heading_of(line)
        if heading is not None and heading[0] <= 2:
            self._heading(number, *heading)
            return
        key = _KEY.match(line)
        if key and draft is not None:
            word = key.group(1).lower()
            if word in STORY_KEYS:
                self._key(number, word, key.group(2), draft)
                return
            if word in _KEY_TYPOS:
                guess = difflib.get_close_matches(word, STORY_KEYS, n=1, cutoff=0.3)
                hint = f" (did you mean '{guess[0]}:'?)" if guess else ""
                self.problem(number, None, f"unknown key {key.group(1)!r}{hint}; the keys "
                             f"are {', '.join(STORY_KEYS)}", draft)
                return
        self._text(line, draft)

    def _text(self, line: str, draft: _Draft | None) -> None:
        (draft.text if draft is not None else self.intro).append(line.rstrip())

    def _heading(self, number: int, level: int, text: str) -> None:
        if level == 1:
            if self.title_line is not None:
                self.problem(number, "title", f"a story has one '#' title; the first is on "
                             f"line {self.title_line}, this one is {_clip(text)!r}")
            elif self.drafts:
                self.problem(number, "title", "the '#' title must come before the first "
                             "'##' step")
            else:
                self.title, self.title_line = text, number
                if not text:
                    self.problem(number, "title", "the '#' title is empty")
            return
        draft = _Draft(text, number)
        self.drafts.append(draft)
        if not text:
            self.problem(number, "heading", "the '##' heading is empty", draft)

    def _key(self, number: int, key: str, value: str, draft: _Draft) -> None:
        if key in draft.lines:
            self.problem(number, key, f"given twice (first on line {draft.lines[key]})", draft)
            return
        draft.lines[key] = number
        if key == "incidents":
            ids, complaints = _parse_ids(value)
            for c in complaints:
                self.problem(number, key, c, draft)
            draft.values[key] = tuple(ids)
            return
        parsed, complaint = (_parse_view if key == "view" else _parse_dates)(value)
        if complaint:
            self.problem(number, key, complaint, draft)
        draft.values[key] = parsed


def _paragraphs(lines: list[str]) -> str:
    """The lines as text: blank lines at both ends dropped, runs of blanks kept as one."""
    text = "\n".join(lines)
    text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)
    return text.strip("\n").strip()


def parse_story(text: str, name: str = "<story>") -> Story:
    r"""Read a story from its Markdown text; never raises on any text.

    Parameters
    ----------
    text : str
        The story file's content.
    name : str, default "<story>"
        The file name, used in problems.

    Returns
    -------
    Story
        The title, the steps in order, and ``problems``: a missing title,
        no steps, a step without incidents, a bad ``view`` or ``dates``, a
        key given twice, a misspelt key (with the line of each).

    Examples
    --------
    >>> s = parse_story("# T\n## A\nincidents: x\nview: 33.3, 44.4, 9\n")
    >>> s.steps[0].view
    View(lat=33.3, lon=44.4, zoom=9.0)
    >>> print(parse_story("# T\n## A\nNo ids.\n", "s.md").problems[0])
    s.md: line 2, step 1 ('A'), field 'incidents': a step needs a line 'incidents: id, id, ...'
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_story expects the text as str, got {type(text).__name__}")
    reader = _Reader(name)
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        reader.feed(number, line)
    if reader.title_line is None:
        reader.problems.insert(0, StoryProblem(name, 1, None, None, "title",
                                               "no '# title' line before the first step"))
    if not reader.drafts:
        reader.problems.append(StoryProblem(name, None, None, None, None,
                                            "no steps: write one '## heading' per step"))
    steps = []
    for number, d in enumerate(reader.drafts, start=1):
        ids = d.values.get("incidents", ())
        if not ids:
            line = d.lines.get("incidents", d.line)
            why = ("lists no id" if "incidents" in d.lines
                   else "a step needs a line 'incidents: id, id, ...'")
            reader.problems.append(StoryProblem(name, line, number, d.heading, "incidents", why))
        steps.append(Step(number, d.heading, _paragraphs(d.text), tuple(ids),
                          d.values.get("view"), d.values.get("dates"), d.line, dict(d.lines)))
    problems = sorted(reader.problems, key=lambda p: (p.line or 0))
    return Story(reader.title, tuple(steps), name, _paragraphs(reader.intro), tuple(problems))


def read_story(path: str | os.PathLike) -> Story:
    """Read and parse a story file (UTF-8).

    Parameters
    ----------
    path : str or os.PathLike
        The story's ``.md`` file.

    Returns
    -------
    Story
        As :func:`parse_story`, named after ``path``.

    Raises
    ------
    DataSourceError
        When the file cannot be read or is not UTF-8 text.
    """
    name = os.fspath(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DataSourceError(f"{name}: cannot read the story: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataSourceError(f"{name}: line {line}: the story is not UTF-8 text "
                              f"(byte {exc.start})") from None
    return parse_story(text, name)


# --------------------------------------------------------------- validation


def _spans(gdf: gpd.GeoDataFrame) -> dict[str, tuple[_dt.date | None, _dt.date | None]]:
    """Each incident's first and last day (None when unknown)."""
    out: dict[str, tuple[_dt.date | None, _dt.date | None]] = {}
    if "id" not in gdf.columns:
        return out
    start = pd.to_datetime(gdf["date"], errors="coerce") if "date" in gdf else None
    end = pd.to_datetime(gdf["end_date"], errors="coerce") if "end_date" in gdf else None
    for i, key in enumerate(gdf["id"].astype(str).tolist()):
        a = start.iloc[i] if start is not None else pd.NaT
        b = end.iloc[i] if end is not None else pd.NaT
        first = None if pd.isna(a) else a.date()
        last = first if pd.isna(b) else b.date()
        out[key] = (first, last)
    return out


def suggest_id(wrong: str, ids: Iterable[str]) -> str | None:
    """The known id closest to a misspelt one, if any is close.

    Parameters
    ----------
    wrong : str
        The id as written.
    ids : iterable of str
        The dataset's ids.

    Returns
    -------
    str or None
        The closest id (difflib ratio at least 0.6), else None.

    Examples
    --------
    >>> suggest_id("k1-atack", ["k1-attack", "erbil"])
    'k1-attack'
    """
    close = difflib.get_close_matches(wrong, list(ids), n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(wrong: str, ids: Iterable[str]) -> str:
    close = suggest_id(wrong, ids)
    return f" (did you mean {close!r}?)" if close else ""


def validate_story(story: Story, gdf: gpd.GeoDataFrame | None = None) -> list[StoryProblem]:
    r"""Everything wrong with a story, alone and against its dataset.

    Parameters
    ----------
    story : Story
        From :func:`parse_story` or :func:`read_story`.
    gdf : geopandas.GeoDataFrame, optional
        The incidents it tells of. Without it only the text is checked.

    Returns
    -------
    list of StoryProblem
        The parse problems, then per step: each unknown id (with the
        closest known id) and each incident outside the step's ``dates``.
        Empty when the story is usable.

    Examples
    --------
    >>> import geopandas as gpd
    >>> gdf = gpd.GeoDataFrame({"id": ["k1"]}, geometry=gpd.points_from_xy([44], [35]))
    >>> s = parse_story("# T\n## One\nincidents: k-1\n", "s.md")
    >>> print(validate_story(s, gdf)[0])
    s.md: line 3, step 1 ('One'), field 'incidents': unknown id 'k-1' (did you mean 'k1'?)
    """
    problems = list(story.problems)
    if gdf is None:
        return problems
    spans = _spans(gdf)
    for step in story.steps:
        line = step.lines.get("incidents", step.line)

        def add(field_, message, line=line, step=step):
            problems.append(StoryProblem(story.name, line, step.number, step.heading,
                                         field_, message))

        for i in step.incidents:
            if i not in spans:
                add("incidents", f"unknown id {i!r}{_did_you_mean(i, spans)}")
        if step.dates is None:
            continue
        lo, hi = step.dates
        for i in step.incidents:
            first, last = spans.get(i, (None, None))
            if first is not None and (last < lo or first > hi):
                when = f"{first}" if first == last else f"{first}..{last}"
                add("dates", f"incident {i!r} ({when}) is outside the step's dates {lo}..{hi}",
                    line=step.lines.get("dates", line))
    return sorted(problems, key=lambda p: (p.line or 0))


def step_mask(step: Step, gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Which rows of ``gdf`` a step shows.

    Parameters
    ----------
    step : Step
        A story's step.
    gdf : geopandas.GeoDataFrame
        The incidents.

    Returns
    -------
    numpy.ndarray of bool
        True for the step's incidents.
    """
    if "id" not in gdf.columns or not len(gdf):
        return np.zeros(len(gdf), dtype=bool)
    return gdf["id"].astype(str).isin(step.incidents).to_numpy()
