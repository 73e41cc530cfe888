"""Rankings: order, ties, per-firm ratio with blanks, comparability filter."""

from __future__ import annotations

import pandas as pd
import pytest
from cluster_tables import cluster_table as table

from mstatlas import load_clusters, position_statement, rank_clusters
from mstatlas.analysis.provenance import ordinal
from mstatlas.analysis.ranking import format_figure, headline_figures
from mstatlas.data.schema import coerce_clusters


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


def test_format_figure():
    assert format_figure(2100, "about") == "≈ 2,100"
    assert format_figure(40, "more_than") == "> 40"
    assert format_figure(None) == ""


# --- employees per firm: a ratio says what it is -------------------------------------------


def ratio_table():
    """One cluster per way of stating the two figures (employees ÷ firms)."""
    rows = [
        ("exact", 2100, "", 30, ""),  # 2100 / 30 = 70
        ("emp_more", 500, "more_than", 5, ""),  # > 500 / 5: > 100
        ("firms_more", 500, "", 5, "more_than"),  # 500 / > 5: below 100, "≤ 100"
        ("emp_upto", 600, "up_to", 5, ""),  # ≤ 600 / 5: ≤ 120
        ("firms_upto", 500, "", 4, "up_to"),  # 500 / ≤ 4: ≥ 125
        ("emp_least", 400, "at_least", 5, ""),  # ≥ 400 / 5: ≥ 80
        ("about_emp", 300, "about", 5, ""),  # ≈ 300 / 5: ≈ 60
        ("about_both", 300, "about", 6, "about"),  # ≈ 300 / ≈ 6: ≈ 50
        ("opposite", 500, "more_than", 4, "up_to"),  # > 500 / ≤ 4: > 125
        ("both_lower", 500, "at_least", 5, "at_least"),  # nothing can be said
        ("bound_about", 500, "about", 5, "more_than"),  # nothing can be said
    ]
    return table(
        [
            {
                "cluster_id": c,
                "employees": e,
                "employees_qualifier": eq or None,
                "firms": f,
                "firms_qualifier": fq or None,
                "year": 2020,
            }
            for c, e, eq, f, fq in rows
        ]
    )


def test_a_ratio_built_on_a_bound_is_a_bound_not_about():
    r = rank_clusters(ratio_table(), by="employees_per_firm").set_index("cluster_id")
    expected = {
        "exact": (70.0, "", "70.0"),
        "emp_more": (100.0, "more_than", "> 100.0"),
        "firms_more": (100.0, "up_to", "≤ 100.0"),
        "emp_upto": (120.0, "up_to", "≤ 120.0"),
        "firms_upto": (125.0, "at_least", "≥ 125.0"),
        "emp_least": (80.0, "at_least", "≥ 80.0"),
        "about_emp": (60.0, "about", "≈ 60.0"),
        "about_both": (50.0, "about", "≈ 50.0"),
        "opposite": (125.0, "more_than", "> 125.0"),
    }
    assert set(r.index) == set(expected)  # both_lower and bound_about have no ratio
    for cid, (value, qualifier, display) in expected.items():
        assert (r.loc[cid, "value"], r.loc[cid, "qualifier"], r.loc[cid, "display"]) == (
            value,
            qualifier,
            display,
        ), cid


def test_figures_without_a_ratio_still_rank_by_employees_and_firms():
    t = ratio_table()
    by_emp = rank_clusters(t, by="employees").set_index("cluster_id")
    by_firms = rank_clusters(t, by="firms").set_index("cluster_id")
    assert by_emp.loc["both_lower", "display"] == "≥ 500"
    assert by_firms.loc["bound_about", "display"] == "> 5"


def test_ratio_qualifier_for_every_pair_of_qualifiers():
    from mstatlas.analysis.ranking import ratio_qualifier

    cases = {
        ("", ""): "",
        ("about", ""): "about",
        ("", "about"): "about",
        ("about", "about"): "about",
        ("more_than", ""): "more_than",
        ("at_least", ""): "at_least",
        ("up_to", ""): "up_to",
        ("", "more_than"): "up_to",
        ("", "at_least"): "up_to",
        ("", "up_to"): "at_least",
        ("more_than", "up_to"): "more_than",
        ("at_least", "up_to"): "at_least",
        ("up_to", "more_than"): "up_to",
        ("more_than", "more_than"): None,
        ("at_least", "more_than"): None,
        ("up_to", "up_to"): None,
        ("about", "more_than"): None,
        ("up_to", "about"): None,
        (None, None): "",
    }
    assert {pair: ratio_qualifier(*pair) for pair in cases} == cases


