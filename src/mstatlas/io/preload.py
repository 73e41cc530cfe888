"""What the checks of a large file need, loaded while the file is being read.

A process's first large upload would otherwise stop in the middle of its checks
to load Polars (the duplicate check hashes the rows of large files with it), the
country names and the offline place index. :func:`start` loads them in a
background thread while the file is read: the reader works in Arrow without
holding the interpreter, so the loading runs beside it. Once per process; the
upload page's warm-up (:func:`mstatlas.io.warm_up`) loads the same earlier.
Small files do not start it (their checks do not need Polars).
"""

from __future__ import annotations

import os
import threading

#: From this size on (about 200,000 firm rows) a file starts the loading.
LARGE_FILE_BYTES = 8 * 1024**2

_lock = threading.Lock()
_started: list[threading.Thread] = []


def start(source: str | os.PathLike[str] | bytes) -> threading.Thread | None:
    """Start loading in the background if ``source`` is a large file, once per process.

    Parameters
    ----------
    source : str, path-like or bytes
        The file about to be read, or its content.

    Returns
    -------
    threading.Thread or None
        The loading thread when this call started it (for tests to join), else None.
    """
    if _size(source) < LARGE_FILE_BYTES:
        return None
    with _lock:
        if _started:
            return None
        thread = threading.Thread(target=_load, name="mstatlas-preload", daemon=True)
        _started.append(thread)
    thread.start()
    return thread


def _size(source: str | os.PathLike[str] | bytes) -> int:
    if isinstance(source, bytes | bytearray | memoryview):
        return len(source)
    try:
        return os.path.getsize(source)
    except (OSError, TypeError, ValueError):
        return 0  # not a file we can measure: the upload itself says what is wrong


def _load() -> None:
    """Load, in the order the checks need them: the empty tables every upload starts
    from, the country names, Polars, the place index (each only once per process)."""
    from mstatlas.data.countries import country_to_iso2
    from mstatlas.data.geocode import geocode
    from mstatlas.io.context import no_profiles

    no_profiles()
    country_to_iso2("Deutschland")
    import polars  # noqa: F401

    geocode("Dortmund", "DE")  # loads the place index (under its lock)
