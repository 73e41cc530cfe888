"""Stage: the report — every data row imported or listed with a reason."""

from __future__ import annotations

from mstatlas.data.validate import ValidationReport
from mstatlas.io.context import Context


def build_report(ctx: Context) -> None:
    """Set ``ctx.report``: counts, and the problems in row order, errors first.

    ``n_imported + n_rejected == n_rows``; blank rows are counted apart.
    """
    n_rejected = int(ctx.reject.sum())
    ctx.problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.severity != "error"))
    ctx.report = ValidationReport(
        n_rows=ctx.n,
        n_imported=ctx.n - n_rejected,
        n_rejected=n_rejected,
        problems=ctx.problems,
        n_blank=ctx.n_blank,
    )
