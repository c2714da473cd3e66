"""Raw deflate for the export, by libdeflate where the system has it, else by zlib.

The export's data is deflated (``DecompressionStream('deflate-raw')`` in the
browser reads it), and deflate took about 40 % of the export's CPU. The
system's libdeflate (``libdeflate.so.0``, Debian's ``libdeflate0``: a
dependency of common image and PDF libraries), called through :mod:`ctypes`
(which lets go of the GIL, so two threads compress at once), compresses the
same data at the same level to the same size in half zlib's time (90 MB of
the benchmark's blocks at level 6: 0.47 s against 0.96 s, 7.22 MB either
way). Its stream differs from zlib's bit for bit but inflates to the same
bytes; without the library, :func:`deflate` is zlib's, as before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gzip
import os
import struct
import threading
import zlib

__all__ = ["deflate", "gzip_bytes", "library"]

_local = threading.local()
_lib: list = []


def _load():
    """The libdeflate library with its functions' types, or None."""
    if os.environ.get("INCIDENT_MAP_NO_LIBDEFLATE"):
        return None
    def names():
        yield from ("libdeflate.so.0", "libdeflate.dylib", "libdeflate.dll")
        yield ctypes.util.find_library("deflate")  # (runs ldconfig or the like: last)

    for name in (n for n in names() if n):
        try:
            lib = ctypes.CDLL(name)
            alloc = lib.libdeflate_alloc_compressor
            compress = lib.libdeflate_deflate_compress
            bound = lib.libdeflate_deflate_compress_bound
            lib.libdeflate_free_compressor  # noqa: B018 (present, or the next name)
        except (OSError, AttributeError):
            continue
        alloc.restype, alloc.argtypes = ctypes.c_void_p, [ctypes.c_int]
        compress.restype = ctypes.c_size_t
        compress.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                             ctypes.c_void_p, ctypes.c_size_t]
        bound.restype, bound.argtypes = ctypes.c_size_t, [ctypes.c_void_p, ctypes.c_size_t]
        lib.libdeflate_free_compressor.argtypes = [ctypes.c_void_p]
        return lib
    return None


def library():
    """The system's libdeflate (loaded once), or None where it is missing or turned off.

    ``INCIDENT_MAP_NO_LIBDEFLATE=1`` turns it off (zlib alone).
    """
    if not _lib:
        _lib.append(_load())
    return _lib[0]


class _Compressor:
    """A libdeflate compressor, freed with this object (when its thread ends)."""

    def __init__(self, lib, level: int):
        self.lib = lib
        self.handle = lib.libdeflate_alloc_compressor(level)
        if not self.handle:
            raise MemoryError("libdeflate could not make a compressor")

    def __del__(self):
        self.lib.libdeflate_free_compressor(ctypes.c_void_p(self.handle))


def _compressor(lib, level: int) -> int:
    """The calling thread's libdeflate compressor of ``level`` (compressors are not shared)."""
    compressors = getattr(_local, "compressors", None)
    if compressors is None:
        compressors = _local.compressors = {}
    if level not in compressors:
        compressors[level] = _Compressor(lib, level)
    return compressors[level].handle


#: The largest output buffer a thread keeps for its next call (the export's blocks are far
#: smaller; a million incidents' draw file would have kept 57 MB while its thread wrote on).
_KEPT_BUFFER = 8 << 20


def deflate(data: bytes, level: int) -> bytes:
    """Raw deflate of ``data`` (no header), at ``level`` (1-9).

    Parameters
    ----------
    data : bytes
    level : int

    Returns
    -------
    bytes
        What ``zlib.decompress(out, -15)`` gives back as ``data``.
    """
    lib = library()
    data = bytes(data)  # (no copy of bytes; a bytearray or memoryview is copied)
    if lib is None or not data:
        c = zlib.compressobj(level, zlib.DEFLATED, -15, 9)
        return c.compress(data) + c.flush()
    handle = _compressor(lib, level)
    room = lib.libdeflate_deflate_compress_bound(handle, len(data))
    out = getattr(_local, "out", None)
    if room > _KEPT_BUFFER:  # (a big one-off, the page's draw file: not kept by its thread)
        out = ctypes.create_string_buffer(room)
    elif out is None or len(out) < room:  # (one buffer per thread, grown as needed)
        out = _local.out = ctypes.create_string_buffer(room)
    size = lib.libdeflate_deflate_compress(handle, data, len(data), out, room)
    if not size:  # (cannot happen with the bound's room)
        raise RuntimeError("libdeflate could not compress the data")
    return ctypes.string_at(out, size)


#: A gzip member's header: deflate, no name nor time, no operating system named.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


def gzip_bytes(data: bytes, level: int) -> bytes:
    """``data`` gzip'd at ``level`` (1-9), by libdeflate where the system has it.

    At level 1, a million incidents' draw file (57 MB of JSON): 0.23 s against
    zlib's 0.50 s, and 7 % smaller. What ``gzip.decompress`` (and the browser's
    ``DecompressionStream('gzip')``) gives back as ``data``.

    Parameters
    ----------
    data : bytes
    level : int

    Returns
    -------
    bytes
    """
    if library() is None:
        return gzip.compress(data, compresslevel=level, mtime=0)
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + deflate(data, level) + trailer
