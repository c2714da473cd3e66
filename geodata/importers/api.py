"""The entry points: :func:`import_file`, :func:`import_frame` and :func:`convert`."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import nested
from ..errors import DataSourceError
from ..headers import check_width
from ..io import GEOJSON_SUFFIXES, PARQUET_SUFFIXES, atomic_write, same_file, write
from ..schema import NESTED_FIELDS
from .acled import _convert_acled
from .finish import _check_frame, _cover_shapes, _finish, _frame
from .formats import (
    CHECK_FEATURES_MAX_ROWS,
    FORMAT_LABELS,
    FORMATS,
    _refuse_near_miss,
    detect_format,
)
from .passthrough import schema_input
from .plain import _convert_csv
from .result import ImportResult, _rejects_frame
from .source import InputLike, _read_table, _Source, _source
from .ucdp_ged import _convert_ucdp


class _Progress:
    """A one-line progress display on stderr (a no-op when disabled)."""

    def __init__(self, enabled, label: str, stream=None):
        # (a callable is handed each step instead: ``enabled(text, done, total)``)
        self.forward = enabled if callable(enabled) else None
        self.enabled = bool(enabled) and self.forward is None
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self._last = 0.0
        self._width = 0

    def __call__(self, text: str, done: int | None = None, total: int | None = None) -> None:
        if self.forward is not None:
            self.forward(text, done, total)
            return
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

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _convert(src: _Source, fmt: str, mapping, progress, check: bool | None):
    """Read and convert; returns (frame, rejects frame, fmt, rows read)."""
    if fmt not in ("auto", *FORMATS):
        raise DataSourceError(f"unknown format {fmt!r}; expected auto, {', '.join(FORMATS)}")
    if fmt == "auto" and not mapping:
        passed = schema_input(src, progress)
        if passed is not None:
            return passed
    table = _read_table(src, progress)
    check_width(len(table.columns), src.name)
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


def _as_read_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns and per-row nested objects, as :func:`geodata.read` returns them."""
    import copy

    out = gdf.copy()
    for name in out.columns:
        if name == out.geometry.name:
            continue
        col = out[name]
        if col.dtype == "str":  # (Arrow strings, as geodata.read has text)
            continue
        elif col.dtype == object and name in NESTED_FIELDS:  # (typed when they fit)
            typed = nested.typed_array(name, col.tolist())
            out[name] = nested.typed_series(typed, out.index) if typed is not None else \
                pd.Series([copy.deepcopy(v) for v in col.tolist()], dtype=object,
                          index=out.index)
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
    with _Progress(progress, f"import {src.name}") as bar:
        gdf, rejects, _, _ = _convert(src, fmt, mapping, bar, check)
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
    with _Progress(progress, f"import {src.name}") as bar:
        gdf, rejects, used, _ = _convert(src, fmt, mapping, bar, check)
    result = ImportResult(input=src.name, output=None, fmt=used, imported=len(gdf),
                          rejected=len(rejects), rejects=rejects,
                          seconds=time.perf_counter() - started)
    return _as_read_frame(gdf), result


def _write_rejects(rejects: pd.DataFrame, path: str | os.PathLike) -> None:
    def dump(tmp: str) -> None:
        rejects.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")

    atomic_write(path, dump)


def import_file(input: InputLike, output: str | os.PathLike, *, fmt: str = "auto",
                rejects: str | os.PathLike | None = None, mapping: Mapping[str, str] | None = None,
                progress: bool = False, check: bool | None = None,
                gazetteer: str | os.PathLike | None = None) -> ImportResult:
    """Convert an ACLED, UCDP GED or plain CSV file and write it as GeoJSON or GeoParquet.

    Every data row ends up either in ``output`` or among the rejects (with
    its line number and the reasons); the input file is only read.

    Parameters
    ----------
    input : path, bytes or file object
        The CSV file (``.tsv`` is read tab-separated; any other delimiter among
        ``, ; | TAB`` is found from the header), or a point GeoJSON or GeoParquet file.
    output : str or os.PathLike
        ``.geojson``/``.json`` or ``.parquet``/``.geoparquet``; written
        atomically, and only when at least one incident was imported.
    rejects : str or os.PathLike, optional
        Write the rejected rows (line, id, reason and the original columns)
        to this CSV file, atomically; written even when empty.
    fmt, mapping, progress, check
        As :func:`import_frame` (:func:`detect_format`, :data:`CSV_FIELDS`).
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
    _check_paths(input, output, rejects)

    from ..geocode.user import use_gazetteer

    src = _source(input)
    with _Progress(progress, f"import {src.name}") as bar:
        with use_gazetteer(gazetteer):
            gdf, reject_frame, used, _ = _convert(src, fmt, mapping, bar, check)
        written = _write_output(gdf, output, bar) if len(gdf) else None
        if rejects is not None:
            _write_rejects(reject_frame, rejects)
    return ImportResult(
        input=src.name, output=written, fmt=used, imported=len(gdf),
        rejected=len(reject_frame), rejects=reject_frame,
        rejects_path=None if rejects is None else os.fspath(rejects),
        seconds=time.perf_counter() - started, notes=list(gdf.attrs.get("import_notes", [])),
    )


def _check_paths(input: InputLike, output: str | os.PathLike,
                 rejects: str | os.PathLike | None) -> None:
    """Refuse, before reading anything, outputs that would overwrite the input or cannot be."""
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
            f"{os.fspath(output)}: unknown output type {suffix or '(none)'!r}; expected one of "
            f"{', '.join(GEOJSON_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    for path in (output, rejects):
        if path is None:
            continue
        directory = Path(path).parent
        if str(directory) and not directory.is_dir():
            raise DataSourceError(f"{os.fspath(path)}: directory {str(directory)!r} does not exist")


def _write_output(gdf: gpd.GeoDataFrame, output: str | os.PathLike, bar: _Progress) -> str:
    """Write the incidents (GeoJSON with progress by features); returns the output's name."""
    if Path(output).suffix.lower() in GEOJSON_SUFFIXES:
        write(gdf, output, progress=lambda done, total: bar("writing", done, total))
    else:
        bar("writing GeoParquet", 0, len(gdf))
        write(gdf, output)
        bar("writing GeoParquet", len(gdf), len(gdf))
    return os.fspath(output)
