"""Star rating: stars recomputed by hand from the thresholds; ties, blanks, small sets,
location quotient, momentum, single-year clusters, explanations."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from cluster_tables import cluster_table as table

from mstatlas import load_clusters
from mstatlas.analysis.rating import (
    STARS,
    RatingThresholds,
    explain_star,
    percentile_ranks,
    rate_clusters,
)


def by_id(rating):
    return rating.set_index("cluster_id")


# Four clusters, one dated figure each. By hand, employees: a 100 ≤ b 200 ≤ c 300 ≤ d 400
# -> percentiles 25, 50, 75, 100; firms run the other way: d 25, c 50, b 75, a 100.
FOUR = [
    {"cluster_id": "a", "employees": 100, "firms": 4, "year": 2010, "source_title": "S-a"},
    {"cluster_id": "b", "employees": 200, "firms": 3, "year": 2010},
    {"cluster_id": "c", "employees": 300, "firms": 2, "year": 2010},
    {"cluster_id": "d", "employees": 400, "firms": 1, "year": 2010},
]


def test_percentile_ranks_by_hand():
    assert percentile_ranks([100, 200, 300, 400]).tolist() == [25.0, 50.0, 75.0, 100.0]
    assert percentile_ranks([100, 200, 200, 400]).tolist() == [25.0, 75.0, 75.0, 100.0]
    assert percentile_ranks([]).tolist() == []


def test_size_and_mass_stars_by_hand():
    r = by_id(rate_clusters(table(FOUR)))
    assert r["size_pct"].to_dict() == {"a": 25.0, "b": 50.0, "c": 75.0, "d": 100.0}
    assert r["size_star"].to_dict() == {"a": False, "b": False, "c": True, "d": True}
    assert r["mass_pct"].to_dict() == {"a": 100.0, "b": 75.0, "c": 50.0, "d": 25.0}
    assert r["mass_star"].to_dict() == {"a": True, "b": True, "c": False, "d": False}
    # one figure each, single year: no momentum; no region employment: no LQ
    assert r["stars"].to_dict() == {"a": 1, "b": 1, "c": 1, "d": 1}
    assert (r["size_n"] == 4).all() and (r["size_row"].tolist() == [0, 1, 2, 3])


def test_thresholds_change_the_stars():
    strict = RatingThresholds(size_pct=80, mass_pct=100)
    r = by_id(rate_clusters(table(FOUR), strict))
    assert r["size_star"].to_dict() == {"a": False, "b": False, "c": False, "d": True}
    assert r["mass_star"].to_dict() == {"a": True, "b": False, "c": False, "d": False}
    assert "(≥ 80 needed)" in explain_star(r.loc["c"], "size")


def test_explanation_gives_what_is_needed_to_recompute():
    r = by_id(rate_clusters(table(FOUR)))
    assert explain_star(r.loc["a"], "size") == (
        "Size ☆: 100 employees (2010, S-a, row 0) is at percentile 25 of 4 clusters with an "
        "employees figure counting cluster firms: 1 of them has this figure or less "
        "(≥ 75 needed)."
    )
    assert explain_star(r.loc["c"], "size").startswith("Size ★: 300 employees (2010, no source")
    e = r.loc["b", "explain"]["mass"]
    assert (e.star, e.awarded, e.rows) == ("mass", True, (1,))
    assert "percentile 75 of 4 clusters with a firms figure" in e.text
    with pytest.raises(ValueError, match="Unknown star 'big'; choose one of size, mass"):
        explain_star(r.loc["a"], "big")
    assert set(r.loc["a", "explain"]) == set(STARS)


def test_ties_share_the_percentile_and_the_star():
    rows = [dict(FOUR[0]), dict(FOUR[1]), {**FOUR[2], "employees": 200}, dict(FOUR[3])]
    r = by_id(rate_clusters(table(rows)))
    # by hand: 200 and 200 -> 3 of 4 values ≤ 200 -> 75 for both
    assert r["size_pct"].to_dict() == {"a": 25.0, "b": 75.0, "c": 75.0, "d": 100.0}
    assert r["size_star"].to_dict() == {"a": False, "b": True, "c": True, "d": True}


def test_blanks_give_no_star_and_a_reason():
    rows = [*FOUR, {"cluster_id": "e", "firms": 9, "year": 2010}]  # no employees
    r = by_id(rate_clusters(table(rows)))
    assert not r.loc["e", "size_star"] and math.isnan(r.loc["e", "size_pct"])
    assert pd.isna(r.loc["e", "size_row"]) and r.loc["e", "size_display"] == ""
    assert explain_star(r.loc["e"], "size") == (
        "Size ☆: no employees figure counting cluster firms."
    )
    # e is not in the employees set (still 4), but it is in the firms set (now 5)
    assert r.loc["a", "size_n"] == 4 and r.loc["a", "mass_n"] == 5
    assert r.loc["e", "mass_pct"] == 100.0  # 9 is the largest of 4, 3, 2, 1, 9


def test_a_set_smaller_than_min_set_gives_no_percentile_stars():
    r = by_id(rate_clusters(table(FOUR[:2])))
    assert not r["size_star"].any() and r["size_pct"].isna().all()
    assert explain_star(r.loc["b"], "size") == (
        "Size ☆: 200 employees (2010, no source named, row 1); only 2 clusters with an "
        "employees figure counting cluster firms, fewer than the 3 needed for a percentile."
    )
    # with min_set lowered, the same two clusters get percentiles 50 and 100
    r2 = by_id(rate_clusters(table(FOUR[:2]), RatingThresholds(min_set=2)))
    assert r2["size_pct"].to_dict() == {"a": 50.0, "b": 100.0}
    assert r2["size_star"].to_dict() == {"a": False, "b": True}


def test_bounds_and_approximate_figures_are_rated_and_said_so():
    rows = [dict(r) for r in FOUR]
    rows[3]["employees_qualifier"] = "more_than"
    rows[2]["employees_qualifier"] = "about"
    r = by_id(rate_clusters(table(rows)))
    assert r.loc["d", "size_star"] and r.loc["d", "size_display"] == "> 400"
    assert "The figure is a lower bound (> 400); it is compared at its stated value." in (
        explain_star(r.loc["d"], "size")
    )
    assert "approximate (≈ 300)" in explain_star(r.loc["c"], "size")


def test_other_kinds_are_not_in_the_set():
    rows = [*FOUR, {"cluster_id": "z", "employees": 99999, "counts_what": "regional_sector"}]
    r = by_id(rate_clusters(table(rows)))
    assert r.loc["d", "size_pct"] == 100.0 and r.loc["a", "size_n"] == 4
    assert pd.isna(r.loc["z", "size_pct"])
    mixed = by_id(rate_clusters(table(rows), counts=None))
    assert mixed.loc["z", "size_pct"] == 100.0 and mixed.loc["d", "size_pct"] == 80.0


def test_momentum_by_hand():
    t = table(
        [
            # a: 100 -> 121 over 2 years: (121/100)^(1/2) - 1 = 0.10
            {"cluster_id": "a", "employees": 100, "year": 2010, "source_url": "https://x.eu/1"},
            {"cluster_id": "a", "employees": 121, "year": 2012, "source_url": "https://x.eu/1"},
            # b: shrinking
            {"cluster_id": "b", "employees": 200, "year": 2010},
            {"cluster_id": "b", "employees": 180, "year": 2012},
            # c: firms only, 10 -> 20 in one year: 1.0 (falls back to firms)
            {"cluster_id": "c", "firms": 10, "year": 2010},
            {"cluster_id": "c", "firms": 20, "year": 2011},
            # d: single year only
            {"cluster_id": "d", "employees": 50, "year": 2010},
            # e: two years but two perimeters: no series
            {"cluster_id": "e", "employees": 100, "year": 2010},
            {"cluster_id": "e", "employees": 300, "year": 2014, "scope": "whole park"},
            # f: flat, 0 % is not above the 0 % threshold
            {"cluster_id": "f", "employees": 100, "year": 2010},
            {"cluster_id": "f", "employees": 100, "year": 2015},
        ]
    )
    r = by_id(rate_clusters(t))
    assert r.loc["a", "momentum_cagr"] == pytest.approx(0.10)
    assert r.loc["c", "momentum_cagr"] == pytest.approx(1.0)
    assert r.loc["f", "momentum_cagr"] == 0.0
    assert r["momentum_star"].to_dict() == {
        "a": True, "b": False, "c": True, "d": False, "e": False, "f": False,
    }  # fmt: skip
    assert r.loc["a", "momentum_measure"] == "employees"
    assert r.loc["c", "momentum_measure"] == "firms"
    assert r.loc["a", "momentum_rows"] == (0, 1)
    assert (r.loc["a", "momentum_start_year"], r.loc["a", "momentum_end_year"]) == (2010, 2012)
    assert explain_star(r.loc["a"], "momentum") == (
        "Momentum ★: employees (cluster firms) from 100 (2010, row 0) to 121 (2012, row 1): "
        "+10.0 % a year compounded over 2 years (more than 0 % a year needed)."
    )
    assert explain_star(r.loc["b"], "momentum").endswith("Caveats: different sources.")
    assert "no employees series with figures in two years, so firms" in (
        explain_star(r.loc["c"], "momentum")
    )
    assert explain_star(r.loc["d"], "momentum") == (
        "Momentum ☆: no employees or firms series counting cluster firms "
        "with figures in two different years."
    )
    assert not r.loc["e", "momentum_star"] and pd.isna(r.loc["e", "momentum_measure"])
    # threshold raised above a's growth (0.10), below c's (1.0)
    r2 = by_id(rate_clusters(t, RatingThresholds(momentum_cagr=0.2)))
    assert r2.loc["a", "momentum_star"] == False and r2.loc["c", "momentum_star"] == True  # noqa: E712


def test_location_quotient_by_hand():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "region_employment": 1000, "year": 2010},
            {"cluster_id": "b", "employees": 200, "year": 2010},
            {"cluster_id": "b", "firms": 5, "region_employment": 4000, "year": 2009},
            {"cluster_id": "c", "employees": 300, "region_employment": 10000, "year": 2010},
            {"cluster_id": "d", "employees": 400, "year": 2010},  # no region employment
        ]
    )
    r = by_id(rate_clusters(t))
    # totals over a, b, c: 600 / 15,000 = 0.04; a 0.1/0.04 = 2.5, b 0.05/0.04 = 1.25,
    # c 0.03/0.04 = 0.75; b's region employment is on its other row (the only value given)
    assert r.loc["a", "lq"] == pytest.approx(2.5)
    assert r.loc["b", "lq"] == pytest.approx(1.25)
    assert r.loc["c", "lq"] == pytest.approx(0.75)
    assert r.loc["b", "region_employment"] == 4000
    assert r.loc["a", "lq_star"] == True and r.loc["b", "lq_star"] == False  # noqa: E712
    assert pd.isna(r.loc["d", "lq"]) and pd.isna(r.loc["d", "lq_star"])
    assert explain_star(r.loc["d"], "lq") == (
        "Specialisation: no region employment for this cluster, so no location quotient."
    )
    assert explain_star(r.loc["a"], "lq") == (
        "Specialisation ★: LQ 2.50 = (100 employees (row 0) ÷ 1,000 region employment) ÷ "
        "(600 ÷ 15,000, both summed over the 3 clusters with both figures) (≥ 2 needed)."
    )
    # a's stars by hand: size 25 -> no; firms none; single year; LQ 2.5 -> 1 star
    assert r.loc["a", "stars"] == 1
    assert by_id(rate_clusters(t, RatingThresholds(lq=1.2))).loc["b", "lq_star"] == True  # noqa: E712


def test_location_quotient_needs_min_set():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "region_employment": 1000},
            {"cluster_id": "b", "employees": 200, "region_employment": 4000},
        ]
    )
    r = by_id(rate_clusters(t))
    assert r["lq"].isna().all() and r["lq_star"].tolist() == [False, False]
    assert "only 2 clusters with both an employees figure and region employment" in (
        explain_star(r.loc["a"], "lq")
    )


def test_thresholds_are_validated():
    with pytest.raises(ValueError, match="size_pct must be a percentile from 0 to 100"):
        RatingThresholds(size_pct=120)
    with pytest.raises(ValueError, match="mass_pct"):
        RatingThresholds(mass_pct=-1)
    with pytest.raises(ValueError, match="momentum_cagr must be a yearly growth of -1 or more"):
        RatingThresholds(momentum_cagr=float("nan"))
    with pytest.raises(ValueError, match="lq must be a location quotient of 0 or more"):
        RatingThresholds(lq=-1)
    with pytest.raises(ValueError, match="min_set must be a whole number"):
        RatingThresholds(min_set=0)
    with pytest.raises(ValueError, match="momentum_cagr"):
        RatingThresholds(momentum_cagr=-1.5)
    # the edges the page's sliders allow are accepted
    RatingThresholds(size_pct=0, mass_pct=100, momentum_cagr=-1, lq=0, min_set=1)


def test_default_data_one_row_per_cluster_and_no_lq():
    c = load_clusters()
    r = rate_clusters(c)
    assert list(r["cluster_id"]) == list(c["cluster_id"].astype(object).unique())
    assert r["lq_star"].isna().all()
    assert "this table gives no region employment" in explain_star(r.iloc[0], "lq")
    stars = r["size_star"].astype(int) + r["mass_star"].astype(int) + r["momentum_star"]
    assert (r["stars"] == stars).all()


def test_like_with_like_rates_the_one_kind_a_table_has():
    rows = [{**r, "counts_what": "network_members"} for r in FOUR]
    r = by_id(rate_clusters(table(rows)))
    assert r["size_star"].to_dict() == {"a": False, "b": False, "c": True, "d": True}
    assert "clusters with an employees figure counting network members" in (
        explain_star(r.loc["c"], "size")
    )
    # naming a kind the table lacks rates nothing, and says so
    none = by_id(rate_clusters(table(rows), counts=("cluster_firms",)))
    assert none["stars"].sum() == 0
    assert explain_star(none.loc["a"], "size") == (
        "Size ☆: no employees figure counting cluster firms."
    )


def test_momentum_of_a_scoped_series_names_its_perimeter():
    scope = "MST.factory tenants"
    t = table(
        [
            {"cluster_id": "a", "firms": 15, "year": 2007, "scope": scope, "source_url": "u"},
            {"cluster_id": "a", "firms": 6, "year": 2026, "scope": scope, "source_url": "u"},
        ]
    )
    text = explain_star(by_id(rate_clusters(t)).loc["a"], "momentum")
    # (6/15)^(1/19) - 1 = -4.7 % a year: no star
    assert text.startswith(
        "Momentum ☆: no employees series with figures in two years, so firms: "
        "firms (cluster firms, MST.factory tenants) from 15 (2007, row 0) to 6 (2026, row 1): "
        "-4.7 % a year compounded over 19 years"
    )


def test_stars_without_explanations_are_the_same_stars():
    from mstatlas import load_clusters

    c = load_clusters()
    full = rate_clusters(c)
    quick = rate_clusters(c, explain=False)
    cols = ["cluster_id", "stars", "size_star", "mass_star", "momentum_star", "size_pct"]
    pd.testing.assert_frame_equal(full[cols], quick[cols])
    assert quick["explain"].isna().all()
    with pytest.raises(ValueError, match="explain=True"):
        explain_star(quick.iloc[0], "size")


def test_explanations_in_german_with_german_numbers():
    from mstatlas.i18n import language

    r = by_id(rate_clusters(table(FOUR)))
    english = explain_star(r.loc["a"], "size")  # read first in English: German is not shared
    with language("de"):
        size = explain_star(r.loc["a"], "size")
    assert english.startswith("Size ☆: 100 employees (2010, S-a, row 0)")
    assert size.startswith(
        "Größe ☆: 100 Beschäftigte (2010, S-a, Zeile 0) liegt bei Perzentil 25 von 4 Clustern "
        "mit einer Beschäftigtenzahl der Art "
    )
    assert size.endswith(": 1 davon hat diese Zahl oder weniger (≥ 75 nötig).")
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "region_employment": 1000, "year": 2010},
            {"cluster_id": "b", "employees": 200, "year": 2010},
            {"cluster_id": "b", "firms": 5, "region_employment": 4000, "year": 2009},
            {"cluster_id": "c", "employees": 300, "region_employment": 10000, "year": 2010},
        ]
    )
    lq = by_id(rate_clusters(t))
    with language("de"):
        # the same figures as test_location_quotient_by_hand, German separators: 15.000, 2,50
        assert explain_star(lq.loc["a"], "lq") == (
            "Spezialisierung ★: LQ 2,50 = (100 Beschäftigte (Zeile 0) ÷ 1.000 Beschäftigte in "
            "der Region) ÷ (600 ÷ 15.000, beide summiert über die 3 Cluster mit beiden Zahlen) "
            "(≥ 2 nötig)."
        )
    growth = table(
        [
            {"cluster_id": "a", "employees": 1000, "year": 2010},
            {"cluster_id": "a", "employees": 1210, "year": 2012},
        ]
    )
    with language("de"):
        text = explain_star(by_id(rate_clusters(growth)).loc["a"], "momentum")
    # 1000 -> 1210 over two years: 1.1 a year, +10,0 %; 1.210 with a German thousands point
    assert text.startswith("Dynamik ★: Beschäftigte (")
    assert "von 1.000 (2010, Zeile 0) auf 1.210 (2012, Zeile 1): +10,0 % pro Jahr" in text