def test_the_ranking_says_how_each_ratio_was_computed():
    r = rank_clusters(ratio_table(), by="employees_per_firm").set_index("cluster_id")
    basis = r["ratio_basis"]
    assert basis["exact"] == "2,100 employees ÷ 30 firms"
    assert basis["emp_more"] == (
        "> 500 employees ÷ 5 firms; '>' because the employee figure is a lower bound"
    )
    assert basis["firms_more"] == (
        "500 employees ÷ > 5 firms; '≤' because the firm figure is a lower bound"
    )
    assert basis["firms_upto"] == (
        "500 employees ÷ ≤ 4 firms; '≥' because the firm figure is an upper bound"
    )
    assert basis["about_both"] == (
        "≈ 300 employees ÷ ≈ 6 firms; '≈' because both figures are approximate"
    )
    assert basis["opposite"].endswith(
        "because the employee figure is a lower bound and the firm figure is an upper bound"
    )
    assert set(rank_clusters(ratio_table(), by="firms")["ratio_basis"]) == {""}


def test_ratio_basis_says_why_there_is_no_ratio():
    from mstatlas.analysis.ranking import ratio_basis

    assert ratio_basis(500, "at_least", 5, "more_than") == (
        "≥ 500 employees ÷ > 5 firms; no ratio: both figures are lower bounds"
    )
    assert ratio_basis(500, "about", 5, "up_to") == (
        "≈ 500 employees ÷ ≤ 5 firms; no ratio: one figure is approximate and the other a bound"
    )
    assert ratio_basis(None, "", 5, "") == ""
    assert ratio_basis(40, None, 1, None) == "40 employees ÷ 1 firm"


# --- like with like: which kind is ranked by default ----------------------------------------


def kinds_table(kinds, **figures):
    """One cluster per kind, each with ``figures`` (e.g. employees=100)."""
    return table(
        [{"cluster_id": f"c{i}", "counts_what": k, **figures} for i, k in enumerate(kinds)]
    )


def test_default_kind_is_cluster_firms_when_there_are_any():
    from mstatlas.analysis.ranking import default_kinds

    t = kinds_table(["regional_sector", "network_members", "cluster_firms"], employees=100)
    assert default_kinds(t, "employees") == ("cluster_firms",)


def test_default_kind_is_the_only_kind_a_table_has():
    from mstatlas.analysis.ranking import default_kinds

    no_kinds = coerce_clusters(
        pd.DataFrame({"cluster_id": ["a", "b"], "cluster_name": ["A", "B"], "lat": 50.0,
                      "lon": 8.0, "employees": [2100, 900]})
    )  # fmt: skip
    assert default_kinds(no_kinds, "employees") == ("unspecified",)
    members = kinds_table(["network_members", "network_members"], firms=10)
    assert default_kinds(members, "firms") == ("network_members",)


def test_default_kind_otherwise_follows_the_category_priority():
    from mstatlas.analysis.ranking import default_kinds

    # no cluster firms; network members come before regional sector and "not stated"
    t = kinds_table(["unspecified", "regional_sector", "network_members"], employees=100)
    assert default_kinds(t, "employees") == ("network_members",)


def test_default_kind_looks_only_at_figures_of_the_measure():
    from mstatlas.analysis.ranking import default_kinds

    t = table(
        [
            {"cluster_id": "a", "counts_what": "cluster_firms", "firms": 39},
            {"cluster_id": "b", "counts_what": "network_members", "employees": 5000},
        ]
    )
    assert default_kinds(t, "firms") == ("cluster_firms",)
    assert default_kinds(t, "employees") == ("network_members",)
    assert default_kinds(t, "employees_per_firm") == ()  # no row gives both


def test_a_table_that_does_not_say_what_it_counts_is_ranked_by_default():
    from mstatlas.analysis.ranking import mixed_kinds_caveat

    t = coerce_clusters(
        pd.DataFrame({"cluster_id": ["a", "b", "c"], "cluster_name": ["A", "B", "C"],
                      "lat": 50.0, "lon": 8.0, "employees": [900, 2100, 40]})
    )  # fmt: skip
    r = rank_clusters(t, by="employees")
    assert list(r["cluster_id"]) == ["b", "a", "c"]
    assert set(r["counts_what"]) == {"unspecified"}
    assert mixed_kinds_caveat(r["counts_what"]) == ""
    s = position_statement(r, "a", "employees")
    assert s.startswith("A ranks 2nd of 3 clusters by employees (figures that do not say what")


