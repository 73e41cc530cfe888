"""Ranking page: the largest clusters, like compared with like, Dortmund's place.

In reading order: the controls, the headline and the years of what is ranked,
the table (by figure or by growth, with stars; rows can be ticked for the
Compare page), the chart, whether the rank holds under other choices, the star
rating, and the method.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from mstatlas.analysis.charts import (
    FOCUS,
    chart_png,
    chart_svg,
    export_spec,
    ranking_chart,
)
from mstatlas.analysis.growth import GROWTH_RULE, cluster_growth, series_label
from mstatlas.analysis.provenance import (
    rank_text,
    rank_texts,
    with_article,
    year_text,
    year_texts,
)
from mstatlas.analysis.ranking import (
    HEADLINE_RULE,
    LIKE_WITH_LIKE,
    LIKE_WITH_LIKE_RULE,
    RATIO_RULE,
    default_kinds,
    figure_kinds,
    kind_label,
    listing,
    measure_values,
    mixed_kinds_caveat,
    other_perimeters,
    position_statement,
    rank_clusters,
    ranked_kind_text,
)
from mstatlas.analysis.sensitivity import (
    rank_sensitivity,
    same_period_window,
    sensitivity_verdict,
    year_spread,
)
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import strip_bidi_frame
from mstatlas.ui import accessible, components, rating_panel, session, share_panel
from mstatlas.ui.components import md
from mstatlas.ui.datasets import current, filtered, filters_key
from mstatlas.ui.urlstate import MAX_COMPARE, RANK_SORTS, TOP_CHOICES, ViewState

MIXED_LABEL = "Include figures that count other things"
COMPARE_PAGE = "src/mstatlas/ui/pages/compare.py"
SORT_LABELS = {"figure": "figure", "growth": "growth per year"}
SAME_PERIOD_HELP = (
    "The 5 years (both ends included) with dated figures for the most clusters; "
    "undated figures are left out, as their year is unknown."
)


def _counts_arg(mixed: bool) -> str | None:
    """The kinds compared, as the analysis functions read them: like with like, or all."""
    return None if mixed else LIKE_WITH_LIKE


@st.cache_data(show_spinner=False, max_entries=128)
def _ranking(
    ds_id: str, fkey: tuple, by: str, mixed: bool
) -> tuple[pd.DataFrame, tuple[str, ...], pd.DataFrame, dict[str, str]]:
    """The ranking in view, the kinds the selection has for ``by``, growth and no-growth reasons.

    Growth is of the kinds the ranking compares (:func:`cluster_growth`).
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


