"""Compact vector layers for folium: one canvas layer for all symbols.

Instead of one folium object per cluster (slow to build, ~1 KB of HTML each),
the points travel as a few flat JSON arrays and a short ``pointToLayer``-style
loop draws them as canvas ``circleMarker``s. Each marker carries a tiny GeoJSON
``feature`` (its index and the layer key) so a click comes back through
streamlit-folium's ``last_active_drawing`` and is matched to its row.
Above :data:`BIG_LAYER_THRESHOLD` clusters :func:`cluster_layer` picks
:class:`~mstatlas.mapping.cluster_canvas.BigClusterLayer` instead (no Leaflet
object per cluster at all).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import folium
import numpy as np
import pandas as pd
from jinja2 import Template

from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, QUALIFIERS
from mstatlas.data.text import escape_html
from mstatlas.mapping._symbols import (
    CATEGORY_ORDER,
    QUALIFIER_INDEX,
    QUALIFIER_ORDER,
    R_MAX,
    R_MIN,
    TOOLTIP_TEXT_LIMIT,
    coordinate_decimals,
    js_json,
    layer_key,
    radius_scale,
    stars_payload,
    tooltip_words,
)
from mstatlas.mapping.cluster_canvas import BIG_LAYER_THRESHOLD, BigClusterLayer
from mstatlas.mapping.elements import LiteralMacroElement

__all__ = [
    "BIG_LAYER_THRESHOLD",
    "CATEGORY_ORDER",
    "QUALIFIER_INDEX",
    "QUALIFIER_ORDER",
    "R_MAX",
    "R_MIN",
    "TOOLTIP_TEXT_LIMIT",
    "BigClusterLayer",
    "ClusterLayer",
    "OutlineLayer",
    "category_counts",
    "cluster_feature_group",
    "cluster_layer",
    "coordinate_decimals",
    "js_json",
    "layer_key",
    "radius_scale",
]


class ClusterLayer(LiteralMacroElement):
    """A folium element drawing proportional circles from flat arrays on a canvas.

    Parameters
    ----------
    points : DataFrame
        Columns ``lat``, ``lon``, ``value`` (blank = no figure; drawn hollow),
        ``counts_what``, and for tooltips ``cluster_name``, ``display``, ``year``;
        optionally ``stars`` (whole number of stars, blank = not rated) and
        ``stars_of`` (how many a cluster can have), shown as e.g. "★★☆ (2 of 3
        stars)" in the tooltip.
    measure : str
        Key of :data:`mstatlas.data.schema.MEASURES`.
    scale : float, optional
        Pixels per square-root unit; computed from the values when omitted.
    selected : int, optional
        Position of a point to outline as selected.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var D = {{ this.payload }};
  var fg = L.featureGroup();
  var rend = L.canvas({padding: 0.3, tolerance: 4});
  var n = D.lat.length, nf = D.dec ? {minimumFractionDigits: 1, maximumFractionDigits: 1} : {};
  var W = D.w;
  function fmt(v) { return v.toLocaleString(W.loc, nf); }
  function stars(i) {
    if (!D.st || D.st[i] === null) { return ""; }
    var s = D.st[i], of = D.sn === undefined ? null : (typeof D.sn === "number" ? D.sn : D.sn[i]);
    var full = "\\u2605".repeat(s);
    if (of === null) { return "<br>" + full + " " + W.s[s === 1 ? 0 : 1].replace("{n}", s); }
    return "<br>" + full + "\\u2606".repeat(Math.max(of - s, 0)) + " " +
      W.of.replace("{n}", s).replace("{of}", of);
  }
  function tip(m) {
    var i = m.feature.properties.i, v = D.v[i], cat = "<br><i>" + D.cats[D.c[i]] + "</i>";
    if (!D.t) { return (v === null ? W.nofig : fmt(v)) + " " + W.label + cat + stars(i); }
    var fig = v === null ? W.none :
      D.qs[D.q ? D.q[i] : 0] + fmt(v) + " " + W.label + " (" + (D.y[i] === null ? W.und : D.y[i]) + ")";
    return "<b>" + D.t[i] + "</b><br>" + fig + cat + stars(i);
  }
  for (var i = 0; i < n; i++) {
    var v = D.v[i];
    var has = v !== null;
    var r = has ? Math.max(D.rmin, D.k * Math.sqrt(Math.max(v, 0))) : D.rmin;
    var col = D.pal[D.c[i]];
    var sel = i === D.sel;
    var m = L.circleMarker([D.lat[i], D.lon[i]], {
      renderer: rend, radius: r, color: sel ? "#000" : (has ? "#ffffff" : col),
      weight: sel ? 3 : 1, fillColor: col, fillOpacity: has ? 0.72 : 0.0,
      bubblingMouseEvents: false
    });
    m.feature = {type: "Feature", properties: {i: i, k: D.key},
                 geometry: {type: "Point", coordinates: [D.lon[i], D.lat[i]]}};
    fg.addLayer(m);
  }
  // One tooltip for the whole layer, its text built on hover from the arrays. A click
  // closes it (Leaflet opens it on click): the person looks at the profile now, and the
  // next circle hovered opens it again.
  fg.bindTooltip(tip, {sticky: true});
  fg.on("click", function () { fg.closeTooltip(); });
  return fg;
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        points: pd.DataFrame,
        measure: str,
        scale: float | None = None,
        selected: int | None = None,
        tooltip_limit: int = TOOLTIP_TEXT_LIMIT,
    ) -> None:
        super().__init__()
        self._name = "ClusterLayer"
        n = len(points)
        dec = coordinate_decimals(n)
        values = pd.to_numeric(points["value"], errors="coerce").astype(float)
        k = radius_scale(values) if scale is None else scale
        vdec = 1 if measure == "employees_per_firm" else 0
        v_list: list[float | int | None] = [
            None if math.isnan(x) else (round(x, vdec) if vdec else int(round(x)))
            for x in values.tolist()
        ]
        cat_index = {c: i for i, c in enumerate(CATEGORY_ORDER)}
        self.key = layer_key(points.assign(value=values), measure)
        with_text = n <= tooltip_limit
        data: dict[str, Any] = {
            "lat": np.round(points["lat"].astype(float).to_numpy(), dec).tolist(),
            "lon": np.round(points["lon"].astype(float).to_numpy(), dec).tolist(),
            "v": v_list,
            "c": [cat_index.get(str(c), len(CATEGORY_ORDER) - 1) for c in points["counts_what"]],
            "pal": [COUNTS_WHAT_COLOURS[c] for c in CATEGORY_ORDER],
            "cats": [html.escape(COUNTS_WHAT[c]) for c in CATEGORY_ORDER],
            "w": tooltip_words(measure),
            "dec": vdec,
            # Names travel once each; the tooltip around them is built on hover.
            "t": [escape_html(x) for x in points["cluster_name"]] if with_text else None,
            "k": round(k, 6),
            "rmin": R_MIN,
            "sel": -1 if selected is None else int(selected),
            "key": self.key,
        }
        if with_text:
            data["y"] = [None if pd.isna(y) else int(y) for y in points["year"]]
            data["qs"] = [html.escape(QUALIFIERS[q]) for q in QUALIFIER_ORDER]
            quals = points["qualifier"] if "qualifier" in points.columns else None
            if quals is not None and (quals.fillna("") != "").any():
                data["q"] = [QUALIFIER_INDEX.get(str(q or ""), 0) for q in quals.fillna("")]
        data.update(stars_payload(points))
        self.payload = js_json(data)