def test_default_ranking_never_mixes_kinds():
    t = kinds_table(["regional_sector", "network_members", "network_members"], employees=100)
    assert set(rank_clusters(t, by="employees")["counts_what"]) == {"network_members"}
    assert len(rank_clusters(t, by="employees", counts=None)) == 3
    assert list(rank_clusters(t, by="employees", counts="regional_sector")["cluster_id"]) == ["c0"]


def test_mixed_kinds_caveat_names_only_the_kinds_present():
    from mstatlas.analysis.ranking import mixed_kinds_caveat

    assert mixed_kinds_caveat(["cluster_firms", "cluster_firms"]) == ""
    assert mixed_kinds_caveat([]) == ""
    text = mixed_kinds_caveat(["unspecified", "cluster_firms", "unspecified"])
    assert text.startswith("Mixed kinds of figures: “Cluster firms” and “Not stated” figures")
    assert "Network members" not in text and "Regional sector" not in text
    assert "“Cluster firms”, “Network members” and “National”" in mixed_kinds_caveat(
        ["national", "network_members", "cluster_firms"]
    )


def test_ranked_kind_text_names_the_kind_ranked():
    from mstatlas.analysis.ranking import ranked_kind_text

    assert ranked_kind_text("cluster_firms").startswith(
        "Only figures that count cluster firms are ranked together"
    )
    assert "only figures that count network members are ranked together" in ranked_kind_text(
        "network_members"
    )
    assert ranked_kind_text("unspecified").startswith(
        "This dataset does not say what its figures count; they are ranked together as one kind"
    )


def test_like_with_like_leaves_out_figures_of_another_perimeter_and_says_which():
    from mstatlas.analysis.ranking import other_perimeters

    t = table(
        [
            {"cluster_id": "a", "employees": 900, "year": 2010},
            {"cluster_id": "b", "employees": 5000, "year": 2012, "scope": "technology park"},
            {"cluster_id": "c", "employees": 300, "year": 2011},
        ]
    )
    ranked = rank_clusters(t, by="employees")
    assert list(ranked["cluster_id"]) == ["a", "c"]  # b's only figure is the whole park
    left = other_perimeters(t, by="employees")
    assert list(left["cluster_id"]) == ["b"] and left["scope"].iloc[0] == "technology park"
    mixed = rank_clusters(t, by="employees", counts=None)
    assert list(mixed["cluster_id"]) == ["b", "a", "c"]  # mixed: every figure, its scope shown
    assert other_perimeters(t, by="employees", counts=None).empty


def test_ranking_texts_in_german_with_german_numbers():
    from mstatlas.analysis.ranking import mixed_kinds_caveat, ratio_basis
    from mstatlas.i18n import language

    t = table(
        [
            {"cluster_id": "a", "cluster_name": "Alpha", "employees": 2100, "year": 2008,
             "source_title": "S"},
            {"cluster_id": "b", "employees": 500, "year": 2009},
            {"cluster_id": "c", "employees": 1501, "firms": 2, "year": 2009},
        ]
    )  # fmt: skip
    with language("de"):
        ranking = rank_clusters(t, by="employees")
        statement = position_statement(ranking, "a", "employees")
        per_firm = rank_clusters(t, by="employees_per_firm")
        caveat = mixed_kinds_caveat(["cluster_firms", "network_members"])
        basis = ratio_basis(600, "more_than", 5, "")
    assert ranking["display"].tolist() == ["2.100", "1.501", "500"]
    assert ranking["value"].tolist() == [2100, 1501, 500]  # raw numbers stay numbers
    assert per_firm["display"].tolist() == ["750,5"]  # 1501 / 2
    assert statement.startswith("Alpha steht auf Rang 1 von 3 Clustern nach der Kennzahl")
    assert statement.endswith(": 2.100 (2008, S).")
    assert caveat.startswith("Gemischte Arten von Zahlen: ") and "“ und „" in caveat
    assert basis == "> 600 Beschäftigte ÷ 5 Firmen; „>“: die Beschäftigtenzahl ist eine Untergrenze"
    # English is untouched by a German call before it
    assert rank_clusters(t, by="employees")["display"].tolist() == ["2,100", "1,501", "500"]
