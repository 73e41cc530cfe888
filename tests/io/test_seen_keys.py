"""Keys seen in earlier chunks (mstatlas.io.seen_keys)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from mstatlas.io.seen_keys import SeenKeys, row_hashes


def test_equal_rows_hash_alike_and_missing_values_are_equal():
    names = pa.array(["a", "b", None, "a", None])
    cities = pa.array(["x", "x", "y", "x", "y"])
    h1, h2 = row_hashes([names, cities])
    assert h1[0] == h1[3] and h2[0] == h2[3] and h1[2] == h1[4]
    assert len({(int(a), int(b)) for a, b in zip(h1, h2)}) == 3
    assert not (h1 == h2).all()  # two independent hashes


@pytest.mark.parametrize("filter_bits", [28, 6])  # 6: the filter lets nearly every key through
def test_first_rows_across_many_additions(filter_bits):
    seen = SeenKeys(filter_bits)
    rng = np.random.default_rng(1)
    keys = rng.integers(0, 2**64 - 1, 10_000, dtype=np.uint64, endpoint=True)
    for start in range(0, 10_000, 700):  # runs of different sizes merge
        part = keys[start : start + 700]
        seen.add(part, part * 3, np.arange(start, start + len(part)) + 2)
    assert len(seen) == 10_000
    ask = np.array([keys[0], keys[9_999], keys[0] + 1, keys[5]], dtype=np.uint64)
    h2 = ask * 3
    h2[3] += 1  # the first hash matches, the second does not: a different key
    assert seen.first_rows(ask, h2).tolist() == [2, 10_001, -1, -1]
    assert SeenKeys().first_rows(ask, h2).tolist() == [-1] * 4
