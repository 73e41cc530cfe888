"""The cluster table: its columns, types and vocabularies.

One row is one *reported figure*: a cluster can have several rows (different
years, sources or scopes). Nothing in this module invents a value; coercion
only turns text into the declared types and leaves blanks blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import geopandas as gpd
import pandas as pd

from mstatlas.i18n import N_, Labels, _

CRS: Final = "EPSG:4326"

#: Column order of the canonical cluster table.
COLUMNS: Final[tuple[str, ...]] = (
    "cluster_id",
    "cluster_name",
    "city",
    "region",
    "country_iso2",
    "lat",
    "lon",
    "firms",
    "employees",
    "firms_qualifier",
    "employees_qualifier",
    "counts_what",
    "year",
    "organisation",
    "ivam_benchmark_2007",
    "source_title",
    "source_url",
    "note",
    "scope",
    "region_employment",
)

REQUIRED: Final[tuple[str, ...]] = ("cluster_id", "cluster_name", "lat", "lon")
INT_COLUMNS: Final[tuple[str, ...]] = ("firms", "employees", "year", "region_employment")
FLOAT_COLUMNS: Final[tuple[str, ...]] = ("lat", "lon")
TEXT_COLUMNS: Final[tuple[str, ...]] = tuple(
    c for c in COLUMNS if c not in INT_COLUMNS + FLOAT_COLUMNS + ("ivam_benchmark_2007",)
)

#: What a figure counts. Figures of different kinds are never ranked together by default.
#: Labels are read in the active language (``Labels``); the keys are what files and links hold.
COUNTS_WHAT: Final[Mapping[str, str]] = Labels({
    "cluster_firms": N_("Cluster firms"),
    "network_members": N_("Network members"),
    "regional_sector": N_("Regional sector"),
    "national": N_("National"),
    "institute_staff": N_("Institute staff"),
    "spin_offs": N_("Spin-offs"),
    "unspecified": N_("Not stated"),
})  # fmt: skip

COUNTS_WHAT_HELP: Final[Mapping[str, str]] = Labels({
    "cluster_firms": N_("firms (and their staff) located in the cluster itself"),
    "network_members": N_("members of a cluster organisation; mixes firms with institutes"),
    "regional_sector": N_("all firms/jobs of a broader sector in a region; larger than MST"),
    "national": N_("country-wide figure, attached to the nearest cluster for context"),
    "institute_staff": N_("head count of one research institute; not a firm count"),
    "spin_offs": N_("spin-off companies of one institute; a subset of a cluster"),
    "unspecified": N_("the data set does not say what the figure counts"),
})  # fmt: skip

#: Colours per category, told apart also by people with protanopia, deuteranopia or
#: tritanopia: Okabe-Ito's vermillion, blue, orange and sky blue with Paul Tol's indigo
#: and purple and a grey (Okabe-Ito's bluish green and reddish purple fall together
#: with blue or grey in simulations; tests/test_colour_vision.py checks every pair).
COUNTS_WHAT_COLOURS: Final[dict[str, str]] = {
    "cluster_firms": "#D55E00",
    "network_members": "#0072B2",
    "regional_sector": "#332288",
    "national": "#999999",
    "institute_staff": "#AA3377",
    "spin_offs": "#E69F00",
    "unspecified": "#56B4E9",
}

#: How a source states a figure.
QUALIFIERS: Final[dict[str, str]] = {
    "": "",
    "about": "≈ ",
    "more_than": "> ",
    "at_least": "≥ ",
    "up_to": "≤ ",
}

MEASURES: Final[Mapping[str, str]] = Labels({
    "employees": N_("Employees"),
    "firms": N_("Firms"),
    "employees_per_firm": N_("Employees per firm"),
})  # fmt: skip


def empty_clusters() -> gpd.GeoDataFrame:
    """Return an empty cluster table with the canonical columns and dtypes."""
    return coerce_clusters(pd.DataFrame({c: [] for c in COLUMNS}))


def coerce_clusters(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Give a table the canonical columns, dtypes, point geometry and CRS.

    Missing optional columns are added as blanks. Values are converted, never
    guessed: a numeric column that cannot be converted raises ``ValueError``
    naming the column (validation of user files happens before this, in
    :mod:`mstatlas.data.validate`, with row-level messages).

    Parameters
    ----------
    frame : pandas.DataFrame
        A table with at least the columns in :data:`REQUIRED`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns in :data:`COLUMNS` order plus ``geometry`` (EPSG:4326).
    """
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ValueError(
            _(
                "The cluster table lacks required column(s) {missing}; expected at least "
                "{required}."
            ).format(missing=", ".join(missing), required=", ".join(REQUIRED))
        )
    columns: dict[str, pd.Series] = {}
    for col in COLUMNS:
        src = frame[col].reset_index(drop=True) if col in frame.columns else None
        if col in INT_COLUMNS:
            columns[col] = _to_int(src, col, len(frame))
        elif col in FLOAT_COLUMNS:
            columns[col] = _to_float(src, col, len(frame))
        elif col == "ivam_benchmark_2007":
            columns[col] = _to_bool(src, len(frame))
        else:
            columns[col] = _to_text(src, len(frame))
    columns["counts_what"] = columns["counts_what"].fillna("unspecified")
    # one constructor: adding 30 columns one by one costs more than converting them
    df = pd.DataFrame(columns, index=pd.RangeIndex(len(frame)))
    unknown = sorted(set(df["counts_what"].unique()) - set(COUNTS_WHAT))
    if unknown:
        raise ValueError(
            _("Unknown 'counts_what' value(s) {unknown}; allowed: {counts_what}.").format(
                unknown=", ".join(map(repr, unknown)), counts_what=", ".join(COUNTS_WHAT)
            )
        )
    for col in ("firms_qualifier", "employees_qualifier"):
        bad = sorted(set(df[col].dropna().unique()) - set(QUALIFIERS))
        if bad:
            raise ValueError(
                _("Unknown '{col}' value(s) {bad}; allowed: {allowed} or blank.").format(
                    col=col,
                    bad=", ".join(map(repr, bad)),
                    allowed=", ".join(q for q in QUALIFIERS if q),
                )
            )
    geometry = gpd.points_from_xy(df["lon"], df["lat"], crs=CRS)
    return gpd.GeoDataFrame(df, geometry=geometry, crs=CRS)


