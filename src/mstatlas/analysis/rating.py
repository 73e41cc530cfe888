"""A transparent star rating, in the spirit of the European Cluster Observatory.

Each star is computed over the *comparable set in view*: the headline figures of
one kind (as :func:`~mstatlas.analysis.ranking.rank_clusters` builds them) of the
clusters in the table passed in. Every star carries its explanation: the rows
used, the value, the set size, the percentile and the threshold, enough to
recompute it by hand.

Percentile rank (ties share it)::

    percentile = 100 × (clusters in the set with a value ≤ this value) / (set size)

Stars
-----
size
    The cluster's employees figure is at or above the ``size_pct`` percentile.
critical mass
    Its firms figure is at or above the ``mass_pct`` percentile.
momentum
    The compound annual growth of its headline series
    (:func:`mstatlas.analysis.growth.cluster_growth`: same kind, same scope,
    earliest to latest year) is above ``momentum_cagr``; employees, or firms when
    there is no employees series.
specialisation
    Only where the table gives ``region_employment``: location quotient
    LQ = (employees / region employment) / (Σ employees / Σ region employment)
    over the clusters of the set that have both; star when LQ ≥ ``lq``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Literal

import numpy as np
import pandas as pd

from mstatlas.analysis._kinds import Kinds, resolve_kinds
from mstatlas.analysis._star_text import (
    STARS,
    LqSet,
    StarExplanation,
    StarName,
    lq_explanation,
    lq_unavailable,
    momentum_text,
    no_headline,
    no_series,
    percentile_text,
)
from mstatlas.analysis.growth import cluster_growth
from mstatlas.analysis.ranking import (
    LIKE_WITH_LIKE,
    comparable_headlines,
)
from mstatlas.analysis.selection import lookup, positions, whole_facts
from mstatlas.i18n import N_, current_language

RATING_METHOD = N_(
    "Stars are computed over the clusters in view, from each cluster's headline figure of the "
    "kinds compared (the figure the ranking uses). Percentile = 100 × (clusters with a value "
    "at or below this one) ÷ (clusters with a value); ties share it. Size ★: employees at or "
    "above the size percentile. Critical mass ★: firms at or above the mass percentile. "
    "Momentum ★: compound annual growth above the threshold between the earliest and latest "
    "figure of one kind and scope (employees, or firms when there is no employees series). "
    "Specialisation ★ (only when the data give the region's total employment): location "
    "quotient (employees ÷ region employment) ÷ (the same ratio summed over the clusters "
    "that have both) at or above the threshold. Percentile stars need a minimum number of "
    "clusters with a figure. Approximate figures and bounds are compared at their stated "
    "value, and the explanation says so."
)


@dataclass(frozen=True)
class RatingThresholds:
    """Thresholds of the star rating (editable on the page).

    Attributes
    ----------
    size_pct, mass_pct : float
        Percentile (0 to 100) an employees / firms figure must reach.
    momentum_cagr : float
        Compound annual growth, as a fraction (0.05 = 5 % a year; -1 or more),
        that momentum must be strictly above.
    lq : float
        Location quotient needed for the specialisation star (0 or more).
    min_set : int
        Fewest clusters with a figure for a percentile (or LQ) star to be given.
    """

    size_pct: float = 75.0
    mass_pct: float = 75.0
    momentum_cagr: float = 0.0
    lq: float = 2.0
    min_set: int = 3

    def __post_init__(self) -> None:
        for name in ("size_pct", "mass_pct"):
            p = getattr(self, name)
            if not isinstance(p, int | float) or not 0 <= p <= 100:
                raise ValueError(f"{name} must be a percentile from 0 to 100, got {p!r}.")
        g = self.momentum_cagr
        if not isinstance(g, int | float) or not math.isfinite(g) or g < -1:
            raise ValueError(
                "momentum_cagr must be a yearly growth of -1 or more "
                f"(e.g. 0.05 for 5 % a year), got {g!r}."
            )
        if not isinstance(self.lq, int | float) or not math.isfinite(self.lq) or self.lq < 0:
            raise ValueError(f"lq must be a location quotient of 0 or more, got {self.lq!r}.")
        m = self.min_set
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"min_set must be a whole number of clusters, 1 or more, got {m!r}.")


RATING_COLUMNS: tuple[str, ...] = (
    "cluster_id", "cluster_name",
    "size_value", "size_display", "size_year", "size_row", "size_n", "size_pct", "size_star",
    "mass_value", "mass_display", "mass_year", "mass_row", "mass_n", "mass_pct", "mass_star",
    "momentum_cagr", "momentum_measure", "momentum_start_year", "momentum_end_year",
    "momentum_rows", "momentum_star",
    "region_employment", "lq", "lq_star",
    "stars", "explain",
)  # fmt: skip


def percentile_ranks(values: Iterable[float]) -> np.ndarray:
    """Percentile rank of each value in its set: 100 × (values ≤ it) / (set size).

    Ties share the percentile; the largest value is at 100.

    >>> percentile_ranks([10, 20, 20, 40]).tolist()
    [25.0, 75.0, 75.0, 100.0]
    """
    v = np.asarray(
        values if isinstance(values, np.ndarray | pd.Series) else list(values), dtype=float
    )
    if v.size == 0:
        return v
    at_or_below = np.searchsorted(np.sort(v), v, side="right")
    return 100.0 * at_or_below / v.size


def _percentile_columns(prefix: str, part: pd.DataFrame, ids: pd.Index) -> dict[str, Any]:
    """The ``size_*`` or ``mass_*`` columns of :func:`rate_clusters`, in the order of ``ids``.

    ``part`` holds the comparable set, one row per cluster with a figure (its size is ``n``).
    """
    # each headline looked up among ``ids`` (one hash look-up), then turned round
    found = lookup(part["cluster_id"], ids)
    at = np.full(len(ids), -1, dtype=np.int64)
    at[found[found >= 0]] = np.flatnonzero(found >= 0)
    has = at >= 0
    where = np.where(has, at, 0)

    def taken(column: str, blank: float | str | bool) -> np.ndarray:
        values = part[column].to_numpy()
        if not len(values):
            return np.full(len(ids), blank, dtype=object)
        return np.where(has, values[where], blank)

    return {
        f"{prefix}_value": taken("value", np.nan).astype(float),
        f"{prefix}_display": _displays(part, at),
        f"{prefix}_year": pd.array(part["year"], dtype="Int64").take(at, allow_fill=True),
        f"{prefix}_row": pd.array(part["row"].to_numpy(), dtype="Int64").take(at, allow_fill=True),
        f"{prefix}_n": len(part),
        f"{prefix}_pct": taken("pct", np.nan).astype(float),
        f"{prefix}_star": taken("star", False).astype(bool),
    }


def _displays(part: pd.DataFrame, at: np.ndarray) -> Any:
    """The figures as written at ``at`` (-1: blank ``""``), typed as the table holds them."""
    if not len(at):
        return np.empty(0, dtype=object)
    return pd.array(part["display"].array, dtype="str").take(at, allow_fill=True).fillna("")


#: What the rating and its explanations read of a headline figure.
_RATED = ("cluster_id", "value", "display", "qualifier", "year", "scope", "source_title", "row")


def _percentile_star(
    clusters: pd.DataFrame, star: Literal["size", "mass"], counts: Kinds, need: float, min_set: int
) -> pd.DataFrame:
    """Headline figure, percentile and star per cluster for the size or mass star."""
    by = "employees" if star == "size" else "firms"
    # the comparable set, as ranked: one kind, the usual perimeter
    heads = comparable_headlines(clusters, by=by, counts=counts, columns=_RATED)
    n = len(heads)
    enough = n >= min_set
    pct = percentile_ranks(heads["value"]) if enough else np.full(n, np.nan)
    out = heads.assign(pct=pct, star=enough & (pct >= need), n=n)
    out.index = pd.Index(heads["cluster_id"], name="cluster_id")  # a new table: set in place
    return out


def _growth_by_cluster(
    clusters: pd.DataFrame, by: str, kinds: Kinds, ids: pd.Index
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Headline growth per cluster id (indexed by id), and its columns in the order of
    ``ids`` (NaN for a cluster without a growth; ``has``: whether it has one)."""
    growth = cluster_growth(clusters, by, kinds)
    if growth.empty:  # no series spans two years: nothing to look up
        none = np.full(len(ids), np.nan)
        blank = {c: none for c in ("cagr", "start_year", "end_year", "start_row", "end_row")}
        return growth, {"has": np.zeros(len(ids), dtype=bool), **blank}
    growth = growth.set_index(growth["cluster_id"].astype(str).to_numpy(), drop=False)
    at = growth.index.get_indexer(ids)
    has = at >= 0
    cols: dict[str, np.ndarray] = {"has": has}
    for c in ("cagr", "start_year", "end_year", "start_row", "end_row"):
        values = growth[c].to_numpy(float, na_value=np.nan)
        cols[c] = np.where(has, values[at] if len(values) else np.nan, np.nan)
    return growth, cols


