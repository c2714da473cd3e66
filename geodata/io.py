"""Reading and writing incidents: GeoJSON and GeoParquet, lossless and atomic.

A frame made by :func:`frame_from_features` (what :func:`geodata.read` and
:func:`geodata.load` return) has typed columns (datetime dates, nullable
integer counts, categorical actors and types, EPSG:4326 points) and keeps
every other property of the file, untouched, as an object column.
:func:`write` turns it back into the same file: read -> write -> read gives
the same properties. A property that is ``null`` and one that is absent are
the same thing here (both read as missing, both written as absent).
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import nested
from .errors import DataSourceError
from .geojson import features_of, parse_json, parse_json_texts
from .geojson_write import (
    GEOJSON_CHUNK,
    _gc_paused,
    dumps_geojson,
    iter_geojson,
    to_feature_collection,
    to_features,
)
from .schema import (
    DERIVED_FIELDS,
)
from .typedframe import frame_from_columns, frame_from_features

__all__ = [
    "GEOJSON_SUFFIXES",
    "PARQUET_SUFFIXES",
    "GEOJSON_CHUNK",
    "atomic_write",
    "check_size",
    "dumps_geojson",
    "frame_from_columns",
    "frame_from_features",
    "iter_geojson",
    "kind_of",
    "load_features",
    "max_file_bytes",
    "read_parquet_frame",
    "same_file",
    "to_feature_collection",
    "to_wgs84",
    "to_features",
    "write",
]

GEOJSON_SUFFIXES = (".geojson", ".json")
PARQUET_SUFFIXES = (".parquet", ".geoparquet")
_PARQUET_ATTR = "incident_map"  # attrs key naming the columns stored as JSON text
_DATE_FIELDS = ("date", "end_date")


# ---------------------------------------------------------------- parsing

#: The environment variable that sets the largest file read, in megabytes.
MAX_FILE_ENV = "INCIDENT_MAP_MAX_FILE_MB"

#: The largest file read by default (MB); a GeoJSON's first read peaks at 4.5-6.3 GB per GB.
MAX_FILE_MB_DEFAULT = 2048


def max_file_bytes() -> int:
    """The largest file (or upload) read, in bytes.

    ``INCIDENT_MAP_MAX_FILE_MB`` sets it in megabytes (default
    :data:`MAX_FILE_MB_DEFAULT`, 2 GB: a million incidents as GeoJSON, 1.36 GB,
    open); reading a file takes several times its size in memory.

    Returns
    -------
    int

    Raises
    ------
    DataSourceError
        When the variable is set but not a positive whole number.
    """
    raw = os.environ.get(MAX_FILE_ENV, "").strip()
    if not raw:
        return MAX_FILE_MB_DEFAULT << 20
    if not raw.isdigit() or int(raw) <= 0:
        raise DataSourceError(f"{MAX_FILE_ENV} must be a whole number of megabytes, got {raw!r}")
    return int(raw) << 20


def check_size(source: str | os.PathLike | bytes, name: str) -> None:
    """Refuse a file larger than :func:`max_file_bytes` before anything reads it.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        A path (a missing one passes: the reader says so) or the content.
    name : str
        The file's name, for the message.

    Raises
    ------
    DataSourceError
        When the file is over the limit; the message says how to raise it.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        size = len(source)
    else:
        try:
            size = os.stat(source).st_size
        except OSError:
            return
    limit = max_file_bytes()
    if size > limit:
        raise DataSourceError(
            f"{name}: {size / (1 << 20):,.0f} MB is over the limit of {limit >> 20:,} MB for a "
            f"file; raise it with the environment variable {MAX_FILE_ENV} (e.g. "
            f"{MAX_FILE_ENV}={2 * max(size >> 20, 1)}) if this machine has several times "
            f"that in memory"
        )


