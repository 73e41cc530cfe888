"""Side-by-side comparison: headline figures per cluster, blanks kept, warnings per pair."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from cluster_tables import cluster_table as table

from mstatlas import load_clusters
from mstatlas.analysis.compare import (
    COMPARE_COLUMNS,
    MAX_COMPARE,
    MIN_COMPARE,
    compare_clusters,
    compare_warnings,
    ivam_benchmark_ids,
)
from mstatlas.data.schema import coerce_clusters


@pytest.fixture
def small():
    return table(
        [
            {"cluster_id": "a", "firms": 10, "employees": 200, "year": 2010},
            {"cluster_id": "a", "firms": 12, "year": 2012},  # newer firms figure, no employees
            {"cluster_id": "b", "firms": 40, "firms_qualifier": "more_than", "year": 2011},
            {"cluster_id": "c", "employees": 900, "year": 2020, "counts_what": "regional_sector"},
        ]
    )


def test_one_row_per_cluster_and_measure_in_the_given_order(small):
    t = compare_clusters(small, ["c", "a", "b"], measures=("firms", "employees"))
    assert list(t.columns) == list(COMPARE_COLUMNS)
    assert list(zip(t["cluster_id"], t["measure"])) == [
        ("c", "firms"), ("c", "employees"),
        ("a", "firms"), ("a", "employees"),
        ("b", "firms"), ("b", "employees"),
    ]  # fmt: skip


def test_headline_rule_picks_the_most_recent_figure_per_measure(small):
    t = compare_clusters(small, ["a", "b"], measures=("firms", "employees")).set_index(
        ["cluster_id", "measure"]
    )
    assert t.loc[("a", "firms"), "value"] == 12 and t.loc[("a", "firms"), "year"] == 2012
    assert t.loc[("a", "firms"), "row"] == 1 and t.loc[("a", "firms"), "n_figures"] == 2
    assert t.loc[("a", "employees"), "value"] == 200 and t.loc[("a", "employees"), "year"] == 2010
    assert t.loc[("b", "firms"), "display"] == "> 40"
    assert t.loc[("b", "firms"), "qualifier"] == "more_than"


def test_blanks_stay_blank(small):
    t = compare_clusters(small, ["a", "b"]).set_index(["cluster_id", "measure"])
    b_emp = t.loc[("b", "employees")]
    assert math.isnan(b_emp["value"]) and b_emp["display"] == ""
    assert pd.isna(b_emp["year"]) and pd.isna(b_emp["source_title"]) and pd.isna(b_emp["row"])
    assert b_emp["n_figures"] == 0
    # employees per firm: only from row 0 (10 firms, 200 staff) -> 20.0
    assert t.loc[("a", "employees_per_firm"), "value"] == pytest.approx(20.0)
    assert math.isnan(t.loc[("b", "employees_per_firm"), "value"])


def test_counts_limits_the_kinds_considered(small):
    t = compare_clusters(small, ["a", "c"], measures=("employees",), counts=["cluster_firms"])
    assert list(t["value"].isna()) == [False, True]


def test_repeated_ids_count_once(small):
    t = compare_clusters(small, ["a", "b", "a"], measures=("firms",))
    assert list(t["cluster_id"]) == ["a", "b"]


def test_unknown_ids_are_named(small):
    with pytest.raises(ValueError, match=r"Unknown cluster id\(s\) 'x', 'zz'"):
        compare_clusters(small, ["a", "x", "zz"])


def test_too_few_or_too_many_clusters():
    assert (MIN_COMPARE, MAX_COMPARE) == (2, 10)
    many = table([{"cluster_id": f"c{i}", "firms": i} for i in range(11)])
    with pytest.raises(ValueError, match="Pick 2 to 10 different clusters to compare; got 1"):
        compare_clusters(many, ["c1", "c1"])
    with pytest.raises(ValueError, match="got 11"):
        compare_clusters(many, [f"c{i}" for i in range(11)])
    assert len(compare_clusters(many, [f"c{i}" for i in range(10)], measures=("firms",))) == 10


def test_unknown_measure_and_no_measure(small):
    with pytest.raises(ValueError, match="Unknown measure 'staff'"):
        compare_clusters(small, ["a", "b"], measures=("staff",))
    with pytest.raises(ValueError, match="at least one measure"):
        compare_clusters(small, ["a", "b"], measures=())


def test_warnings_per_measure_and_pair_skip_blanks(small):
    t = compare_clusters(small, ["a", "b", "c"], measures=("firms", "employees"))
    w = compare_warnings(t)
    # firms: a (12, 2012, exact) vs b (> 40, 2011): only the qualifier differs; c has no firms.
    # employees: a (200, 2010, cluster firms) vs c (900, 2020, regional sector); b is blank.
    assert list(zip(w["measure"], w["cluster_a_id"], w["cluster_b_id"])) == [
        ("firms", "a", "b"),
        ("employees", "a", "c"),
    ]
    assert (
        w.iloc[0]["reasons"] == "B's figure is stated 'more than 40' (a lower bound), A's exactly"
    )
    assert w.iloc[1]["reasons"] == (
        "Different kinds of figure: A's figure counts cluster firms, C's regional sector; "
        "Years 10 apart: A 2010, C 2020"
    )


def test_no_warnings_for_comparable_figures():
    t = table(
        [
            {"cluster_id": "a", "firms": 10, "year": 2010},
            {"cluster_id": "b", "firms": 20, "year": 2013},
        ]
    )
    w = compare_warnings(compare_clusters(t, ["a", "b"], measures=("firms",)))
    assert w.empty and list(w.columns)[:4] == ["measure", "cluster_a", "cluster_b", "cluster_a_id"]


def test_ivam_benchmark_ids_in_file_order():
    t = table(
        [
            {"cluster_id": "z", "firms": 1, "ivam_benchmark_2007": "true"},
            {"cluster_id": "a", "firms": 1},
            {"cluster_id": "m", "firms": 1, "ivam_benchmark_2007": "true"},
            {"cluster_id": "z", "firms": 2, "ivam_benchmark_2007": "true"},
        ]
    )
    assert ivam_benchmark_ids(t) == ["z", "m"]


def test_ivam_eight_on_the_default_data():
    clusters = load_clusters()
    ids = ivam_benchmark_ids(clusters)
    assert ids == [
        "dortmund", "twente", "flanders", "grenoble", "neuchatel", "cambridge", "goteborg", "oulu",
    ]  # fmt: skip
    t = compare_clusters(clusters, ids)
    assert len(t) == 8 * 3 and list(t["cluster_id"].drop_duplicates()) == ids
    # Every figure shown is the cluster's headline figure, read back from its source row.
    shown = t[t["value"].notna()]
    for _, r in shown.iterrows():
        src = clusters.loc[r["row"]]
        assert src["cluster_id"] == r["cluster_id"] and src["counts_what"] == r["counts_what"]
        if r["measure"] in ("firms", "employees"):
            assert src[r["measure"]] == r["value"]
        else:
            assert r["value"] == pytest.approx(src["employees"] / src["firms"])
    # Göteborg has only an institute head count: no firms figure, so its firms cell is blank.
    g = t[(t["cluster_id"] == "goteborg") & (t["measure"] == "firms")].iloc[0]
    assert math.isnan(g["value"]) and g["display"] == ""
    w = compare_warnings(t)
    assert not w.empty and set(w["measure"]) <= {"employees", "firms", "employees_per_firm"}


def test_ivam_benchmark_ids_without_the_flag_column(small):
    assert ivam_benchmark_ids(small.drop(columns=["ivam_benchmark_2007"])) == []


def test_fairness_grid_marks_fair_pairs_and_names_what_differs():
    from mstatlas.analysis.compare import FAIR, NO_FIGURE, compare_clusters, fairness_grid

    t = coerce_clusters(
        pd.DataFrame(
            [
                {
                    "cluster_id": "a",
                    "cluster_name": "A",
                    "lat": 50,
                    "lon": 7,
                    "firms": 40,
                    "year": 2008,
                    "counts_what": "cluster_firms",
                },
                {
                    "cluster_id": "b",
                    "cluster_name": "B",
                    "lat": 51,
                    "lon": 7,
                    "firms": 30,
                    "year": 2010,
                    "counts_what": "cluster_firms",
                },
                {
                    "cluster_id": "c",
                    "cluster_name": "C",
                    "lat": 52,
                    "lon": 7,
                    "firms": 90,
                    "year": 2020,
                    "counts_what": "network_members",
                    "firms_qualifier": "about",
                },
                {"cluster_id": "d", "cluster_name": "D", "lat": 53, "lon": 7, "employees": 5},
            ]
        )
    )
    grid = fairness_grid(compare_clusters(t, ["a", "b", "c", "d"]), "firms")
    assert list(grid.index) == ["A", "B", "C", "D"] and list(grid.columns) == ["A", "B", "C", "D"]
    assert grid.loc["A", "B"] == FAIR == grid.loc["B", "A"]  # same kind, 2 years apart, exact
    assert grid.loc["A", "C"] == "✗ different kinds, years apart or undated, stated differently"
    assert grid.loc["A", "D"] == NO_FIGURE and grid.loc["A", "A"] == ""


def test_fairness_grid_and_figures_in_german():
    from mstatlas.analysis.compare import compare_clusters, fairness_grid
    from mstatlas.i18n import language

    t = table(
        [
            {"cluster_id": "a", "firms": 4000, "year": 2008},
            {"cluster_id": "b", "firms": 30, "year": 2010},
            {"cluster_id": "c", "firms": 90, "year": 2020, "counts_what": "network_members"},
        ]
    )
    with language("de"):
        compared = compare_clusters(t, ["a", "b", "c"], measures=("firms",))
        grid = fairness_grid(compared, "firms")
    assert compared.set_index("cluster_id").loc["a", "display"] == "4.000"
    assert grid.loc["A", "B"] == "✓ vergleichbar"
    # a and c: other kind, 12 years apart (more than 3)
    assert grid.loc["A", "C"] == "✗ unterschiedliche Arten, Jahre auseinander oder ohne Jahr"
