"""Firm points: one canvas layer, compact integer arrays, colours by technology."""

from __future__ import annotations

import json
import re

import folium
import numpy as np
import pandas as pd
import pytest

from mstatlas.mapping.build import build_base_map
from mstatlas.mapping.firm_points import (
    COORD_SCALE,
    OTHER_COLOUR,
    TECH_COLOURS,
    UNKNOWN_LABEL,
    FirmPointsLayer,
    firm_legend_html,
    firm_points_feature_group,
    technology_palette,
)

EXTERNAL_ASSET = re.compile(
    r"""<(?:script|link)\b[^>]*(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I
)
EVIL = '<img src=x onerror="alert(1)"></script><script>alert(2)</script>'


def firms(n: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "lat": rng.uniform(40, 60, n).round(5),
            "lon": rng.uniform(-5, 25, n).round(5),
            "name": [f"Firm {i}" for i in range(n)],
            "technology": (["MEMS", "Optics", None] * n)[:n],
            "employees": list(range(1, n + 1)),
        }
    )


def layer_of(fg: folium.FeatureGroup) -> FirmPointsLayer:
    (layer,) = fg._children.values()
    assert isinstance(layer, FirmPointsLayer)
    return layer


def decode(layer: FirmPointsLayer) -> tuple[dict, np.ndarray, np.ndarray]:
    d = json.loads(layer.payload.replace("<\\/", "</"))
    return d, np.cumsum(d["la"]) / d["s"], np.cumsum(d["lo"]) / d["s"]


def test_palette_is_deterministic_most_frequent_first():
    values = ["b", "a", "b", None, "", "  ", "c", "a", "b"]
    pal = technology_palette(values)
    assert list(pal) == ["b", "a", "c"]
    assert pal == technology_palette(list(reversed(values)))
    assert pal["b"] == TECH_COLOURS[0]


def test_palette_beyond_its_colours_is_grey():
    values = [f"t{i:02d}" for i in range(len(TECH_COLOURS) + 3)]
    pal = technology_palette(values)
    assert len(set(pal.values()) - {OTHER_COLOUR}) == len(TECH_COLOURS)
    assert list(pal.values()).count(OTHER_COLOUR) == 3


def test_one_point_per_firm_with_exact_positions():
    f = firms(500)
    layer = layer_of(firm_points_feature_group(f))
    d, lat, lon = decode(layer)
    assert d["n"] == len(lat) == 500 and sum(d["gc"]) == 500
    got = sorted(zip(np.round(lat, 4), np.round(lon, 4)))
    want = sorted(zip(np.round(f["lat"], 4), np.round(f["lon"], 4)))
    assert np.allclose(got, want, atol=1.01 / COORD_SCALE)
    # names travel in drawing order: each name sits at its own firm's position
    by_name = f.set_index("name")
    for name, y, x in zip(d["t"], lat, lon):
        assert by_name.loc[name, "lat"] == pytest.approx(y, abs=1e-4)
        assert by_name.loc[name, "lon"] == pytest.approx(x, abs=1e-4)
    assert list(f.loc[layer.order, "name"]) == d["t"]


def test_groups_follow_the_palette_and_unknown_technology():
    d, _, _ = decode(layer_of(firm_points_feature_group(firms(9))))
    counts = dict(zip(d["g"], d["gc"]))
    assert counts == {UNKNOWN_LABEL: 3, "MEMS": 3, "Optics": 3, "other technologies": 0}
    d1, _, _ = decode(layer_of(firm_points_feature_group(firms(9), technology_col=None)))
    assert d1["gc"][0] == 9  # one colour when technology is not used


def test_rows_without_valid_coordinates_are_left_out():
    f = firms(4)
    f.loc[0, "lat"] = np.nan
    f.loc[1, "lon"] = 500.0
    layer = layer_of(firm_points_feature_group(f))
    assert layer.count == 2


def test_big_lists_ship_no_per_point_text():
    f = firms(50)
    small = decode(layer_of(firm_points_feature_group(f, tooltip_limit=100)))[0]
    big = decode(layer_of(firm_points_feature_group(f, tooltip_limit=10)))[0]
    assert small["t"] and small["e"]
    assert big["t"] is None and big["e"] is None
    assert len(json.dumps(big)) < len(json.dumps(small))


def test_names_are_escaped_and_nothing_comes_from_the_internet():
    f = firms(3)
    f.loc[0, "name"] = EVIL
    f.loc[1, "technology"] = EVIL
    m = build_base_map()
    firm_points_feature_group(f).add_to(m)
    html = m.get_root().render()
    assert "<script>alert(2)" not in html and "<img src=x" not in html
    assert "&lt;img src=x" in html
    assert not EXTERNAL_ASSET.search(html)
    legend = firm_legend_html(f)
    assert "<img" not in legend and "&lt;img" in legend
    assert f"{UNKNOWN_LABEL} (1)" in legend


def test_payload_is_compact_for_100k_firms():
    rng = np.random.default_rng(1)
    n = 100_000
    f = pd.DataFrame(
        {
            "lat": rng.normal(50, 3, n),
            "lon": rng.normal(10, 5, n),
            "technology": rng.choice(["a", "b", "c"], n),
        }
    )
    layer = layer_of(firm_points_feature_group(f))
    assert len(layer.payload) / n < 20  # bytes per firm


def test_tooltip_words_legend_and_numbers_in_german():
    from mstatlas.i18n import language

    many = pd.DataFrame({"lat": [50.0] * 1200, "lon": [8.0] * 1200, "technology": [None] * 1200})
    with language("de"):
        d, _, _ = decode(layer_of(firm_points_feature_group(firms(3))))
        legend = firm_legend_html(many)
    assert d["g"][0] == "Technologie nicht angegeben" and d["g"][-1] == "andere Technologien"
    assert d["ew"] == "{n} Beschäftigte" and d["loc"] == "de"  # the browser writes 1.200
    assert "Technologie nicht angegeben (1.200)" in legend
    english = decode(layer_of(firm_points_feature_group(firms(3))))[0]
    assert (english["ew"], english["loc"]) == ("{n} employees", "en")
