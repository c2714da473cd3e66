"""The working copy of a big GeoJSON or CSV file: its typed frame as GeoParquet, made once.

Reading a million incidents from GeoJSON means parsing a gigabyte of text
and checking every incident; from CSV, converting every row. :func:`geodata.load`
does that once per file and keeps the result, the typed frame of the usable
incidents and the report of the others, in :func:`frames_dir`
(``$INCIDENT_MAP_CACHE/frames``, see :mod:`geodata.cache`); the next load of
the same file, in this process or after a restart, reads that instead.

- **Keyed** by the file's resolved path, size, modification time (ns) and
  inode, how it is read (format, CSV mapping) and :data:`CACHE_VERSION` with
  the schema and the pandas and pyarrow versions: a file changed in any way,
  or a new version of this tool, makes a new entry.
- **Bounded**: at most ``INCIDENT_MAP_FRAME_CACHE_MB`` (default
  :data:`MAX_MB_DEFAULT`) in all; the least recently used entries go first.
- **Atomic and safe to delete**: each entry is written to a temporary file
  and renamed; an entry that cannot be read (deleted meanwhile, truncated,
  from another version) is removed and rebuilt. A cache that cannot be
  written is no error: the file is read as if there were none.
- **Only files named by a path** (the page's dataset, the commands' files),
  never an upload's bytes: an upload stays in its session's memory.

Nested properties typed as Arrow (:mod:`geodata.nested`) are stored natively
and read back with no Python object per row; any other list or object is
kept as JSON text and read back as the same objects (one encoder with
:func:`geodata.write`: :func:`geodata.nested.stored_column`); the other
columns keep their types (categories, nullable integers, days).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from . import nested, schema
from .cache import cache_dir
from .errors import GeodataError, Problem
from .geojson import parse_json_texts
from .io import atomic_write
from .validate import ValidationReport

__all__ = ["CACHE_VERSION", "MAX_MB_DEFAULT", "MAX_MB_ENV", "MIN_BYTES", "frames_dir", "get",
           "has", "key_for", "put"]

#: Bumped whenever the typed frame :func:`geodata.load` returns changes.
CACHE_VERSION = 2
#: Environment variable: the most the working copies may take, in megabytes.
MAX_MB_ENV = "INCIDENT_MAP_FRAME_CACHE_MB"
#: The default of :data:`MAX_MB_ENV`.
MAX_MB_DEFAULT = 2048
#: Files smaller than this are read directly (faster than writing a copy).
MIN_BYTES = 8 << 20
_META = b"incident_map_frame"
_LON, _LAT = "__lon", "__lat"


def frames_dir() -> Path:
    """The folder of the working copies: ``cache_dir()/frames`` (it may not exist yet).

    Returns
    -------
    pathlib.Path
    """
    return cache_dir() / "frames"


def _fingerprint() -> str:
    names = ("KNOWN_FIELDS", "CATEGORICAL_FIELDS", "COUNT_FIELDS", "NESTED_FIELDS",
             "DERIVED_FIELDS", "REQUIRED", "ATTRIBUTION_STATUSES", "DATE_PRECISIONS",
             "GEO_PRECISIONS", "MAX_COUNT", "MAX_RADIUS_KM", "MAX_NESTING")
    return repr([getattr(schema, n) for n in names])


def key_for(path: str | os.PathLike, fmt: str, mapping: Mapping | None = None) -> str | None:
    """The cache key of a file read as ``fmt``, or None when it cannot be had.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    fmt : str
        How it is read (``"geojson"``, ``"auto-csv"``, ``"acled"``, ...).
    mapping : dict, optional
        A plain CSV's column mapping.

    Returns
    -------
    str or None
        A hex digest naming the entry; None when the file cannot be stat'ed.
    """
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return None
    parts = [CACHE_VERSION, real, st.st_size, st.st_mtime_ns, st.st_ino, fmt,
             sorted((mapping or {}).items()), _fingerprint(), pd.__version__, pa.__version__,
             nested.enabled()]
    return hashlib.sha256(json.dumps(parts, default=str).encode("utf-8")).hexdigest()[:40]


def _entry(key: str) -> Path:
    return frames_dir() / f"{key}.parquet"


# ---------------------------------------------------------------- write


def _table(gdf: gpd.GeoDataFrame, trusted: bool) -> tuple[pa.Table, dict] | None:
    """The frame as an Arrow table and how its object columns are kept, or None.

    None when a column would not come back the same (or a geometry is not a point).
    ``trusted``: the objects were parsed from JSON (nothing but JSON's types in them).
    """
    data, kinds = {}, {}
    for name in gdf.columns:
        if name == gdf.geometry.name:
            continue
        col = gdf[name]
        if col.dtype == object or nested.is_typed(col):
            stored = nested.stored_column(name, col, exact=not trusted)
            if stored is None:
                return None
            data[name], kinds[name] = stored
        else:
            if isinstance(col.dtype, pd.CategoricalDtype) and col.cat.categories.dtype == object:
                kinds[name] = "category"  # (Arrow would read its categories back as str)
            data[name] = col
    geoms = gdf.geometry.values
    if len(gdf) and not bool(np.all(shapely.get_type_id(geoms) == 0)):
        return None
    frame = pd.DataFrame({k: v for k, v in data.items() if kinds.get(k) in (None, "category")},
                         index=pd.RangeIndex(len(gdf)))
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name, arr in data.items():
        if kinds.get(name) in ("text", "json", "typed"):
            table = table.append_column(name, arr)
    table = table.append_column(_LON, pa.array(shapely.get_x(geoms), type=pa.float64()))
    table = table.append_column(_LAT, pa.array(shapely.get_y(geoms), type=pa.float64()))
    return table, kinds


def _report_meta(report: ValidationReport) -> dict:
    return {"n_features": report.n_features,
            "valid": base64.b64encode(np.packbits(report.valid).tobytes()).decode("ascii"),
            "problems": [p.as_dict() for p in report.problems]}


def put(key: str, gdf: gpd.GeoDataFrame, report: ValidationReport, fmt: str) -> Path | None:
    """Keep a loaded file's frame and report under ``key``; None when the cache cannot.

    Parameters
    ----------
    key : str
        From :func:`key_for`.
    gdf : geopandas.GeoDataFrame
        The typed frame :func:`geodata.load` returns.
    report : ValidationReport
        Its report.
    fmt : str
        The format it was read as.

    Returns
    -------
    pathlib.Path or None
        The entry written; None when the frame cannot be kept exactly or the
        folder cannot be written (the caller carries on without a cache).
    """
    made = _table(gdf, trusted=fmt == "geojson")
    if made is None:
        return None
    table, kinds = made
    meta = {"version": CACHE_VERSION, "fmt": fmt, "kinds": kinds, "order": list(gdf.columns),
            "report": _report_meta(report)}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                          _META: orjson.dumps(meta)})
    target = _entry(key)
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        atomic_write(target, lambda tmp: pq.write_table(table, tmp))
    except (OSError, GeodataError):
        return None
    _evict(keep=target)
    return target


def _limit() -> int:
    raw = os.environ.get(MAX_MB_ENV, "").strip()
    return (int(raw) if raw.isdigit() else MAX_MB_DEFAULT) << 20


def _evict(keep: Path) -> list[Path]:
    """Remove the least recently used entries until the folder is within the limit."""
    try:
        entries = [(p.stat().st_mtime_ns, p.stat().st_size, p)
                   for p in frames_dir().glob("*.parquet")]
    except OSError:
        return []
    total = sum(size for _, size, _ in entries)
    removed = []
    for _, size, path in sorted(entries):
        if total <= _limit():
            break
        if path == keep:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
            total -= size
    return removed


# ---------------------------------------------------------------- read


def _frame(table: pa.Table, meta: dict) -> gpd.GeoDataFrame:
    kinds = meta["kinds"]
    kept = [k for k, kind in kinds.items() if kind in ("text", "json", "typed")]
    frame = table.drop_columns([*kept, _LON, _LAT]).to_pandas()
    data = {}
    for name in meta["order"]:
        if kinds.get(name) == "category":
            col = frame[name]
            data[name] = pd.Categorical.from_codes(
                col.cat.codes.to_numpy(), pd.Index(list(col.cat.categories), dtype=object))
        elif kinds.get(name) == "typed":  # (no Python object per row)
            data[name] = nested.frame_column(name, table.column(name))
        elif name in kept:
            values = table.column(name).to_pylist()
            if kinds[name] == "json":
                values = parse_json_texts(values)
            data[name] = pd.Series(values, dtype=object)
        elif name in frame.columns:
            data[name] = frame[name]
    lon = table.column(_LON).to_numpy()
    lat = table.column(_LAT).to_numpy()
    out = pd.DataFrame(data, index=pd.RangeIndex(table.num_rows))
    return gpd.GeoDataFrame(out, geometry=shapely.points(lon, lat), crs="EPSG:4326")


def _report(meta: dict, name: str) -> ValidationReport:
    info = meta["report"]
    n = int(info["n_features"])
    valid = np.unpackbits(np.frombuffer(base64.b64decode(info["valid"]), dtype=np.uint8),
                          count=n).astype(bool)
    problems = [Problem(**p) for p in info["problems"]]
    return ValidationReport(name, n, problems, valid)


def has(key: str) -> bool:
    """Whether a working copy is stored under ``key`` (it may still prove unreadable).

    Parameters
    ----------
    key : str
        From :func:`key_for`.

    Returns
    -------
    bool
    """
    return _entry(key).is_file()


def get(key: str, name: str) -> tuple[gpd.GeoDataFrame, ValidationReport, str] | None:
    """The frame, report and format kept under ``key``, or None (a bad entry is removed).

    Parameters
    ----------
    key : str
        From :func:`key_for`.
    name : str
        The file's name for the report.

    Returns
    -------
    tuple or None
        ``(gdf, report, fmt)`` as :func:`put` was given them.
    """
    path = _entry(key)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        meta = orjson.loads((table.schema.metadata or {})[_META])
        if meta.get("version") != CACHE_VERSION:
            raise ValueError("another version")
        result = _frame(table, meta), _report(meta, name), str(meta["fmt"])
    except Exception:  # noqa: BLE001 - any unreadable entry is rebuilt, never an error
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # (recently used: evicted last)
    _evict(keep=path)
    return result
