"""Large cluster sets (thousands to hundreds of thousands) drawn on one canvas.

:class:`~mstatlas.mapping.layers.ClusterLayer` makes one Leaflet
``circleMarker`` per cluster: fine for a few thousand, but at 100,000 every
pan re-projects and re-draws 100,000 objects. :class:`BigClusterLayer` draws
the same circles the way the firm-point layer draws firms: the positions travel
as two delta-encoded integer arrays, are projected once, and each redraw only
scales, shifts and fills a few canvas paths. It looks and clicks like the small
layer: area ∝ figure on the same radius scale, colour by kind, hollow circles
for clusters without a figure, the selected one outlined, a tooltip with name,
figure, year, kind (and stars), and a click that streamlit-folium reports as
``last_active_drawing`` with the same ``{i, k}`` properties.

About 20 bytes a cluster plus its name (sent once, in one string).
"""

from __future__ import annotations

import copy
import html
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Template

from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, MEASURES, QUALIFIERS
from mstatlas.mapping._symbols import (
    CATEGORY_ORDER,
    QUALIFIER_ORDER,
    R_MIN,
    coordinate_decimals,
    js_json,
    layer_key,
    radius_scale,
)
from mstatlas.mapping.elements import LiteralMacroElement

#: Above this many clusters the map draws them with :class:`BigClusterLayer`.
BIG_LAYER_THRESHOLD = 2_000
#: One character per small whole number (a kind, a qualifier, a number of stars).
CODES = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Marks a blank in a code string (e.g. a cluster without stars).
BLANK_CODE = "."


def _codes(values: np.ndarray, what: str) -> str:
    """Small whole numbers (``-1`` = blank) as one character each."""
    if values.size and (values.max() >= len(CODES) or values.min() < -1):
        raise ValueError(f"Cannot draw {what} outside 0–{len(CODES) - 1}.")
    table = np.array([*CODES, BLANK_CODE])
    return "".join(table[values].tolist())


def _small_ints(values: pd.Series) -> np.ndarray:
    """Whole numbers with ``-1`` for blanks."""
    num = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
    return np.where(np.isnan(num), -1, num).astype(np.int64)


def _deltas(values: np.ndarray) -> list[int]:
    """Differences to the previous value (the first to 0): short numbers for sorted data."""
    return np.diff(values, prepend=0).tolist()


def _value_deltas(values: np.ndarray, decimals: int) -> list[int | None]:
    """Figures in units of ``10**-decimals``, each as its difference to the previous figure.

    Blanks stay ``None`` and are skipped by the differences. The points come
    largest first, so most differences are a digit or two.
    """
    has = ~np.isnan(values)
    units = np.round(values[has] * 10**decimals).astype(np.int64)
    out = np.full(values.size, None, dtype=object)
    out[has] = _deltas(units)
    return list(out)


def _stars_codes(points: pd.DataFrame) -> dict[str, Any]:
    """``st``: stars as one character per point (``.`` = not rated); ``sn``: out of how many.

    ``sn`` is one number when the same for every rated point, else a code string.
    """
    if "stars" not in points.columns:
        return {}
    out: dict[str, Any] = {"st": _codes(_small_ints(points["stars"]), "star ratings")}
    if "stars_of" in points.columns:
        of = _small_ints(points["stars_of"])
        distinct = set(of.tolist())
        if len(distinct) == 1 and -1 not in distinct:
            out["sn"] = int(of[0])
        else:
            out["sn"] = _codes(of, "star ratings")
    return out


def _names(points: pd.DataFrame) -> str:
    """All names, HTML-escaped, in one string (one line each): about two bytes less a name."""
    col = points["cluster_name"]
    names = col.astype(object).where(col.notna(), "").astype(str).tolist()
    text = "\n".join(names)
    if text.count("\n") > max(len(names) - 1, 0):  # a name with a line break: made one line
        text = "\n".join(x.replace("\n", " ") for x in names)
    return html.escape(text)


