"""The profile of one cluster beside the map: figures, sourced facts, growth, neighbours.

Every section says where its facts come from; a section without a fact says
"not reported". All numbers come from :mod:`mstatlas.analysis` (pure functions);
this module only lays them out.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from mstatlas.analysis.compare_charts import growth_chart, growth_line
from mstatlas.analysis.growth import GROWTH_RULE, growth_series, growth_table
from mstatlas.analysis.nearby import DISTANCE_METHOD, nearby, share_of_total
from mstatlas.analysis.provenance import in_sentence, year_text
from mstatlas.analysis.ranking import headline_figures
from mstatlas.data.profiles import PROFILE_FIELDS, cluster_profile, empty_profiles
from mstatlas.data.schema import MEASURES
from mstatlas.data.text import strip_bidi_frame
from mstatlas.i18n import _, fmt_int, ngettext
from mstatlas.ui import accessible, components, rating_panel, session
from mstatlas.ui.components import md, source_link
from mstatlas.ui.urlstate import MAX_COMPARE, RADIUS_KM

COMPARE_PAGE = "src/mstatlas/ui/pages/compare.py"


def render(
    clusters: pd.DataFrame,
    in_view: pd.DataFrame,
    profiles: pd.DataFrame | None,
    cluster_id: str,
    rating: pd.DataFrame | None = None,
) -> None:
    """Draw the profile of ``cluster_id``.

    Parameters
    ----------
    clusters : DataFrame
        Every figure of the dataset (the profile lists them all).
    in_view : DataFrame
        The figures that pass the filters (nearby clusters and shares are of these).
    profiles : DataFrame or None
        The dataset's profile facts (:mod:`mstatlas.data.profiles`).
    cluster_id : str
        The cluster.
    rating : DataFrame, optional
        The star rating of the clusters in view
        (:func:`mstatlas.ui.rating_panel.rating_in_view`); its stars are shown
        under the heading, each with its explanation.
    """
    rows = clusters[clusters["cluster_id"] == cluster_id]
    if rows.empty:
        st.info(_("This cluster is not in the current selection."))
        return
    first = rows.iloc[0]
    st.markdown(f"### {md(first['cluster_name'])}")
    if rating is not None:
        rating_panel.stars_line(rating, cluster_id)
    _compare_button(cluster_id)
    figures, facts, growth, near = st.tabs([_("Figures"), _("Profile"), _("Growth"), _("Nearby")])
    with figures:
        if (year := session.view().as_of) is not None:
            st.caption(
                _(
                    "The map shows each cluster's latest figure up to {year}; its profile lists "
                    "every reported figure, later ones included."
                ).format(year=year)
            )
        components.profile(clusters, cluster_id, heading=False)
    with facts:
        _facts(profiles, cluster_id)
    with growth:
        _growth(rows, cluster_id)
    with near:
        _nearby(in_view if (in_view["cluster_id"] == cluster_id).any() else clusters, cluster_id)


def _compare_button(cluster_id: str) -> None:
    """Add the cluster to the comparison, and a way to open it."""
    compared = session.view().compare
    if cluster_id in compared:
        st.caption(_("In the comparison."))
    elif len(compared) >= MAX_COMPARE:
        st.caption(_("The comparison is full ({n} clusters).").format(n=MAX_COMPARE))
    else:

        def _add() -> None:
            session.update_view(compare=(*session.view().compare, cluster_id))

        st.button(
            _("Add to comparison"),
            key="add_compare",
            icon=":material/add:",
            on_click=_add,
            width="stretch",
        )
    n = len(session.view().compare)
    if n == 1:
        st.caption(_("Add at least one more cluster to compare."))
    elif n:
        st.page_link(
            COMPARE_PAGE,
            label=ngettext("Compare {n} cluster", "Compare {n} clusters", n).format(n=n),
            icon=":material/compare_arrows:",
        )


def _facts(profiles: pd.DataFrame | None, cluster_id: str) -> None:
    """Each section of the profile with its facts and sources, or "not reported"."""
    if profiles is None or profiles.empty:
        st.caption(_("This dataset has no profile facts; every section is not reported."))
        profiles = empty_profiles()
    st.caption(
        _(
            "Facts as stated by the source named with each; conflicting statements are listed "
            "side by side. A year is when the source said it."
        )
    )
    sections = cluster_profile(profiles, cluster_id)
    for field, label in PROFILE_FIELDS.items():
        facts = sections[field]
        st.markdown(f"**{_(label)}**")
        if facts.empty:
            st.caption(_("not reported"))
            continue
        for _row, f in facts.iterrows():
            year = year_text(f["year"])
            st.markdown(
                f"- {md(f['value'])} — {year}, {source_link(f['source_title'], f['source_url'])}"
            )
            if isinstance(f.get("quote"), str) and f["quote"]:
                st.caption(f"“{md(f['quote'])}”")


def _growth(rows: pd.DataFrame, cluster_id: str) -> None:
    """Figures over time, one line per kind and perimeter; change and CAGR per series."""
    by = session.view().measure
    label = in_sentence(MEASURES[by])
    series = growth_series(rows, cluster_id, by=by)
    table = growth_table(rows, by=by)
    if series.empty:
        st.info(_("No dated {measure} figure is reported for this cluster.").format(measure=label))
        return
    if table.empty:
        st.info(
            _(
                "Growth needs {measure} figures of the same kind and perimeter from two different "
                "years; this cluster has none."
            ).format(measure=label)
        )
    for _row, g in table.iterrows():
        st.markdown(md(growth_line(g, by)))
    chart = growth_chart(series, by).properties(
        height=200, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )
    st.altair_chart(chart, width="stretch")
    accessible.figures_alternative(series, "chart")
    with st.expander(_("How growth is computed")):
        st.caption(_(GROWTH_RULE))


def _nearby(in_view: pd.DataFrame, cluster_id: str) -> None:
    """Clusters within the chosen radius, and the cluster's share of the visible total."""
    session.bound_widget(
        "radius_km",
        st.number_input,
        _("Radius (km)"),
        min_value=RADIUS_KM[1],
        max_value=RADIUS_KM[2],
        step=25,
        help=_(DISTANCE_METHOD),
    )
    radius = session.view().radius_km
    try:
        near = nearby(in_view, cluster_id, radius)
    except ValueError as exc:  # e.g. a cluster without coordinates: said, not raised
        st.caption(str(exc))
        return
    if near.empty:
        st.caption(_("No other cluster in view within {km} km.").format(km=fmt_int(radius)))
    else:
        st.dataframe(
            strip_bidi_frame(
                pd.DataFrame(
                    {
                        _("Cluster"): near["cluster_name"],
                        _("Country"): near["country_iso2"],
                        "km": components.number_texts(near["distance_km"], digits=1),
                    }
                )
            ),
            hide_index=True,
            width="stretch",
        )
    by = session.view().measure
    if by == "employees_per_firm":
        st.caption(_("A share of the total is given for employees or firms, not for a ratio."))
        return
    head = headline_figures(in_view[in_view["cluster_id"] == cluster_id], by=by)
    if head.empty:
        st.caption(
            _("No {measure} figure of this cluster is in view: no share.").format(
                measure=in_sentence(MEASURES[by])
            )
        )
        return
    share = share_of_total(in_view, cluster_id, by=by, counts=str(head["counts_what"].iloc[0]))
    st.markdown(_("**Share of the clusters in view:** {share}").format(share=md(share.text)))
