"""The export's faster paths write what the plain ones wrote (issue 15: the build's CPU).

A typed nested column's blocks made by Arrow (``mapapp.exportnested``) are the
bytes the Python path (each value as objects, ``exportdata._nested``) makes;
libdeflate's stream (``mapapp.compress``) inflates to the bytes zlib's does;
the text escaper's quick check finds every character that needs escaping.
"""

from __future__ import annotations

import gzip
import zlib

import numpy as np
import orjson
import pyarrow as pa
import pytest
from conftest import ROOT
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import geodata
from geodata import nested
from geodata.jsontext import _OPT, _json_default, _quoted
from mapapp import compress, exportdata
from mapapp.exportnested import nested_blocks

_TEXT = st.text(max_size=4) | st.sampled_from(['"', "\\", "\x00\x1f", "</script>", "\u2028"])
_KEYS = {"sources": ("title", "publisher", "date", "url"), "related": ("id", "relation"),
         "attribution": ("status", "claimed_by", "blamed_by", "note")}


def _element(name: str, dense: bool):
    """A dict of the layout: some keys (in order), or every key with some nulls (dense)."""
    def value(key):
        return st.lists(_TEXT, max_size=2) if key in ("claimed_by", "blamed_by") else _TEXT

    keys = _KEYS[name]
    if dense:
        return st.fixed_dictionaries({k: st.none() | value(k) for k in keys})
    return st.fixed_dictionaries({}, optional={k: value(k) for k in keys}).map(
        lambda d: {k: d[k] for k in keys if k in d})


@st.composite
def _column(draw):
    name = draw(st.sampled_from(sorted(_KEYS)))
    dense = draw(st.booleans())
    element = _element(name, dense)
    row = element if name == "attribution" else st.lists(element, max_size=3)
    rows = draw(st.lists(st.none() | row, max_size=12))
    return name, rows


def _python_blocks(name: str, values: list, block: int) -> list[bytes]:
    missing = [v is None for v in values]
    out = []
    for s in range(0, len(values), block):
        cut = exportdata._nested(values[s:s + block], np.array(missing[s:s + block], bool))
        out.append(orjson.dumps({"name": name, **cut}, default=_json_default, option=_OPT))
    return out


@settings(max_examples=300, deadline=None)
@given(column=_column(), block=st.integers(1, 5), skip=st.integers(0, 3))
def test_typed_nested_blocks_are_the_bytes_of_the_object_path(column, block, skip):
    name, rows = column
    arr = nested.typed_array(name, rows)
    assume(arr is not None)
    part = arr.slice(min(skip, len(rows)))  # (a chunk of the frame: an offset into its data)
    values = nested.to_objects(part)
    assert nested_blocks(name, part, block) == _python_blocks(name, values, block)


def test_the_built_in_datasets_nested_blocks_are_the_object_paths():
    gdf = geodata.read(ROOT / "incidents.geojson")
    for name in ("sources", "attribution", "related"):
        assert nested.is_typed(gdf[name])
        arr = nested.arrow_of(gdf[name])
        for block in (1, 7, 4000):
            assert nested_blocks(name, arr, block) == \
                _python_blocks(name, nested.to_objects(arr), block)


@pytest.mark.parametrize("size", [0, 1, 100, 70_000])
@pytest.mark.parametrize("level", [1, 6, 9])
def test_deflate_by_either_library_gives_back_the_bytes(size, level, monkeypatch):
    data = bytes((i * 7919 // 13) % 251 for i in range(size)) + b"abc" * (size // 3)
    assert zlib.decompress(exportdata.deflate(data, level), -15) == data
    monkeypatch.setattr(compress, "_lib", [None])  # (zlib alone, as without libdeflate)
    assert zlib.decompress(exportdata.deflate(data, level), -15) == data


@pytest.mark.parametrize("size", [0, 1, 100, 70_000])
def test_the_page_s_gzip_by_either_library_gives_back_the_bytes(size, monkeypatch):
    data = bytes((i * 7919 // 13) % 251 for i in range(size)) + "é\x00".encode() * (size // 3)
    assert gzip.decompress(compress.gzip_bytes(data, 1)) == data  # (and its CRC and size)
    monkeypatch.setattr(compress, "_lib", [None])  # (zlib alone, as without libdeflate)
    assert gzip.decompress(compress.gzip_bytes(data, 1)) == data


def test_libdeflate_compresses_as_well_as_zlib():
    if compress.library() is None:
        pytest.skip("no libdeflate on this system")
    data = b"".join(orjson.dumps({"title": f"incident {i}", "n": i % 17}) for i in range(20_000))
    ours = exportdata.deflate(data)
    plain = zlib.compressobj(exportdata.LEVEL, zlib.DEFLATED, -15, 9)
    assert len(ours) <= 1.02 * len(plain.compress(data) + plain.flush())


@given(texts=st.lists(st.none() | st.text(max_size=6), max_size=8), skip=st.integers(0, 2))
def test_quoted_text_is_what_orjson_writes(texts, skip):
    arr = pa.array(texts, type=pa.large_string()).slice(min(skip, len(texts)))
    got = _quoted(arr).to_pylist()
    assert got == [None if t is None else orjson.dumps(t).decode() for t in texts[skip:]]


def test_a_sample_of_every_kth_row_takes_the_column_path(monkeypatch):
    """The size estimate's sample (every k-th incident) is encoded column by column too.

    (A strided float column once made the column path fail, so every estimate
    went through feature dicts.)
    """
    gdf = geodata.read(ROOT / "incidents.geojson")
    sample = gdf.iloc[::3]
    expected = list(exportdata.block_columns(sample.copy(), 7))

    def refused(_part):
        raise AssertionError("the column path refused the sample")

    monkeypatch.setattr(exportdata, "to_features", refused)
    assert list(exportdata.block_columns(sample, 7)) == expected


def test_deflate_on_several_threads_keeps_each_result_apart():
    """Each thread has its own compressor and buffer: results never mix."""
    from concurrent.futures import ThreadPoolExecutor

    pieces = [bytes([k % 251]) * (1000 + 997 * k) + str(k).encode() * k for k in range(40)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        packed = list(pool.map(exportdata.deflate, pieces))
    assert [zlib.decompress(p, -15) for p in packed] == pieces
