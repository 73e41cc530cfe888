"""Selections of a whole table read its per-row facts, and answer as if analysed alone.

The plain path (outside a ``rows_of`` block) is pinned to the old pandas pick in
``test_headline.py``; here every answer inside the block must equal it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cluster_tables import cluster_table

from benchmarks.synth import synthetic_clusters
from mstatlas import as_of, load_clusters, rate_clusters
from mstatlas.analysis.filters import Filters, apply_filters
from mstatlas.analysis.headline import shared_headlines
from mstatlas.analysis.ranking import figure_kinds, headline_figures
from mstatlas.analysis.selection import lookup, positions, rows_of, whole_facts
from mstatlas.data.schema import MEASURES
from mstatlas.i18n import language
from mstatlas.mapping.build import map_points


def selections(whole: pd.DataFrame) -> list[pd.DataFrame]:
    rng = np.random.default_rng(3)
    picked = [
        whole.iloc[np.sort(rng.choice(len(whole), size=max(1, len(whole) // k), replace=False))]
        for k in (2, 3, 7)
    ]
    return [
        whole,
        apply_filters(whole, Filters(min_employees=50)),
        apply_filters(whole, Filters(year_min=2005, year_max=2012, include_undated=False)),
        apply_filters(whole, Filters(counts_what=("cluster_firms", "spin_offs"))),
        as_of(whole, 2010).rows,
        whole.iloc[:0],
        *picked,
    ]


def assert_same_inside_and_outside(whole: pd.DataFrame) -> None:
    for part in selections(whole):
        for by in MEASURES:
            for counts in (None, ("cluster_firms",), ("network_members", "spin_offs")):
                alone = headline_figures(part, by=by, counts=counts)
                with rows_of(whole):
                    got = headline_figures(part, by=by, counts=counts)
                pd.testing.assert_frame_equal(got, alone)
            with rows_of(whole):
                kinds = figure_kinds(part, by)
            assert kinds == figure_kinds(part, by)
        alone_points, alone_rating = map_points(part), rate_clusters(part, explain=False)
        with rows_of(whole), shared_headlines():
            pd.testing.assert_frame_equal(map_points(part), alone_points)
            pd.testing.assert_frame_equal(rate_clusters(part, explain=False), alone_rating)


def test_the_embedded_data_inside_and_outside():
    assert_same_inside_and_outside(load_clusters())


def test_several_figures_per_cluster_and_in_german():
    rows = []
    rng = np.random.default_rng(11)
    kinds = ["cluster_firms", "network_members", "spin_offs", None]
    for i in range(120):
        rows.append(
            {
                "cluster_id": f"c{rng.integers(0, 30)}",
                "employees": None if rng.random() < 0.2 else int(rng.integers(1, 5000)),
                "firms": None if rng.random() < 0.3 else int(rng.integers(1, 90)),
                "year": None if rng.random() < 0.2 else int(rng.integers(2000, 2016)),
                "counts_what": kinds[rng.integers(0, len(kinds))],
                "scope": "park" if rng.random() < 0.1 else None,
                "employees_qualifier": "about" if rng.random() < 0.2 else None,
            }
        )
    whole = cluster_table(rows)
    assert whole["cluster_id"].duplicated().sum() > 60  # the rule has figures to choose among
    assert_same_inside_and_outside(whole)
    with language("de"):
        assert_same_inside_and_outside(whole)


def test_the_synthetic_set():
    assert_same_inside_and_outside(synthetic_clusters(1_500))


def test_what_counts_as_a_selection():
    whole = load_clusters()
    with rows_of(whole):
        assert positions(whole).tolist() == list(range(len(whole)))
        assert positions(whole.iloc[[1, 4, 9]]).tolist() == [1, 4, 9]
        # another order, other columns, rows it does not have: analysed alone
        assert positions(whole.iloc[[4, 1]]) is None
        assert positions(whole.drop(columns=["note"])) is None
        assert positions(whole.set_axis(range(100, 100 + len(whole)))) is None
    assert positions(whole) is None  # outside a block


def test_facts_are_made_once_per_table_and_key():
    whole, other = load_clusters(), load_clusters()
    made: list[str] = []

    def make(table: pd.DataFrame) -> int:
        made.append("made")
        return len(table)

    with rows_of(whole):
        assert whole_facts("n", make) == len(whole)
        assert whole_facts("n", make) == len(whole)
    with rows_of(other):  # an equal but other table has facts of its own
        whole_facts("n", make)
    assert made == ["made", "made"]
    with pytest.raises(RuntimeError, match="rows_of"):
        whole_facts("n", make)


def test_only_the_columns_asked_for():
    whole = load_clusters()
    part = apply_filters(whole, Filters(min_employees=50))
    wanted = ["row", "cluster_id", "display", "year"]
    full = headline_figures(part, by="firms", counts=("cluster_firms",))
    for inside in (False, True):
        with rows_of(whole) if inside else language("en"):
            got = headline_figures(part, by="firms", counts=("cluster_firms",), columns=wanted)
        pd.testing.assert_frame_equal(got, full[wanted])
    with pytest.raises(ValueError, match="no_such_column"):
        headline_figures(part, columns=["cluster_id", "no_such_column"])


def test_lookup_finds_each_text_or_says_absent():
    keys = pd.Series(["a", "b", "c"], dtype="str")
    values = pd.Series(["c", "x", "a", None], dtype="str")
    assert lookup(values, keys).tolist() == [2, -1, 0, -1]
    assert lookup(np.array(["b", "zz"], dtype=object), pd.Index(["a", "b"])).tolist() == [1, -1]
    assert lookup(values.iloc[:0], keys).tolist() == []
    # not all texts: looked up as pandas would
    assert lookup(np.array([2, 1], dtype=object), np.array([1, 2], dtype=object)).tolist() == [1, 0]
