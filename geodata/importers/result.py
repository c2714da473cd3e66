"""What an import did: :class:`ImportResult`, the rejects table and its problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import Problem
from .columns import _Reasons
from .formats import FORMAT_LABELS
from .source import _Table


@dataclass
class ImportResult:
    """What an import did.

    Attributes
    ----------
    input : str
        The input file (or the upload's name).
    output : str or None
        The file written; None when nothing was imported (no file is written then).
    fmt : str
        The format used: ``"acled"``, ``"ucdp"`` or ``"csv"``; ``"geojson"`` or
        ``"parquet"`` for a file already in the schema, passed through as it is.
    imported : int
        Incidents written.
    rejected : int
        Input rows not imported. ``imported + rejected`` is the number of data
        rows in the file (blank lines are not rows).
    rejects : pandas.DataFrame
        One row per rejected input row: ``line`` (first physical line of the
        record in the file, header = 1), ``id`` (the id it would have had),
        ``reason``, then the row's original columns as text. An original
        column whose name clashes with these three is suffixed ``" (input)"``.
    rejects_path : str or None
        Where the rejects were written as CSV, if asked.
    seconds : float
        Wall time of the import.
    notes : list of str
        What was skipped or kept with a flag (lines above the header, an HXL
        row, UCDP events with inconsistent estimates); also in :meth:`summary`.
    """

    input: str
    output: str | None
    fmt: str
    imported: int
    rejected: int
    rejects: pd.DataFrame
    rejects_path: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The format's display name (``"ACLED"``, ``"UCDP GED"``, ``"CSV"``)."""
        from .passthrough import SCHEMA_LABELS

        return FORMAT_LABELS.get(self.fmt) or SCHEMA_LABELS.get(self.fmt, self.fmt)

    def summary(self) -> str:
        """One line: how many imported from where to where, how many rejected.

        Returns
        -------
        str

        Examples
        --------
        >>> r = ImportResult("acled.csv", "out.geojson", "acled", 998, 2, pd.DataFrame(),
        ...                  "rejects.csv")
        >>> r.summary()
        'imported 998 incidents from acled.csv (ACLED) to out.geojson; 2 rows rejected (see rejects.csv)'
        """  # noqa: E501
        see = f" (see {self.rejects_path})" if self.rejects_path else ""
        rows = "row" if self.rejected == 1 else "rows"
        if self.imported == 0:
            what = "no data rows" if self.rejected == 0 else (
                f"the only row was rejected{see}" if self.rejected == 1
                else f"all {self.rejected} rows were rejected{see}")
            return f"nothing imported from {self.input} ({self.label}): {what}; no file written"
        inc = "incident" if self.imported == 1 else "incidents"
        head = f"imported {self.imported} {inc} from {self.input} ({self.label}) to {self.output}"
        notes = "".join(f"; {note}" for note in self.notes)
        if not self.rejected:
            return f"{head}; no rows rejected{notes}"
        return f"{head}; {self.rejected} {rows} rejected{see}{notes}"

    def reject_lines(self) -> list[str]:
        """Describe each rejected row.

        Returns
        -------
        list of str
            One ``"line N: reason"`` per rejected row, in file order.
        """
        if not len(self.rejects):
            return []
        return [f"line {line}: {reason}" for line, reason in
                zip(self.rejects["line"].tolist(), self.rejects["reason"].tolist(), strict=True)]


def _rejects_frame(t: _Table, reasons: _Reasons, ids: pd.Series) -> pd.DataFrame:
    reserved = ("line", "id", "reason")
    out_cols = [f"{c} (input)" if c in reserved else c for c in t.columns]
    by_row = reasons.joined()
    rows = sorted(by_row)
    parts = []
    if rows:
        raw = t.frame.iloc[rows].astype(object).reset_index(drop=True)
        raw.columns = out_cols
        head = pd.DataFrame({
            "line": t.lines[rows].astype(np.int64),
            "id": ids.iloc[rows].astype(object).tolist(),
            "reason": [by_row[r] for r in rows],
        })
        parts.append(pd.concat([head, raw], axis=1))
    if t.bad:
        width = len(t.columns)
        parts.append(pd.DataFrame(
            [[line, None, reason, *(fields + [""] * width)[:width]]
             for line, reason, fields in t.bad],
            columns=["line", "id", "reason", *out_cols],
        ))
    if not parts:
        return pd.DataFrame(columns=["line", "id", "reason", *out_cols]).astype(
            {"line": "int64"})
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    frame = frame.sort_values("line", kind="stable").reset_index(drop=True)
    frame["line"] = frame["line"].astype("int64")
    return frame


def reject_problems(rejects: pd.DataFrame) -> list[Problem]:
    """The rejected rows of an import as :class:`~geodata.errors.Problem` objects.

    Parameters
    ----------
    rejects : pandas.DataFrame
        ``ImportResult.rejects`` (columns ``line``, ``id``, ``reason``).

    Returns
    -------
    list of Problem
        One per rejected row, in file order, with its ``line`` and ``id``.
    """
    return [Problem(None, None if _missing_id(rid) else str(rid), None, str(reason), int(line))
            for line, rid, reason in zip(rejects["line"].tolist(), rejects["id"].tolist(),
                                         rejects["reason"].tolist(), strict=True)]


def _missing_id(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value) \
        or value == ""
