"""Opening the page's dataset when the server starts, before the first visitor asks.

``streamlit run mapapp/app.py`` starts the page as a Streamlit ``st.App``
whose lifespan calls :func:`start`: a background thread opens the dataset
(the same read, kept for every session, as a visitor's would be) and writes
its map files, while the server already answers. A visitor who comes
meanwhile waits for that read with its progress bar; one who comes later
finds the map ready to draw. The server's console says when it is ready, or
why it could not be opened (the page then says it too, to the visitor).
``INCIDENT_MAP_OPEN_AT_START=0`` leaves the opening to the first visitor.
(This module is outside :mod:`mapapp.page`, whose modules it imports once
Streamlit's runtime is up.)

Nothing here is needed for the page to work: under a Streamlit without
``st.App``, or in Streamlit's test harness, the first visitor opens the
dataset as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from geodata.errors import GeodataError

__all__ = ["OPEN_AT_START_ENV", "RUNTIME_WAIT", "THREAD", "lifespan", "start", "warm"]

#: Seconds the thread waits for Streamlit's runtime to be up before giving up.
RUNTIME_WAIT = 120.0
#: The thread's name.
THREAD = "incident-map-warmup"
#: Environment variable: ``0`` leaves the dataset to the first visitor (default ``1``).
OPEN_AT_START_ENV = "INCIDENT_MAP_OPEN_AT_START"


_log = logging.getLogger(__name__)


class _Quiet(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" notes from this module's thread.

    The thread uses the page's shared stores (``st.cache_resource``) with no
    visitor, on purpose; Streamlit notes each such call.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD


def _say(text: str) -> None:
    sys.stderr.write(f"Incident map: {text}\n")
    sys.stderr.flush()


def _runtime_up(deadline: float) -> bool:
    from streamlit import runtime

    while not runtime.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def warm(path: str, *, say: Callable[[str], None] = _say,
         wait: float = RUNTIME_WAIT) -> bool:
    """Open the dataset at ``path`` and write its map files; say how it went.

    Parameters
    ----------
    path : str
        The page's dataset.
    say : callable
        Where the one line about it goes (the server's console).
    wait : float
        Seconds to wait for Streamlit's runtime.

    Returns
    -------
    bool
        True when the dataset is open and its files are being written.
    """
    name = Path(path).name
    if not _runtime_up(time.monotonic() + wait):
        say(f"{name} not opened in advance: the server did not start within {wait:.0f} s")
        return False
    from .page import prepare  # (the page's modules, once Streamlit's runtime is up)
    from .page.load import prepare_path
    started = time.perf_counter()
    try:
        dataset = prepare_path(path, prepare)
    except FileNotFoundError:
        say(f"{name}: no such file (the page says so too)")
        return False
    except (OSError, GeodataError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        say(f"{name} could not be opened: {first}")
        return False
    except Exception as exc:  # noqa: BLE001 (a fault of ours: the first visitor opens it)
        _log.debug("opening %s at the start failed", path, exc_info=True)
        say(f"{name} not opened in advance ({type(exc).__name__}: {exc}); "
            "the first visitor opens it")
        return False
    say(f"{name} is open, {dataset.total:,} incidents, in "
        f"{time.perf_counter() - started:.1f} s; the page is ready")
    return True


def start(path: str, **kwargs) -> threading.Thread:
    """Run :func:`warm` in a background (daemon) thread; returns the thread."""
    logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    if not any(isinstance(f, _Quiet) for f in logger.filters):
        logger.addFilter(_Quiet())
    thread = threading.Thread(target=warm, args=(path,), kwargs=kwargs, name=THREAD,
                              daemon=True)
    thread.start()
    return thread


@contextlib.asynccontextmanager
async def lifespan(_app):
    """The ``st.App`` lifespan: open the page's dataset while the server starts.

    Not with ``INCIDENT_MAP_OPEN_AT_START=0``: then the first visitor opens it.
    """
    if os.environ.get(OPEN_AT_START_ENV, "1").strip() != "0":
        from .page.load import dataset_path

        start(dataset_path())
    yield
