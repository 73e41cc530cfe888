"""Rows seen in earlier chunks, kept as 128-bit hashes: :class:`SeenKeys`.

Reading a register in chunks, a firm given twice may be given once in one chunk
and again many chunks later; the upload reader refuses the second as a
duplicate of the first. To find it without keeping every name in memory, each
first occurrence is kept as two independent 64-bit hashes of its key and the
row it is on: 24 bytes a row, about 240 MB for ten million firms. Two different
keys are taken as equal only if both hashes collide (odds near 1 in 10**28 for
ten million rows).

Hashes are kept in sorted runs; a run is merged into the one before when it
grows as large, so a lookup searches a handful of runs (binary search) and
adding a chunk costs about its own sort. A bit filter over the first hash
(32 MB) answers "not seen" for most new keys without any search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def row_hashes(parts: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Two independent 64-bit hashes per row over all ``parts``.

    Parameters
    ----------
    parts : sequence
        Equally long columns: Arrow text arrays or NumPy arrays. Missing values
        hash alike; equal values hash alike within one process.

    Returns
    -------
    tuple of numpy.ndarray
        ``(h1, h2)``, uint64.
    """
    import polars as pl  # loaded when first needed: the command line starts faster

    frame = pl.DataFrame([pl.Series(f"p{i}", p) for i, p in enumerate(parts)])
    return (
        frame.hash_rows(seed=0).to_numpy(),
        frame.hash_rows(seed=0x5EED).to_numpy(),
    )


class SeenKeys:
    """Keys of rows already seen, with the row each was first seen on.

    Parameters
    ----------
    filter_bits : int
        Size of the filter that answers "not seen" for most new keys without a
        search: ``2**filter_bits`` bits (default 2**28, 32 MB; about 4 % of new
        keys are searched after ten million).
    """

    def __init__(self, filter_bits: int = 28) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._shift = np.uint64(64 - filter_bits)
        self._filter = np.zeros(1 << max(filter_bits - 6, 0), dtype=np.uint64)

    def __len__(self) -> int:
        return sum(len(h1) for h1, _h2, _r in self._runs)

    def _slots(self, h1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bit = h1 >> self._shift
        return (bit >> np.uint64(6)).astype(np.int64), np.uint64(1) << (bit & np.uint64(63))

    def first_rows(self, h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
        """The row each key was first seen on, or -1 for a key not seen yet."""
        out = np.full(len(h1), -1, dtype=np.int64)
        word, mask = self._slots(h1)
        maybe = np.flatnonzero(self._filter[word] & mask)
        if not len(maybe):
            return out
        maybe = maybe[np.argsort(h1[maybe], kind="stable")]  # sorted queries search faster
        q1, q2 = h1[maybe], h2[maybe]
        for run_h1, run_h2, run_rows in self._runs:
            lo = np.searchsorted(run_h1, q1, side="left")
            hi = np.searchsorted(run_h1, q1, side="right")
            for i in np.flatnonzero(hi > lo).tolist():
                for j in range(int(lo[i]), int(hi[i])):  # nearly always one candidate
                    if run_h2[j] == q2[i]:
                        out[maybe[i]] = run_rows[j]
        return out

    def add(self, h1: np.ndarray, h2: np.ndarray, rows: np.ndarray) -> None:
        """Remember keys not seen before (each once), with their rows."""
        if not len(h1):
            return
        word, mask = self._slots(h1)
        np.bitwise_or.at(self._filter, word, mask)
        order = np.argsort(h1, kind="stable")
        self._runs.append((h1[order], h2[order], np.asarray(rows, np.int64)[order]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            new = self._runs.pop()
            old = self._runs.pop()
            # both runs are sorted: insert the new one into the old, field by field
            at = np.searchsorted(old[0], new[0])
            h1_, h2_, rows_ = (np.insert(o, at, n) for o, n in zip(old, new, strict=True))
            self._runs.append((h1_, h2_, rows_))
