"""One loader for every format the project reads: the frame and its report together.

:func:`load` opens a path or the bytes of an upload, of any kind: GeoJSON,
GeoParquet, or an ACLED, UCDP GED or plain CSV export (converted by
:mod:`geodata.importers`). Whatever the format, a bad feature or row becomes
a :class:`~geodata.errors.Problem` in one :class:`~geodata.ValidationReport`;
strict mode raises them all at once, lenient mode keeps the good ones.
"""

from __future__ import annotations

import io as _io
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np

from . import columnar, framecache, io
from .errors import DataSourceError
from .geojson import features_in_pieces, features_of, parse_json
from .geojson_write import _gc_paused
from .importers import FORMAT_LABELS, FORMATS, convert, reject_problems
from .progress import Progress, Step, stderr_printer
from .validate import ValidationReport, check_features

__all__ = ["LOAD_FORMATS", "Loaded", "load", "read"]

#: Formats :func:`load` reads (``fmt="auto"`` picks one from the name, then the content).
LOAD_FORMATS = ("geojson", "parquet", *FORMATS)

#: Suffixes handed to the CSV importer (which explains spreadsheets itself).
_TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")
_LABELS = {"geojson": "GeoJSON", "parquet": "GeoParquet", **FORMAT_LABELS}


@dataclass(frozen=True)
class Loaded:
    """A loaded dataset: the usable incidents and what was wrong with the file.

    Attributes
    ----------
    gdf : geopandas.GeoDataFrame
        The usable incidents, typed as :func:`geodata.read` types them.
    report : ValidationReport
        Every problem found (empty when the file was clean). For a CSV file,
        ``report.n_features`` counts its data rows and each rejected row is a
        problem with its ``line``.
    format : str
        One of :data:`LOAD_FORMATS`.
    name : str
        The file's name as the user knows it (used in every message).
    """

    gdf: gpd.GeoDataFrame
    report: ValidationReport
    format: str
    name: str

    @property
    def label(self) -> str:
        """The format's display name (``"GeoJSON"``, ``"ACLED"``, ...)."""
        return _LABELS[self.format]


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "geojson"
    return None


