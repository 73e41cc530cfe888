from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from mstatlas.io.text import (
    arrow_text,
    as_strings,
    fill_text,
    nonempty,
    null_strings,
    take_strings,
    to_numpy_mask,
)


def test_arrow_text_converts_numbers_and_keeps_missing():
    assert arrow_text(pd.Series([1, None, 2.5])).to_pylist() == ["1.0", None, "2.5"]


def test_as_strings_and_null_strings():
    s = as_strings(pa.chunked_array([pa.array(["a"]), pa.array(["b"])]), pd.RangeIndex(2))
    assert s.tolist() == ["a", "b"] and str(s.dtype) == "string"
    assert as_strings(null_strings(3), pd.RangeIndex(3)).isna().all()


def test_take_strings_with_missing_codes_and_values():
    s = take_strings(["DE", None, "FR"], np.array([2, -1, 1, 0]), pd.RangeIndex(4))
    assert s.tolist()[0] == "FR" and s.tolist()[3] == "DE"
    assert s.isna().tolist() == [False, True, True, False]


def test_fill_text_and_nonempty():
    s = pd.Series(["a", None, ""], dtype="string")
    assert fill_text(s, "x").tolist() == ["a", "x", ""]
    assert nonempty(s).tolist() == [True, False, False]


def test_to_numpy_mask_reads_null_as_false():
    assert to_numpy_mask(pa.array([True, None, False])).tolist() == [True, False, False]


def test_lower_text_lowers_ascii_and_other_letters():
    from mstatlas.io.text import lower_text

    assert lower_text(pa.array(["Firm A", None, ""])).to_pylist() == ["firm a", None, ""]
    # one letter beyond ASCII: the Unicode lowering, for every value
    assert lower_text(pa.array(["ÖL AG", "Firm B"])).to_pylist() == ["öl ag", "firm b"]
    sliced = pa.array(["ÄÖ", "ABC"], pa.large_string())[1:]
    assert lower_text(sliced).to_pylist() == ["abc"]


def test_repeat_text_and_fill_text_of_a_column_without_any_text():
    from mstatlas.io.text import repeat_text

    s = repeat_text("Über", pd.RangeIndex(3))
    assert s.tolist() == ["Über"] * 3 and s.dtype == pd.StringDtype("pyarrow")
    assert repeat_text("x", pd.RangeIndex(0)).tolist() == []
    missing = as_strings(null_strings(2), pd.RangeIndex(2))
    assert fill_text(missing, "Uploaded file a.csv").tolist() == ["Uploaded file a.csv"] * 2
