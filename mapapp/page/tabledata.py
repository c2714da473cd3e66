"""The table panel's data: one row per incident, and its sort orders, made once per dataset.

Pure (no streamlit): :func:`table_data` gives the :class:`TableData` of a
:class:`~mapapp.state.Dataset`, built the first time it is asked for and
shared by every session that shows that dataset.
"""

from __future__ import annotations

import functools
import threading
import weakref

import numpy as np
import pandas as pd
import pyarrow as pa

import geodata
from geodata.nested import column_values

from ..state import Dataset

__all__ = ["TABLE_FIELDS", "TableData", "table_data"]

#: The dataset's columns the table shows (those present), besides the sources.
TABLE_FIELDS = ("id", "date", "title", "actor", "target", "event_type",
                "attribution_status", "fatalities", "place", "country")

_TABLES: weakref.WeakKeyDictionary[Dataset, TableData] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


class TableData:
    """The rows of a dataset's table, as a frame and as Arrow, and their orders.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The dataset's incidents; row ``i`` of the table is incident ``i``.
    """

    def __init__(self, gdf):
        self._gdf = gdf
        self._orders: dict[tuple, np.ndarray] = {}

    @functools.cached_property
    def frame(self) -> pd.DataFrame:
        """One row per incident, made once.

        The sources as their number and the first http(s) link (every
        source, with its title, is in the incident's detail panel and in
        the downloads): the full text of every source would make the table
        several times heavier to send to the browser.
        """
        gdf = self._gdf
        table = pd.DataFrame({c: gdf[c] for c in TABLE_FIELDS if c in gdf})
        if "sources" in gdf:
            firsts, counts = [], []
            for value in column_values(gdf["sources"]):
                items = [s for s in value if isinstance(s, dict)] if isinstance(value, list) else []
                counts.append(len(items))
                firsts.append(next((s["url"] for s in items if geodata.is_http_url(s.get("url"))),
                                   None))
            table["source"] = firsts
            table["sources"] = pd.array(counts, dtype="Int64")
        return table

    @functools.cached_property
    def arrow(self) -> pa.Table:
        """:attr:`frame` as an Arrow table (what the page sends), made once."""
        return pa.Table.from_pandas(self.frame, preserve_index=False)

    def order(self, by: tuple[str, ...], ascending: tuple[bool, ...]) -> np.ndarray:
        """Row positions sorted by ``by`` (missing values last), made once per order.

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
        if key not in self._orders:
            columns = [c for c in by if c in self.frame]
            table = self.frame.reset_index(drop=True)
            self._orders[key] = (
                table.sort_values(columns, ascending=list(ascending[: len(columns)]),
                                  na_position="last", kind="stable").index.to_numpy()
                if columns else np.arange(len(table))
            )
        return self._orders[key]


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
