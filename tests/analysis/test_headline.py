"""The array headline pick gives exactly what the pandas pick gave (kept here as the reference).

Compared on the embedded data, on the synthetic benchmark set and on random tables
with several figures, years, kinds, scopes and qualifiers per cluster, for every
measure and choice of kinds, whole and filtered (an index that is not 0..n-1).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pytest
from cluster_tables import cluster_table

from benchmarks.synth import synthetic_clusters
from mstatlas import load_clusters
from mstatlas.analysis.figure_text import format_figure, format_figures, head_ratio_bases
from mstatlas.analysis.headline import headline_order, kinds_with_value, shared_headlines
from mstatlas.analysis.provenance import year_text
from mstatlas.analysis.ranking import (
    CATEGORY_PRIORITY,
    RANKING_COLUMNS,
    headline_figures,
    measure_values,
)
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.i18n import language

# ---- the pandas pick as it was before the array pick (reference, unchanged) -----------------

_HEADLINE_INPUT = (
    "cluster_id", "cluster_name", "city", "country_iso2", "year", "counts_what", "firms",
    "employees", "firms_qualifier", "employees_qualifier", "source_title", "source_url", "scope",
)  # fmt: skip


def reference_headlines(clusters, by="employees", counts: Iterable[str] | None = None):
    df = _lean_copy(clusters, counts)
    value, qual = measure_values(df, by)
    df = df.assign(_value=value, _qual=qual)
    df = df[df["_value"].notna()]
    if df.empty:
        return pd.DataFrame(columns=[c for c in RANKING_COLUMNS if c not in ("rank", "tied")])
    df = _headline_first(df)
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
    out["ratio_basis"] = head_ratio_bases(head) if by == "employees_per_firm" else ""
    return out


def _lean_copy(clusters, counts):
    df = pd.DataFrame(
        {
            c: clusters[c].to_numpy() if c in clusters.columns else np.full(len(clusters), None)
            for c in _HEADLINE_INPUT
        }
    )
    df["_row"] = clusters.index.to_numpy()
    if counts is not None:
        df = df[np.isin(df["counts_what"].to_numpy(dtype=object), list(counts))]
    return df


def _headline_first(df):
    prio = {c: i for i, c in enumerate(CATEGORY_PRIORITY)}
    df = df.assign(
        _prio=df["counts_what"].map(prio).fillna(len(prio)),
        _scoped=df["scope"].notna(),
        _undated=df["year"].isna(),
        _yr=df["year"].fillna(-1),
        _approx=df["_qual"] != "",
        _order=range(len(df)),
    )
    return df.sort_values(
        ["cluster_id", "_prio", "_scoped", "_undated", "_yr", "_approx", "_order"],
        ascending=[True, True, True, True, False, True, True],
        kind="mergesort",
    )


def _other_figures(sorted_df, by):
    df = sorted_df[sorted_df["cluster_id"].duplicated(keep=False)]
    if df.empty:
        return {}
    first = ~df["cluster_id"].duplicated(keep="first")
    head_cat = df["counts_what"].astype(object).where(first).ffill()
    rest = df[~first]
    parts = [
        f"{format_figure(v, q, by)} ({year_text(y)}{'' if c == h else ', ' + COUNTS_WHAT[c]})"
        for v, q, y, c, h in zip(
            rest["_value"], rest["_qual"], rest["year"], rest["counts_what"], head_cat[~first]
        )
    ]
    joined = pd.Series(parts, index=rest.index).groupby(rest["cluster_id"].to_numpy(), sort=False)
    return {str(k): v for k, v in joined.agg("; ".join).items()}


# ---- test tables --------------------------------------------------------------------------

QUALIFIERS = [None, None, "about", "more_than", "at_least", "up_to"]
SCOPES = [None, None, None, "incubator tenants", "whole park"]


def random_table(n_clusters: int, seed: int):
    """Up to five figures per cluster: kinds, years (some undated, some equal), scopes,
    qualifiers and blanks drawn at random; some clusters without a name or a figure."""
    rng = np.random.default_rng(seed)
    kinds = list(COUNTS_WHAT)
    rows = []
    for i in range(n_clusters):
        for _ in range(int(rng.integers(1, 6))):
            year = None if rng.random() < 0.2 else int(rng.integers(2005, 2010))
            rows.append(
                {
                    "cluster_id": f"c{int(rng.integers(0, n_clusters)):03d}",
                    "cluster_name": None if rng.random() < 0.1 else f"Cluster {i}",
                    "counts_what": kinds[int(rng.integers(0, len(kinds)))],
                    "year": year,
                    "employees": None if rng.random() < 0.25 else int(rng.integers(0, 5000)),
                    "firms": None if rng.random() < 0.25 else int(rng.integers(0, 200)),
                    "employees_qualifier": QUALIFIERS[int(rng.integers(0, len(QUALIFIERS)))],
                    "firms_qualifier": QUALIFIERS[int(rng.integers(0, len(QUALIFIERS)))],
                    "scope": SCOPES[int(rng.integers(0, len(SCOPES)))],
                    "source_title": f"Source {int(rng.integers(0, 9))}",
                    "source_url": None if rng.random() < 0.5 else "https://example.org/s",
                }
            )
    return cluster_table(rows)


def kind_choices(clusters):
    present = [k for k in COUNTS_WHAT if k in set(clusters["counts_what"].dropna())]
    return [None, tuple(present[:1]), tuple(present[:2]), ("no_such_kind",)]


def assert_same(clusters):
    for by in MEASURES:
        for counts in kind_choices(clusters):
            got = headline_figures(clusters, by=by, counts=counts)
            want = reference_headlines(clusters, by=by, counts=counts)
            pd.testing.assert_frame_equal(got, want, check_index_type=True)


# ---- tests ------------------------------------------------------------------------------


def test_same_as_the_pandas_pick_on_the_embedded_data():
    clusters = load_clusters()
    assert_same(clusters)
    assert_same(clusters[clusters["year"].fillna(0) >= 2008])  # a filtered view


def test_same_in_german():
    clusters = random_table(40, seed=7)
    with language("de"):
        assert_same(clusters)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_on_random_tables_with_several_figures_per_cluster(seed):
    clusters = random_table(60, seed)
    # the tables really hold what the rule decides between
    assert clusters["cluster_id"].duplicated().sum() > 60
    assert clusters["scope"].notna().any() and clusters["year"].isna().any()
    assert_same(clusters)
    assert_same(clusters.iloc[::3])


def test_same_on_the_synthetic_benchmark_set():
    assert_same(synthetic_clusters(2_000))


def test_same_without_a_scope_column_and_with_plain_object_columns():
    clusters = pd.DataFrame(random_table(30, seed=4)).drop(columns=["scope"])
    assert_same(clusters)
    objects = clusters.astype({c: object for c in ("cluster_id", "city", "source_url")})
    assert_same(objects)


def test_order_by_hand():
    # cluster "a": an undated exact figure, a 2008 approximate one, a 2008 exact one, a 2009
    # figure for another scope, a 2007 figure of a later kind. The rule: kind first (the
    # network_members row loses), then the usual perimeter (the scoped 2009 row loses), then
    # dated over undated, latest, exact over approximate: the exact 2008 row (position 2).
    t = cluster_table(
        [
            {"cluster_id": "a", "employees": 10},
            {"cluster_id": "a", "employees": 20, "year": 2008, "employees_qualifier": "about"},
            {"cluster_id": "a", "employees": 30, "year": 2008},
            {"cluster_id": "a", "employees": 40, "year": 2009, "scope": "park"},
            {"cluster_id": "a", "employees": 50, "year": 2007, "counts_what": "network_members"},
            {"cluster_id": "b", "employees": None, "year": 2008},
        ]
    )
    value, qual = measure_values(t, "employees")
    v = value.to_numpy(dtype=float, na_value=np.nan)
    pick = headline_order(t, ~np.isnan(v), qual.to_numpy(dtype=object) != "", CATEGORY_PRIORITY)
    assert pick.heads.tolist() == [2]
    assert pick.rest.tolist() == [1, 0, 3, 4]
    assert pick.figures_per_head().tolist() == [5]
    assert pick.group_of_rest().tolist() == [0, 0, 0, 0]  # all of cluster "a", the only head


def test_each_other_figure_knows_its_headline():
    t = cluster_table(
        [
            {"cluster_id": "b", "employees": 1, "year": 2001},
            {"cluster_id": "a", "employees": 2, "year": 2001},
            {"cluster_id": "b", "employees": 3, "year": 2002},
            {"cluster_id": "a", "employees": 4, "year": 2000},
        ]
    )
    v = t["employees"].to_numpy(dtype=float)
    pick = headline_order(t, ~np.isnan(v), np.zeros(len(t), dtype=bool), CATEGORY_PRIORITY)
    assert pick.heads.tolist() == [1, 2]  # "a" first (cluster ids sorted), each its latest
    assert pick.rest.tolist() == [3, 0]
    assert pick.group_of_rest().tolist() == [0, 1]
    assert pick.figures_per_head().tolist() == [2, 2]


def test_figures_written_in_one_go_as_one_by_one():
    # by hand: halves round to even (as round()), thousands get commas, a blank stays blank
    values = np.array([2.5, 3.5, 1234567.0, np.nan, 1200.4, 7.0])
    quals = np.array(["", "", "", "about", "about", None], dtype=object)
    want = ["2", "4", "1,234,567", "", "≈ 1,200", "7"]
    assert format_figures(values, quals) == want
    assert [format_figure(v, q or "") for v, q in zip(values, quals)] == want
    assert format_figures(values[:3], np.array(["", "", ""], dtype=object)) == want[:3]
    with language("de"):
        assert format_figures(values[2:3], np.array([""], dtype=object)) == ["1.234.567"]


def test_shared_picks_answer_as_separate_picks():
    # one table, one kind: the map's pick (every kind) and the stars' (that kind) are one
    clusters = synthetic_clusters(300)
    alone = [headline_figures(clusters, counts=c) for c in (None, ("cluster_firms",))]
    with shared_headlines():
        shared = [headline_figures(clusters, counts=c) for c in (None, ("cluster_firms",))]
        shared[0].insert(0, "rank", 1)  # a caller changing its copy changes no other answer
        again = headline_figures(clusters, counts=None)
    pd.testing.assert_frame_equal(shared[1], alone[1])
    pd.testing.assert_frame_equal(again, alone[0])
    # several kinds: asking for one kind is another pick, also inside the block
    mixed = random_table(40, seed=5)
    with shared_headlines():
        got = [headline_figures(mixed, counts=c) for c in (None, ("cluster_firms",))]
        other = headline_figures(mixed.iloc[::2], counts=None)  # another table
    pd.testing.assert_frame_equal(got[0], reference_headlines(mixed, counts=None))
    pd.testing.assert_frame_equal(got[1], reference_headlines(mixed, counts=("cluster_firms",)))
    pd.testing.assert_frame_equal(other, reference_headlines(mixed.iloc[::2], counts=None))


def test_kinds_a_pick_considers():
    t = cluster_table(
        [
            {"cluster_id": "a", "employees": 1},
            {"cluster_id": "b", "employees": 2, "counts_what": "network_members"},
            {"cluster_id": "c", "employees": None, "counts_what": "spin_offs"},
        ]
    )
    has = t["employees"].notna().to_numpy()
    assert kinds_with_value(t, has, None) == {"cluster_firms", "network_members"}
    assert kinds_with_value(t, has, ("cluster_firms", "spin_offs")) == {"cluster_firms"}
