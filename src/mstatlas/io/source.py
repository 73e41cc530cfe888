"""The bytes of an upload: from a path or from memory, within the size limit."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from mstatlas.data.limits import Limits, human_bytes
from mstatlas.errors import DataError
from mstatlas.i18n import _


def load_bytes(
    source: str | os.PathLike[str] | bytes, filename: str | None, limits: Limits
) -> tuple[bytes, str]:
    """The file's bytes and its name for messages, refused when over the size limit.

    Parameters
    ----------
    source : str, path-like or bytes
        The file, or its content.
    filename : str or None
        Name for messages; default the path's name, or ``"upload"`` for bytes.
    limits : Limits
        The limits in force (``max_bytes``).

    Returns
    -------
    tuple of (bytes, str)
        The content and the name.

    Raises
    ------
    mstatlas.errors.DataError
        A path that does not exist or is a folder, or a file over the limit.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise DataError(
                _("The file {path} does not exist; check the name and folder.").format(path=path)
            ) from None
        if path.is_dir():
            raise DataError(
                _("{path} is a folder, not a file; choose a file inside it.").format(path=path)
            )
        if size > limits.max_bytes:
            raise too_big(name, size, limits)
        data = path.read_bytes()
    if len(data) > limits.max_bytes:
        raise too_big(name, len(data), limits)
    return data, name


def too_big(name: str, size: int, limits: Limits) -> DataError:
    """The refusal of a file over the upload size limit.

    Parameters
    ----------
    name : str
        The file's name as messages show it.
    size : int
        Its size in bytes.
    limits : Limits
        The limits in force (``max_bytes``).

    Returns
    -------
    DataError
        To be raised by the caller.
    """
    return DataError(
        _(
            "The file {name} is {size}; uploads are limited to {limit}. Remove columns the "
            "atlas does not use, save as CSV or split the file. For a firm list (one row per "
            "firm), the atlas's command line aggregates a CSV file of any size on your own "
            "computer: mstatlas aggregate {quoted} -o clusters.csv writes one row per city "
            "(or per cluster), which you can upload."
        ).format(
            name=name,
            size=human_bytes(size),
            limit=human_bytes(limits.max_bytes),
            quoted=shlex.quote(name),
        )
    )
