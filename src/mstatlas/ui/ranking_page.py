"""Ranking page: the largest clusters, like compared with like, Dortmund's place.

In reading order: the controls, the headline and the years of what is ranked,
the table (by figure or by growth, with stars; rows can be ticked for the
Compare page), the chart, whether the rank holds under other choices, the star
rating, and the method.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

import altair as alt
import pandas as pd
import streamlit as st

from mstatlas.analysis.charts import (
    FOCUS,
    chart_png,
    chart_svg,
    export_spec,
    ranking_chart,
)
from mstatlas.analysis.growth import GROWTH_RULE, cluster_growth
from mstatlas.analysis.provenance import in_sentence, year_range_text
from mstatlas.analysis.ranking import (
    HEADLINE_RULE,
    LIKE_WITH_LIKE,
    LIKE_WITH_LIKE_RULE,
    RATIO_RULE,
    default_kinds,
    figure_kinds,
    kind_label,
    listing,
    mixed_kinds_caveat,
    other_perimeters,
    position_statement,
    rank_clusters,
    ranked_kind_text,
)
from mstatlas.analysis.sensitivity import (
    YearSpread,
    rank_sensitivity,
    same_period_window,
    sensitivity_verdict,
    year_spread,
)
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.schema import MEASURES
from mstatlas.data.text import strip_bidi_frame
from mstatlas.i18n import N_, _, current_language, fmt_int
from mstatlas.ui import accessible, rating_panel, session, share_panel
from mstatlas.ui.components import md
from mstatlas.ui.datasets import current, filtered, filters_key, title
from mstatlas.ui.ranking_table import (
    growth_order,
    link_column,
    no_growth_reasons,
    ranking_table,
    sensitivity_table,
)
from mstatlas.ui.urlstate import MAX_COMPARE, RANK_SORTS, TOP_CHOICES, ViewState

__all__ = ["growth_order", "no_growth_reasons", "render", "ticked_clusters"]

MIXED_LABEL = N_("Include figures that count other things")
COMPARE_PAGE = "src/mstatlas/ui/pages/compare.py"
SORT_LABELS = {"figure": N_("figure"), "growth": N_("growth per year")}
#: Said when no cluster in view has a figure for the measure ranked.
NO_FIGURE = {
    "employees": N_("No cluster in this selection has an employees figure."),
    "firms": N_("No cluster in this selection has a firms figure."),
    "employees_per_firm": N_("No cluster in this selection has an employees per firm figure."),
}
SAME_PERIOD_HELP = N_(
    "The 5 years (both ends included) with dated figures for the most clusters; "
    "undated figures are left out, as their year is unknown."
)


def _counts_arg(mixed: bool) -> str | None:
    """The kinds compared, as the analysis functions read them: like with like, or all."""
    return None if mixed else LIKE_WITH_LIKE


@st.cache_data(show_spinner=False, max_entries=128)
def _ranking(
    ds_id: str, fkey: tuple, by: str, mixed: bool, lang: str
) -> tuple[pd.DataFrame, tuple[str, ...], pd.DataFrame, dict[str, str]]:
    """The ranking in view, the kinds the selection has for ``by``, growth and no-growth reasons.

    Growth is of the kinds the ranking compares (:func:`cluster_growth`); ``lang``
    keys the cache, as the figures and reasons are written in it.
    """
    rows = filtered(ds_id, fkey)
    counts = None if mixed else default_kinds(rows, by)  # like with like
    growth = cluster_growth(rows, by=by, counts=counts)
    return (
        rank_clusters(rows, by=by, counts=counts),
        figure_kinds(rows, by),
        growth,
        no_growth_reasons(rows, by, counts),
    )


def ticked_clusters(ids: Sequence[str], rows: Sequence[int]) -> tuple[str, ...]:
    """The cluster ids of the ticked table rows (positions), in table order, each once."""
    picked = sorted({int(i) for i in rows if 0 <= int(i) < len(ids)})
    return tuple(dict.fromkeys(ids[i] for i in picked))


def _kinds_note(mixed: bool, shown: pd.DataFrame, kinds: tuple[str, ...]) -> None:
    """Say which kinds of figure are ranked; the caveat only when the rows shown differ."""
    if mixed:
        caveat = mixed_kinds_caveat(shown["counts_what"])
        if caveat:
            st.warning(caveat + " " + _("Read the “Counts” column."), icon=":material/warning:")
        else:
            kind = kind_label(str(shown["counts_what"].iloc[0]))
            st.info(
                _(
                    "Figures of every kind are included; all those shown are of one kind ({kind})."
                ).format(kind=kind),
                icon=":material/info:",
            )
        return
    text = ranked_kind_text(kinds[0])
    if len(kinds) > 1:
        others = listing(kind_label(k) for k in kinds[1:])
        text += " " + _("Switch on “{switch}” to include the {kinds} figures too.").format(
            switch=_(MIXED_LABEL), kinds=others
        )
    st.info(text, icon=":material/info:")


def _other_perimeters_note(ds_id: str, fkey: tuple, view: ViewState) -> None:
    """Name the clusters left out because their figure covers another perimeter."""
    if view.mixed:
        return
    left = other_perimeters(filtered(ds_id, fkey), view.rank_by, LIKE_WITH_LIKE)
    if left.empty:
        return
    items = "; ".join(
        f"{md(r['cluster_name'])} ({md(r['display'])}, {md(r['scope'])})"
        for _row, r in left.iterrows()
    )
    st.caption(
        _(
            "Not ranked, because their figure covers another perimeter than the cluster: "
            "{clusters}. Switch on “{switch}” to see them ranked with their scope."
        ).format(clusters=items, switch=_(MIXED_LABEL))
    )


def _controls() -> None:
    c1, c2, c3, c4 = st.columns([1.3, 0.8, 1.1, 1.3])
    with c1:
        session.bound_widget(
            "rank_by",
            st.radio,
            _("Rank by"),
            options=list(MEASURES),
            format_func=MEASURES.get,
            horizontal=True,
        )
    with c2:
        session.bound_widget(
            "top",
            st.selectbox,
            _("Show top"),
            options=sorted(set(TOP_CHOICES) | {session.view().top}),
        )
    with c3:
        session.bound_widget(
            "rank_sort",
            st.radio,
            _("Order by"),
            options=list(RANK_SORTS),
            format_func=lambda k: _(SORT_LABELS[k]),
            horizontal=True,
            help=_(
                "Growth per year: the compound annual growth of each cluster's figures of the "
                "kind ranked, earliest to latest year (see “How growth is computed”)."
            ),
        )
    with c4:
        session.bound_widget(
            "mixed",
            st.toggle,
            _(MIXED_LABEL),
            help=_(
                "Off: figures of one kind only are ranked together (cluster firms when there "
                "are any; otherwise the one kind this selection has). On: each cluster's headline "
                "figure of any kind is ranked, with its kind shown. Set per dataset."
            ),
        )


def _year_window(view: ViewState) -> tuple[int | None, int | None] | None:
    if view.year_min is None and view.year_max is None:
        return None
    return view.year_min, view.year_max


def _all_years_fkey(view: ViewState) -> tuple:
    """The view's filters without its year window (undated figures back in with the window)."""
    f = view.filters()
    if _year_window(view) is not None:
        f = replace(f, year_min=None, year_max=None, include_undated=True)
    return filters_key(f)