def no_growth_reasons(rows: pd.DataFrame, by: str, counts: Sequence[str] | None) -> dict[str, str]:
    """Why a cluster has no growth for ``by``, for every cluster with a figure of ``counts``.

    Growth needs figures of one kind and scope from two different years
    (:data:`~mstatlas.analysis.growth.GROWTH_RULE`); the reason names what is
    missing. Clusters that do have a series over two years get "no growth rate:
    a figure is 0" (used only for those :func:`cluster_growth` gives no rate).
    """
    value, _ = measure_values(rows, by)
    keep = value.notna().to_numpy(dtype=bool).copy()  # the view's arrays are read-only
    if counts is not None:
        keep &= rows["counts_what"].isin(list(counts)).fillna(False).to_numpy(dtype=bool)
    df = pd.DataFrame(
        {
            "id": rows["cluster_id"].astype(object).to_numpy()[keep],
            "kind": rows["counts_what"].astype(object).to_numpy()[keep],
            "scope": rows["scope"].astype(object).fillna("").to_numpy()[keep]
            if "scope" in rows.columns
            else "",
            "year": rows["year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)[keep],
        }
    )
    dated = df[df["year"].notna()]
    n_years = dated.groupby("id")["year"].nunique()
    first = dated.groupby("id")["year"].min()
    longest = dated.groupby(["id", "kind", "scope"])["year"].nunique().groupby(level=0).max()
    out: dict[str, str] = {}
    for cid in map(str, pd.unique(df["id"])):
        if cid not in n_years.index:
            out[cid] = "no growth: no dated figure"
        elif n_years[cid] == 1:
            out[cid] = f"no growth: one year only ({int(first[cid])})"
        elif longest[cid] < 2:
            out[cid] = "no growth: its years are of different kinds or perimeters"
        else:
            out[cid] = "no growth rate: a figure is 0"
    return out


def growth_order(
    ranking: pd.DataFrame, growth: pd.DataFrame, reasons: dict[str, str], by: str
) -> pd.DataFrame:
    """The ranking re-ordered by compound annual growth, highest first.

    Clusters whose growth has no rate, then clusters without a growth, follow
    (in ranking order), with the reason in ``growth_note``. Adds ``cagr``,
    ``growth_ends``, ``growth_years``, ``growth_change``, ``growth_of``,
    ``growth_sources`` and ``growth_note`` (text; blank without a growth).
    """
    by_id = {str(g["cluster_id"]): g for g in growth.to_dict("records")}
    ids = [str(c) for c in ranking["cluster_id"]]
    hits = [by_id.get(c) for c in ids]
    cagr = np.array([np.nan if g is None else float(g["cagr"]) for g in hits])
    digits = 1 if by == "employees_per_firm" else 0
    columns: dict[str, list[object]] = {k: [] for k in _GROWTH_TEXT}
    for cid, g in zip(ids, hits):
        texts = _growth_texts(g, digits) if g is not None else dict.fromkeys(_GROWTH_TEXT, "")
        if g is None or pd.isna(g["cagr"]):
            texts["growth_note"] = reasons.get(cid, "no growth")
        for k in _GROWTH_TEXT:
            columns[k].append(texts[k])
    out = ranking.assign(
        cagr=cagr,
        growth_years=pd.array(
            [None if g is None else int(g["years"]) for g in hits], dtype="Int64"
        ),
        **columns,
    )
    has = np.array([g is not None for g in hits])
    group = np.where(~np.isnan(cagr), 0, np.where(has, 1, 2))
    key = np.where(np.isnan(cagr), 0.0, -np.nan_to_num(cagr))
    order = np.lexsort((out["rank"].to_numpy(dtype=float), key, group))
    return out.iloc[order].reset_index(drop=True)


_GROWTH_TEXT = ("growth_ends", "growth_change", "growth_of", "growth_sources", "growth_note")


def _growth_texts(g: Mapping[str, Any], digits: int) -> dict[str, object]:
    """One growth (a row of :func:`cluster_growth`) in the words of the table's columns."""
    start = f"{g['start_source_title'] or 'no source named'} ({int(g['start_year'])})"
    end = f"{g['end_source_title'] or 'no source named'} ({int(g['end_year'])})"
    return {
        "growth_ends": f"{g['start_display']} ({int(g['start_year'])}) → "
        f"{g['end_display']} ({int(g['end_year'])})",
        "growth_change": signed(float(g["change"]), digits),
        "growth_of": series_label(str(g["counts_what"]), g["scope"]),
        "growth_sources": start if g["same_source"] else f"{start}; {end}",
        "growth_note": g["caveats"] or "",
    }


def signed(value: float, digits: int = 0) -> str:
    """``+845``, ``−12`` (a true minus sign), ``±0``."""
    if round(value, digits) == 0:
        return "±0"
    return ("+" if value > 0 else "−") + f"{abs(value):,.{digits}f}"


def _percent(cagr: float) -> str:
    return "" if np.isnan(cagr) else f"{signed(cagr * 100, 1)} % a year"


def ticked_clusters(ids: Sequence[str], rows: Sequence[int]) -> tuple[str, ...]:
    """The cluster ids of the ticked table rows (positions), in table order, each once."""
    picked = sorted({int(i) for i in rows if 0 <= int(i) < len(ids)})
    return tuple(dict.fromkeys(ids[i] for i in picked))


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


def _other_perimeters_note(ds_id: str, fkey: tuple, view: ViewState) -> None:
    """Name the clusters left out because their figure covers another perimeter."""
    if view.mixed:
        return
    left = other_perimeters(filtered(ds_id, fkey), view.rank_by, LIKE_WITH_LIKE)
    if left.empty:
        return
    items = "; ".join(
        f"{md(r['cluster_name'])} ({md(r['display'])}, {md(r['scope'])})"
        for _, r in left.iterrows()
    )
    st.caption(
        f"Not ranked, because their figure covers another perimeter than the cluster: {items}. "
        f"Switch on “{MIXED_LABEL}” to see them ranked with their scope."
    )


def _controls() -> None:
    c1, c2, c3, c4 = st.columns([1.3, 0.8, 1.1, 1.3])
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
            "rank_sort",
            st.radio,
            "Order by",
            options=list(RANK_SORTS),
            format_func=SORT_LABELS.get,
            horizontal=True,
            help="Growth per year: the compound annual growth of each cluster's figures of the "
            "kind ranked, earliest to latest year (see “How growth is computed”).",
        )
    with c4:
        session.bound_widget(
            "mixed",
            st.toggle,
            MIXED_LABEL,
            help="Off: figures of one kind only are ranked together (cluster firms when there "
            "are any; otherwise the one kind this selection has). On: each cluster's headline "
            "figure of any kind is ranked, with its kind shown. Set per dataset.",
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
    text = spread.text if spread.first is None else "Ranked f" + spread.text[1:]
    window = _year_window(view)
    if window is not None:
        a, b = window
        years = (
            f"{a}–{b}"
            if a is not None and b is not None
            else (f"from {a}" if a is not None else f"up to {b}")
        )
        undated = "" if view.include_undated else "; undated figures are left out"
        st.info(
            f"{text}. Only figures dated {years} are ranked (the year filter){undated}.",
            icon=":material/date_range:",
        )
        st.button(
            "All years again", key="rank_all_years", on_click=_set_years, args=(None, None, True)
        )
        return
    same = same_period_window(
        filtered(ds_id, _all_years_fkey(view)), view.rank_by, _counts_arg(view.mixed)
    )
    if spread.wide:
        st.warning(
            f"{text}: they describe different years, so the ranking compares clusters at "
            "different moments.",
            icon=":material/date_range:",
        )
    else:
        st.caption(f"{text}.")
    if same is None or _within(spread.first, spread.last, spread.n_undated, same):
        return
    st.button(
        f"Same period only: {same[0]}–{same[1]}",
        key="rank_same_period",
        on_click=_set_years,
        args=(same[0], same[1], False),
        help=SAME_PERIOD_HELP,
    )


def _figure_columns(top: pd.DataFrame, by: str) -> dict[str, object]:
    """The headline figure with its year, kind and source, as every table shows it."""
    cols: dict[str, object] = {
        MEASURES[by]: top["display"].to_numpy(),
        "Year": year_texts(top["year"]).to_numpy(),
        "Counts": [COUNTS_WHAT.get(c, c) for c in top["counts_what"]],
    }
    if top["scope"].notna().any():  # figures of another perimeter are in view: say which
        cols["Scope"] = top["scope"].fillna("").to_numpy()
    if by == "employees_per_firm":
        cols["Computed as"] = top["ratio_basis"].to_numpy()
    cols["Other reported figures"] = top["other_figures"].to_numpy()
    cols["Source"] = top["source_title"].to_numpy()
    cols["Link"] = [components.safe_url(u) for u in top["source_url"]]
    return cols


def _table(top: pd.DataFrame, by: str, stars: list[str], by_growth: bool) -> pd.DataFrame:
    """The ranking table as shown: by figure, or by growth with the growth columns first."""
    head: dict[str, object] = {
        "Rank": rank_texts(top["rank"], top["tied"]),
        "Cluster": top["cluster_name"].to_numpy(),
        "Country": top["country_iso2"].to_numpy(),
    }
    if by_growth:
        head = {
            "Growth order": list(range(1, len(top) + 1)),
            **head,
            "Growth a year": [_percent(c) for c in top["cagr"]],
            "From → to": top["growth_ends"].to_numpy(),
            "Years": top["growth_years"].astype("string").fillna("").to_numpy(),
            "Change": top["growth_change"].to_numpy(),
            "Growth of": top["growth_of"].to_numpy(),
            "Growth caveats": top["growth_note"].to_numpy(),
            "Growth sources": top["growth_sources"].to_numpy(),
        }
    return pd.DataFrame({**head, "Stars": stars, **_figure_columns(top, by)})


def _compare_button(ids: list[str], rows: Sequence[int]) -> None:
    """Open the Compare page with the ticked rows' clusters."""
    ticked = ticked_clusters(ids, rows)
    n = len(ticked)
    ok = 2 <= n <= MAX_COMPARE
    help_text = (
        f"Tick 2 to {MAX_COMPARE} rows in the table (the box at the start of each row)."
        if not ok
        else "Opens the Compare page with these clusters side by side."
    )
    if st.button(
        f"Compare the ticked clusters ({n})",
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


def sensitivity_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`rank_sensitivity` as shown: one line per choice, the page's own choices marked."""
    ranked = table["rank"].notna().to_numpy()
    return pd.DataFrame(
        {
            "": ["● this page" if c else "" for c in table["current"]],
            "Choice changed": table["dimension"].to_numpy(),
            "Choice": table["choice"].to_numpy(),
            "Rank": [
                rank_text(r, n, t) for r, t, n in zip(table["rank"], table["tied"], table["of_n"])
            ],
            "Figure": table["figure"].to_numpy(),
            "Year": [year_text(y) if ok else "" for y, ok in zip(table["year"], ranked)],
            "Counts": [
                COUNTS_WHAT.get(k, k) if ok and isinstance(k, str) else ""
                for k, ok in zip(table["counts_what"], ranked)
            ],
            "Note": table["note"].to_numpy(),
        }
    )


@st.cache_data(show_spinner="Re-ranking under each choice…", max_entries=64)
def _sensitivity(
    ds_id: str,
    fkey: tuple,
    cluster_id: str,
    by: str,
    mixed: bool,
    window: tuple[int, int] | None,
) -> pd.DataFrame:
    return rank_sensitivity(
        filtered(ds_id, fkey), cluster_id, by=by, counts=_counts_arg(mixed), window=window
    )


def _sensitivity_section(
    ds_id: str, view: ViewState, names: dict[str, str], years: tuple[int, int] | None
) -> None:
    """ "Does the rank hold?": the chosen cluster's rank under each choice, and the verdict."""
    st.subheader("Does the rank hold?")
    st.caption(
        "The rank again with one choice changed at a time: the measure, the kind of figures, "
        "the years admitted and the rule that picks each cluster's headline figure."
    )
    cid = rating_panel.cluster_choice("w_rank_focus", "Cluster", list(names), names, view.selected)
    window = None
    if (w := _year_window(view)) is not None and years is not None:
        window = (w[0] if w[0] is not None else years[0], w[1] if w[1] is not None else years[1])
    try:
        table = _sensitivity(ds_id, _all_years_fkey(view), cid, view.rank_by, view.mixed, window)
    except ValueError as exc:  # e.g. the cluster left the selection: said, never raised
        st.info(str(exc))
        return
    st.markdown(f"**{md(sensitivity_verdict(table))}**")
    st.dataframe(sensitivity_table(table), hide_index=True, width="stretch")
    note = (
        "Year windows leave undated figures out. “This page” marks the choices of the ranking above"
    )
    if window is not None:
        note += (
            f", except the years: the table starts from all years and tries the year filter "
            f"({window[0]}–{window[1]}) as one of the windows"
        )
    st.caption(note + ".")


def _method() -> None:
    with st.expander("Method: how the ranking, growth and the year windows are computed"):
        for text in (LIKE_WITH_LIKE_RULE, HEADLINE_RULE, GROWTH_RULE, SAME_PERIOD_HELP):
            st.caption(text)


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
            _table(shown, view.rank_by, rating_panel.stars_column(rating, ids), by_growth)
        ),
        hide_index=True,
        width="stretch",
        column_config={"Link": st.column_config.LinkColumn("Link", display_text="open")},
        on_select="rerun",
        selection_mode="multi-row",
        key=key,
    )
    if by_growth:
        st.caption(
            f"Ordered by compound annual growth of each cluster's {MEASURES[view.rank_by].lower()} "
            "figures of the kind ranked, highest first; clusters without a growth follow, "
            "in ranking order. “Rank” is the rank by the figure."
        )
        with st.expander("How growth is computed"):
            st.caption(GROWTH_RULE)
    st.caption(HEADLINE_RULE)
    if view.rank_by == "employees_per_firm":
        st.caption(RATIO_RULE)
    _compare_button(ids, event.selection.rows if event is not None else [])
    export = ordered.drop(columns=["row"]).assign(
        stars=rating_panel.stars_column(rating, [str(c) for c in ordered["cluster_id"]])
    )
    st.download_button(
        "Download ranking (CSV)",
        data=to_safe_csv_bytes(export),
        file_name=f"mst-ranking-{view.rank_by}{'-growth' if by_growth else ''}.csv",
        mime="text/csv",
    )


