"""Integer group codes for table columns, computed in Arrow (no Python objects per row).

Duplicate checks, geocoding (once per distinct place) and the aggregation of
firm lists all group rows by text. Hashing a million strings is the expensive
part, so each column is hashed once: :func:`text_codes` gives every row a
small integer (equal codes <=> equal text after cleaning), and
:func:`combine_codes` turns several code columns into one key.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mstatlas.data.parallel import run_all

#: Combined keys stay below this, so products of code ranges never overflow int64.
_KEY_LIMIT = 2**62


def arrow_strings(values: pd.Series | Any) -> pa.Array:
    """The text of a column as one Arrow string array (no copy for Arrow-backed text)."""
    if isinstance(values, pa.ChunkedArray):
        arr = one_array(values)
    elif isinstance(values, pa.Array):
        arr = values
    else:
        s = values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")
        arr = pa.array(s.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = one_array(arr)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    return arr


def one_array(arr: pa.ChunkedArray) -> pa.Array:
    """The chunks as one array; a single chunk as it is (``combine_chunks`` would copy it)."""
    return arr.chunk(0) if arr.num_chunks == 1 else arr.combine_chunks()


def _clean(arr: pa.Array, trim: bool, fold: bool) -> pa.Array:
    if trim:
        arr = pc.utf8_trim_whitespace(arr)
        arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr)
    if fold:
        arr = pc.utf8_lower(arr)
    return arr


def text_codes(
    values: pd.Series | Any,
    *,
    fold: bool = False,
    trim: bool = True,
    mostly_distinct: bool = False,
) -> tuple[np.ndarray, list[str]]:
    """Group code per row and the distinct (cleaned) values the codes index.

    Parameters
    ----------
    values : pandas.Series or Arrow array
        Text (other types are compared as text).
    fold : bool
        Compare in lower case (``"Dortmund"`` and ``"dortmund"`` share a code).
    trim : bool
        Ignore surrounding white space; blank text counts as missing.
    mostly_distinct : bool
        Hint for columns such as firm names: clean every row, then hash once.
        Otherwise the column is hashed first and only its distinct values are
        cleaned (much cheaper when values repeat, as cities and countries do).

    Returns
    -------
    tuple
        ``(codes, uniques)``: ``codes`` is int64, ``-1`` for missing; codes
        are numbered in order of first appearance.
    """
    arr = arrow_strings(values)
    if mostly_distinct:
        enc = pc.dictionary_encode(_clean(arr, trim, fold))
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
        return codes.astype(np.int64, copy=False), enc.dictionary.to_pylist()
    enc = pc.dictionary_encode(arr)
    raw = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    if not (trim or fold):
        return raw, enc.dictionary.to_pylist()
    dic = pc.dictionary_encode(_clean(enc.dictionary, trim, fold))
    remap = pc.fill_null(dic.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    # The raw dictionary is in order of first appearance, and encoding its cleaned
    # values keeps that order: the codes stay numbered by first appearance.
    codes = np.where(raw < 0, -1, remap[np.maximum(raw, 0)]) if len(remap) else raw
    return codes, dic.dictionary.to_pylist()


def combine_codes(parts: Sequence[np.ndarray]) -> np.ndarray:
    """One int64 key per row for several code columns (equal keys <=> equal tuples).

    Codes may be -1 (missing), which is a value of its own. Keys are not
    consecutive; they are renumbered only when the next product could overflow.
    """
    acc = np.asarray(parts[0], dtype=np.int64) + 1
    span = int(acc.max(initial=0)) + 1
    for p in parts[1:]:
        q = np.asarray(p, dtype=np.int64) + 1
        width = int(q.max(initial=0)) + 1
        if span * width >= _KEY_LIMIT:
            acc = pd.factorize(acc)[0].astype(np.int64)
            span = int(acc.max(initial=0)) + 1
        acc = acc * width + q
        span *= width
    return acc


def fold_codes(codes: np.ndarray, uniques: Sequence[str]) -> np.ndarray:
    """Codes of :func:`text_codes` merged so that values equal in lower case share one.

    Only the distinct values are lower-cased; -1 (missing) stays -1.
    """
    if not len(uniques):
        return codes
    low = pc.utf8_lower(pa.array(list(uniques), pa.string()))
    remap = pd.factorize(np.asarray(low.to_pylist(), dtype=object))[0].astype(np.int64)
    return np.where(codes < 0, -1, remap[np.maximum(codes, 0)])


#: From this many rows on, :func:`first_duplicates` hashes rows before comparing them.
HASH_ROWS_FROM = 200_000


def hashes_in_one_step() -> bool:
    """Whether :func:`first_duplicates` hashes rows in one call that lets go of the
    interpreter (Polars, once loaded) rather than in numpy, block by block."""
    return "polars" in sys.modules


def _row_hashes(parts: Sequence[pa.Array | np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row over all parts: equal rows, equal hashes.

    Polars hashes every column on all cores, but loading it costs a fresh process
    0.2-0.3 s, more than the hashing itself: it is used only once something else
    has loaded it (the upload page's warm-up); otherwise :func:`row_hashes`.
    """
    if not hashes_in_one_step():
        return row_hashes(parts)
    import polars as pl

    frame = pl.DataFrame([pl.Series(f"p{i}", p) for i, p in enumerate(parts)])
    return frame.hash_rows(seed=0).to_numpy()


