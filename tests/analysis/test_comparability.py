"""Comparability of two figures: one plain reason per problem, none for a like-for-like pair."""

from __future__ import annotations

import pandas as pd

from mstatlas.analysis.comparability import MAX_YEAR_GAP, pair_warnings


def fig(name, **kw):
    base = {
        "cluster_name": name,
        "counts_what": "cluster_firms",
        "scope": pd.NA,
        "year": 2007,
        "qualifier": "",
    }
    return {**base, **kw}


def test_like_for_like_pair_has_no_warning():
    # same kind, both usual perimeter, 3 years apart (the limit), both exact
    assert MAX_YEAR_GAP == 3
    assert pair_warnings(fig("Dortmund"), fig("Twente", year=2010)) == []


def test_same_qualifier_on_both_sides_is_comparable():
    a = fig("Dortmund", qualifier="about", value=2100)
    b = fig("Twente", qualifier="about", value=6300)
    assert pair_warnings(a, b) == []


def test_different_kinds_named_with_their_labels():
    reasons = pair_warnings(fig("Dortmund"), fig("Grenoble", counts_what="network_members"))
    assert reasons == [
        "Different kinds of figure: Dortmund's figure counts cluster firms, Grenoble's network members"
    ]


def test_scope_is_not_checked_again_when_kinds_already_differ():
    a = fig("Dortmund", scope="MST.factory tenants")
    b = fig("Grenoble", counts_what="regional_sector")
    reasons = pair_warnings(a, b)
    assert len(reasons) == 1 and reasons[0].startswith("Different kinds")


def test_different_scope_says_which_perimeter_each_covers():
    reasons = pair_warnings(fig("Dortmund", scope="MST.factory tenants"), fig("Twente"))
    assert reasons == [
        "Different perimeters: Dortmund's figure covers 'MST.factory tenants', "
        "Twente's the cluster's usual perimeter"
    ]


def test_same_scope_text_ignores_case():
    a = fig("A", scope="Whole park")
    b = fig("B", scope="whole park")
    assert pair_warnings(a, b) == []


def test_years_more_than_three_apart():
    reasons = pair_warnings(fig("Dortmund", year=2007), fig("Twente", year=2011))
    assert reasons == ["Years 4 apart: Dortmund 2007, Twente 2011"]


def test_one_undated_figure():
    reasons = pair_warnings(fig("Dortmund", year=pd.NA), fig("Twente", year=2010))
    assert reasons == ["Dortmund's figure has no year; Twente's is from 2010"]


def test_both_undated():
    reasons = pair_warnings(fig("A", year=None), fig("B", year=float("nan")))
    assert reasons == ["Neither figure has a year, so they may be far apart in time"]


def test_lower_bound_against_exact_says_which_is_which():
    a = fig("Twente", qualifier="")
    b = fig("Dortmund", qualifier="more_than", value=40)
    assert pair_warnings(a, b) == [
        "Dortmund's figure is stated 'more than 40' (a lower bound), Twente's exactly"
    ]


def test_approximate_against_exact_without_a_value():
    reasons = pair_warnings(fig("Dortmund", qualifier="about"), fig("Twente"))
    assert reasons == ["Dortmund's figure is stated as approximate, Twente's exactly"]


def test_two_different_qualifiers():
    a = fig("Oulus", qualifier="up_to", value=1500)
    b = fig("Dortmund", qualifier="at_least", value=30)
    assert pair_warnings(a, b) == [
        "Oulus' figure is stated 'up to 1,500' (an upper bound), "
        "Dortmund's stated 'at least 30' (a lower bound)"
    ]


def test_every_reason_at_once_in_a_fixed_order():
    a = fig("A", counts_what="national", year=2000, qualifier="about")
    b = fig("B", year=2010)
    reasons = pair_warnings(a, b)
    assert [r.split(":")[0].split(" ")[0] for r in reasons] == ["Different", "Years", "A's"]
    assert "Years 10 apart" in reasons[1]


def test_works_on_pandas_rows():
    rows = pd.DataFrame([fig("A", year=2007), fig("B", year=2012)])
    rows["year"] = rows["year"].astype("Int64")
    assert pair_warnings(rows.iloc[0], rows.iloc[1]) == ["Years 5 apart: A 2007, B 2012"]


def test_warnings_in_german_with_a_german_number():
    from mstatlas.i18n import language

    a = {"cluster_name": "Dortmund", "counts_what": "cluster_firms", "year": 2007,
         "qualifier": "more_than", "value": 4000}  # fmt: skip
    b = {"cluster_name": "Twente", "counts_what": "cluster_firms", "year": 2012, "qualifier": ""}
    with language("de"):
        reasons = pair_warnings(a, b)
    assert reasons == [
        "5 Jahre auseinander: Dortmund 2007, Twente 2012",
        "Die Zahl von Dortmund ist als „mehr als 4.000“ angegeben (eine Untergrenze), "
        "die von Twente exakt",
    ]
    assert pair_warnings(a, b)[1] == (
        "Dortmund's figure is stated 'more than 4,000' (a lower bound), Twente's exactly"
    )
