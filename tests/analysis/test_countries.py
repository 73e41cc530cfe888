"""Country totals: one headline figure per cluster, one kind, qualifiers carried, blanks counted."""

from __future__ import annotations

import pandas as pd
import pytest
from cluster_tables import cluster_table as table

from mstatlas import load_clusters
from mstatlas.analysis.countries import COUNTRY_RULE, country_summary


@pytest.fixture
def clusters():
    return table(
        [
            # DE: a has two figures; only its headline (the most recent, 2010) is added.
            {"cluster_id": "a", "country_iso2": "DE", "employees": 100, "firms": 10, "year": 2010},
            {"cluster_id": "a", "country_iso2": "DE", "employees": 500, "year": 2005},
            {
                "cluster_id": "b",
                "country_iso2": "DE",
                "employees": 50,
                "employees_qualifier": "about",
                "year": 2012,
            },
            # c has only another kind of figure: counted, not added.
            {
                "cluster_id": "c",
                "country_iso2": "DE",
                "employees": 999,
                "counts_what": "network_members",
            },
            # d's only figure is for a narrower perimeter: counted, not added.
            {"cluster_id": "d", "country_iso2": "DE", "employees": 30, "scope": "tenants"},
            # NL: a lower bound makes the sum a lower bound.
            {
                "cluster_id": "e",
                "country_iso2": "NL",
                "employees": 200,
                "employees_qualifier": "more_than",
            },
            {"cluster_id": "f", "country_iso2": "NL", "employees": 20, "year": 2015},
            # FR: lower and upper bounds together give no total.
            {
                "cluster_id": "g",
                "country_iso2": "FR",
                "employees": 10,
                "employees_qualifier": "up_to",
            },
            {
                "cluster_id": "h",
                "country_iso2": "FR",
                "employees": 5,
                "employees_qualifier": "more_than",
            },
        ]
    )


def test_hand_computed_totals(clusters):
    s = country_summary(clusters).set_index("country_iso2")
    de = s.loc["DE"]
    # 100 (a, 2010; its 500 from 2005 is not added) + ≈ 50 (b) = ≈ 150
    assert de["total"] == 150 and de["total_qualifier"] == "about" and de["display"] == "≈ 150"
    assert de["n_clusters"] == 4 and de["n_with_figure"] == 2
    assert (de["year_min"], de["year_max"], de["n_undated"]) == (2010, 2012, 0)
    assert de["country"] == "Germany"
    assert de["clusters"] == "A; B; C; D"
    assert "C (no figure of this kind)" in de["not_summed"]
    assert "D (figure for another perimeter: tenants)" in de["not_summed"]
    nl = s.loc["NL"]
    # > 200 + 20 = > 220
    assert nl["total"] == 220 and nl["total_qualifier"] == "more_than" and nl["display"] == "> 220"
    assert (nl["year_min"], nl["year_max"], nl["n_undated"]) == (2015, 2015, 1)


def test_mixed_bounds_leave_the_total_blank_with_the_reason(clusters):
    fr = country_summary(clusters).set_index("country_iso2").loc["FR"]
    assert pd.isna(fr["total"]) and fr["display"] == ""
    assert fr["n_clusters"] == 2 and fr["n_with_figure"] == 2
    assert "lower bounds" in fr["total_note"] and "upper bounds" in fr["total_note"]


def test_largest_total_first_blank_totals_last(clusters):
    assert list(country_summary(clusters)["country_iso2"]) == ["NL", "DE", "FR"]


def test_firms_sum_the_firms_headlines(clusters):
    de = country_summary(clusters, by="firms").set_index("country_iso2").loc["DE"]
    assert de["total"] == 10 and de["n_with_figure"] == 1 and de["n_clusters"] == 4


def test_another_kind_is_summed_on_its_own_with_its_caveat(clusters):
    s = country_summary(clusters, counts="network_members").set_index("country_iso2")
    assert s.loc["DE", "total"] == 999 and s.loc["DE", "n_with_figure"] == 1
    assert pd.isna(s.loc["NL", "total"]) and s.loc["NL", "n_clusters"] == 2
    assert (s["counts_what"] == "network_members").all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "employees_per_firm"}, "cannot be added up"),
        ({"counts": ("cluster_firms", "network_members")}, "one kind only"),
        ({"counts": None}, "one kind only"),
        ({"counts": ("national",)}, "not added up"),
    ],
)
def test_sums_that_mean_nothing_are_refused(clusters, kwargs, message):
    with pytest.raises(ValueError, match=message):
        country_summary(clusters, **kwargs)


def test_every_cluster_of_the_default_data_is_counted_once():
    c = load_clusters()
    s = country_summary(c)
    assert s["n_clusters"].sum() == c["cluster_id"].nunique()
    assert (s["n_with_figure"] <= s["n_clusters"]).all()
    assert set(s["country_iso2"]) == set(c["country_iso2"].dropna())


def test_rule_names_what_it_promises():
    for phrase in ("one figure", "never added", "one kind", "counted", "blank"):
        assert phrase in COUNTRY_RULE


def test_an_empty_table_gives_an_empty_summary():
    s = country_summary(table([{"cluster_id": "a"}]).iloc[0:0])
    assert s.empty and "total" in s.columns


def test_like_with_like_sums_the_kind_the_ranking_compares(clusters):
    from mstatlas.analysis.ranking import LIKE_WITH_LIKE

    s = country_summary(clusters, counts=LIKE_WITH_LIKE)
    assert (s["counts_what"] == "cluster_firms").all()
    assert s.set_index("country_iso2").loc["DE", "total"] == 150
