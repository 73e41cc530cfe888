"""AppTest: the Countries page on the default data (table, sums, rule, filter, offline map)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import PAGES, texts

from mstatlas import load_clusters, rank_clusters
from mstatlas.analysis.countries import COUNTRY_RULE
from mstatlas.analysis.sums import SUM_CAVEATS
from mstatlas.data.schema import coerce_clusters
from mstatlas.ui.countries_page import CLEAR_KEY, PICK_KEY, country_of_click, summable_kinds

PAGE = f"{PAGES}/countries.py"
#: An address on another host: http(s)://… or protocol-relative //host.tld
WEB_ADDRESS = re.compile(r"https?://|//[\w-]+(\.[\w-]+)*\.[a-z]{2,}")


def open_countries(app: AppTest) -> AppTest:
    at = app.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def country_table(at: AppTest) -> pd.DataFrame:
    """The page's own country table (the map's table alternative is another dataframe)."""
    tables = [d.value for d in at.dataframe if "How to read the sum" in d.value.columns]
    assert len(tables) == 1
    return tables[0]


def country_map_args(at: AppTest) -> dict:
    """The arguments of the st_folium component that draws the country layer."""
    comps = [
        json.loads(e.proto.json_args)
        for e in at.get("component_instance")
        if e.proto.component_name.endswith("st_folium")
    ]
    maps = [a for a in comps if "L.geoJSON(D.fc" in a["script"]]
    assert len(maps) == 1, "exactly one country map"
    return maps[0]


def country_features(at: AppTest) -> dict[str, dict]:
    """Each drawn country's feature properties, by ISO code."""
    script = country_map_args(at)["script"]
    start = script.index("var D = ") + len("var D = ")
    data = json.loads(script[start : script.index(";\n", start)].replace("<\\/", "</"))
    return {f["properties"]["iso2"]: f["properties"] for f in data["fc"]["features"]}


def hand_sum(by: str, country: str) -> str:
    """A country's sum from the ranking's headline figures of cluster firms, usual perimeter."""
    heads = rank_clusters(load_clusters(), by=by, counts="cluster_firms")
    heads = heads[(heads["country_iso2"] == country) & heads["scope"].isna()]
    quals = set(heads["qualifier"])
    # the case computed here: some approximate figure, no lower and upper bounds together
    assert "about" in quals
    assert not (quals & {"more_than", "at_least"} and "up_to" in quals)
    return f"≈ {int(heads['value'].sum()):,}"


def test_table_counts_clusters_and_sums_one_kind(app):
    at = open_countries(app)
    assert at.title[0].value == "Clusters by country"
    table = country_table(at)
    germany = table[table["Country"] == "Germany"].iloc[0]
    clusters = load_clusters()
    assert (
        germany["Clusters"]
        == clusters.loc[clusters["country_iso2"] == "DE", "cluster_id"].nunique()
    )
    assert germany["Sum"] == hand_sum("employees", "DE")
    at.radio(key="country_view_measure").set_value("firms").run()
    germany = country_table(at).set_index("Code").loc["DE"]
    assert germany["Sum"] == hand_sum("firms", "DE")
    # every cluster is counted once, in one country
    assert country_table(at)["Clusters"].sum() == clusters["cluster_id"].nunique()


def test_rule_and_the_kinds_caveat_are_shown(app):
    at = open_countries(app)
    assert COUNTRY_RULE in texts(at)
    assert at.selectbox(key="country_view_kind").value == "cluster_firms"  # the ranking's kind
    at.selectbox(key="country_view_kind").set_value("network_members").run()
    assert not at.exception
    assert SUM_CAVEATS["network_members"] in texts(at)
    assert "counting network members" in texts(at)


def test_picking_a_country_filters_the_atlas_and_the_ranking(app):
    at = open_countries(app)
    at.selectbox(key=PICK_KEY).set_value("DE").run()
    assert not at.exception
    assert at.query_params["country"] == "DE"
    assert list(country_table(at)["Code"]) == ["DE"]
    assert "country filter is on (Germany)" in texts(at)
    links = [e.proto.label for e in at.get("page_link")]
    assert "Show Germany on the map" in links
    drawn = country_features(at)
    assert list(drawn) == ["DE"] and drawn["DE"]["selected"]
    at.switch_page(f"{PAGES}/ranking.py").run()
    ranked = at.dataframe[0].value
    assert list(ranked["Country"].unique()) == ["DE"]
    assert "Oulu microelectronics" not in list(ranked["Cluster"])


def test_clear_button_removes_the_country_filter(app):
    at = open_countries(app)
    at.selectbox(key=PICK_KEY).set_value("NL").run()
    assert at.query_params["country"] == "NL"
    at.button(key=CLEAR_KEY).click().run()
    assert not at.exception
    assert "country" not in at.query_params
    assert len(country_table(at)) > 1
    assert at.selectbox(key=PICK_KEY).value is None


def test_map_is_offline_and_returns_only_clicks(app):
    at = open_countries(app)
    args = country_map_args(at)
    assert args["returned_objects"] == ["last_active_drawing"]
    for part in ("script", "html", "header", "feature_group"):
        assert not WEB_ADDRESS.search(args.get(part) or ""), part
    assert not [x for x in args["js_links"] + args["css_links"] if WEB_ADDRESS.search(x)]


def test_employees_per_firm_in_the_sidebar_gives_a_note(app):
    at = open_countries(app)
    at.radio(key="w_measure").set_value("employees_per_firm").run()
    assert not at.exception
    assert "is a ratio and cannot be added up" in texts(at)
    assert at.radio(key="country_view_measure").value == "employees"
    assert len(country_table(at)) > 1


@pytest.mark.parametrize(
    ("drawing", "code"),
    [
        ({"properties": {"iso2": "de", "layer": "countries"}}, "DE"),
        ({"properties": {"iso2": "DE", "layer": "clusters"}}, None),
        ({"properties": {"i": 3, "k": "x"}}, None),
        ({"properties": {"iso2": "<b>", "layer": "countries"}}, None),
        (None, None),
    ],
)
def test_only_a_country_feature_counts_as_a_country_click(drawing, code):
    assert country_of_click(drawing) == code


def test_upload_without_kinds_sums_its_one_kind():
    rows = coerce_clusters(
        pd.DataFrame(
            {
                "cluster_id": ["a", "b"],
                "cluster_name": ["A", "B"],
                "lat": [51.5, 52.0],
                "lon": [7.4, 13.4],
                "country_iso2": ["DE", "DE"],
                "employees": [100, 50],
            }
        )
    )
    assert summable_kinds(rows, "employees") == ("unspecified", ("unspecified",))
    # no firms figure at all: nothing to add, the clusters are still counted
    assert summable_kinds(rows, "firms") == ("cluster_firms", ("cluster_firms",))


def test_national_figures_alone_are_counted_not_added(app):
    app.query_params["counts"] = "national"  # the sidebar's kinds: national figures only
    at = open_countries(app)
    assert "National figures are not added up: national figures describe a whole country" in (
        texts(at)
    )
    table = country_table(at)
    assert len(table) > 1 and set(table["Sum"]) == {""}
    assert (table["Clusters with a figure"] == 0).all()
