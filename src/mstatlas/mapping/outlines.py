"""Polygon layers: detected clusters' outlines, and firms at city centres as a density.

Both are one ``L.geoJSON`` layer each, styled per feature by a style function
in the browser (no ``folium.Choropleth``, no branca colormap: those load d3
from a CDN). The GeoJSON travels through :func:`~mstatlas.mapping.layers.js_json`
in a :class:`~mstatlas.mapping.elements.LiteralMacroElement`, so a name from an
upload is never parsed as a template; tooltip texts are escaped here.

Every feature carries its row (``i``) and the layer's key (``k``): a click
comes back through streamlit-folium's ``last_active_drawing`` and is matched to
its row, and a click on another layer (or an older one) is told apart.

Firms that an upload placed at their city's centre by geocoding all sit on one
point per city; drawn as dots they would hide how many there are. They are
counted in hexagons instead (:func:`hex_bins`), laid out in metres on the
European equal-area grid (ETRS89-LAEA, EPSG:3035), so every hexagon covers the
same area.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Sequence
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from jinja2 import Template
from pyproj import Transformer
from shapely.geometry import mapping

from mstatlas.data.text import escape_html
from mstatlas.i18n import N_, _, fmt_int, ngettext
from mstatlas.mapping.elements import LiteralMacroElement
from mstatlas.mapping.layers import js_json

#: The projected grid hexagons are laid out on (metres, equal area).
HEX_CRS: Final = "EPSG:3035"
#: Outline colour of detected clusters, and of the selected one.
OUTLINE_COLOUR: Final = "#1b5e8c"
SELECTED_COLOUR: Final = "#000000"
#: Fill colours of the density classes, light to dark (ColorBrewer "Oranges", 5 classes).
DENSITY_COLOURS: Final[tuple[str, ...]] = ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603")
#: Decimal places of coordinates sent to the browser (1e-5 degree is about 1 m).
COORD_DECIMALS: Final = 5
#: What a suppressed employee figure shows (as :data:`mstatlas.data.disclosure.CONFIDENTIAL`).
CONFIDENTIAL: Final = N_("confidential")


class PolygonLayer(LiteralMacroElement):
    """One GeoJSON layer of polygons with a style function and a tooltip per feature.

    Parameters
    ----------
    features : list of dict
        GeoJSON features; their ``properties`` hold ``i`` (row), ``k`` (layer
        key), ``t`` (tooltip, escaped HTML) and ``c`` (fill colour).
    key : str
        The layer key (see :func:`layer_key`).
    stroke : str
        Outline colour.
    fill_opacity : float
        Opacity of the fill.
    selected : int, optional
        Row drawn with a thick dark outline, on top.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var D = {{ this.payload }};
  var layer = L.geoJSON(D.fc, {
    bubblingMouseEvents: false,
    style: function (f) {
      var sel = f.properties.i === D.sel;
      return {color: sel ? D.selc : D.stroke, weight: sel ? 3.5 : D.w, opacity: 0.9,
              fillColor: f.properties.c, fillOpacity: D.op};
    }
  });
  layer.bindTooltip(function (l) { return l.feature.properties.t; }, {sticky: true});
  layer.eachLayer(function (l) { if (l.feature.properties.i === D.sel) { l.bringToFront(); } });
  return layer;
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(
        self,
        features: list[dict[str, Any]],
        key: str,
        *,
        stroke: str = OUTLINE_COLOUR,
        weight: float = 1.5,
        fill_opacity: float = 0.25,
        selected: int | None = None,
    ) -> None:
        super().__init__()
        self._name = "PolygonLayer"
        self.key = key
        self.count = len(features)
        self.payload = js_json(
            {
                "fc": {"type": "FeatureCollection", "features": features},
                "sel": -1 if selected is None else int(selected),
                "stroke": stroke,
                "selc": SELECTED_COLOUR,
                "w": weight,
                "op": fill_opacity,
            }
        )


def layer_key(kind: str, *parts: object) -> str:
    """A short key for a layer's content: clicks on another or an older layer are ignored."""
    h = hashlib.blake2s(digest_size=6)
    h.update(kind.encode())
    for part in parts:
        h.update(repr(part).encode())
    return h.hexdigest()


def _geometry_json(geometry: Any) -> dict[str, Any]:
    """GeoJSON geometry of a polygon (or multipolygon), coordinates rounded."""
    shape = shapely.transform(geometry, lambda xy: np.round(xy, COORD_DECIMALS))
    out: dict[str, Any] = mapping(shape)
    return out


