"""Exports that are safe to open in a spreadsheet (no formula injection)."""

from __future__ import annotations

import io

import pandas as pd

#: A cell starting with one of these is read as a formula by Excel/LibreOffice/Sheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with ``'``.

    Numbers are left alone (a negative number is data, not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with every text cell (and column name) neutralised."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame) -> str:
    """CSV text (UTF-8, comma) with formula-like cells neutralised."""
    return neutralise_frame(frame).to_csv(index=False)


def to_safe_xlsx(frame: pd.DataFrame, sheet_name: str = "data") -> bytes:
    """XLSX bytes with formula-like cells neutralised and stored as text."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        neutralise_frame(frame).to_excel(writer, index=False, sheet_name=sheet_name)
    return buf.getvalue()
