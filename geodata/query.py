"""Filters and counts as SQL: the queries a database can run where the data is.

A :class:`~geodata.filters.Filters` becomes a SQL ``WHERE`` clause with
parameters (:func:`where`), and the per-actor, per-type and per-day counts a
``GROUP BY`` (:func:`counts_sql`). They are written against one table (or
view) of :data:`QUERY_COLUMNS`: ``row`` (the incident's position in the
dataset), ``id``, ``date``, ``end_date``, ``actor``, ``target``,
``event_type``, ``country``, ``attribution_status``, ``fatalities``, ``lon``,
``lat``. Only standard SQL is used (``IN``, ``BETWEEN``-like comparisons,
``COALESCE``, ``CAST(date AS DATE)``, ``COUNT``/``SUM``), so a PostGIS table
with a view giving ``lon = ST_X(geom)``, ``lat = ST_Y(geom)`` answers the same
queries (placeholders ``?``: DuckDB's and SQLite's; psycopg takes ``%s``).

Two sources answer them, with the same results (``tests/test_query.py``):

- :class:`FrameSource`: the loaded frame, by the pandas masks of
  :meth:`Filters.mask` (what the page uses: the frame is in memory anyway);
- :class:`DuckDBSource`: DuckDB reading the GeoParquet file itself (only the
  columns a query needs), with the points' coordinates decoded once.

Examples
--------
>>> from geodata.filters import Filters
>>> sql = where(Filters(actors=["A"], role="perpetrator", start="2020-01-01"))
>>> sql.text
'COALESCE(end_date, date) >= ? AND actor IN (?)'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from .errors import DataSourceError
from .filters import Filters
from .schema import ATTRIBUTION_STATUSES

__all__ = ["GROUPS", "QUERY_COLUMNS", "DuckDBSource", "FrameSource", "Sql", "counts_sql",
           "rows_sql", "where"]

#: The columns the queries name (one table or view of these answers every query).
QUERY_COLUMNS = ("row", "id", "date", "end_date", "actor", "target", "event_type", "country",
                 "attribution_status", "fatalities", "lon", "lat")

#: What the counts group by: the name, and its SQL expression.
GROUPS = {"actor": "actor", "event_type": "event_type", "day": "CAST(date AS DATE)"}

#: The key of incidents whose group column is missing.
NONE_KEY = "(none)"


@dataclass(frozen=True)
class Sql:
    """A piece of SQL and its parameters, in order (``?`` placeholders).

    Attributes
    ----------
    text : str
    params : tuple
    """

    text: str
    params: tuple = ()


def _name(table: str) -> str:
    """``table`` if it is a plain (dotted) SQL name: never data, but checked all the same."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", table):
        raise ValueError(f"not a table name: {table!r}")
    return table


def _in(column: str, values: tuple) -> Sql:
    return Sql(f"{column} IN ({', '.join('?' for _ in values)})", tuple(values))


def where(filters: Filters) -> Sql:
    """The condition a row meets to be in the view ``filters`` describes ("TRUE" for all).

    The same rules as :meth:`Filters.mask`: an incident with an end date is
    kept when its span meets the date range; actors match ``actor``,
    ``target`` or either (``role``); a missing value matches no list.

    Parameters
    ----------
    filters : Filters

    Returns
    -------
    Sql
    """
    parts: list[Sql] = []
    if filters.end is not None:
        parts.append(Sql("date <= ?", (filters.end.to_pydatetime(),)))
    if filters.start is not None:
        parts.append(Sql("COALESCE(end_date, date) >= ?", (filters.start.to_pydatetime(),)))
    if filters.actors:
        sides = [_in(c, filters.actors) for c, role in (("actor", "perpetrator"),
                                                         ("target", "target"))
                 if filters.role in ("any", role)]
        text = " OR ".join(s.text for s in sides)
        parts.append(Sql(f"({text})" if len(sides) > 1 else text,
                         sum((s.params for s in sides), ())))
    for column, values in (("event_type", filters.event_types), ("country", filters.countries),
                           ("attribution_status", filters.statuses)):
        if values:
            parts.append(_in(column, values))
    if filters.bbox is not None:
        minx, miny, maxx, maxy = filters.bbox
        parts.append(Sql("lon >= ? AND lon <= ? AND lat >= ? AND lat <= ?",
                         (minx, maxx, miny, maxy)))
    if not parts:
        return Sql("TRUE")
    return Sql(" AND ".join(p.text for p in parts), sum((p.params for p in parts), ()))


