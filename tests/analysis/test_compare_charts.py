"""The Compare page's table, bar charts and growth lines (pure, no Streamlit)."""

from __future__ import annotations

import pytest
from cluster_tables import cluster_table as clusters

from mstatlas.analysis.compare import compare_clusters
from mstatlas.analysis.compare_charts import (
    NOT_REPORTED,
    compare_chart,
    growth_chart,
    growth_line,
    pairs_compared,
    wide_table,
    with_missing,
)
from mstatlas.analysis.growth import growth_series, growth_table
from mstatlas.data.schema import COUNTS_WHAT_COLOURS


@pytest.fixture
def small():
    return clusters(
        [
            {"cluster_id": "a", "firms": 10, "employees": 200, "year": 2010,
             "source_title": "Paper A", "source_url": "https://a.example/x"},
            {"cluster_id": "b", "firms": 40, "firms_qualifier": "more_than",
             "source_title": "Paper B"},
            {"cluster_id": "c", "employees": 900, "year": 2020, "counts_what": "regional_sector",
             "scope": "whole region", "source_title": "Paper C"},
        ]
    )  # fmt: skip


def specs(chart) -> list[dict]:
    """The rows a chart carries (Altair puts them in one named dataset)."""
    data = chart.to_dict()["datasets"]
    assert len(data) == 1
    return next(iter(data.values()))


def test_with_missing_adds_blank_rows_in_the_picked_order(small):
    table = compare_clusters(small, ["a", "b"], measures=("firms", "employees"))
    out = with_missing(table, ["a", "z", "b"], {"z": "Zed"}, ("firms", "employees"))
    assert list(zip(out["cluster_id"], out["measure"])) == [
        ("a", "firms"), ("a", "employees"),
        ("z", "firms"), ("z", "employees"),
        ("b", "firms"), ("b", "employees"),
    ]  # fmt: skip
    z = out[out["cluster_id"] == "z"]
    assert list(z["cluster_name"]) == ["Zed", "Zed"]
    assert z["value"].isna().all() and list(z["display"]) == ["", ""]
    assert list(z["n_figures"]) == [0, 0]
    assert out.dtypes.equals(table.dtypes)


def test_with_missing_leaves_a_full_table_alone(small):
    table = compare_clusters(small, ["a", "b"])
    assert with_missing(table, ["a", "b"], {}) is table


def test_wide_table_keeps_qualifiers_years_kinds_and_blanks(small):
    table = compare_clusters(small, ["a", "b", "c"], measures=("firms", "employees"))
    wide = wide_table(table, ("firms", "employees")).set_index("Cluster")
    assert wide.loc["B", "Firms"] == "> 40"
    assert wide.loc["B", "Firms year"] == "undated"
    assert wide.loc["A", "Firms year"] == "2010"
    assert wide.loc["A", "Firms link"] == "https://a.example/x"
    assert wide.loc["B", "Firms link"] is None  # no address given
    assert wide.loc["C", "Employees counts"] == "Regional sector"
    assert wide.loc["C", "Employees scope"] == "whole region"
    # c has no firms figure: every cell of it stays empty
    assert list(wide.loc["C", ["Firms", "Firms year", "Firms counts", "Firms source"]]) == [""] * 4
    assert wide.loc["C", "Firms link"] is None
    assert "Firms scope" not in wide.columns  # no firms figure has a scope
    assert list(wide.columns[:6]) == [
        "Firms", "Firms year", "Firms counts", "Firms source", "Firms link", "Employees",
    ]  # fmt: skip


def test_pairs_compared_counts_pairs_with_both_figures_per_measure(small):
    table = compare_clusters(small, ["a", "b", "c"], measures=("firms", "employees"))
    # firms: a and b have one -> 1 pair; employees: a and c -> 1 pair
    assert pairs_compared(table) == {"firms": 1, "employees": 1}
    many = clusters([{"cluster_id": x, "firms": 5, "year": 2010} for x in "pqrs"])
    many_table = compare_clusters(many, list("pqrs"), measures=("firms", "employees"))
    assert pairs_compared(many_table) == {"firms": 6, "employees": 0}  # 4 * 3 / 2 pairs


def test_compare_chart_labels_bars_and_names_clusters_without_a_figure(small):
    table = compare_clusters(small, ["a", "b", "c"], measures=("firms",))
    rows = specs(compare_chart(table, "firms"))
    assert [r["cluster_name"] for r in rows] == ["A", "B", "C"]
    assert [r["figure"] for r in rows] == ["10 (2010)", "> 40 (undated)", NOT_REPORTED]
    assert rows[2]["value"] is None
    spec = compare_chart(table, "firms").to_dict()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": ["Cluster firms"], "range": [COUNTS_WHAT_COLOURS["cluster_firms"]]}


def test_compare_chart_colours_each_kind_with_its_map_colour(small):
    table = compare_clusters(small, ["a", "c"], measures=("employees",))
    scale = compare_chart(table, "employees").to_dict()["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == {
        "Cluster firms": COUNTS_WHAT_COLOURS["cluster_firms"],
        "Regional sector": COUNTS_WHAT_COLOURS["regional_sector"],
    }


