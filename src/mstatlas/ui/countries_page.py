"""Countries page: clusters per country, one comparable figure each added up, as a choropleth."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from mstatlas.analysis.countries import COUNTRY_RULE, country_summary
from mstatlas.analysis.provenance import in_sentence, year_range_text
from mstatlas.analysis.ranking import default_kinds, figure_kinds
from mstatlas.analysis.sums import NOT_SUMMABLE_KINDS, SUM_CAVEATS, SUMMABLE_MEASURES
from mstatlas.data.countries import country_name
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import strip_bidi_frame
from mstatlas.i18n import N_, _, current_language, fmt_int, ngettext
from mstatlas.mapping.countries import (
    LAYER_NAME,
    VALUES,
    country_legend_html,
    country_map,
)
from mstatlas.ui import accessible, components, keys, session, share_panel
from mstatlas.ui.datasets import current, filtered, filters_key

#: The page's own choices (measure, kind, colour), kept across pages; not in the link.
STATE: Final = keys.COUNTRY_VIEW
#: The map click acted on last (streamlit-folium returns its last click on every run).
LAST_CLICK: Final = keys.COUNTRY_LAST_CLICK
MAP_KEY: Final = "country_map"
PICK_KEY: Final = keys.COUNTRY_PICK
CLEAR_KEY: Final = "country_view_clear"
MAP_PAGE: Final = "src/mstatlas/ui/pages/map.py"
RANKING_PAGE: Final = "src/mstatlas/ui/pages/ranking.py"
PICK_LABEL: Final = N_("Filter the atlas to a country")
COLOUR_LABELS: Final[dict[str, str]] = {
    "total": N_("the sum"),
    "n_clusters": N_("number of clusters"),
}


@st.cache_data(show_spinner=False, max_entries=128)
def _summary(ds_id: str, fkey: tuple, by: str, kind: str, lang: str) -> pd.DataFrame:
    """The country summary of the clusters in view (cached per dataset, filters, choice, language).

    Its sums and notes are texts, written in ``lang``.
    """
    return country_summary(filtered(ds_id, fkey), by=by, counts=kind)


def summable_kinds(rows: pd.DataFrame, by: str) -> tuple[str, tuple[str, ...]]:
    """The kind summed by default and the kinds to choose from, for measure ``by``.

    The default is the ranking's "like with like" kind (:func:`default_kinds`) when
    it may be added up; the choices are the kinds with a figure in ``rows`` that
    may be added up. Without any: cluster firms (clusters are then counted only).
    """
    kinds = tuple(k for k in figure_kinds(rows, by) if k not in NOT_SUMMABLE_KINDS)
    if not kinds:
        return "cluster_firms", ("cluster_firms",)
    ranked = default_kinds(rows, by)
    return (ranked[0] if ranked and ranked[0] in kinds else kinds[0]), kinds


def country_of_click(drawing: dict[str, Any] | None) -> str | None:
    """The ISO code of a clicked country feature; ``None`` for anything else."""
    if not isinstance(drawing, dict):
        return None
    props = drawing.get("properties") or {}
    code = props.get("iso2")
    if props.get("layer") != LAYER_NAME or not isinstance(code, str):
        return None
    return code.upper() if len(code) == 2 and code.isalpha() else None


def _kept(
    name: str,
    widget: Callable[..., Any],
    label: str,
    options: Sequence[str],
    default: str,
    **kwargs: Any,
) -> str:
    """A widget whose value survives reruns and page switches (kept in :data:`STATE`).

    A kept value that is no longer offered (another dataset, another measure)
    falls back to ``default``.
    """
    kept: dict[str, str] = st.session_state.setdefault(STATE, {})
    key = keys.country_widget(name)
    value = kept.get(name, default)
    kept[name] = value if value in options else default
    st.session_state[key] = kept[name]

    def _changed() -> None:
        st.session_state[STATE][name] = st.session_state[key]

    widget(label, options=list(options), key=key, on_change=_changed, **kwargs)
    return kept[name]


def _measure(sidebar_measure: str) -> str:
    """The measure to add: the sidebar's when it can be added up, else employees (said so)."""
    kept: dict[str, str] = st.session_state.setdefault(STATE, {})
    summable = sidebar_measure in SUMMABLE_MEASURES
    if kept.get("sidebar") != sidebar_measure and summable:
        kept["measure"] = sidebar_measure  # the sidebar's measure changed: follow it
    kept["sidebar"] = sidebar_measure
    by = _kept(
        "measure",
        st.radio,
        _("Add up"),
        SUMMABLE_MEASURES,
        sidebar_measure if summable else "employees",
        format_func=MEASURES.get,
        horizontal=True,
    )
    if not summable:
        st.info(
            _(
                "{ratio} (chosen in the sidebar) is a ratio and cannot be added up across "
                "clusters; the countries show the sum of {measure} instead."
            ).format(ratio=MEASURES[sidebar_measure], measure=in_sentence(MEASURES[by])),
            icon=":material/info:",
        )
    return by


