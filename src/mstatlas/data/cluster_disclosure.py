"""The confidentiality rules on a firm list's cluster table, before it leaves a session.

A firm list becomes one cluster row per city (or per cluster column) with the
employees of its firms summed (:mod:`mstatlas.data.firms`). Whatever of it goes
out -- a share link, an embedded map, an export, the command line's output --
first passes :func:`protect_clusters`: the rules of :mod:`mstatlas.data.disclosure`
are judged row by row on the firms behind each row (:func:`cluster_figures`),
and a row that fails them

* has its employee figure blank, its "at least" qualifier dropped and its note
  saying ``employees confidential (statistical disclosure control)`` instead of
  for how many firms the head count was known (which would say which rule hit);
* keeps its firm count, year, sources and technology mix (not confidential).

A row of fewer than *k* firms also has its position rounded to
:data:`COARSE_DECIMALS` decimals (about a kilometre): the mean position of one
or two firms is their own address. What was done is kept as a small JSON-able
record (:meth:`ProtectedClusters.record`) that travels with the table; the
reasons per cluster are for the register's owner only
(:meth:`ProtectedClusters.owner_table`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from mstatlas.data.disclosure import (
    FIGURE_COLUMNS,
    DisclosureRules,
    Protected,
    group_figures,
    protect_table,
)
from mstatlas.data.firms import group_keys
from mstatlas.data.schema import coerce_clusters
from mstatlas.i18n import _, fmt_int

#: What a protected row's note says in place of "employees known for k of n firms".
CONFIDENTIAL_NOTE: Final = "employees confidential (statistical disclosure control)"

#: Decimals a position of fewer than k firms is rounded to (0.01 degree: about 1 km).
COARSE_DECIMALS: Final = 2

#: Version of :meth:`ProtectedClusters.record`.
RECORD_VERSION: Final = 1

_KNOWN_FOR = re.compile(r"employees known for \d+ of \d+ firms?")

#: Columns of :meth:`ProtectedClusters.owner_table`.
OWNER_COLUMNS: Final[tuple[str, ...]] = ("cluster_id", "cluster_name", "firms", "rule", "reason")


def grouping(firms: pd.DataFrame, mapping: Mapping[str, str | None]) -> str:
    """How an upload grouped its firms: ``"cluster"`` when the file's cluster column named
    one for every firm, otherwise ``"city"`` (as :mod:`mstatlas.io` decides it)."""
    has_column = bool(mapping.get("cluster")) and "cluster" in firms.columns
    return "cluster" if has_column and bool(firms["cluster"].notna().all()) else "city"


def firm_rows_of_clusters(
    clusters: pd.DataFrame, firms: pd.DataFrame, mapping: Mapping[str, str | None]
) -> np.ndarray | None:
    """Per firm, the position of the cluster row it was counted in.

    Parameters
    ----------
    clusters : DataFrame
        The cluster table the upload made of ``firms`` (all rows, in its order).
    firms : DataFrame
        The upload's firm rows (:attr:`mstatlas.io.UploadResult.firms`).
    mapping : mapping
        The upload's column mapping (it says whether a cluster column was used).

    Returns
    -------
    numpy.ndarray or None
        Row positions; ``None`` when no grouping gives exactly the table's rows
        and firm counts (a table filtered or edited after the upload).
    """
    first = grouping(firms, mapping)
    expected = pd.to_numeric(clusters["firms"], errors="coerce").to_numpy(dtype="float64")
    for by in (first, "city" if first == "cluster" else "cluster"):
        if by == "cluster" and ("cluster" not in firms.columns or firms["cluster"].isna().any()):
            continue
        keys = group_keys(firms, by)
        if int(keys.max(initial=-1)) + 1 != len(clusters):
            continue
        if np.array_equal(np.bincount(keys, minlength=len(clusters)), expected):
            return keys
    return None


def cluster_figures(
    clusters: pd.DataFrame, firms: pd.DataFrame | None, mapping: Mapping[str, str | None]
) -> pd.DataFrame:
    """Per cluster row, what the rules are judged on (:data:`~mstatlas.data.disclosure.FIGURE_COLUMNS`).

    ``group`` is the row's position in ``clusters``. Without firm rows, or when
    they do not match the table (:func:`firm_rows_of_clusters`), every row gets
    no contributors, so every employee figure is suppressed: the safe side.
    """
    rows = None if firms is None else firm_rows_of_clusters(clusters, firms, mapping)
    if rows is None or firms is None:
        return pd.DataFrame(
            {
                "group": np.arange(len(clusters)),
                "contributors": np.zeros(len(clusters), dtype="int64"),
                "total": np.zeros(len(clusters)),
                "largest": np.full(len(clusters), np.nan),
            }
        )[list(FIGURE_COLUMNS)]
    return group_figures(rows, firms["employees"])


@dataclass(frozen=True)
class ProtectedClusters:
    """A firm list's cluster table as it may leave the session, and what was done to it.

    Attributes
    ----------
    clusters : geopandas.GeoDataFrame
        The canonical cluster table with confidential figures blank (see the module).
    protected : Protected
        The rules' verdicts: ``suppressed`` lists every blanked row by its
        position (``group``) with rule and reason -- for the owner only;
        ``other`` the merged figure of the suppressed rows, where that is safe.
    n_coarsened : int
        Rows whose position was rounded (fewer than *k* firms).
    """

    clusters: gpd.GeoDataFrame
    protected: Protected
    n_coarsened: int

    @property
    def rules(self) -> DisclosureRules:
        """The rules applied."""
        return self.protected.rules

    @property
    def n_confidential(self) -> int:
        """Rows whose employee figure was suppressed."""
        return len(self.protected.suppressed)

    def public_note(self) -> str:
        """What may travel with the table (:meth:`Protected.public_note`), with the merged figure."""
        note = self.protected.public_note()
        other = self.protected.other
        if other is None:
            return note
        return (
            note
            + " "
            + _(
                "The {n_groups} clusters whose employee figures are confidential have "
                "{employees} employees together ({firms} firms with a known head count)."
            ).format(
                n_groups=fmt_int(len(other.groups)),
                employees=fmt_int(other.employees),
                firms=fmt_int(other.firms),
            )
        )

    def summary(self) -> str:
        """What was suppressed by which rule, for the register's owner."""
        return self.protected.summary()

    def owner_table(self) -> pd.DataFrame:
        """Per suppressed row its cluster, firms, rule and reason (:data:`OWNER_COLUMNS`).

        For the register's owner (the upload report, ``mstatlas validate``):
        it says which rule hit which cluster, so it never goes into a share.
        """
        sup = self.protected.suppressed
        at = sup["group"].astype("int64").to_numpy()
        rows = self.clusters.iloc[at]
        return pd.DataFrame(
            {
                "cluster_id": rows["cluster_id"].to_numpy(),
                "cluster_name": rows["cluster_name"].to_numpy(),
                "firms": rows["firms"].to_numpy(),
                "rule": sup["rule"].to_numpy(),
                "reason": sup["reason"].to_numpy(),
            },
            columns=list(OWNER_COLUMNS),
        )

    def record(self, *, firm_rows: bool = False) -> dict[str, Any]:
        """What was done, JSON-able, for the shared dataset (no reasons per cluster).

        Parameters
        ----------
        firm_rows : bool
            Whether the firm rows travel with the table (the owner opted in).
        """
        at = self.protected.suppressed["group"].astype("int64").to_numpy()
        other = self.protected.other
        return {
            "version": RECORD_VERSION,
            "min_firms": self.rules.min_firms,
            "dominance": self.rules.dominance,
            "confidential": [str(c) for c in self.clusters["cluster_id"].iloc[at]],
            "positions_coarsened": self.n_coarsened,
            "other": None
            if other is None
            else {
                "clusters": len(other.groups),
                "firms": other.firms,
                "employees": other.employees,
            },
            "firm_rows": bool(firm_rows),
            "note": self.public_note(),
        }


