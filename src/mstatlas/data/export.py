"""Exports that are safe to open in a spreadsheet (no formula injection, no reversed names)."""

from __future__ import annotations

import io

import pandas as pd

from mstatlas.data.text import strip_bidi

#: A cell starting with one of these is read as a formula by Excel/LibreOffice/Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Bidirectional control characters are removed first (see
    :mod:`mstatlas.data.text`): they would draw a name reversed, and one in front
    of ``=`` would hide the formula from the check. Numbers are left alone (a
    negative number is data, not a formula).
    """
    if not isinstance(value, str):
        return value
    value = strip_bidi(value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with every text cell (and column name) neutralised.

    See :func:`neutralise_cell`.
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


#: UTF-8 byte-order mark. At the start of a CSV file it makes Excel (notably German Excel,
#: which otherwise assumes cp1252) read the file as UTF-8, so "Köln" does not become "KÃ¶ln".
UTF8_BOM = "\ufeff"


def to_safe_csv(frame: pd.DataFrame, *, bom: bool = False) -> str:
    """CSV text (comma separator, ``.`` decimals) with formula-like cells neutralised.

    ``bom=True`` starts the text with :data:`UTF8_BOM`, for text that becomes a file
    (see :func:`to_safe_csv_bytes`). Leave it off for text printed to a terminal or
    piped to another program (the CLI), where a marker would be a stray character.
    """
    text = neutralise_frame(frame).to_csv(index=False)
    return UTF8_BOM + text if bom else text


def to_safe_csv_bytes(frame: pd.DataFrame) -> bytes:
    """A CSV file for download: UTF-8 with a byte-order mark, formula-like cells neutralised.

    The marker lets Excel show umlauts and accents; comma and ``.`` decimals are kept
    (portable, and the same as the CSV template). Read it back with ``encoding="utf-8-sig"``
    (or :func:`mstatlas.io.read_upload`, which drops the marker).
    """
    return to_safe_csv(frame, bom=True).encode("utf-8")


def to_safe_xlsx(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """XLSX bytes with formula-like cells neutralised and stored as text."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise_frame(frame).to_excel(writer, index=False, sheet_name=sheet_name)
    return buf.getvalue()
