"""Uploaded cluster tables: profile columns, scope and regional employment."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from mstatlas.data.profiles import PROFILE_COLUMNS
from mstatlas.data.templates import TEMPLATE_COLUMNS, template_csv, template_xlsx
from mstatlas.io import read_upload

# Three figure rows of one cluster (two sources) and one row of another; the
# profile cells repeat on the cluster's rows, as people fill such tables.
GERMAN = (
    "Name;Stadt;Land;Beschäftigte;Jahr;Quelle;Quelle URL;Technologien;Markt;Gegründet;Website\n"
    'Dortmund MST;Dortmund;DE;2.100;2007;Zeitung;https://z.example/1;"MEMS; Mikrooptik";'
    "Automobil;2005;www.mst.example\n"
    'Dortmund MST;Dortmund;DE;1.700;2008;Kulturreport;;MEMS;"Automobil; Medizin ";;\n'
    "Jena Optik;Jena;DE;15.800;2017;Bericht;;Photonik;;;\n"
)


def facts(result) -> list[tuple[object, ...]]:
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in result.profiles[["cluster_id", "field", "value", "year", "source_title"]]
        .sort_values(["cluster_id", "field", "value"])
        .itertuples(index=False)
    ]


def test_profile_cells_become_facts_split_deduplicated_with_year_and_source():
    r = read_upload(GERMAN.encode("utf-8"), filename="cluster.csv")
    assert r.kind == "clusters" and r.report.n_rejected == 0
    assert list(r.profiles.columns) == list(PROFILE_COLUMNS)
    assert facts(r) == [
        ("dortmund-mst", "founded", "2005", 2007, "Zeitung"),
        ("dortmund-mst", "markets", "Automobil", 2007, "Zeitung"),  # row 3 repeats it
        ("dortmund-mst", "markets", "Medizin", 2008, "Kulturreport"),  # "Automobil; Medizin "
        ("dortmund-mst", "technologies", "MEMS", 2007, "Zeitung"),  # repeated: kept once
        ("dortmund-mst", "technologies", "Mikrooptik", 2007, "Zeitung"),
        ("dortmund-mst", "website", "www.mst.example", 2007, "Zeitung"),
        ("jena-optik", "technologies", "Photonik", 2017, "Bericht"),
    ]
    urls = r.profiles.set_index(["field", "value"])["source_url"]
    assert urls[("markets", "Automobil")] == "https://z.example/1"
    assert pd.isna(urls[("markets", "Medizin")])  # that row has no source address
    assert r.profiles["quote"].isna().all()  # an upload has no quotes
    # the technologies are profile facts now, not a line in the figure's note
    assert r.clusters["note"].isna().all()


def test_profile_columns_are_not_unused_columns():
    r = read_upload(GERMAN.encode("utf-8"), filename="cluster.csv")
    used = {c for c in r.mapping.values() if c}
    assert {"Technologien", "Markt", "Gegründet", "Website"} <= used
    assert set(r.columns) == used


def test_facts_of_a_rejected_row_are_not_kept():
    text = GERMAN.replace("1.700;2008", "viele;2008")
    r = read_upload(text.encode("utf-8"), filename="cluster.csv")
    assert r.report.n_rejected == 1
    assert "Medizin" not in set(r.profiles["value"])


def test_without_profile_columns_there_are_no_facts():
    r = read_upload(b"name,city,country,employees\nA,Dortmund,DE,12\n", filename="a.csv")
    assert r.profiles.empty and list(r.profiles.columns) == list(PROFILE_COLUMNS)


def test_scope_and_region_employment_are_read_into_the_table():
    text = (
        "Name;Stadt;Land;Unternehmen;Jahr;Abgrenzung;Beschäftigte Region\n"
        "Dortmund MST;Dortmund;DE;39;2007;;1.234.567\n"
        "Dortmund MST;Dortmund;DE;15;2007;MST.factory tenants;\n"
    )
    r = read_upload(text.encode("utf-8"), filename="s.csv")
    assert r.report.n_rejected == 0
    c = r.clusters
    assert c["scope"].tolist()[1] == "MST.factory tenants" and pd.isna(c["scope"].iloc[0])
    assert str(c["region_employment"].dtype) == "Int64"
    assert c["region_employment"].iloc[0] == 1_234_567 and pd.isna(c["region_employment"].iloc[1])


def test_same_figure_for_another_scope_or_kind_is_not_a_duplicate():
    text = (
        "name,city,country,firms,year,counts_what,scope\n"
        "A,Dortmund,DE,15,2007,cluster_firms,\n"
        "A,Dortmund,DE,15,2007,cluster_firms,MST.factory tenants\n"
        "A,Dortmund,DE,15,2007,network_members,\n"
        "A,Dortmund,DE,15,2007,cluster_firms,\n"
    )
    r = read_upload(text.encode(), filename="d.csv")
    assert r.report.n_imported == 3
    (p,) = r.report.problems
    assert p.row == 5
    assert "duplicate of row 2 (same name, city, year, kind of figure, scope and figures)" in (
        p.reason
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1,2 Mio", r"^'1,2 Mio' is not a number \(expected e\.g\. 2\.100\)$"),
        ("-5", r"^'-5' is negative; a count cannot be below 0$"),
        ("12,5", r"'12,5' is not a whole number"),
    ],
)
def test_bad_region_employment_is_a_row_message(value, reason):
    text = (
        "Name;Stadt;Land;Beschäftigte;Jahr;Beschäftigte Region\n"
        "A;Dortmund;DE;2.100;2007;600.000\n"
        f"B;Essen;DE;100;2007;{value}\n"
    )
    r = read_upload(text.encode("utf-8"), filename="r.csv")
    # like a bad employee count: that row is refused, named with its column and value
    assert (r.report.n_imported, r.report.n_rejected) == (1, 1)
    (p,) = r.report.problems
    assert (p.row, p.column, p.value, p.severity) == (3, "Beschäftigte Region", value, "error")
    assert re.search(reason, p.reason)
    assert r.clusters["region_employment"].tolist() == [600_000]
    assert "Row 3, column 'Beschäftigte Region'" in r.report.summary()


def test_firm_list_keeps_its_technology_mix_and_gives_no_facts():
    text = (
        "Firma;Ort;Land;Mitarbeiter;Technologie\n"
        "A GmbH;Dortmund;DE;10;MEMS\n"
        "B AG;Dortmund;DE;20;MEMS\n"
        "C KG;Dortmund;DE;5;Mikrooptik\n"
    )
    r = read_upload(text.encode("utf-8"), filename="f.csv")
    assert r.kind == "firms" and r.mapping["technology"] == "Technologie"
    assert r.firms is not None and r.firms["technology"].tolist() == ["MEMS", "MEMS", "Mikrooptik"]
    assert r.clusters["note"].iloc[0].endswith("technology mix: MEMS 2, Mikrooptik 1")
    assert r.profiles.empty


def test_template_columns_are_all_recognised():
    csv = read_upload(template_csv(), filename="template.csv")
    xlsx = read_upload(template_xlsx(), filename="template.xlsx")
    for r in (csv, xlsx):
        assert r.report.n_rejected == 0
        assert set(r.columns) == {c for c in r.mapping.values() if c} == set(TEMPLATE_COLUMNS)
    for field in ("scope", "region_employment", "markets", "founded", "website"):
        assert field in TEMPLATE_COLUMNS
    # the example row's facts: two start-up supports split at ";", blanks give none
    assert sorted(csv.profiles["field"]) == [
        "cluster_organisation",
        "events",
        "startup_support",
        "startup_support",
        "technologies",
    ]
    assert pd.isna(csv.clusters["region_employment"].iloc[0])
    doc = pd.read_excel(io.BytesIO(template_xlsx()), sheet_name="columns", engine="openpyxl")
    assert set(doc["column"]) == set(TEMPLATE_COLUMNS) and doc["what to write"].notna().all()
