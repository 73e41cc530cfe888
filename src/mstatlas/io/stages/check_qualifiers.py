"""Stage: how each count is stated — about, more than, at least, up to."""

from __future__ import annotations

import pandas as pd

from mstatlas.data.schema import QUALIFIERS
from mstatlas.i18n import _
from mstatlas.io.context import Context

#: Qualifier field -> the numeric field it qualifies.
QUALIFIED = (("firms_qualifier", "firms"), ("employees_qualifier", "employees"))


def check_qualifiers(ctx: Context) -> None:
    """Set ``ctx.qualifiers`` for the firm and employee counts.

    A qualifier column wins over a qualifier written with the number ("ca. 50");
    its values are read case-blind with spaces or hyphens as "_" ("More than" ->
    ``more_than``); anything else is refused.
    """
    for fld, numfld in QUALIFIED:
        q = ctx.number_qualifiers.get(numfld)
        if q is None:
            q = ctx.missing_text()
        column = ctx.mapping.get(fld)
        if column:
            given = ctx.texts[fld].str.lower().str.replace(r"[\s-]+", "_", regex=True)
            bad = (given.notna() & ~given.isin([k for k in QUALIFIERS if k])).to_numpy(bool)
            ctx.flag(
                bad,
                column,
                ctx.texts[fld],
                lambda v: _(
                    "'{v}' is not a qualifier; use about, more_than, at_least, up_to or leave it "
                    "blank"
                ).format(v=v),
            )
            ctx.reject |= bad
            q = given.where(given.notna() & ~pd.Series(bad, index=ctx.frame.index), q)
        ctx.qualifiers[fld] = q
