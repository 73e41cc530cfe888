"""Compare page: 2–10 clusters side by side, which pairs are fair, and how each grew."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd
import streamlit as st

from mstatlas.analysis.comparability import MAX_YEAR_GAP
from mstatlas.analysis.compare import (
    MAX_COMPARE,
    MIN_COMPARE,
    compare_clusters,
    compare_warnings,
    fairness_grid,
    ivam_benchmark_ids,
)
from mstatlas.analysis.compare_charts import (
    COMPARE_MEASURES,
    GROWTH_MEASURES,
    compare_chart,
    growth_chart,
    growth_line,
    pairs_compared,
    wide_table,
    with_missing,
)
from mstatlas.analysis.growth import GROWTH_RULE, growth_series, growth_table
from mstatlas.analysis.provenance import in_sentence, sources_with_years
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.schema import MEASURES
from mstatlas.data.text import strip_bidi, strip_bidi_frame
from mstatlas.i18n import N_, _, current_language, fmt_int, ngettext
from mstatlas.store.dataset import Dataset
from mstatlas.ui import accessible, components, session, share_panel
from mstatlas.ui.datasets import current, filtered, filters_key

IVAM_BUTTON = N_("IVAM 2007 benchmark set ({n} clusters)")
HOW_TO_PICK = N_(
    "Pick {lo} to {hi} clusters above to compare them side by side — or open a cluster's "
    "profile on the Map and use “Add to comparison”, or tick rows in the Ranking."
)


@st.cache_data(show_spinner=False, max_entries=128)
def _comparison(ds_id: str, fkey: tuple, ids: tuple[str, ...], lang: str) -> pd.DataFrame:
    """The comparison table (``lang`` keys the cache: its figures and reasons are texts)."""
    return compare_clusters(filtered(ds_id, fkey), ids, measures=COMPARE_MEASURES)


@st.cache_data(show_spinner=False, max_entries=128)
def _growth(ds_id: str, fkey: tuple, ids: tuple[str, ...], by: str, lang: str) -> pd.DataFrame:
    """Growth of the compared clusters (``lang`` keys the cache: its caveats are texts)."""
    rows = filtered(ds_id, fkey)
    return growth_table(rows[rows["cluster_id"].isin(list(ids))], by=by)


def _names(ds: Dataset) -> dict[str, str]:
    """Cluster id -> name as the picker shows it (the id added where names repeat)."""
    first = ds.clusters.drop_duplicates("cluster_id")
    names = {str(i): str(n) for i, n in zip(first["cluster_id"], first["cluster_name"])}
    counts = pd.Series(list(names.values())).value_counts()
    return {i: f"{n} ({i})" if counts[n] > 1 else n for i, n in names.items()}


def _listing(names: Sequence[str]) -> str:
    quoted = [f"“{n}”" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return _("{items} and {last}").format(items=", ".join(quoted[:-1]), last=quoted[-1])


def _picked(names: Mapping[str, str]) -> tuple[str, ...]:
    """The view's clusters, less ids this dataset does not have and beyond the tenth (said so)."""
    ids = session.view().compare
    unknown = [i for i in ids if i not in names]
    kept = tuple(i for i in ids if i in names)
    if unknown:
        session.notice(
            ngettext(
                "Not compared: {ids} is not a cluster id of this dataset.",
                "Not compared: {ids} are not cluster ids of this dataset.",
                len(unknown),
            ).format(ids=components.md(_listing(unknown)))
        )
    if len(kept) > MAX_COMPARE:
        session.notice(
            _(
                "At most {n} clusters are compared at once; comparing the first "
                "{n} of the {picked} picked."
            ).format(n=MAX_COMPARE, picked=len(kept))
        )
        kept = kept[:MAX_COMPARE]
    if kept != ids:
        session.update_view(compare=kept)
    return kept


def _pick(ids: tuple[str, ...]) -> None:
    session.update_view(compare=ids)


def _picker(ds: Dataset, names: Mapping[str, str]) -> None:
    benchmark = tuple(i for i in ivam_benchmark_ids(ds.clusters) if i in names)
    session.bound_widget(
        "compare",
        st.multiselect,
        _("Clusters to compare ({lo} to {hi})").format(lo=MIN_COMPARE, hi=MAX_COMPARE),
        options=sorted(names, key=lambda i: names[i].casefold()),
        format_func=lambda i: strip_bidi(names.get(i, i)),
        to_widget=list,
        from_widget=tuple,
        max_selections=MAX_COMPARE,
        placeholder=_("Pick clusters by name"),
    )
    if benchmark:
        st.button(
            _(IVAM_BUTTON).format(n=len(benchmark)),
            key="compare_ivam",
            icon=":material/star:",
            help=_("The clusters IVAM's Micro/Nano Atlas of Europe (2007) benchmarked."),
            on_click=_pick,
            args=(benchmark[:MAX_COMPARE],),
        )
    if len(session.view().compare) >= MAX_COMPARE:
        st.caption(
            _("{n} clusters is the most compared at once; remove one to add another.").format(
                n=MAX_COMPARE
            )
        )


