"""Growth over time of one kind of figure: absolute change and compound annual growth.

A *series* is every dated figure of one cluster that counts the same kind of
thing (``counts_what``) over the same perimeter (``scope``). Growth is only
ever computed inside one series, from its earliest to its latest year; figures
of different kinds or scopes are never joined, and undated figures (their year
is unknown) are left out. Nothing is averaged: when a year has several figures
one is chosen by a fixed rule and the others are mentioned in the caveats.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.analysis.ranking import CATEGORY_PRIORITY, format_figures, measure_values
from mstatlas.analysis.selection import positions, whole_facts
from mstatlas.data.schema import COUNTS_WHAT, QUALIFIERS
from mstatlas.i18n import N_, _, fmt_int, ngettext

GROWTH_RULE = N_(
    "Growth is shown only between figures that count the same thing (the same kind of figure "
    "and the same perimeter) for the same cluster, from the earliest to the latest year with "
    "such a figure; undated figures are left out. Change = latest minus earliest; compound "
    "annual growth = (latest / earliest)^(1 / years) − 1, not computed when either figure is 0. "
    "When a year has several figures, one stated exactly is used before an approximate one, "
    "then the first in the data file; the others are named in the caveats, as are figures "
    "from different sources and figures that are approximate or only a bound (a growth "
    "computed from '> 40' is itself uncertain). A cluster's growth (used to sort the ranking "
    "and for the momentum star) is that of its series whose kind comes first in this order: "
    "cluster firms, network members, spin-offs, institute staff, regional sector, national, "
    "not stated; a series for the cluster's usual perimeter before one with a narrower or "
    "other scope; then the longest span of years."
)  # the order is CATEGORY_PRIORITY's (a test checks it)

SERIES_COLUMNS: tuple[str, ...] = (
    "cluster_id", "cluster_name", "series", "counts_what", "scope", "year", "value", "qualifier",
    "display", "source_title", "source_url", "row",
)  # fmt: skip

_END = ("year", "value", "qualifier", "display", "source_title", "source_url", "row")
GROWTH_COLUMNS: tuple[str, ...] = (
    ("cluster_id", "cluster_name", "counts_what", "scope")
    + tuple(f"start_{c}" for c in _END)
    + tuple(f"end_{c}" for c in _END)
    + ("years", "change", "cagr", "same_source", "caveats")
)

#: How a qualifier makes a start or end figure uncertain, for the caveats.
_QUALIFIER_CAVEAT: dict[str, str] = {
    "about": N_("approximate"),
    "more_than": N_("a lower bound"),
    "at_least": N_("a lower bound"),
    "up_to": N_("an upper bound"),
}


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate: ``(end / start) ** (1 / years) - 1``.

    Parameters
    ----------
    start, end : float
        The earliest and the latest figure; both must be positive.
    years : float
        Years between them; must be positive.

    Returns
    -------
    float
        E.g. ``0.10`` for 10 % a year (100 → 121 over 2 years).

    Raises
    ------
    ValueError
        For a start or end of 0 or less, or years of 0 or less.
    """
    if years <= 0:
        raise ValueError(f"Growth needs figures from two different years; years = {years}.")
    if start <= 0 or end <= 0:
        raise ValueError(
            f"Compound annual growth needs two positive figures; got {start} and {end}."
        )
    return float((end / start) ** (1 / years) - 1)


def series_label(counts_what: str, scope: object = None) -> str:
    """``"Cluster firms"`` or ``"Cluster firms (MST.factory tenants)"``."""
    kind = COUNTS_WHAT.get(counts_what, counts_what)
    has_scope = isinstance(scope, str) and scope.strip() != ""
    return f"{kind} ({scope})" if has_scope else kind


