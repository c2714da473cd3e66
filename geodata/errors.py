"""The package's errors: one base class, one subclass per kind of failure.

Every error a user can cause with a file or an argument is a
:class:`GeodataError`; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataSourceError",
    "GeodataError",
    "Problem",
    "ValidationError",
]


class GeodataError(Exception):
    """Base class of every error this package raises on bad input."""


class DataSourceError(GeodataError):
    """A file cannot be read or written at all (missing, not JSON, unknown format)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one feature (or with the file as a whole).

    Parameters
    ----------
    index : int or None
        Position of the feature in the file (0-based), None for the file itself.
    id : str or None
        The feature's id where it has a usable one.
    field : str or None
        The property (dotted for nested ones, e.g. ``sources[0].url``).
    message : str
        What is wrong, echoing the bad value.
    """

    index: int | None
    id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = "file" if self.index is None else f"feature {self.index}"
        if self.id is not None:
            where += f" (id {self.id!r})"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        """Return the problem as a plain dict (for tables and JSON)."""
        return {"index": self.index, "id": self.id, "field": self.field, "message": self.message}


class ValidationError(GeodataError):
    """A dataset breaks the incident schema.

    Carries every problem found, not just the first, so that a user can fix a
    file in one pass.

    Parameters
    ----------
    problems : list of Problem
        Everything wrong, in feature order.
    source : str, optional
        The file (or other label) the data came from.
    """

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = list(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source}: " if source else ""
        lines = [f"{head}{n} problem{'s' if n != 1 else ''} found"]
        shown = self.problems[:50]
        lines += [f"  {p}" for p in shown]
        if n > len(shown):
            lines.append(f"  ... and {n - len(shown)} more")
        super().__init__("\n".join(lines))