def protect_clusters(
    clusters: pd.DataFrame, figures: pd.DataFrame, rules: DisclosureRules | None = None
) -> ProtectedClusters:
    """A firm list's cluster table with what the rules forbid suppressed (see the module).

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster rows made from a firm list (``counts_what`` cluster_firms).
    figures : DataFrame
        Per row (``group`` = its position) the figures of its firms, as
        :func:`cluster_figures` gives them or a reader in chunks kept them.
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.

    Returns
    -------
    ProtectedClusters
    """
    rules = rules or DisclosureRules.from_env()
    table = pd.DataFrame(clusters.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    table["_row"] = np.arange(len(table))
    # Only figures are judged: a row without one has nothing to suppress.
    given = table["employees"].notna().to_numpy(dtype=bool)
    protected = protect_table(table[given], figures, rules, id_column="_row")
    out = table.copy()
    out["employees"] = out["employees"].astype("Int64")
    hit = np.zeros(len(out), dtype=bool)
    hit[protected.suppressed["group"].astype("int64").to_numpy()] = True
    out.loc[hit, "employees"] = pd.NA
    out["employees_qualifier"] = out["employees_qualifier"].astype("string").mask(hit, pd.NA)
    out["note"] = _confidential_notes(out["note"].astype("string"), hit)
    small = (pd.to_numeric(out["firms"], errors="coerce") < rules.min_firms).fillna(True)
    small_np = small.to_numpy(dtype=bool)
    for col in ("lat", "lon"):
        out[col] = out[col].astype("float64").mask(small_np, out[col].round(COARSE_DECIMALS))
    canonical = coerce_clusters(out.drop(columns=["_row"]))
    return ProtectedClusters(canonical, protected, int(small_np.sum()))


def _confidential_notes(notes: pd.Series, hit: np.ndarray) -> pd.Series:
    """Notes of suppressed rows say "confidential" instead of for how many firms it was known."""
    out = notes.copy()
    sub = out[hit]
    known = sub.str.contains(_KNOWN_FOR, na=False).to_numpy(dtype=bool)
    replaced = sub.str.replace(_KNOWN_FOR, CONFIDENTIAL_NOTE, regex=True)
    appended = (sub + "; " + CONFIDENTIAL_NOTE).fillna(CONFIDENTIAL_NOTE.capitalize())
    out[hit] = replaced.where(known, appended)
    return out
