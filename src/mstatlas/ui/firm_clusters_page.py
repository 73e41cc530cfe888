"""Firm clusters page: clusters detected where a firm list's firms are, beside its cities.

For a dataset with a firm list: the detection's parameters (radius and minimum
firms, in the link as ``dr`` and ``dmin``), a map of the detected outlines over
the firms (their own positions as dots, firms placed at a city centre as a
density), the detected clusters beside the city grouping, and the picked
cluster's technology mix (:mod:`mstatlas.ui.firm_cluster_panel`).

Confidential by default: every employee figure goes through the disclosure
rules (:mod:`mstatlas.data.disclosure`) before it is shown or downloaded; the
reasons are shown only in the session that uploaded the list; single firms'
head counts only there, and never for a shared dataset. For anyone else the
outline of a cluster of fewer than *k* firms is not drawn (its corners would
be the firms' own positions).
"""

from __future__ import annotations

import copy
from typing import Any

import folium
import geopandas as gpd
import shapely
import streamlit as st
from shapely.geometry import shape
from streamlit_folium import st_folium

from mstatlas.analysis.detect import Detection
from mstatlas.data.disclosure import DisclosureRules
from mstatlas.errors import DataError
from mstatlas.i18n import N_, _, current_language, fmt_decimal, fmt_int, ngettext
from mstatlas.mapping.build import build_base_map
from mstatlas.mapping.firm_points import FirmPointsLayer, firm_legend_html
from mstatlas.mapping.outlines import (
    PolygonLayer,
    density_layer,
    density_legend_html,
    hex_bins,
    outline_layer,
)
from mstatlas.store.dataset import Dataset
from mstatlas.ui import accessible, firm_cluster_panel, keys, session
from mstatlas.ui.components import md
from mstatlas.ui.datasets import current
from mstatlas.ui.firm_clusters_data import (
    MAP_HEIGHT,
    Register,
    detection,
    firms_of,
    head_counts_allowed,
    is_owner,
    positions,
    protected,
    register,
)
from mstatlas.ui.urlstate import DETECT_MIN_FIRMS, DETECT_RADIUS_KM

UPLOAD_PAGE = "src/mstatlas/ui/pages/upload.py"
#: Circumradius of the density's hexagons, in km.
HEX_KM = 10.0
NO_FIRMS = N_(
    "This dataset has no firm list, so there are no firm locations to detect clusters "
    "from. Upload a firm list (one row per firm, with its coordinates or at least its city) "
    "on “Your data”, then open this page again."
)
NO_FIRM_ROWS = N_(
    "This firm list was shared without its firm rows (only its clusters by city, with "
    "confidential figures protected), so there are no firm locations to detect clusters "
    "from. Upload the firm list itself on “Your data” to detect its clusters."
)


@st.cache_resource(show_spinner=False, max_entries=8)
def _firm_layer(ds_id: str, head_counts: bool, lang: str) -> FirmPointsLayer:
    """Dots of the firms with positions of their own (head counts in tooltips if allowed),
    with tooltips in ``lang``."""
    own = firms_of(ds_id)[register(ds_id).own]
    if not head_counts:
        own = own.drop(columns=["employees"], errors="ignore")
    return FirmPointsLayer(own, "technology")


@st.cache_resource(show_spinner=False, max_entries=8)
def _density(ds_id: str, lang: str) -> tuple[gpd.GeoDataFrame, PolygonLayer]:
    """Hexagon bins of the firms placed at a city centre, and their layer (tooltips in
    ``lang``)."""
    lat, lon, _placed = positions(firms_of(ds_id))
    centre = register(ds_id).city_centre
    bins = hex_bins(lat[centre], lon[centre], HEX_KM)
    return bins, density_layer(bins, _city_centre_firms())


