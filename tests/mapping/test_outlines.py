"""Polygon layers: detected outlines (tooltips, confidentiality, clicks) and the hexagon density."""

from __future__ import annotations

import json
import math

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from mstatlas.mapping.outlines import (
    DENSITY_COLOURS,
    HEX_CRS,
    OUTLINE_COLOUR,
    density_classes,
    density_layer,
    density_legend_html,
    hex_bins,
    outline_layer,
    outline_tooltips,
)


def payload(layer) -> dict:
    return json.loads(layer.payload.replace("<\\/", "</").replace("\\u007b", "{"))


def clusters(**extra) -> gpd.GeoDataFrame:
    table = pd.DataFrame(
        {
            "cluster_id": ["dortmund", "hamburg"],
            "cluster_name": ["Dortmund", "Hamburg"],
            "firms": [8, 2],
            "employees": pd.array([348, pd.NA], dtype="Int64"),
            "employees_status": pd.array([pd.NA, "confidential"], dtype="string"),
        }
    ).assign(**extra)
    shapes = [shapely.box(7.4, 51.4, 7.5, 51.5), shapely.box(9.9, 53.5, 10.0, 53.6)]
    return gpd.GeoDataFrame(table, geometry=shapes, crs="EPSG:4326")


# -- outlines ---------------------------------------------------------------------------


def test_one_feature_per_cluster_with_its_row_key_and_tooltip():
    layer = outline_layer(clusters())
    data = payload(layer)
    features = data["fc"]["features"]
    assert [f["properties"]["i"] for f in features] == [0, 1]
    assert {f["properties"]["k"] for f in features} == {layer.key}
    assert features[0]["properties"]["c"] == OUTLINE_COLOUR
    assert features[0]["properties"]["t"] == (
        "<b>Dortmund</b><br>8 firms<br>348 employees<br><i>cluster detected from firm locations</i>"
    )
    # the outline travels as it is (a box), closed ring, lon/lat order
    ring = features[0]["geometry"]["coordinates"][0]
    assert shapely.Polygon(ring).equals(shapely.box(7.4, 51.4, 7.5, 51.5))
    assert data["sel"] == -1


def test_a_confidential_figure_reads_confidential_and_its_number_never_travels():
    # The hidden figure is blank in the table; even if a caller left it in, the status wins.
    table = clusters(employees=pd.array([348, 3042], dtype="Int64"))
    tips = outline_tooltips(table)
    assert "employees confidential" in tips[1]
    assert "3042" not in tips[1] and "3,042" not in tips[1]


def test_an_unknown_figure_says_so_and_one_firm_is_singular():
    table = clusters(
        firms=[1, 2],
        employees=pd.array([pd.NA, pd.NA], dtype="Int64"),
        employees_status=pd.array([pd.NA, pd.NA], dtype="string"),
    )
    tips = outline_tooltips(table)
    assert "<br>1 firm<br>employees not known" in tips[0]


def test_outlines_not_shown_are_not_sent_at_all():
    layer = outline_layer(clusters(), shown=[True, False])
    features = payload(layer)["fc"]["features"]
    assert [f["properties"]["i"] for f in features] == [0]
    assert "53.5" not in layer.payload  # not even the corners of the hidden outline


def test_the_selected_row_is_marked_and_the_key_follows_the_content():
    a = outline_layer(clusters(), selected=1)
    assert payload(a)["sel"] == 1
    assert outline_layer(clusters()).key == a.key  # the selection is not the content
    assert outline_layer(clusters(firms=[8, 3])).key != a.key


def test_names_are_escaped_and_cannot_run_as_script_or_template():
    evil = clusters(cluster_name=["<script>alert(1)</script>", "{{ 7*7 }}\u202eevil"])
    m = folium.Map(location=[52, 9], zoom_start=5, tiles=None)
    outline_layer(evil).add_to(m)
    html = m.get_root().render()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\\u007b{ 7*7 }}evil" in html and "<b>49" not in html  # sent as text, not evaluated
    tips = outline_tooltips(evil)
    assert tips[1].startswith("<b>{{ 7*7 }}evil</b>")  # bidi control stripped, braces kept
    assert "{{" not in html  # the payload never holds a template opening
    assert "\u202e" not in html