def _set_years(year_min: int | None, year_max: int | None, undated: bool) -> None:
    session.update_view(year_min=year_min, year_max=year_max, include_undated=undated)


def _within(first: int | None, last: int | None, n_undated: int, window: tuple[int, int]) -> bool:
    """Whether every ranked figure is dated and within ``window`` already."""
    if first is None or last is None or n_undated:
        return False
    return window[0] <= first and last <= window[1]


def _year_spread(ds_id: str, full: pd.DataFrame, view: ViewState) -> None:
    """The years of what is ranked, and the same-period window (or the way back to all years)."""
    spread = year_spread(full)
    text = _spread_text(spread)
    window = _year_window(view)
    if window is not None:
        years = year_range_text(*window)
        filtered_to = (
            _("{spread}. Only figures dated {years} are ranked (the year filter).")
            if view.include_undated
            else _(
                "{spread}. Only figures dated {years} are ranked (the year filter); "
                "undated figures are left out."
            )
        )
        st.info(filtered_to.format(spread=text, years=years), icon=":material/date_range:")
        st.button(
            _("All years again"),
            key="rank_all_years",
            on_click=_set_years,
            args=(None, None, True),
        )
        return
    same = same_period_window(
        filtered(ds_id, _all_years_fkey(view)), view.rank_by, _counts_arg(view.mixed)
    )
    if spread.wide:
        st.warning(
            _(
                "{spread}: they describe different years, so the ranking compares clusters at "
                "different moments."
            ).format(spread=text),
            icon=":material/date_range:",
        )
    else:
        st.caption(f"{text}.")
    if same is None or _within(spread.first, spread.last, spread.n_undated, same):
        return
    st.button(
        _("Same period only: {first}–{last}").format(first=same[0], last=same[1]),
        key="rank_same_period",
        on_click=_set_years,
        args=(same[0], same[1], False),
        help=_(SAME_PERIOD_HELP),
    )


