"""Small shared UI pieces: safe text, the cluster profile, legends, the map widget."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from numbers import Real
from typing import Any
from urllib.parse import urlsplit

import folium
import pandas as pd
import streamlit as st

from mstatlas.analysis.provenance import in_sentence, year_text
from mstatlas.analysis.ranking import format_figure
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_HELP
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import _, current_language, fmt_decimal, fmt_int, ngettext
from mstatlas.mapping.build import EUROPE_CENTER, EUROPE_ZOOM
from mstatlas.mapping.layers import (
    BIG_LAYER_THRESHOLD,
    BigClusterLayer,
    ClusterLayer,
    cluster_layer,
)
from mstatlas.mapping.legend import map_legend_html
from mstatlas.ui import keys, map_component, session
from mstatlas.ui.urlstate import ViewState

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: object) -> str:
    """Escape any text for Streamlit markdown (names from uploads are untrusted).

    Bidirectional control characters are removed too (a name would be drawn reversed:
    see :mod:`mstatlas.data.text`).
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", strip_bidi(str(text))).replace("\n", " ")


def _s(value: object) -> str:
    """Text of a cell, '' for blanks (pandas NA is not falsy-safe)."""
    return value if isinstance(value, str) else ""


def safe_url(url: object) -> str | None:
    """The URL if it is an http(s) address, else ``None`` (no ``javascript:`` links)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def number_texts(values: Iterable[object], digits: int = 0) -> list[str]:
    """Numbers as the active language writes them (2,100 / 2.100), blank for a blank.

    For tables on screen: Streamlit's own number formats follow the browser's locale,
    not the language chosen in the atlas.
    """
    out = []
    for v in values:
        if isinstance(v, Real) and v == v:  # NaN != NaN: a blank (numpy numbers are Real)
            out.append(fmt_decimal(float(v), digits) if digits else fmt_int(float(v)))
        else:
            out.append(v if isinstance(v, str) else "")
    return out


def source_link(title: object, url: object) -> str:
    """Markdown for a source: a link when the URL is safe, else escaped text."""
    t = md(title) or _("source")
    u = safe_url(url)
    if u:
        return f"[{t}]({u.replace('(', '%28').replace(')', '%29').replace(' ', '%20')})"
    return t


def legend(points: pd.DataFrame, measure: str, points_key: tuple[Any, ...]) -> None:
    """Size and colour legend drawn as HTML under the map (no CDN, no branca).

    ``points_key`` identifies the points as for :func:`atlas_map`: the HTML is
    built once per points table.
    """
    st.html(_legend_html((*points_key, current_language()), points, measure))


@st.cache_resource(show_spinner=False, max_entries=64)
def _legend_html(points_key: tuple[Any, ...], _points: pd.DataFrame, measure: str) -> str:
    return map_legend_html(_points, measure)  # the same legend the map download carries


@st.cache_resource(show_spinner=False, max_entries=64)
def _cluster_layer(
    points_key: tuple[Any, ...], _points: pd.DataFrame, measure: str, selected: int | None
) -> ClusterLayer | BigClusterLayer:
    """The symbol layer (its JSON built once) for a cached points table.

    ``points_key`` identifies the points (dataset id, filters, measure): datasets
    behind an id never change, so the layer is rebuilt exactly when the points do.
    """
    return cluster_layer(_points, measure, selected=selected)


def _layer_for_run(
    points_key: tuple[Any, ...], points: pd.DataFrame, measure: str, selected: int | None
) -> ClusterLayer | BigClusterLayer:
    """This run's copy of the cached layer, outlining ``selected``.

    The cached layer is shared by all sessions, and drawing sets its parent and
    id, which concurrent sessions must not overwrite: each run draws a shallow
    copy. A large layer is cached once whatever is selected (a click outlines
    another cluster without encoding 100,000 clusters again).
    """
    points_key = (*points_key, current_language())  # tooltips are written in it
    if len(points) > BIG_LAYER_THRESHOLD:
        big = _cluster_layer(points_key, points, measure, None)
        assert isinstance(big, BigClusterLayer)
        return big.with_selected(selected)
    return copy.copy(_cluster_layer(points_key, points, measure, selected))


#: Our key for the map component (streamlit-folium combines it with a hash of the
#: map's script, so a different base map is a different component).
MAP_KEY = "atlas_map"

#: Added to a repeated target so the map component sees a change (~0.1 m, 1e-6 zoom levels).
_NUDGE = 1e-6

Position = tuple[float | None, float | None, float | None]


def map_view_args(target: Position, last: Position | None, at: Position | None) -> Position:
    """The center and zoom to hand to the map component for the view's position.

    ``target`` is the view's ``(lat, lon, zoom)``, ``last`` what the component
    was given on the previous run and ``at`` where the map last reported it was.

    The component moves the map only when these arguments change. After the
    person pans, the map reports where it is and the view (and link) follows,
    but the arguments stay as they were: the rerun's component message is then
    identical to the last one, and Streamlit sends the browser a reference
    instead of the map and all its symbols again. So every pan is cheap and
    links keep the map position at any number of symbols.

    They change when the view was moved from outside the map (a link, the
    presentation steps). The component applies a center or zoom only when it
    differs from the one it was given before, whatever the map shows now; so a
    value equal to the previous one is nudged by an invisible amount (alternating
    with the exact value), and the map still goes there. Leaflet snaps the zoom
    back to a whole level.
    """
    if last is None:
        return target
    if target == at:
        return last  # the view follows the map: nothing to move
    return (_differ(target[0], last[0]), _differ(target[1], last[1]), _differ(target[2], last[2]))


def _differ(value: float | None, before: float | None) -> float | None:
    """``value``, or ``value`` nudged when it equals ``before`` (so the component applies it)."""
    if value is None or before is None or abs(value - before) >= 10 * _NUDGE:
        return value
    return value + _NUDGE if value == before else value


def reported_view(center: dict[str, Any], zoom: Any) -> tuple[float, float, int]:
    """The map's reported position as the view keeps it: 4 decimals, longitude in ±180."""
    lng = (float(center["lng"]) + 180.0) % 360.0 - 180.0  # panned round the world: same place
    return round(float(center["lat"]), 4), round(lng, 4), int(zoom)


