from __future__ import annotations

import pandas as pd

from mstatlas.data.numbers import (
    NumberFormat,
    detect_number_formats,
    not_a_number_reason,
    parse_numbers,
    point_grouped,
)


def test_clear_comma_evidence_decides_a_column_and_the_file():
    frame = pd.DataFrame({"lat": ["51,5136", "48,1"], "n": ["39", "1.020"]})
    formats, default = detect_number_formats(frame, ["lat", "n"], ",")
    assert formats["lat"] == NumberFormat(",", ".")
    # "1.020" alone is ambiguous: the column follows the file's comma decimals
    assert formats["n"] == NumberFormat(",", ".") == default


def test_semicolon_separator_settles_a_tie_towards_the_comma():
    frame = pd.DataFrame({"n": ["39", "40"]})
    _formats, default = detect_number_formats(frame, ["n"], ";")
    assert default == NumberFormat(",", ".")
    _formats, default = detect_number_formats(frame, ["n"], ",")
    assert default == NumberFormat(".", ",")


def test_qualified_figures_keep_their_qualifier():
    s = pd.Series(["ca. 1.700", "> 50", "2100+", "70"])
    num, failed, qual = parse_numbers(s, NumberFormat(",", "."), integer=True)
    assert num.tolist() == [1700.0, 50.0, 2100.0, 70.0]
    assert not failed.any()
    assert qual.tolist()[:3] == ["about", "more_than", "at_least"]
    assert pd.isna(qual.iloc[3])


def test_point_grouped_finds_counts_written_with_points_between_threes():
    s = pd.Series(["2.100", "12.000", "2.1", "2100", None])
    assert point_grouped(s).tolist() == [True, True, False, False, False]


def test_not_a_number_reason_gives_an_example_and_a_hint():
    german = NumberFormat(",", ".")
    assert not_a_number_reason("2.5", german, "count") == (
        "'2.5' is not a number (expected e.g. 2.100); this file writes decimals with a "
        "comma and groups thousands with a dot"
    )
    assert not_a_number_reason("10-20", german, "count").endswith(
        "; give one number and put the range in the note"
    )
    assert "expected e.g. 51.5136" in not_a_number_reason("north", german, "coordinate")
