"""Where to put the map so a box of the world fills it (Web Mercator, as Leaflet draws)."""

from __future__ import annotations

import math

#: Leaflet's tile size: the whole world is 256 * 2**zoom pixels wide.
TILE = 256
#: Zoom levels the atlas opens at when fitting a box.
MIN_ZOOM, MAX_ZOOM = 3, 10


def _mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude, in units of the world's width (0 at the equator)."""
    s = math.sin(math.radians(max(-85.0, min(85.0, lat))))
    return math.log((1 + s) / (1 - s)) / (4 * math.pi)


def view_for_bounds(
    bounds: tuple[tuple[float, float], tuple[float, float]],
    width_px: int = 800,
    height_px: int = 560,
) -> tuple[float, float, int]:
    """The ``(lat, lon, zoom)`` showing a ``((south, west), (north, east))`` box whole.

    Parameters
    ----------
    bounds : ((float, float), (float, float))
        South-west and north-east corners in degrees.
    width_px, height_px : int
        The map's size on screen.

    Returns
    -------
    (float, float, int)
        The box's centre (the latitude halfway in Mercator, as on screen, 4
        decimals) and the largest whole zoom from :data:`MIN_ZOOM` to
        :data:`MAX_ZOOM` at which the box fits.

    Examples
    --------
    >>> view_for_bounds(((47.3, 5.9), (55.1, 15.0)))  # Germany
    (51.3657, 10.45, 5)
    """
    (south, west), (north, east) = bounds
    if south > north or west > east:
        raise ValueError(f"Not a box: south-west {bounds[0]} lies beyond north-east {bounds[1]}.")
    y0, y1 = _mercator_y(south), _mercator_y(north)
    mid_y = (y0 + y1) / 2
    lat = math.degrees(2 * math.atan(math.exp(mid_y * 2 * math.pi)) - math.pi / 2)
    zooms = [MAX_ZOOM]
    if east > west:
        zooms.append(math.floor(math.log2(width_px * 360 / (TILE * (east - west)))))
    if y1 > y0:
        zooms.append(math.floor(math.log2(height_px / (TILE * (y1 - y0)))))
    zoom = max(MIN_ZOOM, min(zooms))
    return round(lat, 4), round((west + east) / 2, 4), int(zoom)
