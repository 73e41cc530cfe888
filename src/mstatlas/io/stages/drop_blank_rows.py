"""Stage: blank rows are not data."""

from __future__ import annotations

import numpy as np

from mstatlas.io.context import Context
from mstatlas.io.text import nonempty


def drop_blank_rows(ctx: Context) -> None:
    """Drop rows whose every cell is empty or white space (and that have no geometry).

    Their number goes to ``ctx.n_blank``; the remaining rows keep the row numbers
    a person sees. Rows refused while reading start ``ctx.reject``.
    """
    filled = np.zeros(len(ctx.frame), dtype=bool)
    for c in ctx.frame.columns:
        filled |= nonempty(ctx.trimmed(c))
        if filled.all():
            break  # a column filled in every row: no row is blank, whatever the others hold
    if ctx.geom is not None:
        filled |= ctx.geom["lat"].notna().to_numpy()
    ctx.n_blank = int((~filled).sum())
    if ctx.n_blank:  # copying a million-row frame only when something is dropped
        _keep(ctx, filled)
    ctx.reject = ctx.pre_rejected.copy()


def _keep(ctx: Context, keep: np.ndarray) -> None:
    """Keep the rows in ``keep`` in every row-aligned field."""
    ctx.frame = ctx.frame[keep].reset_index(drop=True)
    ctx.rows = ctx.rows[keep]
    if ctx.geom is not None:
        ctx.geom = ctx.geom[keep].reset_index(drop=True)
    ctx.pre_rejected = ctx.pre_rejected[keep]
    for c in list(ctx.trimmed_text):
        ctx.trimmed_text[c] = ctx.trimmed_text[c][keep].reset_index(drop=True)
