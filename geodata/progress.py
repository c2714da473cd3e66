"""Progress of a long load: the stage it is at and how far along the whole load is.

:func:`geodata.load` takes ``progress=callback``; the callback is called with
a :class:`Step` each time the load moves on (a new stage, or about every
percent of a stage that can say how far it is). The page shows these as a
progress bar, the command line as one line on stderr. A callback that raises
does not stop the load (the error is dropped: progress is never worth a
failed load).

The stages of a first conversion (a GeoJSON file, then written as the
working copy :mod:`geodata.framecache`) are :data:`STAGES`; their weights
(:data:`WEIGHTS`) are the shares of the time each took at a million
incidents (docs/performance.md), so the bar moves about evenly.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["QUIET_SECONDS", "STAGES", "WEIGHTS", "Progress", "Step", "stderr_printer"]

#: Each stage's key and what it is, in words a person reads.
STAGES = {
    "read": "reading the file",
    "parse": "parsing the JSON",
    "check": "checking every incident",
    "type": "typing the columns",
    "write": "writing the working copy",
    "import": "converting the rows",
    "open": "opening the working copy",
    "done": "done",
}

#: Each stage's share of a first conversion (of a GeoJSON file, at a million incidents).
WEIGHTS = {"read": 0.08, "parse": 0.37, "check": 0.30, "type": 0.12, "write": 0.13}


#: A load quicker than this many seconds prints nothing on stderr.
QUIET_SECONDS = 0.5


@dataclass(frozen=True)
class Step:
    """Where a load is.

    Attributes
    ----------
    stage : str
        A key of :data:`STAGES`.
    fraction : float or None
        How far the whole load is, from 0 to 1 (None when it cannot say:
        the CSV importer's own steps).
    detail : str
        More about the stage (the CSV importer's own words, or rows done), or "".
    """

    stage: str
    fraction: float | None
    detail: str = ""

    @property
    def label(self) -> str:
        """The stage in words, with its detail: ``"parsing the JSON"``."""
        text = STAGES.get(self.stage, self.stage)
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        percent = "" if self.fraction is None else f" {100 * self.fraction:3.0f}%"
        return f"{self.label}{percent}"


class Progress:
    """Turns a load's stages into :class:`Step` calls of one callback.

    Parameters
    ----------
    callback : callable or None
        ``callback(step)``; None makes every call a no-op.
    stages : sequence of str, optional
        The stages this load goes through, in order (default: every stage
        of :data:`WEIGHTS`); their weights are scaled to sum to 1.
    """

    def __init__(self, callback: Callable[[Step], None] | None,
                 stages: tuple[str, ...] = tuple(WEIGHTS)):
        self.callback = callback
        total = sum(WEIGHTS.get(s, 0.1) for s in stages) or 1.0
        self._start: dict[str, float] = {}
        self._share: dict[str, float] = {}
        done = 0.0
        for s in stages:
            self._start[s] = done
            self._share[s] = WEIGHTS.get(s, 0.1) / total
            done += self._share[s]
        self._last = -1.0
        self._last_stage = ""

    def __bool__(self) -> bool:
        return self.callback is not None

    def __call__(self, stage: str, within: float = 0.0, detail: str = "") -> None:
        """Report ``stage``, ``within`` (0-1) of the way through it."""
        if self.callback is None:
            return
        start = self._start.get(stage)
        fraction = None
        if start is not None:
            fraction = min(1.0, start + self._share[stage] * min(max(within, 0.0), 1.0))
        elif stage == "done":
            fraction = 1.0
        if (stage == self._last_stage and fraction is not None and not detail
                and fraction - self._last < 0.01 and within < 1.0):
            return  # (about one call per percent)
        self._last_stage = stage
        self._last = fraction if fraction is not None else self._last
        with contextlib.suppress(Exception):  # (a display's error never fails the load)
            self.callback(Step(stage, fraction, detail))


def stderr_printer(name: str, stream=None) -> Callable[[Step], None]:
    """A callback printing each step on one line of stderr (redrawn), ending it when done.

    Parameters
    ----------
    name : str
        The file's name, at the start of the line.
    stream : file, optional
        Where to print (default ``sys.stderr``).

    Returns
    -------
    callable
    """
    out = stream if stream is not None else sys.stderr
    state = {"width": 0, "last": 0.0, "stage": "", "start": None}

    def show(step: Step) -> None:
        now = time.monotonic()
        state["start"] = state["start"] if state["start"] is not None else now
        final = step.stage == "done"
        if (final and not state["width"]) or now - state["start"] < QUIET_SECONDS:
            return  # (a quick load says nothing)
        if not final and step.stage == state["stage"] and now - state["last"] < 0.2:
            return
        state["last"], state["stage"] = now, step.stage
        line = f"{name}: {step}"
        out.write("\r" + line + " " * max(state["width"] - len(line), 0))
        state["width"] = len(line)
        if final:
            out.write("\n")
            state["width"] = 0
        out.flush()

    return show
