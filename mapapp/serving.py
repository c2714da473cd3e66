"""Where the page's files live and who may fetch them: outside the package, per session.

Everything the page writes goes under :func:`page_dir` (below
:func:`geodata.cache.cache_dir`, environment variable ``INCIDENT_MAP_CACHE``),
never inside ``mapapp/``, so a read-only install works and the whole folder is
safe to delete while no server runs:

- ``static/``: the map's scripts and stylesheets
  (:func:`mapapp.assets.write_static`), the same for every visitor, and the
  page's map frame, ``index.html`` (the same folder served as the component
  :data:`MAP_COMPONENT`, whose value is a click: :mod:`mapapp.page.mapframe`);
- ``run-<pid>-<random>/``: one folder per running server, removed when it
  stops (and by the next server if it was killed). In it ``d/<random>/``
  holds each dataset's map files (:func:`mapapp.mapdata.write_data_files`),
  written once and shared by every session that shows the dataset, and
  ``s/<token>`` is one session's link to one of them.

Streamlit serves them through custom components
(``components.declare_component(name, path=DIR)`` serves ``DIR`` at
``/component/<module>.<name>/``; Streamlit checks that a path stays inside
``DIR`` after symlinks are resolved, sets no ``Access-Control-Allow-Origin``
unless CORS is turned off, and reads each file whole, so no file it serves
grows with the dataset). A visitor's map fetches its data at
``/component/mapapp.serving.data/s/<token>/...``: the token is random
(144 bits), made for that session and that dataset, and never derived from
the content. :class:`DataStore` keeps the links and datasets:

- a session holds one link; asking for another dataset drops the old one;
- a link goes when its session has been gone from Streamlit's runtime for
  the grace period (``server.disconnectedSessionTTL``, as long as Streamlit
  lets a disconnected session come back);
- a dataset's folder goes when no link uses it, except that the most
  recently used few of the page's own datasets (not uploads) are kept, so
  the next visitor does not wait for them to be written again.

Examples
--------
>>> import tempfile
>>> store = DataStore(Path(tempfile.mkdtemp()), grace=0)
>>> token = store.acquire("session-1", "data-1", lambda d: d.mkdir())
>>> store.acquire("session-1", "data-1", lambda d: d.mkdir()) == token
True
>>> store.sweep(lambda session: False)
>>> store.users("data-1")
0
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geodata.cache import CACHE_ENV, cache_dir

__all__ = [
    "DATA_COMPONENT",
    "MAP_COMPONENT",
    "MAP_FRAME_PATH",
    "STATIC_COMPONENT",
    "DataStore",
    "ServingError",
    "component_url",
    "page_dir",
    "run_dir",
    "static_dir",
]

#: Names of the two components (Streamlit prefixes the module: ``mapapp.serving.data``).
STATIC_COMPONENT = "static"
DATA_COMPONENT = "data"
#: The page's map frame: the static folder's ``index.html`` (``mapapp.serving.map``).
MAP_COMPONENT = "map"
#: The path of the page's map frame (its URL adds Streamlit's query): what tests,
#: benchmarks and tools look for among a page's frames (``tests/mapjs.py is_map_frame``).
MAP_FRAME_PATH = f"/component/{__name__}.{MAP_COMPONENT}/index.html"
#: How many unused datasets of the page's own files (not uploads) stay written.
KEEP_UNUSED = 2
#: Seconds between two sweeps of the links of sessions that are gone.
SWEEP_EVERY = 15.0


class ServingError(OSError):
    """The page cannot write its files (the message names the folder and the fix)."""


def page_dir() -> Path:
    """The folder of everything the page writes: ``cache_dir()/page``.

    Returns
    -------
    pathlib.Path
        It may not exist yet.
    """
    return cache_dir() / "page"


def _usable(directory: Path) -> Path:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".probe-{os.getpid()}-{secrets.token_hex(4)}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ServingError(
            f"the page cannot write its files to {directory} ({exc.strerror or exc}); "
            f"point the environment variable {CACHE_ENV} at a writable folder"
        ) from exc
    return directory


def static_dir() -> Path:
    """The folder of the map's scripts and stylesheets, created and checked.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ServingError
        If it cannot be written.
    """
    return _usable(page_dir() / "static")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (another user's process)
        return True
    return True


def _remove_dead_runs(parent: Path) -> None:
    """Remove the run folders of servers that no longer run (killed ones included)."""
    for run in parent.glob("run-*"):
        try:
            pid = int(run.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(run, ignore_errors=True)


_RUN: Path | None = None
_RUN_LOCK = threading.Lock()


def run_dir() -> Path:
    """The folder of this server's data files (made once, removed when the process exits).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ServingError
        If it cannot be written.
    """
    global _RUN
    with _RUN_LOCK:
        if _RUN is None or not _RUN.is_dir():
            parent = _usable(page_dir())
            _remove_dead_runs(parent)
            run = parent / f"run-{os.getpid()}-{secrets.token_hex(8)}"
            run.mkdir(mode=0o700)
            atexit.register(shutil.rmtree, run, True)
            _RUN = run
        return _RUN


def component_url(name: str, path: str = "") -> str:
    """The URL of ``path`` in one of this module's components.

    Parameters
    ----------
    name : str
        :data:`STATIC_COMPONENT` or :data:`DATA_COMPONENT`.
    path : str
        Path below the component's folder (POSIX separators).

    Returns
    -------
    str
        E.g. ``"/component/mapapp.serving.static/leaflet/leaflet.js"``.
    """
    return f"/component/{__name__}.{name}/{path}"


def declare(name: str, directory: Path):
    """Let Streamlit serve ``directory`` as component ``name`` (call in a script run).

    Returns
    -------
    streamlit.components.v1.components.CustomComponent
        The component (called with its arguments, it shows ``index.html``).
    """
    import streamlit.components.v1 as components

    return components.declare_component(name, path=str(directory))


@dataclass(eq=False)
class _Dataset:
    folder: Path
    keep: bool
    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: set[str] = field(default_factory=set)
    pending: int = 0
    used: float = field(default_factory=time.monotonic)


@dataclass
class _Link:
    session: str
    key: str
    gone_since: float | None = None


class DataStore:
    """Datasets' map files, written once, each reachable by per-session links only.

    Parameters
    ----------
    root : pathlib.Path
        The folder Streamlit serves (the data component's): ``d/`` and ``s/``
        are made in it.
    grace : float, default 120
        Seconds a session may be gone from the runtime (disconnected) before
        its links go.
    keep_unused : int, default KEEP_UNUSED
        How many datasets written with ``keep=True`` stay when no session
        uses them (the most recently used); others go at once.
    """

    def __init__(self, root: Path, *, grace: float = 120.0, keep_unused: int = KEEP_UNUSED):
        self.root = Path(root)
        self.grace = float(grace)
        self.keep_unused = int(keep_unused)
        self._lock = threading.Lock()
        self._datasets: dict[str, _Dataset] = {}
        self._links: dict[str, _Link] = {}
        self._by_session: dict[str, str] = {}

    def acquire(self, session: str, key: str, write: Callable[[Path], None], *,
                keep: bool = False) -> str:
        """The session's token for dataset ``key``, its files written if needed.

        The same session asking for the same dataset gets the same token
        (so its map keeps its URLs); asking for another one drops its old
        link. Another session gets a token of its own to the same files.

        Parameters
        ----------
        session : str
            The Streamlit session id.
        key : str
            The dataset's key (its content or path); never shown to anyone.
        write : callable
            ``write(folder)`` makes ``folder`` with the dataset's map files
            (called once per dataset, not under the store's lock).
        keep : bool, default False
            Keep the files a while when no session uses them (the page's own
            dataset); uploads (False) go as soon as their last session does.

        Returns
        -------
        str
            The token: the files are at ``s/<token>/`` below :attr:`root`.
        """
        reuse = self._reuse(session, key)
        if reuse is not None:
            self.sweep_later()
            return reuse
        with self._lock:
            entry = self._datasets.get(key)
            if entry is None:
                entry = _Dataset(self.root / "d" / secrets.token_hex(16), keep)
                self._datasets[key] = entry
            entry.keep = entry.keep or keep
            entry.pending += 1
        try:
            with entry.lock:
                if not entry.folder.is_dir():
                    entry.folder.parent.mkdir(parents=True, exist_ok=True)
                    write(entry.folder)
            with self._lock:
                self._drop_session(session)
                token = secrets.token_urlsafe(18)
                links = self.root / "s"
                links.mkdir(parents=True, exist_ok=True)
                os.symlink(f"../d/{entry.folder.name}", links / token, target_is_directory=True)
                self._links[token] = _Link(session, key)
                self._by_session[session] = token
                entry.tokens.add(token)
                entry.used = time.monotonic()
        finally:
            with self._lock:
                entry.pending -= 1
                self._prune()  # (the session's earlier dataset, if nobody else uses it)
        self.sweep_later()
        return token

    def _reuse(self, session: str, key: str) -> str | None:
        """The session's token if it already links to dataset ``key``."""
        with self._lock:
            token = self._by_session.get(session)
            link = self._links.get(token) if token else None
            if link is None or link.key != key or not (self.root / "s" / token).is_symlink():
                return None
            self._datasets[key].used = time.monotonic()
            link.gone_since = None
            return token

    def release(self, session: str) -> None:
        """Drop the session's link now (its dataset goes if nobody else uses it)."""
        with self._lock:
            self._drop_session(session)
            self._prune()

    def users(self, key: str) -> int:
        """How many links dataset ``key`` has (0 when it is not written)."""
        with self._lock:
            entry = self._datasets.get(key)
            return len(entry.tokens) if entry else 0

    def folder(self, key: str) -> Path | None:
        """The folder of dataset ``key``'s files, if it is written."""
        with self._lock:
            entry = self._datasets.get(key)
            return entry.folder if entry and entry.folder.is_dir() else None

    def sweep(self, is_active: Callable[[str], bool]) -> None:
        """Drop the links of sessions gone longer than the grace, then unused datasets.

        Parameters
        ----------
        is_active : callable
            ``is_active(session)``: whether the runtime still has the session.
        """
        now = time.monotonic()
        with self._lock:
            for link in list(self._links.values()):
                if is_active(link.session):
                    link.gone_since = None
                    continue
                link.gone_since = link.gone_since if link.gone_since is not None else now
                if now - link.gone_since >= self.grace:
                    self._drop_session(link.session)
            self._prune()

    # ------------------------------------------------------------- helpers

    def _drop_session(self, session: str) -> None:
        token = self._by_session.pop(session, None)
        link = self._links.pop(token, None) if token else None
        if link is None:
            return
        with contextlib.suppress(FileNotFoundError):
            (self.root / "s" / token).unlink()
        entry = self._datasets.get(link.key)
        if entry is not None:
            entry.tokens.discard(token)
            entry.used = time.monotonic()

    def _prune(self) -> None:
        unused = [(k, e) for k, e in self._datasets.items() if not e.tokens and not e.pending]
        kept = sorted((p for p in unused if p[1].keep), key=lambda p: -p[1].used)
        doomed = [p for p in unused if not p[1].keep] + kept[self.keep_unused:]
        for key, entry in doomed:
            del self._datasets[key]
            shutil.rmtree(entry.folder, ignore_errors=True)

    _sweeper: threading.Thread | None = None
    _is_active: Callable[[str], bool] | None = None

    def start_sweeping(self, is_active: Callable[[str], bool],
                       every: float = SWEEP_EVERY) -> None:
        """Sweep in a background thread every ``every`` seconds (once per store)."""
        with self._lock:
            self._is_active = is_active
            if self._sweeper is not None:
                return

            def loop() -> None:
                while True:
                    time.sleep(every)
                    with contextlib.suppress(Exception):  # (a sweep must never end the thread)
                        self.sweep(is_active)

            self._sweeper = threading.Thread(target=loop, name="incident-map-sweeper",
                                             daemon=True)
            self._sweeper.start()

    def sweep_later(self) -> None:
        """Sweep now with the checker given to :meth:`start_sweeping`, if any."""
        if self._is_active is not None:
            self.sweep(self._is_active)