def _unsummable_note(rows: pd.DataFrame, by: str) -> None:
    """Say so when the only figures in view are of kinds that are never added up."""
    present = figure_kinds(rows, by)
    if present and all(k in NOT_SUMMABLE_KINDS for k in present):
        why = " ".join(
            _("{kind} figures are not added up: {why}.").format(
                kind=COUNTS_WHAT[k], why=_(NOT_SUMMABLE_KINDS[k])
            )
            for k in present
        )
        st.info(
            _(
                "The only {measure} figures in view cannot be summed. {why} "
                "The clusters are counted; no country has a sum."
            ).format(measure=in_sentence(MEASURES[by]), why=why),
            icon=":material/info:",
        )


def _rule(kind: str, filtered_to: tuple[str, ...]) -> None:
    """The summing rule in plain words, with the caveat for the kind added up."""
    caveat = SUM_CAVEATS.get(kind, "")
    text = "**" + _("How a country's sum is formed.") + "** " + _(COUNTRY_RULE)
    if caveat:
        text += f"\n\n**{COUNTS_WHAT[kind]}:** {_(caveat)}"
    st.info(text, icon=":material/functions:")
    if filtered_to:
        names = ", ".join(country_name(c) for c in filtered_to)
        st.caption(
            _(
                "The sidebar's country filter is on ({countries}): only the clusters of these "
                "countries are summarised, as are the other sidebar filters."
            ).format(countries=components.md(names))
        )
    else:
        st.caption(_("The sidebar's filters apply: only the clusters in view are summarised."))


