"""Compare 2–10 clusters side by side, with a warning for every pair that is not comparable.

Each cluster contributes its *headline* figure per measure, chosen by the
ranking's rule (:func:`mstatlas.analysis.ranking.headline_figures`); a cluster
without a figure for a measure keeps a row with a blank value. Figures are
shown as reported (qualifier, year, kind, scope, source), never adjusted, and
:func:`compare_warnings` says in plain words which pairs are not like for like.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import pandas as pd

from mstatlas.analysis.comparability import ISSUES, pair_issues, pair_warnings
from mstatlas.analysis.ranking import headline_figures
from mstatlas.i18n import N_, _, fmt_int

MIN_COMPARE = 2
MAX_COMPARE = 10

COMPARE_COLUMNS: tuple[str, ...] = (
    "cluster_id",
    "cluster_name",
    "measure",
    "value",
    "display",
    "qualifier",
    "year",
    "counts_what",
    "scope",
    "source_title",
    "source_url",
    "row",
    "n_figures",
)

WARNING_COLUMNS: tuple[str, ...] = (
    "measure",
    "cluster_a",
    "cluster_b",
    "cluster_a_id",
    "cluster_b_id",
    "reasons",
)

#: Headline columns carried into the comparison table (blank for a cluster without a figure).
_FIGURE_COLUMNS = COMPARE_COLUMNS[3:]
_TEXT_COLUMNS = (
    "cluster_id", "cluster_name", "measure", "display", "qualifier", "counts_what", "scope",
    "source_title", "source_url",
)  # fmt: skip


def ivam_benchmark_ids(clusters: pd.DataFrame) -> list[str]:
    """Ids of the clusters flagged as IVAM's 2007 benchmark set, in file order.

    Parameters
    ----------
    clusters : DataFrame
        A canonical cluster table.

    Returns
    -------
    list of str
        Each id once, in the order of its first row flagged ``ivam_benchmark_2007``;
        empty for a table without that column.
    """
    if "ivam_benchmark_2007" not in clusters.columns:
        return []
    flagged = clusters["ivam_benchmark_2007"].fillna(False).astype(bool)
    return [str(c) for c in clusters.loc[flagged, "cluster_id"].drop_duplicates()]


def _checked_ids(clusters: pd.DataFrame, cluster_ids: Iterable[str]) -> list[str]:
    ids = list(dict.fromkeys(str(c) for c in cluster_ids))
    known = set(clusters["cluster_id"].dropna().astype(str))
    unknown = [c for c in ids if c not in known]
    if unknown:
        raise ValueError(
            f"Unknown cluster id(s) {', '.join(map(repr, unknown))}: "
            "not in this dataset or selection (ids are the lowercase 'cluster_id' values)."
        )
    if not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        raise ValueError(
            _("Pick {low} to {high} different clusters to compare; got {n}.").format(
                low=MIN_COMPARE, high=MAX_COMPARE, n=fmt_int(len(ids))
            )
        )
    return ids


def compare_clusters(
    clusters: pd.DataFrame,
    cluster_ids: Iterable[str],
    measures: Sequence[str] = ("employees", "firms", "employees_per_firm"),
    counts: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The comparison table: each chosen cluster's headline figure per measure.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (already filtered as wanted).
    cluster_ids : iterable of str
        2 to 10 distinct cluster ids (repeats are dropped), in the order to show.
    measures : sequence of str
        Measures of :data:`mstatlas.data.schema.MEASURES`.
    counts : iterable of str, optional
        Kinds of figures to consider. ``None`` considers every kind, and each
        cluster's headline is the kind closest to cluster firms (the ranking's
        rule, :data:`mstatlas.analysis.ranking.HEADLINE_RULE`).

    Returns
    -------
    DataFrame
        Columns :data:`COMPARE_COLUMNS`, one row per (cluster, measure): clusters
        in the given order, measures in the given order within each cluster. A
        cluster without a figure for a measure has a blank ``value`` (NaN),
        ``display`` ``""`` and blank year, kind, source and ``row``;
        ``n_figures`` counts that cluster's figures for the measure (0 then).
        ``row`` is the index of the chosen figure in ``clusters``.

    Raises
    ------
    ValueError
        For ids not in ``clusters`` (all named), for fewer than 2 or more than
        10 distinct ids, for no or unknown measures.
    """
    ids = _checked_ids(clusters, cluster_ids)
    if not measures:
        raise ValueError("Pick at least one measure to compare.")
    chosen = clusters[clusters["cluster_id"].isin(ids)]
    names = chosen.drop_duplicates("cluster_id").set_index("cluster_id")["cluster_name"]
    heads = {
        m: headline_figures(chosen, by=m, counts=counts).set_index("cluster_id") for m in measures
    }
    records = []
    for cid in ids:
        for measure in measures:
            head = heads[measure]
            figure = head.loc[cid] if cid in head.index else None
            record = {"cluster_id": cid, "cluster_name": names[cid], "measure": measure}
            for col in _FIGURE_COLUMNS:
                record[col] = figure[col] if figure is not None else None
            if figure is None:
                record.update(display="", qualifier="", n_figures=0)
            records.append(record)
    out = pd.DataFrame.from_records(records, columns=list(COMPARE_COLUMNS))
    for col in _TEXT_COLUMNS:
        out[col] = out[col].astype("string")
    out["value"] = pd.to_numeric(out["value"]).astype(float)
    out["year"] = out["year"].astype("Int64")
    out["n_figures"] = out["n_figures"].astype(int)
    if pd.api.types.is_integer_dtype(clusters.index):
        out["row"] = out["row"].astype("Int64")
    return out


