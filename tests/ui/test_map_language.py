"""Switching language redraws the map where the person is, not where it first opened.

The map's base script holds translated words (its label for screen readers, the
tiles notice), so another language is another component: it must be created at the
current view, like a map drawn anew.
"""

from __future__ import annotations

import pytest

from mstatlas.ui import keys

pytestmark = pytest.mark.usefixtures("own_database")


def _moved(at, **changes):
    at.session_state[keys.VIEW] = at.session_state[keys.VIEW].with_(**changes)
    return at.run()


def test_another_language_creates_the_map_at_the_current_view(app):
    app.query_params["view"] = "51.5,7.47,9"
    at = app.run()
    assert not at.exception
    assert at.session_state[keys.MAP_ORIGIN] == (51.5, 7.47, 9)
    # panned to Paris (as the map reports it) and switched to German in one go
    at = _moved(at, lat=48.85, lon=2.35, zoom=6, lang="de")
    assert not at.exception
    assert at.session_state[keys.MAP_ORIGIN] == (48.85, 2.35, 6)


def test_the_same_language_keeps_the_map_it_has(app):
    app.query_params["view"] = "51.5,7.47,9"
    at = app.run()
    at = _moved(at, lat=48.85, lon=2.35, zoom=6)
    assert not at.exception
    # the component on screen is reused: it is moved there, not created there
    assert at.session_state[keys.MAP_ORIGIN] == (51.5, 7.47, 9)
