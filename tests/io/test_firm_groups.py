"""Firm aggregation in parts (mstatlas.io.firm_groups) equals aggregating all firms at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mstatlas.data.firms import aggregate_firms
from mstatlas.io.firm_groups import FirmGroups


def firms(n: int = 6_000, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(values: list, size: int = n) -> np.ndarray:
        return np.array(values, dtype=object)[rng.integers(0, len(values), size)]

    lat = rng.uniform(40, 60, n)
    lat[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "row": np.arange(2, n + 2),
            "name": [f"Firm {i}" for i in range(n)],
            "cluster": pick(["Ruhr", "ruhr ", "Bavaria", "Twente"]),
            "city": pick(["Dortmund", "dortmund ", "München", "Enschede", "Łódź", None]),
            "country_iso2": pick(["DE", "NL", "PL", None]),
            "region": pick(["A", "B", None]),
            "lat": lat,
            "lon": rng.uniform(0, 20, n),
            "employees": np.where(rng.random(n) < 0.3, np.nan, rng.integers(0, 900, n)),
            "technology": pick(["MEMS", "optics", None, " ", "µ-optics"]),
            "year": np.where(rng.random(n) < 0.5, np.nan, rng.integers(1990, 2025, n)),
            "source_title": pick(["Survey", "Register"]),
            "source_url": pick(["https://example.org", None]),
        }
    )


@pytest.mark.parametrize("by", ["city", "cluster"])
@pytest.mark.parametrize(("n", "size"), [(300, 1), (2_000, 7), (6_000, 1_000), (6_000, 6_000)])
def test_parts_give_exactly_the_clusters_of_the_whole(by, n, size):
    df = firms(n)
    groups = FirmGroups(by)
    for start in range(0, len(df), size):
        groups.add(df.iloc[start : start + size])
    got, text = groups.clusters()
    want, want_text = aggregate_firms(df, by=by)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert text == want_text and groups.n_firms == len(df)


def test_mean_positions_are_summed_in_row_order_across_parts():
    # Summing each part and adding the part sums rounds differently: the test above
    # would catch a merge that did so.
    x = firms()["lon"].to_numpy()
    one = np.bincount(np.zeros(len(x), int), weights=x)[0]
    parts = sum(np.bincount(np.zeros(len(p), int), weights=p)[0] for p in np.array_split(x, 7))
    assert one != parts
    groups = FirmGroups("city")
    df = firms().assign(city="Jena", country_iso2="DE")
    for part in np.array_split(np.arange(len(df)), 7):
        groups.add(df.iloc[part])
    assert groups.clusters()[0]["lon"].iloc[0] == one / len(x)


def test_small_table_by_hand():
    df = pd.DataFrame(
        {
            "row": [2, 3, 4, 5, 6],
            "city": ["X", "x", "Y", "X", "Y"],
            "country_iso2": ["DE"] * 5,
            "lat": [1.0, 3.0, 2.0, 5.0, 4.0],
            "lon": [0.0] * 5,
            "employees": [1, None, 2, 4, 8],
            "technology": ["MEMS", "optics", "optics", "optics", None],
            "year": [2001, 2009, None, 2003, None],
        }
    )
    groups = FirmGroups("city")
    groups.add(df.iloc[:2])
    groups.add(df.iloc[2:])
    out, text = groups.clusters()
    assert out["city"].tolist() == ["X", "Y"]  # "X" twice, "x" once
    assert out["firms"].tolist() == [3, 2] and out["employees"].tolist() == [5, 10]
    assert out["employees_qualifier"].iloc[0] == "at_least"  # 2 of 3 known
    assert out["lat"].tolist() == [3.0, 3.0] and out["year"].tolist()[0] == 2009
    assert out["note"].iloc[0].endswith("technology mix: optics 2, MEMS 1")
    assert text.startswith("5 firms were grouped by city (and country) into 2 clusters.")


def test_no_firms_no_clusters():
    out, text = FirmGroups("city").clusters()
    assert out.empty and text.startswith("0 firms were grouped")
    with pytest.raises(ValueError, match="by must be 'city' or 'cluster'"):
        FirmGroups("region")  # type: ignore[arg-type]
