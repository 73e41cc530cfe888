"""The embedded default dataset loads with the documented schema and sourced values."""

from __future__ import annotations

import pandas as pd
import pytest

from mstatlas import load_clusters
from mstatlas.data.loading import default_dataset_path
from mstatlas.data.schema import COLUMNS, COUNTS_WHAT, coerce_clusters


@pytest.fixture(scope="module")
def clusters():
    return load_clusters()


def test_schema_columns_and_crs(clusters):
    assert list(clusters.columns) == [*COLUMNS, "geometry"]
    assert clusters.crs.to_epsg() == 4326
    assert len(clusters) == 138  # 72 sourced figures + 66 from extra_figures.csv
    assert clusters["cluster_id"].nunique() == 26


def test_dtypes(clusters):
    for col in ("firms", "employees", "year"):
        assert str(clusters[col].dtype) == "Int64", col
    assert clusters["lat"].dtype == "float64"
    assert clusters["ivam_benchmark_2007"].dtype == bool
    assert set(clusters["counts_what"]) <= set(COUNTS_WHAT)


def test_geometry_matches_lat_lon(clusters):
    assert (clusters.geometry.x.round(4) == clusters["lon"]).all()
    assert (clusters.geometry.y.round(4) == clusters["lat"]).all()


def test_dortmund_headline_row_is_sourced(clusters):
    dortmund = clusters[clusters["cluster_id"] == "dortmund"]
    assert len(dortmund) == 12  # every reported Dortmund figure is its own row
    row = dortmund[(dortmund["year"] == 2007) & (dortmund["firms"] == 39)]
    assert len(row) == 1
    r = row.iloc[0]
    assert r["employees"] == 2100
    assert r["counts_what"] == "cluster_firms"
    assert r["source_url"].startswith("https://www.muensterlandzeitung.de/")
    assert bool(r["ivam_benchmark_2007"]) is True


def test_blanks_stay_blank(clusters):
    chemnitz = clusters[clusters["cluster_id"] == "chemnitz"].iloc[0]
    assert pd.isna(chemnitz["firms"]) and pd.isna(chemnitz["employees"])
    undated = clusters[(clusters["cluster_id"] == "dortmund") & clusters["year"].isna()]
    assert len(undated) == 3


def test_every_figure_has_a_source(clusters):
    with_figure = clusters[clusters["firms"].notna() | clusters["employees"].notna()]
    assert with_figure["source_url"].notna().all()
    assert with_figure["source_title"].notna().all()


def test_default_dataset_is_inside_the_project():
    p = default_dataset_path()
    assert p.name == "clusters.csv" and p.parent.name == "data"
    assert "shared" not in p.parts


def test_coerce_rejects_unknown_kind_with_message():
    df = pd.DataFrame(
        {
            "cluster_id": ["a"],
            "cluster_name": ["A"],
            "lat": [50.0],
            "lon": [8.0],
            "counts_what": ["guess"],
        }
    )
    with pytest.raises(
        ValueError, match=r"Unknown 'counts_what' value\(s\) 'guess'; allowed: cluster_firms"
    ):
        coerce_clusters(df)


def test_coerce_rejects_text_in_numbers():
    df = pd.DataFrame(
        {"cluster_id": ["a"], "cluster_name": ["A"], "lat": [50.0], "lon": [8.0], "firms": ["many"]}
    )
    with pytest.raises(ValueError, match="Column 'firms' has non-numeric values, e.g. 'many'"):
        coerce_clusters(df)
