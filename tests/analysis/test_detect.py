"""Clusters detected from firm locations: known centres, the radius edge, hulls, left-out firms."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN

from mstatlas.analysis import detect
from mstatlas.analysis.detect import (
    EARTH_RADIUS_KM,
    ISOLATED,
    LEFT_OUT,
    city_centre_firms,
    city_crosswalk,
    detect_clusters,
)
from mstatlas.errors import DataError

CENTRES = {  # city: (country, lat, lon)
    "Dortmund": ("DE", 51.51, 7.47),
    "Eindhoven": ("NL", 51.44, 5.47),
    "Grenoble": ("FR", 45.19, 5.72),
}


def destination(lat: float, lon: float, km: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``km`` away from (lat, lon) along a great circle (spherical Earth)."""
    d = km / EARTH_RADIUS_KM
    th = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(th))
    l2 = l1 + math.atan2(
        math.sin(th) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def firm(name, city, country, lat, lon, employees=None, technology=None, row=0):
    return {
        "row": row,
        "name": name,
        "city": city,
        "country_iso2": country,
        "lat": lat,
        "lon": lon,
        "employees": employees,
        "technology": technology,
    }


def register_around_centres(seed: int = 7) -> pd.DataFrame:
    """20 firms within 3 km of each centre, and 4 firms far from everything."""
    rng = np.random.default_rng(seed)
    rows = []
    for city, (cc, lat, lon) in CENTRES.items():
        for i in range(20):
            la, lo = destination(lat, lon, float(rng.uniform(0, 3)), float(rng.uniform(0, 360)))
            rows.append(firm(f"{city} firm {i}", city, cc, la, lo, 10 + i, "MEMS"))
    for i, (la, lo) in enumerate([(40.0, -3.7), (60.2, 24.9), (38.0, 23.7), (59.3, 18.1)]):
        rows.append(firm(f"Lone firm {i}", f"Town {i}", "XX", la, lo, 5, "optics"))
    out = pd.DataFrame(rows)
    out["row"] = np.arange(2, len(out) + 2)
    return out


def test_synthetic_firms_around_known_centres_find_those_centres():
    firms = register_around_centres()
    d = detect_clusters(firms, radius_km=5, min_firms=5)
    assert len(d.clusters) == 3
    assert set(d.clusters["cluster_name"]) == set(CENTRES)
    for row in d.clusters.itertuples():
        _cc, lat, lon = CENTRES[row.cluster_name]
        assert great_circle_km(row.lat, row.lon, lat, lon) < 1.5  # firms within 3 km, spread round
        assert row.firms == 20 and row.country_iso2 == _cc
    ids = d.firm_clusters()
    for city in CENTRES:
        in_city = (firms["city"] == city).to_numpy()
        assert set(ids[in_city]) == {city.lower()}
    lone = firms["name"].str.startswith("Lone").to_numpy()
    assert (d.labels[lone] == ISOLATED).all() and d.n_isolated == 4 and d.n_left_out == 0
    assert d.isolated.sum() == 4


def test_same_parameters_give_the_same_clusters_twice_and_for_shuffled_rows():
    firms = register_around_centres()
    a = detect_clusters(firms, radius_km=5, min_firms=5)
    b = detect_clusters(firms, radius_km=5, min_firms=5)
    pd.testing.assert_frame_equal(a.clusters, b.clusters)
    assert np.array_equal(a.labels, b.labels)
    order = np.random.default_rng(3).permutation(len(firms))
    c = detect_clusters(firms.iloc[order].reset_index(drop=True), radius_km=5, min_firms=5)
    assert list(c.clusters["cluster_id"]) == list(a.clusters["cluster_id"])
    assert list(c.firm_clusters()) == list(a.firm_clusters().iloc[order])


def test_a_firm_just_beyond_the_radius_stays_out_and_one_just_inside_joins():
    lat, lon = 50.0, 8.0
    rows = [firm(f"core {i}", "Mainz", "DE", lat, lon) for i in range(5)]  # one position, 5 firms
    for name, km, bearing in (("inside", 9.9, 90), ("beyond", 10.1, 270)):
        la, lo = destination(lat, lon, km, bearing)
        rows.append(firm(name, "Mainz", "DE", la, lo))
    firms = pd.DataFrame(rows)
    d = detect_clusters(firms, radius_km=10, min_firms=5)
    assert len(d.clusters) == 1
    labels = dict(zip(firms["name"], d.labels))
    assert labels["inside"] == 0
    assert labels["beyond"] == ISOLATED
    assert d.clusters["firms"].iloc[0] == 6


def test_firms_on_one_position_count_with_their_number():
    # four firms on one point and one 1 km away: five firms, so with min_firms=5 a cluster
    rows = [firm(f"f{i}", "Jena", "DE", 50.93, 11.59) for i in range(4)]
    la, lo = destination(50.93, 11.59, 1.0, 45)
    rows.append(firm("f4", "Jena", "DE", la, lo))
    d = detect_clusters(pd.DataFrame(rows), radius_km=2, min_firms=5)
    assert list(d.clusters["firms"]) == [5]
    assert detect_clusters(pd.DataFrame(rows[:4]), radius_km=2, min_firms=5).clusters.empty


def test_hulls_contain_their_firms_and_have_an_area_for_firms_on_one_point():
    firms = register_around_centres()
    rows = [firm(f"same {i}", "Delft", "NL", 52.01, 4.36) for i in range(5)]
    firms = pd.concat([firms, pd.DataFrame(rows)], ignore_index=True)
    for outline in ("convex", "concave"):
        d = detect_clusters(firms, radius_km=5, min_firms=5, outline=outline)
        assert len(d.clusters) == 4
        for k, shape in enumerate(d.clusters.geometry):
            assert shape.geom_type == "Polygon" and shape.area > 0
            inside = d.labels == k
            pts = shapely.points(firms["lon"].to_numpy()[inside], firms["lat"].to_numpy()[inside])
            assert shapely.contains(shape, pts).all()
            others = shapely.points(
                firms["lon"].to_numpy()[~inside], firms["lat"].to_numpy()[~inside]
            )
            assert not shapely.contains(shape, others).any()


def test_the_core_firms_and_isolated_firms_are_those_of_scikit_learns_dbscan():
    from benchmarks.synth import synthetic_firms

    firms = synthetic_firms(3000, seed=11)
    la, lo = np.radians(firms["lat"].to_numpy()), np.radians(firms["lon"].to_numpy())
    xyz = np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    for radius, k in ((15, 5), (40, 12), (5, 2)):
        ours = detect_clusters(firms, radius_km=radius, min_firms=k).labels
        chord = 2 * math.sin(radius / EARTH_RADIUS_KM / 2)
        ref = DBSCAN(eps=chord, min_samples=k).fit(xyz)
        assert np.array_equal(ours == ISOLATED, ref.labels_ == -1)
        core = ref.core_sample_indices_
        pairs = pd.crosstab(ours[core], ref.labels_[core])
        assert ((pairs > 0).sum(axis=1) == 1).all() and ((pairs > 0).sum(axis=0) == 1).all()


def test_a_cluster_across_city_borders_lists_the_cities_it_joins():
    rows = []
    for i in range(6):
        la, lo = destination(51.51, 7.47, 0.5 * i, 90)
        rows.append(firm(f"D{i}", "Dortmund", "DE", la, lo, 100, "MEMS"))
    for i in range(3):  # 5-6 km west: a separate town, but within reach of Dortmund's firms
        la, lo = destination(51.51, 7.47, 3.0 + 0.5 * i, 270)
        rows.append(firm(f"B{i}", "Bochum", "DE", la, lo, None, "optics" if i else "MEMS"))
    rows.append(firm("far", "Bochum", "DE", 51.0, 6.0, 3))
    firms = pd.DataFrame(rows)
    d = detect_clusters(firms, radius_km=4, min_firms=3)
    c = d.clusters.iloc[0]
    assert len(d.clusters) == 1
    assert c["cluster_name"] == "Dortmund" and c["cluster_id"] == "dortmund"
    assert c["cities"] == "Dortmund 6, Bochum 3" and c["n_cities"] == 2
    assert c["firms"] == 9 and c["employees"] == 600 and c["employees_known"] == 6
    assert c["technology_mix"] == "MEMS 7, optics 2"
    cw = city_crosswalk(firms, d).set_index("city")
    assert cw.loc["Dortmund", "clusters"] == "Dortmund 6"
    assert cw.loc["Bochum", "clusters"] == "Dortmund 3"
    assert cw.loc["Bochum", "firms"] == 4 and cw.loc["Bochum", "isolated"] == 1


def test_two_clusters_with_the_same_largest_place_are_numbered_largest_first():
    rows = [firm(f"a{i}", "Berlin", "DE", *destination(52.52, 13.40, 0.1 * i, 0)) for i in range(4)]
    rows += [
        firm(f"b{i}", "Berlin", "DE", *destination(52.40, 13.05, 0.1 * i, 0)) for i in range(6)
    ]
    rows += [firm(f"c{i}", None, None, *destination(48.0, 2.0, 0.1 * i, 0)) for i in range(3)]
    d = detect_clusters(pd.DataFrame(rows), radius_km=2, min_firms=3)
    assert list(d.clusters["cluster_name"]) == ["Berlin", "Berlin (2)", "Cluster at 48.00, 2.00"]
    assert list(d.clusters["cluster_id"]) == ["berlin", "berlin-2", "cluster-at-48-00-2-00"]
    assert list(d.clusters["firms"]) == [6, 4, 3]
    assert pd.isna(d.clusters["employees"]).all()
    assert list(d.clusters["employees_known"]) == [0, 0, 0]


def test_firms_geocoded_to_their_city_centre_are_left_out_and_counted():
    firms = register_around_centres()
    dortmund_rows = firms.loc[firms["city"] == "Dortmund", "row"].tolist()
    geocoding = pd.DataFrame(
        {
            "row": dortmund_rows,
            "city": "Dortmund",
            "matched": ["Dortmund"] * 19 + ["set by hand"],
        }
    )
    firms.loc[45, ["lat", "lon"]] = np.nan  # a Grenoble firm without coordinates at all
    placed = city_centre_firms(firms, geocoding)
    assert placed.sum() == 19
    d = detect_clusters(firms, radius_km=5, min_firms=5, geocoding=geocoding)
    assert d.n_left_out == 20  # 19 placed on the city centre (the hand-set one stays) + 1 without
    assert set(d.clusters["cluster_name"]) == {"Eindhoven", "Grenoble"}
    assert (d.labels[placed] == LEFT_OUT).all()
    assert "20 of 64 firms were left out" in d.method


def test_no_firm_with_coordinates_of_its_own_gives_no_cluster():
    firms = pd.DataFrame([firm("a", "Ulm", "DE", np.nan, np.nan)])
    d = detect_clusters(firms)
    assert d.clusters.empty and d.n_left_out == 1 and list(d.labels) == [LEFT_OUT]
    assert list(d.clusters.columns) == [*detect.DETECTED_COLUMNS, "geometry"]


@pytest.mark.parametrize(
    ("radius", "min_firms", "message"),
    [
        (0, 5, "at least 0.1 km and at most 500 km, got 0"),
        (float("nan"), 5, "at least 0.1 km"),
        ("15", 5, "must be a number of kilometres"),
        (15, 1, "must be 2 or more, got 1"),
        (15, 2.5, "must be a whole number"),
    ],
)
def test_parameters_out_of_range_say_what_is_allowed(radius, min_firms, message):
    with pytest.raises(ValueError, match=message):
        detect_clusters(register_around_centres(), radius_km=radius, min_firms=min_firms)


def test_a_radius_too_large_for_the_register_asks_for_a_smaller_one(monkeypatch):
    monkeypatch.setattr(detect, "MAX_NEIGHBOURS", 100)
    with pytest.raises(
        DataError, match=r"too many to detect clusters in memory\. Choose a smaller"
    ):
        detect_clusters(register_around_centres(), radius_km=5, min_firms=5)


def test_firms_sharing_positions_count_like_one_row_each_in_scikit_learns_dbscan():
    # Detection weighs each distinct position by its firms; DBSCAN on every firm row
    # (no weights) must find the same core and isolated firms.
    from benchmarks.synth import synthetic_firms

    base = synthetic_firms(600, seed=5)
    pick = np.random.default_rng(2).integers(0, 150, size=len(base))  # 600 firms, 150 points
    firms = base.assign(lat=base["lat"].to_numpy()[pick], lon=base["lon"].to_numpy()[pick])
    la, lo = np.radians(firms["lat"].to_numpy()), np.radians(firms["lon"].to_numpy())
    xyz = np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    for radius, k in ((40, 6), (120, 15)):
        ours = detect_clusters(firms, radius_km=radius, min_firms=k).labels
        chord = 2 * math.sin(radius / EARTH_RADIUS_KM / 2)
        ref = DBSCAN(eps=chord, min_samples=k).fit(xyz)
        assert (ref.labels_ == -1).any() and (ref.labels_ >= 0).any()  # both kinds occur
        assert np.array_equal(ours == ISOLATED, ref.labels_ == -1)
        core = ref.core_sample_indices_
        pairs = pd.crosstab(ours[core], ref.labels_[core])
        assert ((pairs > 0).sum(axis=1) == 1).all() and ((pairs > 0).sum(axis=0) == 1).all()


def test_a_border_firm_within_reach_of_two_clusters_joins_the_nearer_core_firm():
    # On the equator (distances along it are R x longitude), radius 2 km, 4 firms:
    # west firms at -4..0 km, east firms at 3.5..7.5 km, one firm at 1.9 km.
    # The firm at 1.9 km reaches the west core firm at 0 (1.9 km), the east core
    # firm at 3.5 (1.6 km) and itself: 3 < 4, a border firm; the east one is nearer.
    def at(km: float) -> float:
        return math.degrees(km / EARTH_RADIUS_KM)

    west = [firm(f"w{i}", "West", "XX", 0.0, at(-i)) for i in range(5)]
    east = [firm(f"e{i}", "East", "XX", 0.0, at(3.5 + i)) for i in range(5)]
    between = firm("between", "Between", "XX", 0.0, at(1.9))
    rows = [*west, between, *east]
    for order in (rows, rows[::-1]):
        firms = pd.DataFrame(order)
        d = detect_clusters(firms, radius_km=2, min_firms=4)
        assert list(d.clusters["cluster_name"]) == ["East", "West"]
        assert list(d.clusters["firms"]) == [6, 5]
        assert dict(zip(firms["name"], d.firm_clusters()))["between"] == "east"


def test_detection_and_the_confidentiality_rules_are_in_the_public_api():
    import mstatlas
    from mstatlas.data.disclosure import DisclosureRules

    assert mstatlas.detect_clusters is detect_clusters
    assert mstatlas.DisclosureRules is DisclosureRules
    assert {"detect_clusters", "DisclosureRules"} <= set(mstatlas.__all__)


def test_method_in_german():
    from mstatlas.i18n import language

    with language("de"):
        method = detect_clusters(register_around_centres(), radius_km=2.5, min_firms=5).method
    assert method.startswith(
        "Cluster, erkannt aus den eigenen Koordinaten der Firmen (DBSCAN): Eine Firma mit "
        "mindestens 5 Firmen, sie selbst eingeschlossen, im Umkreis von 2,5 km"
    )
    assert " gefunden; " in method


def test_one_detection_explains_itself_in_the_language_it_is_read_in():
    from mstatlas.i18n import language

    d = detect_clusters(register_around_centres(), radius_km=2.5, min_firms=5)  # cached in the app
    with language("de"):
        german = d.method
    assert german.startswith("Cluster, erkannt aus") and d.method.startswith("Clusters detected")
