"""Headline figures per cluster and rankings (pure functions on DataFrames).

A cluster often has several reported figures. For a ranking or a map symbol we
pick one *headline* figure per cluster by a fixed, documented rule and show the
others next to it; figures are never averaged or added together.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from mstatlas.analysis.filters import DEFAULT_COUNTS
from mstatlas.data.schema import COUNTS_WHAT, MEASURES, QUALIFIERS

Measure = Literal["employees", "firms", "employees_per_firm"]

#: When categories are mixed, a cluster's headline comes from the first category here.
CATEGORY_PRIORITY: tuple[str, ...] = (
    "cluster_firms",
    "network_members",
    "spin_offs",
    "institute_staff",
    "regional_sector",
    "national",
    "unspecified",
)

HEADLINE_RULE = (
    "One figure per cluster: the category closest to 'cluster firms' first, then a figure "
    "for the cluster's usual perimeter over one with a narrower or other scope (an incubator's "
    "tenants, a whole technology park), then the most recent dated figure, then a figure stated exactly over an approximate one, then the "
    "order of the data file. Other reported figures are listed, never averaged."
)

RANKING_COLUMNS: tuple[str, ...] = (
    "rank",
    "tied",
    "cluster_id",
    "cluster_name",
    "city",
    "country_iso2",
    "value",
    "display",
    "qualifier",
    "year",
    "counts_what",
    "scope",
    "firms",
    "employees",
    "source_title",
    "source_url",
    "other_figures",
    "n_figures",
    "row",
)


def _check_measure(by: str) -> None:
    if by not in MEASURES:
        raise ValueError(f"Unknown measure {by!r}; choose one of {', '.join(MEASURES)}.")


def measure_values(clusters: pd.DataFrame, by: str) -> tuple[pd.Series, pd.Series]:
    """Return the value of measure ``by`` for every row and its qualifier.

    ``employees_per_firm`` is computed only from rows that give both firms and
    employees (one source, one scope); it is blank otherwise and when firms is 0.
    Its qualifier is ``about`` when either input is approximate.
    """
    _check_measure(by)
    if by == "employees_per_firm":
        firms = clusters["firms"].astype("Float64")
        emp = clusters["employees"].astype("Float64")
        ok = firms.notna() & emp.notna() & (firms > 0)
        value = (emp / firms.where(ok)).where(ok)
        fq = clusters["firms_qualifier"].fillna("")
        eq = clusters["employees_qualifier"].fillna("")
        approx = (fq != "") | (eq != "")
        qual = pd.Series("", index=clusters.index, dtype="object").where(~approx, "about")
        return value.astype("Float64"), qual
    return clusters[by].astype("Float64"), clusters[f"{by}_qualifier"].fillna("").astype(object)


def format_figure(value: float | None, qualifier: str = "", by: str = "employees") -> str:
    """Format a figure as people read it: ``≈ 2,100``, ``> 40``, blank for none."""
    if value is None or pd.isna(value):
        return ""
    return format_figures(np.array([float(value)]), np.array([qualifier], dtype=object), by)[0]


def format_figures(values: np.ndarray, qualifiers: np.ndarray, by: str = "employees") -> list[str]:
    """:func:`format_figure` for many figures at once (no pandas per value)."""
    prefixes = [QUALIFIERS.get(q if isinstance(q, str) else "", "") for q in qualifiers]
    vals = np.asarray(values, dtype=float)
    if by == "employees_per_firm":
        return ["" if v != v else f"{p}{v:,.1f}" for v, p in zip(vals.tolist(), prefixes)]
    return ["" if v != v else f"{p}{round(v):,}" for v, p in zip(vals.tolist(), prefixes)]


_HEADLINE_INPUT = (
    "cluster_id", "cluster_name", "city", "country_iso2", "year", "counts_what", "firms",
    "employees", "firms_qualifier", "employees_qualifier", "source_title", "source_url", "scope",
)  # fmt: skip


def headline_figures(
    clusters: pd.DataFrame,
    by: str = "employees",
    counts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Pick one headline figure per cluster for measure ``by``.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (already filtered as wanted).
    by : {"employees", "firms", "employees_per_firm"}
        The measure.
    counts : iterable of str, optional
        Categories to consider; ``None`` considers all.

    Returns
    -------
    DataFrame
        One row per cluster that has a value, with the columns of
        :data:`RANKING_COLUMNS` except ``rank`` and ``tied``; ``row`` is the
        index of the chosen figure in ``clusters``.
    """
    _check_measure(by)
    # A lean copy with plain (object) columns and a RangeIndex: sorting and
    # de-duplicating it is several times faster than on the GeoDataFrame.
    df = pd.DataFrame({c: clusters[c].to_numpy() for c in _HEADLINE_INPUT})
    df["_row"] = clusters.index.to_numpy()
    if counts is not None:
        df = df[np.isin(df["counts_what"].to_numpy(dtype=object), list(counts))]
    value, qual = measure_values(df, by)
    df = df.assign(_value=value, _qual=qual)
    df = df[df["_value"].notna()]
    if df.empty:
        return pd.DataFrame(columns=[c for c in RANKING_COLUMNS if c not in ("rank", "tied")])
    prio = {c: i for i, c in enumerate(CATEGORY_PRIORITY)}
    df = df.assign(
        _prio=df["counts_what"].map(prio).fillna(len(prio)),
        _scoped=df["scope"].notna(),
        _undated=df["year"].isna(),
        _yr=df["year"].fillna(-1),
        _approx=df["_qual"] != "",
        _order=range(len(df)),
    )
    df = df.sort_values(
        ["cluster_id", "_prio", "_scoped", "_undated", "_yr", "_approx", "_order"],
        ascending=[True, True, True, True, False, True, True],
        kind="mergesort",
    )
    others = _other_figures(df, by)
    counts_per_cluster = df.groupby("cluster_id", sort=False).size()
    head = df.drop_duplicates("cluster_id", keep="first")
    out = pd.DataFrame(
        {
            "cluster_id": head["cluster_id"].to_numpy(),
            "cluster_name": head["cluster_name"].to_numpy(),
            "city": head["city"].to_numpy(),
            "country_iso2": head["country_iso2"].to_numpy(),
            "value": head["_value"].astype(float).to_numpy(),
            "qualifier": head["_qual"].to_numpy(),
            "year": head["year"].to_numpy(),
            "counts_what": head["counts_what"].to_numpy(),
            "scope": head["scope"].to_numpy(),
            "firms": head["firms"].to_numpy(),
            "employees": head["employees"].to_numpy(),
            "source_title": head["source_title"].to_numpy(),
            "source_url": head["source_url"].to_numpy(),
            "row": head["_row"].to_numpy(),
        }
    )
    out["year"] = out["year"].astype("Int64")
    out["display"] = format_figures(out["value"].to_numpy(), out["qualifier"].to_numpy(), by)
    out["other_figures"] = [others.get(str(c), "") for c in out["cluster_id"]]
    out["n_figures"] = out["cluster_id"].map(counts_per_cluster).astype(int)
    return out


