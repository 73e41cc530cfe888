"""AppTest: the real app.py runs on the default data; pages, filters and selection work."""

from __future__ import annotations

from ui.app_helpers import PAGES, map_args, symbols, texts

from mstatlas import load_clusters, rank_clusters
from mstatlas.analysis.provenance import ordinal


def ranking_table(at):
    return at.dataframe[0].value


def test_app_runs_and_draws_the_map(app):
    at = app.run()
    assert not at.exception
    assert at.title[0].value.startswith("MST Atlas")
    args = map_args(at)
    assert set(args["returned_objects"]) <= {
        "last_active_drawing",
        "last_object_clicked",
        "center",
        "zoom",
    }
    assert all(
        not link.startswith(("http:", "https:", "//"))
        for link in args["js_links"] + args["css_links"]
    )
    data = symbols(at)
    assert len(data["lat"]) == 26
    assert any("Dortmund MST cluster" in t for t in data["t"])


def test_ranking_shows_dortmund_with_its_rank(app):
    at = app.run()
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert not at.exception
    table = ranking_table(at)
    row = table[table["Cluster"] == "Dortmund MST cluster"]
    assert list(row["Employees"]) == ["≈ 2,100"]
    # its place: one behind each cluster-firm figure above 2,100 in the embedded data
    r = rank_clusters(load_clusters(), by="employees")
    rank = 1 + int((r["value"] > 2100).sum())
    assert list(row["Rank"]) == [str(rank)]
    assert f"Dortmund MST cluster ranks {ordinal(rank)} of {len(r)} clusters by employees" in (
        texts(at)
    )
    assert set(table["Counts"]) == {"Cluster firms"}  # like with like by default


def test_filter_change_changes_the_ranking(app):
    at = app.run()
    at.switch_page(f"{PAGES}/ranking.py").run()
    before = list(ranking_table(at)["Cluster"])
    at.multiselect(key="w_countries").select("DE").run()
    after = ranking_table(at)
    assert list(after["Country"].unique()) == ["DE"]
    assert list(after["Cluster"]) != before
    assert "Oulu microelectronics" in before and "Oulu microelectronics" not in list(
        after["Cluster"]
    )


def test_rank_by_firms_and_mixed_kinds(app):
    at = app.run()
    at.switch_page(f"{PAGES}/ranking.py").run()
    at.radio(key="w_rank_by").set_value("firms").run()
    table = ranking_table(at)
    r = rank_clusters(load_clusters(), by="firms")
    rank = 1 + int((r["value"] > 40).sum())  # Dortmund: 40 firms (2008)
    assert list(table[table["Cluster"] == "Dortmund MST cluster"]["Rank"]) == [str(rank)]
    at.toggle(key="w_mixed").set_value(True).run()
    table = ranking_table(at)
    assert len(set(table["Counts"])) > 1
    assert "Mixed kinds of figures" in texts(at)


def test_country_filter_names_the_countries(app):
    at = app.run()
    options = at.multiselect(key="w_countries").options
    assert "Germany (DE)" in options and "Netherlands (NL)" in options
    assert options == sorted(options)  # alphabetical by name, as people look for them


def test_filters_survive_moving_between_pages(app):
    at = app.run()
    at.multiselect(key="w_countries").select("NL").run()
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert at.multiselect(key="w_countries").value == ["NL"]
    at.switch_page(f"{PAGES}/map.py").run()
    assert at.multiselect(key="w_countries").value == ["NL"]
    assert len(symbols(at)["lat"]) == 2  # Twente and Eindhoven
    assert at.query_params["country"] == "NL"


def test_profile_lists_every_figure_with_source(app):
    app.query_params["sel"] = "dortmund"
    at = app.run()
    assert not at.exception
    t = texts(at)
    assert "Dortmund MST cluster" in t
    n = int((load_clusters()["cluster_id"] == "dortmund").sum())
    assert f"{n} reported figures" in t
    assert "[Siegeszug der Mini-Technik schafft Arbeitsplätze" in t
    assert "https://www.muensterlandzeitung.de/" in t
    assert "IVAM Micro/Nano Atlas of Europe 2007 benchmark cluster" in t
    # selecting another cluster in the profile box switches the profile
    at.selectbox(key="w_selected").set_value("twente").run()
    assert at.query_params["sel"] == "twente"
    assert "kennispark" in texts(at).lower()


def test_bad_link_parameters_show_a_notice_and_fall_back(app):
    app.query_params["measure"] = "size"
    app.query_params["country"] = "Germany"
    at = app.run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Ignored link parameter measure='size'" in warnings
    assert "Ignored link parameter country='Germany'" in warnings
    assert at.radio(key="w_measure").value == "employees"


def test_sources_page_lists_all_figures(app):
    at = app.run()
    at.switch_page(f"{PAGES}/sources.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    n = len(load_clusters())
    assert len(table) == n
    assert table["Link"].notna().sum() == n
    # blanks stay blank (not "None") and qualifiers read as words, as in the sources
    data = load_clusters()
    for column in ("Organisation", "Note", "Firms as stated", "Employees as stated"):
        assert table[column].notna().all(), column
    assert set(table["Firms as stated"]) <= {"", "about", "more than", "at least", "up to"}
    assert (table["Firms as stated"] == "more than").sum() == (
        data["firms_qualifier"] == "more_than"
    ).sum()
    assert (table["Note"] == "").sum() == data["note"].isna().sum()


def test_every_url_parameter_round_trips_through_the_app(app):
    params = {
        "measure": "firms",
        "country": "DE,NL",
        "years": "2000-2020",
        "undated": "0",
        "counts": "cluster_firms,network_members",
        "min_firms": "10",
        "min_employees": "100",
        "sel": "dortmund",
        "view": "51.5136,7.4653,8",
        "tiles": "osm",
        "by": "firms",
        "top": "5",
        "mixed": "1",
        "slide": "2",
    }
    for k, v in params.items():
        app.query_params[k] = v
    at = app.run()
    assert not at.exception
    assert not at.warning  # nothing was rejected
    assert {k: at.query_params[k] for k in params} == params
    v = at.session_state["view"]
    assert (v.measure, v.countries, v.year_min, v.year_max, v.include_undated) == (
        "firms",
        ("DE", "NL"),
        2000,
        2020,
        False,
    )
    assert (v.counts_what, v.min_firms, v.min_employees) == (
        ("cluster_firms", "network_members"),
        10,
        100,
    )
    assert (v.selected, v.lat, v.lon, v.zoom, v.tiles) == ("dortmund", 51.5136, 7.4653, 8, "osm")
    assert (v.rank_by, v.top, v.mixed, v.slide) == ("firms", 5, True, 2)
    # the widgets show it
    assert at.radio(key="w_measure").value == "firms"
    assert at.multiselect(key="w_countries").value == ["DE", "NL"]
    assert at.select_slider(key="w_years").value == (2000, 2020)
    assert at.checkbox(key="w_include_undated").value is False
    assert at.number_input(key="w_min_firms").value == 10
    assert at.toggle(key="w_tiles").value is True
    args = map_args(at)
    assert args["center"] == [51.5136, 7.4653] and args["zoom"] == 8
    assert "tile.openstreetmap.org" in args["script"]


def test_an_empty_map_says_what_to_do(app):
    app.query_params["min_firms"] = "100000"  # no cluster reports that many firms
    at = app.run()
    assert not at.exception
    assert "0 clusters in view" in texts(at)
    assert any("Widen them" in str(i.value) for i in at.info)
