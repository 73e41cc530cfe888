"""Presentation mode: large type, one cluster per slide, the map zoomed to it.

Slides follow the current ranking (measure, kinds compared, top N). Slide 0 is
the overview; slide k shows the cluster ranked k-th. ``slide`` is in the link,
so a presenter can open any slide directly.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mstatlas.analysis.provenance import short_source, with_article, year_text
from mstatlas.analysis.ranking import default_kinds, rank_clusters
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import escape_html
from mstatlas.mapping.build import EUROPE_CENTER, EUROPE_ZOOM
from mstatlas.ui import components, keys, session
from mstatlas.ui.datasets import current, filtered, filters_key, points

LARGE_TYPE = """
<style>
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li {font-size: 1.45rem; line-height: 1.5;}
[data-testid="stMainBlockContainer"] h1 {font-size: 3rem;}
[data-testid="stMainBlockContainer"] h2 {font-size: 2.4rem;}
.mst-big {font-size: 3.6rem; font-weight: 700; line-height: 1.1;}
</style>
"""
CLUSTER_ZOOM = 6  # region-level: the cluster with its neighbours (outlines are 1:110m)


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


def _go(slide: int) -> None:
    session.update_view(slide=slide)


def _comparing(slides: pd.DataFrame, mixed: bool) -> str:
    """What the overview compares: the one kind of figure its slides have, or every kind."""
    kinds = set(slides["counts_what"])
    if len(kinds) > 1:
        return "Comparing figures of every kind (each says what it counts)."
    kind = str(next(iter(kinds)))
    if kind == "unspecified":
        return "Comparing figures that do not say what they count, as one kind."
    prefix = "All figures shown count" if mixed else "Comparing figures that count"
    return f"{prefix} {COUNTS_WHAT.get(kind, kind).lower()}."


def render() -> None:
    """Draw the current slide with previous/next controls."""
    st.html(LARGE_TYPE)
    session.show_notices()
    view = session.view()
    ds = current()
    fkey = filters_key(view.filters())
    slides = _slides(ds.id, fkey, view.rank_by, view.mixed, view.top)
    n = len(slides)
    label = MEASURES[view.rank_by].lower()
    if n == 0:
        # Like with like ranks whatever kind the selection has, so no slide means no figure.
        st.title("Nothing to present")
        st.write(
            f"No cluster in this selection has {with_article(label)} figure. Change the filters."
        )
        return
    slide = session.limit_slide(n)
    # The map sizes its circles by what the slides rank (not the sidebar's measure).
    pts = points(ds.id, fkey, view.rank_by)
    positions = pts.set_index("cluster_id")[["lat", "lon"]]

    if session.entered_page() or st.session_state.get(keys.PRESENT_SLIDE) != (ds.id, slide):
        # Entering a slide (by button, by link, or coming back from another page where the
        # map may have been moved): zoom the map to its cluster.
        st.session_state[keys.PRESENT_SLIDE] = (ds.id, slide)
        _zoom_to_slide(slides, slide, positions)
        view = session.view()

    prev_col, info_col, next_col = st.columns([1, 4, 1])
    prev_col.button(
        "◀ Previous", disabled=slide == 0, on_click=_go, args=(slide - 1,),
        width="stretch", key="present_prev",
    )  # fmt: skip
    next_col.button(
        "Next ▶", disabled=slide >= n, on_click=_go, args=(slide + 1,),
        width="stretch", key="present_next", type="primary",
    )  # fmt: skip
    info_col.caption(f"Slide {slide} of {n} · {components.md(ds.name)}")
    left, right = st.columns([1.5, 1], gap="large")
    with right:
        if slide == 0:
            st.title(f"Top {view.top} MST clusters by {label}")
            if n > view.top:
                st.caption(f"Ties share a rank, so {n} clusters are listed.")
            st.markdown(
                f"{_comparing(slides, view.mixed)} Every figure is as reported by its source."
            )
            # Ranks written out (a numbered list would renumber shared ranks), each figure
            # with its year, what it counts and its source.
            st.markdown(
                "\n".join(
                    f"- **{'=' if r['tied'] else ''}{int(r['rank'])}** "
                    f"{components.md(r['cluster_name'])}: {components.md(r['display'])} "
                    f"({year_text(r['year'])}, {components.md(COUNTS_WHAT[r['counts_what']].lower())}; "
                    f"{components.md(short_source(r['source_title']))})"
                    for _, r in slides.iterrows()
                )
            )
        else:
            r = slides.iloc[slide - 1]
            year = year_text(r["year"])
            st.header(f"#{int(r['rank'])} {components.md(r['cluster_name'])}")
            st.html(
                f'<div class="mst-big">{escape_html(r["display"])} <small>{escape_html(label)}</small></div>'
            )
            st.markdown(f"{year} · counts {components.md(COUNTS_WHAT[r['counts_what']].lower())}")
            st.markdown("Source: " + components.source_link(r["source_title"], r["source_url"]))
            if r["other_figures"]:
                st.markdown(f"Other reported figures: {components.md(r['other_figures'])}")
    with left:
        components.atlas_map(
            pts, view.rank_by, (ds.id, fkey, view.rank_by), page="present", height=620
        )
        components.legend(pts, view.rank_by, (ds.id, fkey, view.rank_by))