def _spans_years(
    ids: np.ndarray, kinds: np.ndarray, scopes: np.ndarray, years: np.ndarray
) -> np.ndarray:
    """Which figures belong to a series (cluster, kind, scope) with at least two years."""
    if not len(ids):
        return np.zeros(0, dtype=bool)
    codes = [pd.factorize(a, use_na_sentinel=False)[0].astype(np.int64) for a in (ids, kinds)]
    codes.append(pd.factorize(scopes, use_na_sentinel=False)[0].astype(np.int64))
    series = (codes[0] * (codes[1].max() + 1) + codes[1]) * (codes[2].max() + 1) + codes[2]
    year = years.astype(np.int64) - int(years.min())
    pairs = np.unique(series * (int(year.max()) + 1) + year) // (int(year.max()) + 1)
    n_years = np.bincount(pairs, minlength=int(series.max()) + 1)
    return np.asarray(n_years[series] >= 2, dtype=bool)


def _measure(
    clusters: pd.DataFrame, by: str
) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """The measure's values, and its qualifiers at given positions (read only for those)."""
    if by in ("employees", "firms"):
        column = clusters[f"{by}_qualifier"]
        values = clusters[by].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return values, lambda pos: column.take(pos).fillna("").astype(object).to_numpy()
    value, qual = measure_values(clusters, by)
    objects = qual.to_numpy(dtype=object)
    return value.to_numpy(dtype=float, na_value=np.nan), lambda pos: objects[pos]


