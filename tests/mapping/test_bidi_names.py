"""A name holding bidirectional controls is drawn without them on the map and in its file.

U+202E (RIGHT-TO-LEFT OVERRIDE) draws what follows reversed: "Cluster\u202egnp.exe"
would read "Clusterexe.png" in a tooltip. The layers ship names as JSON, which may
write the control raw or as an escape, so both spellings are looked for.
"""

from __future__ import annotations

import re

import folium
import pandas as pd
from cluster_tables import cluster_table

from mstatlas.mapping.assets import standalone_html
from mstatlas.mapping.build import build_map, map_points
from mstatlas.mapping.cluster_canvas import BigClusterLayer
from mstatlas.mapping.firm_points import firm_legend_html, firm_points_feature_group

SPOOF = "Cluster\u202egnp.exe"
#: The controls, raw or as a JSON/JS escape (\u202e, \u2067, …).
CONTROL = re.compile(
    r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]|\\u(?:202[a-e]|206[6-9]|200[ef]|061c)", re.I
)


def _clusters() -> pd.DataFrame:
    return cluster_table(
        [
            {"cluster_id": "a", "cluster_name": SPOOF, "firms": 40, "year": 2020,
             "source_title": "Survey \u2067of\u2069 firms"},
            {"cluster_id": "b", "cluster_name": "Ruhr\u200f", "firms": 12, "lat": 51.0,
             "year": 2019, "source_title": "Register"},
        ]
    )  # fmt: skip


def test_saved_map_holds_no_bidi_control_and_the_name_in_stored_order():
    html = standalone_html(build_map(_clusters(), measure="firms", title="Atlas \u202ebad"))
    assert not CONTROL.search(html)
    assert "Clustergnp.exe" in html  # the tooltip's name, in the order the file stores it
    assert "Atlas bad" in html  # the title laid over the saved map
    assert "Survey of firms (2020)" in html  # the data line's source


def test_big_layer_ships_names_without_controls():
    points = map_points(_clusters(), "firms")
    layer = BigClusterLayer(points, "firms")
    assert not CONTROL.search(layer.payload)
    assert "Clustergnp.exe\\nRuhr" in layer.payload


def test_firm_names_and_technologies_without_controls():
    firms = pd.DataFrame(
        {
            "lat": [51.5, 51.6],
            "lon": [7.4, 7.5],
            "name": [SPOOF, "Plain GmbH"],
            "technology": ["MEMS\u202e", "Optics"],
            "employees": [10, 20],
        }
    )
    m = folium.Map(tiles=None)
    firm_points_feature_group(firms).add_to(m)
    html = m.get_root().render()
    assert not CONTROL.search(html)
    assert "Clustergnp.exe" in html
    legend = firm_legend_html(firms)
    assert not CONTROL.search(legend) and "MEMS" in legend
