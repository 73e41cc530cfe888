"""Ranking sensitivity: headline rules, year spread, same-period window, verdict."""

from __future__ import annotations

import pandas as pd
import pytest
from cluster_tables import cluster_table as table

from mstatlas import load_clusters, rank_clusters
from mstatlas.analysis.provenance import ordinal
from mstatlas.analysis.sensitivity import (
    HEADLINE_RULES,
    rank_sensitivity,
    same_period_window,
    sensitivity_verdict,
    year_spread,
)


def pick(t, dimension, choice):
    row = t[(t["dimension"] == dimension) & (t["choice"] == choice)]
    assert len(row) == 1, (dimension, choice, list(t["choice"]))
    return row.iloc[0]


# a: most staff, fewest firms; by hand: employees a 100 > b 50 > c 10 -> a 1st;
# firms b 10 > c 5 > a 2 -> a 3rd; per firm a 50 > b 5 > c 2 -> a 1st.
FLIP = [
    {"cluster_id": "a", "firms": 2, "employees": 100, "year": 2010},
    {"cluster_id": "b", "firms": 10, "employees": 50, "year": 2011},
    {"cluster_id": "c", "firms": 5, "employees": 10, "year": 2012},
]


def test_rank_flips_by_measure():
    t = rank_sensitivity(table(FLIP), "a", by="employees")
    assert [
        pick(t, "Measure", m)["rank"] for m in ("Employees", "Firms", "Employees per firm")
    ] == [
        1,
        3,
        1,
    ]
    assert pick(t, "Measure", "Employees")["current"]
    assert not pick(t, "Measure", "Firms")["current"]
    assert pick(t, "Measure", "Firms")["of_n"] == 3
    assert pick(t, "Measure", "Firms")["figure"] == "2"
    v = sensitivity_verdict(t)
    assert v.startswith("A ranks 1st of 3 (by employees, counting cluster firms)")
    assert "depends on the measure (3rd of 3 by firms)" in v
    assert "headline rule" not in v  # one figure per cluster: every rule agrees


def test_each_dimension_is_listed_once_per_choice():
    t = rank_sensitivity(table(FLIP), "a", window=(2011, 2012))
    assert list(t["dimension"].unique()) == [
        "Measure",
        "Kind of figures",
        "Year window",
        "Headline rule",
    ]
    assert list(t.loc[t["dimension"] == "Headline rule", "choice"]) == [
        r.label for r in HEADLINE_RULES.values()
    ]
    # one current choice per dimension
    assert t.groupby("dimension")["current"].sum().to_dict() == {
        "Measure": 1,
        "Kind of figures": 1,
        "Year window": 1,
        "Headline rule": 1,
    }
    assert t["rank"].dtype == "Int64"


def test_headline_rules_pick_different_rows():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "year": 2005},
            {"cluster_id": "a", "employees": 300, "year": 2010, "employees_qualifier": "about"},
            {"cluster_id": "a", "employees": 500, "employees_qualifier": "more_than"},
            # another perimeter: never a headline while a usual-perimeter figure exists
            {"cluster_id": "a", "employees": 9000, "year": 2011, "scope": "whole park"},
            {"cluster_id": "b", "employees": 200, "year": 2008},
        ]
    )
    s = rank_sensitivity(t, "a")
    rule = {r["choice"]: (r["rank"], r["figure"], r["year"]) for _, r in s.iterrows()
            if r["dimension"] == "Headline rule"}  # fmt: skip
    assert rule["Ranking's rule"] == (1, "≈ 300", 2010)  # most recent dated, 300 > 200
    assert rule["Earliest figure"] == (2, "100", 2005)  # 100 < 200
    assert rule["Exact figures only"] == (2, "100", 2005)
    assert rule["Largest figure"][:2] == (1, "> 500")  # not the 9,000 of the whole park
    assert pd.isna(rule["Largest figure"][2])
    assert rule["Dated figures only"] == (1, "≈ 300", 2010)


def test_exact_only_leaves_a_cluster_with_only_approximate_figures_unranked():
    t = table(
        [
            {"cluster_id": "a", "firms": 40, "firms_qualifier": "about", "year": 2010},
            {"cluster_id": "b", "firms": 20, "year": 2010},
        ]
    )
    s = rank_sensitivity(t, "a", by="firms")
    r = pick(s, "Headline rule", "Exact figures only")
    assert pd.isna(r["rank"]) and r["of_n"] == 1
    assert r["note"] == "not ranked: no firms figure stated exactly counting cluster firms"


