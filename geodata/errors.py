"""The package's errors: one base class, one subclass per kind of failure.

Every error a user can cause with a file or an argument is a
:class:`GeodataError`; anything else is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AmbiguousPlaceError",
    "DataSourceError",
    "GeocodeError",
    "GeodataError",
    "Problem",
    "UnknownPlaceError",
    "ValidationError",
    "format_hints",
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
    line : int, optional
        For a row of a CSV file: the first physical line of the record
        (the header is line 1). Shown instead of the feature's index.
    """

    index: int | None
    id: str | None
    field: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            where = f"line {self.line}"
        else:
            where = "file" if self.index is None else f"feature {self.index}"
        if self.id is not None:
            where += f" (id {self.id!r})"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        """Return the problem as a plain dict (for tables and JSON).

        Returns
        -------
        dict
            ``index``, ``id``, ``field``, ``message`` and ``line``.
        """
        return {"index": self.index, "id": self.id, "field": self.field, "message": self.message,
                "line": self.line}


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


class GeocodeError(GeodataError):
    """A place name cannot be turned into coordinates (or a hint is unusable)."""


class UnknownPlaceError(GeocodeError):
    """No gazetteer entry matches a place name (and the hints given).

    Parameters
    ----------
    name : str
        The place name as given.
    country, admin1 : str, optional
        The hints as given.
    """

    def __init__(self, name: str, country: str | None = None, admin1: str | None = None):
        self.name = name
        self.country = country
        self.admin1 = admin1
        super().__init__(f"unknown place '{name}'{format_hints(country, admin1)}")


class AmbiguousPlaceError(GeocodeError):
    """Several equally good gazetteer entries match a place name.

    Parameters
    ----------
    message : str
        The full message (lists the candidates).
    candidates : list
        The tied candidates (``geodata.geocode.Candidate``), best first.
    """

    def __init__(self, message: str, candidates: list):
        self.candidates = list(candidates)
        super().__init__(message)


def format_hints(country: str | None = None, admin1: str | None = None) -> str:
    """Return ``" (country='X', admin1='Y')"`` for the hints given, or ``""``.

    Parameters
    ----------
    country, admin1 : str, optional
        Hints as the caller gave them; None or empty ones are left out.

    Returns
    -------
    str
        The suffix used in geocoding error messages.
    """
    parts = [f"{key}='{value}'" for key, value in (("country", country), ("admin1", admin1))
             if value not in (None, "")]
    return f" ({', '.join(parts)})" if parts else ""