def compare_warnings(table: pd.DataFrame) -> pd.DataFrame:
    """Every pair of clusters whose figures for a measure are not comparable.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`compare_clusters`.

    Returns
    -------
    DataFrame
        Columns :data:`WARNING_COLUMNS`: per measure (in table order) and pair of
        clusters (in table order), the cluster names and ids and the reasons of
        :func:`mstatlas.analysis.comparability.pair_warnings` joined with
        ``"; "``. Pairs where a side has no figure are left out: the table shows
        the blank. Empty when every pair is comparable.
    """
    rows = []
    for measure, group in table.groupby("measure", sort=False):
        figures = group[group["value"].notna()].to_dict("records")
        for a, b in combinations(figures, 2):
            reasons = pair_warnings(a, b)
            if reasons:
                rows.append(
                    (measure, a["cluster_name"], b["cluster_name"], a["cluster_id"],
                     b["cluster_id"], "; ".join(reasons))
                )  # fmt: skip
    return pd.DataFrame(rows, columns=list(WARNING_COLUMNS))


#: A cell of :func:`fairness_grid` for a fair pair, a pair with a blank, and the diagonal.
FAIR, NO_FIGURE, SAME = N_("✓ comparable"), N_("— no figure"), ""


def fairness_grid(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Which pairs of the compared clusters' figures for ``measure`` are comparable.

    Parameters
    ----------
    table : DataFrame
        The output of :func:`compare_clusters`.
    measure : str
        One of its measures.

    Returns
    -------
    DataFrame
        Square, indexed and labelled by cluster name in table order. A cell is
        :data:`FAIR` (in the active language, as are the others), ``"✗ "`` followed by the failed conditions
        (:data:`mstatlas.analysis.comparability.ISSUES`, e.g. ``"✗ different
        kinds, years apart or undated"``), :data:`NO_FIGURE` when either cluster
        has no figure, and :data:`SAME` on the diagonal.
    """
    rows = table[table["measure"] == measure].to_dict("records")
    names = [str(r["cluster_name"]) for r in rows]
    cells: list[list[str]] = []
    for a in rows:
        line = []
        for b in rows:
            if a["cluster_id"] == b["cluster_id"]:
                line.append(SAME)
            elif _blank_value(a) or _blank_value(b):
                line.append(_(NO_FIGURE))
            else:
                issues = pair_issues(a, b)
                line.append(_(FAIR) if not issues else "✗ " + ", ".join(ISSUES[i] for i in issues))
        cells.append(line)
    return pd.DataFrame(cells, index=pd.Index(names, name="cluster"), columns=names)


def _blank_value(figure: dict[str, object]) -> bool:
    value = figure.get("value")
    return value is None or bool(pd.isna(value))