def _spread_text(spread: YearSpread) -> str:
    """From which years the ranked figures come, e.g. "Ranked figures from 2007 to 2026 (…)"."""
    if spread.first is None or spread.last is None:
        return spread.text
    counts = _("{n} dated").format(n=fmt_int(spread.n_dated))
    if spread.n_undated:
        counts += ", " + _("{n} undated").format(n=fmt_int(spread.n_undated))
    if spread.first == spread.last:
        return _("Ranked figures from {year} ({counts})").format(year=spread.first, counts=counts)
    return _("Ranked figures from {first} to {last} ({counts})").format(
        first=spread.first, last=spread.last, counts=counts
    )


def _compare_button(ids: list[str], rows: Sequence[int]) -> None:
    """Open the Compare page with the ticked rows' clusters."""
    ticked = ticked_clusters(ids, rows)
    n = len(ticked)
    ok = 2 <= n <= MAX_COMPARE
    help_text = (
        _("Tick 2 to {n} rows in the table (the box at the start of each row).").format(
            n=MAX_COMPARE
        )
        if not ok
        else _("Opens the Compare page with these clusters side by side.")
    )
    if st.button(
        _("Compare the ticked clusters ({n})").format(n=n),
        key="rank_compare",
        disabled=not ok,
        help=help_text,
        icon=":material/compare_arrows:",
    ):
        session.update_view(compare=ticked)
        st.switch_page(COMPARE_PAGE)


def _table_key(ids: Sequence[str], sort: str) -> str:
    """The table's widget key: a new table (other rows or order) starts with no row ticked."""
    digest = hashlib.blake2s("\x1f".join([sort, *ids]).encode(), digest_size=6).hexdigest()
    return f"rank_table_{digest}"


@st.cache_data(show_spinner=False, max_entries=64)
def _sensitivity(
    ds_id: str,
    fkey: tuple,
    cluster_id: str,
    by: str,
    mixed: bool,
    window: tuple[int, int] | None,
    lang: str,
) -> pd.DataFrame:
    """:func:`rank_sensitivity` of the view (``lang`` keys the cache: its notes are texts)."""
    return rank_sensitivity(
        filtered(ds_id, fkey), cluster_id, by=by, counts=_counts_arg(mixed), window=window
    )


def _sensitivity_section(
    ds_id: str, view: ViewState, names: dict[str, str], years: tuple[int, int] | None
) -> None:
    """ "Does the rank hold?": the chosen cluster's rank under each choice, and the verdict."""
    st.subheader(_("Does the rank hold?"))
    st.caption(
        _(
            "The rank again with one choice changed at a time: the measure, the kind of figures, "
            "the years admitted and the rule that picks each cluster's headline figure."
        )
    )
    cid = rating_panel.cluster_choice(
        "w_rank_focus", _("Cluster"), list(names), names, view.selected
    )
    window = None
    if (w := _year_window(view)) is not None and years is not None:
        window = (w[0] if w[0] is not None else years[0], w[1] if w[1] is not None else years[1])
    try:
        with st.spinner(_("Re-ranking under each choice…")):
            table = _sensitivity(
                ds_id,
                _all_years_fkey(view),
                cid,
                view.rank_by,
                view.mixed,
                window,
                current_language(),
            )
    except ValueError as exc:  # e.g. the cluster left the selection: said, never raised
        st.info(str(exc))
        return
    st.markdown(f"**{md(sensitivity_verdict(table))}**")
    st.dataframe(sensitivity_table(table), hide_index=True, width="stretch")
    if window is None:
        note = _(
            "Year windows leave undated figures out. “This page” marks the choices of the "
            "ranking above."
        )
    else:
        note = _(
            "Year windows leave undated figures out. “This page” marks the choices of the "
            "ranking above, except the years: the table starts from all years and tries the "
            "year filter ({first}–{last}) as one of the windows."
        ).format(first=window[0], last=window[1])
    st.caption(note)


def _method() -> None:
    with st.expander(_("Method: how the ranking, growth and the year windows are computed")):
        for text in (LIKE_WITH_LIKE_RULE, HEADLINE_RULE, GROWTH_RULE, SAME_PERIOD_HELP):
            st.caption(_(text))


