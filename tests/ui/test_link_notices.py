"""AppTest: what a wrong link parameter tells the person, and how long it stays on screen."""

from __future__ import annotations

import json

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP, PAGES, texts

from mstatlas import load_clusters, rank_clusters

MEASURE_FOO = (
    "Ignored link parameter measure='foo': choose one of employees, firms, employees_per_firm. "
    "Using the default (employees)."
)
TOP_ABC = (
    "Ignored link parameter top='abc': expected a whole number from 1 to 500. "
    "Using the default (10)."
)


def warnings(at: AppTest) -> list[str]:
    """The notices on screen (the ranking's own year-spread warning is not a notice)."""
    return [str(w.value) for w in at.warning if not str(w.value).startswith("Ranked figures from")]


def open_link(app: AppTest, page: str | None = None, **params: str) -> AppTest:
    """Open the app (or one of its pages) with link parameters, as a browser would."""
    for key, value in params.items():
        app.query_params[key] = value
    if page:
        app.switch_page(f"{PAGES}/{page}.py")
    return app.run()


def map_reports(at: AppTest, lat: float, lon: float, zoom: int) -> AppTest:
    """Rerun as the map component does when it reports its position by itself.

    AppTest cannot set a custom component's value, so the report travels as the
    component's widget state beside the other widgets' states, exactly as the
    browser sends it (st_folium then returns it to ``components.atlas_map``).
    """
    (comp,) = [
        e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium")
    ]
    states = at._tree.get_widget_states()
    report = WidgetState(id=comp.proto.id)
    report.json_value = json.dumps(
        {
            "center": {"lat": lat, "lng": lon},
            "zoom": zoom,
            "last_active_drawing": None,
            "last_object_clicked": None,
        }
    )
    states.widgets.append(report)
    return at._run(states)


def test_notices_stay_on_the_map_through_its_own_reruns(app):
    at = open_link(app, measure="foo", top="abc")
    assert warnings(at) == [MEASURE_FOO, TOP_ABC]
    # the map's first report: where it opened (the whole of Europe)
    map_reports(at, 50.0, 10.0, 4)
    assert not at.exception
    assert at.session_state["_map_at"] == (50.0, 10.0, 4)  # the report reached the map code
    assert warnings(at) == [MEASURE_FOO, TOP_ABC]
    # panning the map moves the view, and still is not a reason to drop the notices
    map_reports(at, 48.1, 11.6, 6)
    assert (at.session_state["view"].lat, at.session_state["view"].zoom) == (48.1, 6)
    assert at.query_params["view"] == "48.1000,11.6000,6"
    assert warnings(at) == [MEASURE_FOO, TOP_ABC]
    at.run()
    assert warnings(at) == [MEASURE_FOO, TOP_ABC]
    # the person changes a setting: the notices have done their job
    at.radio(key="w_measure").set_value("firms").run()
    assert warnings(at) == []


def test_notices_stay_on_the_present_page_and_go_on_another_page(app):
    at = open_link(app, "present", measure="foo")
    assert warnings(at) == [MEASURE_FOO]
    map_reports(at, 59.4167, 10.4833, 6)  # the slide's map reports where it opened
    assert not at.exception
    assert warnings(at) == [MEASURE_FOO]
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert warnings(at) == []


def test_notices_stay_on_a_page_without_a_map_until_the_person_acts(app):
    at = open_link(app, "ranking", top="abc")
    assert warnings(at) == [TOP_ABC]
    at.run()
    assert warnings(at) == [TOP_ABC]
    at.switch_page(f"{PAGES}/sources.py").run()
    assert warnings(at) == []


def test_a_code_that_is_no_country_gets_a_notice(app):
    at = open_link(app, country="XX")
    assert warnings(at) == [
        "Ignored link parameter country='XX': XX is not a country code (ISO 3166-1). "
        "Using the default (all countries)."
    ]
    assert at.multiselect(key="w_countries").value == []
    assert "26 clusters in view" in texts(at)
    assert "country" not in at.query_params


def test_a_wrong_country_among_right_ones_is_dropped(app):
    at = open_link(app, country="NL,XX")
    assert warnings(at) == [
        "Ignored link parameter country='NL,XX': XX is not a country code (ISO 3166-1). Using NL."
    ]
    assert at.multiselect(key="w_countries").value == ["NL"]
    assert "2 clusters in view" in texts(at)  # Twente and Eindhoven
    assert at.query_params["country"] == "NL"


def test_years_outside_the_dataset_show_all_years_and_say_so(app):
    at = open_link(app, years="2030-2040")
    notice = (
        "Ignored years 2030–2040: this dataset has figures from 1985 to 2026. Showing all years."
    )
    assert warnings(at) == [notice]
    assert at.select_slider(key="w_years").value == (1985, 2026)
    assert "26 clusters in view" in texts(at)
    assert "years" not in at.query_params  # the link says what the slider shows
    map_reports(at, 50.0, 10.0, 4)
    assert warnings(at) == [notice]
    assert "years" not in at.query_params
    # years that overlap the dataset's are a selection like any other: kept as they are
    at = open_link(AppTest.from_file(APP, default_timeout=90), years="2020-2040")
    assert warnings(at) == []
    assert at.query_params["years"] == "2020-2040"


def test_a_latitude_out_of_range_is_named(app):
    at = open_link(app, view="91,0,5")
    assert warnings(at) == [
        "Ignored link parameter view='91,0,5': latitude 91 is out of range (-90 to 90). "
        "Using the default (the whole of Europe)."
    ]
    assert "view" not in at.query_params


def _slide_script() -> None:
    """A page that has 5 slides (what the present page does with its slide count)."""
    import streamlit as st

    from mstatlas.ui import session

    session.init_state()
    session.begin_run()
    session.show_notices()
    st.caption(f"Slide {session.limit_slide(5)} of 5")
    session.sync_url()
    session.end_run()


def test_a_slide_past_the_last_becomes_the_last_with_a_notice():
    at = AppTest.from_function(_slide_script, default_timeout=30)
    at.query_params["slide"] = "500"
    at.run()
    assert not at.exception
    notice = "Ignored slide 500: this presentation ends at slide 5. Showing slide 5."
    assert warnings(at) == [notice]
    assert at.caption[0].value == "Slide 5 of 5"
    assert at.query_params["slide"] == "5"
    at.run()
    assert warnings(at) == [notice]


def test_present_page_brings_a_slide_past_the_last_into_the_link(app):
    at = open_link(app, "present", slide="500")
    ranking = rank_clusters(load_clusters(), by="employees")
    n = int((ranking["rank"] <= 10).sum())  # the top 10 by default, ties kept
    assert f"Cluster {n} of {n}" in texts(at)
    assert warnings(at) == [
        f"Ignored slide 500: this presentation ends at slide {n}. Showing slide {n}."
    ]
    assert at.query_params["slide"] == str(n)


def test_unknown_cluster_in_the_link_is_said_and_dropped(app):
    app.query_params["sel"] = "nope"
    at = app.run()
    assert not at.exception
    assert "No cluster with the id 'nope' in this dataset; no cluster is selected." in [
        w.value for w in at.warning
    ]
    assert "sel" not in at.query_params
    assert at.session_state["view"].selected is None
