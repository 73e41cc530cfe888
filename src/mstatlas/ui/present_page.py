"""Presentation mode: full screen, large type, one cluster per slide, the map zoomed to it.

Slides follow the ranking of the view (kinds compared, top N). ``slide=0`` in the link is
the overview, ``slide=k`` the cluster ranked k-th, shown as "Cluster k of n": the link's
number and the counter on screen are the same. The overview's "Top N" is the number of
clusters it lists (fewer than asked for when fewer have a figure).

What the slides rank by (:func:`presented_measure`): the measure chosen on the Ranking page
when one was (the link's ``by`` other than its default), else the view's measure -- what
the sidebar's "Size by" and the map show. A view built by firms presents firms.

The page hides the sidebar and header; "Exit presentation" (or Esc) goes back to the map,
the Left and Right arrow keys step through the slides (the buttons' keyboard shortcuts).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mstatlas.analysis.provenance import in_sentence, short_source, year_text
from mstatlas.analysis.ranking import default_kinds, rank_clusters
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import escape_html
from mstatlas.data.vocabulary import Measure
from mstatlas.i18n import N_, _, fmt_int, ngettext
from mstatlas.mapping.build import EUROPE_CENTER, EUROPE_ZOOM
from mstatlas.ui import components, keys, session
from mstatlas.ui.datasets import current, filtered, filters_key, points, title
from mstatlas.ui.urlstate import DEFAULT, ViewState

#: Full screen (no sidebar, no header) and large type.
PRESENT_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stExpandSidebarButton"]
{display: none !important;}
[data-testid="stMainBlockContainer"] {padding: 1rem 2rem 1rem !important; max-width: 100% !important;}
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li {font-size: 1.45rem; line-height: 1.5;}
[data-testid="stMainBlockContainer"] h1 {font-size: 3rem;}
[data-testid="stMainBlockContainer"] h2 {font-size: 2.4rem;}
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p {font-size: 1rem;}
.mst-big {font-size: 3.6rem; font-weight: 700; line-height: 1.1;}
</style>
"""
CLUSTER_ZOOM = 6  # region-level: the cluster with its neighbours (outlines are 1:110m)
MAP_PAGE = "src/mstatlas/ui/pages/map.py"
#: Keyboard shortcuts of the controls (Streamlit's st.button(shortcut=...)).
PREVIOUS_KEY, NEXT_KEY, EXIT_KEY = "Left", "Right", "Esc"

#: Said when no cluster of the selection has a figure of the measure (whole sentences:
#: the article differs by measure in English, the phrasing in German).
NO_FIGURE: dict[str, str] = {
    "employees": N_("No cluster in this selection has an employees figure. Change the filters."),
    "firms": N_("No cluster in this selection has a firms figure. Change the filters."),
    "employees_per_firm": N_(
        "No cluster in this selection has an employees per firm figure. Change the filters."
    ),
}


def presented_measure(view: ViewState) -> Measure:
    """The measure the slides rank by and the map sizes by.

    A measure chosen on the Ranking page (``by`` other than its default) wins, as the
    Ranking page shows it; otherwise the view's own measure, which the map shows.
    """
    return view.rank_by if view.rank_by != DEFAULT.rank_by else view.measure


def overview_title(measure: str, n: int) -> str:
    """ "Top 5 MST clusters by firms": ``n`` is the number of clusters the overview lists."""
    titles = {
        "employees": ngettext(
            "Top {n} MST cluster by employees", "Top {n} MST clusters by employees", n
        ),
        "firms": ngettext("Top {n} MST cluster by firms", "Top {n} MST clusters by firms", n),
        "employees_per_firm": ngettext(
            "Top {n} MST cluster by employees per firm",
            "Top {n} MST clusters by employees per firm",
            n,
        ),
    }
    return titles[measure].format(n=fmt_int(n))


def slide_counter(slide: int, n: int) -> str:
    """ "Overview · 3 clusters" for slide 0, else "Cluster 2 of 3" (the link's slide=2)."""
    if slide == 0:
        return ngettext("Overview · {n} cluster", "Overview · {n} clusters", n).format(n=fmt_int(n))
    return _("Cluster {k} of {n}").format(k=fmt_int(slide), n=fmt_int(n))


def _slides(ds_id: str, fkey: tuple, by: str, mixed: bool, top: int) -> pd.DataFrame:
    rows = filtered(ds_id, fkey)
    ranking = rank_clusters(rows, by=by, counts=None if mixed else default_kinds(rows, by))
    return ranking[ranking["rank"] <= top].reset_index(drop=True)


def _zoom_to_slide(slides: pd.DataFrame, slide: int, positions: pd.DataFrame) -> None:
    """Point the view at a slide's cluster (selected, zoomed in), or at Europe for slide 0."""
    if slide == 0:
        session.update_view(
            lat=EUROPE_CENTER[0], lon=EUROPE_CENTER[1], zoom=EUROPE_ZOOM, selected=None
        )
        return
    cid = str(slides.iloc[slide - 1]["cluster_id"])
    if cid in positions.index:
        lat, lon = positions.loc[cid, "lat"], positions.loc[cid, "lon"]
        session.update_view(lat=float(lat), lon=float(lon), zoom=CLUSTER_ZOOM, selected=cid)
    else:
        session.update_view(selected=cid)


