"""The file as read: text cells before any interpretation (:class:`Raw`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.data.validate import Problem

#: Fields whose values decide a row's identity, place or figures: a bad value there
#: refuses the row, and so does a formula without its result or a stray control
#: character there (elsewhere the cell is read with a warning).
STRICT_FIELDS = (
    "name",
    "cluster",
    "city",
    "lat",
    "lon",
    "firms",
    "employees",
    "year",
    "counts_what",
    "firms_qualifier",
    "employees_qualifier",
    "region_employment",
)


@dataclass
class Raw:
    """A file read as text cells, before any interpretation.

    Attributes
    ----------
    frame : pandas.DataFrame
        String cells, ``""`` when blank; columns are the file's own names.
    rows : numpy.ndarray
        The row number the person sees, per frame row.
    detected : dict
        What reading found out (format, encoding, separator, sheet, header row, ...).
    problems : list of Problem
        Problems found while reading.
    rejected : numpy.ndarray or None
        Boolean mask of rows refused while reading (ragged, bad geometry).
    geom : pandas.DataFrame or None
        ``lat``/``lon`` from GeoJSON geometry (NaN when null).
    controls_removed : bool
        Whether every cell has been cleaned of control characters
        (:func:`mstatlas.io.stray.clean_controls`), so no check needs to look again.
    """

    frame: pd.DataFrame
    rows: np.ndarray
    detected: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    rejected: np.ndarray | None = None
    geom: pd.DataFrame | None = None
    controls_removed: bool = False


def cell_text(v: Any) -> str:
    """A cell's value as the text a person sees in it.

    Parameters
    ----------
    v : Any
        A value from a spreadsheet, JSON or Parquet reader.

    Returns
    -------
    str
        ``""`` for None and NaN, ``"true"``/``"false"``, whole floats without
        ``.0`` (``2100.0`` -> ``"2100"``), dates without a midnight time.
    """
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, int):
        return str(v)
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(v)
