"""What each app sends to the browser for its map, measured exactly.

``st_folium`` passes its map as component arguments (``script``, ``html``,
``header``, ``feature_group`` …). :func:`st_folium_args` calls the real
``st_folium`` with its component function swapped for a recorder, so the bytes
counted are the ones streamlit-folium would hand to Streamlit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import folium
import pandas as pd

#: The component arguments that carry the map (the rest are a few flags).
MAP_ARGS = ("script", "html", "header", "feature_group", "layer_control")

#: ``returned_objects`` of the atlas map (as in mstatlas.ui.components.atlas_map).
ATLAS_RETURNED = ["last_active_drawing", "last_object_clicked", "center", "zoom"]


def st_folium_args(fig: folium.Map, **kwargs: Any) -> dict[str, Any]:
    """Call ``st_folium(fig, **kwargs)`` and return the arguments it gives the component."""
    import streamlit_folium as sf

    for name in ("streamlit", "streamlit.runtime"):
        logging.getLogger(name).setLevel(logging.ERROR)
    captured: dict[str, Any] = {}
    original: Callable[..., Any] = sf._component_func

    def record(**kw: Any) -> None:
        captured.update(kw)

    sf._component_func = record  # type: ignore[assignment]
    try:
        sf.st_folium(fig, **kwargs)
    finally:
        sf._component_func = original  # type: ignore[assignment]
    return captured


def payload_bytes(args: dict[str, Any]) -> int:
    """UTF-8 bytes of the map strings (script + html + header + feature group + controls)."""
    return sum(len(str(args[k]).encode()) for k in MAP_ARGS if args.get(k))


def json_args_bytes(args: dict[str, Any]) -> int:
    """Bytes of the JSON Streamlit puts in the component message (strings escaped)."""
    plain = {k: v for k, v in args.items() if not callable(v)}
    return len(json.dumps(plain, ensure_ascii=False).encode())


def atlas_cluster_args(clusters: pd.DataFrame, measure: str = "employees") -> dict[str, Any]:
    """Everything the atlas map page does server-side for its map, ending in ``st_folium``."""
    from mstatlas.mapping.build import build_base_map, map_points
    from mstatlas.mapping.layers import cluster_feature_group

    pts = map_points(clusters, measure)
    base = build_base_map()
    fg = cluster_feature_group(pts, measure)
    return st_folium_args(
        base,
        key="atlas_map",
        height=560,
        use_container_width=True,
        feature_group_to_add=fg,
        returned_objects=ATLAS_RETURNED,
    )


def atlas_firm_args(firms: pd.DataFrame) -> dict[str, Any]:
    """The firm-point map as the map page would draw it (base map + one firm layer)."""
    from mstatlas.mapping.build import build_base_map
    from mstatlas.mapping.firm_points import firm_points_feature_group

    base = build_base_map()
    fg = firm_points_feature_group(firms)
    return st_folium_args(
        base,
        key="firm_map",
        height=560,
        use_container_width=True,
        feature_group_to_add=fg,
        returned_objects=["last_object_clicked"],
    )


def naive_args(points: pd.DataFrame, value_col: str = "employees") -> dict[str, Any]:
    """The naive peer: build its map and call ``st_folium(m)`` with defaults."""
    from benchmarks.naive import naive_map

    colour = "counts_what" if "counts_what" in points.columns else None
    return st_folium_args(naive_map(points, value_col, colour))
