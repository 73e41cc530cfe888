"""Source, year and rank wording shared by charts, maps, pages and the command line."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mstatlas.analysis.provenance import (
    NO_SOURCE,
    ordinal,
    rank_text,
    rank_texts,
    short_source,
    sources_with_years,
    with_article,
    year_range_text,
    year_text,
    year_texts,
    years_text,
)


def test_short_source_names_the_publisher():
    assert short_source("Winziger geht's kaum (Halterner Zeitung, 18.02.2008)") == (
        "Halterner Zeitung"
    )
    assert short_source("Cluster Optik – Spitzentechnologie (innoBB)") == "innoBB"
    assert short_source("Annual report (2019)") == "Annual report"  # a bracket with a date only
    assert short_source("Jahresbericht") == "Jahresbericht"
    assert short_source(None) == "source not stated" == NO_SOURCE
    assert short_source("   ") == NO_SOURCE
    long = short_source("A very long title of a report without any publisher in brackets at all")
    assert len(long) == 40 and long.endswith("…")


def test_sources_with_years_groups_each_source_and_keeps_undated():
    titles = ["X (Paper, 2007)", "Y (Blog)", "Z (Paper, 2008)"] + ["W (Blog)"] * 4
    years = [2007, None, 2008, 2016, 2017, 2026, 2019]
    assert sources_with_years(titles, years) == ["Paper (2007, 2008)", "Blog (2016–2026, undated)"]
    assert sources_with_years(["Y (Blog)"] * 3, [2019, 2016, 2019]) == ["Blog (2016, 2019)"]


def test_years_text_spans_more_than_three_years():
    assert years_text([2007], False) == "2007"
    assert years_text([2007, 2008, 2010], False) == "2007, 2008, 2010"
    assert years_text([2007, 2008, 2010, 2012], False) == "2007–2012"
    assert years_text([], True) == "undated"
    assert years_text([2019], True) == "2019, undated"


@pytest.mark.parametrize("blank", [None, math.nan, pd.NA, pd.NaT])
def test_year_text_says_undated_for_every_kind_of_blank(blank: object) -> None:
    assert year_text(blank) == "undated"


def test_year_text_and_year_texts_write_whole_years():
    assert year_text(2007) == "2007"
    assert year_text(2007.0) == "2007"
    years = pd.Series([2007, None, 2010], dtype="Int64")
    assert year_texts(years).tolist() == ["2007", "undated", "2010"]


def test_year_range_text_reads_both_ends_or_one():
    assert year_range_text(2007, 2010) == "2007–2010"
    assert year_range_text(2007, 2007) == "2007"
    assert year_range_text(2007.0, 2007.0) == "2007"  # a summary's min and max come as floats
    assert year_range_text(2007, None) == "from 2007"
    assert year_range_text(None, 2010) == "up to 2010"
    assert year_range_text(math.nan, math.nan) == ""


def test_ordinal():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
        "111th",
        "112th",
    ]


def test_rank_text_marks_shared_ranks_and_unranked():
    assert rank_text(3, 12) == "3rd of 12"
    assert rank_text(2, 12, tied=True) == "=2nd of 12"
    assert rank_text(2.0, 5) == "2nd of 5"
    assert rank_text(math.nan, 12) == "not ranked"
    assert rank_text(None, 12, tied=True) == "not ranked"


def test_rank_texts_as_a_table_shows_them():
    assert rank_texts([1, 2, 2, 4], [False, True, True, False]) == ["1", "=2", "=2", "4"]


def test_with_article_reads_right_for_every_measure():
    assert with_article("employees figure") == "an employees figure"
    assert with_article("firms figure") == "a firms figure"
    assert with_article("employees per firm figure") == "an employees per firm figure"
    assert with_article("Employees figure") == "an Employees figure"


def test_provenance_words_in_german():
    from mstatlas.i18n import language

    with language("de"):
        assert year_text(None) == "ohne Jahr"
        assert years_text([2019], True) == "2019, ohne Jahr"
        assert rank_text(2, 1200, tied=True) == "=2 von 1.200"
        assert rank_text(None, 5) == "ohne Rang"
        assert year_range_text(None, 2010) == "bis 2010"
        assert short_source(None) == "Quelle nicht angegeben"
    assert rank_text(2, 1200, tied=True) == "=2nd of 1,200"