def _head(source: str | os.PathLike | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        return source[:64]
    try:
        with open(source, "rb") as fh:
            return fh.read(64)
    except FileNotFoundError as exc:
        raise DataSourceError(f"{name}: no such file") from exc
    except IsADirectoryError as exc:
        raise DataSourceError(f"{name}: is a directory, not a file") from exc
    except OSError as exc:
        raise DataSourceError(f"{name}: cannot be read: {exc.strerror or exc}") from exc


def _format_of(source: str | os.PathLike | bytes, name: str) -> str:
    kind = io.kind_of(name)
    if kind is not None:
        return kind
    if Path(name).suffix.lower() in _TABLE_SUFFIXES:
        return "auto-csv"
    found = _sniff(_head(source, name))
    if found is None:
        suffix = Path(name).suffix.lower()
        known = io.GEOJSON_SUFFIXES + io.PARQUET_SUFFIXES + _TABLE_SUFFIXES[:3]
        raise DataSourceError(
            f"{name}: unknown file type {suffix or '(none)'!r}; expected one of {', '.join(known)}"
        )
    return found


#: Bytes read between two progress reports while a file is read.
_READ_CHUNK = 16 << 20


def _read_with_progress(path, name: str, progress: Progress) -> bytearray:
    """The file's bytes, read in chunks, each reported (``read`` stage)."""
    try:
        size = os.path.getsize(path)
        buf = bytearray(size)
        view = memoryview(buf)
        done = 0
        with open(path, "rb") as fh:
            while done < size and (n := fh.readinto(view[done:done + _READ_CHUNK])):
                done += n
                progress("read", done / max(size, 1))
        view.release()
    except OSError as exc:
        raise DataSourceError(f"{name}: cannot be read: {exc.strerror or exc}") from exc
    del buf[done:]  # (a file that shrank meanwhile)
    return buf


def _geojson_features(source, name: str, progress: Progress) -> list:
    """A GeoJSON file's raw features, read and parsed piece by piece where it can be.

    A compact FeatureCollection (:func:`geodata.geojson.features_in_pieces`)
    is never whole in memory; any other file is read (in reported chunks
    when watched), then parsed whole.
    """
    if not isinstance(source, bytes):
        progress("read")
        parsed: list = []
        found = _in_pieces(source, lambda done: (parsed.append(done), progress("parse", done)))
        if found is not None:
            return found
        if parsed:  # (a piece did not parse: the bar stays where it is, never goes back)
            progress = Progress(None)
    if not progress or isinstance(source, bytes):
        progress("read", 1.0)
        progress("parse")
        return io.load_features(source, name=name, kind="geojson")
    data = _read_with_progress(source, name, progress)
    progress("parse")
    return features_of(parse_json(data, name), name)


def _in_pieces(path, report) -> list | None:
    """The features of a compact FeatureCollection read a piece at a time; None: read whole.

    ``report(fraction)`` after each piece (of the file's bytes).
    """
    try:
        size = max(os.path.getsize(path), 1)
        with open(path, "rb") as fh:
            return features_in_pieces(fh, _READ_CHUNK, lambda done: report(done / size))
    except OSError:
        return None  # (the whole read says what is wrong)


def _load_features(source, name: str, kind: str, lenient: bool, progress: Progress):
    """GeoJSON or GeoParquet: columns checked together (:mod:`geodata.columnar`), then typed."""
    features = None
    if kind == "parquet":
        progress("read")
        cols = columnar.columns_of_frame(io.read_parquet_frame(source, name))
    else:
        features = _geojson_features(source, name, progress)
        cols = columnar.columns_of_features(features)
    progress("check")
    report = columnar.check_columns(cols, name)
    if not lenient:
        report.raise_if_invalid()
    progress("type")
    values = columnar.kept_values(cols, report.valid, features)
    keep = report.valid
    lon, lat = cols.lon[keep], cols.lat[keep]
    points = None if cols.points is None else cols.points[keep]
    del cols, features  # (the parsed features freed before the frame is made, not beside it)
    return io.frame_from_columns(values, lon, lat, points), report


def load_per_feature(source, name: str, kind: str, lenient: bool):
    """The per-feature path (one dict per feature, each checked alone): for comparisons only.

    What :func:`load` did before :mod:`geodata.columnar`; the tests and
    ``benchmarks/bench_open.py`` compare the two.
    """
    features = io.load_features(source, name=name, kind=kind)
    report = check_features(features, name)
    if not lenient:
        report.raise_if_invalid()
    good = features if report.ok else [f for f, keep in zip(features, report.valid, strict=True)
                                       if keep]
    return io.frame_from_features(good), report


class _NamedBytes(_io.BytesIO):
    """An upload's bytes that the importer names as the user's file."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def _import(source, name: str, fmt: str, mapping, lenient: bool, progress):
    data = _NamedBytes(source, name) if isinstance(source, bytes) else source
    if isinstance(progress, Progress):
        watch = progress
        progress = None if not watch else (  # (the importer's own steps, as details)
            lambda text, done=None, total=None: watch(
                "import", 0.0, text + (f" {done:,}" + (f"/{total:,}" if total else "")
                                       if done else "")))
    gdf, result = convert(data, fmt, mapping, progress=progress or False)
    n = result.imported + result.rejected
    # one flag per data row: the imported ones first (a row's line is in its problem)
    report = ValidationReport(name, n, reject_problems(result.rejects),
                              np.arange(n) < result.imported)
    if not lenient:
        report.raise_if_invalid()
    return gdf, report, result.fmt


def load(
    source: str | os.PathLike | bytes,
    *,
    name: str | None = None,
    lenient: bool = False,
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    progress: bool | Callable[[Step], None] = False,
    cache: bool | None = None,
) -> Loaded:
    """Open incidents from a file or an upload's bytes, whatever the format.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path, or the content of an uploaded file (no temporary file needed).
    name : str, optional
        The file's name as the user knows it, used in messages and to pick
        the format by its suffix (default: the path; ``"<upload>"`` for bytes).
    lenient : bool, default False
        Strict mode raises :class:`~geodata.errors.ValidationError` listing
        every bad feature or rejected row. Lenient mode keeps the good ones
        and reports the bad ones in ``Loaded.report``.
    fmt : str, default "auto"
        One of :data:`LOAD_FORMATS`, or ``"auto"``: ``.geojson``/``.json``,
        ``.parquet``/``.geoparquet``, ``.csv``/``.tsv``/``.txt`` (ACLED, UCDP
        or plain CSV by its header); any other name by its content.
    mapping : dict, optional
        Plain CSV only: ``{column: field}``, see
        :data:`geodata.importers.CSV_FIELDS`.
    progress : bool or callable, default False
        True: progress on stderr. A callable gets ``progress(step)``, a
        :class:`geodata.progress.Step` (stage and fraction of the whole
        load) at each stage and about every percent of it: a first
        conversion goes ``read``, ``parse``, ``check``, ``type``, ``write``;
        a working copy ``open``; every load ends with ``done``.
    cache : bool, optional
        Keep (and reuse) a GeoParquet working copy of a GeoJSON or CSV file
        named by a path (:mod:`geodata.framecache`): by default for files of
        :data:`geodata.framecache.MIN_BYTES` or more; True for any size,
        False never. Bytes (uploads) and GeoParquet files are never copied.

    Returns
    -------
    Loaded
        The frame, its report, the format read and the name.

    Raises
    ------
    DataSourceError
        When the file cannot be read at all (missing, not JSON, unknown type,
        a CSV without a required column).
    ValidationError
        In strict mode, when any feature or row is bad.

    Examples
    --------
    >>> loaded = geodata.load("acled.csv", lenient=True, progress=print)  # doctest: +SKIP
    """
    source, name, used = _resolve(source, name, fmt)
    watch = _watcher(progress, name, used, source, mapping, cache)
    with _gc_paused():  # (millions of new objects, none in a cycle: docs/performance.md)
        gdf, report, used = _read(source, name, used, mapping, lenient, watch, cache)
    return Loaded(gdf, report, used, name)


def _watcher(progress, name: str, used: str, source, mapping, cache) -> Progress | bool:
    """The load's :class:`Progress`; True for the CSV importer's own lines on stderr."""
    csv = used not in ("geojson", "parquet")
    if progress is True and csv:
        return True
    callback = stderr_printer(name) if progress is True else progress or None
    return Progress(callback, _stages(used, source, mapping, cache))


def _stages(used: str, source, mapping, cache) -> tuple[str, ...]:
    """The stages a load of this file goes through (the working copy's write when it has one)."""
    first = ("read", "parse") if used == "geojson" else ("read",) if used == "parquet" else (
        "import",)
    rest = ("check", "type") if used in ("geojson", "parquet") else ()
    key = _cache_key(source, used, mapping, cache)
    return first + rest + (("write",) if key is not None else ())


def _read(source, name: str, used: str, mapping, lenient: bool, progress,
          cache: bool | None):
    """(frame, report, format): from the working copy when there is one, else from the file."""
    watch = progress if isinstance(progress, Progress) else Progress(None)
    gdf, report, used = _read_from(source, name, used, mapping, lenient, progress, cache, watch)
    watch("done", 1.0)
    return gdf, report, used


def _read_from(source, name: str, used: str, mapping, lenient: bool, progress,
               cache: bool | None, watch: Progress):
    key = _cache_key(source, used, mapping, cache)
    if key is not None and framecache.has(key):
        watch("open")
    hit = framecache.get(key, name) if key is not None else None
    if hit is not None:
        gdf, report, used = hit
        if not lenient:
            report.raise_if_invalid()
        return gdf, report, used
    if used in ("geojson", "parquet"):
        gdf, report = _load_features(source, name, used, lenient, watch)
    else:
        wanted = "auto" if used == "auto-csv" else used
        gdf, report, used = _import(source, name, wanted, mapping, lenient, progress)
    if key is not None:
        watch("write")
        framecache.put(key, gdf, report, used)
    return gdf, report, used


def _cache_key(source, fmt: str, mapping, cache: bool | None) -> str | None:
    """The working copy's key when this load should use one (see :mod:`geodata.framecache`)."""
    if cache is False or fmt == "parquet" or isinstance(source, bytes):
        return None
    if cache is None:
        try:
            if os.stat(source).st_size < framecache.MIN_BYTES:
                return None
        except OSError:
            return None
    return framecache.key_for(source, fmt, mapping)


def _resolve(source, name: str | None, fmt: str) -> tuple[str | os.PathLike | bytes, str, str]:
    """(source as a path or bytes, the name for messages, the format to read it as)."""
    if isinstance(source, bytearray | memoryview):
        source = bytes(source)
    if name is None:
        name = "<upload>" if isinstance(source, bytes) else os.fspath(source)
    if fmt not in ("auto", *LOAD_FORMATS):
        raise DataSourceError(f"{name}: unknown format {fmt!r}; expected auto, "
                              f"{', '.join(LOAD_FORMATS)}")
    io.check_size(source, name)
    if _is_empty(source):
        raise DataSourceError(f"{name}: the file is empty")
    return source, name, _format_of(source, name) if fmt == "auto" else fmt


def _is_empty(source: str | os.PathLike | bytes) -> bool:
    if isinstance(source, bytes):
        return not source or source.isspace()
    try:
        return os.path.isfile(source) and os.path.getsize(source) == 0
    except OSError:
        return False


def read(path: str | os.PathLike, *, lenient: bool = False) -> gpd.GeoDataFrame:
    """Read incidents from a file of any format :func:`load` opens into a typed frame.

    Parameters
    ----------
    path : str or os.PathLike
        A GeoJSON, GeoParquet, ACLED, UCDP GED or plain CSV file.
    lenient : bool, default False
        Strict mode raises :class:`~geodata.errors.ValidationError` listing
        every bad feature; lenient mode drops them (use :func:`load` to see
        which).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per incident: datetime ``date``/``end_date``, nullable integer
        counts, categorical actors and types, EPSG:4326 points, and every other
        property as it was in the file.

    Raises
    ------
    DataSourceError, ValidationError
        As :func:`load`.

    Examples
    --------
    >>> import geodata
    >>> gdf = geodata.read("incidents.geojson")  # doctest: +SKIP
    """
    return load(path, lenient=lenient).gdf
