"""The main pages in German, and tables that never show "None".

German: the navigation, titles and labels are read in German, and figures are
written the German way (Dortmund's 2,100 employees of 2007 read "2.100").
Blanks: the ranking of a table without sources or scopes shows empty cells.
"""

from __future__ import annotations

import pytest
from ui.app_helpers import PAGES, texts

from mstatlas.i18n import language
from mstatlas.ui.components import number_texts

pytestmark = pytest.mark.usefixtures("own_database")


def _page_titles(at) -> list[str]:
    # AppTest keeps the pages st.navigation registered (title and url path) per run.
    return [str(info.get("page_name")) for info in at._registered_pages.values()]


def test_german_navigation_titles_and_dortmunds_figure(app):
    app.query_params["lang"] = "de"
    app.query_params["sel"] = "dortmund"
    at = app.run()
    assert not at.exception
    assert _page_titles(at) == [
        "Karte",
        "Rangliste",
        "Vergleich",
        "Länder",
        "Firmen-Cluster",
        "Ihre Daten",
        "Daten & Quellen",
        "Präsentieren",
    ]
    assert at.title[0].value == "MST-Atlas Europa"
    said = texts(at)
    # data/clusters.csv: Dortmund, 2007, 39 firms and 2100 employees (Münsterland Zeitung)
    assert "**39** Firmen · **2.100** Beschäftigte" in said
    assert "**2,100**" not in said
    assert at.selectbox(key="w_selected").label == "Cluster-Profil"


def test_english_stays_the_default(app):
    app.query_params["sel"] = "dortmund"
    at = app.run()
    assert _page_titles(at)[:3] == ["Map", "Ranking", "Compare"]
    assert "**39** firms · **2,100** employees" in texts(at)


def test_german_ranking_headers_and_numbers(app):
    app.query_params["lang"] = "de"
    at = app.run()
    # AppTest writes the widgets' values back with their format functions in the test's
    # own thread: German there too, as the page's were
    with language("de"):
        at.switch_page(f"{PAGES}/ranking.py").run()
    assert not at.exception
    assert at.title[0].value == "Rangliste der MST-Cluster"
    table = at.dataframe[0].value
    assert {"Rang", "Cluster", "Land", "Jahr", "Quelle", "Link"} <= set(table.columns)
    assert at.radio(key="w_rank_by").label == "Rangfolge nach"


def test_number_texts_follow_the_language():
    # hand-written: 2100 with a thousands separator, 12.34 to one decimal, a blank stays blank
    assert number_texts([2100, 12.34, None, float("nan")], digits=1) == ["2,100", "12.3", "", ""]
    with language("de"):
        assert number_texts([2100, 12.34, None], digits=1) == ["2.100", "12,3", ""]
        assert number_texts([12500]) == ["12.500"]


#: Two clusters without a source address, scope or note, one undated: those cells are blank.
BARE = (
    b"name,city,country,lat,lon,firms,employees,year,counts_what\n"
    b"Alpha cluster,Dortmund,DE,51.51,7.47,39,2100,2007,cluster_firms\n"
    b"Beta cluster,Berlin,DE,52.52,13.40,20,800,,cluster_firms\n"
)


def test_ranking_shows_no_none_for_blanks(app):
    at = app.run()
    at.switch_page(f"{PAGES}/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("bare.csv", BARE, "text/csv")).run()
    assert not at.exception
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("add_"))).click()
    at.run()
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Cluster"]) == ["Alpha cluster", "Beta cluster"]
    for column in table.columns.drop("Link"):
        values = list(table[column])
        assert all(isinstance(v, str) for v in values), column
        assert not {"None", "nan", "<NA>", "NaN"} & set(values), column
    # a link column draws a missing address as an empty cell (a null, never the text "None")
    assert list(table["Link"].isna()) == [True, True]
    assert list(table["Other reported figures"]) == ["", ""]  # one figure each: blank
