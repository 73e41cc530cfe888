"""Stage: a table at all — columns, data rows, not too many of them."""

from __future__ import annotations

from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.context import Context
from mstatlas.io.messages import too_many_rows


def check_shape(ctx: Context) -> None:
    """Refuse a file without columns, without data rows, or with too many rows.

    Raises
    ------
    mstatlas.errors.DataError
        With what to change: name the columns in the first row, add rows below
        the header, or split the file.
    """
    filename = ctx.request.filename
    if not ctx.columns and ctx.geom is None:
        raise DataError(
            _(
                "The file {filename} has no columns; the first row must hold column names (see "
                "the template)."
            ).format(filename=filename)
        )
    if ctx.n > ctx.request.limits.max_rows:
        raise too_many_rows(ctx.n, ctx.request.limits)
    if ctx.n == 0:
        shown = ", ".join(ctx.columns[:8]) + (", …" if len(ctx.columns) > 8 else "")
        raise DataError(
            _(
                "The file {filename} has a header row ({shown}) but no data rows; add at least "
                "one row below the header."
            ).format(filename=filename, shown=shown)
        )