def _table(table: pd.DataFrame) -> None:
    wide = wide_table(table, COMPARE_MEASURES)
    for col in [c for c in wide.columns if c.endswith(" link")]:
        wide[col] = [components.safe_url(u) for u in wide[col]]
        if wide[col].isna().all():  # no source address at all (an upload): no empty column
            wide = wide.drop(columns=col)
    links = [c for c in wide.columns if c.endswith(" link")]
    st.dataframe(
        strip_bidi_frame(wide),
        hide_index=True,
        width="stretch",
        column_config={c: st.column_config.LinkColumn(c, display_text=_("open")) for c in links},
    )
    st.caption(
        _(
            "Each cluster's headline figure per measure, as its source states it (≈ about, "
            "> more than, ≥ at least, ≤ up to), with its year, what it counts and its source. "
            "An empty cell: not reported (in this selection). Figures are never averaged or "
            "added."
        )
    )
    st.download_button(
        _("Download comparison (CSV)"),
        data=to_safe_csv_bytes(table.drop(columns=["row"])),
        file_name="mst-compare.csv",
        mime="text/csv",
        key="compare_csv",
    )


def _warnings(table: pd.DataFrame) -> None:
    pairs = compare_warnings(table)
    per_measure = pairs_compared(table)
    total = sum(per_measure.values())
    if total == 0:
        st.info(_("No measure has figures for two of these clusters, so no pair can be compared."))
        return
    if pairs.empty:
        st.success(
            ngettext(
                "All {n} pair of figures are comparable: the same kind of figure and perimeter, "
                "years at most {gap} apart, stated the same way.",
                "All {n} pairs of figures are comparable: the same kind of figure and perimeter, "
                "years at most {gap} apart, stated the same way.",
                total,
            ).format(n=fmt_int(total), gap=MAX_YEAR_GAP),
            icon=":material/check_circle:",
        )
        return
    n = len(pairs)
    bad = pairs["measure"].value_counts()
    counts = ", ".join(
        _("{measure} {bad} of {pairs}").format(
            measure=in_sentence(MEASURES[m]), bad=fmt_int(int(bad.get(m, 0))), pairs=fmt_int(k)
        )
        for m, k in per_measure.items()
        if k
    )
    first = str(pairs["reasons"].iloc[0]).split("; ")[0]
    st.warning(
        _(
            "**Not comparable: {n} of {total} pairs of figures** ({counts}). "
            "For example, {measure}: {reason}. The figures are shown; read why before "
            "comparing them."
        ).format(
            n=fmt_int(n),
            total=fmt_int(total),
            counts=counts,
            measure=components.md(in_sentence(MEASURES[pairs["measure"].iloc[0]])),
            reason=components.md(first),
        ),
        icon=":material/warning:",
    )
    shown = {
        _("Measure"): [MEASURES[m] for m in pairs["measure"]],
        _("Cluster"): pairs["cluster_a"],
        _("and"): pairs["cluster_b"],
        _("Why not comparable"): pairs["reasons"],
    }
    _fairness(table, per_measure)
    with st.expander(
        _("Every pair that is not comparable, and why ({n})").format(n=fmt_int(n)),
        expanded=n <= 6,
    ):
        # A static table, so the reasons are read in full; its cells are Markdown, so
        # names (untrusted in uploads) are escaped.
        st.table(
            pd.DataFrame({k: [components.md(v) for v in col] for k, col in shown.items()}),
            hide_index=True,
        )


def _fairness(table: pd.DataFrame, per_measure: dict[str, int]) -> None:
    """Every pair at a glance: a grid per measure, ✓ where the comparison is fair."""
    measures = [m for m in COMPARE_MEASURES if per_measure.get(m)]
    with st.expander(_("Which comparisons are fair: every pair at a glance"), expanded=False):
        st.caption(
            _(
                "✓: same kind of figure and perimeter, years at most {gap} apart, stated the "
                "same way. ✗ names what differs. — : a cluster has no such figure."
            ).format(gap=MAX_YEAR_GAP)
        )
        for tab, measure in zip(st.tabs([MEASURES[m] for m in measures]), measures):
            tab.dataframe(fairness_grid(table, measure), width="stretch")


