"""Stage: every column as text without surrounding spaces."""

from __future__ import annotations

from functools import partial

from mstatlas.data.parallel import run_all
from mstatlas.io.context import Context, trim_text


def normalise_text(ctx: Context) -> None:
    """Trim every column of the file once; later stages read the trimmed text.

    Cells keep their inner spaces; a column without surrounding spaces is kept
    as it is (no copy). The file's own cells stay in ``ctx.frame`` for messages.
    A large file's columns are trimmed two at a time (Arrow and numpy work).
    """
    todo = [c for c in ctx.frame.columns if c not in ctx.trimmed_text]
    columns = [ctx.frame[c] for c in todo]
    trimmed = run_all([partial(trim_text, s) for s in columns], rows=ctx.n)
    ctx.trimmed_text.update(zip(todo, trimmed, strict=True))
