from __future__ import annotations

import pandas as pd
import pytest

from mstatlas.data.columns import CANONICAL_FIELDS, detect_mapping
from mstatlas.data.countries import country_to_iso2


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


# -- scope, regional employment and the cluster profile fields ---------------------------

_PROFILE_HEADERS = {
    "en": {
        "Scope": "scope",
        "Regional employment": "region_employment",
        "Technologies": "technology",
        "Markets": "markets",
        "Research institutes": "research_institutes",
        "Cluster organisation": "cluster_organisation",
        "Startup support": "startup_support",
        "Events": "events",
        "Founded": "founded",
        "Website": "website",
    },
    "de": {
        "Abgrenzung": "scope",
        "Beschäftigte Region": "region_employment",
        "Technologien": "technology",
        "Märkte": "markets",
        "Forschungseinrichtungen": "research_institutes",
        "Clusterorganisation": "cluster_organisation",
        "Gründungsförderung": "startup_support",
        "Veranstaltungen": "events",
        "Gründungsjahr": "founded",
        "Webseite": "website",
    },
    "fr": {
        "Périmètre": "scope",
        "Emploi régional": "region_employment",
        "Technologies clés": "technology",
        "Marchés": "markets",
        "Instituts de recherche": "research_institutes",
        "Organisation du cluster": "cluster_organisation",
        "Soutien aux start-up": "startup_support",
        "Événements": "events",
        "Date de création": "founded",
        "Site web": "website",
    },
}


@pytest.mark.parametrize("language", list(_PROFILE_HEADERS))
def test_profile_scope_and_region_employment_headers(language):
    headers = _PROFILE_HEADERS[language]
    base = {"en": ["Name", "City", "Employees"], "de": ["Name", "Stadt", "Beschäftigte"]}
    base["fr"] = ["nom", "ville", "effectifs"]
    m = detect_mapping([*base[language], *headers])
    assert {col: fld for fld, col in m.items() if col in headers} == headers
    assert m["employees"] == base[language][2]  # "Beschäftigte Region" did not take it


def test_figure_organisation_and_cluster_organisation_side_by_side():
    m = detect_mapping(["Name", "Ort", "Organisation", "Cluster organisation"])
    assert (m["organisation"], m["cluster_organisation"]) == (
        "Organisation",
        "Cluster organisation",
    )
    # alone, "Cluster organisation" names the cluster's organisation, not its name
    alone = detect_mapping(["Cluster", "Ort", "Cluster organisation"])
    assert (alone["name"], alone["cluster_organisation"], alone["organisation"]) == (
        "Cluster",
        "Cluster organisation",
        None,
    )


def test_every_profile_field_has_a_canonical_field():
    from mstatlas.data.columns import PROFILE_FIELD_OF
    from mstatlas.data.profiles import PROFILE_FIELDS

    assert sorted(PROFILE_FIELD_OF.values()) == sorted(PROFILE_FIELDS)
    assert set(PROFILE_FIELD_OF) <= set(CANONICAL_FIELDS)
    assert PROFILE_FIELD_OF["technology"] == "technologies"
