"""Nearby clusters (distances in km on EPSG:3035, checked against the ellipsoid) and shares."""

from __future__ import annotations

import pytest
from cluster_tables import cluster_table as table
from pyproj import Geod

from mstatlas import load_clusters
from mstatlas.analysis.nearby import nearby, share_of_total

GEOD = Geod(ellps="WGS84")


def pin(clusters, cluster_id):
    row = clusters[clusters["cluster_id"] == cluster_id].iloc[0]
    return float(row["lat"]), float(row["lon"])


def geodesic_km(a, b):
    return GEOD.inv(a[1], a[0], b[1], b[0])[2] / 1000.0


def test_dortmund_to_twente_matches_the_ellipsoid():
    c = load_clusters()
    dortmund, twente = pin(c, "dortmund"), pin(c, "twente")
    assert dortmund == (51.5136, 7.4653)
    expected = geodesic_km(dortmund, twente)
    assert 85 < expected < 91  # "about 88 km" between the city centres
    got = nearby(c, "dortmund", 95).set_index("cluster_id").loc["twente", "distance_km"]
    assert got == pytest.approx(expected, rel=0.01)


def test_radius_excludes_and_includes_by_distance():
    c = load_clusters()
    assert "twente" not in set(nearby(c, "dortmund", 80)["cluster_id"])
    assert "twente" in set(nearby(c, "dortmund", 95)["cluster_id"])


def test_one_row_per_cluster_not_per_figure_and_not_itself():
    c = load_clusters()
    assert (c["cluster_id"] == "dortmund").sum() > 1
    r = nearby(c, "twente", 95)
    assert list(r["cluster_id"]) == ["dortmund"]
    r = nearby(c, "dortmund", 2000)
    assert r["cluster_id"].is_unique and "dortmund" not in set(r["cluster_id"])
    assert list(r["distance_km"]) == sorted(r["distance_km"])


def test_distances_are_kilometres_not_degrees_at_high_latitude():
    # One degree of longitude at 65° N is ~47 km; at the equator it would be ~111 km.
    t = table(
        [
            {"cluster_id": "a", "lat": 65.0, "lon": 25.0},
            {"cluster_id": "b", "lat": 65.0, "lon": 26.0},
        ]
    )
    expected = geodesic_km((65.0, 25.0), (65.0, 26.0))
    got = nearby(t, "a", 100)["distance_km"].item()
    assert got == pytest.approx(expected, rel=0.01)
    assert 40 < got < 55


@pytest.mark.parametrize(
    ("cluster_id", "radius", "message"),
    [
        ("nope", 10, "no cluster 'nope'"),
        ("a", 0, "more than 0 and at most 2,000 km"),
        ("a", -5, "more than 0"),
        ("a", 2001, "at most 2,000 km"),
        ("a", float("nan"), "more than 0"),
        ("a", "50", "must be a number"),
        ("nowhere", 10, "has no coordinates"),
    ],
)
def test_bad_requests_get_a_clear_message(cluster_id, radius, message):
    t = table([{"cluster_id": "a"}, {"cluster_id": "nowhere", "lat": None, "lon": None}])
    with pytest.raises(ValueError, match=message):
        nearby(t, cluster_id, radius)


def visible_set():
    rows = [
        {"cluster_id": "x", "employees": 300, "year": 2010},
        {"cluster_id": "y", "employees": 600, "employees_qualifier": "about", "year": 2020},
        {"cluster_id": "z", "employees": 100},
        {"cluster_id": "w", "firms": 4},  # no employees figure: counted, not added
    ]
    return table(rows)


def test_share_by_hand():
    s = share_of_total(visible_set(), "x")
    # 300 / (300 + ≈600 + 100) = 0.3; the ≈ makes the total and the share approximate
    assert s.share == pytest.approx(0.3)
    assert s.numerator.total == 300 and s.numerator.qualifier == ""
    assert s.denominator.total == 1000 and s.denominator.qualifier == "about"
    assert s.denominator.n == 3 and s.n_clusters == 4
    assert s.share_qualifier == "about"
    assert s.text == (
        "≈ 30.0% of ≈ 1,000 employees in 3 clusters counting cluster firms (2010–2020; 1 undated)"
    )


def test_exact_share_of_the_visible_set():
    t = visible_set()
    visible = t[t["cluster_id"].isin(["x", "z"])]
    s = share_of_total(visible, "z")
    # 100 / (300 + 100)
    assert s.share == pytest.approx(0.25) and s.share_qualifier == ""
    assert s.text == "25.0% of 400 employees in 2 clusters counting cluster firms (2010; 1 undated)"


def test_a_cluster_without_such_a_figure_has_no_share():
    s = share_of_total(visible_set(), "w")
    assert s.share is None and "no employees figure counting cluster firms" in s.reason
    assert s.text == s.reason


def test_share_refuses_unknown_clusters_and_ratios():
    with pytest.raises(ValueError, match="no cluster 'q'"):
        share_of_total(visible_set(), "q")
    with pytest.raises(ValueError, match="cannot be added up"):
        share_of_total(visible_set(), "x", by="employees_per_firm")


def test_no_share_when_the_total_mixes_lower_and_upper_bounds():
    t = table(
        [
            {"cluster_id": "x", "employees": 300},
            {"cluster_id": "y", "employees": 600, "employees_qualifier": "more_than"},
            {"cluster_id": "z", "employees": 100, "employees_qualifier": "up_to"},
        ]
    )
    s = share_of_total(t, "x")
    assert s.share is None and s.denominator.total is None
    assert s.reason.startswith("No share:") and "upper bounds" in s.reason


def test_a_national_figure_gives_no_share_with_the_reason():
    t = table(
        [
            {"cluster_id": "x", "employees": 300, "counts_what": "national"},
            {"cluster_id": "y", "employees": 600, "counts_what": "national"},
        ]
    )
    s = share_of_total(t, "x", counts="national")
    assert s.share is None and s.n_clusters == 2
    assert s.reason.startswith("No share: national figures describe a whole country")


def test_like_with_like_takes_the_rankings_kind():
    from mstatlas.analysis.ranking import LIKE_WITH_LIKE

    t = table(
        [
            {"cluster_id": "x", "firms": 3, "counts_what": "network_members"},
            {"cluster_id": "y", "firms": 1, "counts_what": "network_members"},
        ]
    )
    s = share_of_total(t, "x", by="firms", counts=LIKE_WITH_LIKE)
    # no cluster-firms figure in the table: the ranking compares network members; 3 / (3 + 1)
    assert s.counts_what == "network_members" and s.share == pytest.approx(0.75)


def test_share_in_german():
    from mstatlas.i18n import language

    with language("de"):
        s = share_of_total(visible_set(), "x")
    # the same sums as test_share_by_hand: 300 / ≈ 1,000
    assert s.text.startswith("≈ 30,0 % von ≈ 1.000 Beschäftigte in 3 Clustern der Art ")
    assert s.text.endswith(" (2010–2020; 1 ohne Jahr)")


def test_a_bad_request_is_told_in_german():
    from mstatlas.i18n import language

    t = table([{"cluster_id": "a"}])
    with language("de"), pytest.raises(ValueError, match="keinen Cluster 'zz'; wählen Sie"):
        nearby(t, "zz", 50)