def _city_centre_firms() -> tuple[str, str]:
    """What a hexagon of the density counts, for one firm and for several."""
    return (
        ngettext("firm placed at a city centre", "firms placed at a city centre", 1),
        ngettext("firm placed at a city centre", "firms placed at a city centre", 2),
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def _outlines(
    ds_id: str,
    radius_km: float,
    min_firms: int,
    rules: tuple[int, float],
    selected: int | None,
    owner: bool,
    lang: str,
) -> PolygonLayer:
    """The outlines, each with its protected employee figure; small ones only for the owner.

    ``rules`` is (k, dominance) of the disclosure rules; tooltips are written in ``lang``.
    """
    det = detection(ds_id, radius_km, min_firms)
    table = protected(ds_id, radius_km, min_firms, *rules).table
    clusters = det.clusters.assign(employees=table["employees"].to_numpy())
    clusters["employees_status"] = table["employees_status"].to_numpy()
    shown = None if owner else (det.clusters["firms"] >= rules[0]).tolist()
    return outline_layer(clusters, selected=selected, shown=shown)


def _rules() -> DisclosureRules:
    """The disclosure rules: the deployment's, with *k* raised on the page if the person wants."""
    try:
        base = DisclosureRules.from_env()
    except DataError as exc:
        st.error(_("{problem} Using the default rules meanwhile.").format(problem=exc))
        base = DisclosureRules()
    if st.session_state.get(keys.FIRM_MIN_CONTRIBUTORS, 0) < base.min_firms:
        st.session_state[keys.FIRM_MIN_CONTRIBUTORS] = base.min_firms
    k = st.number_input(
        _("Firms needed per employee figure (k)"),
        min_value=base.min_firms,
        max_value=1000,
        step=1,
        key=keys.FIRM_MIN_CONTRIBUTORS,
        help=_(
            "An employee figure needs at least this many firms with a known head count (k; "
            "this server's setting is {k}, it can be raised here but not lowered), and no "
            "single firm may hold a share above {dominance} %."
        ).format(k=fmt_int(base.min_firms), dominance=fmt_decimal(base.dominance, 2)),
    )
    return DisclosureRules(min_firms=int(k), dominance=base.dominance)


def _controls() -> tuple[float, int, DisclosureRules]:
    """Radius and minimum firms (in the link), and the confidentiality threshold."""
    a, b, c = st.columns(3)
    with a:
        session.bound_widget(
            "detect_radius_km",
            st.number_input,
            _("Radius (km)"),
            min_value=DETECT_RADIUS_KM[1],
            max_value=DETECT_RADIUS_KM[2],
            step=1.0,
            format="%g",
            from_widget=lambda v: max(DETECT_RADIUS_KM[1], round(float(v), 1)),
            help=_("A firm reaches the firms within this distance (great-circle)."),
        )
    with b:
        session.bound_widget(
            "detect_min_firms",
            st.number_input,
            _("Firms to form a cluster"),
            min_value=DETECT_MIN_FIRMS[1],
            max_value=DETECT_MIN_FIRMS[2],
            step=1,
            from_widget=int,
            help=_(
                "A firm with at least this many firms, itself included, within the radius "
                "starts or extends a cluster."
            ),
        )
    with c:
        rules = _rules()
    view = session.view()
    return float(view.detect_radius_km), int(view.detect_min_firms), rules


def parameters_text(det: Detection, reg: Register) -> str:
    """The parameters and what was left out, in words."""
    text = _("DBSCAN, radius {radius} km, at least {n} firms").format(
        radius=fmt_decimal(det.radius_km, 3), n=fmt_int(det.min_firms)
    )
    if reg.n_city_centre:
        text += "; " + ngettext(
            "{n} firm left out: its position is a city centre",
            "{n} firms left out: positions are city centres",
            reg.n_city_centre,
        ).format(n=fmt_int(reg.n_city_centre))
    if reg.n_no_position:
        text += "; " + ngettext(
            "{n} firm has no position", "{n} firms have no position", reg.n_no_position
        ).format(n=fmt_int(reg.n_no_position))
    return text + "."


def _clicked(out: dict[str, Any] | None, key: str, det: Detection) -> str | None:
    """The detected cluster a new click on its outline picked, if any."""
    if not out:  # AppTest and the first render return nothing
        return None
    drawing, where = out.get("last_active_drawing"), out.get("last_object_clicked")
    signature = repr((drawing, where))
    if not drawing or signature == st.session_state.get(keys.FIRM_MAP_LAST_CLICK):
        return None
    st.session_state[keys.FIRM_MAP_LAST_CLICK] = signature
    props = drawing.get("properties") or {}
    i = props.get("i")
    if props.get("k") != key or not isinstance(i, int) or not 0 <= i < len(det.clusters):
        return None
    if where and drawing.get("geometry"):  # a click on a firm dot leaves the last outline as it was
        point = shapely.Point(float(where["lng"]), float(where["lat"]))
        if not shape(drawing["geometry"]).buffer(1e-6).covers(point):
            return None
    return str(det.clusters["cluster_id"].iloc[i])


def _map(ds: Dataset, det: Detection, rules: DisclosureRules, selected: int | None) -> str | None:
    """The outlines over the firms; returns the cluster clicked in this run, if any."""
    reg = register(ds.id)
    lat, lon, zoom = reg.view
    base = build_base_map(
        online_tiles=session.view().tiles == "osm", location=(lat, lon), zoom=zoom
    )
    groups = []
    if reg.n_city_centre:
        fg = folium.FeatureGroup(name=_("City centres"), control=False)
        # cached layers are shared: draw a copy
        fg.add_child(copy.copy(_density(ds.id, current_language())[1]))
        groups.append(fg)
    if reg.n_own:
        fg = folium.FeatureGroup(name=_("Firms"), control=False)
        with st.spinner(_("Preparing firm points…")):
            dots = _firm_layer(ds.id, head_counts_allowed(ds), current_language())
        fg.add_child(copy.copy(dots))
        groups.append(fg)
    layer = copy.copy(
        _outlines(
            ds.id,
            det.radius_km,
            det.min_firms,
            (rules.min_firms, rules.dominance),
            selected,
            is_owner(ds),
            current_language(),
        )
    )
    fg = folium.FeatureGroup(name=_("Detected clusters"), control=False)
    fg.add_child(layer)
    groups.append(fg)
    out = st_folium(
        base,
        key=keys.FIRM_MAP,
        height=MAP_HEIGHT,
        use_container_width=True,
        feature_group_to_add=groups,
        returned_objects=["last_active_drawing", "last_object_clicked"],
    )
    return _clicked(out, layer.key, det)


def _map_notes(ds: Dataset, reg: Register) -> None:
    """What the map draws besides the outlines: the firm dots and the city-centre density."""
    firms = ds.firms
    assert firms is not None
    if reg.n_own:
        st.html(firm_legend_html(firms[reg.own]))
    if reg.n_city_centre:
        bins = _density(ds.id, current_language())[0]
        st.warning(
            ngettext(
                "The position of {n} firm is a city centre (placed by its city's name): it "
                "is drawn as a density, firms per hexagon of {km} km radius, and left out of "
                "the detection.",
                "Positions of {n} firms are city centres (placed by their city's name): they "
                "are drawn as a density, firms per hexagon of {km} km radius, and left out of "
                "the detection.",
                reg.n_city_centre,
            ).format(n=fmt_int(reg.n_city_centre), km=fmt_decimal(HEX_KM)),
            icon=":material/location_city:",
        )
        st.html(density_legend_html(bins, _("Firms at city centres per hexagon")))


def _selection(det: Detection, clicked: str | None) -> str | None:
    """The picked cluster: a click on the map, else the one kept (if still detected)."""
    ids = list(det.clusters["cluster_id"])
    picked = clicked or st.session_state.get(keys.FIRM_CLUSTER)
    picked = picked if picked in ids else None
    st.session_state[keys.FIRM_CLUSTER] = picked
    return picked


def _detect(ds: Dataset, radius: float, min_firms: int) -> Detection | None:
    """Run (or fetch) the detection with a progress indicator; say why not if it fails."""
    assert ds.firms is not None
    try:
        with st.spinner(
            _(
                "Detecting clusters among {n} firms (radius {radius} km, at least {k} firms)…"
            ).format(n=fmt_int(len(ds.firms)), radius=fmt_decimal(radius, 3), k=fmt_int(min_firms))
        ):
            return detection(ds.id, radius, min_firms)
    except DataError as exc:
        st.error(str(exc))
        return None


def render() -> None:
    """Draw the firm clusters page."""
    ds = current()
    session.show_notices()
    st.title(_("Firm clusters"))
    if ds.firms is None or not len(ds.firms):
        why = NO_FIRM_ROWS if ds.kind == "firms" else NO_FIRMS
        st.info(_(why))
        st.page_link(
            UPLOAD_PAGE, label=_("Your data: upload a firm list"), icon=":material/upload_file:"
        )
        return
    st.caption(
        _(
            "Clusters where the firms of this firm list actually are, found from their own "
            "coordinates regardless of city borders, beside the grouping by city. Employee "
            "figures that would reveal a single firm are shown as confidential."
        )
    )
    radius, min_firms, rules = _controls()
    det = _detect(ds, radius, min_firms)
    if det is None:
        return
    reg = register(ds.id)
    parameters = parameters_text(det, reg)
    st.markdown(f"**{md(parameters)}**")
    firm_cluster_panel.found_line(ds, det, reg.n_own)
    kept = st.session_state.get(keys.FIRM_CLUSTER)
    ids = list(det.clusters["cluster_id"])
    row = ids.index(kept) if kept in ids else None
    left, right = st.columns([2.5, 1.5], gap="medium")
    with left:
        clicked = _map(ds, det, rules, row)
        _map_notes(ds, reg)
    picked = _selection(det, clicked)
    if clicked and picked != kept:
        st.rerun()  # draw the picked outline as selected
    prot = protected(ds.id, radius, min_firms, rules.min_firms, rules.dominance)
    owner = is_owner(ds)
    with left:  # the clusters the outlines show, as a table
        accessible.table_alternative(firm_cluster_panel.cluster_table(det, prot, owner), "map")
    with right:
        firm_cluster_panel.picked_cluster(
            ds, det, prot, reg.source, head_counts=head_counts_allowed(ds), owner=owner
        )
    firm_cluster_panel.tables(ds, det, prot, reg.source, owner=owner, parameters=parameters)
