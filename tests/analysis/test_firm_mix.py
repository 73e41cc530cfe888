"""Technology mix, location quotients (by hand on a small register) and the largest firms."""

from __future__ import annotations

import pandas as pd
import pytest

from mstatlas.analysis.firm_mix import (
    LARGEST_COLUMNS,
    group_counts,
    largest_firms,
    mix_table,
    mix_text,
    size_class,
)

# ten firms: A has MEMS, MEMS, optics and one without technology; B optics, optics,
# fluidics; three firms in no group (MEMS, optics, fluidics).
REGISTER = pd.DataFrame(
    {
        "name": ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "n1", "n2", "n3"],
        "technology": [
            "MEMS",
            " MEMS ",
            "optics",
            "",
            "optics",
            "optics",
            "fluidics",
            "MEMS",
            "optics",
            "fluidics",
        ],
        "employees": [300, 12, 9, None, 50, 49, 250, 1000, 5, 7],
    }
)
GROUPS = pd.Series(["A", "A", "A", "A", "B", "B", "B", None, None, None])


def test_location_quotients_computed_by_hand():
    # register with a technology: 9 firms; MEMS 3, optics 4, fluidics 2
    # A (3 with a technology): MEMS 2/3 ÷ 3/9 = 2.0; optics 1/3 ÷ 4/9 = 0.75
    # B (3): optics 2/3 ÷ 4/9 = 1.5; fluidics 1/3 ÷ 2/9 = 1.5
    mix = mix_table(REGISTER, GROUPS).set_index(["group", "value"])
    assert mix.loc[("A", "MEMS"), "lq"] == pytest.approx(2.0)
    assert mix.loc[("A", "optics"), "lq"] == pytest.approx(0.75)
    assert mix.loc[("B", "optics"), "lq"] == pytest.approx(1.5)
    assert mix.loc[("B", "fluidics"), "lq"] == pytest.approx(1.5)
    assert mix.loc[("A", "MEMS"), "firms"] == 2 and mix.loc[("A", "MEMS"), "group_firms"] == 3
    assert mix.loc[("A", "optics"), "register_firms"] == 4
    assert mix.loc[("B", "fluidics"), "register_share"] == pytest.approx(2 / 9)
    assert len(mix) == 4  # no row for A's firm without a technology


def test_counts_order_most_firms_first_then_by_name_and_text_reads_like_the_city_grouping():
    counts = group_counts(GROUPS, REGISTER["technology"])
    assert counts.values.tolist() == [
        ["A", "MEMS", 2],
        ["A", "optics", 1],
        ["B", "optics", 2],
        ["B", "fluidics", 1],
    ]
    assert mix_text(counts).to_dict() == {"A": "MEMS 2, optics 1", "B": "optics 2, fluidics 1"}


def test_a_column_the_register_lacks_gives_an_empty_mix():
    assert mix_table(REGISTER, GROUPS, column="market").empty
    assert mix_text(group_counts(GROUPS, None)).empty


def test_largest_firms_give_size_classes_not_head_counts_unless_allowed():
    top = largest_firms(REGISTER, GROUPS, top=2)
    assert list(top.columns) == list(LARGEST_COLUMNS)
    assert top[["group", "rank", "name"]].values.tolist() == [
        ["A", 1, "a1"],
        ["A", 2, "a2"],
        ["B", 1, "b3"],
        ["B", 2, "b1"],
    ]
    assert list(top["size_class"]) == [
        "large (250 or more)",
        "small (10–49)",
        "large (250 or more)",
        "medium (50–249)",
    ]
    assert top["employees"].isna().all()
    shown = largest_firms(REGISTER, GROUPS, top=1, show_employees=True)
    assert list(shown["employees"]) == [300, 250]
    assert "n1" not in set(shown["name"])  # a firm in no group is no group's largest


def test_size_class_bounds_follow_the_eu_definition():
    classes = size_class(pd.Series([0, 9, 10, 49, 50, 249, 250, None]))
    assert list(classes.iloc[:7]) == [
        "micro (under 10)",
        "micro (under 10)",
        "small (10–49)",
        "small (10–49)",
        "medium (50–249)",
        "medium (50–249)",
        "large (250 or more)",
    ]
    assert pd.isna(classes.iloc[7])


def test_lengths_that_do_not_match_the_register_are_refused():
    with pytest.raises(ValueError, match="groups has 3 values but the register 10 firms"):
        mix_table(REGISTER, GROUPS.iloc[:3])
    with pytest.raises(ValueError, match="top must be 1 or more"):
        largest_firms(REGISTER, GROUPS, top=0)


def test_size_classes_in_german():
    from mstatlas.i18n import language

    with language("de"):
        classes = size_class(pd.Series([9, 250]))
    assert list(classes) == ["Kleinstunternehmen (unter 10)", "Großunternehmen (250 oder mehr)"]