def _read_bytes(path: str | os.PathLike) -> bytes:
    source = os.fspath(path)
    check_size(path, source)
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise DataSourceError(f"{source}: no such file") from exc
    except IsADirectoryError as exc:
        raise DataSourceError(f"{source}: is a directory, not a file") from exc
    except OSError as exc:
        raise DataSourceError(f"{source}: cannot be read: {exc.strerror or exc}") from exc


def _suffix(path: str | os.PathLike) -> str:
    return Path(path).suffix.lower()


def kind_of(name: str | os.PathLike) -> str | None:
    """Return the kind of incident file a name's suffix says it is.

    Parameters
    ----------
    name : str or os.PathLike
        A file name or path.

    Returns
    -------
    {"geojson", "parquet"} or None
        None for any other suffix.
    """
    suffix = _suffix(name)
    if suffix in GEOJSON_SUFFIXES:
        return "geojson"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    return None


def load_features(source: str | os.PathLike | bytes, *, name: str | None = None,
                  kind: str | None = None) -> list:
    """Parse a GeoJSON or GeoParquet file (a path or its bytes) into raw feature dicts.

    Nothing is checked against the schema here; see :func:`geodata.check_features`.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        The file, or its content.
    name : str, optional
        The file's name in messages (default: the path; needed for bytes).
    kind : {"geojson", "parquet"}, optional
        The format (default: from the suffix of ``name``).

    Returns
    -------
    list
        The features, as parsed.

    Raises
    ------
    DataSourceError
        When the file is missing, unreadable, not JSON or of an unknown kind.
    """
    if name is None:
        name = "<upload>" if isinstance(source, bytes) else os.fspath(source)
    kind = kind or kind_of(name)
    if kind == "parquet":
        return to_features(_read_parquet_frame(source, name))
    if kind != "geojson":
        raise DataSourceError(
            f"{name}: unknown file type {_suffix(name) or '(none)'!r}; expected one of "
            f"{', '.join(GEOJSON_SUFFIXES + PARQUET_SUFFIXES)}"
        )
    data = source if isinstance(source, bytes) else _read_bytes(source)
    with _gc_paused():  # (millions of new dicts and lists, none in a cycle)
        return features_of(parse_json(data, name), name)


# ---------------------------------------------------------------- read


def _json_columns(meta: Mapping, name: str) -> tuple[list[str], set[str]]:
    """The columns a GeoParquet file's ``incident_map`` metadata names as JSON text, and typed."""
    bad = f"{name}: unreadable {_PARQUET_ATTR!r} metadata"
    try:
        attrs = json.loads(meta.get(b"PANDAS_ATTRS", b"{}"))
        info = attrs.get(_PARQUET_ATTR, {}) if isinstance(attrs, Mapping) else None
        if not info:
            info = json.loads(meta.get(_PARQUET_ATTR.encode(), b"{}"))  # older files
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise DataSourceError(f"{bad}: not JSON ({exc}); rewrite the file with "
                              f"geodata.write or mapapp import") from exc
    found = []
    for key in ("json_columns", "typed_columns"):
        columns = info.get(key, []) if isinstance(info, Mapping) else None
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            raise DataSourceError(f"{bad}: expected {{\"{key}\": [column names]}}, got "
                                  f"{str(info)[:80]!r}; rewrite the file with geodata.write "
                                  f"or mapapp import")
        found.append(columns)
    return found[0], set(found[1])


def read_parquet_frame(source: str | os.PathLike | bytes, name: str) -> gpd.GeoDataFrame:
    """A GeoParquet file as a frame, nested columns parsed, in EPSG:4326 (nothing checked).

    Parameters
    ----------
    source : str, os.PathLike or bytes
        The file, or its content.
    name : str
        The file's name in messages.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    DataSourceError
        When the file cannot be read as GeoParquet.
    """
    return _read_parquet_frame(source, name)


