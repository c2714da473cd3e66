"""A typed nested column's blocks for the export, made by Arrow and NumPy.

The export's blocks (:mod:`mapapp.exportdata`) split a nested property
(``sources``, ``attribution``, ``related``) into one list per key of each
shape of dict (``exportdata._nested``). For a typed column
(:mod:`geodata.nested`) :func:`nested_blocks` writes the same bytes from the
Arrow data: no Python dict per element (at 100,000 incidents the Python
path took 0.5 s of CPU, most of the blocks' JSON). A dict's shape is the set
of its layout's keys whose child is not null (every key in a dense layout),
so each element's shape is a bit mask of its children's validity; each
key's values are the JSON text of that child (:func:`geodata.nested._value_json`),
taken in (block, shape) order and joined by Arrow.
"""

from __future__ import annotations

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from geodata import nested as typed_nested
from geodata.jsontext import _escaped

__all__ = ["nested_blocks"]

_NUMPY = orjson.OPT_SERIALIZE_NUMPY


def _elements(arr: pa.Array) -> tuple[np.ndarray, pa.StructArray, np.ndarray]:
    """(each row's ``len``, the dict elements in order, each element's row)."""
    valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    if pa.types.is_list(arr.type):
        lens = pc.fill_null(pc.list_value_length(arr), -1).to_numpy().astype(np.int64)
        elements = pc.list_flatten(arr)
        rows = pc.list_parent_indices(arr).to_numpy().astype(np.int64)
        return lens, elements, rows
    lens = np.where(valid, -2, -1).astype(np.int64)  # (one dict: not a list)
    return lens, arr.filter(pa.array(valid)), np.flatnonzero(valid)


def _shape_bits(elements: pa.StructArray, dense: bool) -> np.ndarray:
    """Per element, the mask of its keys (bit k: the layout's k-th key), -1 for a null element."""
    width = elements.type.num_fields
    bits = np.full(len(elements), (1 << width) - 1 if dense else 0, dtype=np.int64)
    if not dense:
        for k in range(width):
            child = elements.field(k).is_valid().to_numpy(zero_copy_only=False)
            bits |= np.asarray(child, dtype=np.int64) << k
    gone = np.asarray(elements.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    bits[gone] = -1
    return bits


def _codes(bits: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Each element's shape index (first met, first numbered; -1 stays) and the shapes' masks."""
    codes = np.full(len(bits), -1, dtype=np.int64)
    ok = bits >= 0
    if not ok.any():
        return codes, []
    masks, first = np.unique(bits[ok], return_index=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes[ok] = rank[np.searchsorted(masks, bits[ok])]
    return codes, masks[order].tolist()


def _texts(child: pa.Array, dense: bool) -> tuple[pa.Array, bool]:
    """Each value's JSON text, or (text children of a layout without nulls) its escaped text.

    The second: whether the texts are escaped only (to be joined by ``","``
    and quoted at the ends of each list: no quotes added one by one).
    """
    if not dense and (pa.types.is_string(child.type) or pa.types.is_large_string(child.type)):
        return _escaped(child), True  # (a key's values: never null where the key is present)
    return pc.fill_null(typed_nested._value_json(child), pa.scalar("null", pa.large_string())), \
        False


def _joined(texts: pa.Array, bare: bool, perm: np.ndarray, counts: np.ndarray) -> list:
    """``texts`` taken in ``perm`` order, ``counts`` items per group, each group as a JSON list.

    A group with a null text (a key absent from its shape: never read) is None.
    """
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    taken = pc.take(texts, pa.array(perm))
    lists = pa.ListArray.from_arrays(pa.array(offsets), taken)
    joined = pc.binary_join(lists, pa.scalar('","' if bare else ",", pa.large_string()))
    ends = [pa.scalar(t, pa.large_string()) for t in (('["', '"]') if bare else ("[", "]"))]
    return pc.binary_join_element_wise(ends[0], joined, ends[1],
                                       pa.scalar("", pa.large_string())).to_pylist()


def nested_blocks(name: str, arr: pa.Array, block: int) -> list[bytes]:
    """Each block's column JSON of a typed nested column, as ``exportdata._nested`` writes it.

    Parameters
    ----------
    name : str
        The column's name.
    arr : pyarrow.Array
        The column's rows (a layout of :data:`geodata.nested.TYPES`).
    block : int
        Rows per block.

    Returns
    -------
    list of bytes
        Per block, ``{"name", "len", "shape", "shapes", "cols", "raw"}`` as
        ``orjson.dumps`` writes it for the Python objects
        (:func:`geodata.nested.to_objects`).
    """
    dense = typed_nested.is_dense(arr.type)
    lens, elements, rows = _elements(arr)
    fields = [f.name for f in elements.type]
    bits = _shape_bits(elements, dense)
    texts = [_texts(elements.field(k), dense) for k in range(len(fields))]
    starts = list(range(0, len(arr), block))
    bounds = np.searchsorted(rows, np.array(starts + [len(arr)]), side="left")
    shaped, per_block = [], []
    for b in range(len(starts)):
        codes, masks = _codes(bits[bounds[b]:bounds[b + 1]])
        shaped.append(codes)
        per_block.append(masks)
    codes = np.concatenate(shaped) if shaped else np.zeros(0, dtype=np.int64)
    width = max([len(m) for m in per_block] + [1])
    block_of = np.repeat(np.arange(len(starts)), np.diff(bounds))
    key = block_of * width + codes
    keep = np.flatnonzero(codes >= 0)
    perm = keep[np.argsort(key[keep], kind="stable")]
    groups, counts = np.unique(key[keep], return_counts=True)
    joined = [_joined(t, bare, perm, counts) for t, bare in texts]
    at = {int(g): i for i, g in enumerate(groups.tolist())}
    head = b'{"name":' + orjson.dumps(name) + b',"len":'
    out = []
    for b, s in enumerate(starts):
        masks = per_block[b]
        shapes = [[f for k, f in enumerate(fields) if m >> k & 1] for m in masks]
        cols = ",".join(
            "[" + ",".join(joined[k][at[b * width + c]]
                           for k in range(len(fields)) if m >> k & 1) + "]"
            for c, m in enumerate(masks))
        nulls = int((shaped[b] < 0).sum())
        out.append(head + orjson.dumps(lens[s:s + block], option=_NUMPY)
                   + b',"shape":' + orjson.dumps(shaped[b], option=_NUMPY)
                   + b',"shapes":' + orjson.dumps(shapes)
                   + b',"cols":[' + cols.encode("utf-8") + b'],"raw":['
                   + b",".join([b"null"] * nulls) + b"]}")
    return out
