"""The headline pick as array operations: which figure heads each cluster, in one sort.

:func:`mstatlas.analysis.ranking.headline_figures` states the rule (the kind's
priority, the usual perimeter, dated, latest, exact, then file order); this
module finds the chosen rows with one ``numpy.lexsort`` over the positions of the
rows that give a value, so no per-row Python and no sorted copy of the table.
Only the chosen rows (and, for the "other figures" text, the rest of a cluster's
figures) are then read from the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray


@dataclass(frozen=True)
class HeadlineOrder:
    """Each cluster's figures with a value, best first, as positions in the table.

    Attributes
    ----------
    order : ndarray of int
        Positions (``iloc``) of the rows with a value, sorted by cluster id and
        then by the headline rule.
    first : ndarray of bool
        Along ``order``: the row is its cluster's headline.
    """

    order: np.ndarray
    first: np.ndarray

    @property
    def heads(self) -> np.ndarray:
        """Positions of the headline rows, in cluster-id order."""
        return self.order[self.first]

    @property
    def rest(self) -> np.ndarray:
        """Positions of the other figures, each cluster's after its headline."""
        return self.order[~self.first]

    def figures_per_head(self) -> np.ndarray:
        """How many figures each headline's cluster has (in the order of :attr:`heads`)."""
        starts = np.flatnonzero(self.first)
        return np.diff(np.append(starts, len(self.order)))

    def head_of_rest(self) -> np.ndarray:
        """For each row of :attr:`rest`, the position of its cluster's headline."""
        group = np.cumsum(self.first) - 1
        return self.heads[group[~self.first]]


def _missing(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(values), dtype=bool)


def _column(clusters: pd.DataFrame, name: str) -> pd.Series | None:
    return clusters[name] if name in clusters.columns else None


def headline_order(
    clusters: pd.DataFrame,
    has_value: np.ndarray,
    approx: np.ndarray,
    priority: Sequence[str],
    counts: Iterable[str] | None = None,
) -> HeadlineOrder:
    """Sort the rows with a value by cluster id and the headline rule.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (``scope`` optional).
    has_value : ndarray of bool
        Rows that give a value for the measure.
    approx : ndarray of bool
        Rows whose figure is approximate or a bound (a qualifier is given).
    priority : sequence of str
        Kinds of figure (``counts_what``) best first; other kinds come after them.
    counts : iterable of str, optional
        Only rows of these kinds; ``None`` keeps every kind.

    Returns
    -------
    HeadlineOrder
    """
    kind, kinds = pd.factorize(clusters["counts_what"], use_na_sentinel=True)
    keep = np.asarray(has_value, dtype=bool).copy()
    if counts is not None:
        wanted = np.append(np.isin(np.asarray(kinds, dtype=object), list(counts)), False)
        keep &= wanted[kind]  # a missing kind (-1) is never wanted
    pos = np.flatnonzero(keep)
    codes, ids = pd.factorize(clusters["cluster_id"], sort=True, use_na_sentinel=True)
    codes = np.where(codes < 0, len(ids), codes)[pos]  # a missing id sorts last
    rank = {k: i for i, k in enumerate(priority)}
    ranks = [rank.get(str(k), len(rank)) for k in kinds] + [len(rank)]  # a missing kind: last
    prio = np.asarray(ranks, dtype=np.int64)[kind[pos]]
    scope = _column(clusters, "scope")
    scoped = (
        np.zeros(len(pos), dtype=bool) if scope is None else ~scope.isna().to_numpy(dtype=bool)[pos]
    )
    year = clusters["year"].to_numpy(dtype=float, na_value=np.nan)[pos]
    undated = np.isnan(year)
    latest_first = -np.where(undated, -1.0, year)
    # np.lexsort sorts by the last key first and is stable: ties keep file order
    sort = np.lexsort(
        (np.arange(len(pos)), np.asarray(approx, dtype=bool)[pos], latest_first, undated, scoped,
         prio, codes)
    )  # fmt: skip
    order = pos[sort]
    sorted_codes = codes[sort]
    first = np.ones(len(order), dtype=bool)
    first[1:] = sorted_codes[1:] != sorted_codes[:-1]
    return HeadlineOrder(order=order, first=first)


def lean_values(column: pd.Series, positions: np.ndarray) -> np.ndarray | ExtensionArray:
    """A column's values at ``positions``, as a new table built from them would hold them.

    A text column that holds any text gives text (``str``, ``nan`` for a blank),
    taken without a detour through Python objects; other columns their own values.
    """
    if isinstance(column.dtype, pd.StringDtype):
        taken = column.take(positions)
        if not column.notna().any():
            return taken.to_numpy(dtype=object)
        if taken.notna().any():
            return taken.astype("str").array
        return np.full(len(positions), np.nan, dtype=object)  # blanks only: not text
    values = column.to_numpy()[positions]
    if values.dtype == object and pd.api.types.infer_dtype(column, skipna=True) == "string":
        values = np.where(_missing(values), np.nan, values)
    return values
