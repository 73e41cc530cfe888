"""Map building: one symbol per visible cluster, nothing loaded from the internet."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from mstatlas import Filters, apply_filters, build_map, load_clusters, standalone_html
from mstatlas.data.schema import coerce_clusters
from mstatlas.mapping.build import map_points
from mstatlas.mapping.layers import ClusterLayer

EXTERNAL_ASSET = re.compile(
    r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)


def layer_payload(m) -> dict:
    layers = [c for c in m._children.values() if isinstance(c, ClusterLayer)]
    assert len(layers) == 1, "all symbols must be in one layer"
    return json.loads(layers[0].payload.replace("<\\/", "</"))


def test_one_point_per_visible_cluster():
    c = load_clusters()
    m = build_map(c, measure="employees")
    data = layer_payload(m)
    assert len(data["lat"]) == c["cluster_id"].nunique() == 26
    filtered = apply_filters(c, Filters(countries=("DE",)))
    data_de = layer_payload(build_map(filtered))
    assert len(data_de["lat"]) == filtered["cluster_id"].nunique()


def test_blank_figures_are_drawn_hollow_not_invented():
    c = load_clusters()
    pts = map_points(c, "employees")
    # Erfurt's sources give no employees figure at all
    assert c.loc[c["cluster_id"] == "erfurt_thuringia", "employees"].isna().all()
    erfurt = pts[pts["cluster_id"] == "erfurt_thuringia"].iloc[0]
    assert pd.isna(erfurt["value"]) and erfurt["display"] == ""
    data = layer_payload(build_map(c))
    i = list(pts["cluster_id"]).index("erfurt_thuringia")
    assert data["v"][i] is None


def test_points_placed_at_each_clusters_first_located_row_and_blanks_in_file_order():
    # by hand: "a"'s first row has no position, so it sits at its second (51, 9); "b" and "d"
    # have no employees figure: drawn hollow after the figures, in file order (d's first
    # located row comes before b's); "c" has no position at all and is not drawn
    rows = [
        {"cluster_id": "a", "employees": 5, "lat": None, "lon": None},
        {"cluster_id": "d", "employees": None, "lat": 48.0, "lon": 2.0},
        {"cluster_id": "a", "employees": 9, "lat": 51.0, "lon": 9.0, "year": 2009},
        {"cluster_id": "b", "employees": None, "lat": None, "lon": None},
        {"cluster_id": "c", "employees": 7, "lat": None, "lon": None},
        {"cluster_id": "b", "employees": None, "lat": 50.0, "lon": 8.0},
        {"cluster_id": "e", "employees": 20, "lat": 52.0, "lon": 13.0},
    ]
    base = {"counts_what": "cluster_firms", "cluster_name": "X"}
    c = coerce_clusters(pd.DataFrame([{**base, **r} for r in rows])).set_axis(range(10, 17))
    pts = map_points(c, "employees")  # row: the label in the table, not the position
    assert pts["cluster_id"].tolist() == ["e", "a", "d", "b"]
    assert pts[["lat", "lon"]].values.tolist() == [[52, 13], [51, 9], [48, 2], [50, 8]]
    assert pts["row"].tolist() == [16, 12, 11, 15]
    assert pts["value"].tolist()[:2] == [20, 9] and pts["value"].isna().tolist()[2:] == [1, 1]


def test_rendered_html_loads_nothing_from_the_internet():
    html = build_map(load_clusters()).get_root().render()
    assert not EXTERNAL_ASSET.search(html)
    assert "leaflet.js" in html and "cdn" not in html.lower()
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()


def test_standalone_export_inlines_leaflet():
    html = standalone_html(build_map(load_clusters()))
    assert not EXTERNAL_ASSET.search(html)
    assert "<script src=" not in html
    assert "L.circleMarker" in html and "Leaflet" in html


def test_symbol_area_is_proportional_to_value():
    c = load_clusters()
    data = layer_payload(build_map(c, measure="employees"))
    vals = [v for v in data["v"] if v]
    assert data["k"] == pytest.approx(26.0 / max(vals) ** 0.5, rel=1e-4)


def test_names_are_escaped_in_tooltips():
    evil = coerce_clusters(
        pd.DataFrame(
            {
                "cluster_id": ["x"],
                "cluster_name": [
                    '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
                ],
                "lat": [50.0],
                "lon": [8.0],
                "firms": [3],
            }
        )
    )
    html = build_map(evil, measure="firms").get_root().render()
    assert "<script>alert(2)" not in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#x27;alert(1)" in html or "&lt;img src=x onerror=&quot;" in html


def test_map_zoom_is_limited_with_and_without_street_tiles():
    import re

    from mstatlas.mapping.build import MAX_ZOOM, MIN_ZOOM, build_base_map

    for online in (False, True):
        html = build_base_map(online_tiles=online).get_root().render()
        options = re.search(r"L\.map\(\s*\"map_[0-9a-f]+\",\s*(\{.*?\})\s*\);", html, re.S)
        assert options, "the map's options are in the page"
        assert f'"minZoom": {MIN_ZOOM}' in options.group(1)
        assert f'"maxZoom": {MAX_ZOOM}' in options.group(1)
