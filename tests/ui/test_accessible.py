"""ui.accessible.figure_table: the figures of a map or chart as a readable table."""

from __future__ import annotations

import pandas as pd

from mstatlas.i18n import language
from mstatlas.ui.accessible import PAGE_CSS, figure_table


def figures() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster_id": ["a", "b", "c"],
            "cluster_name": ["Alpha", "Beta\u202e", "Gamma"],
            "country_iso2": ["DE", "NL", None],
            "measure": ["employees", "firms", pd.NA],
            "value": [2100.0, 40.0, float("nan")],
            "display": ["≈ 2,100", "40", ""],
            "year": pd.array([2008, pd.NA, 2010], dtype="Int64"),
            "counts_what": ["cluster_firms", "regional_sector", pd.NA],
            "scope": [None, "park", None],
            "source_title": ["Zeitung", "Blog", "Report"],
            "lat": [51.5, 52.2, 50.0],
        }
    )


def test_figures_with_year_kind_and_source_and_blanks_blank():
    table = figure_table(figures())
    assert list(table.columns) == [
        "Cluster", "Country", "Measure", "Figure", "Year", "What it counts", "Scope", "Source",
    ]  # fmt: skip
    assert table.iloc[0].tolist() == [
        "Alpha", "DE", "Employees", "≈ 2,100", "2008", "Cluster firms", "", "Zeitung",
    ]  # fmt: skip
    # no year: "undated"; the name loses its bidirectional control
    assert table.iloc[1].tolist() == [
        "Beta", "NL", "Firms", "40", "undated", "Regional sector", "park", "Blog",
    ]  # fmt: skip
    # no figure (a hollow symbol): only its names, nothing dated or sourced
    assert table.iloc[2].tolist() == ["Gamma", "", "", "", "", "", "", ""]
    assert "lat" not in table.columns


def test_values_without_display_are_written_per_language():
    frame = pd.DataFrame({"cluster_name": ["A", "B"], "value": [12500.0, 2100.0]})
    assert figure_table(frame)["Figure"].tolist() == ["12,500", "2,100"]
    with language("de"):
        table = figure_table(frame)
    assert table.iloc[:, 1].tolist() == ["12.500", "2.100"]
    assert list(table.columns) == ["Cluster", "Zahl"]


def test_country_sums_give_their_range_of_years():
    frame = pd.DataFrame(
        {
            "country": ["Germany", "Netherlands"],
            "country_iso2": ["DE", "NL"],
            "n_clusters": [11, 2],
            "display": ["≈ 4,400", "≈ 6,300"],
            "year_min": [2008, float("nan")],
            "year_max": [2016, float("nan")],
            "n_undated": [0, 2],
            "sources": ["A; B", "C"],
        }
    )
    table = figure_table(frame)
    assert table["Country"].tolist() == ["Germany", "Netherlands"]
    assert table["Years"].tolist() == ["2008–2016", "undated"]
    assert table["Clusters"].tolist() == ["11", "2"]


def test_the_limit_keeps_the_first_rows():
    frame = pd.DataFrame({"cluster_name": list("abcdef"), "value": range(6)})
    assert figure_table(frame, limit=2)["Cluster"].tolist() == ["a", "b"]


def test_page_css_is_style_only_and_hides_the_sidebar_in_print():
    assert PAGE_CSS.startswith("<style>") and PAGE_CSS.endswith("</style>")
    print_block = PAGE_CSS[PAGE_CSS.index("@media print") :]
    assert '[data-testid="stSidebar"]' in print_block and "display:none" in print_block
