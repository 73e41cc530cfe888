"""Stage: positions outside Europe are worth a second look."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.data.validate import EUROPE_WINDOW, Problem
from mstatlas.i18n import _
from mstatlas.io.context import Context


def warn_outside_europe(ctx: Context) -> None:
    """Warn (not refuse) for positions outside :data:`~mstatlas.data.validate.EUROPE_WINDOW`.

    The warning hints that latitude and longitude look swapped when swapping
    them would put the row inside.
    """
    lat, lon = ctx.lat, ctx.lon
    (la0, la1), (lo0, lo1) = EUROPE_WINDOW["lat"], EUROPE_WINDOW["lon"]
    inside = lat.between(la0, la1) & lon.between(lo0, lo1)
    swapped_inside = lon.between(la0, la1) & lat.between(lo0, lo1)
    outside = (lat.notna() & lon.notna() & ~inside).to_numpy(bool) & ~ctx.reject
    out_idx = np.flatnonzero(outside)
    coord_text = pd.Series("", index=ctx.frame.index, dtype="object")
    if len(out_idx):  # text for the flagged rows only: float-to-text is slow
        coord_text.iloc[out_idx] = (
            lat.iloc[out_idx].astype("string") + ", " + lon.iloc[out_idx].astype("string")
        ).to_numpy(dtype=object)
    swap_np = swapped_inside.to_numpy(bool)
    for i in map(int, out_idx):
        reason = (
            _("the position is outside Europe; latitude and longitude look swapped")
            if swap_np[i]
            else _(
                "the position is outside Europe; check the coordinates if the cluster is in Europe"
            )
        )
        ctx.problems.append(
            Problem(
                int(ctx.rows[i]),
                ctx.lat_column,
                str(coord_text.iloc[i]),
                reason,
                "warning",
            )
        )