#: Odd 64-bit multiplier of the hash mix (the golden ratio's, as in Fibonacci hashing).
_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Hash of a missing text (any constant: hashes only pick rows to compare exactly).
_MISSING_HASH = np.uint64(0x5BD1E9955BD1E995)
#: Per byte count 0..8, the mask keeping that many low bytes of a little-endian word.
_LOW_BYTES = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
#: Rows hashed per block: the block's temporary arrays stay in the CPU cache.
_HASH_BLOCK = 1 << 15


def _mix(h: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``h`` with ``x`` mixed in: ``(h ^ x) * odd`` modulo 2**64, so for a given ``h``
    different ``x`` give different results."""
    h = h ^ x
    h *= _MIX
    return h


def row_hashes(parts: Sequence[pa.Array | np.ndarray]) -> np.ndarray:
    """One 64-bit hash per row over all parts, in numpy (no Polars needed).

    Parameters
    ----------
    parts : sequence
        Equally long columns: Arrow text or integer codes.

    Returns
    -------
    numpy.ndarray
        uint64 per row; rows equal in every part have equal hashes (missing
        text equals missing text). Unequal rows may share a hash, rarely:
        callers compare rows with equal hashes exactly.
    """
    n = len(parts[0]) if len(parts) else 0
    columns = [
        p.astype(np.int64, copy=False).view(np.uint64)
        if isinstance(p, np.ndarray)
        else _TextBytes(arrow_strings(p))
        for p in parts
    ]
    out = np.empty(n, dtype=np.uint64)
    # the first half of the blocks on this thread, the second on another: the
    # hashing is numpy over whole blocks, which lets go of the interpreter
    half = min((n // 2 + _HASH_BLOCK - 1) // _HASH_BLOCK * _HASH_BLOCK, n)
    run_all(
        [
            lambda: _hash_blocks(columns, out, 0, half),
            lambda: _hash_blocks(columns, out, half, n),
        ],
        rows=n,
    )
    return out


def _hash_blocks(
    columns: Sequence[np.ndarray | _TextBytes], out: np.ndarray, start: int, stop: int
) -> None:
    """:func:`row_hashes` of rows ``start..stop-1`` (``start`` at a block's start) into ``out``."""
    # a block of rows at a time, every part: the block's temporaries stay in the CPU cache
    for b in range(start, stop, _HASH_BLOCK):
        e = min(b + _HASH_BLOCK, stop)
        h = np.zeros(e - b, dtype=np.uint64)
        for c in columns:
            h = _mix(h, c[b:e]) if isinstance(c, np.ndarray) else c.hashes(h, b, e)
        out[b:e] = h


def text_hashes(arr: pa.Array) -> np.ndarray:
    """A 64-bit hash of each text of an Arrow string array, from its bytes.

    The bytes are read eight at a time, straight from the array's buffers (no
    Python string is built); equal texts have equal hashes.

    Parameters
    ----------
    arr : pyarrow.Array
        ``string`` or ``large_string``.

    Returns
    -------
    numpy.ndarray
        uint64 per value.
    """
    return row_hashes([arr])


class _TextBytes:
    """The bytes of an Arrow string array, ready to be hashed block by block."""

    def __init__(self, arr: pa.Array) -> None:
        n = len(arr)
        self.offsets = np.zeros(n + 1, dtype=np.int64)
        self.missing = ~np.asarray(arr.is_valid()) if arr.null_count else None
        offsets_buf, data_buf = arr.buffers()[1:3]
        lo = hi = 0
        if n and offsets_buf is not None:
            odt = np.int64 if pa.types.is_large_string(arr.type) else np.int32
            offs = np.frombuffer(offsets_buf, dtype=odt)[arr.offset : arr.offset + n + 1]
            lo, hi = int(offs[0]), int(offs[-1])
            self.offsets = offs.astype(np.int64) - lo
        # a copy padded with 8 zero bytes, so a word read at any text's start stays inside
        pad = np.zeros(hi - lo + 8, dtype=np.uint8)
        if data_buf is not None and hi > lo:
            pad[: hi - lo] = np.frombuffer(data_buf, dtype=np.uint8)[lo:hi]
        #: the 8 bytes starting at every byte position (an unaligned view, no copy)
        self.words = np.ndarray((len(pad) - 7,), dtype="<u8", buffer=pad, strides=(1,))

    def hashes(self, h: np.ndarray, b: int, e: int) -> np.ndarray:
        """``h`` (the hashes of rows ``b..e-1`` so far) with those rows' texts mixed in."""
        o = self.offsets[b : e + 1]
        h = _block_hashes(self.words, h, o[:-1], np.diff(o))
        if self.missing is not None:
            h[self.missing[b:e]] = _MISSING_HASH
        return h


def _block_hashes(
    words: np.ndarray, h: np.ndarray, start: np.ndarray, length: np.ndarray
) -> np.ndarray:
    """``h`` with the texts at byte ``start`` of ``length`` bytes mixed in: the length,
    then each 8-byte word in turn (the last one cut to the text's own bytes)."""
    h = _mix(h, length.astype(np.uint64))
    h = _mix(h, words[start] & _LOW_BYTES[np.minimum(length, 8)])
    at = np.flatnonzero(length > 8)  # the texts longer than the words mixed in so far
    k = 8
    while len(at):
        rest = length[at] - k
        h[at] = _mix(h[at], words[start[at] + k] & _LOW_BYTES[np.minimum(rest, 8)])
        at = at[rest > 8]
        k += 8
    return h


def first_duplicates(parts: Sequence[pa.Array | np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Rows equal to an earlier row in every part, and the position of that earlier row.

    ``parts`` are equally long columns: Arrow text (compared exactly; missing
    equals missing) or integer codes. Each row is hashed once; only rows whose
    hashes collide are compared exactly, so a column of a million mostly
    distinct firm names costs a hash and a sort instead of a dictionary of
    every name.

    Returns
    -------
    tuple
        ``(later, first)``: positions of the rows that repeat an earlier row, in
        order, and for each the position of the first row with the same values.
    """
    none = np.array([], dtype=np.int64)
    n = len(parts[0]) if len(parts) else 0
    if n < 2:
        return none, none
    if n >= HASH_ROWS_FROM:
        hashes = _row_hashes(parts)
        ordered = np.sort(hashes)
        if not (ordered[1:] == ordered[:-1]).any():
            return none, none  # every hash distinct: no two rows are equal
        candidates = np.flatnonzero(pd.Series(hashes).duplicated(keep=False).to_numpy())
    else:
        candidates = np.arange(n)  # small enough to compare every row exactly
    every = len(candidates) == n
    # exact comparison among the candidates, with codes over their own values
    sub_parts = []
    for p in parts:
        if isinstance(p, np.ndarray):
            sub_parts.append(pd.factorize(p if every else p[candidates])[0].astype(np.int64))
        else:
            sub = arrow_strings(p)
            if not every:
                sub = sub.take(pa.array(candidates, pa.int64()))
            sub_parts.append(text_codes(sub, trim=False)[0])
    group, firsts = renumber(combine_codes(sub_parts))
    first_of = firsts[group]  # each candidate's first row with the same values
    later_j = np.flatnonzero(first_of != np.arange(len(group)))
    return candidates[later_j], candidates[first_of[later_j]]


def table_limit(n: int) -> int:
    """Widest key range counted with a table (one slot per possible key) for ``n`` keys;
    wider ranges go through a hash table."""
    return max(4 * n, 1 << 16)


def renumber(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative keys as codes 0..G-1 in order of first appearance, and where each first appears.

    The same as ``pandas.factorize(key)[0]``, counted with a table instead of a
    hash table when the keys are small (cities x countries), which is several
    times faster on a million rows.
    """
    key = np.asarray(key, dtype=np.int64)
    n = len(key)
    span = int(key.max(initial=-1)) + 1
    if span > table_limit(n):
        codes = pd.factorize(key)[0].astype(np.int64)
        first = np.flatnonzero(~pd.Series(codes).duplicated(keep="first").to_numpy())
        return codes, first
    first_at = np.full(span, n, dtype=np.int64)
    np.minimum.at(first_at, key, np.arange(n, dtype=np.int64))
    present = np.flatnonzero(first_at < n)
    first = np.sort(first_at[present])
    remap = np.empty(span, dtype=np.int64)
    remap[key[first]] = np.arange(len(first), dtype=np.int64)
    return remap[key], first


def string_buffers(arr: pa.Array | pa.ChunkedArray) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """The raw text of an Arrow string column, chunk by chunk, without building strings.

    Yields ``(row of the chunk's first value, its n + 1 offsets, its data bytes)``
    for every chunk with at least one value that is not missing; offsets index
    the data bytes.
    """
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    base = 0
    for chunk in chunks:
        n = len(chunk)
        offsets_buf, data_buf = chunk.buffers()[1:3]
        if n and chunk.null_count < n and data_buf is not None and offsets_buf is not None:
            odt = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
            offs: np.ndarray = np.frombuffer(offsets_buf, dtype=odt)[
                chunk.offset : chunk.offset + n + 1
            ]
            yield base, offs, np.frombuffer(data_buf, dtype=np.uint8)
        base += n


def may_need_trim(values: pd.Series | Any) -> bool:
    """Whether trimming white space could change any text of the column.

    Looks only at the first and last byte of each text (no string is built):
    ``False`` means none starts or ends with white space, so trimming is a
    no-op and can be skipped. Conservative: control characters and the space
    count as possible white space, and so does any byte that can start (or end)
    the UTF-8 of a Unicode space such as U+00A0 (:data:`_SPACE_FIRST`,
    :data:`_SPACE_LAST`); an empty text looks at its neighbours' bytes.
    """
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values.array)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return arr.null_count < len(arr)  # not text: let the trimming decide
    for _base, offs, data in string_buffers(arr):
        if not data.size:
            continue  # only empty or missing texts
        first = np.take(data, offs[:-1], mode="clip")
        at = np.flatnonzero((first <= 0x20) | (first >= 0x80))
        if _SPACE_FIRST[first[at]].any():
            return True
        end = offs[1:] - 1
        last = np.take(data, end, mode="clip")
        at = np.flatnonzero((last <= 0x20) | (last >= 0x80))
        if (last[at] <= 0x20).any():
            return True
        # a non-ASCII last byte: also the byte before it must fit a space ("é" ends
        # like U+2029, "à" like U+00A0, but their first bytes differ)
        at = at[_SPACE_LAST[last[at]]]
        if len(at) and _SPACE_BEFORE_LAST[np.take(data, end[at] - 1, mode="clip")].any():
            return True
    return False


def _space_bytes(position: int) -> np.ndarray:
    """Per byte value: can it be the byte at ``position`` (0 first, -1 last, -2 the one
    before) of a Unicode space in UTF-8? ASCII white space and controls always can."""
    out = np.zeros(256, dtype=bool)
    out[:0x21] = True  # control characters and the space
    for cp in _UNICODE_SPACES:
        out[chr(cp).encode("utf-8")[position]] = True
    return out


#: The non-ASCII characters Arrow's (and Python's) trimming removes: U+0085, U+00A0,
#: U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (and U+180E, once one).
_UNICODE_SPACES = (
    0x85,
    0xA0,
    0x1680,
    0x180E,
    *range(0x2000, 0x200B),
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
)
_SPACE_FIRST = _space_bytes(0)
_SPACE_LAST = _space_bytes(-1)
_SPACE_BEFORE_LAST = _space_bytes(-2)
