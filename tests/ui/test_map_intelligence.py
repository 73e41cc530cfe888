"""Map page: the 'as of' year, zooming to a country filter, and the profile panel (AppTest)."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP, symbols, texts

from mstatlas import load_clusters
from mstatlas.analysis.growth import cagr
from mstatlas.mapping.countries import country_bounds
from mstatlas.mapping.fit import view_for_bounds


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_as_of_a_year_draws_each_clusters_latest_figure_up_to_it():
    at = _app(asof="2008")
    assert not at.exception
    data = symbols(at)
    years = [y for y in data["y"] if y is not None]
    assert years and max(years) <= 2008
    c = load_clusters()
    dated = c[c["year"].notna() & (c["year"] <= 2008) & c["employees"].notna()]
    assert len(data["v"]) <= c["cluster_id"].nunique()
    assert {"As of 2008" in t for t in texts(at).splitlines()} >= {True}
    undated = int((c["year"].isna() & (c["firms"].notna() | c["employees"].notna())).sum())
    assert f"{undated} undated figures left out" in texts(at)
    # Dortmund as of 2008: its 2008 figure, not the undated 2,300 nor the 2026 tenants
    assert 2100 in data["v"] and 2300 not in data["v"]
    assert not dated.empty
    assert at.query_params["asof"] == "2008"


def test_choosing_the_latest_figures_again_drops_the_year_from_the_link():
    at = _app(asof="2008")
    box = next(s for s in at.selectbox if s.label == "Show the figures as of")
    box.set_value("latest").run()
    assert "asof" not in at.query_params
    assert not any("As of" in t for t in texts(at).splitlines())
    again = next(s for s in at.selectbox if s.label == "Show the figures as of")
    assert again.value == "latest"  # shown as a choice, not as an empty box
    fresh = next(s for s in _app().selectbox if s.label == "Show the figures as of")
    assert fresh.value == "latest"


def test_picking_a_country_zooms_the_map_to_it_and_all_countries_back_to_europe():
    at = _app()
    at.sidebar.multiselect[0].set_value(["NL"]).run()
    lat, lon, zoom = view_for_bounds(country_bounds("NL"))
    assert at.query_params["view"] == f"{lat:.4f},{lon:.4f},{zoom}"
    at.sidebar.multiselect[0].set_value([]).run()
    assert at.query_params["view"] != f"{lat:.4f},{lon:.4f},{zoom}"


def test_a_links_own_position_is_kept_when_it_also_names_a_country():
    at = _app(country="DE", view="51.5136,7.4653,9")
    assert at.query_params["view"] == "51.5136,7.4653,9"


def test_profile_shows_sections_growth_and_neighbours():
    at = _app(sel="itzehoe")
    assert not at.exception
    t = texts(at)
    for heading in ("Technologies", "Research institutes", "Start-up support", "Website"):
        assert f"**{heading}**" in t
    assert "not reported" in t  # a section without a source says so
    # growth of Itzehoe's employees, cluster firms of its usual perimeter: 2014 -> 2016
    c = load_clusters()
    s = c[
        (c["cluster_id"] == "itzehoe")
        & (c["counts_what"] == "cluster_firms")
        & c["scope"].isna()
        & c["employees"].notna()
    ]
    start = s[s["year"] == s["year"].min()]
    end = s[s["year"] == s["year"].max()]
    end = end[end["employees_qualifier"].fillna("") == ""] if len(end) > 1 else end
    if end.empty:
        end = s[s["year"] == s["year"].max()].head(1)
    a, b = float(start["employees"].iloc[0]), float(end["employees"].iloc[0])
    years = int(end["year"].iloc[0] - start["year"].iloc[0])
    rate = (b / a) ** (1 / years) - 1
    assert abs(rate - cagr(a, b, years)) < 1e-12
    assert f"{rate * 100:+.1f} % a year".replace("-", "−") in t
    assert "Share of the clusters in view" in t


def test_add_to_comparison_puts_the_cluster_in_the_link():
    at = _app(sel="dortmund")
    next(b for b in at.button if b.label == "Add to comparison").click().run()
    assert at.query_params["cmp"] == "dortmund"
    assert "In the comparison." in texts(at)


def test_profile_of_a_cluster_without_profile_facts_says_not_reported_for_each():
    c = load_clusters()
    assert isinstance(c, pd.DataFrame)
    at = _app(sel="erfurt_thuringia")
    assert not at.exception
    assert texts(at).count("not reported") >= 1


def test_the_row_a_star_explanation_cites_is_on_the_sources_page():
    from ui.app_helpers import PAGES

    from mstatlas import explain_star, rate_clusters

    rating = rate_clusters(load_clusters())
    text = explain_star(rating[rating["cluster_id"] == "dortmund"].iloc[0], "size")
    import re

    row = int(re.search(r"row (\d+)\)", text).group(1))
    at = _app()
    at.switch_page(f"{PAGES}/sources.py").run()
    table = at.dataframe[0].value
    cited = table[table["Row"] == row].iloc[0]
    assert cited["Cluster"] == "Dortmund MST cluster"
    assert str(int(cited["Year"])) in text and cited["Source"] in text
    assert cited["Employees"] in text  # written as the page writes numbers: 2,100


def test_ranking_names_clusters_left_out_for_another_perimeter_and_stars_stay_like_with_like():
    from ui.app_helpers import PAGES

    at = _app()
    at.switch_page(f"{PAGES}/ranking.py").run()
    t = texts(at)
    assert "Not ranked, because their figure covers another perimeter" in t
    assert "Adlershof technology park" in t
    plain = at.dataframe[0].value
    at2 = _app(mixed="1")
    at2.switch_page(f"{PAGES}/ranking.py").run()
    mixed = at2.dataframe[0].value
    # a cluster in both tables keeps its stars when the ranking mixes kinds
    both = set(plain["Cluster"]) & set(mixed["Cluster"])
    assert both
    for name in both:
        assert (
            plain.loc[plain["Cluster"] == name, "Stars"].iloc[0]
            == mixed.loc[mixed["Cluster"] == name, "Stars"].iloc[0]
        )
    assert "Scope" in mixed.columns
