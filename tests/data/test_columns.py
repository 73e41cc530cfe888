from __future__ import annotations

import pandas as pd
import pytest

from mstatlas.data.columns import CANONICAL_FIELDS, country_to_iso2, detect_mapping


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("DE", "DE"),
        ("DEU", "DE"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Allemagne", "DE"),
        ("Vereinigtes Königreich", "GB"),
        ("UK", "GB"),
        ("Royaume-Uni", "GB"),
        ("Pays-Bas", "NL"),
        ("Schweiz", "CH"),
        ("Österreich", "AT"),
        ("EL", "GR"),
        ("  france ", "FR"),
        ("Mars", None),
        ("", None),
    ],
)
def test_country_to_iso2(text, iso):
    assert country_to_iso2(text) == iso


def test_german_headers():
    m = detect_mapping(
        [
            "Bezeichnung",
            "Stadt",
            "Land",
            "Breitengrad",
            "Längengrad",
            "Anzahl Firmen",
            "Beschäftigte",
            "Jahr",
            "Quelle",
            "Bereich",
        ]
    )
    assert (m["name"], m["city"], m["country"], m["lat"], m["lon"]) == (
        "Bezeichnung",
        "Stadt",
        "Land",
        "Breitengrad",
        "Längengrad",
    )
    assert (m["firms"], m["employees"], m["year"], m["source"], m["technology"]) == (
        "Anzahl Firmen",
        "Beschäftigte",
        "Jahr",
        "Quelle",
        "Bereich",
    )
    assert set(m) == set(CANONICAL_FIELDS)


def test_french_headers():
    m = detect_mapping(
        ["nom", "ville", "pays", "latitude", "longitude", "entreprises", "salariés", "année"]
    )
    assert [
        m[f] for f in ("name", "city", "country", "lat", "lon", "firms", "employees", "year")
    ] == ["nom", "ville", "pays", "latitude", "longitude", "entreprises", "salariés", "année"]


def test_unternehmen_is_count_or_name_by_content():
    cols = ["Unternehmen", "Ort"]
    numeric = pd.DataFrame({"Unternehmen": ["39", "12"], "Ort": ["a", "b"]})
    names = pd.DataFrame({"Unternehmen": ["Alpha GmbH", "Beta AG"], "Ort": ["a", "b"]})
    assert detect_mapping(cols, numeric)["firms"] == "Unternehmen"
    assert detect_mapping(cols, names)["name"] == "Unternehmen"


def test_firm_column_makes_cluster_a_group():
    m = detect_mapping(["Firma", "Cluster", "Ort", "lng", "lat"])
    assert (m["name"], m["cluster"], m["lon"]) == ("Firma", "Cluster", "lng")
    assert detect_mapping(["Cluster", "Stadt"])["name"] == "Cluster"
