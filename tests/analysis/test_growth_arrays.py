"""The growth table's array pick of start and end figures gives what the pandas pick gave.

The pandas version (sort by series, year, exactness and file order; keep each series'
first row; count different values with a group-by; walk the rows for the caveats) is
kept here as the reference and compared on the embedded data and on random tables with
several series, years, kinds, scopes, qualifiers and sources per cluster, in English
and German.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cluster_tables import cluster_table

from mstatlas import load_clusters
from mstatlas.analysis.filters import Filters, apply_filters
from mstatlas.analysis.growth import (
    _END,
    _SERIES_ORDER,
    GROWTH_COLUMNS,
    _caveats,
    _dated_figures,
    _same_source,
    cluster_growth,
    growth_table,
)
from mstatlas.analysis.ranking import CATEGORY_PRIORITY
from mstatlas.i18n import language

_KEY = ["cluster_id", "counts_what", "_scope_key"]


def _ends(df: pd.DataFrame, latest: bool) -> pd.DataFrame:
    ordered = df.sort_values(
        _KEY + ["year", "_approx", "_order"],
        ascending=[True, True, True, not latest, True, True],
        kind="mergesort",
    )
    return ordered.drop_duplicates(_KEY, keep="first").set_index(_KEY)


def reference_growth_table(clusters, by="employees", counts=None):
    df = _dated_figures(clusters, by, counts, spans=True)
    if df.empty:
        return pd.DataFrame(columns=list(GROWTH_COLUMNS))
    start = _ends(df, latest=False)
    end = _ends(df, latest=True).reindex(start.index)
    distinct = df.groupby(_KEY + ["year"])["value"].nunique()
    out = start[["cluster_name", "scope", "_cluster_order", "_prio", "_scoped"]].copy()
    for c in _END:
        out[f"start_{c}"] = start[c]
        out[f"end_{c}"] = end[c]
    out = out.reset_index()
    out["years"] = out["end_year"] - out["start_year"]
    sv, ev = out["start_value"].astype(float), out["end_value"].astype(float)
    out["change"] = ev - sv
    ok = (sv > 0) & (ev > 0)
    out["cagr"] = np.where(ok, (ev / sv.where(ok, 1.0)) ** (1 / out["years"]) - 1, np.nan)
    out["same_source"] = _same_source(start, end)
    keys = list(zip(out["cluster_id"], out["counts_what"], out["_scope_key"]))
    n_start = [distinct[(*k, y)] for k, y in zip(keys, out["start_year"])]
    n_end = [distinct[(*k, y)] for k, y in zip(keys, out["end_year"])]
    out["caveats"] = [_caveats(r, a, b) for (_, r), a, b in zip(out.iterrows(), n_start, n_end)]
    out = out.sort_values(_SERIES_ORDER, kind="mergesort")
    return out[list(GROWTH_COLUMNS)].reset_index(drop=True)


def random_table(n: int, seed: int):
    rng = np.random.default_rng(seed)

    def one(options):
        return options[rng.integers(0, len(options))]

    rows = [
        {
            "cluster_id": f"c{rng.integers(0, n // 4 + 1)}",
            "employees": None if rng.random() < 0.15 else int(rng.integers(0, 50)) * 10,
            "firms": None if rng.random() < 0.2 else int(rng.integers(0, 9)),
            "year": None if rng.random() < 0.15 else int(rng.integers(2000, 2008)),
            "counts_what": one(["cluster_firms", "network_members", "spin_offs", "national"]),
            "scope": one(["park", None, None, "incubator"]),
            "employees_qualifier": one([None, None, "about", "more_than", "at_least"]),
            "firms_qualifier": one([None, None, "about", "up_to"]),
            "source_title": one(["A", "B", None]),
            "source_url": one([None, "https://a.example", "https://b.example"]),
        }
        for _ in range(n)
    ]
    return cluster_table(rows)


def assert_same(clusters):
    for by in ("employees", "firms", "employees_per_firm"):
        for counts in (None, ("cluster_firms",), ("network_members", "spin_offs")):
            want = reference_growth_table(clusters, by, counts)
            pd.testing.assert_frame_equal(growth_table(clusters, by, counts), want)


def test_same_as_the_pandas_pick_on_the_embedded_data():
    clusters = load_clusters()
    assert_same(clusters)
    assert_same(apply_filters(clusters, Filters(min_employees=100)))


@pytest.mark.parametrize("seed", [1, 2])
def test_same_on_random_tables(seed):
    clusters = random_table(240, seed)
    table = growth_table(clusters)
    # the tables hold what the pick decides between: ties in a year, caveats of each kind
    assert (table["caveats"].str.contains("different figures")).any()
    assert (table["caveats"].str.contains("different sources")).any()
    assert table["scope"].notna().any()
    assert_same(clusters)
    assert_same(clusters.iloc[::2])
    with language("de"):
        assert_same(clusters)


def reference_cluster_growth(clusters, by="employees", counts=None):
    table = reference_growth_table(clusters, by=by, counts=counts)
    if table.empty:
        return table
    prio = {c: i for i, c in enumerate(CATEGORY_PRIORITY)}
    keyed = table.assign(
        _prio=table["counts_what"].map(prio).fillna(len(prio)),
        _scoped=table["scope"].notna(),
        _span=-table["years"],
        _pos=range(len(table)),
    )
    keyed["_cluster_order"] = keyed.groupby("cluster_id", sort=False)["_pos"].transform("min")
    keyed = keyed.sort_values(
        ["_cluster_order", "_prio", "_scoped", "_span", "_pos"], kind="mergesort"
    )
    head = keyed.drop_duplicates("cluster_id", keep="first")
    return head[list(GROWTH_COLUMNS)].reset_index(drop=True)


@pytest.mark.parametrize("seed", [3, 4])
def test_one_growth_per_cluster_as_the_pandas_pick(seed):
    clusters = random_table(160, seed)
    for by in ("employees", "firms"):
        for counts in (None, ("cluster_firms", "spin_offs")):
            got = cluster_growth(clusters, by, counts)
            assert got["cluster_id"].is_unique and len(got)
            pd.testing.assert_frame_equal(got, reference_cluster_growth(clusters, by, counts))
    embedded = load_clusters()
    pd.testing.assert_frame_equal(cluster_growth(embedded), reference_cluster_growth(embedded))
