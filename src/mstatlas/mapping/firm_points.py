"""Firm-level points: up to hundreds of thousands of firms as one canvas layer.

A firm list (one row per firm: ``lat``, ``lon``, optional ``name``,
``technology``, ``employees``) is drawn as small dots coloured by technology.
Nothing per firm becomes a Leaflet object: the coordinates travel as two
delta-encoded integer arrays (about 11 bytes a firm), sorted by technology and,
within one, along a Z-order curve so consecutive firms are neighbours and the
deltas stay short. A small Leaflet layer projects them once, then each redraw
only scales, shifts and fills one canvas path per colour. Hover shows a tooltip
(name and figures up to :data:`~mstatlas.mapping.layers.TOOLTIP_TEXT_LIMIT`
firms, technology only above); a click fires ``click`` with the firm's
position, which streamlit-folium reports as ``last_object_clicked``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import folium
import numpy as np
import pandas as pd
from jinja2 import Template

from mstatlas.data.text import escape_html
from mstatlas.i18n import N_, _, current_language, fmt_int
from mstatlas.mapping.elements import LiteralMacroElement
from mstatlas.mapping.layers import TOOLTIP_TEXT_LIMIT, js_json

#: Technology colours, the most frequent first: the first six stay apart for people with
#: protanopia, deuteranopia or tritanopia (the kinds' palette without its grey; see
#: tests/test_colour_vision.py), the rest (Okabe-Ito, Paul Tol's "muted") with the legend.
TECH_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#E69F00",
    "#56B4E9",
    "#AA3377",
    "#332288",
    "#009E73",
    "#CC79A7",
    "#882255",
    "#117733",
)
#: Technologies beyond the palette share this colour (and the legend says "other").
OTHER_COLOUR = "#7f7f7f"
#: Firms whose technology is not stated.
UNKNOWN_COLOUR = "#b0b0b0"
UNKNOWN_LABEL = N_("technology not stated")
OTHER_LABEL = N_("other technologies")
#: Dot radius in pixels: small and fixed, so 100,000 dots stay readable and fast.
POINT_RADIUS = 2.5
#: Coordinates are sent as integers in units of 1/COORD_SCALE degree (1e-4 ° ≈ 10 m).
COORD_SCALE = 10_000


def _label(value: object) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def technology_palette(values: Iterable[object]) -> dict[str, str]:
    """Colour per technology: the most frequent get distinct colours, the rest grey.

    Parameters
    ----------
    values : iterable
        Technology of each firm (blanks and missing values are ignored).

    Returns
    -------
    dict of str to str
        Technology → hex colour. Order: most frequent first, ties by name, so the
        same firms always get the same colours whatever their row order.
    """
    counts = Counter(lab for lab in (_label(v) for v in values) if lab is not None)
    ranked = sorted(counts, key=lambda t: (-counts[t], t))
    return {
        t: TECH_COLOURS[i] if i < len(TECH_COLOURS) else OTHER_COLOUR for i, t in enumerate(ranked)
    }


def _morton(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Z-order key of positions quantised to 16 bits each (neighbours get near keys)."""

    def spread(v: np.ndarray) -> np.ndarray:
        v = v & 0x0000FFFF
        v = (v | (v << 8)) & 0x00FF00FF
        v = (v | (v << 4)) & 0x0F0F0F0F
        v = (v | (v << 2)) & 0x33333333
        return (v | (v << 1)) & 0x55555555

    qy = ((lat + 90.0) / 180.0 * 65535).astype(np.uint64)
    qx = ((lon + 180.0) / 360.0 * 65535).astype(np.uint64)
    return spread(qy) | (spread(qx) << np.uint64(1))