def atlas_map(
    points: pd.DataFrame,
    measure: str,
    points_key: tuple[Any, ...],
    page: str,
    height: int = 560,
    firms: folium.FeatureGroup | None = None,
    show_clusters: bool = True,
) -> str | None:
    """Draw the atlas map; return the ``cluster_id`` clicked in this run, if any.

    ``page`` names the page drawing it: a map on another page is another component.

    The base map (outlines, Leaflet links) is identical on every run, so the
    component is never re-mounted; the symbols travel as a feature group that
    streamlit-folium swaps in place. Only clicks and the view are returned.
    """
    view = session.view()
    sel_idx = None
    if view.selected is not None:
        hits = points.index[points["cluster_id"] == view.selected]
        sel_idx = int(hits[0]) if len(hits) else None
    mounted = _mount(page, height, view)
    origin = st.session_state[keys.MAP_ORIGIN]
    base = map_component.BaseMap(
        online_tiles=view.tiles == "osm",
        location=(origin[0], origin[1]),
        zoom=origin[2],
        fill_frame=page == "embed",  # the embed's page sizes the frame, the map follows it
    )
    layer = _layer_for_run(points_key, points, measure, sel_idx)
    fg = folium.FeatureGroup(name="Clusters", control=False)
    fg.add_child(layer)
    groups = ([firms] if firms is not None else []) + ([fg] if show_clusters else [])
    target: Position = (view.lat, view.lon, view.zoom)
    lat_arg, lon_arg, zoom_arg = args = map_view_args(
        target,
        st.session_state.get(keys.MAP_ARGS) if mounted else None,
        st.session_state.get(keys.MAP_AT) if mounted else None,
    )
    st.session_state[keys.MAP_ARGS] = args
    out: dict[str, Any] | None = map_component.draw(
        base,
        groups,
        key=MAP_KEY,
        height=height,
        center=[lat_arg, lon_arg] if lat_arg is not None and lon_arg is not None else None,
        zoom=zoom_arg,  # may be nudged off a whole level, see map_view_args
        returned_objects=["last_active_drawing", "last_object_clicked", "center", "zoom"],
    )
    if not out:  # AppTest and the first render return nothing
        return None
    _follow_reported_view(out, view)
    return _clicked_cluster(out, layer.key, points)


def _mount(page: str, height: int, view: ViewState) -> bool:
    """Whether the map component on screen is the one drawn last time (then it is reused).

    Records this run as the one drawing it; for a new component, sets the origin the
    map is created at.
    """
    # Is the component on screen the one drawn last time? Only if it was drawn on this
    # page with the same base map (tiles, height, origin and the language of its labels
    # are part of its script, which keys the component) and no completed run has left it
    # out since (another page, say). Otherwise it is created afresh.
    identity = (page, view.tiles, height, current_language())
    drawn_in = st.session_state.get(keys.MAP_DRAWN_IN_RUN)
    completed = session.last_completed_run()
    mounted = (
        st.session_state.get(keys.MAP_IDENTITY) == identity  # set with _map_origin below
        # drawn by the last completed run, or by a later one cut short after drawing it
        # (the same component again: its script and key did not change)
        and drawn_in is not None
        and completed is not None
        and drawn_in >= completed
        # and not drawn before the person came to this page: a run on another page
        # that was cut short (leaving it quickly) completed nothing, yet took the map away
        and drawn_in >= session.page_entered_in_run()
    )
    st.session_state[keys.MAP_IDENTITY] = identity
    st.session_state[keys.MAP_DRAWN_IN_RUN] = session.run_number()
    if not mounted:
        # A new component: create the map right at the view (or the whole of Europe),
        # so it opens there without a move, and its first report changes nothing.
        st.session_state[keys.MAP_ORIGIN] = (
            view.lat if view.lat is not None else EUROPE_CENTER[0],
            view.lon if view.lon is not None else EUROPE_CENTER[1],
            view.zoom if view.zoom is not None else EUROPE_ZOOM,
        )
    return mounted


