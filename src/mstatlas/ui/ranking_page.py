"""Ranking page: the largest clusters, like compared with like, Dortmund's place."""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd
import streamlit as st

from mstatlas.analysis.filters import DEFAULT_COUNTS
from mstatlas.analysis.ranking import (
    HEADLINE_RULE,
    position_statement,
    rank_clusters,
    with_article,
)
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.schema import (
    COUNTS_WHAT,
    COUNTS_WHAT_COLOURS,
    COUNTS_WHAT_HELP,
    MEASURES,
    QUALIFIERS,
)
from mstatlas.mapping.legend import sources_with_years
from mstatlas.ui import components, session, share_panel
from mstatlas.ui.datasets import current, filtered, filters_key
from mstatlas.ui.urlstate import TOP_CHOICES, ViewState

FOCUS = "dortmund"

#: Width of the chart's plot area in exports (px; PNG doubles it), and the text widths
#: (characters) that keep titles, names and the footer legible at slide size.
CHART_WIDTH = 440
TITLE_CHARS = 60
TEXT_CHARS = 100
NAME_CHARS = 30
NAME_LINES = 3
#: Font sizes for slides (Vega-Lite's defaults of 10-11 px are unreadable on a projector).
FONT = {"title": 18, "subtitle": 13, "label": 13, "value": 13, "footer": 12}
CAVEAT = (
    "Caution: mixed kinds of figures. {kinds} figures are ranked together here, but they "
    "count different things and are not comparable; the colour and each bar's label say "
    "what a figure counts."
)


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


def _rank_texts(top: pd.DataFrame) -> list[str]:
    """Ranks as the table shows them: "=2" for a shared rank."""
    return [f"={r}" if t else str(r) for r, t in zip(top["rank"], top["tied"])]


def _year_texts(top: pd.DataFrame) -> pd.Series:
    """Years as the table shows them: "undated" where the source gives none."""
    return top["year"].astype("string").fillna("undated")


def _kind_name(kind: str) -> str:
    """What a kind of figure counts, for running text ("cluster firms", "kind not stated")."""
    return "kind not stated" if kind == "unspecified" else COUNTS_WHAT.get(kind, kind).lower()


