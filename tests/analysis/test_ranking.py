"""Rankings: order, ties, per-firm ratio with blanks, comparability filter."""

from __future__ import annotations

import pandas as pd
import pytest

from mstatlas import load_clusters, position_statement, rank_clusters
from mstatlas.analysis.ranking import format_figure, headline_figures, ordinal
from mstatlas.data.schema import coerce_clusters


def table(rows):
    base = {"cluster_name": None, "lat": 50.0, "lon": 8.0, "counts_what": "cluster_firms"}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["cluster_name"] = df["cluster_name"].fillna(df["cluster_id"].str.title())
    return coerce_clusters(df)


def test_order_is_descending_by_employees_with_dortmunds_2008_figure():
    r = rank_clusters(load_clusters(), by="employees")
    assert list(r["value"]) == sorted(r["value"], reverse=True)
    assert r.iloc[0]["rank"] == 1
    assert set(r["counts_what"]) == {"cluster_firms"}
    d = r[r["cluster_id"] == "dortmund"].iloc[0]
    # the most recent whole-cluster figure (2008), not the 2026 MST.factory tenants (a subset)
    assert d["value"] == 2100 and d["year"] == 2008 and pd.isna(d["scope"])
    assert d["rank"] == 1 + int((r["value"] > 2100).sum())


def test_dortmund_by_firms_uses_the_latest_whole_cluster_figure():
    r = rank_clusters(load_clusters(), by="firms")
    d = r[r["cluster_id"] == "dortmund"].iloc[0]
    assert d["value"] == 40 and d["year"] == 2008
    assert d["rank"] == 1 + int((r["value"] > 40).sum())
    assert "> 40 (undated)" in d["other_figures"]  # the conflicting figure is shown, not averaged
    assert "39 (2007)" in d["other_figures"]


def test_a_figure_for_a_narrower_scope_is_headline_only_without_another():
    t = table(
        [
            {"cluster_id": "a", "firms": 40, "year": 2008},
            {"cluster_id": "a", "firms": 6, "year": 2026, "scope": "incubator tenants"},
            {"cluster_id": "b", "firms": 9, "year": 2020, "scope": "technology park"},
        ]
    )
    h = headline_figures(t, by="firms").set_index("cluster_id")
    assert h.loc["a", "value"] == 40 and h.loc["a", "year"] == 2008
    assert h.loc["b", "value"] == 9 and h.loc["b", "scope"] == "technology park"


def test_ties_share_the_lowest_rank():
    t = table(
        [
            {"cluster_id": "a", "firms": 50},
            {"cluster_id": "b", "firms": 30},
            {"cluster_id": "c", "firms": 30},
            {"cluster_id": "d", "firms": 10},
        ]
    )
    r = rank_clusters(t, by="firms")
    assert list(r["rank"]) == [1, 2, 2, 4]
    assert list(r["tied"]) == [False, True, True, False]


def test_top_keeps_ties_at_the_cut():
    t = table([{"cluster_id": x, "firms": v} for x, v in zip("abcd", (50, 30, 30, 10))])
    assert list(rank_clusters(t, by="firms", top=2)["cluster_id"]) == ["a", "b", "c"]


def test_employees_per_firm_only_from_rows_with_both_figures():
    t = table(
        [
            {"cluster_id": "a", "firms": 10, "employees": 1000, "year": 2010},
            {"cluster_id": "b", "firms": 20},  # no employees: no ratio
            {"cluster_id": "b", "employees": 900, "year": 2012},  # other row: never combined
            {"cluster_id": "c", "firms": 0, "employees": 50},  # zero firms: blank, no inf
            {"cluster_id": "d", "firms": 4, "employees": 100, "employees_qualifier": "about"},
        ]
    )
    r = rank_clusters(t, by="employees_per_firm")
    assert list(r["cluster_id"]) == ["a", "d"]
    assert list(r["value"]) == [100.0, 25.0]
    assert r.iloc[1]["display"] == "≈ 25.0"


def test_comparability_filter_keeps_kinds_apart():
    t = table(
        [
            {"cluster_id": "a", "employees": 500},
            {"cluster_id": "b", "employees": 90000, "counts_what": "regional_sector"},
        ]
    )
    assert list(rank_clusters(t, by="employees")["cluster_id"]) == ["a"]
    mixed = rank_clusters(t, by="employees", counts=None)
    assert list(mixed["cluster_id"]) == ["b", "a"]
    assert list(mixed["counts_what"]) == ["regional_sector", "cluster_firms"]


def test_headline_prefers_recent_dated_exact_figures():
    t = table(
        [
            {"cluster_id": "a", "firms": 40, "firms_qualifier": "more_than"},  # undated
            {"cluster_id": "a", "firms": 35, "year": 2005},
            {"cluster_id": "a", "firms": 39, "year": 2007, "firms_qualifier": "about"},
            {"cluster_id": "a", "firms": 38, "year": 2007},
        ]
    )
    h = headline_figures(t, by="firms")
    assert h.iloc[0]["value"] == 38
    assert h.iloc[0]["n_figures"] == 4


def test_unknown_measure_has_a_clear_message():
    with pytest.raises(ValueError, match="Unknown measure 'size'; choose one of employees, firms"):
        rank_clusters(load_clusters(), by="size")


def test_position_statement_names_rank_total_and_source():
    r = rank_clusters(load_clusters(), by="employees")
    s = position_statement(r, "dortmund", "employees")
    rank = int(r.loc[r["cluster_id"] == "dortmund", "rank"].iloc[0])
    assert s.startswith(
        f"Dortmund MST cluster ranks {ordinal(rank)} of {len(r)} clusters by employees "
        "counting cluster firms"
    )
    assert "2008" in s and "Halterner Zeitung" in s
    assert "not ranked" in position_statement(r, "nowhere", "employees")


def test_format_and_ordinal():
    assert format_figure(2100, "about") == "≈ 2,100"
    assert format_figure(40, "more_than") == "> 40"
    assert format_figure(None) == ""
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
    ]


def test_with_article_reads_right_for_every_measure():
    from mstatlas.analysis.ranking import with_article

    assert with_article("employees figure") == "an employees figure"
    assert with_article("firms figure") == "a firms figure"
    assert with_article("employees per firm figure") == "an employees per firm figure"
    assert with_article("Employees figure") == "an Employees figure"