def _momentum(
    clusters: pd.DataFrame, ids: pd.Index, emp_kinds: Kinds, firm_kinds: Kinds, need: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The momentum columns per cluster (employees growth, else firms growth), in the order
    of ``ids``, and the two growth tables (indexed by cluster id) the explanations quote."""
    emp, e = _growth_by_cluster(clusters, "employees", emp_kinds, ids)
    firms, f = _growth_by_cluster(clusters, "firms", firm_kinds, ids)
    has_e, has_f = e["has"], f["has"]
    ok_e = has_e & ~np.isnan(e["cagr"])
    ok_f = has_f & ~np.isnan(f["cagr"])
    # as pick_growth: computable employees growth, else computable firms growth, else what
    # there is (employees first)
    pick_e = ok_e | (has_e & ~ok_f)
    pick_f = ~pick_e & has_f
    picked = pick_e | pick_f
    cols = ["cagr", "start_year", "end_year", "start_row", "end_row"]
    got = {c: np.where(pick_e, e[c], f[c]) for c in cols}
    cagr = np.where(picked, got["cagr"], np.nan)
    star = picked & ~np.isnan(cagr) & (np.nan_to_num(cagr, nan=-np.inf) > need)
    measure = np.full(len(ids), None, dtype=object)
    measure[pick_e], measure[pick_f] = "employees", "firms"
    rows: list[tuple[int, ...]] = [()] * len(ids)
    for i in np.flatnonzero(picked).tolist():  # only clusters with a growth
        rows[i] = (int(got["start_row"][i]), int(got["end_row"][i]))
    frame = pd.DataFrame(
        {
            "momentum_cagr": cagr,
            "momentum_measure": measure,
            "momentum_start_year": pd.array(
                np.where(picked, got["start_year"], np.nan), dtype="Float64"
            ).astype("Int64"),
            "momentum_end_year": pd.array(
                np.where(picked, got["end_year"], np.nan), dtype="Float64"
            ).astype("Int64"),
            "momentum_rows": rows,
            "momentum_star": star,
        },
        index=ids,
    )
    return frame, emp, firms


def _region_employment(clusters: pd.DataFrame, heads: pd.DataFrame) -> pd.Series:
    """Region employment per cluster of ``heads``.

    From the employees figure's own row; else the one value the cluster's rows
    agree on; blank when they give none or several.
    """
    own = clusters.loc[heads["row"].to_numpy(), "region_employment"].to_numpy(dtype=object)
    out = pd.Series(own, index=heads.index, dtype="object")
    rows = clusters[clusters["region_employment"].notna().to_numpy(dtype=bool)]
    distinct = rows.groupby(rows["cluster_id"].astype(object).to_numpy())["region_employment"]
    single = distinct.unique()
    for cid in out.index[out.isna()]:
        vals = single.get(cid)
        if vals is not None and len(vals) == 1:
            out[cid] = vals[0]
    return pd.to_numeric(out).astype("Float64")


def _lq(
    clusters: pd.DataFrame, heads: pd.DataFrame, t: RatingThresholds
) -> tuple[pd.DataFrame, LqSet | None]:
    """Location quotient and specialisation star per cluster with an employees headline."""
    if clusters["region_employment"].isna().all():  # the caller explains: none given
        return pd.DataFrame(), None  # (_lq_columns writes the blanks)
    out = pd.DataFrame({"region_employment": np.nan, "lq": np.nan}, index=heads.index)
    out["lq_star"] = _blank_booleans(len(out))
    region = _region_employment(clusters, heads)
    both = (region.notna() & (region > 0).fillna(False)).to_numpy(dtype=bool)
    n = int(both.sum())
    emp = heads["value"].astype(float)
    totals = (float(emp[both].sum()), float(region[both].sum()), n)
    out["region_employment"] = region
    star = np.zeros(len(out), dtype=object)
    star[:] = pd.NA
    if n < t.min_set:
        star[both] = False
    else:
        own = region.to_numpy(dtype=float, na_value=np.nan)
        lq = np.where(
            both, (emp.to_numpy() / np.where(both, own, 1.0)) / (totals[0] / totals[1]), np.nan
        )
        out["lq"] = lq
        star[both] = lq[both] >= t.lq
    out["lq_star"] = pd.array(star, dtype="boolean")
    return out, LqSet(region, pd.Series(both, index=heads.index), totals)


def _blank_booleans(n: int) -> pd.arrays.BooleanArray:
    return pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))


_NULLABLE = ("momentum_start_year", "momentum_end_year")


def _lq_columns(lq: pd.DataFrame, lq_set: LqSet | None, ids: pd.Index) -> dict[str, Any]:
    """Region employment, location quotient and specialisation star in the order of ``ids``."""
    n = len(ids)
    if lq_set is None:  # no region employment given: every value blank
        return {
            "region_employment": pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)),
            "lq": np.full(n, np.nan),
            "lq_star": _blank_booleans(n),
        }
    lq = lq.reindex(ids)
    return {
        "region_employment": pd.array(
            lq["region_employment"].to_numpy(dtype=object), dtype="Float64"
        ).astype("Int64"),
        "lq": lq["lq"].astype(float).to_numpy(),
        "lq_star": pd.array(lq["lq_star"].to_numpy(dtype=object), dtype="boolean"),
    }


def rate_clusters(
    clusters: pd.DataFrame,
    thresholds: RatingThresholds = RatingThresholds(),
    counts: Iterable[str] | str | None = LIKE_WITH_LIKE,
    explain: bool = True,
) -> pd.DataFrame:
    """Star rating of every cluster in the table, with an explanation per star.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table, filtered as in view: the comparable set is the
        headline figures of its clusters.
    thresholds : RatingThresholds
        Percentiles, growth and location quotient needed for each star.
    counts : iterable of str or None
        Kinds of figures compared (as for
        :func:`~mstatlas.analysis.ranking.rank_clusters`); ``None`` mixes all.
    explain : bool
        Give every star its explanation (default). The texts are written when
        first read (one cluster's at a time), so this costs little; ``False``
        leaves ``explain`` blank (``None``).

    Returns
    -------
    DataFrame
        Columns :data:`RATING_COLUMNS`, one row per cluster of the table in
        file order. ``size_*`` / ``mass_*``: the headline employees / firms
        figure (value, display, year, ``row`` = its index in ``clusters``), the
        set size ``n``, the percentile (blank when the set has fewer than
        ``min_set`` figures) and the star. ``momentum_*``: growth of the headline
        series (``momentum_rows`` = start and end rows). ``lq``/``lq_star`` are
        blank without region employment. ``stars`` counts the stars;
        ``explain`` maps each star name to a :class:`StarExplanation`.
    """
    emp_kinds = resolve_kinds(clusters, counts, "employees")
    firm_kinds = resolve_kinds(clusters, counts, "firms")
    t = thresholds
    size = _percentile_star(clusters, "size", emp_kinds, t.size_pct, t.min_set)
    mass = _percentile_star(clusters, "mass", firm_kinds, t.mass_pct, t.min_set)
    first, ids = _first_rows(clusters)
    mom, emp_growth, firm_growth = _momentum(clusters, ids, emp_kinds, firm_kinds, t.momentum_cagr)
    lq, lq_set = _lq(clusters, size, t)
    names = clusters["cluster_name"].to_numpy(dtype=object)[first]
    if pd.isna(names).any():  # the first name given, as groupby's first()
        grouped = clusters.groupby(clusters["cluster_id"].astype(object).to_numpy())
        names = grouped["cluster_name"].first().reindex(ids).to_numpy()
    columns = {"cluster_id": ids.to_numpy(), "cluster_name": names}
    for prefix, part in (("size", size), ("mass", mass)):
        columns |= _percentile_columns(prefix, part, ids)
    columns |= {c: mom[c].to_numpy() for c in mom.columns if c not in _NULLABLE}
    columns |= {c: mom[c].array for c in _NULLABLE}  # years stay whole numbers or blank
    columns |= _lq_columns(lq, lq_set, ids)
    lq_star = np.asarray(columns["lq_star"].fillna(False), dtype=bool)
    columns["stars"] = (
        columns["size_star"].astype(int) + columns["mass_star"].astype(int)
        + columns["momentum_star"].astype(int) + lq_star.astype(int)
    )  # fmt: skip
    if explain:
        basis = _Basis(
            clusters, t, emp_kinds, firm_kinds, size, mass, emp_growth, firm_growth, lq_set
        )
        columns["explain"] = list(map(_Explanations, repeat(basis, len(ids)), ids))
    else:
        columns["explain"] = None
    # one constructor call, in the order of RATING_COLUMNS (no reordered copy)
    return pd.DataFrame({c: columns[c] for c in RATING_COLUMNS})


def _first_rows(clusters: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    """Each cluster's first row (a mask, in file order) and the clusters' ids as text."""
    at = positions(clusters)
    if at is None:
        cid = clusters["cluster_id"].to_numpy(dtype=object)
        first = ~pd.Series(cid).duplicated().to_numpy()
        return first, pd.Index([str(c) for c in cid[first]], dtype=object)
    codes, texts = whole_facts("cluster ids", _cluster_codes)  # a selection: from its rows
    first = np.zeros(len(at), dtype=bool)
    first[np.unique(codes[at], return_index=True)[1]] = True
    return first, pd.Index(texts[at[first]], dtype=object)


def _cluster_codes(whole: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each row's cluster as a code (equal ids, equal codes) and its id as text."""
    codes = pd.factorize(whole["cluster_id"], use_na_sentinel=False)[0]
    texts = np.array([str(c) for c in whole["cluster_id"].to_numpy(dtype=object)], dtype=object)
    return codes, texts


@dataclass(frozen=True, eq=False)
class _Basis:
    """Everything a rating's explanations are written from (shared by its clusters)."""

    clusters: pd.DataFrame
    thresholds: RatingThresholds
    emp_kinds: Kinds
    firm_kinds: Kinds
    size: pd.DataFrame  # the employees set, indexed by cluster id
    mass: pd.DataFrame  # the firms set
    emp_growth: pd.DataFrame  # headline growth per cluster id
    firm_growth: pd.DataFrame
    lq_set: LqSet | None

    def explain(self, cid: str, star: StarName) -> StarExplanation:
        """One star's explanation for one cluster."""
        t = self.thresholds
        if star in ("size", "mass"):
            heads, kinds = (
                (self.size, self.emp_kinds) if star == "size" else (self.mass, self.firm_kinds)
            )
            if cid not in heads.index:
                return no_headline(star, kinds)
            need = t.size_pct if star == "size" else t.mass_pct
            return percentile_text(heads.loc[cid], star, kinds, need, t.min_set)
        if star == "momentum":
            e = self.emp_growth.loc[cid] if cid in self.emp_growth.index else None
            f = self.firm_growth.loc[cid] if cid in self.firm_growth.index else None
            none = no_series(self.emp_kinds, self.firm_kinds)
            return momentum_text(e, f, none, t.momentum_cagr)
        if self.lq_set is None or cid not in self.size.index:
            return lq_unavailable(self.clusters, self.emp_kinds)
        return lq_explanation(self.size.loc[cid], self.lq_set, t.min_set, t.lq)


class _Explanations(Mapping[str, StarExplanation]):
    """A cluster's star explanations, each written when first read."""

    __slots__ = ("_basis", "_cid", "_done")

    def __init__(self, basis: _Basis, cid: str) -> None:
        # one per cluster in view: nothing else is made until a star is read
        self._basis, self._cid = basis, cid
        self._done: dict[tuple[str, str], StarExplanation] | None = None

    def __getitem__(self, star: str) -> StarExplanation:
        if star not in STARS:
            raise KeyError(star)
        if self._done is None:
            self._done = {}
        key = (star, current_language())  # written once per language it is read in
        if key not in self._done:
            self._done[key] = self._basis.explain(self._cid, star)  # type: ignore[arg-type]
        return self._done[key]

    def __iter__(self) -> Iterator[str]:
        return iter(STARS)

    def __len__(self) -> int:
        return len(STARS)


def explain_star(row: Mapping[str, object] | pd.Series, star: str) -> str:
    """The "explain this value" sentence for one star of one rated cluster.

    Parameters
    ----------
    row : Series or mapping
        A row of :func:`rate_clusters`.
    star : {"size", "mass", "momentum", "lq"}

    Returns
    -------
    str
        E.g. "Size ★: 2,100 employees (2008, Halterner Zeitung, row 3) is at
        percentile 90 of 10 clusters with an employees figure counting cluster
        firms: 9 of them have this figure or less (≥ 75 needed)."
    """
    if star not in STARS:
        raise ValueError(f"Unknown star {star!r}; choose one of {', '.join(STARS)}.")
    explain = row["explain"]
    if not isinstance(explain, Mapping):
        raise ValueError(
            "This row has no star explanations; pass a row of rate_clusters(explain=True)."
        )
    return str(explain[star].text)
