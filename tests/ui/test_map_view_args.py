"""What the map component is told about the view's position, run by run."""

from __future__ import annotations

from mstatlas.ui.components import map_view_args

X = (51.5136, 7.4653, 6)
Y = (48.1, 11.6, 8)
Z = (45.19, 5.72, 6)


def _close(a, b) -> bool:
    return all(abs(x - y) < 1e-5 for x, y in zip(a, b, strict=True))


def test_first_run_passes_the_view():
    assert map_view_args(X, None, None) == X
    assert map_view_args((None, None, None), None, None) == (None, None, None)


def test_panning_leaves_the_arguments_alone():
    # the map reported Y, the view followed: the component message stays identical
    assert map_view_args(Y, X, Y) == X
    assert map_view_args((None, None, None), (None, None, None), None) == (None, None, None)


def test_a_view_changed_from_outside_moves_the_map():
    args = map_view_args(Z, X, Y)  # e.g. the next presentation slide
    assert args[:2] == Z[:2]
    # the zoom equals the one given before: it is nudged, or the component would skip it
    assert args[2] != X[2] and abs(args[2] - Z[2]) < 1e-5


def test_the_same_target_again_after_panning_still_moves_the_map():
    # given X, the person panned to Y, then X is asked for again (same slide, same link)
    again = map_view_args(X, X, Y)
    assert all(a != b for a, b in zip(again, X, strict=True)) and _close(again, X)
    # and once more: every value differs from the nudged one given last
    assert map_view_args(X, again, Y) == X


def test_missing_values_stay_missing():
    assert map_view_args((None, None, None), X, Y) == (None, None, None)


def test_reported_positions_fit_the_link():
    from mstatlas.ui.components import reported_view
    from mstatlas.ui.urlstate import ViewState, parse_query, to_query

    for center, zoom in (
        ({"lat": 51.51361234, "lng": 7.46531234}, 6),
        ({"lat": 48.1, "lng": 371.6}, 5),  # panned once round the world eastwards
        ({"lat": -10.0, "lng": -545.5}, 3),
    ):
        lat, lon, z = reported_view(center, zoom)
        assert -180 <= lon < 180
        view, notices = parse_query(to_query(ViewState().with_(lat=lat, lon=lon, zoom=z)))
        assert notices == [] and (view.lat, view.lon, view.zoom) == (lat, lon, z)
    assert reported_view({"lat": 48.1, "lng": 371.6}, 5)[1] == 11.6