def _other_figures(sorted_df: pd.DataFrame, by: str) -> dict[str, str]:
    """Text listing each cluster's non-headline figures, e.g. ``≈ 1,700 (2007)``.

    ``sorted_df`` is sorted with each cluster's headline first. Vectorised: one
    pass over the rows that are not headlines (10,000 clusters in ~0.1 s).
    """
    df = sorted_df[sorted_df["cluster_id"].duplicated(keep=False)]
    if df.empty:
        return {}
    first = ~df["cluster_id"].duplicated(keep="first")
    head_cat = df["counts_what"].astype(object).where(first).ffill()
    rest = df[~first]
    parts = [
        f"{format_figure(v, q, by)} ({'undated' if pd.isna(y) else int(y)}"
        f"{'' if c == h else ', ' + COUNTS_WHAT[c]})"
        for v, q, y, c, h in zip(
            rest["_value"], rest["_qual"], rest["year"], rest["counts_what"], head_cat[~first]
        )
    ]
    joined = pd.Series(parts, index=rest.index).groupby(rest["cluster_id"].to_numpy(), sort=False)
    return {str(k): v for k, v in joined.agg("; ".join).items()}


def rank_clusters(
    clusters: pd.DataFrame,
    by: str = "employees",
    top: int | None = None,
    counts: Iterable[str] | None = DEFAULT_COUNTS,
) -> pd.DataFrame:
    """Rank clusters by one headline figure each.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table, e.g. from :func:`mstatlas.load_clusters`.
    by : {"employees", "firms", "employees_per_firm"}
        The measure to rank by.
    top : int, optional
        Keep the first ``top`` ranks (ties at the cut are all kept).
    counts : iterable of str or None
        Categories of figures ranked together. The default ranks only figures
        that count firms in the cluster itself, so like is compared with like;
        ``None`` mixes all categories (the ``counts_what`` column then tells
        each row's kind).

    Returns
    -------
    DataFrame
        Columns :data:`RANKING_COLUMNS`, best first. Ties share the lowest rank
        ("1, 2, 2, 4") and are flagged in ``tied``.

    Examples
    --------
    >>> from mstatlas import load_clusters, rank_clusters
    >>> r = rank_clusters(load_clusters(), by="employees")
    >>> int(r.loc[r.cluster_id == "dortmund", "year"].item())  # its latest whole-cluster figure
    2008
    """
    if top is not None and top < 1:
        raise ValueError(f"top must be 1 or more, got {top}.")
    heads = headline_figures(clusters, by=by, counts=counts)
    if heads.empty:
        return pd.DataFrame(columns=list(RANKING_COLUMNS))
    heads = heads.sort_values(
        ["value", "cluster_name"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    ranks = heads["value"].rank(method="min", ascending=False).astype(int)
    heads.insert(0, "rank", ranks)
    heads.insert(1, "tied", heads["rank"].duplicated(keep=False))
    if top is not None:
        heads = heads[heads["rank"] <= top]
    return heads[list(RANKING_COLUMNS)].reset_index(drop=True)


def ordinal(n: int) -> str:
    """``1 -> '1st'``, ``2 -> '2nd'``, ``11 -> '11th'``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def with_article(phrase: str) -> str:
    """``'employees figure' -> 'an employees figure'``, ``'firms figure' -> 'a firms figure'``.

    By the first letter (enough for the measure names; not for words like "hour").
    """
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def position_statement(ranking: pd.DataFrame, cluster_id: str, by: str) -> str:
    """One line saying where a cluster stands in a ranking, with its figure's source.

    The ranking must be complete (not cut with ``top``) for "of N" to be right.
    """
    _check_measure(by)
    label = MEASURES[by].lower()
    row = ranking[ranking["cluster_id"] == cluster_id]
    if row.empty:
        return f"{cluster_id} has no {label} figure in this selection, so it is not ranked."
    r = row.iloc[0]
    tie = " (tied)" if bool(r["tied"]) else ""
    year = "undated" if pd.isna(r["year"]) else f"{int(r['year'])}"
    cats = ranking["counts_what"].unique()
    kind = COUNTS_WHAT[r["counts_what"]].lower()
    scope = f" counting {kind}" if len(cats) == 1 else " (mixed kinds of figures)"
    return (
        f"{r['cluster_name']} ranks {ordinal(int(r['rank']))}{tie} of {len(ranking)} clusters "
        f"by {label}{scope}: {r['display']} ({year}, {r['source_title']})."
    )