def summary_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The table the page shows: one row per country, each sum with how to read it."""
    return pd.DataFrame(
        {
            _("Country"): summary["country"],
            _("Code"): summary["country_iso2"],
            _("Clusters"): summary["n_clusters"].astype(int),
            _("Clusters with a figure"): summary["n_with_figure"].astype(int),
            _("Sum"): summary["display"],
            _("How to read the sum"): summary["total_note"],
            _("Years"): [
                year_range_text(a, b) for a, b in zip(summary["year_min"], summary["year_max"])
            ],
            _("Undated figures"): summary["n_undated"].astype(int),
            _("Clusters named"): summary["clusters"],
            _("Not summed (why)"): summary["not_summed"],
            _("Sources"): summary["sources"],
        }
    ).fillna("")  # blanks blank: a table shows None as "None"


def _set_countries(codes: tuple[str, ...]) -> None:
    session.update_view(countries=codes)


def _map(summary: pd.DataFrame, colour: str, selected: tuple[str, ...]) -> str | None:
    """Draw the choropleth; return the country clicked in this run, if any."""
    out = st_folium(
        country_map(summary, value=colour, selected=selected or None),
        key=MAP_KEY,
        height=470,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
    drawing = (out or {}).get("last_active_drawing")
    # A new map (other choices) starts without a click: remembering that lets the same
    # country be clicked again.
    signature = repr(drawing)
    if signature == st.session_state.get(LAST_CLICK):
        return None
    st.session_state[LAST_CLICK] = signature
    return country_of_click(drawing)


def _country_links(codes: tuple[str, ...]) -> None:
    """Links to the map and ranking of the filtered countries, and a way back to all."""
    if not codes:
        return
    names = (
        country_name(codes[0])
        if len(codes) == 1
        else _("the {n} selected countries").format(n=len(codes))
    )
    a, b, c = st.columns(3)
    to_map = _("Show {countries} on the map").format(countries=names)
    to_ranking = _("Rank the clusters of {countries}").format(countries=names)
    a.page_link(MAP_PAGE, label=to_map, icon=":material/map:")
    b.page_link(RANKING_PAGE, label=to_ranking, icon=":material/leaderboard:")
    c.button(
        _("Clear the country filter"),
        key=CLEAR_KEY,
        icon=":material/filter_alt_off:",
        on_click=_set_countries,
        args=((),),
    )


def _picker(summary: pd.DataFrame) -> None:
    """Pick a country from the table: the same as clicking it on the map."""
    codes = [str(c) for c in summary["country_iso2"] if isinstance(c, str) and c]
    names = {str(c): str(n) for c, n in zip(summary["country_iso2"], summary["country"])}
    now = session.view().countries
    st.session_state[PICK_KEY] = now[0] if len(now) == 1 and now[0] in codes else None

    def _picked() -> None:
        code = st.session_state[PICK_KEY]
        _set_countries((code,) if code else ())

    st.selectbox(
        _(PICK_LABEL),
        options=sorted(codes, key=lambda c: names[c]),
        format_func=lambda c: f"{names.get(c, c)} ({c})",
        key=PICK_KEY,
        on_change=_picked,
        placeholder=_("All countries"),
        help=_(
            "Sets the sidebar's country filter, so the Map and the Ranking show this "
            "country's clusters only. Clicking a country on the map does the same."
        ),
    )


def render() -> None:
    """Draw the countries page."""
    ds = current()
    session.show_notices()
    head, share = st.columns([5, 1.4], vertical_alignment="bottom")
    head.title(_("Clusters by country"))
    with share:
        share_panel.render(ds, "countries")
    view = session.view()
    fkey = filters_key(view.filters())
    rows = filtered(ds.id, fkey)
    c1, c2, c3 = st.columns([1, 1.2, 1])
    with c1:
        by = _measure(view.measure)
    default, kinds = summable_kinds(rows, by)
    with c2:
        kind = _kept(
            "kind",
            st.selectbox,
            _("Figures that count"),
            kinds,
            default,
            format_func=lambda k: COUNTS_WHAT.get(k, k),
            help=_(
                "One kind only: figures that count different things are never added "
                "together. The default is the kind the ranking compares."
            ),
        )
    with c3:
        colour = _kept(
            "colour",
            st.radio,
            _("Colour countries by"),
            tuple(VALUES),
            "total",
            format_func=lambda v: _(COLOUR_LABELS[v]),
            horizontal=True,
        )
    _unsummable_note(rows, by)
    if rows.empty:
        _rule(kind, view.countries)
        st.warning(_("No cluster is in view. Change the filters in the sidebar to see more."))
        _country_links(view.countries)
        return
    summary = _summary(ds.id, fkey, by, kind, current_language())
    # The map first and whole on screen (a click on a map cut by the window's edge scrolls
    # the page as the map takes focus, and lands elsewhere); the rule and legend beside it.
    left, right = st.columns([3, 2], gap="medium")
    with left:
        clicked = _map(summary, colour, view.countries)
        accessible.figures_alternative(summary, "map")
    if clicked and (clicked,) != view.countries:
        _set_countries((clicked,))
        st.rerun()  # the sidebar, drawn before the click was known, follows
    with right:
        st.html(country_legend_html(summary, value=colour))
        _picker(summary)
        _country_links(view.countries)
        _rule(kind, view.countries)
    n_clusters = int(summary["n_clusters"].sum())
    st.markdown(
        ngettext(
            "**{n} country**, {clusters} clusters; sums of {measure} counting {kind}.",
            "**{n} countries**, {clusters} clusters; sums of {measure} counting {kind}.",
            len(summary),
        ).format(
            n=fmt_int(len(summary)),
            clusters=fmt_int(n_clusters),
            measure=in_sentence(MEASURES[by]),
            kind=in_sentence(COUNTS_WHAT[kind]),
        )
    )
    st.dataframe(strip_bidi_frame(summary_table(summary)), hide_index=True, width="stretch")
    st.download_button(
        _("Download the table (CSV)"),
        data=to_safe_csv_bytes(summary),
        file_name=f"mst-countries-{by}-{kind}.csv",
        mime="text/csv",
    )
