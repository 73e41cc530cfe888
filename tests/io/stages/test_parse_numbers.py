from __future__ import annotations

import math

from upload_context import before, problems, rejected_rows, table

from mstatlas.io.stages.parse_numbers import parse_numbers


def test_german_numbers():
    ctx = before(
        "parse_numbers",
        table("name;lat;lon;employees\nA;51,5;7,4;2.100\nB;48,1;11,6;ca. 1.700", sep=";"),
        detected={"separator": ";"},
    )
    parse_numbers(ctx)
    assert ctx.detected["decimal"] == "," and ctx.detected["thousands"] == "."
    assert ctx.detected["number_formats"] == {"lat": ",", "lon": ",", "employees": ","}
    assert ctx.numbers["lat"].tolist() == [51.5, 48.1]
    assert ctx.numbers["employees"].tolist() == [2100.0, 1700.0]
    assert ctx.number_qualifiers["employees"].tolist()[1] == "about"
    assert math.isnan(ctx.numbers["firms"].iloc[0])  # no firms column
    assert ctx.problems == []


def test_bad_counts_and_years_are_refused_with_a_reason():
    ctx = before(
        "parse_numbers",
        table(
            "name,city,employees,year\nA,Jena,x,2007\nB,Jena,-3,2007\nC,Jena,2.5,2007\nD,Jena,7,1800"
        ),
    )
    parse_numbers(ctx)
    assert problems(ctx) == [
        (2, "employees", "'x' is not a number (expected e.g. 2,100)"),
        (3, "employees", "'-3' is negative; a count cannot be below 0"),
        (
            4,
            "employees",
            "'2.5' is not a whole number; counts of firms and employees are whole numbers",
        ),
        (5, "year", "'1800' is not a year between 1900 and 2100"),
    ]
    assert rejected_rows(ctx) == [2, 3, 4, 5]


def test_a_count_grouped_with_points_in_a_point_decimal_file_is_read_and_said():
    ctx = before("parse_numbers", table("name,lat,lon,employees\nA,51.5,7.4,2.100"))
    parse_numbers(ctx)
    assert ctx.numbers["employees"].tolist() == [2100.0]
    assert [p.severity for p in ctx.problems] == ["warning"]
    assert ctx.problems[0].reason.startswith("'2.100' was read as 2,100: a count has no decimals")
    assert rejected_rows(ctx) == []
