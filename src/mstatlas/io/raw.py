"""The file as read: text cells before any interpretation (:class:`Raw`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.data.validate import Problem


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
    """

    frame: pd.DataFrame
    rows: np.ndarray
    detected: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    rejected: np.ndarray | None = None
    geom: pd.DataFrame | None = None
