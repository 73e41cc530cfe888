"""Stage: positions outside Europe are worth a second look."""

from __future__ import annotations

import numpy as np

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
    la = lat.to_numpy("float64", na_value=np.nan)
    lo = lon.to_numpy("float64", na_value=np.nan)
    # comparisons with NaN are False: a row without a position is neither inside nor out
    inside = (la >= la0) & (la <= la1) & (lo >= lo0) & (lo <= lo1)
    outside = ~np.isnan(la) & ~np.isnan(lo) & ~inside & ~ctx.reject
    out_idx = np.flatnonzero(outside)
    # text for the flagged rows only: float-to-text is slow
    coord_text = (
        lat.iloc[out_idx].astype("string") + ", " + lon.iloc[out_idx].astype("string")
    ).tolist()
    swap_np = (lo >= la0) & (lo <= la1) & (la >= lo0) & (la <= lo1)
    for i, text in zip(map(int, out_idx), coord_text, strict=True):
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
                str(text),
                reason,
                "warning",
            )
        )
