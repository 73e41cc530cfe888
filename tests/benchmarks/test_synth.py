"""The synthetic benchmark data: deterministic, inside Europe's window, canonical schema."""

from __future__ import annotations

import pandas as pd

from benchmarks.synth import EUROPE_WINDOW, synthetic_clusters, synthetic_firms
from mstatlas.data.schema import COLUMNS, coerce_clusters


def test_clusters_are_deterministic_and_counted():
    a, b = synthetic_clusters(300), synthetic_clusters(300)
    pd.testing.assert_frame_equal(a, b)
    assert not synthetic_clusters(300, seed=1).equals(a)
    assert len(a) == 300 and a["cluster_id"].is_unique
    assert tuple(a.columns) == COLUMNS


def test_clusters_stay_in_europe_and_fit_the_schema():
    frame = synthetic_clusters(2_000)
    lat_min, lat_max, lon_min, lon_max = EUROPE_WINDOW
    assert frame["lat"].between(lat_min, lat_max).all()
    assert frame["lon"].between(lon_min, lon_max).all()
    canonical = coerce_clusters(frame)  # raises on any value outside the vocabularies
    assert canonical["employees"].notna().all() and (canonical["employees"] >= 1).all()
    assert canonical["year"].isna().any() and canonical["year"].notna().any()


def test_firms_are_deterministic_and_in_europe():
    a = synthetic_firms(1_000)
    pd.testing.assert_frame_equal(a, synthetic_firms(1_000))
    assert len(a) == 1_000
    assert list(a.columns) == ["lat", "lon", "name", "technology", "employees"]
    lat_min, lat_max, lon_min, lon_max = EUROPE_WINDOW
    assert a["lat"].between(lat_min, lat_max).all() and a["lon"].between(lon_min, lon_max).all()
    assert a["technology"].isna().any()  # some firms without a stated technology
    assert len(synthetic_firms(0)) == 0
