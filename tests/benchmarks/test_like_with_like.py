"""Both benchmarked apps draw the same clusters, so the comparison is like with like."""

from __future__ import annotations

import json
import math
import re

import pytest

from benchmarks.payload import atlas_cluster_args, naive_args, payload_bytes
from benchmarks.synth import synthetic_clusters
from mstatlas.data.schema import coerce_clusters
from mstatlas.mapping.layers import R_MIN

MARKER = re.compile(r"L\.circleMarker\(\s*\[([-\d.]+),\s*([-\d.]+)\],\s*(\{.*?\})\s*\)", re.S)


def atlas_symbols(args: dict) -> dict:
    fg = args["feature_group"]
    start = fg.index("var D = ") + len("var D = ")
    return json.loads(fg[start : fg.index(";\n", start)].replace("<\\/", "</"))


@pytest.fixture(scope="module")
def both():
    raw = synthetic_clusters(50)
    return atlas_cluster_args(coerce_clusters(raw)), naive_args(raw)


def test_same_number_of_symbols(both):
    atlas, peer = both
    assert len(atlas_symbols(atlas)["lat"]) == 50
    assert len(MARKER.findall(peer["script"])) == 50
    assert peer["script"].count("L.popup(") == 50  # the peer's per-point popups


def test_same_positions_and_sizes(both):
    atlas, peer = both
    d = atlas_symbols(atlas)
    radius = {
        (lat, lon): max(R_MIN, d["k"] * math.sqrt(v))
        for lat, lon, v in zip(d["lat"], d["lon"], d["v"])
    }
    seen = set()
    for lat, lon, opts in MARKER.findall(peer["script"]):
        # MST Atlas rounds coordinates to 4 decimals; the peer keeps them as given.
        near = [
            k for k in radius if abs(k[0] - float(lat)) <= 6e-5 and abs(k[1] - float(lon)) <= 6e-5
        ]
        assert len(near) == 1, f"peer draws ({lat}, {lon}); MST Atlas has {near}"
        assert json.loads(opts)["radius"] == pytest.approx(radius[near[0]], rel=1e-3)
        seen.add(near[0])
    assert seen == set(radius)


def test_peer_needs_only_local_assets(both):
    _, peer = both
    for link in peer["js_links"] + peer["css_links"]:
        assert not link.startswith(("http:", "https:", "//")), link
    assert any("jquery" in link for link in peer["js_links"])
    assert payload_bytes(peer) > payload_bytes(both[0])
