"""Sourced profile facts of clusters: technologies, markets, institutes, support, events.

One row is one *fact* about one cluster (``cluster_id, field, value, year,
source_title, source_url, quote``), read in the source named in the row.
Facts that conflict (two founding years, say) are separate rows and are shown
side by side; nothing is merged or guessed. A field without a fact is "not
reported", never filled in.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Final

import pandas as pd

from mstatlas.data.loading import data_dir
from mstatlas.errors import DataError
from mstatlas.i18n import N_, Labels, _

#: The sections of a profile, in the order they are shown, with their headings.
PROFILE_FIELDS: Final[Labels] = Labels(
    {
        "technologies": N_("Technologies"),
        "markets": N_("Markets"),
        "research_institutes": N_("Research institutes"),
        "cluster_organisation": N_("Cluster organisation"),
        "startup_support": N_("Start-up support"),
        "events": N_("Events"),
        "founded": N_("Founded"),
        "website": N_("Website"),
    }
)

#: Columns of a profile-facts table.
PROFILE_COLUMNS: Final[tuple[str, ...]] = (
    "cluster_id",
    "field",
    "value",
    "year",
    "source_title",
    "source_url",
    "quote",
)


def empty_profiles() -> pd.DataFrame:
    """A profile-facts table without rows, with the canonical columns and dtypes."""
    return coerce_profiles(pd.DataFrame({c: [] for c in PROFILE_COLUMNS}))


def coerce_profiles(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a table of profile facts the canonical columns and dtypes.

    Parameters
    ----------
    frame : pandas.DataFrame
        Facts with at least ``cluster_id``, ``field`` and ``value``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PROFILE_COLUMNS`; text as pandas strings (blank cells
        are ``<NA>``), ``year`` as ``Int64``. Rows without a value are dropped.

    Raises
    ------
    ValueError
        If a required column is missing, a field is not one of
        :data:`PROFILE_FIELDS`, or a year is not a whole number.
    """
    missing = [c for c in ("cluster_id", "field", "value") if c not in frame.columns]
    if missing:
        raise ValueError(
            _("The profile table lacks column(s) {missing}.").format(missing=", ".join(missing))
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in PROFILE_COLUMNS:
        src = frame[col].reset_index(drop=True) if col in frame.columns else None
        if col == "year":
            out[col] = _years(src, len(out))
        else:
            text = (
                src.astype("string").str.strip()
                if src is not None
                else pd.Series(pd.NA, index=out.index, dtype="string")
            )
            out[col] = text.mask(text == "", pd.NA)
    unknown = sorted(set(out["field"].dropna()) - set(PROFILE_FIELDS))
    if unknown:
        raise ValueError(
            _("Unknown profile field(s) {unknown}; fields are: {profile_fields}.").format(
                unknown=", ".join(map(repr, unknown)), profile_fields=", ".join(PROFILE_FIELDS)
            )
        )
    return out[out["value"].notna() & out["cluster_id"].notna()].reset_index(drop=True)


def _years(src: pd.Series | None, n: int) -> pd.Series:
    """Whole years from text; blank stays blank, anything else is refused."""
    if src is None:
        return pd.Series(pd.NA, index=pd.RangeIndex(n), dtype="Int64")
    num = pd.to_numeric(src, errors="coerce")
    bad = num.isna() & src.astype("string").str.strip().fillna("").ne("")
    if bad.any():
        raise ValueError(_("Profile year {year!r} is not a year.").format(year=src[bad].iloc[0]))
    if (num.notna() & (num % 1 != 0)).any():
        raise ValueError(_("Profile years must be whole numbers."))
    return num.astype("Float64").astype("Int64")


def default_profiles_path() -> Path:
    """Path of the embedded profile facts (``data/cluster_profiles.csv``)."""
    return data_dir() / "cluster_profiles.csv"


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return coerce_profiles(frame)


def load_profiles(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Load profile facts (the embedded ones by default).

    Parameters
    ----------
    path : str or path-like, optional
        A CSV with the columns of :data:`PROFILE_COLUMNS`; ``None`` loads
        ``data/cluster_profiles.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per fact, columns :data:`PROFILE_COLUMNS`.

    Raises
    ------
    mstatlas.errors.DataError
        If the file is missing or not a profile table; the message says why.
    """
    p = Path(path) if path is not None else default_profiles_path()
    if not p.exists():
        raise DataError(
            _(
                "The profile file {name} is missing from {parent}; set MSTATLAS_DATA_DIR to the "
                "folder that holds it."
            ).format(name=p.name, parent=p.parent)
        )
    try:
        return _read(str(p), p.stat().st_mtime).copy()
    except ValueError as exc:
        raise DataError(
            _("{name} is not a profile table: {exc}").format(name=p.name, exc=exc)
        ) from exc


def cluster_profile(profiles: pd.DataFrame, cluster_id: str) -> dict[str, pd.DataFrame]:
    """The facts of one cluster, section by section.

    Parameters
    ----------
    profiles : pandas.DataFrame
        A profile-facts table.
    cluster_id : str
        The cluster.

    Returns
    -------
    dict
        Every key of :data:`PROFILE_FIELDS`, in order, mapped to that section's
        facts (newest statement first, undated last; file order otherwise). An
        empty table means the section is not reported.
    """
    mine = profiles[profiles["cluster_id"] == cluster_id]
    mine = mine.assign(_order=range(len(mine))).sort_values(
        ["year", "_order"], ascending=[False, True], na_position="last", kind="mergesort"
    )
    return {
        f: mine[mine["field"] == f].drop(columns="_order").reset_index(drop=True)
        for f in PROFILE_FIELDS
    }
