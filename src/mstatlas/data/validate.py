"""Row-level checks of an uploaded table, with messages a person can act on.

Every data row of a file ends up either imported or listed in the
:class:`ValidationReport` with its row number, column, value and a reason.

Row numbers are those a person sees when opening the file in a spreadsheet
program: the header row counts (it is row 1 unless title rows sit above it),
blank lines count, and a quoted value spanning several lines is one row. For
Parquet the first data row is row 2 (as if exported with a header); for
GeoJSON the row is the feature's position, starting at 1.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

from mstatlas.data.codes import string_buffers
from mstatlas.data.schema import COUNTS_WHAT
from mstatlas.data.vocabulary import Severity
from mstatlas.i18n import _, fmt_int, ngettext

#: Rough window around Europe; points outside get a warning, not a rejection.
EUROPE_WINDOW: Final = {"lat": (34.0, 72.0), "lon": (-25.0, 45.0)}
YEAR_RANGE: Final = (1900, 2100)
#: Invisible control characters refused in text (tab, line feed and carriage return are text).
CONTROL_PATTERN: Final = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_CONTROL = re.compile(CONTROL_PATTERN)


@dataclass
class Problem:
    """One thing wrong with one row (or with the whole file when ``row`` is None).

    Attributes
    ----------
    row : int or None
        Row number as the person sees it in their file (see the module notes:
        the header row counts, so the first data row is usually 2).
    column : str or None
        Column name as written in the person's file.
    value : str or None
        The offending value as written.
    reason : str
        What is wrong and what to write instead.
    severity : {"error", "warning"}
        ``"error"``: the row was not imported; ``"warning"``: imported but flagged.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(_("Row {row}").format(row=self.row))
        if self.column is not None:
            where.append(_("column '{column}'").format(column=self.column))
        prefix = ", ".join(where)
        return f"{prefix}: {self.reason}" if prefix else self.reason


@dataclass
class ValidationReport:
    """What happened to the rows of one upload.

    ``n_imported + n_rejected == n_rows`` always holds. Blank rows (every cell
    empty) are not data rows; their number is in ``n_blank``.
    """

    n_rows: int
    n_imported: int
    n_rejected: int
    problems: list[Problem] = field(default_factory=list)
    n_blank: int = 0

    @property
    def n_warnings(self) -> int:
        """Number of warnings (rows imported but flagged)."""
        return sum(p.severity == "warning" for p in self.problems)

    def summary(self) -> str:
        """One paragraph for people: counts, then the most common reasons."""
        if self.n_rows == 0:
            return _(
                "The file has a header but no data rows; add at least one row below the "
                "header (see the template for an example)."
            )
        parts = [
            ngettext(
                "{n_imported} of {n_rows} rows imported",
                "{n_imported} of {n_rows} rows imported",
                self.n_rows,
            ).format(n_imported=fmt_int(self.n_imported), n_rows=fmt_int(self.n_rows))
        ]
        if self.n_rejected:
            parts.append(_("{n} rejected").format(n=fmt_int(self.n_rejected)))
        if self.n_warnings:
            n = self.n_warnings
            parts.append(ngettext("{n} warning(s)", "{n} warning(s)", n).format(n=fmt_int(n)))
        text = ", ".join(parts) + "."
        if self.n_blank:
            n = self.n_blank
            text += " " + ngettext(
                "{n} blank row(s) were skipped.", "{n} blank row(s) were skipped.", n
            ).format(n=fmt_int(n))
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            first_text = str(errors[0])
            first_text += "" if first_text.endswith(".") else "."
            text += " " + _("First problem: {problem}").format(problem=first_text)
        if self.n_rejected and self.n_imported == 0:
            text += " " + _("No row could be imported; fix the problems listed and upload again.")
        return text

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table with columns row, column, value, severity, reason."""
        cols = ["row", "column", "value", "severity", "reason"]
        if not self.problems:
            return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
        frame = pd.DataFrame([asdict(p) for p in self.problems])[cols]
        frame["row"] = frame["row"].astype("Int64")
        return frame


# --------------------------------------------------------------------------- text


#: Bytes of the control characters refused in text (UTF-8 never uses them inside
#: a multi-byte character, so a byte scan finds exactly the characters).
_CONTROL_BYTES: Final = np.zeros(256, dtype=bool)
_CONTROL_BYTES[[*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]] = True


def control_rows(arr: Any) -> np.ndarray:
    """Rows of a (chunked) Arrow string array that contain a control character.

    The data bytes are scanned at once, without building Python strings.

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray
        UTF-8 text.

    Returns
    -------
    numpy.ndarray
        Boolean, per value: holds a character matched by :data:`CONTROL_PATTERN`.
    """
    out = np.zeros(len(arr), dtype=bool)
    for base, offs, all_data in string_buffers(arr):
        data = all_data[int(offs[0]) : int(offs[-1])]
        low = data < 0x20
        low |= data == 0x7F
        if low.any():
            pos = np.flatnonzero(low)
            pos = pos[_CONTROL_BYTES[data[pos]]] + int(offs[0])
            if len(pos):
                hit = np.searchsorted(offs, pos, side="right") - 1
                out[base + np.unique(hit)] = True
    return out


def text_problems(
    values: pd.Series, rows: np.ndarray, column: str, max_len: int
) -> tuple[list[Problem], pd.Series]:
    """Control characters and over-long text in one text column.

    The checks run over the whole column at once (Arrow byte lengths and a
    byte scan); Python only sees the rows that fail.

    Returns
    -------
    tuple
        ``(problems, mask of rows with an error)``.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = values.astype("string").fillna("")
    arr = pa.array(text.array)
    problems: list[Problem] = []
    too_long = np.zeros(len(text), dtype=bool)
    if len(arr) and pc.max(pc.binary_length(arr)).as_py() > max_len:
        # bytes >= characters: only then count characters
        too_long = pc.fill_null(pc.greater(pc.utf8_length(arr), max_len), False).to_numpy(
            zero_copy_only=False
        )
    control = control_rows(arr)
    for i in np.flatnonzero(too_long):
        v = str(text.iloc[i])
        problems.append(
            Problem(
                int(rows[i]),
                column,
                v[:60] + "…",
                _(
                    "the text is {n} characters long; at most {max_len} are accepted "
                    "(shorten it or move it to a linked source)"
                ).format(n=fmt_int(len(v)), max_len=fmt_int(max_len)),
            )
        )
    for i in np.flatnonzero(control):
        v = str(text.iloc[i])
        ch = _CONTROL.search(v)
        code = f"U+{ord(ch.group()):04X}" if ch else _("a control character")
        problems.append(
            Problem(
                int(rows[i]),
                column,
                _CONTROL.sub("�", v)[:80],
                _(
                    "the text contains an invisible control character ({code}); "
                    "retype the cell or remove the character"
                ).format(code=code),
            )
        )
    return problems, pd.Series(too_long | control, index=values.index)


def counts_what_key(text: str) -> str | None:
    """``'Cluster firms'`` or ``'cluster_firms'`` -> ``'cluster_firms'``; None if unknown."""
    norm = re.sub(r"[^a-z]+", "_", text.strip().lower()).strip("_")
    if norm in COUNTS_WHAT:
        return norm
    for key, label in COUNTS_WHAT.items():
        if re.sub(r"[^a-z]+", "_", label.lower()).strip("_") == norm:
            return key
    return None
