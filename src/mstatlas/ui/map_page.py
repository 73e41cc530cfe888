"""Map page: Europe's clusters as proportional circles, with a profile beside the map."""

from __future__ import annotations

import copy
from typing import Any, Final

import folium
import pandas as pd
import streamlit as st

from mstatlas.analysis.asof import as_of
from mstatlas.analysis.headline import shared_headlines
from mstatlas.analysis.provenance import in_sentence
from mstatlas.data.schema import MEASURES
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import _, current_language, fmt_int, ngettext
from mstatlas.mapping.build import EUROPE_CENTER, EUROPE_ZOOM, map_points
from mstatlas.mapping.countries import country_bounds
from mstatlas.mapping.firm_points import FirmPointsLayer, firm_legend_html
from mstatlas.mapping.fit import view_for_bounds
from mstatlas.store.dataset import Dataset
from mstatlas.ui import (
    accessible,
    components,
    keys,
    profile_panel,
    rating_panel,
    session,
    share_panel,
)
from mstatlas.ui.datasets import (
    current,
    filtered,
    filters_key,
    get_dataset,
    points,
    rows_of_dataset,
    summary,
    title,
)
from mstatlas.ui.urlstate import LAYERS, ViewState


def _map_download(ds: Dataset, fkey: tuple, view: ViewState, lang: str) -> None:
    """Save the map as one offline HTML file, opening where the person is: prepared on request.

    Making the file takes about 60 ms for the default data and grows with the clusters,
    so it is made only when asked ("Prepare the map file"), in this run and so in the
    page's language, and kept for the session until the view changes; the download
    button then hands over the finished file (no rerun on click, which could release
    the file before the browser has it).
    """
    now = session.view()  # the map may have reported a move in this run
    args = (ds.id, fkey, view.measure, view.selected, (now.lat, now.lon, now.zoom), title(ds), lang)
    ready = st.session_state.get(keys.MAP_FILE)
    if ready is None or ready[0] != args:
        if not st.button(
            _("Prepare the map file (HTML, works offline)"),
            key=keys.MAP_FILE_BUTTON,
            icon=":material/map:",
            help=_(
                "Makes one self-contained file with Leaflet inside, opening where you are "
                "looking, with the legend and the data's sources; then a button downloads it."
            ),
        ):
            return
        ready = (args, _map_html(*args))
        st.session_state[keys.MAP_FILE] = ready
    st.download_button(
        _("Download this map (HTML, works offline)"),
        data=ready[1],
        file_name=f"mst-atlas-map-{view.measure}.html",
        mime="text/html",
        on_click="ignore",  # no rerun: it could release the file before the browser has it
        icon=":material/download:",
        help=_(
            "One self-contained file with Leaflet inside, opening where you are looking, "
            "with the legend and the data's sources: open it on any computer, also without "
            "internet, or put it in a slide deck."
        ),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _map_html(
    ds_id: str,
    fkey: tuple,
    measure: str,
    selected: str | None,
    position: tuple[float | None, float | None, float | None],
    title: str,
    lang: str = "",
) -> str:
    """The map as one offline HTML file, opening where the person is looking.

    ``lang`` only keys the cache (the file's texts are in the active language).
    """
    from mstatlas.mapping.assets import standalone_html
    from mstatlas.mapping.build import build_map

    lat, lon, zoom = position
    return standalone_html(
        build_map(
            filtered(ds_id, fkey),
            measure=measure,
            selected=selected,
            location=(lat, lon) if lat is not None and lon is not None else None,
            zoom=int(zoom) if zoom is not None else None,
            title=title,
        )
    )


#: The "as of" choice that shows every cluster's latest figure.
LATEST = "latest"

#: How many clusters the profile select box offers (largest first).
PROFILE_CHOICES = 500


def _firms_in_view(ds_id: str, countries: tuple[str, ...]) -> pd.DataFrame:
    firms = get_dataset(ds_id).firms
    if firms is None:
        return pd.DataFrame(columns=["lat", "lon"])
    if countries and "country_iso2" in firms.columns:
        firms = firms[firms["country_iso2"].isin(countries)]
    return firms[firms["lat"].notna() & firms["lon"].notna()]


@st.cache_resource(show_spinner=False, max_entries=8)
def _firm_layer(ds_id: str, countries: tuple[str, ...], lang: str) -> FirmPointsLayer:
    """The firm-point layer of a dataset (built once per dataset, country filter and
    language: its tooltips and technology labels are written in ``lang``)."""
    return FirmPointsLayer(_firms_in_view(ds_id, countries), "technology")


@st.cache_resource(show_spinner=False, max_entries=64)
def _points_as_of(
    ds_id: str, fkey: tuple, measure: str, year: int, lang: str
) -> tuple[pd.DataFrame, int]:
    """Map symbols from each cluster's latest figures up to ``year``, and the undated left out.

    ``lang`` keys the cache: the figures' texts are written in it.
    """
    shown = as_of(filtered(ds_id, fkey), year)
    with rows_of_dataset(ds_id):
        return map_points(shown.rows, measure), shown.undated


@st.cache_resource(show_spinner=False, max_entries=64)
def _rated_points(
    ds_id: str,
    fkey: tuple,
    measure: str,
    year: int | None,
    rating: tuple[tuple[str, float], ...],
    lang: str,
    explain: bool = False,
) -> pd.DataFrame:
    """The map symbols with each cluster's stars (rated as of ``year`` when one is given).

    ``explain``: rate with every star's explanation — the rating the profile of a
    selected cluster shows, so a selection does not rate the clusters twice.
    """
    with shared_headlines():  # the symbols' headline figures and the stars' are picked once
        pts = (
            points(ds_id, fkey, measure)
            if year is None
            else _points_as_of(ds_id, fkey, measure, year, lang)[0]
        )
        stars = rating_panel.rating_in_view(ds_id, fkey, rating, year=year, explain=explain)
    return rating_panel.with_stars(pts, stars)


def _as_of_control(ds_id: str, fkey: tuple, years: tuple[int, int]) -> None:
    """The "as of" year: each cluster's latest figure up to it (or the latest of all)."""
    lo, hi = years
    view = session.view()
    options: list[int | str] = [LATEST, *range(hi, lo - 1, -1)]
    if view.as_of is not None and view.as_of not in options:
        options.insert(1, view.as_of)  # a link's year outside the data: shown as asked
    session.bound_widget(
        "as_of",
        st.selectbox,
        _("Show the figures as of"),
        options=options,
        # a selectbox shows None as "no choice": the latest figures are a choice of their own
        to_widget=lambda y: LATEST if y is None else y,
        from_widget=lambda y: None if y in (LATEST, None) else int(y),
        format_func=lambda y: _("the latest figures") if y == LATEST else f"{y}",
        help=_(
            "Each cluster's latest figure up to the chosen year, one per kind and perimeter "
            "as the headline rule picks it. Undated figures cannot be placed in time and are "
            "left out."
        ),
    )
    year = session.view().as_of
    if year is not None:
        pts, undated = _points_as_of(ds_id, fkey, session.view().measure, year, current_language())
        texts = [_("As of {year}: each cluster's latest figure up to {year}.").format(year=year)]
        if undated:
            texts.append(
                ngettext(
                    "{n} undated figure left out.", "{n} undated figures left out.", undated
                ).format(n=fmt_int(undated))
            )
        later = filtered(ds_id, fkey)["cluster_id"].nunique() - pts["cluster_id"].nunique()
        if later:
            texts.append(
                ngettext(
                    "{n} cluster has no figure up to {year} and is not drawn.",
                    "{n} clusters have no figure up to {year} and are not drawn.",
                    later,
                ).format(n=fmt_int(later), year=year)
            )
        st.caption(" ".join(texts))


def _zoom_to_countries(view: ViewState) -> ViewState:
    """Picking countries in the filter moves the map to them (all countries: to Europe).

    Only a change does: a link's own position, or the person's pan, stays.
    """
    before = st.session_state.get(keys.ZOOMED_COUNTRIES)
    st.session_state[keys.ZOOMED_COUNTRIES] = view.countries
    if before == view.countries:
        return view
    if before is None and (not view.countries or view.lat is not None):
        return view  # a link's own position wins; a link with countries only opens on them
    bounds = country_bounds(view.countries) if view.countries else None
    if bounds is None:
        lat, lon, zoom = EUROPE_CENTER[0], EUROPE_CENTER[1], EUROPE_ZOOM
    else:
        lat, lon, zoom = view_for_bounds(bounds)
    return session.update_view(lat=lat, lon=lon, zoom=zoom)


#: Height of the "as of" select box (label and box), kept free while it is not drawn yet.
AS_OF_HEIGHT: Final = "4.25rem"


def render() -> None:
    """Draw the map page."""
    ds = current()
    session.show_notices()
    view = _zoom_to_countries(_known_selection(ds, session.view()))
    fkey = filters_key(view.filters())
    rows = filtered(ds.id, fkey)
    years = summary(ds.id, ds).years
    if view.as_of is not None and years is None:
        session.notice(
            _("Ignored 'as of {year}': this dataset has no dated figure.").format(year=view.as_of)
        )
        view = session.update_view(as_of=None)
    # Stars over the clusters in view (as of the year, in that mode), with the view's thresholds.
    # Explanations are written only when read, so the map and a selected cluster's profile
    # share one rating: selecting a cluster does not rate the clusters again.
    lang = current_language()
    pts = _rated_points(ds.id, fkey, view.measure, view.as_of, view.rating, lang, explain=True)
    pts_key = (ds.id, fkey, view.measure, view.as_of, view.rating)
    quick = session.map_first()  # the title, map and legend only: the rest in the next run
    with st.container(key="map_head"):
        head, share = st.columns([5, 1.4], vertical_alignment="bottom")
    head.title(_("MST Atlas of Europe"))
    share_slot = share.container()  # filled last: the link must include this run's click or move
    _intro(pts, view)
    if years is not None:  # the map keeps its place while the "as of" box is drawn
        st.html(f"<style>.st-key-map_as_of {{ min-height: {AS_OF_HEIGHT} }}</style>")
    with st.container(key="map_as_of"):
        if years is not None and not quick:
            _as_of_control(ds.id, fkey, years)
        elif years is not None:  # an empty container is not drawn at all: hold its room
            st.html(f'<div style="height: {AS_OF_HEIGHT}" aria-hidden="true"></div>')
    firm_group, show_clusters = _layers(ds, view)
    left, right = st.columns([2.5, 1.5], gap="medium")
    with left:
        clicked = components.atlas_map(
            pts,
            view.measure,
            pts_key,
            page="map",
            firms=firm_group,
            show_clusters=show_clusters,
        )
        if show_clusters:
            components.legend(pts, view.measure, pts_key)
            if not quick:
                accessible.figures_alternative(pts, "map")
        if firm_group is not None:
            st.html(firm_legend_html(_firms_in_view(ds.id, view.countries)))
        if not quick:
            _map_download(ds, fkey, view, lang)
    if clicked and clicked != view.selected:
        session.update_view(selected=clicked)
    if quick:
        return
    with right:
        _profile(ds, pts, rows, fkey, view)
    with share_slot:
        share_panel.render(ds, "map")


def _intro(pts: pd.DataFrame, view: ViewState) -> None:
    """What the map shows, and what to do when it shows nothing."""
    drawn = int(pts["value"].notna().sum())
    st.caption(
        _(
            "Micro-systems technology (MEMS, micro-optics, microfluidics, micro/nano) clusters. "
            "{n} clusters in view, {drawn} with a figure for {measure}. "
            "Circle area shows the figure; colour shows what it counts, so figures of different "
            "kinds are never mistaken for each other. Click a circle for every reported figure "
            "and its source."
        ).format(
            n=fmt_int(len(pts)), drawn=fmt_int(drawn), measure=in_sentence(MEASURES[view.measure])
        )
    )
    if not view.counts_what:
        st.warning(
            _("No kind of figure is selected under “What the figures count”; pick at least one.")
        )
    elif pts.empty:  # an empty map says what to do next
        st.info(
            _(
                "No cluster passes the filters in the sidebar. Widen them (countries, years, "
                "kinds of figures, minimum firms or employees) to see clusters on the map."
            ),
            icon=":material/filter_alt:",
        )


def _known_selection(ds: Dataset, view: ViewState) -> ViewState:
    """The view, its selected cluster dropped (with a notice) if this dataset lacks it."""
    if view.selected and view.selected not in set(ds.clusters["cluster_id"]):
        # e.g. a link's sel= naming a cluster this dataset does not have: said, and the
        # link follows the screen
        session.notice(
            _("No cluster with the id {id} in this dataset; no cluster is selected.").format(
                id=repr(view.selected[:40])
            )
        )
        return session.update_view(selected=None)
    return view


def _layers(ds: Dataset, view: ViewState) -> tuple[folium.FeatureGroup | None, bool]:
    """What the map draws for a firm list (the firm points, if chosen) and whether clusters too."""
    if ds.firms is None or not len(ds.firms):
        return None, True
    session.bound_widget(
        "layer",
        st.segmented_control,
        _("Draw"),
        options=list(LAYERS),
        format_func={
            "clusters": _("Clusters (aggregated)"),
            "firms": _("Firms ({n} points)").format(n=fmt_int(len(ds.firms))),
            "both": _("Both"),
        }.get,
        from_widget=lambda v: v or "clusters",
    )
    layer = session.view().layer
    if layer not in ("firms", "both"):
        return None, True
    firm_group = folium.FeatureGroup(name="Firms", control=False)
    # copy: the cached layer is shared by sessions and drawing re-parents it
    with st.spinner(_("Preparing firm points…")):
        firm_group.add_child(copy.copy(_firm_layer(ds.id, view.countries, current_language())))
    return firm_group, layer == "both"


def _profile(
    ds: Dataset, pts: pd.DataFrame, rows: pd.DataFrame, fkey: tuple[Any, ...], view: ViewState
) -> None:
    """The cluster picker and the selected cluster's profile, beside the map."""
    # pts is sorted largest first; a select box stays usable with the largest few hundred.
    shown = pts.head(PROFILE_CHOICES)
    options = list(dict.fromkeys(shown["cluster_id"]))
    names = dict(zip(shown["cluster_id"], shown["cluster_name"]))
    selected = session.view().selected
    if selected and selected not in names:
        options = [selected, *options]
        hit = ds.clusters.loc[ds.clusters["cluster_id"] == selected, "cluster_name"]
        names[selected] = hit.iloc[0] if len(hit) else selected
    session.bound_widget(
        "selected",
        st.selectbox,
        _("Cluster profile"),
        options=options,
        format_func=lambda k: strip_bidi(str(names.get(k, k))),
        placeholder=_("Click a circle or choose a cluster"),
    )
    if len(pts) > PROFILE_CHOICES:
        st.caption(
            _(
                "The list holds the {shown} largest of {n} clusters; click the map for any other."
            ).format(shown=fmt_int(PROFILE_CHOICES), n=fmt_int(len(pts)))
        )
    sel = session.view().selected
    if sel:
        table = rows if sel in set(rows["cluster_id"]) else ds.clusters
        rating = rating_panel.rating_in_view(ds.id, fkey, view.rating, year=view.as_of)
        profile_panel.render(table, rows, ds.profiles, sel, rating=rating)
    else:
        st.info(_("Click a circle on the map to see every figure reported for that cluster."))