def test_kinds_present_are_tried_and_mixing_is_offered():
    t = table(
        [
            {"cluster_id": "a", "employees": 100, "year": 2010},
            {"cluster_id": "b", "employees": 50, "year": 2010},
            {"cluster_id": "b", "employees": 900, "counts_what": "regional_sector", "year": 2010},
        ]
    )
    s = rank_sensitivity(t, "a")
    kinds = s[s["dimension"] == "Kind of figures"]
    assert list(kinds["choice"]) == ["Cluster firms", "Regional sector", "All kinds mixed"]
    reg = pick(s, "Kind of figures", "Regional sector")
    assert pd.isna(reg["rank"])
    assert reg["note"] == "not ranked: no employees figure counting regional sector"
    # mixed: b's headline is still its cluster-firms figure (kind priority), so a stays 1st
    assert pick(s, "Kind of figures", "All kinds mixed")["rank"] == 1


def test_year_windows_leave_out_undated_and_other_years():
    t = table(
        [
            {"cluster_id": "a", "firms": 30, "year": 2001},
            {"cluster_id": "a", "firms": 90},  # undated: the default rule prefers the dated 30
            {"cluster_id": "b", "firms": 50, "year": 2015},
            {"cluster_id": "c", "firms": 40, "year": 2016},
        ]
    )
    s = rank_sensitivity(t, "a", by="firms", window=(2000, 2005))
    # all years: a's dated 2001 figure (30) is its headline -> 3rd of 3
    assert pick(s, "Year window", "All years")["rank"] == 3
    # same period by hand (width 5, starts 2001..2012): 2012–2016 holds b and c -> a out
    same = pick(s, "Year window", "Same period 2012–2016")
    assert pd.isna(same["rank"]) and same["of_n"] == 2
    assert same["note"] == "not ranked: no firms figure counting cluster firms dated 2012–2016"
    chosen = pick(s, "Year window", "2000–2005")
    assert (chosen["rank"], chosen["of_n"], chosen["year"]) == (1, 1, 2001)


def test_ties_are_flagged_with_a_note():
    t = table([{"cluster_id": x, "firms": v} for x, v in zip("abc", (50, 30, 30))])
    s = rank_sensitivity(t, "b", by="firms")
    r = pick(s, "Measure", "Firms")
    assert (r["rank"], bool(r["tied"]), r["note"]) == (2, True, "tied with 1 other cluster")
    assert pick(s, "Measure", "Firms")["current"]


def test_single_cluster_verdict_says_the_rank_holds():
    t = table([{"cluster_id": "a", "firms": 3, "employees": 30, "year": 2010}])
    s = rank_sensitivity(t, "a")
    kinds = list(s.loc[s["dimension"] == "Kind of figures", "choice"])
    assert kinds == ["Cluster firms", "All kinds mixed"]
    assert sensitivity_verdict(s) == (
        f"A ranks 1st of 1 (by employees, counting cluster firms); the same rank under all "
        f"{len(s)} choices tried: it does not depend on the measure, the kind of figures, "
        "the year window or the headline rule."
    )


def test_unranked_cluster_and_unknown_cluster():
    t = table(
        [
            {"cluster_id": "a", "firms": 3, "year": 2010},
            {"cluster_id": "b", "employees": 30, "year": 2010},
        ]
    )
    v = sensitivity_verdict(rank_sensitivity(t, "a"))
    assert v.startswith("A is not ranked by employees, counting cluster firms;")
    assert "1st of 1 by firms" in v
    with pytest.raises(ValueError, match="Cluster 'zz' is not in this table"):
        rank_sensitivity(t, "zz")
    with pytest.raises(ValueError, match="ends before it starts"):
        rank_sensitivity(t, "a", window=(2010, 2000))
    with pytest.raises(ValueError, match="Unknown measure"):
        rank_sensitivity(t, "a", by="size")


