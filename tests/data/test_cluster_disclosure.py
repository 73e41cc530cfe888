"""The rules on a firm list's cluster table: rows judged by their own firms, notes, positions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mstatlas.data.cluster_disclosure import (
    CONFIDENTIAL_NOTE,
    cluster_figures,
    firm_rows_of_clusters,
    protect_clusters,
)
from mstatlas.data.disclosure import DisclosureRules, group_figures, protect_table
from mstatlas.io import read_upload

RULES = DisclosureRules(min_firms=3, dominance=85)

# Paris in France and Paris in Texas: one cluster id ("paris"), two rows of two firms each.
# Together they would have 4 firms; each row must still be judged by its own 2.
TWO_PARISES = (
    "name,city,country,lat,lon,employees\n"
    "A,Paris,FR,48.8566,2.3522,100\n"
    "B,Paris,FR,48.8600,2.3400,200\n"
    "C,Paris,US,33.6609,-95.5555,300\n"
    "D,Paris,US,33.6700,-95.5500,400\n"
    "E,Lyon,FR,45.7640,4.8357,10\n"
    "F,Lyon,FR,45.7700,4.8400,20\n"
    "G,Lyon,FR,45.7800,4.8500,30\n"
    "H,Lyon,FR,45.7900,4.8600,\n"
)


@pytest.fixture(scope="module")
def parises():
    result = read_upload(TWO_PARISES.encode(), filename="f.csv")
    assert result.kind == "firms" and result.firms is not None
    return result


def test_each_row_is_judged_by_its_own_firms_even_when_ids_repeat(parises) -> None:
    clusters = parises.clusters
    assert clusters["cluster_id"].tolist().count("paris") == 2  # the case this guards
    rows = firm_rows_of_clusters(clusters, parises.firms, parises.mapping)
    assert rows is not None and rows.tolist() == [0, 0, 1, 1, 2, 2, 2, 2]
    figures = cluster_figures(clusters, parises.firms, parises.mapping)
    assert figures["contributors"].tolist() == [2, 2, 3]
    assert figures["total"].tolist() == [300, 700, 60]
    assert figures["largest"].tolist() == [200, 400, 30]
    p = protect_clusters(clusters, figures, RULES)
    assert p.clusters["employees"].isna().tolist() == [True, True, False]
    assert p.clusters["employees"].iloc[2] == 60  # Lyon: 3 known of 4, 30/60 = 50 %
    assert p.clusters["employees_qualifier"].tolist()[2] == "at_least"
    assert p.n_confidential == 2
    assert p.owner_table()["reason"].str.contains("minimum frequency").all()


def test_a_confidential_row_says_so_and_no_longer_says_for_how_many_firms(parises) -> None:
    figures = cluster_figures(parises.clusters, parises.firms, parises.mapping)
    p = protect_clusters(parises.clusters, figures, RULES)
    notes = p.clusters["note"].tolist()
    assert CONFIDENTIAL_NOTE in notes[0] and "known for" not in notes[0]
    assert notes[0].startswith("Aggregated from 2 firms")  # the firm count is not confidential
    assert "employees known for 3 of 4 firms" in notes[2]  # shown figures keep theirs


def test_positions_of_fewer_than_k_firms_are_rounded_to_about_a_kilometre(parises) -> None:
    figures = cluster_figures(parises.clusters, parises.firms, parises.mapping)
    p = protect_clusters(parises.clusters, figures, RULES)
    before, after = parises.clusters, p.clusters
    assert after["lat"].iloc[0] == pytest.approx(round((48.8566 + 48.86) / 2, 2))
    assert after["lon"].iloc[1] == pytest.approx(round((-95.5555 - 95.55) / 2, 2))
    assert after["lat"].iloc[2] == before["lat"].iloc[2]  # 4 firms: kept
    assert p.n_coarsened == 2
    assert after.geometry.y.iloc[0] == after["lat"].iloc[0]  # the point moved with it


def test_firm_rows_that_do_not_match_the_table_suppress_every_figure(parises) -> None:
    fewer = parises.firms.iloc[:-1]  # a table edited after the upload: counts no longer agree
    assert firm_rows_of_clusters(parises.clusters, fewer, parises.mapping) is None
    figures = cluster_figures(parises.clusters, fewer, parises.mapping)
    assert figures["contributors"].tolist() == [0, 0, 0]
    p = protect_clusters(parises.clusters, figures, RULES)
    assert p.clusters["employees"].isna().all()
    assert cluster_figures(parises.clusters, None, parises.mapping)["contributors"].sum() == 0


def test_rows_without_a_figure_have_nothing_to_suppress() -> None:
    csv = "Firma;Stadt;Land;Mitarbeiter\nA;Bonn;DE;\nB;Bonn;DE;\n"
    result = read_upload(csv.encode(), filename="f.csv")
    assert result.kind == "firms"
    figures = cluster_figures(result.clusters, result.firms, result.mapping)
    p = protect_clusters(result.clusters, figures, RULES)
    assert p.n_confidential == 0 and p.record()["confidential"] == []
    assert "employees known for 0 of 2 firms" in p.clusters["note"].iloc[0]


def test_grouping_by_the_files_cluster_column_is_followed() -> None:
    csv = (
        "Firma;Cluster;Stadt;Land;Mitarbeiter\n"
        "A;MEMS Nord;Kiel;DE;10\nB;MEMS Nord;Lübeck;DE;20\nC;mems nord;Kiel;DE;30\n"
        "D;Optik Süd;Jena;DE;5\n"
    )
    result = read_upload(csv.encode(), filename="f.csv")
    rows = firm_rows_of_clusters(result.clusters, result.firms, result.mapping)
    assert rows is not None and rows.tolist() == [0, 0, 0, 1]


def test_record_travels_without_reasons_and_owner_table_has_them(parises) -> None:
    figures = cluster_figures(parises.clusters, parises.firms, parises.mapping)
    p = protect_clusters(parises.clusters, figures, RULES)
    record = p.record(firm_rows=False)
    assert record["confidential"] == ["paris", "paris"]
    assert set(record) == {
        "version", "min_firms", "dominance", "confidential", "positions_coarsened", "other",
        "firm_rows", "note",
    }  # fmt: skip
    assert "known for" not in record["note"]  # per-cluster reasons stay with the owner
    # the two Parises together: 4 firms, 1000 employees, largest 400 = 40 %
    assert record["other"] == {"clusters": 2, "firms": 4, "employees": 1000}
    assert "have 1,000 employees together" in p.public_note()
    assert list(p.owner_table()["cluster_name"]) == ["Paris", "Paris"]


def test_protect_table_from_figures_equals_protect_from_firm_rows() -> None:
    rng = np.random.default_rng(3)
    groups = rng.choice(["a", "b", "c", "d", None], 200)
    employees = pd.Series(rng.integers(1, 50, 200), dtype="Int64").mask(rng.random(200) < 0.2)
    employees[0], groups[0] = 5000, "c"  # c dominated
    table = pd.DataFrame({"cluster_id": list("abcde"), "employees": pd.array([1] * 5, "Int64")})
    figures = group_figures(groups, employees)
    from mstatlas.data.disclosure import protect_figures

    a = protect_figures(table, groups, employees, RULES)
    b = protect_table(table, figures, RULES)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.suppressed, b.suppressed)
    assert a.other == b.other
    assert set(a.suppressed["group"]) == {"c", "e"}  # e has no firms at all
