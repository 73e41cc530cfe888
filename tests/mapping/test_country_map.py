"""Country choropleth: offline, clickable back to an ISO code, classes and bounds by hand."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from mstatlas import load_clusters
from mstatlas.analysis.countries import country_summary
from mstatlas.data.schema import coerce_clusters
from mstatlas.mapping.build import country_outlines
from mstatlas.mapping.countries import (
    PALETTE,
    CountryLayer,
    country_bounds,
    country_features,
    country_legend_html,
    country_map,
    outline_iso2,
    value_classes,
)

EXTERNAL_ASSET = re.compile(
    r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)


def table(rows):
    base = {"cluster_name": None, "lat": 50.0, "lon": 8.0, "counts_what": "cluster_firms"}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["cluster_name"] = df["cluster_name"].fillna(df["cluster_id"].str.title())
    return coerce_clusters(df)


@pytest.fixture
def summary():
    return country_summary(
        table(
            [
                {"cluster_id": "a", "country_iso2": "DE", "employees": 100},
                {"cluster_id": "b", "country_iso2": "DE", "employees": 50},
                {"cluster_id": "c", "country_iso2": "NL", "employees": 20},
                {"cluster_id": "d", "country_iso2": "FR"},  # clusters, but no figure
            ]
        )
    )


def payload(m) -> dict:
    layers = [c for c in m._children.values() if isinstance(c, CountryLayer)]
    assert len(layers) == 1
    return json.loads(layers[0].payload.replace("<\\/", "</"))


def props(m) -> dict[str, dict]:
    return {f["properties"]["iso2"]: f["properties"] for f in payload(m)["fc"]["features"]}


def test_rendered_choropleth_loads_nothing_from_the_internet(summary):
    html = country_map(summary).get_root().render()
    assert not EXTERNAL_ASSET.search(html)
    low = html.lower()
    assert "leaflet.js" in low and "cdn" not in low
    assert "jquery" not in low and "bootstrap" not in low
    assert not re.search(r"\bd3(\.v\d+)?(\.min)?\.js|branca", low)
    assert "tile.openstreetmap" not in low
    assert '"iso2":"DE"' in html


def test_each_country_feature_maps_a_click_back_to_its_code(summary):
    p = props(country_map(summary))
    assert set(p) == {"DE", "NL", "FR"}
    assert p["DE"]["name"] == "Germany" and p["DE"]["n_clusters"] == 2
    assert p["DE"]["value_text"] == "150" and p["NL"]["value_text"] == "20"
    assert p["FR"]["value_text"] == "no figure" and p["FR"]["cls"] == -1
    assert all(x["layer"] == "countries" for x in p.values())


def test_larger_totals_get_darker_classes(summary):
    m = country_map(summary)
    p, pal = props(m), payload(m)["pal"]
    # two distinct totals (20, 150): two classes, light and dark ends of the palette
    assert pal == [PALETTE[0], PALETTE[-1]]
    assert p["NL"]["cls"] == 0 and p["DE"]["cls"] == 1


def test_counts_can_colour_the_map_too(summary):
    p = props(country_map(summary, value="n_clusters"))
    assert p["DE"]["value_text"] == "2" and p["FR"]["value_text"] == "1"
    assert p["FR"]["cls"] >= 0
    with pytest.raises(ValueError, match="choose one of total, n_clusters"):
        country_map(summary, value="firms")


def test_selected_country_is_outlined_and_zoomed_to(summary):
    m = country_map(summary, selected="de")
    assert props(m)["DE"]["selected"] and not props(m)["NL"]["selected"]
    html = m.get_root().render()
    (south, west), (north, east) = country_bounds("DE")
    assert f"[{south}, {west}], [{north}, {east}]" in html


def test_quantile_classes_by_hand():
    classes, index = value_classes(range(1, 11), k=5)
    # quintile edges of 1..10 taken from the data are 2, 4, 6, 8
    assert [(c.low, c.high) for c in classes] == [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10)]
    assert list(index) == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert [c.colour for c in classes] == list(PALETTE)


def test_few_values_each_get_a_class_and_blanks_none():
    classes, index = value_classes([5, 5, 7, np.nan])
    assert [(c.low, c.high, c.n) for c in classes] == [(5, 5, 2), (7, 7, 1)]
    assert list(index) == [0, 0, 1, -1]
    classes, index = value_classes([np.nan])
    assert classes == [] and list(index) == [-1]


def test_names_and_texts_are_escaped():
    evil = pd.DataFrame(
        {
            "country_iso2": ["DE"],
            "country": ['<img src=x onerror="alert(1)">'],
            "n_clusters": [1],
            "n_with_figure": [1],
            "total": [10.0],
            "total_qualifier": [""],
            "display": ["10"],
            "total_note": [""],
            "year_min": [2010],
            "year_max": [2010],
            "n_undated": [0],
            "measure": ["employees"],
            "counts_what": ["cluster_firms"],
        }
    )
    fc, _ = country_features(evil)
    assert "<img" not in fc["features"][0]["properties"]["tip"]
    legend = country_legend_html(evil, title="<script>alert(2)</script>")
    assert "<script>" not in legend and "&lt;script&gt;" in legend


def test_legend_lists_classes_no_figure_and_undrawn_countries(summary):
    legend = country_legend_html(summary)
    assert "20 (1 country)" in legend and "150 (1 country)" in legend
    assert "no figure (1 country with clusters)" in legend
    malta = country_summary(table([{"cluster_id": "m", "country_iso2": "MT", "employees": 5}]))
    assert "Not drawn (too small for the outlines): Malta" in country_legend_html(malta)


def test_germany_bounds():
    (south, west), (north, east) = country_bounds("DE")
    # Germany spans about 47.3–55.1 N and 5.9–15.0 E
    assert 46.9 < south < 47.7 and 54.6 < north < 55.4
    assert 5.5 < west < 6.3 and 14.7 < east < 15.4


def test_bounds_ignore_far_away_parts_and_unite_countries():
    (south, west), (north, east) = country_bounds("RU")
    assert east <= 45.0  # Europe's part, not Siberia
    (s2, w2), (n2, e2) = country_bounds(["DE", "NL"])
    (s_nl, w_nl), _ = country_bounds("NL")
    assert w2 == w_nl < 5.5 and s2 == country_bounds("DE")[0][0]
    assert country_bounds(["XX"]) is None and country_bounds([]) is None


def test_every_outline_of_europe_has_a_code():
    names = {
        f["properties"]["name"]: outline_iso2(f["properties"])
        for f in country_outlines()["features"]
    }
    assert names["Germany"] == "DE" and names["Bosnia and Herz."] == "BA"
    assert names["United Kingdom"] == "GB" and names["Macedonia"] == "MK"
    assert [n for n, c in names.items() if c is None] == ["N. Cyprus"]


def test_default_data_draws_every_country_with_clusters():
    s = country_summary(load_clusters())
    drawn = set(props(country_map(s)))
    assert drawn == set(s["country_iso2"])


def test_tooltips_and_legend_in_german():
    from mstatlas.i18n import language

    t = table(
        [
            {"cluster_id": "a", "country_iso2": "DE", "employees": 2100, "year": 2010},
            {"cluster_id": "b", "country_iso2": "DE", "employees": 50},
            {"cluster_id": "d", "country_iso2": "FR"},  # clusters, but no figure
        ]
    )
    with language("de"):
        s = country_summary(t)
        p = props(country_map(s))
        legend = country_legend_html(s)
    # 2,100 + 50 = 2,150, one of the two figures undated
    assert p["DE"]["value_text"] == "2.150" and p["FR"]["value_text"] == "keine Zahl"
    assert "2 von 2 Clustern mit einer Zahl, 2010, 1 ohne Jahr" in p["DE"]["tip"]
    assert "1 von 1 Cluster mit einer Zahl" not in p["FR"]["tip"]  # FR has none
    assert "0 von 1 Cluster mit einer Zahl" in p["FR"]["tip"]
    assert "Summe je Land" in legend and "keine Zahl (1 Land mit Clustern)" in legend