# -- hexagon density ----------------------------------------------------------------------


def test_hex_bins_count_positions_and_each_lies_in_its_hexagon():
    lat = np.array([51.51, 51.51, 51.515, 52.52, 48.14, np.nan])
    lon = np.array([7.46, 7.46, 7.465, 13.40, 11.58, 7.0])
    bins = hex_bins(lat, lon, 10.0)
    assert list(bins["firms"]) == [3, 1, 1]  # most first; the position without a latitude left out
    assert bins.crs.to_string() == "EPSG:4326"
    for la, lo in zip(lat[:5], lon[:5]):
        hits = bins[bins.covers(shapely.Point(lo, la))]
        assert len(hits) == 1


def test_hexagons_have_the_area_of_their_size_on_the_equal_area_grid():
    # A regular hexagon of circumradius s has area 3·√3/2·s²: for s = 10 km, 259.81 km².
    bins = hex_bins(np.array([51.5, 40.4, 60.2]), np.array([7.5, -3.7, 24.9]), 10.0)
    areas = bins.to_crs(HEX_CRS).area / 1e6
    assert areas.to_numpy() == pytest.approx([3 * math.sqrt(3) / 2 * 100] * 3, rel=1e-6)


def test_points_further_apart_than_a_hexagon_fall_in_different_ones():
    to_grid = Transformer.from_crs("EPSG:4326", HEX_CRS, always_xy=True)
    back = Transformer.from_crs(HEX_CRS, "EPSG:4326", always_xy=True)
    x, y = to_grid.transform(7.46, 51.51)
    lon2, lat2 = back.transform(x + 40_000, y)  # 40 km east: beyond any 10 km hexagon
    bins = hex_bins(np.array([51.51, lat2]), np.array([7.46, lon2]), 10.0)
    assert list(bins["firms"]) == [1, 1]


def test_hex_size_must_be_positive():
    with pytest.raises(ValueError, match="positive number of km"):
        hex_bins(np.array([51.5]), np.array([7.5]), 0)


def test_density_classes_double_up_to_the_largest_count():
    # Upper bounds 100^(1/5), 100^(2/5), … rounded: 2.51→3, 6.31→6, 15.85→16, 39.81→40, 100.
    assert density_classes(np.array([1, 5, 100])) == [(1, 3), (4, 6), (7, 16), (17, 40), (41, 100)]
    assert density_classes(np.array([1, 1])) == [(1, 1)]
    assert density_classes(np.array([], dtype=int)) == []


def test_density_layer_colours_by_class_and_says_what_it_counts():
    bins = hex_bins(
        np.array([51.51] * 100 + [48.14]), np.array([7.46] * 100 + [11.58]), 10.0
    )  # 100 firms in one hexagon, 1 in another
    features = payload(density_layer(bins))["fc"]["features"]
    props = [f["properties"] for f in features]
    assert [p["t"] for p in props] == ["100 firms", "1 firm"]
    assert props[0]["c"] == DENSITY_COLOURS[-1] and props[1]["c"] == DENSITY_COLOURS[0]
    legend = density_legend_html(bins, "Firms at <city> centres")
    assert "Firms at &lt;city&gt; centres" in legend
    assert "41–100" in legend and ">1–3<" in legend


def test_tooltips_in_german():
    from mstatlas.i18n import language
    from mstatlas.mapping.outlines import outline_tooltips

    clusters = pd.DataFrame(
        {
            "cluster_name": ["Eindhoven", "Ulm"],
            "firms": [1, 12],
            "employees": [2400, None],
            "employees_status": [None, "fewer than 3 firms"],
        }
    )
    with language("de"):
        tips = outline_tooltips(clusters)
    assert tips[0].startswith("<b>Eindhoven</b><br>1 Firma<br>2.400 Beschäftigte<br><i>")
    assert "12 Firmen<br>Beschäftigte vertraulich" in tips[1]
    assert "aus Firmenstandorten erkannter Cluster" in tips[0]
