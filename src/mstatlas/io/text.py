"""Text columns over Arrow memory: the small conversions the stages share.

A million-row column is cheap as an Arrow string array and expensive as a million
Python strings; these helpers keep text in Arrow from end to end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mstatlas.data.codes import arrow_strings, one_array, string_buffers


def arrow_text(s: pd.Series) -> pa.Array:
    """The Arrow array behind a text column (converted to text first if needed).

    Parameters
    ----------
    s : pandas.Series
        Any column; non-text values are converted to text, missing ones stay null.

    Returns
    -------
    pyarrow.Array
        The column's strings.
    """
    return pa.array(s.astype("string").array)


def as_strings(arr: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """An Arrow string array as a pandas ``string`` column (no Python objects).

    Parameters
    ----------
    arr : pyarrow.Array or pyarrow.ChunkedArray
        Strings (any Arrow string type).
    index : pandas.Index
        Index of the new column (as long as ``arr``).

    Returns
    -------
    pandas.Series
        A ``string`` column backed by the same text.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = one_array(arr)
    return pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([arr.cast(pa.large_string())])), index=index
    )


def null_strings(n: int) -> pa.Array:
    """An Arrow string array of ``n`` missing values."""
    return pa.nulls(n, pa.large_string())


def take_strings(lut: Sequence[str | None], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``lut[codes]`` as a ``string`` column; code -1 gives NA.

    Parameters
    ----------
    lut : sequence of str or None
        The distinct values; anything that is not a ``str`` counts as missing.
    codes : numpy.ndarray
        One position into ``lut`` per row (-1: missing).
    index : pandas.Index
        Index of the new column.

    Returns
    -------
    pandas.Series
        A ``string`` column.

    Examples
    --------
    >>> take_strings(["DE", "FR"], np.array([1, -1, 0]), pd.RangeIndex(3)).tolist()
    ['FR', <NA>, 'DE']
    """
    table = pa.array([v if isinstance(v, str) else None for v in lut] + [None], pa.large_string())
    pos = np.where(codes < 0, len(lut), codes)
    return as_strings(table.take(pa.array(pos, pa.int64())), index)


def take_categories(lut: Sequence[str | None], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``lut[codes]`` as a categorical column; code -1 (or a missing text) gives NaN.

    For a column of few distinct texts over many rows (each geocoded row's match
    and status): each row holds a small code, no text is copied per row. Equal
    texts of ``lut`` become one category.

    Examples
    --------
    >>> take_categories(["ok", None, "ok"], np.array([2, 1, -1, 0]), pd.RangeIndex(4)).tolist()
    ['ok', nan, nan, 'ok']
    """
    cat_of, categories = pd.factorize(pd.Series(list(lut), dtype=object))
    # code -1 of a row: no category; the smallest integers that hold the categories
    cat_of = np.append(cat_of, -1).astype(np.int16 if len(categories) < 2**15 else np.int32)
    codes_ = pd.Categorical.from_codes(cat_of[codes], categories, validate=False)
    return pd.Series(codes_, index=index)


def lower_text(arr: pa.Array) -> pa.Array:
    """``pyarrow.compute.utf8_lower``, with the ASCII kernel when every byte is ASCII.

    The two give the same text for ASCII; the ASCII one is several times faster,
    and telling whether any byte is non-ASCII is one scan of the data bytes.

    Examples
    --------
    >>> lower_text(pa.array(["Firm A", "ÖL AG", None])).to_pylist()
    ['firm a', 'öl ag', None]
    """
    ascii_only = all(not (data >= 0x80).any() for _b, _o, data in string_buffers(arr))
    return pc.ascii_lower(arr) if ascii_only else pc.utf8_lower(arr)


def repeat_text(value: str, index: pd.Index) -> pd.Series:
    """A ``string`` column holding ``value`` in every row, its bytes laid out at once.

    ``pd.Series(value, index=index, dtype="string")`` gives the same column but
    converts ``value`` once per row.

    Examples
    --------
    >>> repeat_text("unspecified", pd.RangeIndex(2)).tolist()
    ['unspecified', 'unspecified']
    """
    n = len(index)
    data = value.encode("utf-8")
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))
    return as_strings(arr, index)


def fill_text(s: pd.Series, value: str) -> pd.Series:
    """Missing cells of a text column set to ``value`` (in Arrow, no Python strings)."""
    if len(s) and s.isna().all():
        return repeat_text(value, s.index)  # nothing to keep (a column the file has not)
    arr = arrow_strings(s)
    return as_strings(pc.fill_null(arr, pa.scalar(value, arr.type)), s.index)


def blank_as_missing(s: pd.Series) -> pd.Series:
    """Empty texts of a text column as NA, in Arrow (``s.mask(s == "", pd.NA)`` without
    pandas' masking, which is slow on a column with many blanks).

    Parameters
    ----------
    s : pandas.Series
        Text (others are converted to text).

    Returns
    -------
    pandas.Series
        A ``string`` column: NA where ``s`` is empty or missing, else its text.

    Examples
    --------
    >>> blank_as_missing(pd.Series(["a", "", None], dtype="string")).tolist()
    ['a', <NA>, <NA>]
    """
    arr = arrow_strings(s)
    empty = pc.equal(arr, "")
    if not pc.any(empty).as_py() and isinstance(s.dtype, pd.StringDtype):
        return s.copy(deep=False)  # nothing to set: the same text, no new memory
    return as_strings(pc.if_else(empty, pa.scalar(None, arr.type), arr), s.index)


def nonempty(s: pd.Series) -> np.ndarray:
    """Cells of a trimmed text column that hold something (not NA, not empty).

    Returns
    -------
    numpy.ndarray
        A boolean mask, one value per row.
    """
    filled = pc.greater(pc.binary_length(arrow_text(s)), 0)
    return np.asarray(pc.fill_null(filled, False).to_numpy(zero_copy_only=False), dtype=bool)


def to_numpy_mask(arr: Any) -> np.ndarray:
    """An Arrow boolean array as a numpy mask, null read as ``False``."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)
