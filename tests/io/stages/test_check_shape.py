from __future__ import annotations

import pandas as pd
import pytest
from upload_context import before, table

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.io.stages.check_shape import check_shape


def test_a_table_with_rows_passes():
    ctx = before("check_shape", table("name,city\nAlpha,Dortmund"))
    check_shape(ctx)
    assert ctx.n == 1


def test_no_columns():
    ctx = before("check_shape", pd.DataFrame(index=range(2)))
    with pytest.raises(DataError, match=r"^The file t.csv has no columns; the first row must hold"):
        check_shape(ctx)


def test_header_only_names_the_columns():
    ctx = before("check_shape", table("name,city\n , "))
    with pytest.raises(
        DataError,
        match=r"^The file t.csv has a header row \(name, city\) but no data rows; add at least",
    ):
        check_shape(ctx)


def test_too_many_rows_after_blank_rows_are_dropped():
    frame = table("name\nA\nB\n\nC")
    check_shape(before("check_shape", frame, limits=Limits(max_rows=3)))  # 3 rows + 1 blank
    ctx = before("check_shape", frame, limits=Limits(max_rows=2))
    with pytest.raises(DataError, match=r"^The file has 3 data rows; at most 2 are accepted"):
        check_shape(ctx)
