from __future__ import annotations

import pandas as pd
from upload_context import before, table

from mstatlas.io.stages.tabulate_clusters import tabulate_clusters


def test_the_rows_still_in_in_canonical_columns():
    ctx = before(
        "tabulate_clusters",
        table(
            "name,city,lat,lon,firms,employees,source,cluster_id\n"
            "Alpha,Jena,50.9,11.6,39,2100,Report,alpha\n"
            "Beta,Jena,50.9,11.6,x,1,,\n"
            "Gamma,Jena,50.9,11.6,,ca. 700,,"
        ),
    )
    tabulate_clusters(ctx)
    t = ctx.table
    assert t["cluster_name"].tolist() == ["Alpha", "Gamma"]  # Beta: 'x' firms, refused
    assert t["firms"].tolist()[0] == 39 and pd.isna(t["firms"].iloc[1])
    assert t["employees"].tolist() == [2100, 700]
    assert t["employees_qualifier"].tolist()[1] == "about"
    assert t["source_title"].tolist() == ["Report", "Uploaded file t.csv"]
    assert t["counts_what"].tolist() == ["unspecified", "unspecified"]
    assert t["_given_id"].tolist()[0] == "alpha"
    assert t["ivam_benchmark_2007"].tolist() == [False, False]
    assert ctx.keep_idx.tolist() == [0, 2]


def test_a_firm_list_is_left_alone():
    ctx = before("tabulate_clusters", table("Firma,Ort\nA,Jena"))
    aggregated = ctx.table  # made by aggregate_firms
    tabulate_clusters(ctx)
    assert ctx.table is aggregated
