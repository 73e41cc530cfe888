"""The Present page: ranks by the view's measure, says honestly how many it lists and where
the presenter is, full screen with a way back (AppTest; keys in tests/browser)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import PAGES, symbols, texts

from mstatlas import load_clusters
from mstatlas.i18n import language
from mstatlas.ui import keys
from mstatlas.ui.present_page import (
    PRESENT_CSS,
    overview_title,
    presented_measure,
    slide_counter,
)
from mstatlas.ui.urlstate import DEFAULT


def present(app: AppTest, **params: str) -> AppTest:
    """Open the Present page with link parameters, as a browser would."""
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(f"{PAGES}/present.py")
    at = app.run()
    assert not at.exception
    return at


def overview_lines(at: AppTest) -> list[str]:
    return next(m.value for m in at.markdown if m.value.startswith("- **")).splitlines()


def caption(at: AppTest) -> str:
    return " ".join(str(c.value) for c in at.caption)


# --- which measure, and the counts on screen (unit) -----------------------------------


@pytest.mark.parametrize(
    ("measure", "rank_by", "expected"),
    [
        ("firms", "employees", "firms"),  # a view built by firms presents firms
        ("employees", "employees", "employees"),
        ("employees", "firms", "firms"),  # chosen on the Ranking page: that one
        ("firms", "employees_per_firm", "employees_per_firm"),
    ],
)
def test_slides_follow_the_views_measure_unless_the_ranking_chose_one(measure, rank_by, expected):
    assert DEFAULT.rank_by == "employees"  # what "not chosen" means
    view = DEFAULT.with_(measure=measure, rank_by=rank_by)
    assert presented_measure(view) == expected


def test_overview_title_counts_what_it_lists():
    assert overview_title("firms", 2) == "Top 2 MST clusters by firms"
    assert overview_title("employees", 1) == "Top 1 MST cluster by employees"
    assert overview_title("employees_per_firm", 12) == "Top 12 MST clusters by employees per firm"
    with language("de"):
        assert overview_title("firms", 2) == "Top 2 MST-Cluster nach Zahl der Firmen"


def test_the_counter_numbers_slides_as_the_link_does():
    assert slide_counter(0, 2) == "Overview · 2 clusters"
    assert slide_counter(0, 1) == "Overview · 1 cluster"
    assert [slide_counter(k, 2) for k in (1, 2)] == ["Cluster 1 of 2", "Cluster 2 of 2"]
    with language("de"):
        assert slide_counter(2, 3) == "Cluster 2 von 3"


def test_the_page_is_full_screen():
    for hidden in ('[data-testid="stSidebar"]', 'header[data-testid="stHeader"]'):
        assert hidden in PRESENT_CSS
    assert "display: none" in PRESENT_CSS


# --- the page (AppTest) ----------------------------------------------------------------


def test_a_view_built_by_firms_is_presented_by_firms(app):
    at = present(app, measure="firms")
    # By firms the embedded data ranks ten clusters with a cluster-firms figure (Twente 380,
    # Jena 100, Silicon Alps 60, Itzehoe 50, Dortmund 40, three at 30, Horten 5,
    # Regensburg 3); by employees only seven have one, Dortmund second with 2,100.
    rows = load_clusters()
    own = rows[(rows["counts_what"] == "cluster_firms") & rows["scope"].isna()]
    assert own.loc[own["firms"].notna(), "cluster_id"].nunique() == 10
    assert "Top 10 MST clusters by firms" in texts(at)
    assert "Overview · 10 clusters" in caption(at)
    lines = overview_lines(at)
    assert len(lines) == 10
    assert "Twente" in lines[0] and "Jena" in lines[1] and "Dortmund" in lines[4]
    values = [v for v in symbols(at)["v"] if v is not None]
    assert 40 in values and 2100 not in values  # the map sized by firms too
    at.button(key="present_next").click().run()
    at.button(key="present_next").click().run()
    assert not at.exception
    assert at.query_params["slide"] == "2"
    assert "Cluster 2 of 10" in caption(at)
    assert "#2 Jena" in texts(at)
    assert at.session_state["view"].selected == "jena"


def test_title_says_how_many_are_listed_when_fewer_than_the_top(app):
    at = present(app)  # employees, top 10
    # Seven clusters have an employees figure of their cluster firms in their own perimeter
    # (Berlin-Brandenburg's counts a technology park: another perimeter, not ranked with them)
    rows = load_clusters()
    own = rows[(rows["counts_what"] == "cluster_firms") & rows["scope"].isna()]
    n = own.loc[own["employees"].notna(), "cluster_id"].nunique()
    assert n == 7  # fewer than the top 10 asked for
    assert "Top 7 MST clusters by employees" in texts(at)
    assert "Top 10" not in texts(at)
    assert len(overview_lines(at)) == 7 and "Overview · 7 clusters" in caption(at)


def test_two_clusters_make_an_overview_and_two_slides(app):
    # Netherlands and Finland: Twente (380 cluster firms) and Oulu (30)
    at = present(app, measure="firms", country="NL,FI")
    assert "Top 2 MST clusters by firms" in texts(at)
    assert "Overview · 2 clusters" in caption(at)
    assert at.button(key="present_prev").disabled
    at.button(key="present_next").click().run()
    assert "Cluster 1 of 2" in caption(at) and "#1 Twente" in texts(at)
    at.button(key="present_next").click().run()
    assert "Cluster 2 of 2" in caption(at) and "#2 Oulu" in texts(at)
    assert at.button(key="present_next").disabled
    assert at.query_params["slide"] == "2"


def test_a_link_to_a_slide_shows_that_cluster(app):
    at = present(app, measure="firms", country="NL,FI", slide="2")
    assert "Cluster 2 of 2" in caption(at) and "#2 Oulu" in texts(at)


def test_exit_goes_back_to_the_map_with_the_view(app):
    at = present(app, measure="firms", country="NL,FI")
    at.button(key="present_exit").click().run()
    assert not at.exception
    assert not any(b.key == "present_next" for b in at.button)  # left the presentation
    assert at.session_state[keys.PAGE] == ""  # the map: the default page, at the app's root
    v = at.session_state["view"]
    assert (v.measure, v.countries) == ("firms", ("NL", "FI"))


def test_nothing_to_present_says_why_and_offers_the_way_back(app):
    at = present(app, measure="firms", min_firms="10000000")
    assert "Nothing to present" in texts(at)
    assert "No cluster in this selection has a firms figure. Change the filters." in texts(at)
    assert any(b.key == "present_exit" for b in at.button)


def test_the_presentation_speaks_german(app):
    at = present(app, measure="firms", country="NL,FI", lang="de")
    said = texts(at)
    assert "Top 2 MST-Cluster nach Zahl der Firmen" in said
    assert "Übersicht · 2 Cluster" in caption(at)
    assert at.button(key="present_next").label == "Weiter ▶"
    assert at.button(key="present_exit").label == "Präsentation beenden"
