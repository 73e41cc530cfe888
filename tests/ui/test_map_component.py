"""The map component's arguments made the short way are the ones st_folium makes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import streamlit_folium as sf

from mstatlas.i18n import language
from mstatlas.mapping.firm_points import firm_points_feature_group
from mstatlas.mapping.layers import BIG_LAYER_THRESHOLD, cluster_feature_group
from mstatlas.ui import map_component

RETURNED = ["last_active_drawing", "last_object_clicked", "center", "zoom"]
NAMES = [
    "Zürich & Co <b>",
    "{{ 7*7 }} {% x %}",
    'map_1234 feature_group_0_0 O\'Brien "Quote"',
    "Back\\slash",
    "Ελληνικά",
    None,
]


def points(n: int, seed: int = 3) -> pd.DataFrame:
    """``n`` map points, largest first, with names a template or a script could trip on."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "cluster_id": [f"c{i}" for i in range(n)],
            "lat": rng.uniform(36, 70, n).round(5),
            "lon": rng.uniform(-10, 30, n).round(5),
            "value": np.sort(rng.lognormal(5, 1, n).round())[::-1],
            "counts_what": "cluster_firms",
            "cluster_name": [NAMES[i % len(NAMES)] for i in range(n)],
            "display": "",
            "qualifier": "",
            "year": pd.array([2020] * n, dtype="Int64"),
        }
    )


def recorded(monkeypatch: pytest.MonkeyPatch, draw) -> dict:
    """The arguments handed to streamlit-folium's component by ``draw()``."""
    got: dict = {}
    monkeypatch.setattr(sf, "_component_func", lambda **kw: got.update(kw))
    draw()
    got.pop("on_change")  # a new function each call
    return got


def both(monkeypatch, base, groups) -> tuple[dict, dict]:
    """(st_folium's arguments, map_component.draw's) for the same map."""
    call = {"key": "atlas_map", "height": 560, "center": [50.5, 9.25], "zoom": 5}

    def through_st_folium():
        sf.st_folium(
            base.build(),
            use_container_width=True,
            feature_group_to_add=groups() or None,
            returned_objects=RETURNED,
            **call,
        )

    def short_way():
        map_component.draw(base, groups(), returned_objects=RETURNED, **call)

    return recorded(monkeypatch, through_st_folium), recorded(monkeypatch, short_way)


@pytest.mark.parametrize(
    "n, base",
    [
        (BIG_LAYER_THRESHOLD + 500, map_component.BaseMap(False, (51.0, 10.0), 4, False)),
        (40, map_component.BaseMap(True, (48.1, 11.6), 7, False)),
        (BIG_LAYER_THRESHOLD + 1, map_component.BaseMap(False, (51.0, 10.0), 4, True)),
    ],
)
def test_the_same_arguments_as_st_folium(monkeypatch, n, base):
    assert map_component.can_skip_st_folium()
    pts = points(n)
    firms = pd.DataFrame({"lat": [50.0, 51.0], "lon": [8.0, 9.0], "name": ["A & B", "C"]})

    def groups():
        return [
            firm_points_feature_group(firms),
            cluster_feature_group(pts, "employees", selected=1),
        ]

    old, new = both(monkeypatch, base, groups)
    assert new == old
    assert "Z&#252;rich &amp; Co &lt;b&gt;" in new["feature_group"] or n <= BIG_LAYER_THRESHOLD


def test_the_same_arguments_in_german_and_without_layers(monkeypatch):
    base = map_component.BaseMap(True, (51.0, 10.0), 4, False)
    with language("de"):
        old, new = both(monkeypatch, base, lambda: [])
    assert new == old and new["feature_group"] is None
    # each language keeps its own base map (its notices are written in it)
    assert map_component.base_parts(base, "de") is not map_component.base_parts(base, "en")
    assert map_component.base_parts(base, "de") is map_component.base_parts(base, "de")


def test_without_the_helpers_it_calls_st_folium(monkeypatch):
    monkeypatch.setattr(map_component, "can_skip_st_folium", lambda: False)
    calls = []
    monkeypatch.setattr(map_component, "st_folium", lambda fig, **kw: calls.append(kw) or {"a": 1})
    base = map_component.BaseMap(False, (51.0, 10.0), 4, False)
    out = map_component.draw(
        base, [], key="k", height=300, returned_objects=RETURNED, center=None, zoom=None
    )
    assert out == {"a": 1} and calls[0]["key"] == "k" and calls[0]["feature_group_to_add"] is None


def test_a_layer_converted_before_gets_its_own_data(monkeypatch):
    # the second and third draws reuse the first one's conversion (same kind of layer and
    # selection): each must still carry its own clusters, and a new selection its outline
    base = map_component.BaseMap(False, (51.0, 10.0), 4, False)
    for seed, selected in ((1, 2), (2, 2), (3, 5)):
        pts = points(BIG_LAYER_THRESHOLD + 10, seed=seed)
        old, new = both(
            monkeypatch, base, lambda: [cluster_feature_group(pts, "employees", selected=selected)]
        )
        assert new == old
        assert f"SEL = {selected};" in new["feature_group"]
