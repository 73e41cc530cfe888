"""One entry for reading any supported file as text cells: :func:`read_raw`."""

from __future__ import annotations

import os

from mstatlas.data.limits import Limits
from mstatlas.io.csv import read_csv
from mstatlas.io.geojson import read_geojson
from mstatlas.io.parquet import read_parquet
from mstatlas.io.raw import Raw
from mstatlas.io.sniff import sniff_format
from mstatlas.io.source import load_bytes
from mstatlas.io.stray import clean_controls
from mstatlas.io.xlsx import read_xlsx

#: The formats :func:`read_raw` reads, as :func:`~mstatlas.io.sniff.sniff_format` names them.
FORMATS = ("csv", "xlsx", "geojson", "parquet")


def read_raw(
    source: str | os.PathLike[str] | bytes,
    filename: str | None = None,
    sheet: str | None = None,
    limits: Limits | None = None,
    mapping: dict[str, str | None] | None = None,
) -> tuple[Raw, str]:
    """Read a file of any supported format as text cells, before any interpretation.

    Parameters
    ----------
    source : str, path-like or bytes
        The file, or its content (then pass ``filename`` for messages and format).
    filename : str, optional
        Name shown in messages; its extension helps to recognise the format.
    sheet : str, optional
        Worksheet of an XLSX file; default: the first visible sheet holding a
        table (see :func:`mstatlas.io.xlsx.default_sheet`).
    limits : Limits, optional
        Size and row limits; default :class:`Limits()`.
    mapping : dict, optional
        The person's corrections to the detected column mapping; they decide
        with the detection which columns give a row its name, place or figures,
        where a stray control character refuses the row (see
        :mod:`mstatlas.io.stray`).

    Returns
    -------
    tuple of (Raw, str)
        The file as text cells (stray control characters removed and
        reported), and the file's name as messages show it.

    Raises
    ------
    mstatlas.errors.DataError
        When the file cannot be read as a table (missing, too large, empty,
        damaged, binary, a format the atlas does not read); the message says
        what to do.
    """
    limits = limits or Limits()
    data, name = load_bytes(source, filename, limits)
    fmt = sniff_format(data, name)
    if fmt == "xlsx":
        raw = read_xlsx(data, name, sheet, limits)
    elif fmt == "geojson":
        raw = read_geojson(data, name)
    elif fmt == "parquet":
        raw = read_parquet(data, name)
    else:
        raw = read_csv(data, name, limits)
    return clean_controls(raw, mapping), name