def cluster_layer(
    points: pd.DataFrame,
    measure: str,
    *,
    scale: float | None = None,
    selected: int | None = None,
    threshold: int = BIG_LAYER_THRESHOLD,
) -> ClusterLayer | BigClusterLayer:
    """The symbol layer for these points: circle markers for a few, one canvas for many.

    Up to ``threshold`` points a :class:`ClusterLayer` (one Leaflet circle marker
    each); above it a :class:`~mstatlas.mapping.cluster_canvas.BigClusterLayer`,
    which looks, hovers and clicks the same but redraws 100,000 clusters fast.
    """
    if len(points) > threshold:
        return BigClusterLayer(points, measure, scale=scale, selected=selected)
    return ClusterLayer(points, measure, scale=scale, selected=selected)


def cluster_feature_group(
    points: pd.DataFrame,
    measure: str,
    selected: int | None = None,
    name: str = "Clusters",
) -> folium.FeatureGroup:
    """Wrap :func:`cluster_layer` in a FeatureGroup (for ``st_folium(feature_group_to_add=)``)."""
    fg = folium.FeatureGroup(name=name, control=False)
    cluster_layer(points, measure, selected=selected).add_to(fg)
    return fg


class OutlineLayer(LiteralMacroElement):
    """Non-interactive country outlines from compact GeoJSON (the offline basemap)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJSON({{ this.payload }}, {
  interactive: false,
  style: function () { return {{ this.style }}; }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        geojson: dict[str, Any] | None = None,
        style: dict[str, Any] | None = None,
        *,
        payload: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "OutlineLayer"
        if payload is None:
            payload = js_json(geojson if geojson is not None else {"type": "FeatureCollection"})
        #: ``js_json`` of the GeoJSON; pass it as ``payload`` to reuse one encoding.
        self.payload = payload
        self.style = js_json(
            style or {"color": "#9aa5b1", "weight": 0.8, "fillColor": "#f1f3f5", "fillOpacity": 1.0}
        )


def category_counts(points: pd.DataFrame) -> Sequence[tuple[str, int]]:
    """How many symbols of each kind are in view, in legend order."""
    counts = points["counts_what"].value_counts()
    return [(c, int(counts[c])) for c in CATEGORY_ORDER if c in counts.index]
