"""A dataset's incidents by id, without a Python object per incident.

:class:`mapapp.state.Dataset` finds an incident's position, its title and the
links other incidents record to it when a visitor selects one. Dicts of every
id did it at a cost of 3.4 s and 366 MB for a million incidents, built on the
first selection; here the frame's own Arrow columns answer, with one sorted
order of the ids (4 bytes per incident) beside them.

Examples
--------
>>> import pyarrow as pa
>>> positions = Positions(pa.array(["b", "a", "b"]))
>>> positions.find("b"), positions.find("a"), positions.find("c")
(2, 1, None)
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ByPosition", "Incoming", "Positions"]


class Positions:
    """Where each id is: a binary search of the ids in sorted order.

    Arrow sorts text by its UTF-8 bytes, which is the order of Python's
    comparison of the same strings (code point by code point), so
    :mod:`bisect` searches Arrow's order with Python strings. The sort is
    stable: of an id given twice, the last position is found (as a dict of
    ``{id: i}`` would keep).

    Parameters
    ----------
    ids : pyarrow.Array
        The ids (text), in the dataset's order; missing ones are never found.
    """

    def __init__(self, ids: pa.Array):
        order = pc.sort_indices(ids).to_numpy()  # (missing ones last)
        small = np.uint32 if len(ids) < 2**32 else np.uint64
        self._ids = ids
        self._order = order[:len(ids) - ids.null_count].astype(small)

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, k: int) -> str:  # (the k-th id in sorted order: what bisect reads)
        return self._ids[int(self._order[k])].as_py()

    def find(self, incident_id: str) -> int | None:
        """The position of ``incident_id`` (the last one if it is there twice), else None."""
        k = bisect.bisect_right(self, incident_id) - 1
        return int(self._order[k]) if k >= 0 and self[k] == incident_id else None


class ByPosition(Mapping):
    """A column's values by incident id: a dict's ``get``, ``in`` and ``[]``.

    Parameters
    ----------
    find : callable
        ``find(id)``: the incident's position or None.
    ids, values : array-like
        The ids (iterated as the keys) and the column, in the dataset's order.
    """

    def __init__(self, find: Callable[[str], int | None], ids, values):
        self._find, self._ids, self._values = find, ids, values

    def __getitem__(self, incident_id):
        i = self._find(incident_id) if isinstance(incident_id, str) else None
        if i is None:
            raise KeyError(incident_id)
        return self._values[i]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._values)


class Incoming(Mapping):
    """The incidents whose ``related`` names an id: ``[(their id, relation), ...]``.

    Found by Arrow in the links of a typed ``related`` column when asked (an
    empty or missing relation reads ``"related"``), in the dataset's order.

    Parameters
    ----------
    ids : array-like
        The ids, in the dataset's order.
    related : pyarrow.Array
        The typed ``related`` column (``list<struct<id, relation>>``).
    """

    def __init__(self, ids, related: pa.Array):
        links = pc.list_flatten(related)
        relation = pc.struct_field(links, "relation")
        self._ids = ids
        self._target = pc.struct_field(links, "id")
        self._relation = pc.fill_null(pc.if_else(pc.equal(relation, ""), None, relation),
                                      "related")
        self._source = pc.list_parent_indices(related)

    def __getitem__(self, incident_id) -> list[tuple[str, str]]:
        hit = pc.equal(self._target, pa.scalar(str(incident_id), self._target.type))
        rows = pa.array(np.flatnonzero(pc.fill_null(hit, False).to_numpy(zero_copy_only=False)))
        if not len(rows):
            raise KeyError(incident_id)
        sources = self._source.take(rows).to_numpy(zero_copy_only=False).tolist()
        return [(str(self._ids[i]), r) for i, r in zip(
            sources, self._relation.take(rows).to_pylist(), strict=True)]

    def __iter__(self):
        return iter(pc.unique(self._target.drop_null()).to_pylist())

    def __len__(self) -> int:
        return len(pc.unique(self._target.drop_null()))