def test_same_period_window_by_hand():
    t = table(
        [
            {"cluster_id": "a", "firms": 1, "year": 2000},
            {"cluster_id": "a", "firms": 1, "year": 2010},
            {"cluster_id": "b", "firms": 1, "year": 2009},
            {"cluster_id": "c", "firms": 1, "year": 2012},
            {"cluster_id": "d", "firms": 1, "year": 1990},
            {"cluster_id": "e", "firms": 1},  # undated: never in a window
            {"cluster_id": "f", "firms": 1, "year": 2001, "counts_what": "regional_sector"},
        ]
    )
    # windows 1990–1994 … 2008–2012; 2008–2012 holds a, b, c (3); 1998–2002 only a (f is
    # another kind); 2006–2010 a and b.
    assert same_period_window(t, by="firms") == (2008, 2012)
    # no employees at all
    assert same_period_window(t, by="employees") is None


def test_same_period_window_ties_go_to_the_later_window_and_short_spans():
    t = table(
        [
            {"cluster_id": "a", "firms": 1, "year": 2000},
            {"cluster_id": "b", "firms": 1, "year": 2010},
        ]
    )
    assert same_period_window(t, by="firms", width=3) == (2008, 2010)
    assert same_period_window(t, by="firms", width=20) == (2000, 2019)
    with pytest.raises(ValueError, match="at least 1 year wide"):
        same_period_window(t, by="firms", width=0)


def test_year_spread_by_hand():
    r = pd.DataFrame({"year": pd.array([2007, 2010, None], dtype="Int64")})
    s = year_spread(r)
    assert (s.first, s.last, s.n_dated, s.n_undated) == (2007, 2010, 2, 1)
    assert s.text == "Figures from 2007 to 2010 (2 dated, 1 undated)"
    assert not s.wide  # 3 years apart is not wide
    wide = year_spread(pd.DataFrame({"year": pd.array([1985, 2026], dtype="Int64")}))
    assert wide.wide and wide.text == "Figures from 1985 to 2026 (2 dated)"
    one = year_spread(pd.DataFrame({"year": pd.array([2008], dtype="Int64")}))
    assert one.text == "Figures from 2008 (1 dated)"
    none = year_spread(pd.DataFrame({"year": pd.array([None], dtype="Int64")}))
    assert (none.first, none.text) == (None, "No ranked figure is dated (1 undated)")
    assert year_spread(pd.DataFrame({"year": []})).text == "No figures ranked"


def test_verdict_on_the_default_data_names_dortmunds_actual_ranks():
    c = load_clusters()
    s = rank_sensitivity(c, "dortmund")
    v = sensitivity_verdict(s)
    by_emp = rank_clusters(c, by="employees")
    by_firms = rank_clusters(c, by="firms")
    r_emp = int(by_emp.loc[by_emp["cluster_id"] == "dortmund", "rank"].item())
    r_firms = int(by_firms.loc[by_firms["cluster_id"] == "dortmund", "rank"].item())
    assert v.startswith(f"Dortmund MST cluster ranks {ordinal(r_emp)} of {len(by_emp)} ")
    firms_text = f"{ordinal(r_firms)} of {len(by_firms)} by firms"
    if r_firms == r_emp:
        assert firms_text not in v
    else:
        assert f"depends on the measure ({firms_text}" in v
    assert pick(s, "Measure", "Firms")["rank"] == r_firms


def test_like_with_like_follows_the_kind_the_table_has():
    rows = [{**r, "counts_what": "network_members"} for r in FLIP]
    s = rank_sensitivity(table(rows), "a")
    base = pick(s, "Kind of figures", "Network members")
    assert base["current"] and base["rank"] == 1
    assert pick(s, "Measure", "Firms")["rank"] == 3
    assert sensitivity_verdict(s).startswith(
        "A ranks 1st of 3 (by employees, counting network members)"
    )
    assert same_period_window(table(rows), by="firms") == (2010, 2014)


def test_verdict_and_year_spread_in_german():
    from mstatlas.i18n import language

    with language("de"):
        t = rank_sensitivity(table(FLIP), "a", by="employees")
        v = sensitivity_verdict(t)
        spread = year_spread(pd.DataFrame({"year": pd.array([2007, 2010, None], dtype="Int64")}))
    # the same ranks as test_rank_flips_by_measure; the dimension stays an English key
    assert pick(t, "Measure", "Firmen")["phrase"] == "nach Firmen"
    assert v.startswith("A steht auf Rang 1 von 3 (nach Beschäftigten, der Art ")
    assert "er hängt ab von der Kennzahl (3 von 3 nach Firmen)" in v
    assert spread.text == "Zahlen von 2007 bis 2010 (2 mit Jahr, 1 ohne Jahr)"
