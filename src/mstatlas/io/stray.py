"""Stray control characters in a file's cells: removed, and the row refused where it matters.

A NUL or another invisible control character in one cell (a damaged export, a
byte lost in transfer) no longer costs the whole file, only at most its row.
Every such cell is cleaned (the characters removed) and listed in the report:

* in a column that gives a row its name, place or figures
  (:data:`~mstatlas.io.raw.STRICT_FIELDS`) the row is refused with the same
  reason the text checks give, since nobody can tell whether the byte stood
  for a lost character ("M\\x00ller": Müller? Miller?);
* elsewhere the row is read with the cell cleaned and a warning;
* a cell holding nothing but such characters is read as empty (with a warning).

Column names are cleaned the same way. Whether a file is text at all is
decided before, by :func:`mstatlas.io.sniff.looks_binary`.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.data.codes import string_buffers
from mstatlas.data.columns import detect_mapping
from mstatlas.data.parallel import run_all
from mstatlas.data.validate import CONTROL_PATTERN, Problem, control_rows
from mstatlas.i18n import _
from mstatlas.io.raw import STRICT_FIELDS, Raw
from mstatlas.io.sniff import clean_names

_CONTROL = re.compile(CONTROL_PATTERN)


def clean_controls(raw: Raw, mapping: dict[str, str | None] | None = None) -> Raw:
    """``raw`` with control characters removed from its cells and column names.

    Parameters
    ----------
    raw : Raw
        A file as read; changed in place (and returned).
    mapping : dict, optional
        The person's corrections to the detected column mapping (canonical
        field -> column), which decide with the detection where a control
        character refuses its row.

    Returns
    -------
    Raw
        The same object: cleaned cells, a problem per cleaned cell (an error
        and the row refused in a name, place or figure; else a warning).
    """
    if any(_CONTROL.search(str(c)) for c in raw.frame.columns):
        _clean_header(raw)
    frame = raw.frame
    columns = [_arrow(frame[c]) for c in frame.columns]
    # each column's bytes scanned, two columns at a time in a large file (numpy work)
    found = run_all([partial(_control_positions, arr) for arr in columns], rows=len(frame))
    hits = {c: idx for c, idx in zip(frame.columns, found, strict=True) if len(idx)}
    raw.controls_removed = True  # below: every cell hit is cleaned
    if not hits:
        return raw
    strict = strict_columns(frame, mapping)
    rejected = raw.rejected.copy() if raw.rejected is not None else np.zeros(len(frame), bool)
    for column, idx in hits.items():
        values = frame[column].iloc[idx].tolist()
        cleaned = [_between_words(v) for v in values]
        for i, before, after in zip(idx, values, cleaned, strict=True):
            problem = _cell_problem(int(raw.rows[i]), str(column), before, after, column in strict)
            raw.problems.append(problem)
            rejected[i] |= problem.severity == "error"
        frame[column] = _with_values(frame[column], idx, cleaned)
    if rejected.any():
        raw.rejected = rejected
    return raw


def strict_columns(frame: pd.DataFrame, mapping: dict[str, str | None] | None) -> set[str]:
    """The columns that give a row its name, place or figures.

    Parameters
    ----------
    frame : pandas.DataFrame
        The file's cells; its column names and top rows decide the detection.
    mapping : dict or None
        The person's corrections (canonical field -> column or ``None``);
        fields and columns unknown here are left to the column checks.

    Returns
    -------
    set of str
        Column names mapped to one of :data:`~mstatlas.io.raw.STRICT_FIELDS`.
    """
    names = [str(c) for c in frame.columns]
    found = detect_mapping(names, sample=frame.head(50))
    user = {f: c for f, c in (mapping or {}).items() if f in found and (c is None or c in names)}
    for fld, col in user.items():
        for other, c in list(found.items()):
            if col is not None and c == col and other != fld and other not in user:
                found[other] = None
        found[fld] = col
    return {c for f in STRICT_FIELDS if (c := found.get(f))}


def _between_words(text: str) -> str:
    """The cell with each run of control characters read as one space between words
    ("MEMS\\x00Sensoren" -> "MEMS Sensoren", not a new word "MEMSSensoren")."""
    return re.sub(r"\s*(?:" + CONTROL_PATTERN + r")+\s*", " ", text).strip()


def _cell_problem(row: int, column: str, before: str, after: str, strict: bool) -> Problem:
    """The report line for one cleaned cell (an error refuses the row)."""
    found = _CONTROL.search(before)
    code = f"U+{ord(found.group()):04X}" if found else _("a control character")
    if not after.strip():
        return Problem(
            row,
            column,
            None,
            _(
                "the cell held only an invisible control character ({code}); it was read as empty"
            ).format(code=code),
            "warning",
        )
    if strict:
        return Problem(
            row,
            column,
            _CONTROL.sub("�", before)[:80],
            (
                _(
                    "the text contains an invisible control character ({code}); retype the cell or "
                    "remove the character"
                ).format(code=code)
            ),
        )
    return Problem(
        row,
        column,
        after[:80],
        (
            _(
                "the text contained an invisible control character ({code}); it was replaced by "
                "a space and the rest of the cell kept"
            ).format(code=code)
        ),
        "warning",
    )


def _clean_header(raw: Raw) -> None:
    """Column names without control characters, a warning for each one changed."""
    old = [str(c) for c in raw.frame.columns]
    new = clean_names([_CONTROL.sub("", c) for c in old], len(old))
    row = raw.detected.get("header_row")
    for before, after in zip(old, new, strict=True):
        if before != after and _CONTROL.search(before):
            found = _CONTROL.search(before)
            code = f"U+{ord(found.group()):04X}" if found else _("a control character")
            raw.problems.append(
                Problem(
                    row,
                    after,
                    after,
                    (
                        _(
                            "the column name contained an invisible control character ({code}); it was "
                            "removed"
                        ).format(code=code)
                    ),
                    "warning",
                )
            )
    raw.frame.columns = new


def _control_positions(arr: Any) -> np.ndarray:
    """Positions of the values holding a control character (:func:`control_rows`).

    Most columns hold none, which the smallest byte (and, when some byte is 0x7F or
    above, a test for 0x7F itself) shows without a per-byte mask.
    """
    for _base, offs, data in string_buffers(arr):
        cells = data[int(offs[0]) : int(offs[-1])]
        if cells.size and (cells.min() < 0x20 or (cells.max() >= 0x7F and (cells == 0x7F).any())):
            return np.flatnonzero(control_rows(arr))
    return np.zeros(0, dtype=np.int64)


def _arrow(s: pd.Series) -> Any:
    """The column as Arrow text, without copying Arrow-backed text."""
    import pyarrow as pa

    text = s if isinstance(s.dtype, pd.StringDtype) else s.astype("string")
    return pa.array(text.array)


def _with_values(s: pd.Series, idx: np.ndarray, values: list[str]) -> pd.Series:
    """``s`` with the values at positions ``idx`` replaced."""
    out = s.copy()
    out.iloc[idx] = values
    return out