def _dated_figures(
    clusters: pd.DataFrame, by: str, counts: Iterable[str] | None = None, spans: bool = False
) -> pd.DataFrame:
    """Every dated figure with a value for ``by``, with sort keys, in file order.

    ``spans``: only the figures of series with figures in at least two years (what
    growth needs), picked before the other columns are built; a table without
    columns when there is none.
    """
    values, quals = _measure(clusters, by)
    years = pd.array(clusters["year"], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    keep = ~np.isnan(values) & ~np.isnan(years)
    if counts is not None:
        keep &= clusters["counts_what"].isin(list(counts)).to_numpy(dtype=bool)
    # ``scope`` is optional: without it every figure is for the usual perimeter.
    scope_col = clusters["scope"] if "scope" in clusters.columns else None
    if spans:  # series told apart by codes: no text is read for the figures left out
        ids_ = pd.factorize(clusters["cluster_id"])[0][keep]
        if len(ids_) and np.bincount(ids_ + 1).max() < 2:
            keep[:] = False  # one dated figure per cluster: no series spans two years
        else:
            kinds_, scopes_ = (
                pd.factorize(clusters[c])[0][keep] if c in clusters.columns else ids_ * 0
                for c in ("counts_what", "scope")
            )
            keep[keep] = _spans_years(ids_, kinds_, scopes_, years[keep])
    pos = np.flatnonzero(keep)
    if spans and not len(pos):
        return pd.DataFrame()  # no series spans two years: growth has nothing to build
    ids = clusters["cluster_id"].take(pos).to_numpy(dtype=object)
    kinds = clusters["counts_what"].take(pos).to_numpy(dtype=object)

    def kept(col: pd.Series) -> pd.Series | np.ndarray:
        if not len(pos):  # nothing to type: growth returns its empty table
            return np.empty(0, dtype=object)
        # typed as the whole column would be (as plain objects), then the kept rows
        if isinstance(col.dtype, pd.StringDtype) and col.notna().any():
            return pd.Series(col.take(pos).astype("str").array)
        return pd.Series(col.to_numpy(dtype=object)).take(pos).reset_index(drop=True)

    scope = pd.Series(
        np.full(len(pos), None, dtype=object) if scope_col is None else kept(scope_col)
    )
    scope = scope.where(scope.notna(), None)
    scope_key = scope.fillna("")
    qualifier = quals(pos)
    prio = {c: i for i, c in enumerate(CATEGORY_PRIORITY)}
    # one constructor call: columns added one by one cost more than the work
    return pd.DataFrame(
        {
            "cluster_id": ids,
            "cluster_name": kept(clusters["cluster_name"]),
            "counts_what": kinds,
            "scope": scope,
            "year": years[pos].astype(int),
            "value": values[pos],
            "qualifier": qualifier,
            "source_title": kept(clusters["source_title"]),
            "source_url": kept(clusters["source_url"]),
            "row": clusters.index.to_numpy()[pos],
            "_order": pos,
            "_scope_key": scope_key,
            "_prio": pd.Series(kinds).map(prio).fillna(len(prio)),
            "_scoped": scope_key != "",
            "_approx": qualifier != "",
            "_cluster_order": pd.factorize(ids)[0],
            "display": format_figures(values[pos], qualifier, by),
        }
    )


_SERIES_ORDER = ["_cluster_order", "_prio", "_scoped", "_scope_key", "counts_what"]


def growth_series(clusters: pd.DataFrame, cluster_id: str, by: str = "employees") -> pd.DataFrame:
    """Every dated figure of one cluster for measure ``by``, labelled by series.

    Undated figures are left out: a chart over time cannot place them.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table.
    cluster_id : str
        The cluster.
    by : {"employees", "firms", "employees_per_firm"}
        The measure (values and qualifiers as in
        :func:`mstatlas.analysis.ranking.measure_values`).

    Returns
    -------
    DataFrame
        Columns :data:`SERIES_COLUMNS`, one row per figure, ordered by series
        (kind as in :data:`~mstatlas.analysis.ranking.CATEGORY_PRIORITY`, the
        usual perimeter first), then year, then file order. ``series`` names the
        kind and scope (:func:`series_label`): draw one line per series, so kinds
        and scopes are never joined. Several figures in one year are all kept.
        ``row`` is the figure's index in ``clusters``.

    Raises
    ------
    ValueError
        For a cluster id not in ``clusters`` or an unknown measure.
    """
    if not (clusters["cluster_id"] == cluster_id).any():
        raise ValueError(f"Unknown cluster id {cluster_id!r}: not in this dataset or selection.")
    df = _dated_figures(clusters[clusters["cluster_id"] == cluster_id], by)
    df = df.sort_values(_SERIES_ORDER + ["year", "_order"], kind="mergesort")
    df["series"] = [series_label(k, s) for k, s in zip(df["counts_what"], df["scope"])]
    return df[list(SERIES_COLUMNS)].reset_index(drop=True)


def _caveats(row: Mapping[str, Any], n_start: int, n_end: int) -> str:
    notes = [] if row["same_source"] else [_("different sources")]
    for end, n in (("start", n_start), ("end", n_end)):
        q = row[f"{end}_qualifier"]
        if q:
            what = _(_QUALIFIER_CAVEAT[q]) if q in _QUALIFIER_CAVEAT else _("not exact")
            said = _("start is {what} ({sign})") if end == "start" else _("end is {what} ({sign})")
            notes.append(said.format(what=what, sign=QUALIFIERS[q].strip()))
        if n > 1:
            notes.append(
                ngettext(
                    "{n} different figure for {year} ({used} used)",
                    "{n} different figures for {year} ({used} used)",
                    n,
                ).format(n=fmt_int(n), year=row[f"{end}_year"], used=row[f"{end}_display"])
            )
    return "; ".join(notes)


def _same_source(start: pd.DataFrame, end: pd.DataFrame) -> np.ndarray:
    """Same source when the addresses match; without addresses, when the titles match."""
    su, eu = start["source_url"].to_numpy(dtype=object), end["source_url"].to_numpy(dtype=object)
    st, et = (
        start["source_title"].to_numpy(dtype=object),
        end["source_title"].to_numpy(dtype=object),
    )
    both_url = pd.notna(su) & pd.notna(eu)
    no_url = pd.isna(su) & pd.isna(eu)
    same_url = both_url & (np.where(both_url, su, "") == np.where(both_url, eu, ""))
    both_title = no_url & pd.notna(st) & pd.notna(et)
    same_title = both_title & (np.where(both_title, st, "") == np.where(both_title, et, ""))
    return np.asarray(same_url | same_title, dtype=bool)


def _spans(by: str) -> Callable[[pd.DataFrame], bool]:
    """Whether a table has a series with figures for ``by`` in two years or more."""
    return lambda whole: not _dated_figures(whole, by, None, spans=True).empty


def growth_table(
    clusters: pd.DataFrame, by: str = "employees", counts: Iterable[str] | None = None
) -> pd.DataFrame:
    """Growth of every series that has dated figures in at least two different years.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (already filtered as wanted).
    by : {"employees", "firms", "employees_per_firm"}
        The measure.
    counts : iterable of str, optional
        Kinds of figures to consider; ``None`` considers all.

    Returns
    -------
    DataFrame
        Columns :data:`GROWTH_COLUMNS`, one row per (cluster, kind, scope):
        ``start_*`` is the figure of the earliest year, ``end_*`` that of the
        latest (within a year, a figure stated exactly before an approximate
        one, then file order; ``*_row`` is its index in ``clusters``);
        ``years`` = end − start year; ``change`` = end − start value; ``cagr``
        the compound annual growth (:func:`cagr`; NaN when a figure is 0);
        ``same_source`` whether both come from one source; ``caveats`` says, in
        words, what makes the growth uncertain ("different sources", "start is
        approximate (≈)", "end is a lower bound (>)", "2 different figures
        for 2007 (2,100 used)"), joined with "; ", and ``""`` when nothing
        does. Clusters in file order, then series in the order of
        :func:`growth_series`. Single-year series give no row.
    """
    if positions(clusters) is not None and not whole_facts(("series over years", by), _spans(by)):
        return pd.DataFrame(columns=list(GROWTH_COLUMNS))  # none in the whole table: none here
    df = _dated_figures(clusters, by, counts, spans=True)
    if df.empty:
        return pd.DataFrame(columns=list(GROWTH_COLUMNS))
    start_at, end_at, n_start, n_end = _series_ends(df)
    start, end = df.iloc[start_at], df.iloc[end_at]
    # the columns keep their types (.array); the arithmetic reads numpy
    cols: dict[str, Any] = {
        c: start[c].array for c in ("cluster_id", "cluster_name", "counts_what", "scope")
    }
    for c in _END:
        cols[f"start_{c}"] = start[c].array
        cols[f"end_{c}"] = end[c].array
    years = end["year"].to_numpy() - start["year"].to_numpy()
    sv, ev = start["value"].to_numpy(dtype=float), end["value"].to_numpy(dtype=float)
    ok = (sv > 0) & (ev > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cagr = np.where(ok, (ev / np.where(ok, sv, 1.0)) ** (1 / years) - 1, np.nan)
    cols |= {"years": years, "change": ev - sv, "cagr": cagr}
    cols["same_source"] = _same_source(start, end)
    cols["caveats"] = _all_caveats(start, end, cols["same_source"], n_start, n_end)
    return pd.DataFrame({c: cols[c] for c in GROWTH_COLUMNS})


def _all_caveats(
    start: pd.DataFrame,
    end: pd.DataFrame,
    same_source: np.ndarray,
    n_start: np.ndarray,
    n_end: np.ndarray,
) -> list[str]:
    """:func:`_caveats` of each series, from its start and end figures."""
    quoted = {
        f"{e}_{c}": f[c].to_numpy(dtype=object)
        for e, f in zip(_ENDS, (start, end))
        for c in _CAVEAT
    }
    return [
        _caveats({"same_source": same} | {k: v[i] for k, v in quoted.items()}, a, b)
        for i, (same, a, b) in enumerate(zip(same_source, n_start.tolist(), n_end.tolist()))
    ]


_ENDS = ("start", "end")
_CAVEAT = ("qualifier", "year", "display")  # what a caveat quotes of a start or end figure


def _sorted_codes(column: pd.Series) -> np.ndarray:
    """Codes in the column's sorted order (as a sort by it: blanks last)."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), sort=True)
    return np.where(codes < 0, len(uniques), codes)


def _series_ends(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each series' start and end figure (positions in ``df``, series in the order of
    :data:`_SERIES_ORDER`) and how many different values the series gives in their years.

    The start is the figure of the earliest year, the end that of the latest; within a
    year a figure stated exactly comes first, then file order.
    """
    year = df["year"].to_numpy(dtype=np.int64)
    series_keys = (
        _sorted_codes(df["counts_what"]),
        _sorted_codes(df["_scope_key"]),
        df["_scoped"].to_numpy(dtype=bool),
        df["_prio"].to_numpy(dtype=float),
        df["_cluster_order"].to_numpy(dtype=np.int64),
    )  # the last key first, as np.lexsort reads them
    within = (df["_order"].to_numpy(), df["_approx"].to_numpy(dtype=bool))
    first_sort = np.lexsort((*within, year, *series_keys))
    last_sort = np.lexsort((*within, -year, *series_keys))
    kind, scope, cluster = series_keys[0], series_keys[1], series_keys[4]
    ordered = (cluster[first_sort], kind[first_sort], scope[first_sort])
    starts = np.ones(len(df), dtype=bool)
    starts[1:] = np.any([k[1:] != k[:-1] for k in ordered], axis=0)
    series = np.empty(len(df), dtype=np.int64)
    series[first_sort] = np.cumsum(starts) - 1
    start_at = first_sort[starts]
    end_at = last_sort[starts]  # the same series keys first: the same series order
    # different values per series and year
    value = df["value"].to_numpy(dtype=float)
    by_value = np.lexsort((value, year, series))
    s, y, v = series[by_value], year[by_value], value[by_value]
    group_start = np.ones(len(df), dtype=bool)
    group_start[1:] = (s[1:] != s[:-1]) | (y[1:] != y[:-1])
    new_value = group_start.copy()
    new_value[1:] |= v[1:] != v[:-1]
    group = np.cumsum(group_start) - 1
    distinct = np.bincount(group, weights=new_value).astype(np.int64)
    group_of = np.empty(len(df), dtype=np.int64)
    group_of[by_value] = group
    return start_at, end_at, distinct[group_of[start_at]], distinct[group_of[end_at]]


def cluster_growth(
    clusters: pd.DataFrame, by: str = "employees", counts: Iterable[str] | None = None
) -> pd.DataFrame:
    """One growth per cluster: that of its headline series.

    This is the growth a ranking sorts by and the rating's momentum star uses.
    Among a cluster's series with figures in at least two years
    (:func:`growth_table`), the headline series is the one whose kind comes
    first in :data:`~mstatlas.analysis.ranking.CATEGORY_PRIORITY` (cluster
    firms before network members, …, national last), then the cluster's usual
    perimeter (blank ``scope``) before a narrower or other one, then the longest
    span of years, then the order of :func:`growth_table`. It may differ in
    kind from the cluster's headline *figure* when the closer kind has only one
    year: the ``counts_what`` column always says what grew.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (already filtered as wanted).
    by : {"employees", "firms", "employees_per_firm"}
        The measure.
    counts : iterable of str, optional
        Kinds of figures to consider; ``None`` considers all.

    Returns
    -------
    DataFrame
        Columns :data:`GROWTH_COLUMNS`, one row per cluster that has a growth
        (clusters without one are absent), in file order.
    """
    table = growth_table(clusters, by=by, counts=counts)
    if table.empty:
        return table
    prio = {c: i for i, c in enumerate(CATEGORY_PRIORITY)}
    # clusters in the order they first appear, then the rule; one array sort
    order = np.lexsort(
        (
            np.arange(len(table)),
            -table["years"].to_numpy(dtype=float),
            table["scope"].notna().to_numpy(dtype=bool),
            table["counts_what"].map(prio).fillna(len(prio)).to_numpy(dtype=float),
            pd.factorize(table["cluster_id"].to_numpy(dtype=object))[0],
        )
    )
    cluster = table["cluster_id"].to_numpy(dtype=object)[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = cluster[1:] != cluster[:-1]
    return table.take(order[first]).reset_index(drop=True)