def _read_parquet_frame(source: str | os.PathLike | bytes, name: str) -> gpd.GeoDataFrame:
    import pyarrow.parquet as pq

    if isinstance(source, bytes):
        source = io.BytesIO(source)
    elif not Path(source).is_file():
        raise DataSourceError(f"{name}: no such file")
    try:
        meta = pq.read_schema(source).metadata or {}
        if hasattr(source, "seek"):
            source.seek(0)
        gdf = gpd.read_parquet(source, to_pandas_kwargs={"types_mapper": nested.types_mapper})
    except Exception as exc:  # pyarrow raises many kinds for a bad file
        raise DataSourceError(f"{name}: not a readable GeoParquet file: {exc}") from exc
    gdf.attrs = {}
    nested.join_chunks(gdf)
    json_columns, typed = _json_columns(meta, name)
    for column in gdf.columns:  # (a layout this tool did not write: its objects, as Arrow has them)
        if nested.is_typed(gdf[column]) and (column not in typed or not nested.enabled()):
            arr = nested.arrow_of(gdf[column])
            values = nested.to_objects(arr) if column in typed else arr.to_pylist()
            gdf[column] = pd.Series(values, dtype=object, index=gdf.index)
    for column in json_columns:
        if column in gdf.columns:
            try:
                values = parse_json_texts(gdf[column].tolist())
            except (json.JSONDecodeError, RecursionError) as exc:
                raise DataSourceError(
                    f"{name}: column {column!r} should hold JSON text: {exc}"
                ) from exc
            gdf[column] = pd.Series(values, dtype=object, index=gdf.index)
    return to_wgs84(gdf, name)


def to_wgs84(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Reproject a frame read from a file to EPSG:4326, refusing a CRS its data cannot be in.

    A file tagged with a projected CRS (metres, e.g. EPSG:3857) whose points
    all lie within longitude/latitude range almost surely holds longitudes
    and latitudes under the wrong tag; reprojecting it would move every
    point to within a few metres of (0, 0).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        As read from the file.
    name : str
        The file's name, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gdf`` in EPSG:4326 (itself when it already is, or has no CRS).

    Raises
    ------
    DataSourceError
        When the coordinates cannot be in the CRS the file claims.
    """
    crs = gdf.crs
    if crs is None or crs.equals("EPSG:4326"):
        return gdf
    if crs.is_projected and len(gdf) and not gdf.geometry.is_empty.all():
        minx, miny, maxx, maxy = gdf.geometry.total_bounds
        if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
            label = crs.to_string()
            raise DataSourceError(
                f"{name}: the file says its coordinates are in {label} (metres), but they all "
                f"lie within longitude/latitude range ({minx:g} to {maxx:g}, {miny:g} to "
                f"{maxy:g}): they are almost surely longitudes and latitudes. Tag the file "
                f"EPSG:4326, e.g. gdf.set_crs('EPSG:4326', allow_override=True).to_parquet(...)"
            )
    return gdf.to_crs("EPSG:4326")


# ---------------------------------------------------------------- write


_TMP_NAME = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: alive, another user's
        return True
    return True


def _remove_stale_temps(directory: Path, name: str) -> None:
    """Remove temporary files of earlier writes of ``name`` whose process is gone."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        m = _TMP_NAME.fullmatch(entry.name)
        if m and m["name"] == name and not _pid_alive(int(m["pid"])):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


@contextlib.contextmanager
def _sigterm_as_exit():
    """In the main thread: SIGTERM raises SystemExit(143), so cleanup code runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):  # pragma: no cover - signals unavailable
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _write_error(path: str | os.PathLike, exc: OSError) -> DataSourceError:
    if isinstance(exc, IsADirectoryError) or Path(path).is_dir():
        why = "is a directory"
    elif isinstance(exc, PermissionError):
        why = f"permission denied ({exc.strerror or exc}) in {str(Path(path).parent)!r}"
    elif exc.errno == errno.ENOSPC:
        why = "no space left on the disk"
    else:
        why = exc.strerror or str(exc)
    return DataSourceError(f"{os.fspath(path)}: cannot write: {why}; the old file, if any, is "
                           f"kept")


def atomic_write(path: str | os.PathLike, write: Callable[[str], None]) -> None:
    """Write a file atomically: ``write(tmp)`` then rename over ``path``.

    A crash, an error, Ctrl-C or SIGTERM while writing leaves the old file
    whole and no temporary file behind. The temporary file is named
    ``.NAME.<pid>.<random>.tmp``; one left by a process that was killed
    outright (SIGKILL) is removed by the next write to the same path. A new
    file gets the permissions the umask allows; a replaced one keeps its own.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.
    write : callable
        Called with the temporary file's path; writes the whole content.

    Raises
    ------
    DataSourceError
        When the directory does not exist, ``path`` is a directory, or the
        file cannot be written (permissions, a full disk ...): the message
        names the path and the cause.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise DataSourceError(f"{os.fspath(path)}: directory {str(directory)!r} does not exist")
    if target.is_dir():
        raise DataSourceError(f"{os.fspath(path)}: cannot write: is a directory")
    _remove_stale_temps(directory, target.name)
    tmp = None
    with _sigterm_as_exit():
        try:
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.{os.getpid()}.",
                                       suffix=".tmp")
            os.close(fd)
            write(tmp)
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            if target.exists():
                os.chmod(tmp, target.stat().st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)
        except BaseException as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise _write_error(path, exc) from exc
            raise