def _groups(
    tech: list[str | None], palette: dict[str, str]
) -> tuple[np.ndarray, list[str], list[str]]:
    """Group index per firm, group colours and group labels (unknown first, other last)."""
    labels = [_(UNKNOWN_LABEL)]
    colours = [UNKNOWN_COLOUR]
    index: dict[str | None, int] = {None: 0}
    for t, colour in palette.items():
        if colour == OTHER_COLOUR:
            continue
        index[t] = len(labels)
        labels.append(t)
        colours.append(colour)
    other = len(labels)
    labels.append(_(OTHER_LABEL))
    colours.append(OTHER_COLOUR)
    group = np.fromiter((index.get(t, other) for t in tech), dtype=np.int64, count=len(tech))
    return group, colours, labels


class FirmPointsLayer(LiteralMacroElement):
    """Leaflet layer drawing firm dots from delta-encoded integer arrays on one canvas.

    Parameters
    ----------
    firms : DataFrame
        Columns ``lat`` and ``lon``; optional ``name``, ``employees`` and the
        technology column. Rows without valid coordinates are left out.
    technology_col : str or None
        Column colouring the dots; ``None`` (or a missing column) draws one colour.
    tooltip_limit : int
        Up to this many firms, names and employees travel for the tooltip.
    radius : float
        Dot radius in pixels.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var D = {{ this.payload }};
  var n = D.n, px = new Float64Array(n), py = new Float64Array(n), a = 0, b = 0, i, g, s;
  var lat = new Float64Array(n), lon = new Float64Array(n);
  // Decode and project once to Web Mercator at zoom 0; redraws only scale and shift.
  for (i = 0; i < n; i++) {
    a += D.la[i]; b += D.lo[i]; lat[i] = a / D.s; lon[i] = b / D.s;
    px[i] = (lon[i] + 180) / 360 * 256;
    s = Math.sin(lat[i] * Math.PI / 180);
    py[i] = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * 256;
  }
  var ends = [], e = 0;
  for (g = 0; g < D.gc.length; g++) { e += D.gc[g]; ends.push(e); }
  function groupOf(k) { for (var j = 0; j < ends.length; j++) { if (k < ends[j]) { return j; } } return 0; }
  var P = 0.3, R = D.r;
  var Layer = L.Layer.extend({
    onAdd: function (map) {
      var c = this._c = L.DomUtil.create("canvas", "leaflet-layer leaflet-zoom-animated");
      c.style.pointerEvents = "none";
      map.getPanes().overlayPane.appendChild(c);
      this._tip = L.tooltip({sticky: false, direction: "top", offset: [0, -4]});
      map.on("moveend viewreset resize", this._draw, this);
      map.on("zoomanim", this._anim, this);
      map.on("mousemove", this._hover, this);
      map.on("click", this._click, this);
      map.on("mouseout", this._unhover, this);
      this._draw();
    },
    onRemove: function (map) {
      map.off("moveend viewreset resize", this._draw, this);
      map.off("zoomanim", this._anim, this);
      map.off("mousemove", this._hover, this);
      map.off("click", this._click, this);
      map.off("mouseout", this._unhover, this);
      this._unhover();
      L.DomUtil.remove(this._c);
    },
    _anim: function (ev) {
      var map = this._map, sc = map.getZoomScale(ev.zoom, this._zoom);
      var half = map.getSize().multiplyBy(0.5 + P);
      var off = half.multiplyBy(-sc).add(map.project(this._center, ev.zoom))
        .subtract(map._getNewPixelOrigin(ev.center, ev.zoom));
      L.DomUtil.setTransform(this._c, off, sc);
    },
    _draw: function () {
      var map = this._map; if (!map) { return; }
      var size = map.getSize(), pad = size.multiplyBy(P), c = this._c;
      var w = Math.round(size.x + 2 * pad.x), h = Math.round(size.y + 2 * pad.y);
      var dpr = window.devicePixelRatio || 1;
      L.DomUtil.setPosition(c, map.containerPointToLayerPoint(pad.multiplyBy(-1)));
      c.width = w * dpr; c.height = h * dpr; c.style.width = w + "px"; c.style.height = h + "px";
      this._center = map.getCenter(); this._zoom = map.getZoom();
      var ctx = c.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.globalAlpha = 0.8;
      var k = map.options.crs.scale(this._zoom) / 256;
      var o = map.project(this._center, this._zoom).subtract(size.divideBy(2)).subtract(pad);
      this._k = k; this._o = o; this._pad = pad;
      // Small squares in one path per colour: the fastest fill on a software canvas.
      var start = 0, x, y, drawn = 0, d = 2 * R;
      for (g = 0; g < ends.length; g++) {
        ctx.beginPath();
        for (i = start; i < ends[g]; i++) {
          x = px[i] * k - o.x; y = py[i] * k - o.y;
          if (x < -R || y < -R || x > w + R || y > h + R) { continue; }
          ctx.rect(x - R, y - R, d, d); drawn++;
        }
        ctx.fillStyle = D.pal[g]; ctx.fill();
        start = ends[g];
      }
      if (!this._fired) { this._fired = true; map.fire("mstpointsdrawn", {count: n, layer: this}); }
      this._drawn = drawn;
    },
    _find: function (cp) {
      // Nearest dot within a few pixels of the pointer (a linear scan: ~1 ms for 100,000).
      var x = cp.x + this._pad.x, y = cp.y + this._pad.y, k = this._k, o = this._o;
      var best = -1, bd = (R + 3) * (R + 3), dx, dy, d;
      for (var j = 0; j < n; j++) {
        dx = px[j] * k - o.x - x; if (dx > R + 3 || dx < -R - 3) { continue; }
        dy = py[j] * k - o.y - y; d = dx * dx + dy * dy;
        if (d <= bd) { bd = d; best = j; }
      }
      return best;
    },
    _latlng: function (j) {
      return L.latLng(lat[j], lon[j]);
    },
    _text: function (j) {
      var grp = D.g[groupOf(j)], t = "";
      if (D.t) { t = "<b>" + D.t[j] + "</b><br>"; }
      t += "<i>" + grp + "</i>";
      if (D.e && D.e[j] !== null) {
        t += "<br>" + D.ew.replace("{n}", D.e[j].toLocaleString(D.loc));
      }
      return t;
    },
    _hover: function (ev) {
      if (this._busy || !this._k) { return; }
      this._busy = true;
      var j = this._find(ev.containerPoint), map = this._map;
      this._busy = false;
      if (j < 0) { this._unhover(); return; }
      if (j !== this._hit) {
        this._hit = j;
        this._tip.setLatLng(this._latlng(j)).setContent(this._text(j));
        if (!map.hasLayer(this._tip)) { this._tip.addTo(map); }
      }
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
      if (j >= 0) {
        this.fire("click", {latlng: this._latlng(j), index: j, originalEvent: ev.originalEvent}, true);
      }
    }
  });
  return new Layer();
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        firms: pd.DataFrame,
        technology_col: str | None = "technology",
        *,
        tooltip_limit: int = TOOLTIP_TEXT_LIMIT,
        radius: float = POINT_RADIUS,
    ) -> None:
        super().__init__()
        self._name = "FirmPointsLayer"
        lat = pd.to_numeric(firms["lat"], errors="coerce").to_numpy(dtype=float)
        lon = pd.to_numeric(firms["lon"], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 85.0) & (np.abs(lon) <= 180.0)
        rows = firms.loc[ok]
        lat, lon = lat[ok], lon[ok]
        n = len(rows)
        if technology_col and technology_col in rows.columns:
            tech = [_label(v) for v in rows[technology_col]]
        else:
            tech = [None] * n
        self.palette = technology_palette(tech)
        group, colours, labels = _groups(tech, self.palette)
        order = np.lexsort((_morton(lat, lon), group))
        ilat = np.round(lat[order] * COORD_SCALE).astype(np.int64)
        ilon = np.round(lon[order] * COORD_SCALE).astype(np.int64)
        counts = np.bincount(group, minlength=len(labels))
        #: Row labels of ``firms`` in drawing order (position ``index`` of a click).
        self.order = rows.index[order]
        self.count = n
        with_text = n <= tooltip_limit
        data: dict[str, Any] = {
            "n": n,
            "s": COORD_SCALE,
            "la": np.diff(ilat, prepend=0).tolist(),
            "lo": np.diff(ilon, prepend=0).tolist(),
            "gc": counts.tolist(),
            "pal": colours,
            "g": [escape_html(x) for x in labels],
            "r": radius,
            "t": None,
            "e": None,
            # the tooltip's words and number format in the language the map is drawn in
            "ew": _("{n} employees"),
            "loc": current_language(),
        }
        if with_text and "name" in rows.columns:
            names = rows["name"].to_numpy(dtype=object)[order]
            data["t"] = ["" if _label(x) is None else escape_html(x) for x in names]
        if with_text and "employees" in rows.columns:
            emp = pd.to_numeric(rows["employees"], errors="coerce").to_numpy(dtype=float)[order]
            data["e"] = [None if np.isnan(x) else int(round(x)) for x in emp]
        self.payload = js_json(data)


def firm_points_feature_group(
    firms: pd.DataFrame,
    *,
    technology_col: str | None = "technology",
    name: str = "Firms",
    tooltip_limit: int = TOOLTIP_TEXT_LIMIT,
) -> folium.FeatureGroup:
    """Firms as small dots coloured by technology, in one FeatureGroup.

    Pass the result to ``st_folium(..., feature_group_to_add=...)`` or add it to
    a :class:`folium.Map`. Smooth at 100,000 firms: the browser gets ~11 bytes
    a firm above ``tooltip_limit`` and draws them on one canvas.

    Parameters
    ----------
    firms : DataFrame
        One row per firm: ``lat``, ``lon``; optional ``name``, ``employees`` and
        ``technology_col``.
    technology_col : str or None
        Column colouring the dots; ``None`` or a missing column draws one colour.
    name : str
        Name of the feature group.
    tooltip_limit : int
        Above this many firms the tooltip shows the technology only.

    Returns
    -------
    folium.FeatureGroup
        Holding one :class:`FirmPointsLayer` (its ``palette`` and ``count``
        tell what is drawn).
    """
    fg = folium.FeatureGroup(name=name, control=False)
    FirmPointsLayer(firms, technology_col, tooltip_limit=tooltip_limit).add_to(fg)
    return fg


def firm_legend_html(firms: pd.DataFrame, technology_col: str | None = "technology") -> str:
    """Colour swatches with firm counts per technology, as plain HTML (no CDN).

    Uses the same colours as :func:`firm_points_feature_group` for the same firms.
    """
    if technology_col and technology_col in firms.columns:
        tech = [_label(v) for v in firms[technology_col]]
    else:
        tech = [None] * len(firms)
    palette = technology_palette(tech)
    counts = Counter(tech)
    rows: list[tuple[str, str, int]] = [
        (t, c, counts[t]) for t, c in palette.items() if c != OTHER_COLOUR
    ]
    other = sum(counts[t] for t, c in palette.items() if c == OTHER_COLOUR)
    if other:
        rows.append((_(OTHER_LABEL), OTHER_COLOUR, other))
    if counts[None]:
        rows.append((_(UNKNOWN_LABEL), UNKNOWN_COLOUR, counts[None]))
    items = "".join(
        f'<div style="font-size:12px"><span style="display:inline-block;width:9px;'
        f"height:9px;border-radius:50%;background:{colour};margin-right:6px;"
        f'vertical-align:middle"></span>{escape_html(label)} ({fmt_int(count)})</div>'
        for label, colour, count in rows
    )
    return f'<div class="mst-legend-firms">{items}</div>'
