"""Large cluster sets (thousands to hundreds of thousands) drawn on one canvas.

:class:`~mstatlas.mapping.layers.ClusterLayer` makes one Leaflet
``circleMarker`` per cluster: fine for a few thousand, but at 100,000 every
pan re-projects and re-draws 100,000 objects. :class:`BigClusterLayer` draws
the same circles the way the firm-point layer draws firms: the positions travel
as two integer arrays and are projected once; each redraw stamps
the circles in view into a pixel buffer from pre-drawn sprites, a slice per
animation frame so panning never stalls, and shows it in one go. It looks and
clicks like the small layer: area ∝ figure on the same radius scale, colour by
kind, hollow circles for clusters without a figure, the selected one outlined,
a tooltip with name, figure, year, kind (and stars), and a click that
streamlit-folium reports as ``last_active_drawing`` with the same ``{i, k}``
properties.

About 15 bytes a cluster plus its name (sent once, in one string).
"""

from __future__ import annotations

import base64
import copy
import html
import re
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Template

from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, QUALIFIERS
from mstatlas.data.text import BIDI_CONTROLS
from mstatlas.mapping._symbols import (
    CATEGORY_ORDER,
    QUALIFIER_ORDER,
    R_MIN,
    arrays_key,
    coordinate_decimals,
    float_values,
    js_json,
    js_text,
    radius_scale,
    tooltip_words,
)
from mstatlas.mapping.elements import LiteralMacroElement

#: Above this many clusters the map draws them with :class:`BigClusterLayer`.
BIG_LAYER_THRESHOLD = 2_000
#: One character per small whole number (a kind, a qualifier, a number of stars).
CODES = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Marks a blank in a code string (e.g. a cluster without stars).
BLANK_CODE = "."
#: While the map keeps moving, its position is reported this long after it came to rest
#: (on top of streamlit-folium's own 250 ms): one app rerun per pause, not per move.
VIEW_REPORT_DELAY_MS = 750


#: ASCII codes of :data:`CODES` and :data:`BLANK_CODE` (index -1), for one-step lookups.
_CODE_BYTES = np.frombuffer((CODES + BLANK_CODE).encode("ascii"), dtype=np.uint8)
#: The bidirectional controls as the character references ``_names`` writes them.
_BIDI_REFERENCES = re.compile(
    b"&#(?:" + b"|".join(str(ord(c)).encode() for c in sorted(BIDI_CONTROLS)) + b");"
)
#: What ``html.escape`` writes for each special character besides ``&``.
_HTML_SPECIAL = ((b"<", b"&lt;"), (b">", b"&gt;"), (b'"', b"&quot;"), (b"'", b"&#x27;"))
#: Typed arrays the browser decodes (``Int16Array`` …), by the name the payload gives them.
_TYPED = {"i2": "<i2", "i4": "<i4", "f8": "<f8"}


def _codes(values: np.ndarray, what: str) -> str:
    """Small whole numbers (``-1`` = blank) as one character each."""
    if values.size and (values.max() >= len(CODES) or values.min() < -1):
        raise ValueError(f"Cannot draw {what} outside 0–{len(CODES) - 1}.")
    return _CODE_BYTES[values].tobytes().decode("ascii")


def _small_ints(values: pd.Series) -> np.ndarray:
    """Whole numbers with ``-1`` for blanks."""
    num = float_values(values)
    return np.where(np.isnan(num), -1, num).astype(np.int64)


def _texts(values: pd.Series) -> pa.StringArray:
    """The column as Arrow texts (blanks null; anything else but a text as its ``str``)."""
    try:
        return pa.array(values.array, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):  # not all texts, or not plain ones
        blank = values.isna().to_numpy()
        return pa.array(
            [None if b else str(x) for x, b in zip(values.tolist(), blank, strict=True)],
            type=pa.string(),
        )


