"""The bare peer for first paint (benchmark only): one page, ``st_folium``, the same clusters.

What a lean hand-written folium app would send: the atlas's clusters (the
headline figure per cluster, as on the atlas's opening map) as one
``folium.GeoJson`` of circle markers, the same country outlines, Leaflet served
by the app itself (CDNs are blocked), no tiles, no sidebar, no other page.
Leaflet is put in ``benchmarks/static/`` by
:func:`benchmarks.naive.install_peer_assets` before the server starts. Data are
cached, so a warm server only builds the small map and runs ``st_folium``.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import folium  # noqa: E402
import streamlit as st  # noqa: E402
from streamlit_folium import st_folium  # noqa: E402

from mstatlas.mapping.assets import SERVED_PREFIX  # noqa: E402


@st.cache_resource(show_spinner=False)
def _data() -> tuple[dict, dict]:
    """Country outlines and the clusters as GeoJSON (read once per process)."""
    from mstatlas.io import load_clusters
    from mstatlas.mapping.build import country_outlines, map_points

    pts = map_points(load_clusters(), "employees")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {"name": str(name)},
        }
        for lat, lon, name in zip(pts["lat"], pts["lon"], pts["cluster_name"])
    ]
    return country_outlines(), {"type": "FeatureCollection", "features": features}


def _map() -> folium.Map:
    """The map, built each run (a folium map is rendered once)."""
    outlines, clusters = _data()
    m = folium.Map(location=[51.0, 10.0], zoom_start=4, tiles=None)
    m.default_js = [("leaflet", f"{SERVED_PREFIX}/leaflet.js")]
    m.default_css = [("leaflet_css", f"{SERVED_PREFIX}/leaflet.css")]
    folium.GeoJson(outlines, style_function=lambda _: {"weight": 1}).add_to(m)
    folium.GeoJson(
        clusters,
        marker=folium.CircleMarker(radius=6, fill=True, fill_opacity=0.7, weight=1),
        tooltip=folium.GeoJsonTooltip(["name"], labels=False),
    ).add_to(m)
    return m


st.set_page_config(page_title="Bare peer", layout="wide")
st.title("Bare peer")
st_folium(_map(), key="map", height=560, use_container_width=True, returned_objects=[])
