"""Stage: positions the person set by hand."""

from __future__ import annotations

import numpy as np

from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.context import Context


def apply_overrides(ctx: Context) -> None:
    """Place rows where the person put them (``Request.overrides``, by row number).

    A hand-set position replaces the file's coordinates (and geocoding); a row
    refused only for its position is imported again and its position problems
    are dropped. Row numbers not in the file are ignored. Sets ``ctx.overridden``.

    Raises
    ------
    mstatlas.errors.DataError
        When a position set by hand is impossible.
    """
    ctx.overridden = np.zeros(ctx.n, dtype=bool)
    for r, (olat, olon) in ctx.request.overrides.items():
        hits = np.flatnonzero(ctx.rows == int(r))
        if not len(hits):
            continue
        i = int(hits[0])
        if not (-90 <= float(olat) <= 90 and -180 <= float(olon) <= 180):
            raise DataError(
                _(
                    "The corrected position for row {r} ({olat}, {olon}) is impossible; latitude "
                    "must be within ±90 and longitude within ±180."
                ).format(r=r, olat=olat, olon=olon)
            )
        ctx.lat.iat[i], ctx.lon.iat[i] = float(olat), float(olon)
        ctx.overridden[i] = True
        if ctx.bad_position[i]:
            ctx.reject[i] = bool(ctx.pre_rejected[i])
            position = (ctx.lat_column, ctx.lon_column)
            ctx.problems = [p for p in ctx.problems if not (p.row == r and p.column in position)]
