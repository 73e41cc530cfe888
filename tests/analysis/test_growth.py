"""Growth over time: hand-computed change and CAGR, only inside one kind and scope."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mstatlas.analysis.growth import (
    GROWTH_COLUMNS,
    GROWTH_RULE,
    cagr,
    cluster_growth,
    growth_series,
    growth_table,
    series_label,
)
from mstatlas.data.schema import coerce_clusters

URL_A, URL_B = "https://a.example/report", "https://b.example/news"


def table(rows):
    base = {"lat": 50.0, "lon": 8.0, "counts_what": "cluster_firms", "source_url": URL_A}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["cluster_name"] = df["cluster_id"].str.title()
    df["source_title"] = df["source_url"]
    return coerce_clusters(df)


def test_cagr_by_hand():
    # 100 -> 121 over 2 years: 1.21 ** 0.5 = 1.1, so 10 % a year
    assert cagr(100, 121, 2) == pytest.approx(0.10)
    # 200 -> 100 over 1 year: -50 %
    assert cagr(200, 100, 1) == pytest.approx(-0.5)


@pytest.mark.parametrize(
    ("start", "end", "years", "match"),
    [(0, 10, 2, "two positive"), (10, -1, 2, "two positive"), (10, 20, 0, "two different years")],
)
def test_cagr_refuses_what_it_cannot_compute(start, end, years, match):
    with pytest.raises(ValueError, match=match):
        cagr(start, end, years)


def test_growth_on_two_rows_by_hand():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "year": 2010},
            {"cluster_id": "a", "employees": 121, "year": 2012},
        ]
    )
    g = growth_table(t, by="employees")
    assert list(g.columns) == list(GROWTH_COLUMNS)
    r = g.iloc[0]
    assert len(g) == 1 and r["cluster_id"] == "a" and r["counts_what"] == "cluster_firms"
    assert (r["start_year"], r["end_year"], r["years"]) == (2010, 2012, 2)
    assert (r["start_value"], r["end_value"], r["change"]) == (100, 121, 21)
    assert r["cagr"] == pytest.approx(0.10)
    assert (r["start_row"], r["end_row"]) == (0, 1)
    assert r["same_source"] and r["caveats"] == ""


def test_single_year_clusters_have_no_growth_row():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "year": 2010},
            {"cluster_id": "a", "employees": 150, "year": 2010},  # same year: no span
            {"cluster_id": "b", "employees": 100, "year": 2010},
            {"cluster_id": "b", "employees": 300},  # undated: not a second year
        ]
    )
    assert growth_table(t).empty
    assert cluster_growth(t).empty


def test_blanks_are_not_figures():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "firms": 5, "year": 2010},
            {"cluster_id": "a", "firms": 8, "year": 2014},  # no employees figure
        ]
    )
    assert growth_table(t, by="employees").empty
    g = growth_table(t, by="firms").iloc[0]
    assert (g["start_value"], g["end_value"], g["years"]) == (5, 8, 4)


def test_never_across_kinds_or_scopes():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "year": 2010},
            {"cluster_id": "a", "employees": 5000, "year": 2014, "counts_what": "regional_sector"},
            {"cluster_id": "a", "employees": 20, "year": 2016, "scope": "MST.factory tenants"},
            {"cluster_id": "b", "employees": 10, "year": 2000, "counts_what": "network_members"},
            {"cluster_id": "b", "employees": 30, "year": 2005},
        ]
    )
    # every series has a single year: nothing may be joined into a growth
    assert growth_table(t).empty


def test_separate_series_each_get_their_growth_in_a_fixed_order():
    t = table(
        [
            {"cluster_id": "a", "employees": 50, "year": 2008, "scope": "tenants"},
            {"cluster_id": "a", "employees": 80, "year": 2012, "scope": "tenants"},
            {"cluster_id": "a", "employees": 5000, "year": 2010, "counts_what": "regional_sector"},
            {"cluster_id": "a", "employees": 6000, "year": 2011, "counts_what": "regional_sector"},
            {"cluster_id": "a", "employees": 100, "year": 2010},
            {"cluster_id": "a", "employees": 144, "year": 2012},
        ]
    )
    g = growth_table(t)
    assert list(zip(g["counts_what"], g["scope"].fillna(""))) == [
        ("cluster_firms", ""),
        ("cluster_firms", "tenants"),
        ("regional_sector", ""),
    ]
    assert list(g["change"]) == [44, 30, 1000]
    # 100 -> 144 over 2 years: 1.2 a year; 50 -> 80 over 4 years: 1.6 ** 0.25
    assert g["cagr"].tolist() == pytest.approx([0.2, 1.6**0.25 - 1, 0.2])


def test_cluster_growth_picks_kind_then_usual_perimeter_then_longest_span():
    t = table(
        [
            # a: network members span 10 years, cluster firms only 2 -> cluster firms wins
            {"cluster_id": "a", "firms": 10, "year": 2000, "counts_what": "network_members"},
            {"cluster_id": "a", "firms": 20, "year": 2010, "counts_what": "network_members"},
            {"cluster_id": "a", "firms": 30, "year": 2010, "scope": "tenants"},
            {"cluster_id": "a", "firms": 33, "year": 2020, "scope": "tenants"},
            {"cluster_id": "a", "firms": 40, "year": 2012},
            {"cluster_id": "a", "firms": 50, "year": 2014},
            # b: only scoped cluster-firm series -> the longer one (6 > 2 years)
            {"cluster_id": "b", "firms": 5, "year": 2010, "scope": "park"},
            {"cluster_id": "b", "firms": 6, "year": 2012, "scope": "park"},
            {"cluster_id": "b", "firms": 7, "year": 2010, "scope": "incubator"},
            {"cluster_id": "b", "firms": 9, "year": 2016, "scope": "incubator"},
            # c: one year only -> absent
            {"cluster_id": "c", "firms": 9, "year": 2016},
        ]
    )
    cg = cluster_growth(t, by="firms")
    assert list(cg["cluster_id"]) == ["a", "b"]
    a, b = cg.iloc[0], cg.iloc[1]
    assert (a["counts_what"], a["start_value"], a["end_value"]) == ("cluster_firms", 40, 50)
    assert pd.isna(a["scope"]) and a["change"] == 10
    assert (b["scope"], b["years"], b["change"]) == ("incubator", 6, 2)
    # counts narrows the kinds: with network members only, a's growth is 10 -> 20
    only = cluster_growth(t, by="firms", counts=["network_members"])
    assert list(only["end_value"]) == [20] and only.iloc[0]["cagr"] == pytest.approx(
        2 ** (1 / 10) - 1
    )


def test_ties_within_a_year_exact_before_approximate_then_file_order():
    t = table(
        [
            {"cluster_id": "a", "employees": 90, "employees_qualifier": "about", "year": 2010},
            {"cluster_id": "a", "employees": 100, "year": 2010},
            {"cluster_id": "a", "employees": 110, "year": 2010},
            {"cluster_id": "a", "employees": 130, "year": 2013},
            {"cluster_id": "a", "employees": 150, "year": 2013},
        ]
    )
    r = growth_table(t).iloc[0]
    assert (r["start_value"], r["start_row"]) == (100, 1)  # exact, first in file
    assert (r["end_value"], r["end_row"]) == (130, 3)
    assert r["caveats"] == (
        "3 different figures for 2010 (100 used); 2 different figures for 2013 (130 used)"
    )


def test_different_sources_and_qualifiers_are_flagged():
    t = table(
        [
            {"cluster_id": "a", "employees": 40, "employees_qualifier": "more_than", "year": 2010},
            {
                "cluster_id": "a",
                "employees": 50,
                "employees_qualifier": "about",
                "year": 2011,
                "source_url": URL_B,
            },
        ]
    )
    r = growth_table(t).iloc[0]
    assert not r["same_source"]
    assert r["caveats"] == "different sources; start is a lower bound (>); end is approximate (≈)"
    assert (r["start_display"], r["end_display"]) == ("> 40", "≈ 50")
    assert (r["start_source_url"], r["end_source_url"]) == (URL_A, URL_B)


def test_zero_start_has_change_but_no_cagr():
    t = table(
        [
            {"cluster_id": "a", "firms": 0, "year": 2010},
            {"cluster_id": "a", "firms": 4, "year": 2012},
        ]
    )
    r = growth_table(t, by="firms").iloc[0]
    assert r["change"] == 4 and math.isnan(r["cagr"])


def test_growth_series_labels_each_series_and_leaves_undated_out():
    t = table(
        [
            {"cluster_id": "a", "employees": 300, "year": 2012, "counts_what": "regional_sector"},
            {"cluster_id": "a", "employees": 100, "year": 2012},
            {"cluster_id": "a", "employees": 90, "year": 2009},
            {"cluster_id": "a", "employees": 999},  # undated
            {"cluster_id": "a", "employees": 20, "year": 2011, "scope": "tenants"},
            {"cluster_id": "b", "employees": 1, "year": 2011},
        ]
    )
    s = growth_series(t, "a")
    assert list(s["series"]) == [
        "Cluster firms",
        "Cluster firms",
        "Cluster firms (tenants)",
        "Regional sector",
    ]
    assert list(s["year"]) == [2009, 2012, 2011, 2012]
    assert list(s["row"]) == [2, 1, 4, 0]
    assert 999 not in set(s["value"])
    with pytest.raises(ValueError, match="Unknown cluster id 'zz'"):
        growth_series(t, "zz")


def test_series_label_and_rule_text():
    assert series_label("cluster_firms") == "Cluster firms"
    assert series_label("network_members", "all digital") == "Network members (all digital)"
    assert series_label("cluster_firms", pd.NA) == "Cluster firms"
    assert "cluster firms, network members, spin-offs" in GROWTH_RULE
    assert "(latest / earliest)^(1 / years) − 1" in GROWTH_RULE


def test_a_table_without_scope_column_is_all_usual_perimeter():
    t = table(
        [
            {"cluster_id": "a", "firms": 10, "year": 2000},
            {"cluster_id": "a", "firms": 20, "year": 2010},
        ]
    ).drop(columns=["scope"])
    r = growth_table(t, by="firms").iloc[0]
    # 10 -> 20 over 10 years: 2 ** 0.1 - 1
    assert pd.isna(r["scope"]) and r["cagr"] == pytest.approx(2**0.1 - 1)


def test_growth_rule_names_the_kinds_in_the_order_growth_picks_them():
    from mstatlas.analysis.ranking import CATEGORY_PRIORITY
    from mstatlas.data.schema import COUNTS_WHAT

    order = ", ".join(COUNTS_WHAT.english(c).lower() for c in CATEGORY_PRIORITY)
    assert f"in this order: {order}; a series" in GROWTH_RULE


def test_growth_caveats_and_figures_in_german():
    from mstatlas.i18n import language

    t = table(
        [
            {"cluster_id": "a", "employees": 1000, "employees_qualifier": "more_than",
             "year": 2010},
            {"cluster_id": "a", "employees": 2100, "year": 2012, "source_url": "https://b.example"},
        ]
    )  # fmt: skip
    with language("de"):
        r = growth_table(t, by="employees").iloc[0]
    assert r["start_display"] == "> 1.000" and r["end_display"] == "2.100"
    assert r["caveats"] == "unterschiedliche Quellen; Anfang ist eine Untergrenze (>)"