def rows_sql(filters: Filters, table: str = "incidents") -> Sql:
    """``SELECT row`` of the view's incidents, in the dataset's order.

    Parameters
    ----------
    filters : Filters
    table : str, default "incidents"
        The table or view of :data:`QUERY_COLUMNS` (a trusted name, not data).

    Returns
    -------
    Sql
    """
    cond = where(filters)
    table = _name(table)
    return Sql(f"SELECT row FROM {table} WHERE {cond.text} ORDER BY row",  # noqa: S608 (values are parameters; the name is checked)
               cond.params)


def counts_sql(filters: Filters, by: str, table: str = "incidents") -> Sql:
    """Incidents and fatalities per actor, event type or day of the view (``GROUP BY``).

    Parameters
    ----------
    filters : Filters
    by : {"actor", "event_type", "day"}
    table : str, default "incidents"

    Returns
    -------
    Sql
        Selecting ``key``, ``incidents``, ``fatalities`` (missing counts as 0).

    Raises
    ------
    ValueError
        For an unknown ``by``.
    """
    if by not in GROUPS:
        raise ValueError(f"counts by one of {', '.join(GROUPS)}, got {by!r}")
    cond = where(filters)
    key, table = GROUPS[by], _name(table)
    return Sql(f"SELECT {key} AS key, COUNT(*) AS incidents, "  # noqa: S608 (as rows_sql)
               f"SUM(COALESCE(fatalities, 0)) AS fatalities FROM {table} "
               f"WHERE {cond.text} GROUP BY {key}", cond.params)


def _counts_frame(keys, incidents, fatalities, by: str) -> pd.DataFrame:
    """The counts as one shape for both sources: indexed by key (str), most incidents first."""
    if by == "day":
        keys = [None if pd.isna(k) else pd.Timestamp(k).strftime("%Y-%m-%d") for k in keys]
    keys = [NONE_KEY if k is None or (isinstance(k, float) and np.isnan(k)) else str(k)
            for k in keys]
    out = pd.DataFrame({"incidents": np.asarray(incidents, dtype="int64"),
                        "fatalities": np.asarray(fatalities, dtype="int64")},
                       index=pd.Index(keys, name=by))
    return out.sort_index().sort_values("incidents", ascending=False, kind="stable")


class FrameSource:
    """The queries answered by pandas masks over the loaded frame.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The incidents, as :func:`geodata.load` returns them.
    """

    def __init__(self, gdf: gpd.GeoDataFrame):
        self.gdf = gdf

    def rows(self, filters: Filters) -> np.ndarray:
        """Positions (int64, ascending) of the view's incidents."""
        return np.flatnonzero(filters.mask(self.gdf)).astype("int64")

    def counts(self, filters: Filters, by: str) -> pd.DataFrame:
        """As :func:`counts_sql`: indexed by key, columns ``incidents`` and ``fatalities``."""
        if by not in GROUPS:
            raise ValueError(f"counts by one of {', '.join(GROUPS)}, got {by!r}")
        view = self.gdf.loc[filters.mask(self.gdf)]
        key = view["date"].dt.floor("D") if by == "day" else view[by].astype(object)
        fat = (view["fatalities"].fillna(0).astype("int64") if "fatalities" in view
               else pd.Series(0, index=view.index))
        frame = pd.DataFrame({"key": key.where(key.notna(), None), "fat": fat})
        grouped = frame.groupby("key", dropna=False, sort=False)["fat"].agg(["size", "sum"])
        return _counts_frame(list(grouped.index), grouped["size"], grouped["sum"], by)


