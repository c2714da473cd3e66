"""The page's map files in the order the map needs them: what it draws first, details after.

:func:`mapapp.mapdata.write_data_files` makes the whole folder (the draw
payload and every properties block) before anyone reads it: 9 s at a million
incidents, most of it the blocks, which only a popup or the detail of an
incident needs. :func:`write_draw_first` makes the folder (empty) at once and
returns, so that the page sends the map straight away; a background thread
then writes the draw payload (while the browser loads the map's scripts),
and after it, at the lowest CPU priority, the blocks, and a
:data:`COMPLETE_FILE` marker after the last. Each file is written under a
temporary name and renamed: a reader never sees half of one. A file is
there, whole, or not yet (the map script asks again for a while:
``frontend/src/retry.js``).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
from pathlib import Path

import geopandas as gpd

from . import contract
from .mapdata import (
    DRAW_FILE,
    PROPS_DIR,
    draw_files,
    gzip_blocks,
    make_folder,
    props_block_name,
)

__all__ = ["COMPLETE_FILE", "MAP_FIRST_WAIT", "MAPS_COMING", "BlockWriter", "MapsComing",
           "write_draw_first"]

#: Written in the properties folder once every block is there.
COMPLETE_FILE = "complete"

_log = logging.getLogger(__name__)

#: Seconds a new folder's draw files wait, at most, for the page runs that will
#: send a map to have sent it (:data:`MAPS_COMING`).
MAP_FIRST_WAIT = 1.0


class MapsComing:
    """The page runs that will send a map frame and have not sent it yet.

    A session's first run waits for the dataset while the server reads it;
    once read, that run (Python) and the writing of the draw files (Python
    too, a second at a million) would share the interpreter's lock, and the
    map's frame, sent by the run, reached the browser about a second later
    (0.6-1.3 s in request timelines). The draw files wait, up to
    :data:`MAP_FIRST_WAIT`, for such runs to have sent their maps: the
    browser then loads the map's scripts while the files are written.
    """

    def __init__(self):
        self._count = 0
        self._cond = threading.Condition()

    def add(self):
        """Count one run; returns its ``sent()``, to call once its map is sent (again: nothing)."""
        with self._cond:
            self._count += 1
        done = threading.Event()

        def sent() -> None:
            with self._cond:
                if not done.is_set():
                    done.set()
                    self._count -= 1
                    self._cond.notify_all()

        return sent

    def wait(self, timeout: float) -> bool:
        """Wait until no run is counted, at most ``timeout`` s; True when none is."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count == 0, timeout)


#: The one count of the process (the page's runs and the writers share it).
MAPS_COMING = MapsComing()


class BlockWriter:
    """The background write of a folder's properties blocks.

    Attributes
    ----------
    folder : pathlib.Path
        The properties folder.
    error : BaseException or None
        Why the write stopped early (None while it goes, or when it ended well).
    """

    def __init__(self, gdf: gpd.GeoDataFrame, folder: Path, block: int,
                 colors: dict[str, str] | None = None):
        self.folder = folder
        self.error: BaseException | None = None
        self._drawn = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(gdf, int(block), colors),
                                        name=f"incident-map-blocks-{folder.parent.name}",
                                        daemon=True)

    def start(self) -> BlockWriter:
        """Start the write (once); returns the writer."""
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the last block; True when every block is written."""
        self._thread.join(timeout)
        return self.done

    def wait_draw(self, timeout: float | None = None) -> bool:
        """Wait for the draw payload; True when it is written."""
        self._drawn.wait(timeout)
        return (self.folder.parent / DRAW_FILE).is_file()

    @property
    def done(self) -> bool:
        """Whether every block is written (the :data:`COMPLETE_FILE` marker is there)."""
        return (self.folder / COMPLETE_FILE).is_file()

    def _run(self, gdf: gpd.GeoDataFrame, block: int, colors) -> None:
        collecting = gc.isenabled()
        gc.disable()  # (as mapdata: nothing here holds a cycle; a collection walks the frame)
        try:
            MAPS_COMING.wait(MAP_FIRST_WAIT)  # (the map's frame first, then these files)
            try:
                for name, data in draw_files(gdf, colors):  # (DRAW_FILE last: both are there)
                    _write_atomically(self.folder.parent / name, data)
            finally:
                self._drawn.set()
            background()
            _write_blocks_atomically(gdf, self.folder, block)
            (self.folder / COMPLETE_FILE).write_bytes(b"")
        except FileNotFoundError as exc:  # (the folder was dropped meanwhile: nobody reads it)
            self.error = exc
        except Exception as exc:  # noqa: BLE001 (a thread's error is kept and logged, not raised)
            self.error = exc
            _log.warning("the details of the map's incidents could not be written to %s: %s",
                         self.folder, exc)
        finally:
            if collecting:
                gc.enable()


def background() -> None:
    """Give the calling thread the lowest CPU priority (Linux: threads are scheduled alone).

    The blocks are for later (a popup): the script run, the map's draw
    payload being served and the browser drawing it come first on a busy
    machine. Elsewhere, or when not allowed, nothing changes.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


def _write_blocks_atomically(gdf: gpd.GeoDataFrame, folder: Path, block: int) -> None:
    """``folder/N.json.gz``, each written under a temporary name and renamed."""
    for number, data in gzip_blocks(gdf, block, initializer=background):
        _write_atomically(folder / props_block_name(number), data)


def _write_atomically(final: Path, data: bytes) -> None:
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, final)


def write_draw_first(
    gdf: gpd.GeoDataFrame,
    directory: str | os.PathLike,
    *,
    colors: dict[str, str] | None = None,
    block: int = contract.PROPS_BLOCK,
) -> BlockWriter | None:
    """Make ``directory`` now; write its draw payload, then its properties blocks, after.

    The folder (with an empty ``props/``) is made in a temporary sibling and
    renamed into place; the draw payload and the blocks (the same files as
    :func:`mapapp.mapdata.write_data_files`) follow in a background thread
    (:meth:`BlockWriter.wait_draw` waits for the first).

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The whole dataset (not modified; held by the thread until it ends).
    directory : str or os.PathLike
        The dataset's own folder (its parent is created if needed).
    colors : dict, optional
        Actor colours (default: :func:`mapapp.mapdata.actor_colors` of ``gdf``).
    block : int, default mapapp.contract.PROPS_BLOCK
        Incidents per properties block (at least 1).

    Returns
    -------
    BlockWriter or None
        The blocks' writer (already started); None when the folder was there.

    Raises
    ------
    ValueError
        If ``block`` is below 1.
    OSError
        When the folder cannot be made.
    """
    if int(block) < 1:
        raise ValueError(f"'block' should be at least 1, got {block!r}")
    directory = Path(directory)
    if (directory / PROPS_DIR).is_dir():  # (made: its files are there or on their way)
        return None
    try:
        if not make_folder(directory, lambda tmp: (tmp / PROPS_DIR).mkdir()):
            return None
    except OSError:
        if (directory / PROPS_DIR).is_dir():  # (another writer made it meanwhile)
            return None
        raise
    return BlockWriter(gdf, directory / PROPS_DIR, int(block), colors).start()