def _employees_text(employees: object, status: object) -> str:
    if isinstance(status, str) and status:
        return _("employees {confidential}").format(confidential=_(CONFIDENTIAL))
    if employees is None or pd.isna(employees):
        return _("employees not known")
    return _("{n} employees").format(n=fmt_int(int(employees)))  # type: ignore[call-overload]


def outline_tooltips(clusters: pd.DataFrame) -> list[str]:
    """Tooltip per detected cluster: name, firms, employees or "confidential" (escaped HTML).

    Parameters
    ----------
    clusters : DataFrame
        ``cluster_name``, ``firms``, ``employees`` and optionally
        ``employees_status`` (text where the figure is confidential).
    """
    status = (
        clusters["employees_status"]
        if "employees_status" in clusters.columns
        else pd.Series(pd.NA, index=clusters.index)
    )
    detected = html.escape(_("cluster detected from firm locations"))
    return [
        f"<b>{escape_html(name)}</b><br>"
        + html.escape(ngettext("{n} firm", "{n} firms", int(firms)).format(n=fmt_int(int(firms))))
        + f"<br>{html.escape(_employees_text(emp, st))}<br><i>{detected}</i>"
        for name, firms, emp, st in zip(
            clusters["cluster_name"],
            clusters["firms"],
            clusters["employees"],
            status.astype(object),
        )
    ]


def outline_layer(
    clusters: gpd.GeoDataFrame, *, selected: int | None = None, shown: Sequence[bool] | None = None
) -> PolygonLayer:
    """The detected clusters' outlines, one feature per cluster (row ``i`` of ``clusters``).

    Parameters
    ----------
    clusters : GeoDataFrame
        One row per detected cluster, EPSG:4326 outlines, with the columns
        :func:`outline_tooltips` reads and ``cluster_id``.
    selected : int, optional
        Row of the cluster to outline as selected.
    shown : sequence of bool, optional
        Per row, whether its outline may be drawn (default: all).

    Returns
    -------
    PolygonLayer
        Its ``key`` is in every feature's properties (``k``).
    """
    tips = outline_tooltips(clusters)
    key = layer_key("outlines", list(clusters["cluster_id"]), list(clusters["firms"]))
    draw = [True] * len(clusters) if shown is None else list(shown)
    features = [
        {
            "type": "Feature",
            "properties": {"i": i, "k": key, "t": tips[i], "c": OUTLINE_COLOUR},
            "geometry": _geometry_json(geom),
        }
        for i, geom in enumerate(clusters.geometry)
        if draw[i] and geom is not None and not geom.is_empty
    ]
    return PolygonLayer(features, key, selected=selected)