def _points(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of a WKB point column (2D little-endian read directly)."""
    arr = column.combine_chunks()
    if isinstance(arr.type, pa.ExtensionType):
        arr = arr.storage
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    if arr.null_count == 0 and len(arr) and np.all(np.diff(offsets) == 21):
        rows = data[offsets[0]:offsets[-1]].reshape(-1, 21)
        if np.all(rows[:, 0] == 1) and np.all(rows[:, 1:5].view("<u4")[:, 0] == 1):
            xy = rows[:, 5:21].copy().view("<f8")
            return xy[:, 0], xy[:, 1]
    geoms = shapely.from_wkb(arr.to_numpy(zero_copy_only=False))
    return shapely.get_x(geoms), shapely.get_y(geoms)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBSource:
    """The queries answered by DuckDB over a GeoParquet file.

    DuckDB reads the file's columns itself (``read_parquet``, only those a
    query names); the points' coordinates are decoded from WKB once, as two
    columns joined by position, and ``attribution_status`` is taken from the
    ``attribution`` JSON as :func:`geodata.load` does.

    Parameters
    ----------
    path : str or os.PathLike
        A GeoParquet file :func:`geodata.write` wrote (the incident schema).

    Raises
    ------
    DataSourceError
        When the file cannot be read, or DuckDB is not installed (the
        ``query`` extra).
    """

    def __init__(self, path: str | os.PathLike):
        try:
            import duckdb
        except ImportError as exc:  # pragma: no cover (the test extra installs it)
            raise DataSourceError("DuckDB is not installed: pip install "
                                  "'incident-map[query]'") from exc
        name = os.fspath(path)
        try:
            schema = pq.read_schema(name)
            lon, lat = _points(pq.read_table(name, columns=["geometry"]).column("geometry"))
        except (OSError, pa.ArrowInvalid, KeyError) as exc:
            raise DataSourceError(f"{name}: cannot be read as GeoParquet: {exc}") from exc
        self.con = duckdb.connect()
        self.con.execute("SET threads TO 2")
        self._points = pa.table({"lon": lon, "lat": lat})
        self.con.register("points", self._points)
        have = set(schema.names)
        end = "f.end_date" if "end_date" in have else "CAST(NULL AS TIMESTAMP)"
        fat = "f.fatalities" if "fatalities" in have else "CAST(NULL AS BIGINT)"
        statuses = ", ".join(_literal(s) for s in ATTRIBUTION_STATUSES)
        status = ("CASE WHEN json_type(f.attribution) = 'OBJECT' THEN "
                  "COALESCE(json_extract_string(f.attribution, '$.status'), 'unknown') "
                  "ELSE 'unknown' END" if "attribution" in have else "'unknown'")
        self.con.execute(  # (the path is a quoted literal: a view cannot take a parameter)
            f"CREATE VIEW incidents AS SELECT CAST(f.file_row_number AS BIGINT) AS row, "  # noqa: S608
            f"f.id, f.date, {end} AS end_date, f.actor, f.target, f.event_type, f.country, "
            f"CASE WHEN ({status}) IN ({statuses}) THEN ({status}) END AS attribution_status, "
            f"{fat} AS fatalities, p.lon, p.lat "
            f"FROM read_parquet({_literal(name)}, file_row_number = true) f "
            f"POSITIONAL JOIN points p")

    def rows(self, filters: Filters) -> np.ndarray:
        """Positions (int64, ascending) of the view's incidents."""
        q = rows_sql(filters)
        got = self.con.execute(q.text, list(q.params)).fetchnumpy()["row"]
        return np.asarray(got, dtype="int64")

    def counts(self, filters: Filters, by: str) -> pd.DataFrame:
        """As :func:`counts_sql`: indexed by key, columns ``incidents`` and ``fatalities``."""
        q = counts_sql(filters, by)
        got = self.con.execute(q.text, list(q.params)).fetchall()
        return _counts_frame([r[0] for r in got], [r[1] for r in got], [r[2] for r in got], by)

    def close(self) -> None:
        """Let go of the connection."""
        self.con.close()
