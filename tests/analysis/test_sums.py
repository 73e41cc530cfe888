"""Adding up clusters' figures: how qualifiers carry into a sum, which sums are refused."""

from __future__ import annotations

import pandas as pd
import pytest

from mstatlas.analysis.sums import add_figures, cluster_figures, combine_qualifiers, summed_kind
from mstatlas.data.schema import coerce_clusters


@pytest.mark.parametrize(
    ("qualifiers", "expected"),
    [
        (["", ""], ""),
        (["", "about"], "about"),
        (["", "at_least"], "at_least"),
        (["at_least", "more_than"], "more_than"),  # one strict bound makes the sum strict
        (["", "up_to"], "up_to"),
        (["about", "more_than"], "about"),  # an approximate figure can be off either way
        (["about", "up_to"], "about"),
        (["more_than", "up_to"], None),  # neither a lower nor an upper bound
    ],
)
def test_qualifiers_carry_into_the_sum(qualifiers, expected):
    assert combine_qualifiers(qualifiers)[0] == expected


def test_a_sum_of_lower_and_upper_bounds_is_left_blank_with_a_reason():
    s = add_figures([40, 10], ["more_than", "up_to"], [2010, None])
    assert s.total is None and s.display() == ""
    assert "lower bounds" in s.note and "upper bounds" in s.note
    assert s.n == 2 and s.n_undated == 1 and (s.year_min, s.year_max) == (2010, 2010)


def test_a_sum_states_its_years():
    s = add_figures([100, 50, 7], ["", "about", ""], [2012, 2005, pd.NA])
    assert s.total == 157 and s.display("employees") == "≈ 157"
    assert s.years_text() == "2005–2012; 1 undated"
    assert add_figures([], [], []).total is None


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (None, "one kind only"),
        (("cluster_firms", "network_members"), "one kind only, got cluster_firms, network_members"),
        (("national",), "National figures are not added up"),
        (("made_up",), "Unknown kind of figure 'made_up'"),
    ],
)
def test_only_one_summable_kind_is_accepted(counts, message):
    with pytest.raises(ValueError, match=message):
        summed_kind(counts)


def test_a_plain_string_names_one_kind():
    assert summed_kind("spin_offs") == "spin_offs"


def test_ratio_is_not_summed():
    t = coerce_clusters(
        pd.DataFrame({"cluster_id": ["a"], "cluster_name": ["A"], "lat": [50.0], "lon": [8.0]})
    )
    with pytest.raises(ValueError, match="Employees per firm cannot be added up"):
        cluster_figures(t, by="employees_per_firm")


def test_sum_notes_in_german():
    from mstatlas.i18n import language

    with language("de"):
        s = add_figures([100, 2000], ["about", ""], [2005, None])
        assert s.display() == "≈ 2.100"  # 100 + 2000
        assert s.note == "ungefähr: manche Zahlen sind als ungefähr angegeben"
        assert s.years_text() == "2005; 1 ohne Jahr"
    assert s.display() == "≈ 2,100" and s.years_text() == "2005; 1 undated"
