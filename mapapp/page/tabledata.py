"""The table panel's data: its sort orders, made once per dataset, and the rows shown.

Pure (no streamlit): :func:`table_data` gives the :class:`TableData` of a
:class:`~mapapp.state.Dataset`, built the first time it is asked for and
shared by every session that shows that dataset.
"""

from __future__ import annotations

import threading
import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import geodata
from geodata import nested
from geodata.nested import column_values

from ..state import Dataset

__all__ = ["TABLE_FIELDS", "TableData", "table_data"]

#: The dataset's columns the table shows (those present), besides the sources.
TABLE_FIELDS = ("id", "date", "title", "actor", "target", "event_type",
                "attribution_status", "fatalities", "place", "country")

_TABLES: weakref.WeakKeyDictionary[Dataset, TableData] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class TableData:
    """A dataset's table: its sort orders (made once each) and the rows of any positions.

    Only the rows a page shows are made (at most :data:`.table.TABLE_ROWS`):
    a whole table of a million incidents would be seconds of work and hundreds
    of MB held for rows nobody sees.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The dataset's incidents; row ``i`` of the table is incident ``i``.
    """

    def __init__(self, gdf):
        self._gdf = gdf
        self._orders: dict[tuple, np.ndarray] = {}
        self._lock = threading.Lock()

    def rows(self, positions) -> pa.Table:
        """The table rows of the incidents at ``positions``, in that order.

        The sources as their number and the first http(s) link (every
        source, with its title, is in the incident's detail panel and in
        the downloads): the full text of every source would make the table
        several times heavier to send to the browser.

        Parameters
        ----------
        positions : array-like of int
            Row positions in the dataset.

        Returns
        -------
        pyarrow.Table
            :data:`TABLE_FIELDS` (those present), then ``source`` and ``sources``.
        """
        gdf = self._gdf
        positions = np.asarray(positions, dtype=np.int64)
        table = pd.DataFrame({c: gdf[c].take(positions).reset_index(drop=True)
                              for c in TABLE_FIELDS if c in gdf})
        if "sources" in gdf:
            sources = gdf["sources"].take(positions)
            firsts, counts = (_typed_sources(nested.arrow_of(sources)) if nested.is_typed(sources)
                              else _sources(column_values(sources)))
            table["source"] = pd.Series(firsts, dtype=object)
            table["sources"] = pd.array(counts, dtype="Int64")
        return pa.Table.from_pandas(table, preserve_index=False)

    def order(self, by: tuple[str, ...], ascending: tuple[bool, ...]) -> np.ndarray:
        """Row positions sorted by ``by`` (missing values last), made once per order.

        Sorted by Arrow on those columns alone (stable: equal rows keep the
        dataset's order).

        Parameters
        ----------
        by : tuple of str
            Columns to sort by; those the table lacks are skipped.
        ascending : tuple of bool
            The direction of each column of ``by``.

        Returns
        -------
        numpy.ndarray of int
            Positions of the rows (and incidents), in that order.
        """
        key = (tuple(by), tuple(ascending))
        with self._lock:  # (two sessions asking at once sort once)
            if key not in self._orders:
                self._orders[key] = self._sorted(by, ascending)
            return self._orders[key]

    def _sorted(self, by, ascending) -> np.ndarray:
        gdf = self._gdf
        keys = [(c, "ascending" if up else "descending")
                for c, up in zip(by, ascending, strict=False) if c in TABLE_FIELDS and c in gdf]
        if not keys:
            return np.arange(len(gdf))
        table = pa.table({c: _arrow_keys(gdf[c]) for c, _ in keys})
        try:  # (pyarrow 25 and later: the null placement per key)
            order = pc.sort_indices(table, sort_keys=[(c, o, "at_end") for c, o in keys])
        except (TypeError, ValueError, pa.ArrowInvalid):
            order = pc.sort_indices(table, sort_keys=keys, null_placement="at_end")
        return order.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _sources(values: list) -> tuple[list, list]:
    """(the first http(s) link, how many sources) of each row's sources (objects)."""
    firsts, counts = [], []
    for value in values:
        items = [s for s in value if isinstance(s, dict)] if isinstance(value, list) else []
        counts.append(len(items))
        firsts.append(next((s["url"] for s in items if geodata.is_http_url(s.get("url"))), None))
    return firsts, counts


def _typed_sources(arr: pa.Array) -> tuple[list, list]:
    """:func:`_sources` of a typed column, by Arrow; rows Arrow cannot decide go to it."""
    n = len(arr)
    flat = pc.list_flatten(arr)
    parents = pc.list_parent_indices(arr).to_numpy(zero_copy_only=False)
    present = np.asarray(flat.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    counts = np.bincount(parents[present], minlength=n).tolist()
    urls = pc.struct_field(flat, "url")
    plain = np.asarray(pc.fill_null(pc.match_substring_regex(urls, _PLAIN_URL), False)
                       .to_numpy(zero_copy_only=False), dtype=bool) & present
    # (a link with spaces around it, or not ASCII: is_http_url decides that row)
    unsure = np.asarray(urls.is_valid().to_numpy(zero_copy_only=False), dtype=bool) & ~plain
    firsts: list = [None] * n
    rows, first = np.unique(parents[plain], return_index=True)
    texts = urls.take(pa.array(np.flatnonzero(plain)[first])).to_pylist()
    for row, text in zip(rows.tolist(), texts, strict=True):
        firsts[row] = text
    for row in np.unique(parents[unsure & present]).tolist():
        firsts[row] = _sources([nested.to_objects(arr.slice(row, 1))[0]])[0][0]
    return firsts, counts


#: A link :func:`geodata.is_http_url` takes as it is: http(s)://, then printable ASCII.
_PLAIN_URL = r"^(?i:https?)://[!-~]+$"


def _arrow_keys(series: pd.Series) -> pa.Array:
    """A column as Arrow sort keys: categories by their text, the rest as they are."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    return pa.array(series, from_pandas=True)


def table_data(dataset: Dataset) -> TableData:
    """The table of a dataset, made the first time it is asked for.

    Parameters
    ----------
    dataset : mapapp.state.Dataset
        A loaded dataset (kept for as long as something else holds it).

    Returns
    -------
    TableData
    """
    with _LOCK:
        data = _TABLES.get(dataset)
        if data is None:
            data = _TABLES[dataset] = TableData(dataset.gdf)
        return data
