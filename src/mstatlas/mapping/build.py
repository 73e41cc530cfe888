"""Build the atlas map: offline basemap, proportional symbols, legend."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import lru_cache

import folium
import numpy as np
import pandas as pd

from mstatlas.analysis.ranking import headline_figures
from mstatlas.analysis.selection import positions, whole_facts, whole_table
from mstatlas.data.loading import data_dir
from mstatlas.i18n import _
from mstatlas.mapping.accessible import make_accessible
from mstatlas.mapping.assets import SERVED_PREFIX, use_local_leaflet
from mstatlas.mapping.basemap import SERVED_BASEMAP_PREFIX
from mstatlas.mapping.basemap_layer import BASEMAP_CSS, BasemapLayer, PanedOutlineLayer
from mstatlas.mapping.elements import RawText
from mstatlas.mapping.layers import ClusterLayer, js_json
from mstatlas.mapping.legend import EXPORT_CSS, export_overlay_html

EUROPE_CENTER = (51.0, 10.0)
#: Zoom range of the atlas map (continent to city).
MIN_ZOOM, MAX_ZOOM = 3, 14
EUROPE_ZOOM = 4

#: Pane of the offline outlines: under the tile pane (200), over the map's background.
BASE_PANE, BASE_PANE_Z = "mstBase", 150

#: Optional online basemap (off by default; the atlas never needs it).
ONLINE_TILES = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attr": "&copy; OpenStreetMap contributors",
}

#: Sea colour behind the country outlines; tooltips as wide as their text up to 320 px,
#: wrapping longer names (a tooltip sits in a pane of no width: without a width of its
#: own it shrinks to its longest word, one word per line).
MAP_CSS = (
    ".leaflet-container.leaflet-container{background:#dce8f1}"  # beats Leaflet's own grey
    ".leaflet-tooltip{width:max-content;min-width:120px;max-width:320px;white-space:normal;"
    "overflow-wrap:anywhere}"
)
#: For a page that sizes the map's frame (the embed): in the app's map frame
#: (streamlit-folium's ``#map_div``) a map as tall as the frame. Not on other maps: a
#: frame has no height yet when the map is made, and a map fitted to its bounds (the
#: country map) would then open at its closest zoom.
FILL_FRAME_CSS = "#map_div{height:100vh!important}"

POINT_COLUMNS = (
    "cluster_id",
    "cluster_name",
    "city",
    "country_iso2",
    "lat",
    "lon",
    "value",
    "display",
    "qualifier",
    "year",
    "counts_what",
    "source_title",
    "source_url",
    "other_figures",
    "n_figures",
    "row",
)


@lru_cache(maxsize=1)
def country_outlines() -> dict:
    """Europe's country outlines (Natural Earth 1:110m, public domain), as GeoJSON."""
    with open(data_dir() / "europe_countries.geojson", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def outlines_json() -> str:
    """:func:`country_outlines` encoded once for the page (it is the same on every map)."""
    return js_json(country_outlines())


def map_points(
    clusters: pd.DataFrame, measure: str = "employees", counts: Iterable[str] | None = None
) -> pd.DataFrame:
    """One row per cluster to draw: its headline figure for ``measure`` and position.

    Clusters in ``clusters`` that have no figure for the measure are kept with a
    blank ``value`` (drawn as hollow circles), so blanks stay visible as blanks.
    Rows without coordinates cannot be drawn and are left out.
    """
    heads = headline_figures(clusters, by=measure, counts=counts)
    code_of, first = _first_located(clusters)
    at = first[code_of(heads)]  # each headline's cluster placed at its first located row
    drawn = np.flatnonzero(at >= 0)
    lost = np.zeros(len(clusters), dtype=bool)  # clusters without a figure, in file order
    lost[first[first >= 0]] = True
    lost[at[drawn]] = False
    lost_at = np.flatnonzero(lost)
    # Larger symbols first so small ones stay on top and clickable (stable: ties keep their
    # order; blanks last, as a descending sort with blanks last)
    if not len(lost_at) and not len(drawn):
        return pd.DataFrame(columns=list(POINT_COLUMNS))
    if not len(lost_at):  # every cluster has a figure: one take of the headlines, sorted
        order = np.argsort(-heads["value"].to_numpy(dtype=float)[drawn], kind="stable")
        pick, rows = drawn[order], at[drawn[order]]
        return pd.DataFrame(
            {
                c: clusters[c].to_numpy()[rows]
                if c in ("lat", "lon")
                else heads[c].array.take(pick)
                for c in POINT_COLUMNS
            }
        )
    heads = heads.iloc[drawn].assign(
        lat=clusters["lat"].to_numpy()[at[drawn]], lon=clusters["lon"].to_numpy()[at[drawn]]
    )
    frames = [
        f
        for f in (heads[list(POINT_COLUMNS)], _blank_points(clusters.iloc[lost_at]))
        if not f.empty
    ]
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    order = np.argsort(-out["value"].to_numpy(dtype=float), kind="stable")
    return out.take(order).reset_index(drop=True)


def _blank_points(missing: pd.DataFrame) -> pd.DataFrame:
    """Points for clusters without a figure for the measure (drawn hollow)."""
    return pd.DataFrame(
        {
            "cluster_id": missing["cluster_id"].to_numpy(),
            "cluster_name": missing["cluster_name"].to_numpy(),
            "city": missing["city"].to_numpy(),
            "country_iso2": missing["country_iso2"].to_numpy(),
            "lat": missing["lat"].to_numpy(),
            "lon": missing["lon"].to_numpy(),
            "value": float("nan"),
            "display": "",
            "qualifier": "",
            "year": pd.array([pd.NA] * len(missing), dtype="Int64"),
            "counts_what": missing["counts_what"].to_numpy(),
            "source_title": missing["source_title"].to_numpy(),
            "source_url": missing["source_url"].to_numpy(),
            "other_figures": "",
            "n_figures": 0,
            "row": missing.index.to_numpy(),
        }
    )


def _first_located(
    clusters: pd.DataFrame,
) -> tuple[Callable[[pd.DataFrame], np.ndarray], np.ndarray]:
    """Each cluster's first row with coordinates (position; -1 for none), by cluster code,
    and how to find the code of each headline of a pick from ``clusters``.

    For a selection of the whole table in force (see :mod:`mstatlas.analysis.selection`)
    the codes are the whole table's (worked out once; -1 also marks its clusters not
    selected), and a headline's code is read at its row.
    """
    at = positions(clusters)
    if at is None:
        codes, ids, located = _codes_and_located(clusters)

        def code_of(heads: pd.DataFrame) -> np.ndarray:
            return ids.get_indexer(heads["cluster_id"].to_numpy(dtype=object))

    else:
        whole_codes, ids, whole_located = whole_facts("located clusters", _codes_and_located)
        codes, located = whole_codes[at], whole_located[at]
        whole = whole_table()
        assert whole is not None  # positions() found one

        def code_of(heads: pd.DataFrame) -> np.ndarray:
            return whole_codes[whole.index.get_indexer(heads["row"].to_numpy())]

    rows = np.flatnonzero(located)
    found, where = np.unique(codes[rows], return_index=True)  # each code's first located row
    first = np.full(len(ids), -1, dtype=np.int64)
    first[found] = rows[where]
    return code_of, first


def _codes_and_located(clusters: pd.DataFrame) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Each row's cluster code, the ids (an index to look them up), rows with coordinates."""
    codes, ids = pd.factorize(clusters["cluster_id"], use_na_sentinel=False)
    located = (clusters["lat"].notna() & clusters["lon"].notna()).to_numpy(bool)
    return codes, pd.Index(np.asarray(ids, dtype=object)), located


def build_base_map(
    online_tiles: bool = False,
    location: tuple[float, float] = EUROPE_CENTER,
    zoom: int = EUROPE_ZOOM,
    asset_prefix: str = SERVED_PREFIX,
    basemap_prefix: str = SERVED_BASEMAP_PREFIX,
    fill_frame: bool = False,
) -> folium.Map:
    """A Europe map with offline country outlines and place names, and self-served Leaflet.

    Parameters
    ----------
    online_tiles : bool
        Add OpenStreetMap tiles over the offline outlines (needs internet; off by
        default). Should a tile fail to load, the map says so and shows the
        offline basemap and place names instead.
    location, zoom
        Initial view.
    asset_prefix : str
        URL folder of ``leaflet.js``/``leaflet.css`` (see :mod:`mstatlas.mapping.assets`).
    basemap_prefix : str
        URL folder of the place names and 1:50m outlines, loaded as the map is
        zoomed (see :mod:`mstatlas.mapping.basemap`).
    fill_frame : bool
        The map takes the height of the frame it is shown in (for the embed, whose page
        sizes the frame), instead of the height it is drawn with.
    """
    m = folium.Map(
        location=list(location),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        world_copy_jump=False,
    )
    # folium's min_zoom/max_zoom only reach a tile layer it creates itself (none here),
    # and links could then hold zooms the atlas refuses: set them on the map.
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    use_local_leaflet(m, asset_prefix)
    make_accessible(m)  # a named region for screen readers, visible keyboard focus
    css = MAP_CSS + (FILL_FRAME_CSS if fill_frame else "")
    m.get_root().header.add_child(RawText(f"<style>{css}</style>"))  # type: ignore[attr-defined]
    m.get_root().header.add_child(RawText(f"<style>{BASEMAP_CSS}</style>"))  # type: ignore[attr-defined]
    # The offline outlines lie under the tile pane: street tiles cover them where they
    # load, and wherever one cannot load the offline basemap shows through.
    outlines = PanedOutlineLayer(payload=outlines_json(), pane=BASE_PANE, pane_z=BASE_PANE_Z)
    outlines.add_to(m)
    tiles = None
    if online_tiles:
        tiles = folium.TileLayer(
            tiles=ONLINE_TILES["url"], attr=ONLINE_TILES["attr"], name="OpenStreetMap"
        )
        tiles.add_to(m)
    notice = _("Street map tiles cannot be loaded (offline?); showing the offline basemap")
    BasemapLayer(
        outlines, tiles, notice=notice if online_tiles else "", prefix=basemap_prefix
    ).add_to(m)
    return m


def build_map(
    clusters: pd.DataFrame,
    measure: str = "employees",
    *,
    counts: Iterable[str] | None = None,
    selected: str | None = None,
    online_tiles: bool = False,
    asset_prefix: str = SERVED_PREFIX,
    location: tuple[float, float] | None = None,
    zoom: int | None = None,
    legend: bool = True,
    title: str | None = None,
) -> folium.Map:
    """Build a folium map of clusters sized by a measure.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (filter it first with
        :func:`mstatlas.analysis.filters.apply_filters`).
    measure : {"employees", "firms", "employees_per_firm"}
        What the symbol area shows.
    counts : iterable of str, optional
        Categories of figures to draw; ``None`` draws each cluster's headline
        figure of any kind, coloured by what it counts.
    selected : str, optional
        ``cluster_id`` to outline.
    online_tiles : bool
        Add an online tile layer (default off: the map needs no network).
    asset_prefix : str
        Where the page loads Leaflet from; :func:`mstatlas.mapping.assets.standalone_html`
        inlines it for files that must work anywhere.
    location, zoom : optional
        Open the map at this ``(lat, lon)`` and zoom (e.g. where the person is
        looking); without ``location`` the map fits all clusters. ``zoom``
        defaults to the Europe view and is kept within the atlas' zoom range.
    legend : bool
        Lay the app's legend (circle sizes, what each colour counts), a title
        and a "Data: source (year); …" line over the map, so a saved or
        embedded file still says what it shows and where the figures come from.
    title : str, optional
        First line of that title (default "MST Atlas of Europe").

    Returns
    -------
    folium.Map
        One canvas layer holds all symbols; no script or stylesheet comes from the internet.
    """
    if location is not None:
        z = EUROPE_ZOOM if zoom is None else min(MAX_ZOOM, max(MIN_ZOOM, int(zoom)))
        m = build_base_map(
            online_tiles=online_tiles,
            location=(float(location[0]), float(location[1])),
            zoom=z,
            asset_prefix=asset_prefix,
        )
    else:
        m = build_base_map(online_tiles=online_tiles, asset_prefix=asset_prefix)
    points = map_points(clusters, measure, counts)
    sel = None
    if selected is not None:
        hit = points.index[points["cluster_id"] == selected]
        sel = int(hit[0]) if len(hit) else None
    ClusterLayer(points, measure, selected=sel).add_to(m)
    if legend:
        root = m.get_root()
        root.header.add_child(RawText(f"<style>{EXPORT_CSS}</style>"))  # type: ignore[attr-defined]
        root.html.add_child(RawText(export_overlay_html(points, measure, title)))  # type: ignore[attr-defined]
    if location is None and len(points) > 1:
        m.fit_bounds(
            [
                [float(points["lat"].min()), float(points["lon"].min())],
                [float(points["lat"].max()), float(points["lon"].max())],
            ],
            padding=(20, 20),
        )
    return m
