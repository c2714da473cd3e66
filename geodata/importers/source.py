"""Read the input: a CSV file (or upload) parsed once into text columns with line numbers.

GeoJSON and GeoParquet input is read by :mod:`geodata.geojson_import` into the
same :class:`_Table`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from ..errors import DataSourceError
from ..headers import (
    ACLED_RENAMES,
    HeaderLine,
    check_width,
    find_header,
    headerless_reason,
    is_hxl_row,
)
from ..io import check_size

InputLike = str | os.PathLike | bytes | bytearray | memoryview | IO[bytes] | IO[str]
_CHUNK = 50_000
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_TSV_SUFFIXES = (".tsv", ".tab")


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
        check_size(path, name)
        return _Source(name, path, None)
    if isinstance(input, bytes | bytearray | memoryview):
        check_size(input, "<upload>")
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


#: How far into a file the header line is looked for (and so its longest length).
HEADER_MAX_BYTES = 1 << 20


def _head_lines(src: _Source) -> list[str]:
    """The whole lines at the start of the file (never a header cut at a read's end)."""
    size = 1 << 16
    while True:
        head = src.head(size)
        if not head.strip():
            raise DataSourceError(f"{src.name}: the file is empty")
        if head.startswith(b"PK\x03\x04") or src.suffix in _EXCEL_SUFFIXES:
            raise DataSourceError(
                f"{src.name}: spreadsheets are not supported; save the sheet as CSV (UTF-8) first"
            )
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
        lines = text.splitlines()
        if len(head) < size:  # the whole file
            return lines
        lines = lines[:-1]  # the last one may be cut
        if lines and any(line.strip() for line in lines):
            return lines
        if size >= HEADER_MAX_BYTES:
            raise DataSourceError(
                f"{src.name}: no line break in the first {HEADER_MAX_BYTES >> 20} MiB, so no "
                f"header line can be read; is this a CSV file?"
            )
        size = HEADER_MAX_BYTES


def _header(src: _Source) -> tuple[list[str], list[str], str, HeaderLine]:
    """(header as written, header made usable, delimiter, where the header is)."""
    lines = _head_lines(src)
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
    from ..geojson_import import is_geo_input, read_geo_table

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
    check_width(len(columns), src.name)
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