def _fit(chart: alt.LayerChart) -> alt.LayerChart:
    """The chart as wide as its column, at its own height (plain "stretch" flattens it)."""
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def _charts(table: pd.DataFrame) -> None:
    st.subheader(_("Side by side"))
    for col, measure in zip(st.columns(len(COMPARE_MEASURES)), COMPARE_MEASURES):
        part = table[(table["measure"] == measure) & table["value"].notna()]
        with col:
            st.altair_chart(_fit(compare_chart(table, measure)), width="stretch")
            accessible.figures_alternative(table[table["measure"] == measure], "chart")
            if part.empty:
                st.caption(_("No cluster here has this figure."))
            else:
                sources = "; ".join(sources_with_years(part["source_title"], part["year"]))
                st.caption(_("Sources: {sources}.").format(sources=components.md(sources)))


def _growth_section(
    ds: Dataset, fkey: tuple, ids: tuple[str, ...], names: Mapping[str, str]
) -> None:
    st.subheader(_("Growth over time"))
    with st.expander(_("How growth is computed")):
        st.markdown(components.md(_(GROWTH_RULE)))
    lang = current_language()
    tables = {by: _growth(ds.id, fkey, ids, by, lang) for by in GROWTH_MEASURES}
    rows = filtered(ds.id, fkey)
    without = []
    for cid in ids:
        lines = [
            growth_line(r, by)
            for by, g in tables.items()
            for _row, r in g[g["cluster_id"] == cid].iterrows()
        ]
        if not lines:
            without.append(names.get(cid, cid))
            continue
        st.markdown(f"**{components.md(names.get(cid, cid))}**")
        st.markdown("\n".join(f"- {components.md(line)}" for line in lines))
        charts = [(by, growth_series(rows, cid, by)) for by in GROWTH_MEASURES]
        charts = [(by, s) for by, s in charts if not s.empty]
        for col, (by, series) in zip(st.columns(len(GROWTH_MEASURES)), charts):
            col.altair_chart(_fit(growth_chart(series, by)), width="stretch")
            with col:
                accessible.figures_alternative(series, "chart")
    why = _(
        "figures of one kind (and perimeter) from two different years are needed; growth is "
        "never computed across kinds of figures, and undated figures cannot be placed in time"
    )
    if len(without) == len(ids):
        st.info(
            _("Growth cannot be shown for these clusters in this selection: {why}.").format(why=why)
        )
    elif without:
        st.caption(
            _("No growth for {clusters}: {why}.").format(
                clusters=components.md(_listing(without)), why=why
            )
        )


def render() -> None:
    """Draw the compare page."""
    ds = current()
    session.show_notices()
    head, share = st.columns([5, 1.4], vertical_alignment="bottom")
    head.title(_("Compare clusters"))
    with share:
        share_panel.render(ds, "compare")
    names = _names(ds)
    _picked(names)
    _picker(ds, names)
    ids = session.view().compare
    if len(ids) < MIN_COMPARE:
        st.info(_(HOW_TO_PICK).format(lo=MIN_COMPARE, hi=MAX_COMPARE), icon=":material/info:")
        return
    fkey = filters_key(session.view().filters())
    here = set(filtered(ds.id, fkey)["cluster_id"])
    present = tuple(i for i in ids if i in here)
    out = [names[i] for i in ids if i not in here]
    if out:
        shown_blank = len(present) >= MIN_COMPARE
        text = (
            ngettext(
                "Filtered out by the sidebar filters: {clusters}. Shown blank; change the "
                "filters to compare it.",
                "Filtered out by the sidebar filters: {clusters}. Shown blank; change the "
                "filters to compare them.",
                len(out),
            )
            if shown_blank
            else ngettext(
                "Filtered out by the sidebar filters: {clusters}. Change the filters to "
                "compare it.",
                "Filtered out by the sidebar filters: {clusters}. Change the filters to "
                "compare them.",
                len(out),
            )
        )
        st.info(text.format(clusters=components.md(_listing(out))), icon=":material/filter_alt:")
    if len(present) < MIN_COMPARE:
        st.info(
            _("At least {n} of the picked clusters must pass the filters to compare them.").format(
                n=MIN_COMPARE
            ),
            icon=":material/info:",
        )
        return
    table = with_missing(
        _comparison(ds.id, fkey, present, current_language()), ids, names, COMPARE_MEASURES
    )
    _table(table)
    _warnings(table)
    _charts(table)
    _growth_section(ds, fkey, present, names)
