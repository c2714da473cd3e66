"""A small on-disk cache for data derived from installed packages.

Files here are rebuilt from their sources when missing, so the whole
directory is safe to delete at any time. Each file is written atomically
(a temporary file in the same directory, then a rename), so a reader never
sees half a file. A directory that cannot be created or written is not an
error: :func:`write_file` returns None and the caller keeps its data in
memory.

Where the directory is, first match wins:

1. the environment variable ``INCIDENT_MAP_CACHE``;
2. ``$XDG_CACHE_HOME/incident-map``;
3. ``~/.cache/incident-map``.

Examples
--------
>>> from geodata.cache import cache_dir
>>> cache_dir().name  # doctest: +SKIP
'incident-map'
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_dir", "prune", "write_file"]

#: Environment variable naming the cache directory.
CACHE_ENV = "INCIDENT_MAP_CACHE"


def cache_dir() -> Path:
    """Return the cache directory (it may not exist yet).

    Returns
    -------
    pathlib.Path
        ``$INCIDENT_MAP_CACHE``, else ``$XDG_CACHE_HOME/incident-map``, else
        ``~/.cache/incident-map``.
    """
    explicit = os.environ.get(CACHE_ENV, "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "incident-map"


def write_file(name: str, write: Callable[[str], None]) -> Path | None:
    """Write the cache file ``name`` atomically; None if the cache is unusable.

    Parameters
    ----------
    name : str
        File name inside :func:`cache_dir` (no directories).
    write : callable
        ``write(tmp_path)`` writes the content to a temporary path; it is
        renamed to the final name only when ``write`` returns.

    Returns
    -------
    pathlib.Path or None
        The written file, or None when the directory cannot be created or
        written (read-only, no home, disk full): the caller carries on
        without a cache.
    """
    if os.sep in name or (os.altsep and os.altsep in name):
        raise ValueError(f"cache file name must not contain a directory: {name!r}")
    directory = cache_dir()
    tmp = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
        os.close(fd)
        write(tmp)
        target = directory / name
        os.replace(tmp, target)
        tmp = None
        return target
    except OSError:
        return None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def prune(prefix: str, keep: str) -> list[Path]:
    """Delete cache files starting with ``prefix`` except ``keep``.

    Called after writing a new version of a file, so the cache holds one
    version of each kind of file (it stays bounded when packages are
    upgraded). Errors are ignored.

    Parameters
    ----------
    prefix : str
        Common start of the file names of one kind (``"gazetteer-"``).
    keep : str
        The current file's name.

    Returns
    -------
    list of pathlib.Path
        The files deleted.
    """
    removed = []
    try:
        entries = list(cache_dir().iterdir())
    except OSError:
        return removed
    for path in entries:
        bare = path.name.lstrip(".")
        if bare.startswith(prefix) and path.name != keep:
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed
