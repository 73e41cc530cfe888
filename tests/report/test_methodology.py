"""methodology.md: filters in words, sources, rules and thresholds, names escaped."""

from __future__ import annotations

import pandas as pd

from mstatlas.analysis.filters import Filters
from mstatlas.analysis.rating import RatingThresholds
from mstatlas.i18n import language
from mstatlas.report.methodology import filters_in_words, md_escape, methodology_md, sources_table
from mstatlas.report.view import ReportView


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster_id": ["a", "a", "b"],
            "cluster_name": ["A", "A", "B"],
            "counts_what": ["cluster_firms", "cluster_firms", "network_members"],
            "year": [2007, None, 2010],
            "source_title": [
                "[evil](javascript:alert(1))",
                "[evil](javascript:alert(1))",
                "Kammer",
            ],
            "source_url": ["javascript:alert(1)", None, "https://example.org/k"],
        }
    )


def test_no_filter_reads_as_none():
    assert filters_in_words(Filters()) == []


def test_every_filter_in_words():
    f = Filters(
        countries=("DE", "NL"), year_min=2000, year_max=2010, include_undated=False,
        counts_what=("cluster_firms",), min_firms=5, min_employees=1000,
    )  # fmt: skip
    assert filters_in_words(f) == [
        "Countries: Germany and Netherlands",
        "Figures from 2000 to 2010",
        "Undated figures left out",
        "Kinds of figures: cluster firms",
        "At least 5 firms",
        "At least 1,000 employees",
    ]
    assert filters_in_words(Filters(year_max=2010)) == ["Figures up to 2010"]


def test_sources_table_counts_figures_and_years_and_links_only_web_addresses():
    lines = sources_table(_rows())
    assert lines[2].startswith("| \\[evil\\]\\(javascript\\:alert\\(1\\)\\) | 2007, undated | 2 |")
    assert "javascript:alert(1) |" not in lines[2]  # not a link
    assert lines[3] == "| Kammer | 2010 | 1 | <https://example.org/k> |"


def test_thresholds_and_the_view_are_written_out():
    view = ReportView(
        dataset="**Mine**", rating=RatingThresholds(size_pct=90, momentum_cagr=0.05), top=5
    )
    text = methodology_md(_rows(), view, ["README.md"])
    assert "Dataset: \\*\\*Mine\\*\\*" in text
    assert "Size: employees at or above percentile 90" in text
    assert "Momentum: compound annual growth above 5%" in text
    assert "Ranking: top 5 by employees, like with like." in text
    assert "3 figures of 2 clusters are in view." in text
    assert "- `README.md`" in text
    assert "## Confidentiality" not in text


def test_md_escape_keeps_blanks_blank():
    assert md_escape(None) == "" and md_escape(float("nan")) == ""
    assert md_escape("a\nb") == "a b"


def test_german_filters():
    with language("de"):
        words = filters_in_words(Filters(year_min=2000, year_max=2010, min_employees=2100))
    assert words[0] == "Zahlen von 2000 bis 2010"
    assert words[1] == "Mindestens 2.100 Beschäftigte"
