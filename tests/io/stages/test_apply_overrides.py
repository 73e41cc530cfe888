from __future__ import annotations

import pytest
from upload_context import before, problems, rejected_rows, table

from mstatlas.errors import DataError
from mstatlas.io.stages.apply_overrides import apply_overrides

FRAME = "name,lat,lon,firms\nA,51.5,,x\nB,,7.4,3\nC,50,8,3"


def test_a_position_set_by_hand_lifts_a_refusal_for_the_position_only():
    ctx = before("apply_overrides", table(FRAME), overrides={2: (51.0, 7.0), 3: (52.0, 8.0)})
    assert rejected_rows(ctx) == [2, 3]
    apply_overrides(ctx)
    assert ctx.overridden.tolist() == [True, True, False]
    assert ctx.lat.tolist()[:2] == [51.0, 52.0] and ctx.lon.tolist()[:2] == [7.0, 8.0]
    # row 2 keeps its refusal for the firm count, row 3 is imported again
    assert rejected_rows(ctx) == [2]
    assert problems(ctx) == [(2, "firms", "'x' is not a number (expected e.g. 2,100)")]


def test_rows_not_in_the_file_are_ignored():
    ctx = before("apply_overrides", table(FRAME), overrides={99: (51.0, 7.0)})
    apply_overrides(ctx)
    assert not ctx.overridden.any()


def test_an_impossible_position_is_refused():
    ctx = before("apply_overrides", table(FRAME), overrides={4: (95.0, 7.0)})
    with pytest.raises(
        DataError,
        match=r"^The corrected position for row 4 \(95.0, 7.0\) is impossible; latitude must be "
        "within ±90",
    ):
        apply_overrides(ctx)
