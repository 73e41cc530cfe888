from __future__ import annotations

import numpy as np
import pandas as pd
from upload_context import context, table

from mstatlas.data.profiles import empty_profiles
from mstatlas.io.context import (
    GEOCODING_COLUMNS,
    Context,
    Request,
    empty_geocoding,
    no_profiles,
)
from mstatlas.io.raw import Raw


def test_start_copies_what_the_reader_found():
    raw = Raw(frame=table("name\nA\nB"), rows=np.array([2, 3]), detected={"format": "csv"})
    ctx = Context.start(raw, Request("t.csv"))
    ctx.detected["kind_detected"] = "clusters"
    assert raw.detected == {"format": "csv"}  # the reader's dict is not changed
    assert ctx.columns == ["name"] and ctx.pre_rejected.tolist() == [False, False]


def test_trimmed_is_computed_once():
    ctx = context(table("name\n A "))
    first = ctx.trimmed("name")
    assert first.tolist() == ["A"] and ctx.trimmed("name") is first


def test_flag_adds_one_problem_per_row_with_the_value_shown():
    ctx = context(table("name,firms\nA,x\nB,3\nC,-1"))
    ctx.flag(np.array([True, False, True]), "firms", ctx.frame["firms"], lambda v: f"bad '{v}'")
    ctx.flag(np.array([False, True, False]), None, None, lambda v: f"[{v}]", "warning")
    assert [(p.row, p.column, p.value, p.reason, p.severity) for p in ctx.problems] == [
        (2, "firms", "x", "bad 'x'", "error"),
        (4, "firms", "-1", "bad '-1'", "error"),
        (3, None, None, "[]", "warning"),
    ]
    assert not ctx.reject.any()  # flagging does not reject


def test_missing_text_is_a_fresh_column_each_time():
    ctx = context(table("name\nA\nB"))
    a, b = ctx.missing_text(), ctx.missing_text()
    assert a.isna().all() and len(a) == 2 and str(a.dtype) == "string"
    a.iloc[0] = "x"
    assert pd.isna(b.iloc[0])


def test_default_source_and_empty_geocoding():
    assert context(table("name\nA")).default_source == "Uploaded file t.csv"
    assert list(empty_geocoding().columns) == GEOCODING_COLUMNS


def test_folded_city_codes_merge_spellings_that_differ_in_case_and_are_kept():
    ctx = context(table("name,city\nA,Jena\nB,jena\nC,Ulm\nD,"))
    ctx.texts["city"] = ctx.trimmed("city").mask(ctx.trimmed("city") == "")
    folded = ctx.folded_city_codes()
    assert folded.tolist() == [0, 0, 1, -1]
    assert ctx.folded_city_codes() is folded


def test_the_empty_cluster_table_is_built_only_when_read():
    """A context starts without a cluster table (a firm list builds its own)."""
    from mstatlas.data.schema import empty_clusters

    ctx = context(table("name\nA"))
    assert ctx._clusters is None
    empty = ctx.clusters
    assert empty.empty and list(empty.columns) == list(empty_clusters().columns)
    assert ctx.clusters is empty  # built once per context
    ctx.clusters = empty.iloc[:0].copy()
    assert ctx.clusters is not empty


def test_no_profiles_is_the_empty_profile_table_and_a_fresh_copy():
    first = no_profiles()
    pd.testing.assert_frame_equal(first, empty_profiles())
    first.loc[0] = ["c1", "markets", "MEMS", 2020, "S", None, None]
    assert len(no_profiles()) == 0
