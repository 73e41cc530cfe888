"""Firm aggregation in parts: add firm rows chunk by chunk, get the same clusters.

:func:`mstatlas.data.firms.aggregate_firms` turns a whole firm table into one
row per city (or cluster column) at once. A register too big for memory is read
in chunks, so :class:`FirmGroups` keeps, per group, only what the counting rule
needs and can be added to: the number of firms, for how many the head count is
known, running sums, the latest year, and per text column how often each value
occurs and on which row it first occurs. :meth:`FirmGroups.clusters` then gives
exactly what ``aggregate_firms`` gives for all rows added, in the same order.

Exactly, including the last bit of the mean positions: ``aggregate_firms`` sums
the coordinates of a group firm by firm in row order, so the running sums here
are continued in the same order (``numpy.bincount`` adds its weights one by
one), never summed per chunk and then added together.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mstatlas.data.codes import combine_codes, renumber, text_codes
from mstatlas.data.disclosure import FIGURE_COLUMNS
from mstatlas.data.firms import cluster_rows, method_text

GroupBy = Literal["city", "cluster"]

#: Text columns whose most frequent value names a group's cell in the cluster table.
MODE_COLUMNS = ("cluster", "city", "country_iso2", "region", "source_title", "source_url")


@dataclass
class _Counts:
    """How often each text occurs in each group, and the row it first occurs on."""

    seen: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    def add(self, groups: np.ndarray, rows: np.ndarray, values: pd.Series | None) -> None:
        if values is None:
            return
        codes, uniques = text_codes(values)
        ok = np.flatnonzero(codes >= 0)
        if not len(ok):
            return
        pair_code, first = renumber(combine_codes([groups[ok], codes[ok]]))
        count = np.bincount(pair_code, minlength=len(first))
        firsts = ok[first]
        for g, c, k, r in zip(
            groups[firsts].tolist(),
            codes[firsts].tolist(),
            count.tolist(),
            rows[firsts].tolist(),
            strict=True,
        ):
            entry = self.seen.get((g, uniques[c]))
            if entry is None:
                self.seen[(g, uniques[c])] = [k, r]
            else:
                entry[0] += k  # the first row stays the earlier one

    def per_group(self) -> Iterator[tuple[int, str, int, int]]:
        """``(group, text, count, first row)`` for every pair seen."""
        for (g, text), (k, r) in self.seen.items():
            yield g, text, k, r


class FirmGroups:
    """Running aggregates of firm rows per city (and country) or per cluster column.

    Parameters
    ----------
    by : {"city", "cluster"}
        Group by city and country, or by the file's cluster column, as
        :func:`mstatlas.data.firms.aggregate_firms` does.

    Notes
    -----
    Memory grows with the number of groups and of distinct (group, text) pairs,
    not with the number of firms.
    """

    def __init__(self, by: GroupBy) -> None:
        if by not in ("city", "cluster"):
            raise ValueError(f"by must be 'city' or 'cluster', not {by!r}")
        self.by = by
        self.n_firms = 0
        self._ids: dict[tuple[str | None, ...], int] = {}
        self._n = np.zeros(0, np.int64)
        self._k = np.zeros(0, np.int64)
        self._sums = {c: np.zeros(0) for c in ("employees", "lat", "lon")}
        self._known = {c: np.zeros(0, np.int64) for c in ("lat", "lon")}
        self._year = np.zeros(0)
        self._largest = np.zeros(0)
        self._texts = {c: _Counts() for c in (*MODE_COLUMNS, "technology")}

    @property
    def n_groups(self) -> int:
        """Number of groups (clusters) so far."""
        return len(self._ids)

    def add(self, firms: pd.DataFrame) -> None:
        """Add firm rows that follow every row added before (in file order).

        Parameters
        ----------
        firms : pandas.DataFrame
            Cleaned firm rows with (some of) the columns
            :data:`mstatlas.data.firms.FIRM_COLUMNS`; ``row`` orders them
            (without it, rows count on from the rows added before).
        """
        n = len(firms)
        if not n:
            return
        rows = _numbers_or_order(firms.get("row"), n, self.n_firms)
        groups = self._group_ids(firms, n)
        size = self.n_groups
        self._n = _count_into(self._n, groups, size)
        emp = _numbers(firms.get("employees"), n)
        known = ~np.isnan(emp)
        self._k = _count_into(self._k, groups[known], size)
        self._sums["employees"] = _sum_into(
            self._sums["employees"], groups[known], emp[known], size
        )
        self._largest = np.concatenate([self._largest, np.full(size - len(self._largest), -np.inf)])
        np.maximum.at(self._largest, groups[known], emp[known])
        for c in ("lat", "lon"):
            x = _numbers(firms.get(c), n)
            ok = ~np.isnan(x)
            self._sums[c] = _sum_into(self._sums[c], groups[ok], x[ok], size)
            self._known[c] = _count_into(self._known[c], groups[ok], size)
        year = _numbers(firms.get("year"), n)
        self._year = np.concatenate([self._year, np.full(size - len(self._year), -np.inf)])
        ok = ~np.isnan(year)
        np.maximum.at(self._year, groups[ok], year[ok])
        for c, counts in self._texts.items():
            counts.add(groups, rows, firms.get(c))
        self.n_firms += n

    def _group_ids(self, firms: pd.DataFrame, n: int) -> np.ndarray:
        """The group of every row, new groups numbered on in order of first appearance."""
        parts = ("cluster",) if self.by == "cluster" else ("city", "country_iso2")
        code_parts, texts = [], []
        for i, col in enumerate(parts):
            codes, uniques = text_codes(_column(firms, col, n))
            if i == 0 and uniques:  # names compared in lower case (iso codes as given)
                low = pc.utf8_lower(pa.array(uniques, pa.string())).to_pylist()
                codes, uniques = _merge_equal(codes, low)
            code_parts.append(codes)
            texts.append(uniques)
        local, first = renumber(combine_codes(code_parts))
        ids = np.empty(len(first), np.int64)
        for j, pos in enumerate(first.tolist()):
            key = tuple(t[c[pos]] if c[pos] >= 0 else None for c, t in zip(code_parts, texts))
            ids[j] = self._ids.setdefault(key, len(self._ids))
        return ids[local]

    def clusters(self) -> tuple[pd.DataFrame, str]:
        """The cluster rows and method text :func:`~mstatlas.data.firms.aggregate_firms` gives.

        Returns
        -------
        tuple
            ``(cluster rows with canonical column names, method text)``, groups in
            order of their first firm; ``cluster_id`` is left for the caller.
        """
        size = self.n_groups
        with np.errstate(invalid="ignore", divide="ignore"):
            means = {
                c: np.where(k > 0, self._sums[c] / np.maximum(k, 1), np.nan)
                for c, k in self._known.items()
            }
        agg = pd.DataFrame(
            {
                "n": self._n,
                "k": self._k,
                "employees": self._sums["employees"],
                "lat": means["lat"],
                "lon": means["lon"],
                "year": np.where(np.isneginf(self._year), np.nan, self._year),
            }
        )
        for col in MODE_COLUMNS:
            agg[col] = _modes(self._texts[col], size)
        agg["tech"] = _mixes(self._texts["technology"], size)
        out = cluster_rows(agg, self.by)
        return out, method_text(self.by, self.n_firms, len(out))

    def figures(self) -> pd.DataFrame:
        """Per group, what the disclosure rules judge its employee figure by.

        Returns
        -------
        pandas.DataFrame
            :data:`~mstatlas.data.disclosure.FIGURE_COLUMNS`, one row per group
            in the order of :meth:`clusters` (``group`` is the row's position):
            firms with a known head count, their employees, the largest head count.
        """
        largest = self._largest  # every array has one entry per group after each add
        return pd.DataFrame(
            {
                "group": np.arange(self.n_groups),
                "contributors": self._k.astype("int64"),
                "total": self._sums["employees"],
                "largest": np.where(np.isneginf(largest), np.nan, largest),
            }
        )[list(FIGURE_COLUMNS)]


def _column(firms: pd.DataFrame, col: str, n: int) -> pd.Series:
    values = firms.get(col)
    if values is None:
        return pd.Series(pa.nulls(n, pa.string()).to_pandas(), dtype="string")
    return values


def _merge_equal(codes: np.ndarray, texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """Codes renumbered so that equal texts (after lower-casing) share one."""
    remap, uniques = pd.factorize(np.asarray(texts, dtype=object))
    merged = np.where(codes < 0, -1, remap.astype(np.int64)[np.maximum(codes, 0)])
    return merged, [str(u) for u in uniques]


def _numbers(values: pd.Series | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _numbers_or_order(values: pd.Series | None, n: int, before: int) -> np.ndarray:
    if values is None:
        return np.arange(before, before + n, dtype=np.int64)
    return np.asarray(values, dtype=np.int64)


def _count_into(counts: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    added = np.bincount(groups, minlength=size)
    added[: len(counts)] += counts
    return added


def _sum_into(sums: np.ndarray, groups: np.ndarray, x: np.ndarray, size: int) -> np.ndarray:
    """Running sums continued value by value, in row order (as one bincount over all rows)."""
    start = np.arange(len(sums), dtype=np.int64)
    return np.bincount(
        np.concatenate([start, groups]), weights=np.concatenate([sums, x]), minlength=size
    )


def _modes(counts: _Counts, size: int) -> pd.Series:
    """Most frequent text per group; ties go to the text whose first row comes first."""
    best: dict[int, tuple[int, int, str]] = {}
    for g, text, k, r in counts.per_group():
        cand = (-k, r, text)
        if g not in best or cand < best[g]:
            best[g] = cand
    out = pd.Series(pd.NA, index=range(size), dtype="object")
    if best:
        out.iloc[list(best)] = [text for _k, _r, text in best.values()]
    return out


def _mixes(counts: _Counts, size: int) -> pd.Series:
    """ "MEMS 2, optics 1" per group: most frequent first, then by name."""
    parts: dict[int, list[tuple[int, str]]] = {}
    for g, text, k, _r in counts.per_group():
        parts.setdefault(g, []).append((-k, text))
    out = pd.Series(pd.NA, index=range(size), dtype="object")
    if parts:
        out.iloc[list(parts)] = [
            ", ".join(f"{text} {-k}" for k, text in sorted(items)) for items in parts.values()
        ]
    return out
