"""Stage: each row's position from its coordinates, checked."""

from __future__ import annotations

import numpy as np

from mstatlas.i18n import _
from mstatlas.io.context import Context


def check_coordinates(ctx: Context) -> None:
    """Set ``ctx.lat``/``ctx.lon`` from the lat/lon columns (GeoJSON geometry wins).

    A row with only one of the two is refused (the person fills both, or leaves
    both empty to place the row by its city); so is a latitude beyond ±90 or a
    longitude beyond ±180. ``ctx.bad_position`` keeps these rows: a position set
    by hand lifts their refusal.
    """
    lat, lon = ctx.numbers["lat"].copy(), ctx.numbers["lon"].copy()
    if ctx.geom is not None:
        has_geom = ctx.geom["lat"].notna()
        lat = lat.where(~has_geom, ctx.geom["lat"])
        lon = lon.where(~has_geom, ctx.geom["lon"])
    lat_c = ctx.lat_column = ctx.mapping.get("lat") or "geometry"
    lon_c = ctx.lon_column = ctx.mapping.get("lon") or "geometry"
    # in numpy: a million rows without coordinates (a firm list) cost no pandas passes
    la = lat.to_numpy("float64", na_value=np.nan)
    lo = lon.to_numpy("float64", na_value=np.nan)
    lat_missing = np.isnan(la)
    one_missing = (lat_missing ^ np.isnan(lo)) & ~ctx.reject
    for missing_mask, column in (
        (one_missing & lat_missing, lat_c),
        (one_missing & ~lat_missing, lon_c),
    ):
        ctx.flag(
            missing_mask,
            column,
            None,
            lambda v: _(
                "only one of latitude and longitude is given; fill both or leave both empty to "
                "place the row by its city"
            ),
        )
    ctx.reject |= one_missing
    with np.errstate(invalid="ignore"):  # NaN compares False: no position is not a bad one
        bad_lat = np.abs(la) > 90
        bad_lon = np.abs(lo) > 180
    ctx.flag(
        bad_lat,
        lat_c,
        lat,
        lambda v: _("latitude {v} is impossible (must be between -90 and 90)").format(v=v),
    )
    ctx.flag(
        bad_lon & ~bad_lat,
        lon_c,
        lon,
        lambda v: _("longitude {v} is impossible (must be between -180 and 180)").format(v=v),
    )
    ctx.reject |= bad_lat | bad_lon
    ctx.lat, ctx.lon = lat, lon
    ctx.bad_position = one_missing | bad_lat | bad_lon