def _kinds_text(kinds: list[str]) -> str:
    names = [_kind_name(k) for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _filters_text(view: ViewState) -> list[str]:
    """The view's filters that change which figures are ranked, in words."""
    out = []
    if view.countries:
        out.append("countries " + ", ".join(view.countries))
    if view.year_min is not None and view.year_max is not None:
        out.append(f"figures from {view.year_min}–{view.year_max}")
    elif view.year_min is not None:
        out.append(f"figures from {view.year_min} on")
    elif view.year_max is not None:
        out.append(f"figures up to {view.year_max}")
    if not view.undated:
        out.append("undated figures left out")
    if view.mixed and view.counts and set(view.counts) != set(COUNTS_WHAT):
        out.append("kinds: " + _kinds_text(list(view.counts)))
    if view.min_firms:
        out.append(f"at least {view.min_firms:,} firms")
    if view.min_employees:
        out.append(f"at least {view.min_employees:,} employees")
    return out


def _wrap(text: str, width: int = TEXT_CHARS) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _bar_label(rank: str, name: object, dup: int) -> str:
    """Axis label "1. Name" on at most three lines (cut with "…" beyond).

    ``dup`` zero-width spaces keep equal labels apart (a shared rank and name).
    """
    lines = textwrap.wrap(f"{rank}. {name}", NAME_CHARS, break_on_hyphens=False)
    if len(lines) > NAME_LINES:
        lines = lines[: NAME_LINES - 1] + [lines[NAME_LINES - 1][: NAME_CHARS - 1].rstrip() + "…"]
    return "\n".join(lines) + "\u200b" * dup


def chart_texts(
    top: pd.DataFrame, by: str, n_ranked: int, view: ViewState, dataset: str
) -> tuple[list[str], list[str], list[str]]:
    """Title, subtitle and footer lines of the ranking chart.

    They say what is ranked (measure, what the figures count, the filters), how
    to read the values (qualifiers, year in brackets) and where the figures come
    from (each source's short name with its years); when the bars mix kinds of
    figures, the footer starts with the caveat.
    """
    label = MEASURES[by].lower()
    kinds = [k for k in COUNTS_WHAT if k in set(top["counts_what"])]
    mixed = len(kinds) > 1
    if mixed:
        title = f"Largest MST clusters by {label}, mixed kinds of figures"
        what = f"Each cluster's headline figure of any kind: {_kinds_text(kinds)}."
    else:
        kind = _kinds_text(kinds)
        title = f"Largest MST clusters by {label} ({kind})"
        if kinds[0] == "unspecified":
            what = "The dataset does not say what these figures count."
        else:
            what = f"Figures count {kind}: {COUNTS_WHAT_HELP.get(kinds[0], '')}."
    if n_ranked <= view.top:
        scope = f"All {n_ranked:,} ranked clusters."
    elif len(top) > view.top:
        scope = f"Top {view.top} of {n_ranked:,} ranked clusters ({len(top):,} with ties)."
    else:
        scope = f"Top {view.top} of {n_ranked:,} ranked clusters."
    scope += f" Dataset: {dataset}."
    filters = _filters_text(view)
    if filters:
        scope += " Filters: " + "; ".join(filters) + "."
    subtitle = _wrap(what) + _wrap(scope)
    footer = []
    if mixed:
        footer += _wrap(CAVEAT.format(kinds=_kinds_text(kinds).capitalize()))
    quals = [q for q in QUALIFIERS if q and q in set(top["qualifier"])]
    read = "Figures as their sources state them"
    if quals:
        read += " (" + ", ".join(f"{QUALIFIERS[q].strip()} {q.replace('_', ' ')}" for q in quals)
        read += ")"
    footer += _wrap(read + ", with the year of each; one figure per cluster, never averaged.")
    sources = "; ".join(sources_with_years(top["source_title"], top["year"]))
    footer += _wrap(f"Sources: {sources}. Full references: MST Atlas, Ranking page.")
    return _wrap(title, TITLE_CHARS), subtitle, footer


def ranking_chart(
    top: pd.DataFrame, by: str, n_ranked: int, view: ViewState, dataset: str
) -> tuple[alt.LayerChart, list[str]]:
    """The bar chart shown on the page, and the footer lines its exports add below it.

    Each bar is labelled with its figure as the table shows it (qualifier
    included) and its year, plus its kind when kinds are mixed.
    """
    title, subtitle, footer = chart_texts(top, by, n_ranked, view, dataset)
    kinds_shown = set(top["counts_what"])
    years = _year_texts(top)
    if len(kinds_shown) > 1:
        values = [
            f"{d} ({y}, {_kind_name(c)})"
            for d, y, c in zip(top["display"], years, top["counts_what"])
        ]
    else:
        values = [f"{d} ({y})" for d, y in zip(top["display"], years)]
    seen: dict[str, int] = {}
    labels = []
    for r, n in zip(_rank_texts(top), top["cluster_name"]):
        plain = _bar_label(r, n, 0)
        labels.append(_bar_label(r, n, seen.get(plain, 0)))
        seen[plain] = seen.get(plain, 0) + 1
    chart_df = pd.DataFrame(
        {
            "label": labels,
            "cluster_name": top["cluster_name"].to_numpy(),
            "value": top["value"].astype(float).to_numpy(),
            "figure": values,
            "display": top["display"].to_numpy(),
            "kind": [COUNTS_WHAT[c] for c in top["counts_what"]],
            "year_txt": years.to_numpy(),
            "highlight": top["cluster_id"].eq(FOCUS).map({True: "Dortmund", False: "other"}),
            "source_title": top["source_title"].to_numpy(),
        }
    )
    # Only the kinds on the chart in the legend; each keeps its colour from the map.
    kinds = [COUNTS_WHAT[c] for c in COUNTS_WHAT if c in kinds_shown]
    colours = [COUNTS_WHAT_COLOURS[c] for c in COUNTS_WHAT if c in kinds_shown]
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    step = 16 + 14 * lines  # pixels per bar: room for its label's lines
    measure = MEASURES[by]
    what = "mixed kinds" if len(kinds_shown) > 1 else _kinds_text(sorted(kinds_shown))
    base = alt.Chart(chart_df).encode(
        y=alt.Y(
            "label:N",
            sort=labels,
            title=None,
            axis=alt.Axis(
                labelExpr="split(datum.value, '\\n')",
                labelFontSize=FONT["label"],
                labelLimit=0,
            ),
        ),
        x=alt.X(
            "value:Q",
            title=f"{measure} ({what})",
            axis=alt.Axis(labelFontSize=FONT["label"], titleFontSize=FONT["label"], format=",~r"),
        ),
    )
    bars = base.mark_bar().encode(
        color=alt.Color(
            "kind:N",
            scale=alt.Scale(domain=kinds, range=colours),
            title="What the figure counts",
            legend=alt.Legend(
                orient="bottom",
                direction="horizontal",
                labelFontSize=FONT["footer"],
                titleFontSize=FONT["footer"],
            ),
        ),
        stroke=alt.condition(
            alt.datum.highlight == "Dortmund", alt.value("black"), alt.value(None)
        ),
        strokeWidth=alt.condition(alt.datum.highlight == "Dortmund", alt.value(2), alt.value(0)),
        tooltip=[
            alt.Tooltip("cluster_name:N", title="Cluster"),
            alt.Tooltip("display:N", title=measure),
            alt.Tooltip("year_txt:N", title="Year"),
            alt.Tooltip("kind:N", title="Counts"),
            alt.Tooltip("source_title:N", title="Source"),
        ],
    )
    text = base.mark_text(align="left", baseline="middle", dx=4, fontSize=FONT["value"]).encode(
        text="figure:N"
    )
    chart = alt.LayerChart(layer=[bars, text]).properties(
        width=CHART_WIDTH,
        height=step * max(1, len(chart_df)),
        title=alt.TitleParams(
            title,
            subtitle=subtitle,
            anchor="start",
            fontSize=FONT["title"],
            subtitleFontSize=FONT["subtitle"],
            subtitleColor="#333",
            offset=12,
        ),
    )
    return chart, footer


def export_spec(chart: alt.LayerChart, footer: list[str]) -> str:
    """Vega-Lite spec of the chart with its footer below it, for PNG/SVG export."""
    return alt.vconcat(
        chart,
        title=alt.TitleParams(
            footer,
            orient="bottom",
            anchor="start",
            fontSize=FONT["footer"],
            fontWeight="normal",
            color="#333",
            offset=14,
        ),
        padding=16,
    ).to_json()


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
        kind = "" if view.mixed else f" that counts {COUNTS_WHAT[DEFAULT_COUNTS[0]].lower()}"
        st.warning(f"No cluster in this selection has {with_article(label + ' figure')}{kind}.")
        return
    if FOCUS in set(full["cluster_id"]):
        st.markdown(f"**{components.md(position_statement(full, FOCUS, view.rank_by))}**")
    top = full[full["rank"] <= view.top]
    table = pd.DataFrame(
        {
            "Rank": _rank_texts(top),
            "Cluster": top["cluster_name"],
            "Country": top["country_iso2"],
            MEASURES[view.rank_by]: top["display"],
            "Year": _year_texts(top),
            "Counts": [COUNTS_WHAT[c] for c in top["counts_what"]],
            "Other reported figures": top["other_figures"],
            "Source": top["source_title"],
            "Link": [components.safe_url(u) for u in top["source_url"]],
        }
    )
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
        "Chart as PNG", lambda: _chart_png(spec), f"mst-ranking-{view.rank_by}.png", "image/png"
    )
    c2.download_button(
        "Chart as SVG",
        lambda: _chart_svg(spec),
        f"mst-ranking-{view.rank_by}.svg",
        "image/svg+xml",
    )
