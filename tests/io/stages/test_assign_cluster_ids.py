from __future__ import annotations

import pandas as pd
from upload_context import before, table

from mstatlas.io.stages.assign_cluster_ids import (
    assign_cluster_ids,
    cluster_ids,
    number_repeats,
    slug_names,
)


def _ids(rows):
    return cluster_ids(pd.DataFrame(rows, columns=["cluster_name", "city", "_given_id"])).tolist()


def test_one_id_per_name_and_city_up_to_case():
    assert _ids(
        [
            ("MST Alpha", "Jena", None),
            ("mst alpha", "JENA", None),  # the same cluster
            ("MST Alpha", "Halle", None),  # another cluster with the same slug
            ("Beta", None, None),
            ("Beta", "", None),  # a missing city and an empty one are the same
        ]
    ) == ["mst-alpha", "mst-alpha", "mst-alpha-2", "beta", "beta"]


def test_a_valid_id_of_the_file_is_used_and_an_invalid_one_is_not():
    assert _ids(
        [("Alpha", "Jena", "a_1"), ("Alpha", "Halle", "a_1"), ("Beta", "Jena", "Bad Id")]
    ) == ["a_1", "a_1", "beta"]


def test_slugs_of_ascii_and_other_names():
    assert slug_names(["MST Alpha!", "Ünïcode Clüster", "---"]) == [
        "mst-alpha",
        "unicode-cluster",
        "cluster",
    ]


def test_number_repeats():
    assert number_repeats(["a", "b"]) == ["a", "b"]
    assert number_repeats(["a", "a", "a"]) == ["a", "a-2", "a-3"]


def test_the_stage_makes_the_canonical_cluster_table():
    ctx = before("assign_cluster_ids", table("name,city,lat,lon,firms\nAlpha,Jena,50.9,11.6,3"))
    assign_cluster_ids(ctx)
    assert ctx.clusters["cluster_id"].tolist() == ["alpha"]
    assert "_given_id" not in ctx.clusters.columns
    assert ctx.clusters.crs.to_epsg() == 4326
    assert str(ctx.clusters["firms"].dtype) == "Int64"
