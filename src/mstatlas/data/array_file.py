"""Named numpy arrays in one file, read back without copying or unzipping.

The geocoder's place index (:mod:`mstatlas.data.geocode`) is stored this way in
the user's cache folder. A file is: a magic line, the length of a JSON header,
the header (a text the caller chooses, a CRC-32 of the payload, and per array
its name, type, length and position), then the arrays' bytes, each starting at a
multiple of 8. Reading takes the whole file in one read and makes each array a
view of those bytes (``numpy.frombuffer``); the CRC-32 catches a damaged or
truncated file, which is then reported as absent, never used.

Compared with ``numpy.savez``/``numpy.load`` (a zip archive: its members parsed,
checked and copied one by one), this reads an index of about 7 MB in a few
milliseconds instead of about 30.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import Final

import numpy as np

_MAGIC: Final = b"mstatlas arrays\n"
#: The only element types stored: no objects, no byte-order surprises.
_DTYPES: Final = frozenset(["|u1", "|b1", "<i4", "<i8", "<f8"])


def _aligned(n: int) -> int:
    return (n + 7) // 8 * 8


def write_arrays(path: Path, arrays: dict[str, np.ndarray], meta: str) -> None:
    """Write ``arrays`` and ``meta`` to ``path`` atomically (a temporary file, then a rename).

    Parameters
    ----------
    path : pathlib.Path
        Where to write; its folder is created if missing.
    arrays : dict of str to numpy.ndarray
        One-dimensional arrays of unsigned bytes, booleans, 32/64-bit integers or
        64-bit floats (little-endian).
    meta : str
        A text stored beside the arrays; :func:`read_arrays` returns the arrays
        only when it is given the same text.

    Raises
    ------
    OSError
        When the file cannot be written (nothing is left behind).
    ValueError
        For an array that is not one-dimensional or of another type.
    """
    entries: list[list[object]] = []
    parts: list[bytes] = []
    pos = 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        if arr.ndim != 1 or arr.dtype.str not in _DTYPES:
            raise ValueError(f"cannot store array {name!r} of {arr.dtype.str}{arr.shape}")
        data = arr.tobytes()
        entries.append([name, arr.dtype.str, len(arr), pos])
        parts.append(data + b"\0" * (_aligned(len(data)) - len(data)))
        pos += _aligned(len(data))
    payload = b"".join(parts)
    header = json.dumps({"meta": meta, "crc32": zlib.crc32(payload), "arrays": entries}).encode()
    header += b" " * (_aligned(len(header)) - len(header))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + len(header).to_bytes(8, "little") + header + payload)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_arrays(path: Path, meta: str) -> dict[str, np.ndarray] | None:
    """The arrays stored at ``path`` by :func:`write_arrays`, as read-only views.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    meta : str
        The text it must have been written with.

    Returns
    -------
    dict of str to numpy.ndarray or None
        ``None`` when the file is missing, unreadable, of another format, written
        with another ``meta``, truncated or damaged (its CRC-32 differs).
    """
    try:
        data = path.read_bytes()
        if not data.startswith(_MAGIC):
            return None
        start = len(_MAGIC) + 8
        end = start + int.from_bytes(data[len(_MAGIC) : start], "little")
        header = json.loads(data[start:end])
        if header["meta"] != meta:
            return None
        payload = memoryview(data)[end:]
        if zlib.crc32(payload) != header["crc32"]:
            return None
        out: dict[str, np.ndarray] = {}
        for name, dtype, count, offset in header["arrays"]:
            if dtype not in _DTYPES:
                return None
            out[name] = np.frombuffer(payload, dtype=np.dtype(dtype), count=count, offset=offset)
        return out
    except (OSError, ValueError, KeyError, TypeError):  # JSON errors are ValueErrors
        return None
