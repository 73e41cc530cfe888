"""The offline basemap in the browser: place names by zoom, finer outlines, a tile notice.

:class:`BasemapLayer` adds to a map built by
:func:`mstatlas.mapping.build.build_base_map`:

- **place names** as plain text labels with a white halo in their own pane
  above the symbols, transparent to the mouse (clicks reach the symbols).
  Only the places in view whose first zoom (chosen by the basemap script so
  labels do not overlap) is reached are in the page: a few dozen elements,
  redrawn when the map comes to rest.
- **1:50m outlines** from :data:`~mstatlas.mapping.basemap.FINE_FROM_ZOOM` on,
  in place of the 1:110m ones (which every map carries).
- **a notice when street-map tiles cannot load** (the optional online
  underlay): the offline outlines lie in a pane under the tiles, so they show
  wherever a tile is missing, and the place names are switched on.

The parts are fetched from the app's static folder when first needed, or read
from ``window.MSTATLAS_BASEMAP`` in a saved HTML map
(:func:`mstatlas.mapping.basemap.inline_basemap_script`). Without them the map
keeps its 1:110m outlines and shows no names; nothing fails.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from jinja2 import Template

from mstatlas.mapping.basemap import (
    FINE_FROM_ZOOM,
    FINE_OUTLINES_FILE,
    INLINE_GLOBAL,
    PLACE_TIERS,
    SERVED_BASEMAP_PREFIX,
    tier_file,
)
from mstatlas.mapping.elements import LiteralMacroElement
from mstatlas.mapping.layers import OutlineLayer, js_json

#: Pane of the place labels: above the symbols (overlay pane, 400), below markers.
LABEL_PANE, LABEL_PANE_Z = "mstPlaces", 450
#: GeoNames asks to be credited; shown in the map's attribution while names are drawn
#: (plain text: the map's page holds no web address, see tests/ui/test_countries_page.py).
PLACES_ATTRIBUTION = "GeoNames (CC BY 4.0)"

#: Labels: a dot at the place, the name to its right, legible on land, sea and tiles.
BASEMAP_CSS = (
    ".mst-place{position:absolute;left:0;top:0;margin:-8px 0 0 -3px;white-space:nowrap;"
    "font:12px/16px 'Helvetica Neue',Arial,sans-serif;color:#1f2933;pointer-events:none;"
    "text-shadow:-1px -1px 0 #fff,1px -1px 0 #fff,-1px 1px 0 #fff,1px 1px 0 #fff,0 0 3px #fff}"
    ".mst-place::before{content:'';display:inline-block;width:5px;height:5px;margin:0 4px 1px 0;"
    "border-radius:50%;background:#3e4c59;box-shadow:0 0 0 1px #fff;vertical-align:middle}"
    ".mst-place-big{font-size:13px;font-weight:600}"
    ".mst-tile-notice{position:absolute;z-index:1200;top:8px;left:50%;transform:translateX(-50%);"
    "width:max-content;max-width:calc(100% - 110px);box-sizing:border-box;background:#fff8e1;"
    "border:1px solid #b7791f;color:#4a3000;padding:4px 8px;border-radius:4px;"
    "font:13px/1.35 'Helvetica Neue',Arial,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)}"
)


class PanedOutlineLayer(OutlineLayer):
    """:class:`~mstatlas.mapping.layers.OutlineLayer` drawn in a pane of its own.

    The atlas puts its offline outlines in a pane under the tile pane (200): an
    online street map covers them where its tiles load, and wherever a tile is
    missing the offline basemap shows through.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
if (!{{ this._parent.get_name() }}.getPane({{ this.pane_js }})) {
  {{ this._parent.get_name() }}.createPane({{ this.pane_js }}).style.zIndex = {{ this.pane_z }};
}
var {{ this.get_name() }} = L.geoJSON({{ this.payload }}, {
  interactive: false, pane: {{ this.pane_js }},
  style: function () { return {{ this.style }}; }
}).addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        *,
        payload: str,
        pane: str,
        pane_z: int,
        style: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(style=style, payload=payload)
        self._name = "OutlineLayer"
        #: The style as a dict (the 1:50m outlines are drawn the same way).
        self.style_dict: dict[str, Any] = json.loads(self.style)
        self.pane = pane
        self.pane_js = js_json(pane)
        self.pane_z = int(pane_z)


