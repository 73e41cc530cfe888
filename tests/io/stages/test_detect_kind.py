from __future__ import annotations

import pytest
from upload_context import before, table

from mstatlas.io.stages.detect_kind import detect_kind

CITIES = "Dortmund\nDortmund\nJena\ndortmund\nJena"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # a firm count makes a cluster table, whatever else the file holds
        ("Firma,city,firms\nA,Dortmund,3", "clusters"),
        # a name column headed like firms makes a firm list
        ("Firma,city\nA,Dortmund", "firms"),
        # 5 cities, 2 distinct (case-blind): rows are firms
        ("name,city\n" + "\n".join(f"N{i},{c}" for i, c in enumerate(CITIES.split("\n"))), "firms"),
        # the same with a kind of figure: figures of a few clusters
        (
            "name,city,counts_what\n"
            + "\n".join(f"N{i},{c},cluster_firms" for i, c in enumerate(CITIES.split("\n"))),
            "clusters",
        ),
        # four rows are too few to tell
        ("name,city\nA,Jena\nB,Jena\nC,Jena\nD,Jena", "clusters"),
    ],
)
def test_kind_from_columns_and_cities(text, kind):
    ctx = before("detect_kind", table(text))
    detect_kind(ctx)
    assert ctx.kind == kind
    assert ctx.detected["kind_detected"] == kind


def test_names_with_a_cluster_column_are_firms_grouped_into_clusters():
    ctx = before(
        "detect_kind", table("name,group,city\nA,North,Dortmund"), mapping={"cluster": "group"}
    )
    detect_kind(ctx)
    assert ctx.kind == "firms"


def test_the_person_s_choice_wins():
    ctx = before("detect_kind", table("Firma,city\nA,Dortmund"), kind="clusters")
    detect_kind(ctx)
    assert ctx.kind == "clusters"