def _follow_reported_view(out: dict[str, Any], view: ViewState) -> None:
    """Move the view to where the person panned or zoomed the map, on a new report only."""
    c, z = out.get("center"), out.get("zoom")
    if c and z is not None:
        lat, lon, zoom = reported_view(c, z)
        # st_folium returns its last report on every run: only a new one moves the view
        # (an old one would undo a move made from outside, e.g. a presentation step).
        new_report = (lat, lon, zoom) != st.session_state.get(keys.MAP_AT)
        st.session_state[keys.MAP_AT] = (lat, lon, zoom)
        moved = (
            abs(lat - EUROPE_CENTER[0]) > 1e-3
            or abs(lon - EUROPE_CENTER[1]) > 1e-3
            or zoom != EUROPE_ZOOM
        )
        if (
            new_report
            and (view.lat is not None or moved)
            and (lat, lon, zoom) != (view.lat, view.lon, view.zoom)
        ):
            session.update_view(lat=lat, lon=lon, zoom=zoom)


def _clicked_cluster(out: dict[str, Any], layer_key: str, points: pd.DataFrame) -> str | None:
    """The ``cluster_id`` of a symbol clicked since the last run, if any."""
    drawing = out.get("last_active_drawing")
    signature = repr((drawing, out.get("last_object_clicked")))
    if not drawing or signature == st.session_state.get(keys.LAST_CLICK):
        return None
    st.session_state[keys.LAST_CLICK] = signature
    props = drawing.get("properties") or {}
    if props.get("k") != layer_key:
        return None
    i = props.get("i")
    if isinstance(i, int) and 0 <= i < len(points):
        return str(points.iloc[i]["cluster_id"])
    return None


def profile(clusters: pd.DataFrame, cluster_id: str, heading: bool = True) -> None:
    """Every reported figure of one cluster, with year, kind and source link."""
    rows = clusters[clusters["cluster_id"] == cluster_id]
    if rows.empty:
        st.info(_("This cluster is not in the current selection."))
        return
    first = rows.iloc[0]
    if heading:
        st.markdown(f"### {md(first['cluster_name'])}")
    place = ", ".join(
        md(x)
        for x in (first["city"], first["region"], first["country_iso2"])
        if isinstance(x, str) and x
    )
    st.markdown(place)
    if bool(first.get("ivam_benchmark_2007", False)):
        st.markdown(
            ":blue-badge[" + _("IVAM Micro/Nano Atlas of Europe 2007 benchmark cluster") + "]"
        )
    n = len(rows)
    st.caption(
        ngettext(
            "{n} reported figure; they can differ in year, source and scope. "
            "Shown side by side, never averaged.",
            "{n} reported figures; they can differ in year, source and scope. "
            "Shown side by side, never averaged.",
            n,
        ).format(n=fmt_int(n))
    )
    for _row, r in rows.sort_values("year", ascending=False, na_position="last").iterrows():
        cat = str(r["counts_what"])
        figs = []
        if pd.notna(r["firms"]):
            figs.append(
                _("**{figure}** firms").format(
                    figure=format_figure(r["firms"], _s(r["firms_qualifier"]), "firms")
                )
            )
        if pd.notna(r["employees"]):
            figs.append(
                _("**{figure}** employees").format(
                    figure=format_figure(r["employees"], _s(r["employees_qualifier"]), "employees")
                )
            )
        with st.container(border=True):
            st.markdown(" · ".join(figs) if figs else "_" + _("no figure given") + "_")
            st.caption(
                _("{year} · counts {kind}: {meaning}").format(
                    year=year_text(r["year"]),
                    kind=md(in_sentence(COUNTS_WHAT.get(cat, cat))),
                    meaning=md(COUNTS_WHAT_HELP.get(cat, "")),
                )
            )
            st.markdown(
                _("Source: {source}").format(source=source_link(r["source_title"], r["source_url"]))
            )
            if isinstance(r["organisation"], str) and r["organisation"]:
                st.caption(_("Organisation: {name}").format(name=md(r["organisation"])))
            if isinstance(r["note"], str) and r["note"]:
                st.caption(md(r["note"]))