class BasemapLayer(LiteralMacroElement):
    """Place labels, 1:50m outlines and the tile-error notice for one map.

    Parameters
    ----------
    outlines : PanedOutlineLayer
        The map's 1:110m outlines (swapped for the 1:50m ones when zoomed in;
        the finer ones are drawn in the same pane and style).
    tiles : folium.TileLayer, optional
        The online street-map underlay, if any. Its tile errors show ``notice``
        and switch the place names on (with tiles they are off: the street map
        has its own).
    notice : str
        Text shown on the map when a tile cannot be loaded (already translated).
    prefix : str
        URL folder the served parts are fetched from.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }}, coarse = {{ this.outlines }}, tiles = {{ this.tiles }};
  var C = {{ this.config }}, I = window.{{ this.inline }} || {};
  var pane = map.getPane(C.pane) || map.createPane(C.pane);
  pane.style.zIndex = C.paneZ;
  pane.style.pointerEvents = "none";
  pane.setAttribute("aria-hidden", "true");
  var parts = [], asked = {}, fine = null, labels = !tiles;
  function get(name, done) {
    if (I[name]) { done(I[name]); return; }
    fetch(C.prefix + "/" + name).then(function (r) {
      if (!r.ok) { throw new Error(name + ": " + r.status); }
      return r.json();
    }).then(done).catch(function () {});  // the 1:110m outlines stay; no names
  }
  function zoom() { return Math.round(map.getZoom()); }
  function decode(d) {
    var q = d.q;
    function ring(a) {
      var out = [], x = 0, y = 0;
      for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([x / q, y / q]); }
      return out;
    }
    return {type: "FeatureCollection", features: d.shape.map(function (polys, k) {
      return {type: "Feature", properties: {name: d.name[k]},
              geometry: {type: "MultiPolygon", coordinates: polys.map(function (p) { return p.map(ring); })}};
    })};
  }
  function swap() {
    var useFine = fine !== null && zoom() >= C.fineFrom;
    var on = useFine ? fine : coarse, off = useFine ? coarse : fine;
    if (off && map.hasLayer(off)) { map.removeLayer(off); }
    if (!map.hasLayer(on)) { on.addTo(map); }
  }
  function draw() {
    pane.textContent = "";
    pane.style.display = "";
    if (!labels) { return; }
    var z = zoom(), view = map.getBounds().pad(0.1), frag = document.createDocumentFragment();
    parts.forEach(function (d) {
      for (var i = 0; i < d.n.length; i++) {
        if (d.z[i] > z || !view.contains([d.la[i], d.lo[i]])) { continue; }
        var el = document.createElement("div");
        el.className = d.big[i] ? "mst-place mst-place-big" : "mst-place";
        el.textContent = d.n[i];
        L.DomUtil.setPosition(el, map.latLngToLayerPoint([d.la[i], d.lo[i]]));
        frag.appendChild(el);
      }
    });
    pane.appendChild(frag);
  }
  function need() {
    var z = zoom();
    C.tiers.forEach(function (t) {
      if (z < t[0] || asked[t[1]] || !labels) { return; }
      asked[t[1]] = true;
      get(t[1], function (d) {
        d.big = {};
        d.b.forEach(function (k) { d.big[k] = true; });
        parts.push(d);
        draw();
      });
    });
    if (z >= C.fineFrom && !asked[C.fine]) {
      asked[C.fine] = true;
      get(C.fine, function (d) {
        fine = L.geoJSON(decode(d), {interactive: false, pane: C.basePane,
                                      style: function () { return C.style; }});
        swap();
      });
    }
    swap();
  }
  function showNames() {
    labels = true;
    if (map.attributionControl) { map.attributionControl.addAttribution(C.attr); }
    need();
    draw();
  }
  map.on("zoomstart", function () { pane.style.display = "none"; });
  map.on("moveend viewreset", function () { need(); draw(); });
  if (tiles) {
    tiles.once("tileerror", function () {
      // Top centre, over any title or legend box a saved map lays on its corners.
      var box = L.DomUtil.create("div", "mst-tile-notice", map.getContainer());
      box.setAttribute("role", "status");
      box.textContent = C.notice;
      L.DomEvent.disableClickPropagation(box);
      showNames();
    });
    need();
  } else {
    showNames();
  }
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        outlines: PanedOutlineLayer,
        tiles: folium.TileLayer | None = None,
        *,
        notice: str = "",
        prefix: str = SERVED_BASEMAP_PREFIX,
    ) -> None:
        super().__init__()
        self._name = "BasemapLayer"
        self.outlines = outlines.get_name()
        self.tiles = tiles.get_name() if tiles is not None else "null"
        self.inline = INLINE_GLOBAL
        config: dict[str, Any] = {
            "prefix": prefix,
            "tiers": [[lo, tier_file(lo)] for lo, _ in PLACE_TIERS],
            "fine": FINE_OUTLINES_FILE,
            "fineFrom": FINE_FROM_ZOOM,
            "style": outlines.style_dict,
            "basePane": outlines.pane,
            "pane": LABEL_PANE,
            "paneZ": LABEL_PANE_Z,
            "notice": notice,
            "attr": PLACES_ATTRIBUTION,
        }
        self.config = js_json(config)
