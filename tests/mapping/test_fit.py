"""Fitting a box of the world into the map: centre and zoom as Leaflet would show them."""

from __future__ import annotations

import math

import pytest

from mstatlas.mapping.fit import MAX_ZOOM, MIN_ZOOM, TILE, _mercator_y, view_for_bounds


def _fits(bounds, zoom, width=800, height=560):
    (s, w), (n, e) = bounds
    world = TILE * 2**zoom
    return (e - w) / 360 * world <= width and (_mercator_y(n) - _mercator_y(s)) * world <= height


@pytest.mark.parametrize(
    "bounds",
    [((47.3, 5.9), (55.1, 15.0)), ((50.8, 3.3), (53.5, 7.2)), ((36.0, -9.5), (43.8, 3.3))],
)
def test_the_box_fits_at_the_zoom_and_not_one_closer(bounds):
    lat, lon, zoom = view_for_bounds(bounds)
    assert _fits(bounds, zoom)
    assert zoom == MAX_ZOOM or not _fits(bounds, zoom + 1)
    (s, w), (n, e) = bounds
    assert lon == pytest.approx((w + e) / 2) and s < lat < n


def test_centre_latitude_is_halfway_on_screen_not_in_degrees():
    lat, _, _ = view_for_bounds(((40.0, 0.0), (60.0, 10.0)))
    # Mercator stretches the north: the screen's middle lies north of 50 degrees
    assert 50.5 < lat < 52.0
    y = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    y0 = math.log(math.tan(math.pi / 4 + math.radians(40) / 2))
    y1 = math.log(math.tan(math.pi / 4 + math.radians(60) / 2))
    assert y == pytest.approx((y0 + y1) / 2, abs=1e-4)


def test_a_point_or_a_tiny_box_opens_at_the_closest_zoom_and_the_world_at_the_widest():
    assert view_for_bounds(((51.5, 7.4), (51.5, 7.4)))[2] == MAX_ZOOM
    assert view_for_bounds(((-80.0, -180.0), (80.0, 180.0)))[2] == MIN_ZOOM


def test_a_box_inside_out_is_refused():
    with pytest.raises(ValueError, match="Not a box"):
        view_for_bounds(((55.0, 5.0), (47.0, 15.0)))
