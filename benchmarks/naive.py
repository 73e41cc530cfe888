"""The naive peer: what a first folium + streamlit-folium app would do.

One ``folium.CircleMarker`` with a ``folium.Popup`` per cluster, country outlines
as a default ``folium.GeoJson``, and a default ``st_folium(m)`` call. The only
change from folium's defaults: Leaflet and jQuery (folium popups need ``$``) are
served by the app itself, from the same place as MST Atlas serves Leaflet, because
CDNs are blocked in the benchmark; Bootstrap and awesome-markers (unused by
circle markers) are dropped. So only the rendering approach differs.
"""

from __future__ import annotations

import html
import math
import shutil
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from xstatic.pkg import jquery as xjquery

from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS
from mstatlas.mapping.assets import SERVED_PREFIX, install_static_assets
from mstatlas.mapping.layers import R_MAX, R_MIN

HERE = Path(__file__).resolve().parent
#: Where the peer's page loads jQuery from (next to the served Leaflet).
JQUERY_PREFIX = SERVED_PREFIX.rsplit("/", 1)[0] + "/jquery"


def install_peer_assets(static_dir: Path = HERE / "static") -> Path:
    """Serve Leaflet and jQuery next to the benchmark apps (``static/vendor/``)."""
    install_static_assets(static_dir)
    target = static_dir / "vendor" / "jquery"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(xjquery.BASE_DIR) / "jquery.min.js", target / "jquery.min.js")
    return static_dir


def naive_map(
    points: pd.DataFrame, value_col: str = "employees", colour_col: str | None = "counts_what"
) -> folium.Map:
    """Build the naive peer's map: one CircleMarker + Popup per row.

    Parameters
    ----------
    points : DataFrame
        Columns ``lat``, ``lon``, a name column (``cluster_name`` or ``name``),
        ``value_col`` and optionally ``colour_col``.
    value_col : str
        Figure sizing the circles (area ∝ value, same scale as MST Atlas).
    colour_col : str, optional
        Category colouring the circles (MST Atlas' palette), ``None`` for one colour.
    """
    m = folium.Map(location=[51.0, 10.0], zoom_start=4, tiles=None)
    m.default_js = [
        ("leaflet", f"{SERVED_PREFIX}/leaflet.js"),
        ("jquery", f"{JQUERY_PREFIX}/jquery.min.js"),
    ]
    m.default_css = [("leaflet_css", f"{SERVED_PREFIX}/leaflet.css")]
    from mstatlas.mapping.build import country_outlines

    folium.GeoJson(country_outlines(), name="countries").add_to(m)
    name_col = "cluster_name" if "cluster_name" in points.columns else "name"
    values = pd.to_numeric(points[value_col], errors="coerce").astype(float)
    vmax = float(np.nanmax(values.to_numpy())) if values.notna().any() else 0.0
    k = R_MAX / math.sqrt(vmax) if vmax > 0 else 0.0
    cats = points[colour_col] if colour_col and colour_col in points.columns else None
    for i, (lat, lon, name, v) in enumerate(
        zip(points["lat"], points["lon"], points[name_col], values)
    ):
        cat = str(cats.iloc[i]) if cats is not None else ""
        colour = COUNTS_WHAT_COLOURS.get(cat, "#3388ff")
        has = not math.isnan(v)
        text = f"<b>{html.escape(str(name))}</b><br>{int(v) if has else 'no'} {value_col}"
        if cat:
            text += f"<br><i>{html.escape(COUNTS_WHAT.get(cat, cat))}</i>"
        folium.CircleMarker(
            location=[float(lat), float(lon)],
            radius=max(R_MIN, k * math.sqrt(max(v, 0.0))) if has else R_MIN,
            color="#ffffff",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.72,
            popup=folium.Popup(text, max_width=300),
        ).add_to(m)
    return m
