"""Primary confidentiality: minimum frequency and dominance rules, "other", settings."""

from __future__ import annotations

import pandas as pd
import pytest

from mstatlas.data.disclosure import (
    CONFIDENTIAL,
    DisclosureRules,
    check_groups,
    protect_figures,
)
from mstatlas.errors import DataError

RULES = DisclosureRules(min_firms=3, dominance=85)

# per firm: group, employees
FIRMS = [
    ("two", 120),  # two firms: fewer than 3 -> frequency rule
    ("two", 80),
    ("known2", 40),  # ten firms, head count known for two only -> frequency rule
    ("known2", 60),
    *[("known2", None)] * 8,
    ("big", 900),  # 900 of 990 = 90.9 % > 85 % -> dominance rule
    ("big", 30),
    ("big", 30),
    ("big", 30),
    ("edge", 85),  # 85 of 100 = exactly 85 %: not more than 85 % -> shown
    ("edge", 10),
    ("edge", 5),
    ("fine", 10),
    ("fine", 20),
    ("fine", 30),
    (None, 5000),  # in no group
]
GROUPS = pd.Series([g for g, _ in FIRMS], dtype="object")
EMPLOYEES = pd.Series([e for _, e in FIRMS], dtype="object")


def table() -> pd.DataFrame:
    ids = ["two", "known2", "big", "edge", "fine"]
    sums = [200, 100, 990, 100, 60]
    return pd.DataFrame({"cluster_id": ids, "employees": pd.array(sums, dtype="Int64")})


def test_each_rule_suppresses_what_it_should_and_nothing_else():
    checks = check_groups(GROUPS, EMPLOYEES, RULES).set_index("group")
    assert checks.loc["two", "rule"] == "frequency"
    assert checks.loc["known2", "rule"] == "frequency"
    assert checks.loc["known2", "contributors"] == 2
    assert checks.loc["big", "rule"] == "dominance"
    assert checks.loc["big", "largest_share"] == pytest.approx(100 * 900 / 990)
    assert pd.isna(checks.loc["edge", "rule"]) and pd.isna(checks.loc["fine", "rule"])
    assert len(checks) == 5  # the firm in no group is no group


def test_protected_table_blanks_suppressed_figures_and_says_why_apart():
    p = protect_figures(table(), GROUPS, EMPLOYEES, RULES)
    t = p.table.set_index("cluster_id")
    assert t["employees"].dtype == "Int64"
    assert t["employees"].isna().to_dict() == {
        "two": True,
        "known2": True,
        "big": True,
        "edge": False,
        "fine": False,
    }
    assert t.loc["edge", "employees"] == 100 and t.loc["fine", "employees"] == 60
    assert (t["employees_status"] == CONFIDENTIAL).fillna(False).sum() == 3
    reasons = p.suppressed.set_index("group")
    assert reasons.loc["two", "reason"] == (
        "employees are known for 2 firms only, fewer than 3 (minimum frequency rule)"
    )
    assert reasons.loc["big", "rule"] == "dominance"
    assert "more than 85 %" in reasons.loc["big", "reason"]
    assert p.summary().startswith(
        "Employee figures of 3 groups are confidential (2 by the minimum frequency rule, "
        "1 by the dominance rule)."
    )
    assert "big" not in p.summary() and "two" not in p.summary()


def test_suppressed_figures_merge_into_other_only_when_that_figure_is_safe():
    p = protect_figures(table(), GROUPS, EMPLOYEES, RULES)
    # two + known2 + big: 2 + 2 + 4 = 8 firms with a head count, 1,290 employees, the
    # largest 900 = 69.8 % of them: safe to show together
    assert p.other is not None
    assert p.other.groups == ("two", "known2", "big")
    assert p.other.firms == 8 and p.other.employees == 1290
    # only "two" and "big": 120+80+900+30+30+30 = 1190, 900 = 75.6 %: still safe
    small = table()[table()["cluster_id"].isin(["two", "big", "fine"])]
    p2 = protect_figures(small, GROUPS, EMPLOYEES, RULES)
    assert p2.other is not None and p2.other.employees == 1190
    # with a stricter dominance rule (70 %) the merged figure would betray the large firm
    strict = DisclosureRules(min_firms=3, dominance=70)
    assert protect_figures(small, GROUPS, EMPLOYEES, strict).other is None
    # one suppressed figure alone is never given as "other"
    one = table()[table()["cluster_id"].isin(["two", "fine"])]
    assert protect_figures(one, GROUPS, EMPLOYEES, RULES).other is None


