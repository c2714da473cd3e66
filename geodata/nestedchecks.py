"""The column checks of the nested properties: ``attribution``, ``sources``, ``related``.

For :mod:`geodata.columnar`, as value lists (a Python loop over each row's
dicts, for a file whose values do not fit the typed layout) and as typed Arrow
columns (:mod:`geodata.nested`,
by Arrow): True where a row may keep the rules, False where the per-feature
check must look.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .bytechecks import _bools, _http_urls
from .schema import ATTRIBUTION_STATUSES

_SCALARS = frozenset((str, int, float, bool, type(None)))
_STATUSES = frozenset(ATTRIBUTION_STATUSES)


def _shallow(value) -> bool:
    """True for a scalar, or a list or object of scalars (nested at most one level)."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is list:
        return _SCALARS.issuperset(map(type, value))
    if kind is dict:
        return _SCALARS.issuperset(map(type, value.values()))
    return False


def _names_ok(value) -> bool:
    return value is None or (type(value) is list and all(type(v) is str and v for v in value))


def _attribution_ok(values: list) -> np.ndarray:
    out = np.ones(len(values), dtype=bool)
    for i, a in enumerate(values):
        if a is None:
            continue
        if type(a) is not dict or not (type(a.get("status")) is str and a["status"] in _STATUSES):
            out[i] = False
            continue
        for k, v in a.items():
            if not (_names_ok(v) if k in ("claimed_by", "blamed_by") else _shallow(v)):
                out[i] = False
                break
    return out


def _sources_ok(values: list) -> np.ndarray:
    """Sources whose shape is right; their URLs are checked together, below."""
    n = len(values)
    out = np.ones(n, dtype=bool)
    urls: list = []
    owners: list = []
    for i, sources in enumerate(values):
        if sources is None:
            continue
        if type(sources) is not list:
            out[i] = False
            continue
        for s in sources:
            if type(s) is not dict:
                out[i] = False
                break
            url, title = s.get("url"), s.get("title")
            if (title is None and url is None) or (title is not None and type(title) is not str) \
                    or not _SCALARS.issuperset(map(type, s.values())):
                out[i] = False
                break
            if url is not None:
                urls.append(url if type(url) is str else None)
                owners.append(i)
    if urls:
        arr = pa.array(urls, type=pa.string())
        bad = ~_http_urls(arr) | _bools(arr.is_null(), False)
        out[np.asarray(owners, dtype=np.int64)[bad]] = False
    return out


def _related_ok(values: list) -> np.ndarray:
    out = np.ones(len(values), dtype=bool)
    for i, related in enumerate(values):
        if related is None:
            continue
        if type(related) is not list or not all(
            type(r) is dict and type(r.get("id")) is str and r["id"] and _shallow(r)
            for r in related
        ):
            out[i] = False
    return out


def _rows_of(lists: pa.Array, bad_items: pa.Array, n: int) -> np.ndarray:
    """False for the rows of ``lists`` holding an item flagged in ``bad_items``."""
    out = np.ones(n, dtype=bool)
    bad = _bools(bad_items, True)
    if bad.any():
        parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        out[parents[bad]] = False
    return out


def _typed_attribution_ok(arr: pa.Array) -> np.ndarray:
    """:func:`_attribution_ok` on a typed column (:mod:`geodata.nested`), by Arrow."""
    n = len(arr)
    status = pc.struct_field(arr, "status")
    known = _bools(pc.is_in(status, value_set=pa.array(list(_STATUSES))), False)
    ok = known | _bools(arr.is_null(), False)
    for name in ("claimed_by", "blamed_by"):
        names = pc.struct_field(arr, name)
        items = pc.list_flatten(names)
        ok &= _rows_of(names, pc.or_kleene(pc.is_null(items), pc.equal(items, "")), n)
    return ok


def _typed_sources_ok(arr: pa.Array) -> np.ndarray:
    """:func:`_sources_ok` on a typed column: no title nor url, or a url that is not http(s)."""
    flat = pc.list_flatten(arr)
    url, title = pc.struct_field(flat, "url"), pc.struct_field(flat, "title")
    empty = _bools(pc.and_(pc.is_null(url), pc.is_null(title)), False)
    return _rows_of(arr, pa.array(empty | ~_http_urls(url)), len(arr))


def _typed_related_ok(arr: pa.Array) -> np.ndarray:
    """:func:`_related_ok` on a typed column: every link has a non-empty string id."""
    rid = pc.struct_field(pc.list_flatten(arr), "id")
    return _rows_of(arr, pc.fill_null(pc.equal(rid, ""), True), len(arr))