def _positions_in(values: pd.Series, order: tuple[str, ...]) -> np.ndarray:
    """Each text's position in ``order``; ``-1`` when blank or not in it."""
    texts = _texts(values)
    found = pc.index_in(texts, value_set=pa.array(order, type=pa.string()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _typed(values: np.ndarray, mark: str = "") -> str:
    """Numbers as a typed array for the browser, in JSON: ``{"t": type, "b": base64}``.

    Whole numbers go in the narrowest of ``Int16``/``Int32`` that holds them, anything
    else (or larger) as ``Float64``; little-endian, as every browser's typed arrays are.
    Encoding 10,000 numbers this way takes a fraction of a millisecond (a JSON list of
    them several), and costs about as many bytes as short decimal numbers. ``mark`` is
    added as is (``,"m":…``). Base64 needs no escaping in JSON or in a script.
    """
    kind = "f8"
    if values.dtype.kind in "iu":
        lo, hi = (int(values.min()), int(values.max())) if values.size else (0, 0)
        if lo >= -(2**15) and hi < 2**15:
            kind = "i2"
        elif lo >= -(2**31) and hi < 2**31:
            kind = "i4"
    raw = np.ascontiguousarray(values, dtype=_TYPED[kind]).tobytes()
    return f'{{"t":"{kind}","b":"{base64.b64encode(raw).decode("ascii")}"{mark}}}'


def _offsets(values: np.ndarray) -> str:
    """Whole numbers as offsets from the smallest (``o``): ``Uint16`` when they span less
    than 65,536 (positions in 1/1,000 ° over 65 °: two bytes a number instead of four)."""
    lo = int(values.min()) if values.size else 0
    if values.size and int(values.max()) - lo < 2**16:
        raw = (values - lo).astype("<u2").tobytes()
        return f'{{"t":"u2","b":"{base64.b64encode(raw).decode("ascii")}","o":{lo}}}'
    return _typed(values, ',"o":0')


def _figures(values: np.ndarray, decimals: int) -> str:
    """Figures in units of ``10**-decimals`` as a typed array; ``m`` marks a blank.

    The units are whole numbers: as integers, a blank is one less than the smallest
    figure (``m``); figures beyond 32 bits travel as ``Float64`` with ``NaN`` blanks
    (``m`` null).
    """
    has = ~np.isnan(values)
    units = np.round(values[has] * 10**decimals)
    if units.size and units.min() - 1 > -(2**31) and units.max() < 2**31:
        mark = int(units.min()) - 1
        ints = np.full(values.size, mark, dtype=np.int64)
        ints[has] = units.astype(np.int64)
        return _typed(ints, f',"m":{mark}')
    floats = np.full(values.size, np.nan)
    floats[has] = units
    return _typed(floats, ',"m":null')


def _stars_codes(points: pd.DataFrame) -> dict[str, Any]:
    """``st``: stars as one character per point (``.`` = not rated); ``sn``: out of how many.

    ``sn`` is one number when the same for every rated point, else a code string.
    """
    if "stars" not in points.columns:
        return {}
    out: dict[str, Any] = {"st": _codes(_small_ints(points["stars"]), "star ratings")}
    if "stars_of" in points.columns:
        of = _small_ints(points["stars_of"])
        if of.size and of.min() == of.max() != -1:  # the same for every point
            out["sn"] = int(of[0])
        else:
            out["sn"] = _codes(of, "star ratings")
    return out


def _joined(names: pd.Series) -> bytes:
    """The texts joined by line breaks, as UTF-8 (a line break in a text made a space).

    Joined by Arrow: no Python string is made per name. Blanks are empty lines.
    """
    texts = _texts(names).fill_null("")

    def join(texts: pa.StringArray) -> bytes:
        one = pa.ListArray.from_arrays(pa.array([0, len(texts)], pa.int32()), texts)
        return bytes(pc.binary_join(one, "\n")[0].as_buffer())

    text = join(texts)
    if text.count(b"\n") > max(len(texts) - 1, 0):  # a text with a line break of its own
        text = join(pc.replace_substring(texts, "\n", " "))
    return text


def _names(points: pd.DataFrame) -> str:
    """All names in one string (one line each), escaped for HTML and written in ASCII.

    Letters beyond ASCII are written as HTML character references (``ü`` as
    ``&#252;``; the tooltip shows them as the letters): every later step over the
    text (JSON, the map component's arguments, Streamlit's message) then handles one
    byte a character. Bidirectional controls are removed, as
    :func:`mstatlas.data.text.escape_html` does. Done on bytes: each step is one
    pass of C over the text.
    """
    text = _joined(points["cluster_name"]).replace(b"&", b"&amp;")  # first: only & of names
    for char, reference in _HTML_SPECIAL:
        text = text.replace(char, reference)
    if not text.isascii():
        text = text.decode("utf-8").encode("ascii", "xmlcharrefreplace")
        text = _BIDI_REFERENCES.sub(b"", text)
    return text.decode("ascii")


_TEMPLATE = Template(
    """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var D = {{ this.payload }}, SEL = {{ this.selected }};
  var n = D.n, CODES = "0123456789abcdefghijklmnopqrstuvwxyz", i, s;
  // Typed arrays travel as base64 of their little-endian bytes ({t: type, b: base64});
  // positions as offsets from their smallest (o).
  function typed(o) {
    var bin = atob(o.b), bytes = new Uint8Array(bin.length);
    for (var m = 0; m < bin.length; m++) { bytes[m] = bin.charCodeAt(m); }
    var T = {u2: Uint16Array, i2: Int16Array, i4: Int32Array, f8: Float64Array}[o.t];
    return new T(bytes.buffer, 0, bytes.length / T.BYTES_PER_ELEMENT);
  }
  var LA = typed(D.la), LO = typed(D.lo), V = typed(D.v), Y = typed(D.y);
  var lat = new Float64Array(n), lon = new Float64Array(n), px = new Float64Array(n),
      py = new Float64Array(n), rad = new Float32Array(n), val = new Float64Array(n),
      kind = new Uint8Array(n), names = D.t.split("\\n");
  // Project once to Web Mercator at zoom 0; redraws only scale and shift.
  for (i = 0; i < n; i++) {
    lat[i] = (LA[i] + D.la.o) / D.s; lon[i] = (LO[i] + D.lo.o) / D.s;
    px[i] = (lon[i] + 180) / 360 * 256;
    s = Math.sin(lat[i] * Math.PI / 180);
    py[i] = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
  }
  for (i = 0; i < n; i++) {
    if (D.v.m === null ? isNaN(V[i]) : V[i] === D.v.m) { val[i] = NaN; rad[i] = D.rmin; }
    else { val[i] = V[i] / D.vs; rad[i] = Math.max(D.rmin, D.k * Math.sqrt(Math.max(val[i], 0))); }
    kind[i] = CODES.indexOf(D.c.charAt(i));
  }
  var nf = D.vs > 1 ? {minimumFractionDigits: 1, maximumFractionDigits: 1} : {};
  function code(str, j) { var ch = str.charAt(j); return ch === "." ? null : CODES.indexOf(ch); }
  function stars(j) {
    var s = D.st ? code(D.st, j) : null;
    if (s === null) { return ""; }
    var of = D.sn === undefined ? null : (typeof D.sn === "number" ? D.sn : code(D.sn, j));
    var full = "\\u2605".repeat(s);
    if (of === null) { return "<br>" + full + " " + D.w.s[s === 1 ? 0 : 1].replace("{n}", s); }
    return "<br>" + full + "\\u2606".repeat(Math.max(of - s, 0)) + " " +
      D.w.of.replace("{n}", s).replace("{of}", of);
  }
  function text(j) {
    var v = val[j], cat = "<br><i>" + D.cats[kind[j]] + "</i>";
    var fig = isNaN(v) ? D.w.none :
      D.qs[D.q ? code(D.q, j) : 0] + v.toLocaleString(D.w.loc, nf) + " " + D.w.label +
      " (" + (Y[j] < 0 ? D.w.und : D.y0 + Y[j]) + ")";
    return "<b>" + names[j] + "</b><br>" + fig + cat + stars(j);
  }
  // Circles are stamped into a pixel buffer from pre-drawn sprites (one per kind, fill
  // and radius in half pixels), in row order as the small layer draws them: filling a
  // canvas path of 100,000 arcs took several times longer in Chromium's software canvas.
  // Sprites hold premultiplied colours, blended "over" what is below.
  var RGB = D.pal.map(function (h) {
    return [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
  });
  var sprites = {}, spriteScale = 0;
  function sprite(g, hollow, r) {
    var q = Math.max(1, Math.round(r * 2)), key = (g * 2 + (hollow ? 1 : 0)) * 4096 + q;
    if (sprites[key]) { return sprites[key]; }
    var R = q / 2, h = Math.ceil(R + 1), d = 2 * h + 1, lw = spriteScale / 2, SS = 4;
    var fill = hollow ? null : RGB[g], line = hollow ? RGB[g] : [255, 255, 255];
    var I = [], J = [], C = [], x, y, u, v, fc, rc, dist, fa, sa, al, k;
    for (y = 0; y < d; y++) {
      for (x = 0; x < d; x++) {
        fc = 0; rc = 0;
        for (v = 0; v < SS; v++) {
          for (u = 0; u < SS; u++) {
            dist = Math.hypot(x + (u + 0.5) / SS - h - 0.5, y + (v + 0.5) / SS - h - 0.5);
            if (dist <= R) { fc++; }
            if (Math.abs(dist - R) <= lw) { rc++; }
          }
        }
        fa = fill ? 0.72 * fc / (SS * SS) : 0; sa = rc / (SS * SS);
        al = sa + fa * (1 - sa);
        if (al <= 0.002) { continue; }
        I.push(x); J.push(y);
        for (k = 0; k < 3; k++) { C.push(Math.round(line[k] * sa + (fill ? fill[k] : 0) * fa * (1 - sa))); }
        C.push(Math.round(255 * al));
      }
    }
    return (sprites[key] = {h: h, d: d, n: I.length, i: Int16Array.from(I), j: Int16Array.from(J),
                            c: Uint8Array.from(C)});
  }
  function stamp(buf, W, H, sp, x0, y0) {
    var inside = x0 >= 0 && y0 >= 0 && x0 + sp.d <= W && y0 + sp.d <= H;
    var I = sp.i, J = sp.j, C = sp.c, m, x, y, p, ia, q4;
    for (m = 0; m < sp.n; m++) {
      x = x0 + I[m]; y = y0 + J[m];
      if (!inside && (x < 0 || y < 0 || x >= W || y >= H)) { continue; }
      p = (y * W + x) << 2; q4 = m << 2; ia = 255 - C[q4 + 3];
      buf[p] = C[q4] + (((buf[p] * ia + 128) * 257) >> 16);
      buf[p + 1] = C[q4 + 1] + (((buf[p + 1] * ia + 128) * 257) >> 16);
      buf[p + 2] = C[q4 + 2] + (((buf[p + 2] * ia + 128) * 257) >> 16);
      buf[p + 3] = C[q4 + 3] + (((buf[p + 3] * ia + 128) * 257) >> 16);
    }
  }
  function unpremultiply(buf, out) {
    for (var p = 0, al, f; p < buf.length; p += 4) {
      al = buf[p + 3];
      if (al === 0) { out[p + 3] = 0; continue; }
      f = 255 / al;
      out[p] = buf[p] * f; out[p + 1] = buf[p + 1] * f; out[p + 2] = buf[p + 2] * f; out[p + 3] = al;
    }
  }
  // Each view report reruns the app, and every rerun hands this layer's arrays to the map's
  // frame again (~100 ms of the page's main thread at 100,000 clusters). So while a person
  // keeps moving the map its position is reported once it has been still for a moment;
  // clicks still go at once. (streamlit-folium calls window.Streamlit.setComponentValue.)
  var S = typeof window === "undefined" ? null : window.Streamlit;
  if (S && S.setComponentValue && !S.mstQuietMoves) {
    var send = S.setComponentValue, timer = null, clicked = null;
    S.setComponentValue = function (data) {
      var click = JSON.stringify([data.last_active_drawing, data.last_object_clicked]);
      clearTimeout(timer);
      if (click !== clicked) { clicked = click; send.call(S, data); return; }
      timer = setTimeout(function () { send.call(S, data); }, {{ this.report_delay_ms }});
    };
    S.mstQuietMoves = true;
  }
  var P = 0.3, TOL = 4, BUDGET_MS = 10;
  var Layer = L.Layer.extend({
    mstClusters: true,
    onAdd: function (map) {
      var c = this._c = L.DomUtil.create("canvas", "leaflet-layer leaflet-zoom-animated");
      c.style.pointerEvents = "none";
      map.getPanes().overlayPane.appendChild(c);
      this._tip = L.tooltip({direction: "auto", offset: [12, 0], opacity: 0.95});
      this._hit = -1; this._quiet = -1;
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
      this._cancel();
      this._unhover();
      L.DomUtil.remove(this._c);
    },
    _start: function () { this._moving = true; this._cancel(); this._unhover(); },
    _cancel: function () {
      if (this._job) { L.Util.cancelAnimFrame(this._job); this._job = null; }
    },
    _anim: function (ev) {
      if (!this._center) { return; }
      var map = this._map, sc = map.getZoomScale(ev.zoom, this._zoom);
      var half = this._size.multiplyBy(0.5 + P);
      var off = half.multiplyBy(-sc).add(map.project(this._center, ev.zoom))
        .subtract(map._getNewPixelOrigin(ev.center, ev.zoom));
      L.DomUtil.setTransform(this._c, off, sc);
    },
    _draw: function () {
      // Stamp the circles in view into a buffer, a slice per animation frame, then show
      // it in one go; until then the canvas keeps the last picture (moved with the map).
      var map = this._map; if (!map) { return; }
      this._moving = false; this._cancel();
      var dpr = window.devicePixelRatio || 1;
      if (dpr !== spriteScale) { sprites = {}; spriteScale = dpr; }
      var size = map.getSize(), pad = size.multiplyBy(P), zoom = map.getZoom(), center = map.getCenter();
      var w = Math.round(size.x + 2 * pad.x), h = Math.round(size.y + 2 * pad.y);
      var W = Math.round(w * dpr), H = Math.round(h * dpr);
      if (!this._buf || this._buf.length !== W * H * 4) { this._buf = new Uint8ClampedArray(W * H * 4); }
      var buf = this._buf, k = map.options.crs.scale(zoom) / 256;
      var o = map.project(center, zoom).subtract(size.divideBy(2)).subtract(pad);
      var origin = map.containerPointToLayerPoint(pad.multiplyBy(-1));
      buf.fill(0);
      var j = 0, drawn = 0, self = this;
      function slice() {
        var end = performance.now() + BUDGET_MS, x, y, r, sp;
        for (; j < n; j++) {
          if ((j & 1023) === 0 && performance.now() > end) { self._job = L.Util.requestAnimFrame(slice); return; }
          r = rad[j]; x = px[j] * k - o.x; y = py[j] * k - o.y;
          if (x < -r || y < -r || x > w + r || y > h + r) { continue; }
          sp = sprite(kind[j], isNaN(val[j]), r * dpr);
          stamp(buf, W, H, sp, Math.round(x * dpr - 0.5) - sp.h, Math.round(y * dpr - 0.5) - sp.h);
          drawn++;
        }
        self._job = null;
        self._show(buf, W, H, w, h, dpr, origin, center, zoom, size, k, o, drawn);
      }
      slice();
    },
    _show: function (buf, W, H, w, h, dpr, origin, center, zoom, size, k, o, drawn) {
      var c = this._c, map = this._map;
      if (c.width !== W || c.height !== H) { c.width = W; c.height = H; }
      c.style.width = w + "px"; c.style.height = h + "px";
      L.DomUtil.setPosition(c, origin);
      var ctx = c.getContext("2d"), img = ctx.createImageData(W, H);
      unpremultiply(buf, img.data);
      ctx.putImageData(img, 0, 0);
      if (SEL >= 0 && SEL < n) {  // the selected cluster on top, outlined
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ctx.beginPath(); ctx.arc(px[SEL] * k - o.x, py[SEL] * k - o.y, rad[SEL], 0, 2 * Math.PI);
        if (!isNaN(val[SEL])) { ctx.globalAlpha = 0.72; ctx.fillStyle = D.pal[kind[SEL]]; ctx.fill(); }
        ctx.globalAlpha = 1; ctx.lineWidth = 3; ctx.strokeStyle = "#000000"; ctx.stroke();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
      }
      this._center = center; this._zoom = zoom; this._size = size; this._drawn = drawn;
      if (!this._fired) { this._fired = true; map.fire("mstpointsdrawn", {count: n, layer: this}); }
    },
    _find: function (cp) {
      // The topmost circle under the pointer, on the map as it is now: the selected one,
      // else the last drawn (a linear scan, ~1 ms for 100,000).
      var map = this._map; if (!map) { return -1; }
      var k = map.options.crs.scale(map.getZoom()) / 256;
      var at = map.containerPointToLayerPoint(cp).add(map.getPixelOrigin());
      function hits(j) {
        var r = rad[j] + TOL, dx = px[j] * k - at.x, dy;
        if (dx > r || dx < -r) { return false; }
        dy = py[j] * k - at.y;
        return dx * dx + dy * dy <= r * r;
      }
      if (SEL >= 0 && SEL < n && hits(SEL)) { return SEL; }
      for (var j = n - 1; j >= 0; j--) { if (hits(j)) { return j; } }
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
      if (j !== this._quiet) { this._quiet = -1; }  // off the clicked circle: tooltips again
      if (j < 0 || j === this._quiet) { this._unhover(); return; }
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
      this._unhover(); this._quiet = j;  // no tooltip over the clicked circle until it is left
      // streamlit-folium reports a clicked layer's toGeoJSON() as last_active_drawing and
      // the click's position as last_object_clicked: the same as for a small layer's marker.
      var feature = {type: "Feature", properties: {i: j, k: D.key},
                     geometry: {type: "Point", coordinates: [lon[j], lat[j]]}};
      this.fire("click", {latlng: ev.latlng, originalEvent: ev.originalEvent, index: j,
                          layer: {toGeoJSON: function () { return feature; }}}, true);
    },
    // For tests and benchmarks: what is drawn for point j.
    count: function () { return n; },
    drawnCount: function () { return this._drawn; },
    latLngOf: function (j) { return L.latLng(lat[j], lon[j]); },
    radiusOf: function (j) { return rad[j]; },
    colourOf: function (j) { return D.pal[kind[j]]; },
    figureOf: function (j) { return isNaN(val[j]) ? null : val[j]; },
    textOf: text,
    pixelAt: function (cp) {  // [r, g, b, a] drawn under a container point
      var c = this._c, dpr = c.width / parseFloat(c.style.width), pad = this._size.multiplyBy(P);
      var d = c.getContext("2d").getImageData(Math.round((cp.x + pad.x) * dpr),
                                              Math.round((cp.y + pad.y) * dpr), 1, 1).data;
      return [d[0], d[1], d[2], d[3]];
    }
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
        lat, lon = float_values(points["lat"]), float_values(points["lon"])
        if not (np.isfinite(lat).all() and np.isfinite(lon).all()):
            raise ValueError("Every point needs a latitude and longitude to be drawn.")
        values = float_values(points["value"])
        s = 10 ** coordinate_decimals(n)
        vdec = 1 if measure == "employees_per_firm" else 0
        kind = _positions_in(points["counts_what"], CATEGORY_ORDER)
        kind[kind < 0] = len(CATEGORY_ORDER) - 1
        years = _small_ints(points["year"]) if "year" in points.columns else np.full(n, -1)
        y0 = int(years[years >= 0].min()) if (years >= 0).any() else 0
        k = radius_scale(values) if scale is None else scale
        self.key = arrays_key(measure, lat, lon, values)  # the small layer's key for them
        self.count = n
        self.selected = -1 if selected is None else int(selected)
        self.report_delay_ms = VIEW_REPORT_DELAY_MS
        arrays = {  # base64 and names: JSON as they are, put in after the rest
            "la": _offsets(np.round(lat * s).astype(np.int64)),
            "lo": _offsets(np.round(lon * s).astype(np.int64)),
            "v": _figures(values, vdec),
            "y": _typed(np.where(years >= 0, years - y0, -1)),
        }
        data: dict[str, Any] = {
            "n": n,
            "s": s,
            "vs": 10**vdec,
            "c": _codes(kind, "kinds of figures"),
            "y0": y0,
            "pal": [COUNTS_WHAT_COLOURS[c] for c in CATEGORY_ORDER],
            "cats": [html.escape(COUNTS_WHAT[c]) for c in CATEGORY_ORDER],
            "qs": [html.escape(QUALIFIERS[q]) for q in QUALIFIER_ORDER],
            "w": tooltip_words(measure),
            "k": round(k, 6),
            "rmin": R_MIN,
            "key": self.key,
        }
        if "qualifier" in points.columns:
            q = _positions_in(points["qualifier"], QUALIFIER_ORDER)
            if (q > 0).any():  # a qualifier besides none (the first, "")
                data["q"] = _codes(np.where(q < 0, 0, q), "qualifiers")
        data.update(_stars_codes(points))
        #: The arrays as safe JSON (the same whichever cluster is selected). The typed
        #: arrays and the names, nearly all of it, are written as JSON the quick way.
        self.payload = "".join(
            [js_json(data)[:-1]]
            + [f',"{name}":{typed}' for name, typed in arrays.items()]
            + [',"t":', js_text(_names(points)), "}"]
        )

    def with_selected(self, selected: int | None) -> BigClusterLayer:
        """A copy outlining another point, sharing the encoded arrays (no rebuild)."""
        other = copy.copy(self)
        other.selected = -1 if selected is None else int(selected)
        return other
