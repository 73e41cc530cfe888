"""The sidebar: a year slider over the years with a figure, and "About the data" on every page."""

from __future__ import annotations

import pandas as pd
import pytest
from ui.app_helpers import PAGES

from mstatlas import load_clusters
from mstatlas.ui.sidebar import year_options


def test_year_options_are_the_years_with_a_figure():
    assert year_options((1985, 1999, 2000, 2007), None, None) == [1985, 1999, 2000, 2007]


def test_year_options_keep_a_links_own_years_inside_the_span():
    # 1990 and 2003 have no figure, yet a link asked for them: the slider shows them
    assert year_options((1985, 1999, 2007), 1990, 2003) == [1985, 1990, 1999, 2003, 2007]
    # years outside the span are not offered (the slider clamps the view to its ends)
    assert year_options((1985, 1999, 2007), 1970, 2030) == [1985, 1999, 2007]


def test_year_slider_offers_only_the_years_of_the_data(app):
    at = app.run()
    assert not at.exception
    slider = at.select_slider(key="w_years")
    years = sorted({int(y) for y in load_clusters()["year"].dropna()})
    assert [int(o) for o in slider.options] == years
    # the default data has no figure from 1986 to 1998 nor from 2011: none is offered
    assert not {1990, 2011} & {int(o) for o in slider.options}
    assert slider.value == (years[0], years[-1])


def test_year_slider_follows_a_link_and_writes_back(app):
    app.query_params["years"] = "2000-2010"
    at = app.run()
    slider = at.select_slider(key="w_years")
    assert slider.value == (2000, 2010)
    slider.set_range(2005, 2026).run()  # the last year means "up to the latest"
    assert at.query_params["years"] == "2005-"
    assert not at.exception


@pytest.mark.parametrize(
    "page", ["map", "ranking", "compare", "countries", "firm_clusters", "upload", "sources"]
)
def test_about_the_data_is_on_every_page(app, page):
    at = app.run()
    if page != "map":
        at.switch_page(f"{PAGES}/{page}.py").run()
    assert not at.exception
    about = [e for e in at.sidebar.expander if e.label == "About the data"]
    assert len(about) == 1
    said = " ".join(str(m.value) for m in about[0].markdown)
    assert "never averaged or added" in said and "CC BY 4.0" in said
    assert any(
        link.proto.page.endswith("sources.py") or "sources" in link.proto.page
        for link in about[0].get("page_link")
    )


def test_about_the_data_in_german(app):
    app.query_params["lang"] = "de"
    at = app.run()
    about = [e for e in at.sidebar.expander if e.label == "Über die Daten"]
    assert len(about) == 1
    said = " ".join(str(m.value) for m in about[0].markdown)
    assert "nie gemittelt oder addiert" in said


def test_years_present_ignore_blank_years():
    from mstatlas.ui import sidebar

    frame = pd.DataFrame({"year": pd.array([2007, None, 1999, 2007], dtype="Int64")})

    class _Ds:
        clusters = frame

    assert sidebar.years_present.__wrapped__("x", _Ds()) == (1999, 2007)  # type: ignore[attr-defined]
