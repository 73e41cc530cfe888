"""Stage: source links are web addresses, nothing else."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.i18n import _
from mstatlas.io.context import Context


def check_links(ctx: Context) -> None:
    """Set ``ctx.url``: source links starting with http:// or https://.

    Any other link (a ``javascript:`` link in a popup would run code) is left out
    with a warning; the row itself is imported.
    """
    url = ctx.texts["source_url"]
    column = ctx.mapping.get("source_url")
    bad_url = np.zeros(ctx.n, dtype=bool)
    if column:
        bad_url = (url.notna() & ~url.str.match(r"(?i)https?://").fillna(False)).to_numpy(bool)
    ctx.flag(
        bad_url,
        column,
        url,
        lambda v: _(
            "'{v}' is not a web address starting with http:// or https://; the link was left out"
        ).format(v=v[:60]),
        "warning",
    )
    if bad_url.any():
        url = url.mask(pd.Series(bad_url, index=ctx.frame.index))
    ctx.url = url
