"""Stage: every column as text without surrounding spaces."""

from __future__ import annotations

from mstatlas.io.context import Context


def normalise_text(ctx: Context) -> None:
    """Trim every column of the file once; later stages read the trimmed text.

    Cells keep their inner spaces; a column without surrounding spaces is kept
    as it is (no copy). The file's own cells stay in ``ctx.frame`` for messages.
    """
    for c in ctx.frame.columns:
        ctx.trimmed(c)
