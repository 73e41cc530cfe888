"""The headline pick as array operations: which figure heads each cluster, in one sort.

:func:`mstatlas.analysis.ranking.headline_figures` states the rule (the kind's
priority, the usual perimeter, dated, latest, exact, then file order); this
module finds the chosen rows with one ``numpy.lexsort`` over the positions of the
rows that give a value, so no per-row Python and no sorted copy of the table.
Only the chosen rows (and, for the "other figures" text, the rest of a cluster's
figures) are then read from the table.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
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

    def group_of_rest(self) -> np.ndarray:
        """For each row of :attr:`rest`, its cluster's index in :attr:`heads`."""
        return (np.cumsum(self.first) - 1)[~self.first]


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


@dataclass(frozen=True)
class RowOrder:
    """The headline rule's order over all of a table's rows with a value, once.

    Every row selection of the table (in file order) picks its headlines from it:
    the rule compares rows by what each row says, so a selection's order is this
    order restricted to its rows (:meth:`pick`).
    """

    order: np.ndarray  # positions of the rows with a value, by cluster id and the rule
    cluster: np.ndarray  # each row's cluster code, in id order (a missing id: after all)
    kind: np.ndarray  # each row's kind code (-1: missing)
    kinds: np.ndarray  # the kinds' names

    @classmethod
    def of(
        cls,
        clusters: pd.DataFrame,
        has_value: np.ndarray,
        approx: np.ndarray,
        priority: Sequence[str],
    ) -> RowOrder:
        """The order of ``clusters``' rows with a value (see :func:`headline_order`)."""
        whole = headline_order(clusters, has_value, approx, priority)
        codes, ids = pd.factorize(clusters["cluster_id"], sort=True, use_na_sentinel=True)
        kind, kinds = pd.factorize(clusters["counts_what"], use_na_sentinel=True)
        return cls(
            order=whole.order,
            cluster=np.where(codes < 0, len(ids), codes),
            kind=np.asarray(kind),
            kinds=np.asarray(kinds, dtype=object),
        )

    def _keep(self, rows: np.ndarray, counts: Iterable[str] | None) -> np.ndarray:
        keep = np.zeros(len(self.cluster), dtype=bool)
        keep[rows] = True
        if counts is not None:
            wanted = np.append(np.isin(self.kinds, list(counts)), False)
            keep &= wanted[self.kind]  # a missing kind (-1) is never wanted
        return keep

    def pick(self, rows: np.ndarray, counts: Iterable[str] | None = None) -> HeadlineOrder:
        """:func:`headline_order` of the selection of ``rows`` (positions, increasing), in
        positions of the whole table."""
        order = self.order[self._keep(rows, counts)[self.order]]
        code = self.cluster[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = code[1:] != code[:-1]
        return HeadlineOrder(order=order, first=first)

    def kinds_with_value(self, rows: np.ndarray, counts: Iterable[str] | None) -> frozenset[object]:
        """:func:`kinds_with_value` of the selection of ``rows`` that give a value."""
        present = np.unique(self.kind[rows])
        names = {None if k < 0 else str(self.kinds[k]) for k in present.tolist()}
        return frozenset(names if counts is None else names & set(counts))


def lean_taker(
    column: pd.Series,
) -> Callable[[np.ndarray, np.ndarray], np.ndarray | ExtensionArray]:
    """:func:`lean_values` of selections of ``column``, the column converted once.

    The function returned takes ``(at, within)``: positions ``at`` among the rows
    ``within`` (both positions in ``column``, ``within`` increasing) and gives
    ``lean_values(column.iloc[within], <at's places in within>)``.
    """
    if isinstance(column.dtype, pd.StringDtype):
        whole = column.array
        if whole.isna().all():
            return lambda at, within: whole.take(at).to_numpy(dtype=object)
        text = whole.astype("str")

        def take(at: np.ndarray, within: np.ndarray) -> np.ndarray | ExtensionArray:
            taken = text.take(at)
            if taken.isna().all():
                return np.full(len(at), np.nan, dtype=object)  # blanks only: not text
            return taken

        return take
    values = column.to_numpy()
    if values.dtype == object or not isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        return lambda at, within: lean_values(column.iloc[within], np.searchsorted(within, at))
    array, blank = column.array, np.asarray(column.isna(), dtype=bool)

    def take_numbers(at: np.ndarray, within: np.ndarray) -> np.ndarray | ExtensionArray:
        # a selection's numpy form depends on whether it holds a blank (float) or not (int)
        if blank[within].any():
            return values[at]
        return pd.Series(array.take(at), copy=False).to_numpy()

    return take_numbers


def lean_values(column: pd.Series, positions: np.ndarray) -> np.ndarray | ExtensionArray:
    """A column's values at ``positions``, as a new table built from them would hold them.

    A text column that holds any text gives text (``str``, ``nan`` for a blank),
    taken without a detour through Python objects; other columns their own values.
    """
    if isinstance(column.dtype, pd.StringDtype):
        whole = column.array  # on the array itself: a Series step costs more than the work
        taken = whole.take(positions)
        if whole.isna().all():
            return taken.to_numpy(dtype=object)
        if taken.isna().all():
            return np.full(len(positions), np.nan, dtype=object)  # blanks only: not text
        return taken.astype("str")
    values = column.to_numpy()[positions]
    if values.dtype == object and pd.api.types.infer_dtype(column, skipna=True) == "string":
        values = np.where(_missing(values), np.nan, values)
    return values


#: Picks made within :func:`shared_headlines`, by table and question (see there).
_SHARED: ContextVar[dict[Hashable, tuple[pd.DataFrame, pd.DataFrame]] | None] = ContextVar(
    "mstatlas_shared_headlines", default=None
)


@contextmanager
def shared_headlines() -> Iterator[None]:
    """Within this block, each headline pick of a table is made once and shared.

    The map's symbols and the star rating of one view ask for the same picks
    (employees of every kind for the map, employees and firms of the kind
    compared for the stars; one and the same when the table has figures of one
    kind only). Inside the block
    :func:`~mstatlas.analysis.ranking.headline_figures` answers a repeated
    question about the same table object from the first answer. The tables
    passed in must not change during the block (cached, read-only tables); each
    caller gets its own (shallow, copy-on-write) copy of the answer.
    """
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def shared_pick(
    clusters: pd.DataFrame, key: Callable[[], Hashable], make: Callable[[], pd.DataFrame]
) -> pd.DataFrame:
    """``make()``, or inside :func:`shared_headlines` the answer already made for ``key()``.

    ``key()`` must say everything the answer depends on, ``id(clusters)`` first
    (it is asked only inside the block); the table is kept with the answer, so
    its id is not re-used within the block.
    """
    memo = _SHARED.get()
    if memo is None:
        return make()
    k = key()
    if k not in memo:
        memo[k] = (clusters, make())
    return memo[k][1].copy(deep=False)


def kinds_with_value(
    clusters: pd.DataFrame, has_value: np.ndarray, counts: Iterable[str] | None
) -> frozenset[object]:
    """The kinds of the rows a pick considers (those of ``counts`` with a value).

    Two picks over the same table and measure with the same kinds here are the
    same pick (a missing kind counts as ``None``).
    """
    kind, kinds = pd.factorize(clusters["counts_what"], use_na_sentinel=False)
    present = np.unique(kind[np.asarray(has_value, dtype=bool)])
    names = {None if pd.isna(k) else str(k) for k in np.asarray(kinds, dtype=object)[present]}
    return frozenset(names if counts is None else names & set(counts))
