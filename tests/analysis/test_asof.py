"""The dataset 'as of' a year: latest figures up to that year per series, undated counted."""

from __future__ import annotations

import pandas as pd
import pytest

from mstatlas import load_clusters
from mstatlas.analysis.asof import as_of
from mstatlas.analysis.ranking import headline_figures
from mstatlas.data.schema import coerce_clusters


def table(rows, index=None):
    base = {"lat": 50.0, "lon": 8.0, "counts_what": "cluster_firms"}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["cluster_name"] = df["cluster_id"].str.title()
    out = coerce_clusters(df)
    if index is not None:
        out.index = index
    return out


@pytest.fixture
def figures():
    return table(
        [
            {"cluster_id": "a", "firms": 10, "employees": 100, "year": 2005},  # 0
            {"cluster_id": "a", "firms": 12, "year": 2008},  # 1
            {"cluster_id": "a", "firms": 13, "firms_qualifier": "about", "year": 2008},  # 2
            {"cluster_id": "a", "firms": 20, "employees": 300, "year": 2012},  # 3
            {"cluster_id": "a", "firms": 99},  # 4 undated
            {"cluster_id": "a", "employees": 5000, "year": 2001, "counts_what": "regional_sector"},
            {"cluster_id": "a", "firms": 3, "year": 2007, "scope": "tenants"},  # 6
            {"cluster_id": "b", "firms": 7, "year": 2015},  # 7: after the year
            {"cluster_id": "b"},  # 8: undated, no figure at all
        ],
        index=[10, 11, 12, 13, 14, 15, 16, 17, 18],
    )


def test_latest_figures_up_to_the_year_per_series(figures):
    view = as_of(figures, 2010)
    # cluster firms, usual perimeter: firms latest in 2008 (both rows of that year kept),
    # employees latest in 2005 (row 10, also kept for employees per firm);
    # regional sector 2001 and the 'tenants' scope 2007 are their own series.
    assert list(view.rows.index) == [10, 11, 12, 15, 16]
    assert view.year == 2010


def test_headline_rule_still_chooses_within_the_kept_year(figures):
    rows = as_of(figures, 2010).rows
    firms = headline_figures(rows, by="firms").set_index("cluster_id")
    assert firms.loc["a", "value"] == 12 and firms.loc["a", "row"] == 11  # exact over ≈ 13
    emp = headline_figures(rows, by="employees").set_index("cluster_id")
    assert emp.loc["a", "value"] == 100 and emp.loc["a", "year"] == 2005


def test_the_year_itself_is_included_and_later_years_take_over(figures):
    assert 13 in as_of(figures, 2012).rows.index
    assert list(as_of(figures, 2012).rows.index) == [13, 15, 16]
    assert 17 in as_of(figures, 2015).rows.index and 17 not in as_of(figures, 2014).rows.index


def test_undated_figures_are_left_out_and_counted(figures):
    view = as_of(figures, 2030)
    assert 14 not in view.rows.index and 18 not in view.rows.index
    assert view.undated == 1  # row 14; row 18 gives no figure, so it is not a figure left out


def test_before_any_figure_nothing_is_shown(figures):
    view = as_of(figures, 2000)
    assert view.rows.empty and view.undated == 1


def test_keeps_type_columns_and_index():
    clusters = load_clusters()
    view = as_of(clusters, 2008)
    assert type(view.rows) is type(clusters)
    assert list(view.rows.columns) == list(clusters.columns)
    assert view.rows.index.isin(clusters.index).all()
    assert (view.rows["year"] <= 2008).all()
    assert view.undated == int(
        (
            clusters["year"].isna() & (clusters["firms"].notna() | clusters["employees"].notna())
        ).sum()
    )


@pytest.mark.parametrize("bad", ["2010", 2010.5, None, True])
def test_year_must_be_a_whole_number(figures, bad):
    with pytest.raises(ValueError, match="whole number such as 2010"):
        as_of(figures, bad)


def test_a_table_without_scope_column(figures):
    rows = as_of(figures.drop(columns=["scope"]), 2010).rows
    # without scopes, row 16 (2007 'tenants') joins the cluster-firms series, where 2008 is later
    assert list(rows.index) == [10, 11, 12, 15]
