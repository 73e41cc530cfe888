from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet="0123456789", max_size=4),
            st.text(alphabet="0123456789", min_size=18, max_size=24),  # past 64-bit integers
        ),
        max_size=20,
    ),
    st.sampled_from([NumberFormat(), NumberFormat(",", ".")]),
    st.booleans(),
)
def test_columns_of_bare_digits_read_as_the_general_path_reads_them(values, fmt, integer):
    s = pd.Series(values, dtype="string[pyarrow]")
    fast = parse_numbers(s, fmt, integer=integer, stripped=True)  # bare digits: the short way
    general = parse_numbers(s, fmt, integer=integer)  # not said to be trimmed: the general way
    for got, want in zip(fast, general, strict=True):
        pd.testing.assert_series_equal(got, want)


def test_bare_digits_and_blanks_by_hand():
    s = pd.Series(["2100", "", None, "007"], dtype="string[pyarrow]")
    num, failed, qual = parse_numbers(s, NumberFormat(",", "."), integer=True, stripped=True)
    assert num.tolist()[0] == 2100.0 and num.tolist()[3] == 7.0
    assert num.iloc[1:3].isna().all() and not failed.any() and qual.isna().all()
    assert failed.dtype == "bool[pyarrow]" and qual.dtype == "string"
    # too long for a 64-bit integer: read as the float it is
    huge, failed, _qual = parse_numbers(
        pd.Series(["123456789012345678901", "5"], dtype="string[pyarrow]"),
        NumberFormat(),
        integer=True,
        stripped=True,
    )
    assert huge.tolist() == [123456789012345678901.0, 5.0] and not failed.any()


def test_the_number_format_is_decided_by_values_past_the_columns_start():
    # 20,000 blank cells first: the sample of 5,000 values comes from further down
    frame = pd.DataFrame({"lat": [""] * 20_000 + ["51,5136", "48,1"]})
    formats, _default = detect_number_formats(frame, ["lat"], ",")
    assert formats["lat"] == NumberFormat(",", ".")


@pytest.mark.parametrize(
    "values",
    [
        ["12", "", None, "7", "900", "0042", "", "123456789012345678901"],
        ["12", "", "7", "x"],  # the second half holds a word: the general path, both halves
        ["5"],  # one value: the first half is empty
    ],
)
def test_a_large_column_s_halves_read_on_two_threads_as_one(monkeypatch, values):
    from mstatlas.data import parallel

    s = pd.Series(values, dtype="string[pyarrow]")
    alone = parse_numbers(s, NumberFormat(), integer=True, stripped=True)
    monkeypatch.setattr(parallel, "TWO_THREADS_FROM", 1)
    halves = parse_numbers(s, NumberFormat(), integer=True, stripped=True)
    for got, want in zip(halves, alone, strict=True):
        pd.testing.assert_series_equal(got, want)
