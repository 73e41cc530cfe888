"""The cluster layer: one symbol per point, names shipped once and escaped, no CDN."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import folium
import numpy as np
import pandas as pd
import pytest

from mstatlas.mapping.build import build_base_map
from mstatlas.mapping.layers import ClusterLayer, cluster_feature_group

EXTERNAL_ASSET = re.compile(
    r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)


def points(n: int, name: str = "Cluster") -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "lat": rng.uniform(40, 60, n),
            "lon": rng.uniform(-5, 25, n),
            "value": rng.integers(1, 5_000, n).astype(float),
            "counts_what": "cluster_firms",
            "cluster_name": [f"{name} {i}" for i in range(n)],
            "display": "",
            "qualifier": "",
            "year": pd.array([2020] * n, dtype="Int64"),
        }
    )


def data(layer: ClusterLayer) -> dict:
    return json.loads(layer.payload.replace("<\\/", "</"))


def test_one_symbol_per_point_and_one_marker_call():
    fg = cluster_feature_group(points(120), "employees")
    (layer,) = fg._children.values()
    assert isinstance(layer, ClusterLayer) and layer.key
    d = data(layer)
    assert len(d["lat"]) == len(d["lon"]) == len(d["v"]) == len(d["t"]) == 120
    js = layer._template.module.script(layer)
    assert js.count("L.circleMarker(") == 1  # one loop, not one object per cluster in the script
    assert js.count("bindTooltip") == 1  # a single tooltip for the whole layer


def test_names_with_script_are_escaped():
    p = points(2)
    p.loc[0, "cluster_name"] = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'
    m = build_base_map()
    cluster_feature_group(p, "employees").add_to(m)
    html = m.get_root().render()
    assert "<script>alert(2)" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert not EXTERNAL_ASSET.search(html)


def test_text_is_left_out_above_the_limit():
    small = data(ClusterLayer(points(30), "employees", tooltip_limit=100))
    big = data(ClusterLayer(points(30), "employees", tooltip_limit=10))
    assert small["t"] and small["y"] == [2020] * 30
    assert big["t"] is None and "y" not in big
    assert "Cluster 3" not in json.dumps(big)


def test_qualifiers_travel_as_indices_only_when_used():
    p = points(3)
    assert "q" not in data(ClusterLayer(p, "employees"))
    p.loc[1, "qualifier"] = "about"
    d = data(ClusterLayer(p, "employees"))
    assert d["qs"][d["q"][1]] == "≈ " and d["q"][0] == 0


def test_stars_travel_as_one_small_int_array():
    p = points(4).assign(
        stars=pd.array([2, 0, None, 3], dtype="Int64"), stars_of=pd.array([3, 3, None, 3], "Int64")
    )
    d = data(ClusterLayer(p, "employees"))
    assert d["st"] == [2, 0, None, 3]  # blank = not rated
    assert d["sn"] == [3, 3, None, 3]  # one per point when a point is not rated
    rated = p.iloc[[0, 1, 3]].reset_index(drop=True)
    d = data(ClusterLayer(rated, "employees"))
    assert d["st"] == [2, 0, 3] and d["sn"] == 3  # the same for all: one number
    four = rated.assign(stars_of=pd.array([4, 3, 4], dtype="Int64"))
    assert data(ClusterLayer(four, "employees"))["sn"] == [4, 3, 4]
    plain = data(ClusterLayer(points(4), "employees"))
    assert "st" not in plain and "sn" not in plain  # no rating, nothing extra shipped


def _tooltips(layer: ClusterLayer, n: int) -> list[str]:
    """The layer's tooltip for each point, as the browser builds it (Leaflet stubbed)."""
    fg = folium.FeatureGroup()
    layer.add_to(fg)
    script = layer._template.module.script(layer)
    stub = (
        "var tipFn = null;\n"
        "var L = {canvas: function () { return {}; },\n"
        "  circleMarker: function () { return {}; },\n"
        "  featureGroup: function () { return {addLayer: function () {},\n"
        "    bindTooltip: function (f) { tipFn = f; }, addTo: function () {},\n"
        "    on: function () {}}; }};\n"
        f"var {fg.get_name()} = {{}};\n"
    )
    calls = "".join(
        f"console.log(JSON.stringify(tipFn({{feature: {{properties: {{i: {i}}}}}}})));"
        for i in range(n)
    )
    out = subprocess.run(
        ["node", "-e", stub + script + calls], capture_output=True, text=True, check=True
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the tooltip script")
def test_tooltip_shows_the_stars():
    p = points(3).assign(
        stars=pd.array([2, 0, None], dtype="Int64"), stars_of=pd.array([3, 4, None], "Int64")
    )
    tips = _tooltips(ClusterLayer(p, "employees"), 3)
    assert tips[0].endswith("<br>★★☆ (2 of 3 stars)")
    assert tips[1].endswith("<br>☆☆☆☆ (0 of 4 stars)")
    assert "star" not in tips[2]  # not rated: nothing said
    assert tips[0].startswith("<b>Cluster 0</b>")
    no_text = _tooltips(ClusterLayer(p, "employees", tooltip_limit=1), 1)
    assert no_text[0].endswith("★★☆ (2 of 3 stars)")


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the tooltip script")
def test_tooltip_in_german_with_german_numbers():
    from mstatlas.i18n import language

    p = pd.DataFrame(
        {
            "lat": [50.0, 51.0],
            "lon": [8.0, 9.0],
            "value": [2100.0, None],
            "counts_what": ["cluster_firms", "cluster_firms"],
            "cluster_name": ["Alpha", "Beta"],
            "display": ["2.100", ""],
            "year": pd.array([None, 2010], dtype="Int64"),
            "stars": pd.array([1, None], dtype="Int64"),
        }
    )
    with language("de"):
        layer = ClusterLayer(p, "employees")
    tips = _tooltips(layer, 2)
    # node writes 2100 with the German thousands point when it has the locale data
    assert tips[0].startswith("<b>Alpha</b><br>2") and "100 Beschäftigte (ohne Jahr)" in tips[0]
    assert tips[0].endswith("<br>★ (1 Stern)")
    assert tips[1].startswith("<b>Beta</b><br>keine Zahl „Beschäftigte“ gemeldet<br><i>")
    assert data(layer)["w"]["loc"] == "de"
