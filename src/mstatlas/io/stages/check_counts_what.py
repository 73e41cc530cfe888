"""Stage: what each figure counts (cluster firms, network members, ...)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.data.schema import COUNTS_WHAT
from mstatlas.data.validate import counts_what_key
from mstatlas.i18n import _
from mstatlas.io.context import Context
from mstatlas.io.text import repeat_text, take_strings


def check_counts_what(ctx: Context) -> None:
    """Read the kind of figure of a cluster table's rows into ``ctx.counts_what``.

    Values are matched by key or label ("Cluster firms", "cluster_firms"); an
    unknown kind is refused; blank (or a firm list, or no such column) is
    ``"unspecified"``. Each distinct spelling is looked up once.
    """
    ctx.counts_what = repeat_text("unspecified", ctx.frame.index)
    column = ctx.mapping.get("counts_what")
    if not column or ctx.kind != "clusters":
        return
    raw_cw = ctx.texts["counts_what"]
    cw_codes, cw_uniques = pd.factorize(raw_cw)
    cw_keys = [counts_what_key(str(v)) for v in cw_uniques]
    known = np.array([k is not None for k in cw_keys] + [True], dtype=bool)
    bad = ~known[np.where(cw_codes < 0, len(cw_keys), cw_codes)]
    ctx.flag(
        bad,
        column,
        raw_cw,
        lambda v: _(
            "'{v}' is not a kind of figure the atlas knows; use one of {counts_what}"
        ).format(v=v, counts_what=", ".join(COUNTS_WHAT)),
    )
    ctx.reject |= bad
    ctx.counts_what = take_strings(
        [k or "unspecified" for k in cw_keys] + ["unspecified"],
        np.where(cw_codes < 0, len(cw_keys), cw_codes),
        ctx.frame.index,
    )
