"""The cluster layer: one symbol per point, names shipped once and escaped, no CDN."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

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
