"""The story panel: a story played on the page's map, step by step.

The stories are the ``.md`` files of the ``stories/`` folder beside the
dataset the page was started on (the repository's ``stories/`` for the
built-in dataset); a story is picked in the sidebar by its name (the file's
stem: never a path, only a name of a file in that folder). Beside the map:
the story's title, "Step 3 of 12", on step 1 the story's introduction (its
text before the first step), the step's heading and text (escaped:
see :mod:`.text`), previous and next (buttons, and the Left and Right arrow
keys). The map highlights the step's incidents, dims the others, flies to
the step and marks its dates on its time control (``frontend/src/story.js``,
through :func:`mapapp.contract.story_options`). The address holds
``?story=NAME&step=3``; a bad value gives a note, never a traceback, and a
story that does not fit the loaded data shows its problems, one a line.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from geodata.errors import GeodataError
from geodata.story import Story, read_story, step_mask, validate_story

from .. import contract
from ..state import Dataset
from .text import md

__all__ = ["Played", "current", "panel", "pick", "query", "story_names", "stories_dir",
           "sync_query"]

#: A story's name: the stem of a file in the stories folder (no path, no dot first).
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
#: Problems of a story shown on the page (the rest are counted).
MAX_PROBLEMS = 8
_PICK, _STEP, _INIT = "story_pick", "story_step", "story_init"


@dataclass(frozen=True)
class Played:
    """The story the page plays, at one of its steps."""

    name: str
    story: Story
    step: int  #: 1-based

    @property
    def count(self) -> int:
        """How many steps the story has."""
        return len(self.story.steps)

    def options(self) -> contract.StoryOptions:
        """What the map script plays: this step, no panel, keys or hash of its own."""
        return contract.story_options(self.story, step=self.step, panel=False, hash=False,
                                      keys=False)

    def dates(self, dataset: Dataset) -> tuple[str, str] | None:
        """The step's days: its ``dates``, else its incidents' first and last (YYYY-MM-DD)."""
        step = self.story.steps[self.step - 1]
        if step.dates is not None:
            return f"{step.dates[0]:%Y-%m-%d}", f"{step.dates[1]:%Y-%m-%d}"
        gdf = dataset.gdf
        if "date" not in gdf.columns:
            return None
        days = pd.to_datetime(gdf["date"][step_mask(step, gdf)], errors="coerce").dropna()
        if not len(days):
            return None
        return f"{days.min():%Y-%m-%d}", f"{days.max():%Y-%m-%d}"

    def map_mask(self, mask: np.ndarray, dataset: Dataset) -> np.ndarray:
        """The view's incidents and the step's (a filter never hides the step)."""
        return mask | step_mask(self.story.steps[self.step - 1], dataset.gdf)


def stories_dir(path: str | os.PathLike) -> Path:
    """The folder of stories beside the dataset at ``path``.

    Parameters
    ----------
    path : str or path-like
        The dataset the page was started on.

    Returns
    -------
    pathlib.Path
        Its folder's ``stories`` folder (it may not exist).
    """
    return Path(path).resolve().parent / "stories"


def story_names(folder: Path) -> list[str]:
    """The names of the stories in ``folder``: stems of its ``.md`` files, sorted.

    Parameters
    ----------
    folder : pathlib.Path
        The stories folder.

    Returns
    -------
    list of str
        Empty when the folder is missing or unreadable.
    """
    try:
        files = [p for p in folder.iterdir() if p.suffix == ".md" and p.is_file()]
    except OSError:
        return []
    return sorted(p.stem for p in files if _NAME.match(p.stem))


@st.cache_data(show_spinner=False, max_entries=64)
def _read(path: str, mtime_ns: int, size: int) -> Story | str:
    try:
        return read_story(path)
    except GeodataError as exc:
        return str(exc)


def _stat(folder: Path, name: str) -> tuple[str, int, int] | str:
    path = folder / f"{name}.md"
    try:
        stat = path.stat()
    except OSError as exc:
        return f"{name}.md: cannot read the story: {exc.strerror or exc}"
    return str(path), stat.st_mtime_ns, stat.st_size


def _story(folder: Path, name: str) -> Story | str:
    """The story called ``name`` (a name from :func:`story_names`), or why it cannot be read."""
    where = _stat(folder, name)
    return where if isinstance(where, str) else _read(*where)


@st.cache_data(show_spinner=False, max_entries=256)
def _checked(data_key: str, path: str, mtime_ns: int, size: int, _gdf) -> list[str]:
    """What is wrong with a story against the data of ``data_key`` (once per story and data)."""
    story = _read(path, mtime_ns, size)
    if not isinstance(story, Story):
        return [story]
    return [str(p) for p in validate_story(story, _gdf)]


def _problems(folder: Path, name: str, dataset: Dataset, key: str) -> list[str]:
    where = _stat(folder, name)
    return [where] if isinstance(where, str) else _checked(key, *where, dataset.gdf)


def _query_step(raw: str | None, count: int, notes: list[str]) -> int:
    if raw is None:
        return 1
    text = raw.strip()
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        notes.append(f"ignored step={raw!r}: not a step number (1 to {count})")
        return 1
    n = int(text)
    if not 1 <= n <= count:
        notes.append(f"step={raw!r} is not a step of the story (1 to {count}): "
                     f"showing step {min(max(n, 1), count)}")
    return min(max(n, 1), count)


def _from_query(folder: Path, names: list[str], key: str) -> list[str]:
    """On the first run with a dataset: the story and step of the address."""
    if st.session_state.get(_INIT) == key:
        return st.session_state.get("story_notes", [])
    st.session_state[_INIT] = key
    notes: list[str] = []
    name = st.query_params.get("story")
    st.session_state[_PICK], st.session_state[_STEP] = None, 1
    if name is not None:
        if name not in names:
            shown = ", ".join(names) if names else "none"
            notes.append(f"ignored story={name!r}: no such story (the stories: {shown})")
        else:
            st.session_state[_PICK] = name
            story = _story(folder, name)
            count = len(story.steps) if isinstance(story, Story) else 1
            st.session_state[_STEP] = _query_step(st.query_params.get("step"),
                                                  max(count, 1), notes)
    elif st.query_params.get("step") is not None:
        notes.append("ignored step: it needs story=NAME")
    st.session_state["story_notes"] = notes
    return notes


def _title(folder: Path, name: str | None, dataset: Dataset, key: str) -> str:
    if name is None:
        return "(none)"
    story = _story(folder, name)
    title = story.title if isinstance(story, Story) and story.title else name
    title = title if len(title) <= 60 else title[:59] + "…"
    return title + (" (not for this data)" if _problems(folder, name, dataset, key) else "")


def pick(path: str | os.PathLike, dataset: Dataset, key: str) -> list[str]:
    """The sidebar's story picker (set from the address on the first run).

    Parameters
    ----------
    path : str or path-like
        The dataset the page was started on (its ``stories/`` folder is read).
    dataset : mapapp.state.Dataset
        The loaded data (a story that does not fit it says so in the list).
    key : str
        The loaded dataset's key (the address is read again when it changes).

    Returns
    -------
    list of str
        Notes on the address's ``story`` and ``step`` that could not be used.
    """
    folder = stories_dir(path)
    names = story_names(folder)
    notes = _from_query(folder, names, key)
    if names:
        st.sidebar.selectbox(
            "Story", [None, *names], key=_PICK,
            format_func=lambda n: _title(folder, n, dataset, key),
            on_change=lambda: st.session_state.update({_STEP: 1}),
            help=f"Play a story of {md(folder.name)}/ on the map: step by step, "
                 "with the Left and Right arrow keys.")
    return notes


def current(path: str | os.PathLike, dataset: Dataset, key: str) -> Played | None | list[str]:
    """The story the page plays now; its problems (one a line) when it does not fit the data.

    Parameters
    ----------
    path : str or path-like
        The dataset the page was started on.
    dataset : mapapp.state.Dataset
        The loaded data (the page's dataset or an upload).
    key : str
        Its key (a story is checked once per story file and data).

    Returns
    -------
    Played, list of str or None
        None when no story is picked.
    """
    name = st.session_state.get(_PICK)
    if not name:
        return None
    folder = stories_dir(path)
    if name not in story_names(folder):
        return [f"{name}: the story is no longer in {folder.name}/"]
    story = _story(folder, name)
    if not isinstance(story, Story):
        return [story]
    problems = _problems(folder, name, dataset, key)
    if problems:
        lines = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            lines.append(f"… and {len(problems) - MAX_PROBLEMS} more")
        return lines
    step = min(max(int(st.session_state.get(_STEP) or 1), 1), len(story.steps))
    st.session_state[_STEP] = step
    return Played(name, story, step)


def _move(delta: int, count: int) -> None:
    st.session_state[_STEP] = min(max(int(st.session_state.get(_STEP) or 1) + delta, 1), count)


def panel(played: Played | list[str] | None, dataset: Dataset) -> None:
    """Beside the map: the step's text and previous/next, or why the story cannot play.

    Parameters
    ----------
    played : Played, list of str or None
        What :func:`current` returned.
    dataset : mapapp.state.Dataset
        The loaded data (named in the problems' message).
    """
    if played is None:
        return
    if isinstance(played, list):
        st.warning(f"The story cannot be played on {md(dataset.label)}:  \n"
                   + "  \n".join(md(line) for line in played))
        return
    step = played.story.steps[played.step - 1]
    with st.container(key="story-panel", border=True):
        st.caption(f"{md(played.story.title)} · step {played.step} of {played.count}")
        if played.step == 1 and played.story.intro_paragraphs:
            # the story's introduction, under its title on the first step
            with st.container(key="story-intro"):
                for paragraph in played.story.intro_paragraphs:
                    st.markdown(md(paragraph))
            st.divider()
        st.markdown(f"**{md(step.heading)}**")
        for paragraph in step.paragraphs:
            st.markdown(md(paragraph))
        back, forth = st.columns(2)
        back.button("← Previous", key="story-prev", shortcut="Left", width="stretch",
                    disabled=played.step <= 1, on_click=_move, args=(-1, played.count))
        forth.button("Next →", key="story-next", shortcut="Right", width="stretch",
                     disabled=played.step >= played.count, on_click=_move,
                     args=(1, played.count))


def query(played: Played | list[str] | None) -> dict[str, str]:
    """The address's ``story`` and ``step`` for the story picked (empty when none).

    Parameters
    ----------
    played : Played, list of str or None
        What :func:`current` returned (a story that cannot play has no step).

    Returns
    -------
    dict
        ``{"story": NAME, "step": "3"}``, ``{"story": NAME}`` or ``{}``.
    """
    name = st.session_state.get(_PICK)
    if not name:
        return {}
    if isinstance(played, Played):
        return {"story": name, "step": str(played.step)}
    return {"story": name}


def sync_query(played: Played | list[str] | None) -> None:
    """Put the story and its step in the page's address (or take them out)."""
    wanted = query(played)
    for k in ("story", "step"):
        if k in wanted:
            st.query_params[k] = wanted[k]
        elif k in st.query_params:
            del st.query_params[k]