@pytest.fixture
def grown():
    return clusters(
        [
            {"cluster_id": "g", "employees": 100, "year": 2010, "source_title": "S1"},
            {"cluster_id": "g", "employees": 121, "year": 2012, "source_title": "S1"},
            {"cluster_id": "g", "employees": 500, "employees_qualifier": "about", "year": 2011,
             "counts_what": "regional_sector", "source_title": "S2"},
            {"cluster_id": "g", "employees": 640, "year": 2013,
             "counts_what": "regional_sector", "source_title": "S3"},
            {"cluster_id": "g", "employees": 30, "year": 2012, "scope": "park tenants",
             "source_title": "S1"},
        ]
    )  # fmt: skip


def test_growth_line_says_change_and_compound_growth(grown):
    row = growth_table(grown).iloc[0]
    # 100 -> 121 over 2 years: (121 / 100) ** (1 / 2) - 1 = 0.10
    assert growth_line(row, "employees") == (
        "Cluster firms, employees: 100 (2010) → 121 (2012): +21 in 2 years, +10.0 % a year"
    )


def test_growth_line_carries_the_caveats(grown):
    table = growth_table(grown)
    row = table[table["counts_what"] == "regional_sector"].iloc[0]
    # ≈ 500 -> 640 over 2 years: sqrt(1.28) - 1 = 0.1314
    line = growth_line(row, "employees")
    assert line.startswith(
        "Regional sector, employees: ≈ 500 (2011) → 640 (2013): +140 in 2 years, +13.1 % a year — "
    )
    assert "different sources" in line and "start is approximate (≈)" in line


def test_growth_line_for_a_fall_and_for_a_zero_start():
    row = {"counts_what": "network_members", "scope": "members", "start_display": "50",
           "start_year": 2000, "end_display": "40", "end_year": 2001, "years": 1,
           "change": -10.0, "cagr": -0.2, "caveats": ""}  # fmt: skip
    assert growth_line(row, "firms") == (
        "Network members (members), firms: 50 (2000) → 40 (2001): −10 in 1 year, −20.0 % a year"
    )
    zero = {**row, "start_display": "0", "change": 40.0, "cagr": float("nan")}
    assert growth_line(zero, "firms").endswith(
        "+40 in 1 year, no compound annual growth (a figure is 0)"
    )


def test_growth_chart_draws_one_line_per_kind_and_scope(grown):
    chart = growth_chart(growth_series(grown, "g"), "employees")
    rows = specs(chart)
    assert {r["series"] for r in rows} == {
        "Cluster firms", "Cluster firms (park tenants)", "Regional sector",
    }  # fmt: skip
    enc = chart.to_dict()["layer"][0]["encoding"]
    assert enc["detail"]["field"] == "series"  # lines never join two series
    colours = dict(zip(enc["color"]["scale"]["domain"], enc["color"]["scale"]["range"]))
    assert colours["Regional sector"] == COUNTS_WHAT_COLOURS["regional_sector"]
    assert colours["Cluster firms (park tenants)"] == COUNTS_WHAT_COLOURS["cluster_firms"]
    dashes = dict(zip(enc["strokeDash"]["scale"]["domain"], enc["strokeDash"]["scale"]["range"]))
    assert dashes["Cluster firms"] == [1, 0] and dashes["Cluster firms (park tenants)"] != [1, 0]


def test_charts_draw_names_and_sources_without_bidi_controls():
    # U+202E would draw "Cluster\u202egnp.exe" as "Clusterexe.png"
    spoofed = clusters(
        [
            {"cluster_id": "a", "cluster_name": "Cluster\u202egnp.exe", "firms": 10,
             "year": 2010, "source_title": "Paper \u2067A\u2069"},
            {"cluster_id": "a", "cluster_name": "Cluster\u202egnp.exe", "firms": 20,
             "year": 2012, "source_title": "Paper \u200fB", "scope": "park\u202b tenants"},
            {"cluster_id": "b", "firms": 40, "source_title": "Paper C"},
        ]
    )  # fmt: skip
    bars = compare_chart(compare_clusters(spoofed, ["a", "b"], measures=("firms",)), "firms")
    lines = growth_chart(growth_series(spoofed, "a", by="firms"), "firms")
    for chart in (bars, lines):
        text = chart.to_json()
        assert not any(c in text for c in "\u202a\u202b\u202e\u2066\u2067\u2069\u200e\u200f")
        assert "\\u202" not in text.lower() and "\\u206" not in text.lower()
    assert "Clustergnp.exe" in [r["cluster_name"] for r in specs(bars)]
    assert {r["source_title"] for r in specs(lines)} == {"Paper A", "Paper B"}


def test_growth_line_and_chart_in_german():
    from mstatlas.i18n import language

    row = {"counts_what": "network_members", "scope": "members", "start_display": "1.500",
           "start_year": 2000, "end_display": "1.200", "end_year": 2001, "years": 1,
           "change": -300.0, "cagr": -0.2, "caveats": ""}  # fmt: skip
    with language("de"):
        line = growth_line(row, "firms")
        chart = growth_chart(
            growth_series(
                clusters(
                    [
                        {"cluster_id": "g", "employees": 1000, "year": 2010},
                        {"cluster_id": "g", "employees": 2500, "year": 2012},
                    ]
                ),
                "g",
            ),
            "employees",
        ).to_dict()
    # 1,500 -> 1,200: −300 in one year, −20 %
    assert line.endswith(": 1.500 (2000) → 1.200 (2001): −300 in 1 Jahr, −20,0 % pro Jahr")
    assert chart["config"]["locale"]["number"]["decimal"] == ","
    tooltips = [t["title"] for t in chart["layer"][1]["encoding"]["tooltip"]]
    assert tooltips[:2] == ["Zeitreihe", "Jahr"]
