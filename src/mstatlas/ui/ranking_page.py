"""Ranking page: the largest clusters, like compared with like, Dortmund's place."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from mstatlas.analysis.charts import (
    FOCUS,
    chart_png,
    chart_svg,
    export_spec,
    rank_texts,
    ranking_chart,
    year_texts,
)
from mstatlas.analysis.ranking import (
    HEADLINE_RULE,
    RATIO_RULE,
    default_kinds,
    figure_kinds,
    kind_label,
    listing,
    mixed_kinds_caveat,
    position_statement,
    rank_clusters,
    ranked_kind_text,
    with_article,
)
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.ui import components, session, share_panel
from mstatlas.ui.datasets import current, filtered, filters_key
from mstatlas.ui.urlstate import TOP_CHOICES

MIXED_LABEL = "Include figures that count other things"


@st.cache_data(show_spinner=False, max_entries=128)
def _ranking(ds_id: str, fkey: tuple, by: str, mixed: bool) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The ranking in view and the kinds of figure the selection has for ``by``."""
    rows = filtered(ds_id, fkey)
    counts = None if mixed else default_kinds(rows, by)  # like with like
    return rank_clusters(rows, by=by, counts=counts), figure_kinds(rows, by)


def _kinds_note(mixed: bool, shown: pd.DataFrame, kinds: tuple[str, ...]) -> None:
    """Say which kinds of figure are ranked; the caveat only when the rows shown differ."""
    if mixed:
        caveat = mixed_kinds_caveat(shown["counts_what"])
        if caveat:
            st.warning(f"{caveat} Read the “Counts” column.", icon=":material/warning:")
        else:
            kind = kind_label(str(shown["counts_what"].iloc[0]))
            st.info(
                f"Figures of every kind are included; all those shown are of one kind ({kind}).",
                icon=":material/info:",
            )
        return
    text = ranked_kind_text(kinds[0])
    if len(kinds) > 1:
        others = listing(kind_label(k) for k in kinds[1:])
        text += f" Switch on “{MIXED_LABEL}” to include the {others} figures too."
    st.info(text, icon=":material/info:")


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
            MIXED_LABEL,
            help="Off: figures of one kind only are ranked together (cluster firms when there "
            "are any; otherwise the one kind this selection has). On: each cluster's headline "
            "figure of any kind is ranked, with its kind shown. Set per dataset.",
        )
    view = session.view()
    fkey = filters_key(view.filters())
    full, kinds = _ranking(ds.id, fkey, view.rank_by, view.mixed)
    label = MEASURES[view.rank_by].lower()
    if full.empty:
        st.warning(
            f"No cluster in this selection has {with_article(label + ' figure')}. "
            "Change the filters in the sidebar to see more."
        )
        return
    top = full[full["rank"] <= view.top]
    _kinds_note(view.mixed, top, kinds)
    if FOCUS in set(full["cluster_id"]):
        st.markdown(f"**{components.md(position_statement(full, FOCUS, view.rank_by))}**")
    table = pd.DataFrame(
        {
            "Rank": rank_texts(top),
            "Cluster": top["cluster_name"],
            "Country": top["country_iso2"],
            MEASURES[view.rank_by]: top["display"],
            "Year": year_texts(top),
            "Counts": [COUNTS_WHAT[c] for c in top["counts_what"]],
            "Other reported figures": top["other_figures"],
            "Source": top["source_title"],
            "Link": [components.safe_url(u) for u in top["source_url"]],
        }
    )
    if view.rank_by == "employees_per_firm":
        table.insert(4, "Computed as", top["ratio_basis"].to_numpy())
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link", display_text="open")},
    )
    st.caption(HEADLINE_RULE)
    if view.rank_by == "employees_per_firm":
        st.caption(RATIO_RULE)
    st.download_button(
        "Download ranking (CSV)",
        data=to_safe_csv_bytes(full.drop(columns=["row"])),
        file_name=f"mst-ranking-{view.rank_by}.csv",
        mime="text/csv",
    )
    # The chart as it is exported: title, labelled bars, footer (shown here as a caption).
    # Full width: long names, labelled values and the title need it to stay legible.
    chart, footer = ranking_chart(top, view.rank_by, len(full), view, ds.name)
    st.altair_chart(
        chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding")),
        width="stretch",
    )
    st.caption(" ".join(footer))
    spec = export_spec(chart, footer)
    c1, c2, _ = st.columns([1, 1, 4])  # rendered only when clicked (deferred download data)
    c1.download_button(
        "Chart as PNG", lambda: chart_png(spec), f"mst-ranking-{view.rank_by}.png", "image/png"
    )
    c2.download_button(
        "Chart as SVG",
        lambda: chart_svg(spec),
        f"mst-ranking-{view.rank_by}.svg",
        "image/svg+xml",
    )
