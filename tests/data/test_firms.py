from __future__ import annotations

import pandas as pd

from mstatlas.data.firms import _aggregate_duckdb, _aggregate_pandas, aggregate_firms, slugify
from mstatlas.data.readers import read_upload

FIRMS = (
    "Firma;Ort;Land;Mitarbeiter;Technologie\n"
    "Alpha GmbH;Dortmund;DE;100;MEMS\n"
    "Beta AG;Dortmund;DE;;MEMS\n"
    "Gamma KG;Dortmund;Deutschland;50;microfluidics\n"
    "Delta;München;DE;10;MEMS\n"
    "Epsilon;München;DE;20;\n"
    "Alpha GmbH;Dortmund;DE;100;MEMS\n"
)


def test_firm_list_detected_and_aggregated_per_city():
    r = read_upload(FIRMS.encode("cp1252"), filename="firms.csv")
    assert r.kind == "firms"
    c = r.clusters.set_index("city")
    assert c.loc["Dortmund", "firms"] == 3
    assert c.loc["Dortmund", "employees"] == 150
    assert c.loc["Dortmund", "employees_qualifier"] == "at_least"
    assert "employees known for 2 of 3 firms" in c.loc["Dortmund", "note"]
    assert "technology mix: MEMS 2, microfluidics 1" in c.loc["Dortmund", "note"]
    assert c.loc["München", "firms"] == 2 and c.loc["München", "employees"] == 30
    assert pd.isna(c.loc["München", "employees_qualifier"])
    assert set(r.clusters["counts_what"]) == {"cluster_firms"}
    assert set(r.clusters["source_title"]) == {"Uploaded file firms.csv"}
    # the repeated Alpha GmbH row is a rejected duplicate, not a fourth firm
    assert r.report.n_rows == 6 and r.report.n_rejected == 1
    assert "duplicate of row 2" in r.report.problems[0].reason
    assert "grouped by city" in r.aggregation
    assert len(r.firms) == 5
    # geocoded once per distinct (city, country)
    assert set(r.geocoding["status"]) == {"ok"} and len(r.geocoding) == 5


def test_cluster_column_groups_firms():
    text = "Company,Cluster,City,Employees\nA,Ruhr MST,Dortmund,5\nB,Ruhr MST,Bochum,7\nC,Bavaria,München,1\n"
    r = read_upload(text.encode(), filename="f.csv")
    assert r.kind == "firms"
    c = r.clusters.set_index("cluster_name")
    assert c.loc["Ruhr MST", "firms"] == 2 and c.loc["Ruhr MST", "employees"] == 12
    assert c.loc["Ruhr MST", "cluster_id"] == "ruhr-mst"


def test_duckdb_and_pandas_paths_agree():
    df = pd.DataFrame(
        {
            "row": range(2, 8),
            "name": list("abcdef"),
            "city": ["X", "X", "Y", "Y", "Y", "Z"],
            "country_iso2": ["DE"] * 6,
            "lat": [1.0, 3.0, 2.0, 2.0, 2.0, 5.0],
            "lon": [1.0, 1.0, 2.0, 2.0, 2.0, 5.0],
            "employees": [1, None, 2, 3, 4, None],
            "technology": ["MEMS", "MEMS", None, "optics", "MEMS", None],
            "year": [2007, 2008, None, None, 2001, None],
        }
    )
    for col in ("cluster", "region", "source_title", "source_url"):
        df[col] = None
    df["_key"] = df["city"].str.casefold() + "|" + df["country_iso2"]
    a = _aggregate_pandas(df.copy(), "city").sort_values("city").reset_index(drop=True)
    b = _aggregate_duckdb(df.copy(), "city").sort_values("city").reset_index(drop=True)
    for col in ("firms", "employees", "lat", "lon", "year", "note", "employees_qualifier"):
        assert a[col].astype(str).tolist() == b[col].astype(str).tolist(), col
    assert a["firms"].tolist() == [2, 3, 1]
    assert a["lat"].tolist() == [2.0, 2.0, 5.0]
    out, text = aggregate_firms(df.drop(columns="_key"), by="city")
    assert "6 firms were grouped by city" in text and len(out) == 3


def test_slugify():
    assert slugify("Łódź – Mikro") == "lodz-mikro"
    assert slugify("Straße") == "strasse"
    assert slugify("!!!") == "cluster"


def test_duplicate_slugs_are_numbered():
    text = "name,city,lat,lon,year\nMST,Dortmund,51.5,7.4\nMST,Bonn,50.7,7.1\nMST,Dortmund,51.5,7.4,2008\n"
    r = read_upload(text.encode(), filename="x.csv", kind="clusters")
    assert r.clusters["cluster_id"].tolist() == ["mst", "mst-2", "mst"]
