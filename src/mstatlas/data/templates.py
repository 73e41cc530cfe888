"""Blank-ish templates people can fill in: the documented columns plus one example row.

The profile columns (technologies ... website) hold facts about the cluster, not
about one figure: each value becomes a profile fact with the row's year and
source; repeating it on every figure row of a cluster keeps it once.
"""

from __future__ import annotations

import io
from typing import Final

import pandas as pd

from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.i18n import N_, Labels

#: Template column -> what to write in it.
TEMPLATE_COLUMNS: Final[Labels] = Labels(
    {
        "name": N_("Name of the cluster (required)"),
        "city": N_("City or town; used to place the cluster when lat/lon are empty"),
        "country": N_("Country name (English, German or French) or ISO code, e.g. DE"),
        "lat": N_("Latitude in decimal degrees, e.g. 51.5136 (optional)"),
        "lon": N_("Longitude in decimal degrees, e.g. 7.4653 (optional)"),
        "firms": N_("Number of firms (whole number, optional)"),
        "employees": N_("Number of employees (whole number, optional)"),
        "year": N_("Year the figures refer to, e.g. 2007"),
        "counts_what": (
            N_(
                "What is counted: cluster_firms, network_members, regional_sector, national, "
                "institute_staff, spin_offs or unspecified"
            )
        ),
        "source": N_("Title of the source of the figures"),
        "source_url": N_("Web address of the source (http:// or https://)"),
        "note": N_("Anything a reader should know about the figures (optional)"),
        "scope": (
            N_(
                "Leave blank when the figures cover the cluster's usual perimeter for this kind "
                "of figure; otherwise name the narrower or other perimeter, e.g. MST.factory "
                "tenants (figures are only compared within one scope)"
            )
        ),
        "region_employment": (
            N_(
                "Total employment of the cluster's region, whole number, from the same source "
                "and year (optional; used for location quotients)"
            )
        ),
        "technologies": (
            N_(
                "Technologies of the cluster, e.g. MEMS; micro-optics (optional; several "
                "separated by ;)"
            )
        ),
        "markets": (
            N_(
                "Markets the cluster serves, e.g. automotive; medical (optional; several "
                "separated by ;)"
            )
        ),
        "research_institutes": N_(
            "Research institutes of the cluster (optional; several separated by ;)"
        ),
        "cluster_organisation": N_("The cluster's organisation or management body (optional)"),
        "startup_support": (
            N_(
                "Start-up support: incubators, founders' competitions (optional; several "
                "separated by ;)"
            )
        ),
        "events": N_("Recurring events, conferences, fairs (optional; several separated by ;)"),
        "founded": N_("When the cluster or its organisation was founded, e.g. 2005 (optional)"),
        "website": N_("The cluster's website, e.g. www.example.org (optional)"),
    }
)

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
    "note": "Example row: replace it with your own figures",
    "scope": "",
    "region_employment": None,  # the source gives none: blank, never estimated
    "technologies": "MST",
    "markets": "",
    "research_institutes": "",
    "cluster_organisation": "IVAM Fachverband für Mikrotechnik",
    "startup_support": "MST.factory dortmund (incubator); start2grow founders' competition",
    "events": "4th MST regional conference (240 participants)",
    "founded": "",
    "website": "",
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
