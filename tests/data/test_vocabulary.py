"""The typed vocabulary and the tables that name its values for people stay in step."""

from __future__ import annotations

from mstatlas.data.schema import (
    COUNTS_WHAT,
    COUNTS_WHAT_COLOURS,
    COUNTS_WHAT_HELP,
    MEASURES,
    QUALIFIERS,
)
from mstatlas.data.validate import Problem, ValidationReport
from mstatlas.data.vocabulary import (
    COUNTS_WHAT_KEYS,
    MEASURE_KEYS,
    QUALIFIER_KEYS,
    SEVERITIES,
    TABLE_KINDS,
)


def test_measures_and_kinds_of_figures_are_the_schemas_in_its_order():
    assert MEASURE_KEYS == ("employees", "firms", "employees_per_firm") == tuple(MEASURES)
    assert COUNTS_WHAT_KEYS == tuple(COUNTS_WHAT) == tuple(COUNTS_WHAT_HELP)
    assert set(COUNTS_WHAT_KEYS) == set(COUNTS_WHAT_COLOURS)
    assert tuple(QUALIFIERS) == QUALIFIER_KEYS


def test_a_table_is_clusters_or_firms():
    assert TABLE_KINDS == ("clusters", "firms")


def test_the_report_counts_both_severities():
    problems = [Problem(2, "x", "v", "bad", "error"), Problem(3, "x", "v", "odd", "warning")]
    report = ValidationReport(n_rows=2, n_imported=1, n_rejected=1, problems=problems)
    assert SEVERITIES == ("error", "warning")
    assert report.n_warnings == 1
    assert set(report.to_frame()["severity"]) == set(SEVERITIES)
