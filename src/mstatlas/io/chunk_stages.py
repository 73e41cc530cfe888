"""The upload stages as they run on one chunk of a large file (:func:`chunk_stages`).

A chunk runs the stages of :data:`mstatlas.io.pipeline.STAGES` in the same
order, with three differences, each for what only the whole file can decide:

* duplicates: before ``find_duplicates`` a row whose key was already seen in an
  earlier chunk is refused as a repeat of that row; after it, the keys of the
  chunk's first occurrences are remembered (:class:`~mstatlas.io.seen_keys.SeenKeys`);
* the stages that build the cluster table from every row
  (``tabulate_clusters``, ``assign_cluster_ids``, ``profile_facts``) are left
  to the caller, which builds it once from all chunks;
* a chunk holding only blank lines stops after ``drop_blank_rows`` (the file's
  rows are counted over all chunks, so ``check_shape`` refuses a file without
  data rows only when every chunk is blank: the caller's part).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mstatlas.data.codes import arrow_strings
from mstatlas.io.context import Context
from mstatlas.io.pipeline import STAGES, Stage
from mstatlas.io.seen_keys import SeenKeys, row_hashes
from mstatlas.io.stages.find_duplicates import duplicate_key, duplicate_problem

#: Stages the caller runs once over the whole file instead of once per chunk.
WHOLE_FILE_STAGES = ("tabulate_clusters", "assign_cluster_ids", "profile_facts")


class _EarlierChunks:
    """The two steps around ``find_duplicates`` that look beyond the chunk."""

    def __init__(self, seen: SeenKeys) -> None:
        self.seen = seen
        self._candidates = np.zeros(0, dtype=np.int64)
        self._hashes = (np.zeros(0, np.uint64), np.zeros(0, np.uint64))

    def refuse_repeats(self, ctx: Context) -> None:
        """Refuse rows repeating a row of an earlier chunk (as ``find_duplicates`` words it)."""
        ok_idx = np.flatnonzero(~ctx.reject)
        self._candidates = ok_idx
        if not len(ok_idx):
            return
        parts = [p.take(pa.array(ok_idx)) for p in key_values(ctx)]
        self._hashes = h1, h2 = row_hashes(parts)
        earlier = self.seen.first_rows(h1, h2) if len(self.seen) else np.full(len(h1), -1)
        hits = np.flatnonzero(earlier >= 0)
        if not len(hits):
            return
        reason = duplicate_key(ctx)[1]
        for j in hits.tolist():
            pos = int(ok_idx[j])
            ctx.problems.append(duplicate_problem(ctx, pos, int(earlier[j]), reason))
            ctx.reject[pos] = True

    def remember(self, ctx: Context) -> None:
        """Remember the keys of the rows still in: the chunk's first occurrences."""
        ok_idx = self._candidates
        new = ~ctx.reject[ok_idx]
        h1, h2 = self._hashes
        self.seen.add(h1[new], h2[new], ctx.rows[ok_idx[new]])


def key_values(ctx: Context) -> list[Any]:
    """The duplicate key of :func:`~mstatlas.io.stages.find_duplicates.duplicate_key` as
    values comparable between chunks (its integer codes hold only within one).

    Returns
    -------
    list of pyarrow.Array
        One array per part, over all rows of the chunk: two rows have equal
        values in every part exactly when ``duplicate_key`` gives them equal parts.
    """
    name = pc.utf8_lower(arrow_strings(ctx.name))
    city = pc.utf8_lower(arrow_strings(ctx.texts["city"]))
    if ctx.kind != "clusters":
        return [name, city, arrow_strings(ctx.iso)]
    parts: list[Any] = [name, city]
    for fld in ("year", "firms", "employees"):
        x = ctx.numbers[fld].to_numpy(dtype="float64", na_value=np.nan) + 0.0  # -0.0 is 0.0
        parts.append(pa.array(x, from_pandas=True))  # NaN as missing: all missing alike
    if ctx.mapping.get("counts_what"):
        parts.append(arrow_strings(ctx.counts_what))
    if ctx.mapping.get("scope"):
        parts.append(pc.utf8_lower(arrow_strings(ctx.texts["scope"])))
    return parts


class ChunkStages(NamedTuple):
    """The stages of one chunk: reading its rows, then checking them."""

    #: ``normalise_text`` and ``drop_blank_rows``: what a chunk is before any mapping
    head: tuple[Stage, ...]
    #: every later stage, up to ``build_report``
    rest: tuple[Stage, ...]

    def run(self, ctx: Context) -> bool:
        """Run :attr:`rest` over a chunk :attr:`head` has run over.

        Returns
        -------
        bool
            Whether the chunk had data rows (otherwise nothing ran).
        """
        if ctx.n == 0:
            return False
        for stage in self.rest:
            stage.run(ctx)
        return True


def chunk_stages(seen: SeenKeys) -> ChunkStages:
    """The stages one chunk runs, in order, sharing ``seen`` with the other chunks.

    Parameters
    ----------
    seen : SeenKeys
        Keys of the rows imported so far (first occurrences), from earlier chunks.

    Returns
    -------
    ChunkStages
        :data:`~mstatlas.io.pipeline.STAGES` without :data:`WHOLE_FILE_STAGES`,
        with the duplicate check extended to earlier chunks, split after
        ``drop_blank_rows``.
    """
    earlier = _EarlierChunks(seen)
    out: list[Stage] = []
    for stage in STAGES:
        if stage.name in WHOLE_FILE_STAGES:
            continue
        if stage.name == "find_duplicates":
            out.append(Stage("repeats_of_earlier_chunks", earlier.refuse_repeats))
            out.append(stage)
            out.append(Stage("remember_first_occurrences", earlier.remember))
        else:
            out.append(stage)
    cut = [s.name for s in out].index("drop_blank_rows") + 1
    return ChunkStages(tuple(out[:cut]), tuple(out[cut:]))