def _parquet_frame(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame to store: nested columns typed (:mod:`geodata.nested`) or as JSON text."""
    out = gdf.drop(columns=[c for c in DERIVED_FIELDS if c in gdf.columns])
    kinds: dict[str, list] = {"json_columns": [], "typed_columns": []}
    for name in out.columns:
        if name != out.geometry.name and (out[name].dtype == object
                                          or nested.is_typed(out[name])):
            arr, kind = nested.stored_column(name, out[name], exact=False)
            if kind != "text":
                kinds[f"{kind}_columns"].append(name)
                out[name] = nested.typed_series(arr, out.index) if kind == "typed" else \
                    pd.Series(arr.to_pylist(), dtype=object, index=out.index)
    out.attrs = {_PARQUET_ATTR: kinds}
    return out


def write(gdf: gpd.GeoDataFrame, path: str | os.PathLike, *, indent: int | None = None,
          progress: Callable[[int, int], None] | None = None) -> None:
    """Write incidents to GeoJSON or GeoParquet, atomically and losslessly.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        A frame as returned by :func:`geodata.read` (or any frame of points
        in EPSG:4326 with the schema's columns).
    path : str or os.PathLike
        Output file; the suffix picks the format.
    indent : int, optional
        Pretty-print GeoJSON with this indent (GeoJSON only).
    progress : callable, optional
        Compact GeoJSON only: called as ``progress(done, total)`` as
        features are written (see :func:`iter_geojson`).

    Raises
    ------
    DataSourceError
        For an unknown suffix or a directory that does not exist.
    """
    source = os.fspath(path)
    suffix = _suffix(path)
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs("EPSG:4326")
    if suffix in GEOJSON_SUFFIXES:
        if indent is None:
            def dump(tmp: str) -> None:
                with open(tmp, "wb") as fh:
                    for piece in iter_geojson(gdf, progress=progress):
                        fh.write(piece)

            atomic_write(path, dump)
        else:
            data = dumps_geojson(gdf, indent=indent)
            atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))
    elif suffix in PARQUET_SUFFIXES:
        out = _parquet_frame(gdf)
        atomic_write(path, lambda tmp: out.to_parquet(tmp, index=False))
    else:
        raise DataSourceError(
            f"{source}: unknown file type {suffix or '(none)'!r}; expected one of "
            f"{', '.join(GEOJSON_SUFFIXES + PARQUET_SUFFIXES)}"
        )


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Return True when two paths name the same file (after resolving links).

    Parameters
    ----------
    a, b : str or os.PathLike
        The paths; neither needs to exist.

    Returns
    -------
    bool
        Whether writing ``b`` would overwrite ``a``.
    """
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:  # pragma: no cover - resolve() fails only on loops
        return False