_TEMPLATE = Template(
    """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var D = {{ this.payload }}, SEL = {{ this.selected }};
  var n = D.n, CODES = "0123456789abcdefghijklmnopqrstuvwxyz", i, j, t, a = 0, b = 0, s;
  var lat = new Float64Array(n), lon = new Float64Array(n), px = new Float64Array(n),
      py = new Float64Array(n), rad = new Float32Array(n), val = new Float64Array(n),
      kind = new Uint8Array(n), names = D.t.split("\\n");
  // Decode and project once to Web Mercator at zoom 0; redraws only scale and shift.
  for (i = 0; i < n; i++) {
    a += D.la[i]; b += D.lo[i]; lat[i] = a / D.s; lon[i] = b / D.s;
    px[i] = (lon[i] + 180) / 360 * 256;
    s = Math.sin(lat[i] * Math.PI / 180);
    py[i] = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
  }
  for (i = 0, a = 0; i < n; i++) {
    if (D.v[i] === null) { val[i] = NaN; rad[i] = D.rmin; }
    else { a += D.v[i]; val[i] = a / D.vs; rad[i] = Math.max(D.rmin, D.k * Math.sqrt(Math.max(val[i], 0))); }
    kind[i] = CODES.indexOf(D.c.charAt(i));
  }
  // Drawing order: rows come largest first. Runs of similar size (within 20 %) are drawn
  // as one path per colour, the most frequent kind first so rarer kinds stay visible.
  var freq = D.pal.map(function () { return 0; });
  for (i = 0; i < n; i++) { freq[kind[i]]++; }
  var kinds = D.pal.map(function (_, g) { return g; }).sort(function (x, y) { return freq[y] - freq[x]; });
  var ord = new Int32Array(n), segs = [], start = 0, end, g, from;
  t = 0;
  while (start < n) {
    var hollow = isNaN(val[start]);
    for (end = start + 1; end < n && rad[end] >= 0.8 * rad[start] && isNaN(val[end]) === hollow; end++) {}
    for (g = 0; g < kinds.length; g++) {
      from = t;
      for (j = start; j < end; j++) { if (kind[j] === kinds[g]) { ord[t++] = j; } }
      if (t > from) { segs.push([from, t, kinds[g], hollow]); }
    }
    start = end;
  }
  var nf = D.vs > 1 ? {minimumFractionDigits: 1, maximumFractionDigits: 1} : {};
  function code(str, j) { var ch = str.charAt(j); return ch === "." ? null : CODES.indexOf(ch); }
  function stars(j) {
    var s = D.st ? code(D.st, j) : null;
    if (s === null) { return ""; }
    var of = D.sn === undefined ? null : (typeof D.sn === "number" ? D.sn : code(D.sn, j));
    var full = "\\u2605".repeat(s);
    if (of === null) { return "<br>" + full + " (" + s + " star" + (s === 1 ? "" : "s") + ")"; }
    return "<br>" + full + "\\u2606".repeat(Math.max(of - s, 0)) + " (" + s + " of " + of + " stars)";
  }
  function text(j) {
    var v = val[j], cat = "<br><i>" + D.cats[kind[j]] + "</i>";
    var fig = isNaN(v) ? "no " + D.label + " figure reported" :
      D.qs[D.q ? code(D.q, j) : 0] + v.toLocaleString("en", nf) + " " + D.label +
      " (" + (D.y[j] < 0 ? "undated" : D.y0 + D.y[j]) + ")";
    return "<b>" + names[j] + "</b><br>" + fig + cat + stars(j);
  }
  var P = 0.3, TOL = 4;
  var Layer = L.Layer.extend({
    mstClusters: true,
    onAdd: function (map) {
      var c = this._c = L.DomUtil.create("canvas", "leaflet-layer leaflet-zoom-animated");
      c.style.pointerEvents = "none";
      map.getPanes().overlayPane.appendChild(c);
      this._tip = L.tooltip({direction: "auto", offset: [12, 0], opacity: 0.95});
      this._hit = -1;
      map.on("moveend viewreset resize", this._draw, this);
      map.on("movestart", this._start, this);
      map.on("zoomanim", this._anim, this);
      map.on("mousemove", this._move, this);
      map.on("click", this._click, this);
      map.on("mouseout", this._unhover, this);
      this._draw();
    },
    onRemove: function (map) {
      map.off("moveend viewreset resize", this._draw, this);
      map.off("movestart", this._start, this);
      map.off("zoomanim", this._anim, this);
      map.off("mousemove", this._move, this);
      map.off("click", this._click, this);
      map.off("mouseout", this._unhover, this);
      this._unhover();
      L.DomUtil.remove(this._c);
    },
    _start: function () { this._moving = true; this._unhover(); },
    _anim: function (ev) {
      var map = this._map, sc = map.getZoomScale(ev.zoom, this._zoom);
      var half = map.getSize().multiplyBy(0.5 + P);
      var off = half.multiplyBy(-sc).add(map.project(this._center, ev.zoom))
        .subtract(map._getNewPixelOrigin(ev.center, ev.zoom));
      L.DomUtil.setTransform(this._c, off, sc);
    },
    _draw: function () {
      var map = this._map; if (!map) { return; }
      this._moving = false;
      var size = map.getSize(), pad = size.multiplyBy(P), c = this._c;
      var w = Math.round(size.x + 2 * pad.x), h = Math.round(size.y + 2 * pad.y);
      var dpr = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint(pad.multiplyBy(-1)));
      c.width = w * dpr; c.height = h * dpr; c.style.width = w + "px"; c.style.height = h + "px";
      this._center = map.getCenter(); this._zoom = map.getZoom();
      var ctx = c.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      var k = map.options.crs.scale(this._zoom) / 256;
      var o = map.project(this._center, this._zoom).subtract(size.divideBy(2)).subtract(pad);
      this._k = k; this._o = o; this._pad = pad;
      var drawn = 0, q, sg, x, y, r, any;
      ctx.lineWidth = 1;
      for (q = 0; q < segs.length; q++) {
        sg = segs[q]; any = false;
        ctx.beginPath();
        for (t = sg[0]; t < sg[1]; t++) {
          j = ord[t]; r = rad[j]; x = px[j] * k - o.x; y = py[j] * k - o.y;
          if (x < -r || y < -r || x > w + r || y > h + r) { continue; }
          ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); drawn++; any = true;
        }
        if (!any) { continue; }
        if (sg[3]) { ctx.globalAlpha = 1; ctx.strokeStyle = D.pal[sg[2]]; ctx.stroke(); continue; }
        ctx.globalAlpha = 0.72; ctx.fillStyle = D.pal[sg[2]]; ctx.fill();
        ctx.globalAlpha = 1; ctx.strokeStyle = "#ffffff"; ctx.stroke();
      }
      if (SEL >= 0 && SEL < n) {  // the selected cluster on top, outlined
        ctx.beginPath(); ctx.arc(px[SEL] * k - o.x, py[SEL] * k - o.y, rad[SEL], 0, 2 * Math.PI);
        if (!isNaN(val[SEL])) { ctx.globalAlpha = 0.72; ctx.fillStyle = D.pal[kind[SEL]]; ctx.fill(); }
        ctx.globalAlpha = 1; ctx.lineWidth = 3; ctx.strokeStyle = "#000000"; ctx.stroke();
      }
      this._drawn = drawn;
      if (!this._fired) { this._fired = true; map.fire("mstpointsdrawn", {count: n, layer: this}); }
    },
    _hits: function (j, x, y) {
      var r = rad[j] + TOL, dx = px[j] * this._k - this._o.x - x, dy;
      if (dx > r || dx < -r) { return false; }
      dy = py[j] * this._k - this._o.y - y;
      return dx * dx + dy * dy <= r * r;
    },
    _find: function (cp) {
      // The topmost circle under the pointer: the last drawn (a linear scan, ~1 ms for 100,000).
      if (!this._k) { return -1; }
      var x = cp.x + this._pad.x, y = cp.y + this._pad.y;
      if (SEL >= 0 && SEL < n && this._hits(SEL, x, y)) { return SEL; }
      for (var u = n - 1; u >= 0; u--) { if (this._hits(ord[u], x, y)) { return ord[u]; } }
      return -1;
    },
    _move: function (ev) {
      // At most one hit test per animation frame, none while the map moves.
      this._ev = ev;
      if (this._queued || this._moving) { return; }
      this._queued = true;
      var self = this;
      L.Util.requestAnimFrame(function () { self._queued = false; self._hover(self._ev); });
    },
    _hover: function (ev) {
      var map = this._map; if (!map || this._moving) { return; }
      var j = this._find(ev.containerPoint);
      if (j < 0) { this._unhover(); return; }
      if (j !== this._hit) { this._hit = j; this._tip.setContent(text(j)); }
      this._tip.setLatLng(ev.latlng);
      if (!map.hasLayer(this._tip)) { this._tip.addTo(map); }
      map.getContainer().style.cursor = "pointer";
    },
    _unhover: function () {
      this._hit = -1;
      if (this._map) {
        if (this._map.hasLayer(this._tip)) { this._map.removeLayer(this._tip); }
        this._map.getContainer().style.cursor = "";
      }
    },
    _click: function (ev) {
      var j = this._find(ev.containerPoint);
      if (j < 0) { return; }
      // streamlit-folium reports a clicked layer's toGeoJSON() as last_active_drawing and
      // the click's position as last_object_clicked: the same as for a small layer's marker.
      var feature = {type: "Feature", properties: {i: j, k: D.key},
                     geometry: {type: "Point", coordinates: [lon[j], lat[j]]}};
      this.fire("click", {latlng: ev.latlng, originalEvent: ev.originalEvent, index: j,
                          layer: {toGeoJSON: function () { return feature; }}}, true);
    },
    count: function () { return n; },
    drawnCount: function () { return this._drawn; },
    // For tests and benchmarks: what is drawn for point j.
    latLngOf: function (j) { return L.latLng(lat[j], lon[j]); },
    radiusOf: function (j) { return rad[j]; },
    colourOf: function (j) { return D.pal[kind[j]]; },
    figureOf: function (j) { return isNaN(val[j]) ? null : val[j]; },
    textOf: text
  });
  return new Layer();
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
)


class BigClusterLayer(LiteralMacroElement):
    """Proportional circles for many clusters, drawn from compact arrays on one canvas.

    Parameters
    ----------
    points : DataFrame
        As for :class:`~mstatlas.mapping.layers.ClusterLayer`: ``lat``, ``lon``,
        ``value`` (blank = no figure; drawn hollow), ``counts_what``,
        ``cluster_name``, ``year``, optional ``qualifier``, ``stars`` and
        ``stars_of``. Drawn in row order (largest first keeps small ones on top).
    measure : str
        Key of :data:`mstatlas.data.schema.MEASURES`.
    scale : float, optional
        Pixels per square-root unit; computed from the values when omitted.
    selected : int, optional
        Position of a point to outline as selected.

    Raises
    ------
    ValueError
        If a point has no coordinates (it cannot be drawn).
    """

    _template = _TEMPLATE

    def __init__(
        self,
        points: pd.DataFrame,
        measure: str,
        scale: float | None = None,
        selected: int | None = None,
    ) -> None:
        super().__init__()
        self._name = "BigClusterLayer"
        n = len(points)
        lat = pd.to_numeric(points["lat"], errors="coerce").astype(float).to_numpy()
        lon = pd.to_numeric(points["lon"], errors="coerce").astype(float).to_numpy()
        if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
            raise ValueError("Every point needs a latitude and longitude to be drawn.")
        values = pd.to_numeric(points["value"], errors="coerce").astype(float)
        s = 10 ** coordinate_decimals(n)
        vdec = 1 if measure == "employees_per_firm" else 0
        kinds = pd.Categorical(points["counts_what"].astype(str), categories=CATEGORY_ORDER)
        kind = np.where(kinds.codes < 0, len(CATEGORY_ORDER) - 1, kinds.codes)
        years = _small_ints(points["year"]) if "year" in points.columns else np.full(n, -1)
        y0 = int(years[years >= 0].min()) if (years >= 0).any() else 0
        k = radius_scale(values) if scale is None else scale
        where = pd.DataFrame({"lat": lat, "lon": lon, "value": values.to_numpy()})
        self.key = layer_key(where, measure)  # the small layer's key for the same points
        self.count = n
        self.selected = -1 if selected is None else int(selected)
        data: dict[str, Any] = {
            "n": n,
            "s": s,
            "la": _deltas(np.round(lat * s).astype(np.int64)),
            "lo": _deltas(np.round(lon * s).astype(np.int64)),
            "v": _value_deltas(values.to_numpy(), vdec),
            "vs": 10**vdec,
            "c": _codes(kind.astype(np.int64), "kinds of figures"),
            "y0": y0,
            "y": np.where(years >= 0, years - y0, -1).tolist(),
            "t": _names(points),
            "pal": [COUNTS_WHAT_COLOURS[c] for c in CATEGORY_ORDER],
            "cats": [html.escape(COUNTS_WHAT[c]) for c in CATEGORY_ORDER],
            "qs": [html.escape(QUALIFIERS[q]) for q in QUALIFIER_ORDER],
            "label": html.escape(MEASURES[measure].lower()),
            "k": round(k, 6),
            "rmin": R_MIN,
            "key": self.key,
        }
        quals = points["qualifier"].fillna("") if "qualifier" in points.columns else None
        if quals is not None and (quals != "").any():
            q = pd.Categorical(quals.astype(str), categories=QUALIFIER_ORDER).codes
            data["q"] = _codes(np.where(q < 0, 0, q).astype(np.int64), "qualifiers")
        data.update(_stars_codes(points))
        #: The arrays as safe JSON (the same whichever cluster is selected).
        self.payload = js_json(data)

    def with_selected(self, selected: int | None) -> BigClusterLayer:
        """A copy outlining another point, sharing the encoded arrays (no rebuild)."""
        other = copy.copy(self)
        other.selected = -1 if selected is None else int(selected)
        return other
