"""Blank-ish templates people can fill in: the documented columns plus one example row."""

from __future__ import annotations

import io
from typing import Final

import pandas as pd

from mstatlas.data.export import to_safe_csv_bytes

#: Template column -> what to write in it.
TEMPLATE_COLUMNS: Final[dict[str, str]] = {
    "name": "Name of the cluster (required)",
    "city": "City or town; used to place the cluster when lat/lon are empty",
    "country": "Country name (English, German or French) or ISO code, e.g. DE",
    "lat": "Latitude in decimal degrees, e.g. 51.5136 (optional)",
    "lon": "Longitude in decimal degrees, e.g. 7.4653 (optional)",
    "firms": "Number of firms (whole number, optional)",
    "employees": "Number of employees (whole number, optional)",
    "year": "Year the figures refer to, e.g. 2007",
    "counts_what": "What is counted: cluster_firms, network_members, regional_sector, national, "
    "institute_staff, spin_offs or unspecified",
    "source": "Title of the source of the figures",
    "source_url": "Web address of the source (http:// or https://)",
    "technology": "Technology or field, e.g. MEMS (optional)",
    "note": "Anything a reader should know about the figures (optional)",
}

EXAMPLE_ROW: Final[dict[str, object]] = {
    "name": "Dortmund MST cluster",
    "city": "Dortmund",
    "country": "DE",
    "lat": 51.5136,
    "lon": 7.4653,
    "firms": 39,
    "employees": 2100,
    "year": 2007,
    "counts_what": "cluster_firms",
    "source": "Siegeszug der Mini-Technik schafft Arbeitsplätze (Münsterland Zeitung, 18.10.2007)",
    "source_url": "https://www.muensterlandzeitung.de/Nachrichten/Dortmund/"
    "Siegeszug-der-Mini-Technik-schafft-Arbeitsplaetze-1192326.html",
    "technology": "MST",
    "note": "Example row: replace it with your own figures",
}


def _example() -> pd.DataFrame:
    return pd.DataFrame([EXAMPLE_ROW], columns=list(TEMPLATE_COLUMNS))


def template_csv() -> bytes:
    """UTF-8 CSV (with BOM so Excel shows umlauts) with the template columns and one example row."""
    return to_safe_csv_bytes(_example())


def template_xlsx() -> bytes:
    """XLSX with a ``clusters`` sheet (columns + example row) and a ``columns`` sheet explaining them."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "clusters"
    ws.append(list(TEMPLATE_COLUMNS))
    ws.append([EXAMPLE_ROW[c] for c in TEMPLATE_COLUMNS])
    for cell in ws[2]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # stored as text: never run as a formula
    doc = wb.create_sheet("columns")
    doc.append(["column", "what to write"])
    for col, text in TEMPLATE_COLUMNS.items():
        doc.append([col, text])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
