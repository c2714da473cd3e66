"""Opening the dataset at a path once for every session, with a progress bar while it takes.

The first open of a big GeoJSON or CSV file converts it (:mod:`geodata.framecache`):
the page says so, names the file and its size, and shows the stage and how far
it is (:class:`geodata.progress.Step`). A session that asks for the same file
while another one converts it waits for that conversion (one copy, read once),
showing the same progress. The datasets are kept in one
:class:`PathDatasets` per server (``st.cache_resource``), the newest
:data:`MAX_DATASETS`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from geodata import framecache
from geodata.progress import Step

from ..state import Dataset, load_dataset
from .text import md

__all__ = ["MAX_DATASETS", "PathDatasets", "open_path", "read_path", "size_text"]

#: How many datasets opened from paths the server keeps (the newest used).
MAX_DATASETS = 4
#: Seconds between two looks, by a session waiting for another's conversion, at its progress.
_POLL = 0.25


class PathDatasets:
    """Datasets read from paths, one copy each, shared by every session.

    A dataset is read by the first session that asks for it; the others wait
    for it (and can follow its progress through :meth:`step`). A read that
    fails is not kept (the next session tries again).
    """

    def __init__(self, limit: int = MAX_DATASETS):
        self.limit = int(limit)
        self._lock = threading.Lock()
        self._kept: OrderedDict[tuple, Dataset] = OrderedDict()
        self._reading: dict[tuple, threading.Lock] = {}
        self._steps: dict[tuple, Step] = {}

    def peek(self, key: tuple) -> Dataset | None:
        """The dataset if it is read already, else None."""
        with self._lock:
            dataset = self._kept.get(key)
            if dataset is not None:
                self._kept.move_to_end(key)
            return dataset

    def step(self, key: tuple) -> Step | None:
        """How far the read of ``key`` under way is (None when none is)."""
        with self._lock:
            return self._steps.get(key)

    def get(self, key: tuple, read: Callable[[Callable[[Step], None]], Dataset],
            waiting: Callable[[Step | None], None] | None = None) -> Dataset:
        """The dataset under ``key``: kept, or read now by ``read(progress)``, once.

        Parameters
        ----------
        key : tuple
            What names the file's content (path, modification time, size).
        read : callable
            ``read(progress)`` returns the dataset, calling ``progress(step)``.
        waiting : callable, optional
            Called with the reader's last step while this call waits for
            another thread's read of the same key.

        Returns
        -------
        Dataset
        """
        dataset = self.peek(key)
        if dataset is not None:
            return dataset
        with self._lock:
            lock = self._reading.setdefault(key, threading.Lock())
        while not lock.acquire(timeout=_POLL):
            if waiting is not None:
                waiting(self.step(key))
        try:
            dataset = self.peek(key)
            if dataset is not None:
                return dataset

            def progress(step: Step) -> None:
                with self._lock:
                    self._steps[key] = step

            dataset = read(progress)
            with self._lock:
                self._kept[key] = dataset
                while len(self._kept) > self.limit:
                    self._kept.popitem(last=False)
            return dataset
        finally:
            with self._lock:
                self._steps.pop(key, None)
                self._reading.pop(key, None)
            lock.release()


@st.cache_resource(show_spinner=False)
def _datasets() -> PathDatasets:
    return PathDatasets()


def size_text(size: int) -> str:
    """A file size for people: ``"850 KB"``, ``"12.4 MB"``, ``"1.2 GB"``."""
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GB"
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    return f"{max(size, 1) / 1024:.0f} KB"


def _headline(path: str, size: int) -> str:
    """What the page says while the file at ``path`` is opened the first time."""
    name = f"{md(Path(path).name)} ({size_text(size)})"
    if Path(path).suffix.lower() in (".parquet", ".geoparquet"):
        return f"Reading {name}"
    if size < framecache.MIN_BYTES:
        return f"Reading {name}"
    return f"Converting {name} once; next time it opens from the working copy"


def _bar_text(headline: str, step: Step | None) -> str:
    if step is None:
        return headline
    percent = "" if step.fraction is None else f" ({100 * step.fraction:.0f}%)"
    if step.stage == "open":
        return f"{headline.split(';')[0].replace('Converting', 'Opening')} from its working copy"
    return f"{headline}: {md(step.label)}{percent}"


def read_path(path: str, mtime_ns: int, size: int) -> Dataset:
    """The dataset at ``path``, read once for every session, with no page to show progress on.

    A page that asks meanwhile waits for this read and shows its progress
    (:func:`open_path`). Parameters, return value and errors as for
    :func:`open_path`.
    """
    return _datasets().get((path, mtime_ns, size),
                           lambda progress: load_dataset(path, lenient=True, progress=progress))


def open_path(path: str, mtime_ns: int, size: int) -> Dataset:
    """The dataset at ``path``, read once for every session, with a progress bar meanwhile.

    Parameters
    ----------
    path : str
        The file.
    mtime_ns, size : int
        Its modification time and size (a changed file is read again).

    Returns
    -------
    Dataset

    Raises
    ------
    geodata.GeodataError
        When the file cannot be read at all.
    """
    store = _datasets()
    key = (path, mtime_ns, size)
    # The bar's place is taken on every run, read or not: a place there on the
    # first run only would shift the rest of the page by one on the next, and
    # Streamlit would show the old panels beside the new ones until it ends.
    slot = st.empty()
    dataset = store.peek(key)
    if dataset is not None:
        return dataset
    headline = _headline(path, size)
    bar = slot.progress(0.0, text=headline)
    shown = {"fraction": 0.0}

    def show(step: Step | None) -> None:
        if step is not None and step.fraction is not None:
            shown["fraction"] = step.fraction
        bar.progress(min(max(shown["fraction"], 0.0), 1.0), text=_bar_text(headline, step))

    def read(progress: Callable[[Step], None]) -> Dataset:
        def both(step: Step) -> None:
            progress(step)
            show(step)

        return load_dataset(path, lenient=True, progress=both)

    try:
        return store.get(key, read, waiting=show)
    finally:
        slot.empty()
