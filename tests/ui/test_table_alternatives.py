"""AppTest: every map and chart has a table of the same figures right under it.

Dortmund's map figure, worked out by hand from data/clusters.csv: its employee figures
of the whole cluster (cluster firms, no narrower scope) are 2,100 (2007), about 1,700
(2007), about 2,100 (2008, two Halterner Zeitung articles) and more than 2,300 (undated);
the headline is the latest dated one, "≈ 2,100" of 2008 from the Halterner Zeitung.
"""

from __future__ import annotations

import pandas as pd
import pytest
from ui.app_helpers import PAGES
from ui.test_firm_clusters_page import uploaded

MAP_TABLE = "Table of this map"
CHART_TABLE = "Table of this chart"


def tables_under(at, label: str) -> list[pd.DataFrame]:
    """The tables inside every expander called ``label``."""
    found = [e for e in at.expander if e.label == label]
    assert found, f"no expander {label!r}"
    # a plain table (st.table), not a data grid: screen readers read its cells
    assert not [df for e in found for df in e.dataframe]
    return [t.value for e in found for t in e.table]


def row_of(table: pd.DataFrame, cluster: str) -> pd.Series:
    hits = table[table["Cluster"] == cluster]
    assert len(hits) == 1, f"{cluster} not once in {list(table['Cluster'])}"
    return hits.iloc[0]


def test_the_map_has_a_table_with_figure_year_kind_and_source(app):
    at = app.run()
    assert not at.exception
    (table,) = tables_under(at, MAP_TABLE)
    assert list(table.columns) == [
        "Cluster", "Country", "City", "Figure", "Year", "What it counts", "Source",
    ]  # fmt: skip
    dortmund = row_of(table, "Dortmund MST cluster")
    assert (dortmund["Figure"], dortmund["Year"]) == ("≈ 2,100", "2008")
    assert dortmund["What it counts"] == "Cluster firms"
    assert "Halterner Zeitung" in dortmund["Source"]
    assert not table.isin(["None", "nan", "<NA>"]).any().any()  # blanks stay blank


def test_the_ranking_chart_has_its_table(app):
    at = app.run()
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert not at.exception
    (table,) = tables_under(at, CHART_TABLE)
    dortmund = row_of(table, "Dortmund MST cluster")
    assert (dortmund["Figure"], dortmund["Year"]) == ("≈ 2,100", "2008")
    assert "Rank" in table.columns and "Source" in table.columns


def test_compare_charts_and_growth_charts_have_their_tables(app):
    app.query_params["cmp"] = "dortmund,twente"
    at = app.run()
    at.switch_page(f"{PAGES}/compare.py").run()
    assert not at.exception
    tables = tables_under(at, CHART_TABLE)
    # one per measure side by side (employees, firms, employees per firm) and growth charts
    measures = {m for t in tables if "Measure" in t.columns for m in t["Measure"]}
    assert {"Employees", "Firms"} <= measures
    growth = [t for t in tables if "Series" in t.columns]
    assert growth, "no table under a growth chart"
    years = set(pd.concat(growth)["Year"])
    assert {"2007", "2008"} <= years  # Dortmund's employee figures of 2007 and 2008


def test_the_country_map_has_its_table(app):
    at = app.run()
    at.switch_page(f"{PAGES}/countries.py").run()
    assert not at.exception
    (table,) = tables_under(at, MAP_TABLE)
    assert "Germany" in set(table["Country"])
    assert {"Figure", "What it counts", "Sources"} <= set(table.columns)


def test_the_profile_s_growth_chart_has_its_table(app):
    app.query_params["sel"] = "dortmund"
    at = app.run()
    assert not at.exception
    (table,) = tables_under(at, CHART_TABLE)
    assert set(table["Cluster"]) == {"Dortmund MST cluster"}
    assert {"2007", "2008"} <= set(table["Year"])
    assert all(table["Source"] != "")


@pytest.mark.usefixtures("own_database")
def test_the_firm_cluster_map_has_its_table(app):
    at = uploaded(app.run())
    (table,) = tables_under(at, MAP_TABLE)
    # the list's eight Dortmund and six Munich firms (tests/ui/test_firm_clusters_page.py)
    assert list(table["Cluster"]) == ["Dortmund", "München"]
    assert list(table["Firms"]) == [8, 6]


def test_the_table_speaks_german(app):
    app.query_params["lang"] = "de"
    at = app.run()
    assert not at.exception
    (table,) = tables_under(at, "Tabelle zu dieser Karte")
    dortmund = table[table["Cluster"] == "Dortmund MST cluster"].iloc[0]
    assert (dortmund["Zahl"], dortmund["Jahr"]) == ("≈ 2.100", "2008")