def _to_grid(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tr = Transformer.from_crs("EPSG:4326", HEX_CRS, always_xy=True)
    x, y = tr.transform(lon, lat)
    return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")


def _axial(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """The pointy-top hexagon (axial q, r) of circumradius ``size`` each point falls in."""
    qf = (math.sqrt(3) / 3 * x - y / 3) / size
    rf = (2 / 3 * y) / size
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def hex_bins(lat: np.ndarray, lon: np.ndarray, size_km: float) -> gpd.GeoDataFrame:
    """Count positions in hexagons of equal area (EPSG:3035), for a density layer.

    Parameters
    ----------
    lat, lon : array-like
        Positions in degrees; non-finite ones are left out.
    size_km : float
        Circumradius of a hexagon (centre to corner) in kilometres, above 0.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per hexagon holding positions: ``firms`` (how many), ``lat``,
        ``lon`` (its centre) and its outline (EPSG:4326); most firms first,
        ties by position.
    """
    if not size_km > 0 or not math.isfinite(size_km):
        raise ValueError(f"The hexagon size must be a positive number of km, got {size_km!r}.")
    la = np.asarray(lat, dtype="float64")
    lo = np.asarray(lon, dtype="float64")
    ok = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90) & (np.abs(lo) <= 180)
    size = size_km * 1000.0
    x, y = _to_grid(la[ok], lo[ok])
    q, r = _axial(x, y, size)
    cells, counts = np.unique(np.column_stack([q, r]), axis=0, return_counts=True)
    cells = cells.reshape(-1, 2)
    order = np.lexsort((cells[:, 1], cells[:, 0], -counts))
    cells, counts = cells[order], counts[order]
    cx = size * math.sqrt(3) * (cells[:, 0] + cells[:, 1] / 2)
    cy = size * 1.5 * cells[:, 1]
    angles = np.radians(30 + 60 * np.arange(7))  # the first corner again, closing the ring
    vx = cx[:, None] + size * np.cos(angles)[None, :]
    vy = cy[:, None] + size * np.sin(angles)[None, :]
    back = Transformer.from_crs(HEX_CRS, "EPSG:4326", always_xy=True)
    vlon, vlat = back.transform(vx.ravel(), vy.ravel())
    clon, clat = back.transform(cx, cy)
    rings = np.stack([np.asarray(vlon), np.asarray(vlat)], axis=-1).reshape(-1, 7, 2)
    polygons = shapely.polygons(rings) if len(rings) else np.empty(0, dtype=object)
    return gpd.GeoDataFrame(
        {
            "firms": counts.astype("int64"),
            "lat": np.asarray(clat, dtype="float64"),
            "lon": np.asarray(clon, dtype="float64"),
        },
        geometry=polygons,
        crs="EPSG:4326",
    )


def density_classes(counts: np.ndarray | pd.Series) -> list[tuple[int, int]]:
    """Class bounds (lowest, highest firms) of the density colours, on a doubling scale.

    At most :data:`DENSITY_COLOURS` classes; each class's bounds are whole numbers
    of firms, and together they cover every count from 1 to the largest.
    """
    top = int(np.max(counts)) if len(counts) else 0
    if top <= 0:
        return []
    n = len(DENSITY_COLOURS)
    # Upper bounds spaced evenly on a log scale from 1 to the largest count.
    uppers = sorted({max(1, round(top ** ((k + 1) / n))) for k in range(n)})
    classes, low = [], 1
    for up in uppers:
        if up >= low:
            classes.append((low, up))
            low = up + 1
    return classes


def _class_of(counts: np.ndarray, classes: list[tuple[int, int]]) -> np.ndarray:
    uppers = np.asarray([hi for _, hi in classes], dtype=np.int64)
    return np.searchsorted(uppers, counts, side="left")


def density_layer(
    bins: gpd.GeoDataFrame, what: tuple[str, str] = ("firm", "firms")
) -> PolygonLayer:
    """Hexagons (from :func:`hex_bins`) coloured by how many firms each holds.

    ``what`` names what is counted in the tooltip, for one and for several
    ("1 firm", "3 firms").
    """
    counts = bins["firms"].to_numpy(dtype=np.int64)
    classes = density_classes(counts)
    # A class index spreads the colours over the classes there are (light to dark).
    which = _class_of(counts, classes) if classes else np.zeros(0, dtype=np.int64)
    step = (len(DENSITY_COLOURS) - 1) / max(len(classes) - 1, 1)
    key = layer_key("density", counts.tolist(), bins["lat"].round(4).tolist())
    one, many = (escape_html(w) for w in what)
    features = [
        {
            "type": "Feature",
            "properties": {
                "i": i,
                "k": key,
                "t": f"{fmt_int(int(n))} {one if n == 1 else many}",
                "c": DENSITY_COLOURS[round(int(c) * step)],
            },
            "geometry": _geometry_json(geom),
        }
        for i, (n, c, geom) in enumerate(zip(counts, which, bins.geometry))
    ]
    return PolygonLayer(features, key, stroke="#8c4a1c", weight=0.6, fill_opacity=0.7)


def density_legend_html(bins: gpd.GeoDataFrame, title: str) -> str:
    """The density layer's colours with their firm counts, as plain HTML (no CDN)."""
    classes = density_classes(bins["firms"].to_numpy(dtype=np.int64))
    step = (len(DENSITY_COLOURS) - 1) / max(len(classes) - 1, 1)
    items = "".join(
        f'<span style="display:inline-block;margin-right:10px;font-size:12px">'
        f'<span style="display:inline-block;width:12px;height:10px;'
        f"background:{DENSITY_COLOURS[round(k * step)]};border:1px solid #8c4a1c;"
        f'margin-right:4px;vertical-align:middle"></span>'
        f"{fmt_int(lo)}{'' if lo == hi else f'–{fmt_int(hi)}'}</span>"
        for k, (lo, hi) in enumerate(classes)
    )
    return (
        f'<div class="mst-legend-density" style="font-size:12px">'
        f"<b>{escape_html(title)}</b><br>{items}</div>"
    )
