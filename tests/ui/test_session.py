"""AppTest: a browser's first run draws the map page's map first; the map's report draws the rest.

AppTest has no browser (no request headers), so :func:`mstatlas.ui.session.browser_connected`
is patched to say there is one; its second run is the map's first report, as in a browser.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP, map_args, symbols, texts
from ui.test_link_notices import map_reports, open_link, warnings

from mstatlas.ui import keys, map_page, session


@pytest.fixture
def browser(monkeypatch):
    """The app as a browser runs it (its first run draws the map first)."""
    monkeypatch.setattr(session, "browser_connected", lambda: True)
    return AppTest.from_file(APP, default_timeout=90)


def widget_keys(at: AppTest) -> set[str]:
    """The keys of every widget of a run (main area and sidebar)."""
    kinds = ("selectbox", "multiselect", "radio", "checkbox", "toggle", "number_input")
    keys = {w.key for kind in kinds for w in getattr(at, kind)}
    keys |= {w.key for w in at.select_slider} | {w.key for w in at.button_group}
    return {k for k in keys if k}


def map_path(at: AppTest) -> tuple[int, ...]:
    """Where the map component sits in the main area (child indexes from the top)."""

    def walk(node, path):
        for i, child in getattr(node, "children", {}).items():
            if getattr(child, "type", None) == "component_instance":
                return (*path, i)
            found = walk(child, (*path, i))
            if found:
                return found
        return None

    found = walk(at.main, ())
    assert found is not None, "the map is drawn"
    return found


def test_without_a_browser_the_first_run_draws_everything():
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    assert {"w_dataset", "w_measure", "w_selected", "w_as_of"} <= widget_keys(at)


def test_a_browsers_first_run_draws_the_map_and_its_legend_only(browser):
    at = browser.run()
    assert not at.exception
    assert widget_keys(at) == set()  # no widget: neither the sidebar nor the page's own
    assert len(symbols(at)["lat"]) == 26  # every cluster on the map
    assert "26 clusters in view" in texts(at)
    assert "MST Atlas of Europe" in [t.value for t in at.title]
    assert not at.button and not at.get("download_button")  # no map file, no share panel


def test_the_maps_first_report_draws_the_rest_with_the_map_in_its_place(browser):
    at = browser.run()
    first = (map_path(at), map_args(at))
    map_reports(at, 50.0, 10.0, 4)  # the report a mounted map sends by itself
    assert not at.exception
    assert {"w_dataset", "w_measure", "w_countries", "w_selected", "w_as_of"} <= widget_keys(at)
    assert at.button(key=keys.MAP_FILE_BUTTON)  # the map file is offered
    # the same component at the same place with the same arguments: the browser keeps the map
    assert (map_path(at), map_args(at)) == first


def test_a_links_years_outside_the_data_are_settled_before_the_map(browser):
    at = open_link(browser, years="2030-2040")
    notice = (
        "Ignored years 2030–2040: this dataset has figures from 1985 to 2026. Showing all years."
    )
    assert warnings(at) == [notice]
    assert "years" not in at.query_params
    map_reports(at, 50.0, 10.0, 4)
    assert warnings(at) == [notice]  # said once, and still there with the slider
    assert at.select_slider(key="w_years").value == (1985, 2026)


def test_a_link_to_a_missing_dataset_opens_the_default_one_at_once(browser, own_database):
    missing = "A" * 22  # a well-formed id no one shared
    at = open_link(browser, ds=missing)
    assert not at.exception
    assert at.session_state["view"].dataset == "default"
    (notice,) = warnings(at)
    assert missing in notice
    assert len(symbols(at)["lat"]) == 26
    map_reports(at, 50.0, 10.0, 4)
    assert warnings(at) == [notice]  # not said twice when the sidebar is drawn


def test_other_pages_draw_everything_in_a_browsers_first_run(browser):
    at = open_link(browser, page="ranking")
    assert not at.exception
    assert "w_dataset" in widget_keys(at)


def _html(at: AppTest) -> list[str]:
    return [str(e.proto.body) for e in at.get("html")]


def test_the_as_of_box_s_room_is_held_until_it_is_drawn(browser):
    spacer = f'<div style="height: {map_page.AS_OF_HEIGHT}" aria-hidden="true">'
    room = f".st-key-map_as_of {{ min-height: {map_page.AS_OF_HEIGHT} }}"
    at = browser.run()
    assert any(spacer in h for h in _html(at))  # the first run: room, no box
    assert any(room in h for h in _html(at))
    map_reports(at, 50.0, 10.0, 4)
    assert not any(spacer in h for h in _html(at))  # then the box, in the room kept for it
    assert any(room in h for h in _html(at))
    assert "w_as_of" in widget_keys(at)