def test_a_group_without_firms_behind_it_is_suppressed():
    t = pd.DataFrame({"cluster_id": ["ghost"], "employees": pd.array([10], dtype="Int64")})
    p = protect_figures(t, GROUPS, EMPLOYEES, RULES)
    assert p.table["employees"].isna().all() and list(p.suppressed["rule"]) == ["frequency"]


def test_nothing_suppressed_says_so():
    fine = table()[table()["cluster_id"] == "fine"]
    p = protect_figures(fine, GROUPS, EMPLOYEES, RULES)
    assert p.suppressed.empty and p.summary().startswith("No employee figure had to be suppressed")


def test_settings_from_the_environment():
    assert DisclosureRules.from_env({}) == DisclosureRules(3, 85.0)
    env = {"MSTATLAS_MIN_FIRMS": " 5 ", "MSTATLAS_DOMINANCE": "90%"}
    assert DisclosureRules.from_env(env) == DisclosureRules(5, 90.0)
    with pytest.raises(DataError, match=r"MSTATLAS_MIN_FIRMS='two' is not a whole number of 1"):
        DisclosureRules.from_env({"MSTATLAS_MIN_FIRMS": "two"})
    with pytest.raises(DataError, match=r"MSTATLAS_MIN_FIRMS='0'"):
        DisclosureRules.from_env({"MSTATLAS_MIN_FIRMS": "0"})
    with pytest.raises(DataError, match=r"MSTATLAS_DOMINANCE='0.85%x' is not a percentage"):
        DisclosureRules.from_env({"MSTATLAS_DOMINANCE": "0.85%x"})
    with pytest.raises(DataError, match=r"MSTATLAS_DOMINANCE='120'"):
        DisclosureRules.from_env({"MSTATLAS_DOMINANCE": "120"})


def test_the_environment_is_the_default(monkeypatch):
    monkeypatch.setenv("MSTATLAS_MIN_FIRMS", "4")
    checks = check_groups(GROUPS, EMPLOYEES).set_index("group")
    assert checks.loc["fine", "rule"] == "frequency"  # three firms: fewer than 4 now
    assert (
        DisclosureRules.from_env()
        .describe()
        .startswith("Employee figures are confidential (not shown) when fewer than 4 firms")
    )


def test_one_confidential_figure_is_said_in_the_singular():
    keep = GROUPS.isin(["two", "fine"])
    t = table()
    p = protect_figures(
        t[t["cluster_id"].isin(["two", "fine"])].reset_index(drop=True),
        GROUPS[keep].reset_index(drop=True),
        EMPLOYEES[keep].reset_index(drop=True),
        RULES,
    )
    assert p.public_note().startswith("The employee figure of 1 cluster is confidential. ")
    assert p.summary().startswith(
        "The employee figure of 1 group is confidential (1 by the minimum frequency rule)."
    )


def test_the_rules_read_in_german_with_german_numbers():
    from mstatlas.i18n import language

    rules = DisclosureRules(3, 85.5)
    with language("de"):
        text = rules.describe()
        one = DisclosureRules(1, 85.0).describe()
    assert text.startswith(
        "Beschäftigtenzahlen sind vertraulich (nicht angezeigt), wenn weniger als 3 Firmen"
    )
    assert "mehr als 85,5 % davon stellt (Dominanzregel)" in text
    assert "weniger als 1 Firma mit bekannter Beschäftigtenzahl zu ihnen beiträgt" in one
    assert "one firm holds more than 85.5 % of them (dominance rule)" in rules.describe()
