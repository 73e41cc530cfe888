"""Ranking page: the largest clusters, like compared with like, Dortmund's place."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from mstatlas.analysis.filters import DEFAULT_COUNTS
from mstatlas.analysis.ranking import HEADLINE_RULE, position_statement, rank_clusters
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, MEASURES
from mstatlas.ui import components, session, share_panel
from mstatlas.ui.datasets import current, filtered, filters_key
from mstatlas.ui.urlstate import TOP_CHOICES

FOCUS = "dortmund"


@st.cache_data(show_spinner=False, max_entries=128)
def _ranking(ds_id: str, fkey: tuple, by: str, mixed: bool) -> pd.DataFrame:
    rows = filtered(ds_id, fkey)
    return rank_clusters(rows, by=by, counts=None if mixed else DEFAULT_COUNTS)


def _chart_png(spec: str) -> bytes:
    """PNG at twice the screen size, for slides; rendered offline by vl-convert."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(spec, scale=2))


def _chart_svg(spec: str) -> str:
    """SVG of the chart, for slides and print; rendered offline by vl-convert."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(spec))


def render() -> None:
    """Draw the ranking page."""
    ds = current()
    session.show_notices()
    head, share = st.columns([5, 1.4], vertical_alignment="bottom")
    head.title("Ranking of MST clusters")
    with share:
        share_panel.render(ds, "ranking")
    c1, c2, c3 = st.columns([1.3, 1, 1.4])
    with c1:
        session.bound_widget(
            "rank_by",
            st.radio,
            "Rank by",
            options=list(MEASURES),
            format_func=MEASURES.get,
            horizontal=True,
        )
    with c2:
        session.bound_widget(
            "top",
            st.selectbox,
            "Show top",
            options=sorted(set(TOP_CHOICES) | {session.view().top}),
        )
    with c3:
        session.bound_widget(
            "mixed",
            st.toggle,
            "Include figures that count other things",
            help="Off: only figures counting firms located in the cluster are ranked together. "
            "On: each cluster's headline figure of any kind is ranked, with its kind shown.",
        )
    view = session.view()
    fkey = filters_key(view.filters())
    full = _ranking(ds.id, fkey, view.rank_by, view.mixed)
    label = MEASURES[view.rank_by].lower()
    if view.mixed:
        st.warning(
            "Mixed kinds of figures: network members, regional sectors and national totals are "
            "ranked beside cluster firms. They are not comparable; read the “Counts” column.",
            icon=":material/warning:",
        )
    else:
        st.info(
            f"Only figures that count **{COUNTS_WHAT[DEFAULT_COUNTS[0]].lower()}** are ranked "
            "together, so like is compared with like. Switch on “Include figures that count "
            "other things” to see the rest.",
            icon=":material/info:",
        )
    if full.empty:
        st.warning(f"No cluster in this selection has a {label} figure of the ranked kind.")
        return
    if FOCUS in set(full["cluster_id"]):
        st.markdown(f"**{components.md(position_statement(full, FOCUS, view.rank_by))}**")
    top = full[full["rank"] <= view.top]
    table = pd.DataFrame(
        {
            "Rank": [f"={r}" if t else str(r) for r, t in zip(top["rank"], top["tied"])],
            "Cluster": top["cluster_name"],
            "Country": top["country_iso2"],
            MEASURES[view.rank_by]: top["display"],
            "Year": top["year"].astype("string").fillna("undated"),
            "Counts": [COUNTS_WHAT[c] for c in top["counts_what"]],
            "Other reported figures": top["other_figures"],
            "Source": top["source_title"],
            "Link": [components.safe_url(u) for u in top["source_url"]],
        }
    )
    left, right = st.columns([1.35, 1], gap="medium")
    with left:
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={"Link": st.column_config.LinkColumn("Link", display_text="open")},
        )
        st.caption(HEADLINE_RULE)
        st.download_button(
            "Download ranking (CSV)",
            data=to_safe_csv_bytes(full.drop(columns=["row"])),
            file_name=f"mst-ranking-{view.rank_by}.csv",
            mime="text/csv",
        )
    with right:
        chart_df = top.assign(
            highlight=top["cluster_id"].eq(FOCUS).map({True: "Dortmund", False: "other"}),
            kind=[COUNTS_WHAT[c] for c in top["counts_what"]],
            year_txt=top["year"].astype("string").fillna("undated"),
        )[["cluster_name", "value", "display", "kind", "year_txt", "highlight", "source_title"]]
        kinds = [COUNTS_WHAT[c] for c in COUNTS_WHAT]
        colours = [COUNTS_WHAT_COLOURS[c] for c in COUNTS_WHAT]
        chart = (
            alt.Chart(chart_df)
            .mark_bar()
            .encode(
                y=alt.Y("cluster_name:N", sort="-x", title=None),
                x=alt.X("value:Q", title=MEASURES[view.rank_by]),
                color=alt.Color(
                    "kind:N", scale=alt.Scale(domain=kinds, range=colours), title="Counts"
                ),
                stroke=alt.condition(
                    alt.datum.highlight == "Dortmund", alt.value("black"), alt.value(None)
                ),
                strokeWidth=alt.condition(
                    alt.datum.highlight == "Dortmund", alt.value(2), alt.value(0)
                ),
                tooltip=[
                    alt.Tooltip("cluster_name:N", title="Cluster"),
                    alt.Tooltip("display:N", title=MEASURES[view.rank_by]),
                    alt.Tooltip("year_txt:N", title="Year"),
                    alt.Tooltip("kind:N", title="Counts"),
                    alt.Tooltip("source_title:N", title="Source"),
                ],
            )
            .properties(height=max(160, 28 * len(chart_df)))
        )
        st.altair_chart(chart, width="stretch")
        spec = chart.to_json()
        c1, c2 = st.columns(2)  # rendered only when clicked (deferred download data)
        c1.download_button(
            "Chart as PNG", lambda: _chart_png(spec), f"mst-ranking-{view.rank_by}.png", "image/png"
        )
        c2.download_button(
            "Chart as SVG",
            lambda: _chart_svg(spec),
            f"mst-ranking-{view.rank_by}.svg",
            "image/svg+xml",
        )
