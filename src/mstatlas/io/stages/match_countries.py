"""Stage: countries as people write them, read as ISO codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.data.countries import country_to_iso2
from mstatlas.i18n import _
from mstatlas.io.context import Context
from mstatlas.io.text import take_strings


def match_countries(ctx: Context) -> None:
    """Set ``ctx.iso`` (and its group codes) from the country column.

    Each distinct spelling is looked up once (:func:`~mstatlas.data.countries.country_to_iso2`);
    a country the atlas does not recognise is a warning and the row is placed
    without it. Without a country column every row's country is missing (geocoding
    may fill it).
    """
    ctx.iso = ctx.missing_text()
    ctx.iso_codes = np.full(ctx.n, -1, dtype=np.int64)
    ctx.iso_uniques = []
    column = ctx.mapping.get("country")
    if not column:
        return
    ctext = ctx.texts["country"]
    ccodes, cuniques = ctx.codes("country")
    iso_of = [country_to_iso2(str(u)) for u in cuniques]
    iso_lut, iso_index = pd.factorize(pd.Series(iso_of, dtype=object))
    ctx.iso_uniques = [str(v) for v in iso_index]
    ctx.iso_codes = np.append(iso_lut.astype(np.int64), -1)[ccodes]  # code -1 stays -1
    if iso_of == cuniques and ctext.dtype == pd.StringDtype("pyarrow"):
        ctx.iso = ctext.copy(deep=False)  # every spelling is its ISO code: the same texts
    else:
        ctx.iso = take_strings(ctx.iso_uniques, ctx.iso_codes, ctx.frame.index)
    unknown = (ccodes >= 0) & (ctx.iso_codes < 0) & ~ctx.reject
    ctx.flag(
        unknown,
        column,
        ctext,
        lambda v: _(
            "'{v}' is not a country the atlas recognises (write e.g. Germany, Deutschland or "
            "DE); the row was placed without it"
        ).format(v=v),
        "warning",
    )
