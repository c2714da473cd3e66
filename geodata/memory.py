"""Handing memory that is no longer used back to the system, after a big step.

Opening a million incidents allocates twice what the opened frame keeps (the
file's columns while they are checked and typed), then frees it. Neither
allocator returns it on its own: Arrow's pool (mimalloc) keeps freed pages for
later buffers, and glibc's ``malloc`` keeps freed small blocks (the Python
objects of a step: ids, JSON text) in its arenas. A server that opened a big
dataset held both, measured at 1.2 GB for a million incidents
(``docs/performance.md``, "memory at a million"). :func:`release` hands both
back; the loader's callers call it once a big step is over.

Examples
--------
>>> from geodata.memory import release
>>> release()
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

import pyarrow as pa

__all__ = ["release"]


@functools.cache
def _malloc_trim():
    """The C library's ``malloc_trim`` (glibc; None elsewhere: musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


def release() -> None:
    """Return freed memory to the system: Arrow's pool, then the C heap.

    Nothing in use is touched (no collection is made; what is still
    referenced stays). Takes a few milliseconds; safe from any thread.
    """
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