def _chart(top: pd.DataFrame, full: pd.DataFrame, view: ViewState, ds_name: str) -> None:
    """The chart as it is exported: title, labelled bars, footer (shown here as a caption)."""
    # Full width: long names, labelled values and the title need it to stay legible.
    chart, footer = ranking_chart(top, view.rank_by, len(full), view, ds_name)
    st.altair_chart(
        chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding")),
        width="stretch",
    )
    st.caption(" ".join(footer))
    accessible.figures_alternative(top, "chart")
    spec = export_spec(chart, footer)
    c1, c2, _rest = st.columns([1, 1, 4])
    # The files are made here (cached per chart) and the click starts no rerun: made on
    # click in another thread, a file was left unreferenced by the click's own rerun and
    # could be deleted before the browser fetched it, so a fresh session's first click
    # often downloaded nothing.
    c1.download_button(
        _("Chart as PNG"),
        _chart_file(spec, "png"),
        f"mst-ranking-{view.rank_by}.png",
        "image/png",
        on_click="ignore",
    )
    c2.download_button(
        _("Chart as SVG"),
        _chart_file(spec, "svg"),
        f"mst-ranking-{view.rank_by}.svg",
        "image/svg+xml",
        on_click="ignore",
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _chart_file(spec: str, fmt: str) -> bytes:
    """The exported chart as PNG or SVG bytes (rendered once per chart by vl-convert)."""
    return chart_png(spec) if fmt == "png" else chart_svg(spec).encode("utf-8")


def _ranked_table(full: pd.DataFrame, growth: pd.DataFrame, reasons: dict[str, str],
                  rating: pd.DataFrame, view: ViewState) -> None:  # fmt: skip
    """The table (tickable), its captions, the compare button and the CSV download."""
    by_growth = view.rank_sort == "growth"
    ordered = growth_order(full, growth, reasons, view.rank_by) if by_growth else full
    shown = ordered.head(view.top) if by_growth else full[full["rank"] <= view.top]
    ids = [str(c) for c in shown["cluster_id"]]
    key = _table_key(ids, view.rank_sort)
    event = st.dataframe(
        strip_bidi_frame(
            ranking_table(shown, view.rank_by, rating_panel.stars_column(rating, ids), by_growth)
        ),
        hide_index=True,
        width="stretch",
        column_config={
            link_column(): st.column_config.LinkColumn(link_column(), display_text=_("open"))
        },
        on_select="rerun",
        selection_mode="multi-row",
        key=key,
    )
    if by_growth:
        st.caption(
            _(
                "Ordered by compound annual growth of each cluster's {measure} figures of the "
                "kind ranked, highest first; clusters without a growth follow, in ranking order. "
                "“Rank” is the rank by the figure."
            ).format(measure=in_sentence(MEASURES[view.rank_by]))
        )
        with st.expander(_("How growth is computed")):
            st.caption(_(GROWTH_RULE))
    st.caption(_(HEADLINE_RULE))
    if view.rank_by == "employees_per_firm":
        st.caption(_(RATIO_RULE))
    _compare_button(ids, event.selection.rows if event is not None else [])
    export = ordered.drop(columns=["row"]).assign(
        stars=rating_panel.stars_column(rating, [str(c) for c in ordered["cluster_id"]])
    )
    st.download_button(
        _("Download ranking (CSV)"),
        data=to_safe_csv_bytes(export),
        file_name=f"mst-ranking-{view.rank_by}{'-growth' if by_growth else ''}.csv",
        mime="text/csv",
    )


def render() -> None:
    """Draw the ranking page."""
    ds = current()
    session.show_notices()
    head, share = st.columns([5, 1.4], vertical_alignment="bottom")
    head.title(_("Ranking of MST clusters"))
    with share:
        share_panel.render(ds, "ranking")
    _controls()
    view = session.view()
    fkey = filters_key(view.filters())
    full, kinds, growth, reasons = _ranking(
        ds.id, fkey, view.rank_by, view.mixed, current_language()
    )
    if full.empty:
        st.warning(
            _(NO_FIGURE[view.rank_by]) + " " + _("Change the filters in the sidebar to see more.")
        )
        return
    top = full[full["rank"] <= view.top]
    _kinds_note(view.mixed, top, kinds)
    _other_perimeters_note(ds.id, fkey, view)
    if FOCUS in set(full["cluster_id"]):
        st.markdown(f"**{md(position_statement(full, FOCUS, view.rank_by))}**")
    _year_spread(ds.id, full, view)
    # Stars compare like with like even when the ranking mixes kinds: a percentile over
    # figures of different kinds would mean nothing (and the map rates the same way).
    rating = rating_panel.rating_in_view(ds.id, fkey, view.rating)
    _ranked_table(full, growth, reasons, rating, view)
    _chart(top, full, view, title(ds))
    names = dict(zip(full["cluster_id"].astype(str), full["cluster_name"].astype(str)))
    for cid, name in zip(rating["cluster_id"], rating["cluster_name"]):
        names.setdefault(str(cid), str(name))  # clusters in view without a ranked figure
    _sensitivity_section(ds.id, view, names, _data_years(ds.clusters))
    st.subheader(_("Star rating"))
    rating_panel.render_section(rating, session.view().selected, names, False)
    _method()


def _data_years(clusters: pd.DataFrame) -> tuple[int, int] | None:
    years = clusters["year"].dropna()
    return (int(years.min()), int(years.max())) if len(years) else None