def _to_text(src: pd.Series | None, n: int) -> pd.Series:
    if src is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="string")
    out = src.astype("string").str.strip()
    return out.mask(out == "", pd.NA)


def _to_int(src: pd.Series | None, col: str, n: int) -> pd.Series:
    if src is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="Int64")
    num = pd.to_numeric(src, errors="coerce")
    _raise_if_not_numeric(src, num, col)
    frac = num.notna() & (num % 1 != 0)
    if frac.any():
        raise ValueError(
            _("Column '{col}' must hold whole numbers, found {value}.").format(
                col=col, value=num[frac].iloc[0]
            )
        )
    return num.astype("Float64").astype("Int64")


def _to_float(src: pd.Series | None, col: str, n: int) -> pd.Series:
    if src is None:
        return pd.Series([float("nan")] * n, dtype="float64")
    num = pd.to_numeric(src, errors="coerce")
    _raise_if_not_numeric(src, num, col)
    return num.astype("float64")


def _raise_if_not_numeric(src: pd.Series, num: pd.Series, col: str) -> None:
    """Raise if a non-blank cell did not convert. Text is only inspected when some cell failed."""
    suspect = num.isna() & src.notna()
    if not suspect.any():
        return
    bad = suspect & (src.astype("string").str.strip() != "")
    if bad.any():
        raise ValueError(
            _("Column '{col}' has non-numeric values, e.g. {value!r}.").format(
                col=col, value=src[bad].iloc[0]
            )
        )


def _to_bool(src: pd.Series | None, n: int) -> pd.Series:
    if src is None:
        return pd.Series([False] * n, dtype="bool")
    text = src.astype("string").str.strip().str.lower()
    return text.isin(["true", "1", "yes", "ja", "oui", "x"]).fillna(False).astype("bool")