def render() -> None:
    """Draw the ranking page."""
    ds = current()
    session.show_notices()
    head, share = st.columns([5, 1.4], vertical_alignment="bottom")
    head.title("Ranking of MST clusters")
    with share:
        share_panel.render(ds, "ranking")
    _controls()
    view = session.view()
    fkey = filters_key(view.filters())
    full, kinds, growth, reasons = _ranking(ds.id, fkey, view.rank_by, view.mixed)
    label = MEASURES[view.rank_by].lower()
    if full.empty:
        st.warning(
            f"No cluster in this selection has {with_article(label + ' figure')}. "
            "Change the filters in the sidebar to see more."
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
    _chart(top, full, view, ds.name)
    names = dict(zip(full["cluster_id"].astype(str), full["cluster_name"].astype(str)))
    for cid, name in zip(rating["cluster_id"], rating["cluster_name"]):
        names.setdefault(str(cid), str(name))  # clusters in view without a ranked figure
    _sensitivity_section(ds.id, view, names, _data_years(ds.clusters))
    st.subheader("Star rating")
    rating_panel.render_section(rating, session.view().selected, names, False)
    _method()


def _data_years(clusters: pd.DataFrame) -> tuple[int, int] | None:
    years = clusters["year"].dropna()
    return (int(years.min()), int(years.max())) if len(years) else None