def _step(delta: int, n: int) -> None:
    """Move ``delta`` slides from the view's slide now, within 0..n: an arrow key pressed
    again before the page has caught up moves on again instead of repeating the same step."""
    session.update_view(slide=min(max(session.view().slide + delta, 0), n))


def _kind(kind: object) -> str:
    return in_sentence(COUNTS_WHAT.get(str(kind), str(kind)))


def _comparing(slides: pd.DataFrame, mixed: bool) -> str:
    """What the overview compares: the one kind of figure its slides have, or every kind."""
    kinds = set(slides["counts_what"])
    if len(kinds) > 1:
        return _("Comparing figures of every kind (each says what it counts).")
    kind = str(next(iter(kinds)))
    if kind == "unspecified":
        return _("Comparing figures that do not say what they count, as one kind.")
    if mixed:
        return _("All figures shown count {kind}.").format(kind=_kind(kind))
    return _("Comparing figures that count {kind}.").format(kind=_kind(kind))


def _controls(slide: int, n: int, ds_name: str) -> None:
    """Previous / where we are / next, and the way out; arrow keys and Esc work too."""
    exit_col, prev_col, info_col, next_col = st.columns([1.2, 1, 3, 1], vertical_alignment="center")
    if exit_col.button(
        _("Exit presentation"), key="present_exit", icon=":material/close_fullscreen:",
        shortcut=EXIT_KEY, help=_("Back to the map, with the sidebar (Esc)"),
    ):  # fmt: skip
        st.switch_page(MAP_PAGE)
    prev_col.button(
        _("◀ Previous"), disabled=slide == 0, on_click=_step, args=(-1, n),
        width="stretch", key="present_prev", shortcut=PREVIOUS_KEY,
    )  # fmt: skip
    next_col.button(
        _("Next ▶"), disabled=slide >= n, on_click=_step, args=(1, n),
        width="stretch", key="present_next", type="primary", shortcut=NEXT_KEY,
    )  # fmt: skip
    info_col.caption(f"{slide_counter(slide, n)} · {components.md(ds_name)}")


def _overview(slides: pd.DataFrame, view: ViewState, measure: str) -> None:
    n = len(slides)
    st.title(overview_title(measure, min(view.top, n)))
    if n > view.top:
        st.caption(_("Ties share a rank, so {n} clusters are listed.").format(n=fmt_int(n)))
    st.markdown(
        _("{comparing} Every figure is as reported by its source.").format(
            comparing=_comparing(slides, view.mixed)
        )
    )
    # Ranks written out (a numbered list would renumber shared ranks), each figure
    # with its year, what it counts and its source.
    st.markdown(
        "\n".join(
            f"- **{'=' if r['tied'] else ''}{int(r['rank'])}** "
            f"{components.md(r['cluster_name'])}: {components.md(r['display'])} "
            f"({year_text(r['year'])}, {components.md(_kind(r['counts_what']))}; "
            f"{components.md(short_source(r['source_title']))})"
            for _i, r in slides.iterrows()
        )
    )


def _cluster_slide(r: pd.Series, measure: str) -> None:
    st.header(f"#{int(r['rank'])} {components.md(r['cluster_name'])}")
    label = in_sentence(MEASURES[measure])
    st.html(
        f'<div class="mst-big">{escape_html(r["display"])} <small>{escape_html(label)}</small></div>'
    )
    st.markdown(
        _("{year} · counts {kind}").format(
            year=year_text(r["year"]), kind=components.md(_kind(r["counts_what"]))
        )
    )
    st.markdown(
        _("Source: {source}").format(
            source=components.source_link(r["source_title"], r["source_url"])
        )
    )
    if r["other_figures"]:
        st.markdown(
            _("Other reported figures: {figures}").format(figures=components.md(r["other_figures"]))
        )


def render() -> None:
    """Draw the current slide full screen, with previous/next controls and a way out."""
    st.html(PRESENT_CSS)
    session.show_notices()
    view = session.view()
    ds = current()
    fkey = filters_key(view.filters())
    measure = presented_measure(view)
    slides = _slides(ds.id, fkey, measure, view.mixed, view.top)
    n = len(slides)
    if n == 0:
        # Like with like ranks whatever kind the selection has, so no slide means no figure.
        st.title(_("Nothing to present"))
        st.write(_(NO_FIGURE[measure]))
        if st.button(_("Exit presentation"), key="present_exit", shortcut=EXIT_KEY):
            st.switch_page(MAP_PAGE)
        return
    slide = session.limit_slide(n)
    # The map sizes its circles by what the slides rank.
    pts = points(ds.id, fkey, measure)
    positions = pts.set_index("cluster_id")[["lat", "lon"]]

    if session.entered_page() or st.session_state.get(keys.PRESENT_SLIDE) != (ds.id, slide):
        # Entering a slide (by button, by link, or coming back from another page where the
        # map may have been moved): zoom the map to its cluster.
        st.session_state[keys.PRESENT_SLIDE] = (ds.id, slide)
        _zoom_to_slide(slides, slide, positions)
        view = session.view()

    _controls(slide, n, title(ds))
    left, right = st.columns([1.5, 1], gap="large")
    with right:
        if slide == 0:
            _overview(slides, view, measure)
        else:
            _cluster_slide(slides.iloc[slide - 1], measure)
    with left:
        components.atlas_map(pts, measure, (ds.id, fkey, measure), page="present", height=620)
        components.legend(pts, measure, (ds.id, fkey, measure))
