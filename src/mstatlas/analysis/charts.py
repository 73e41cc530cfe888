"""The ranking bar chart: what the Ranking page shows and exports for slides.

Free of Streamlit: the chart is a Vega-Lite spec (Altair), rendered offline to
PNG/SVG by vl-convert. Every bar carries its figure as the ranking table shows
it (qualifier included) and its year; the title says what is ranked and the
footer names the sources and, when kinds of figures are mixed, the caveat.
"""

from __future__ import annotations

import textwrap
from typing import Protocol

import altair as alt
import pandas as pd

from mstatlas.analysis.figure_text import by_measure
from mstatlas.analysis.filters import Filters
from mstatlas.analysis.provenance import (
    and_list,
    in_sentence,
    rank_texts,
    sources_with_years,
    year_texts,
)
from mstatlas.data.countries import country_name
from mstatlas.data.schema import (
    COUNTS_WHAT,
    COUNTS_WHAT_COLOURS,
    COUNTS_WHAT_HELP,
    MEASURES,
    QUALIFIERS,
)
from mstatlas.data.text import strip_bidi, strip_bidi_frame
from mstatlas.i18n import N_, _, decimal_separator, fmt_int, ngettext

#: The cluster whose bar is outlined (the atlas's reference cluster).
FOCUS = "dortmund"


class ChartView(Protocol):
    """What the chart needs to know of the view: filters, mixed kinds and top N."""

    @property
    def mixed(self) -> bool: ...  # kinds of figures ranked together

    @property
    def top(self) -> int: ...  # how many ranks are shown

    def filters(self) -> Filters: ...


#: Width of the chart's plot area in exports (px; PNG doubles it), and the text widths
#: (characters) that keep titles, names and the footer legible at slide size.
CHART_WIDTH = 440
TITLE_CHARS = 60
TEXT_CHARS = 100
NAME_CHARS = 30
NAME_LINES = 3
#: Font sizes for slides (Vega-Lite's defaults of 10-11 px are unreadable on a projector).
FONT = {"title": 18, "subtitle": 13, "label": 13, "value": 13, "footer": 12}
CAVEAT = N_(
    "Caution: mixed kinds of figures. {kinds} figures are ranked together here, but they "
    "count different things and are not comparable; the colour and each bar's label say "
    "what a figure counts."
)


def number_locale() -> alt.Locale | None:
    """How Vega writes the axes' numbers in the active language (``None``: its English way).

    Set on a top-level chart with ``chart.configure(locale=...)``: German axes read
    "2.000" and "1,5".
    """
    if decimal_separator() == ".":
        return None
    return alt.Locale(
        number=alt.NumberLocale(decimal=",", thousands=".", grouping=[3], currency=["", " €"])
    )


def chart_png(spec: str) -> bytes:
    """PNG at twice the screen size, for slides; rendered offline by vl-convert."""
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(spec, scale=2))


def chart_svg(spec: str) -> str:
    """SVG of the chart, for slides and print; rendered offline by vl-convert."""
    import vl_convert as vlc

    return str(vlc.vegalite_to_svg(spec))


def _kind_name(kind: str) -> str:
    """What a kind of figure counts, for running text ("cluster firms", "kind not stated")."""
    if kind == "unspecified":
        return _("kind not stated")
    return in_sentence(COUNTS_WHAT.get(kind, kind))


def _kinds_text(kinds: list[str]) -> str:
    return and_list(_kind_name(k) for k in kinds)


#: How each qualifier reads in the chart's note on reading the figures.
_QUALIFIER_WORDS: dict[str, str] = {
    "about": N_("about"),
    "more_than": N_("more than"),
    "at_least": N_("at least"),
    "up_to": N_("up to"),
}


def _filters_text(filters: Filters, mixed: bool) -> list[str]:
    """The filters that change which figures are ranked, in words."""
    out = []
    if filters.countries:
        out.append(", ".join(country_name(c) for c in filters.countries))
    first, last = filters.year_min, filters.year_max
    if first is not None and last is not None:
        out.append(_("figures from {first}–{last}").format(first=first, last=last))
    elif first is not None:
        out.append(_("figures from {year} on").format(year=first))
    elif last is not None:
        out.append(_("figures up to {year}").format(year=last))
    if not filters.include_undated:
        out.append(_("undated figures left out"))
    if mixed and filters.counts_what and set(filters.counts_what) != set(COUNTS_WHAT):
        out.append(_("kinds: {kinds}").format(kinds=_kinds_text(list(filters.counts_what))))
    if filters.min_firms:
        n = filters.min_firms
        out.append(ngettext("at least {n} firm", "at least {n} firms", n).format(n=fmt_int(n)))
    if filters.min_employees:
        n = filters.min_employees
        out.append(
            ngettext("at least {n} employee", "at least {n} employees", n).format(n=fmt_int(n))
        )
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
    top: pd.DataFrame, by: str, n_ranked: int, view: ChartView, dataset: str
) -> tuple[list[str], list[str], list[str]]:
    """Title, subtitle and footer lines of the ranking chart.

    They say what is ranked (measure, what the figures count, the filters), how
    to read the values (qualifiers, year in brackets) and where the figures come
    from (each source's short name with its years); when the bars mix kinds of
    figures, the footer starts with the caveat.
    """
    kinds = [k for k in COUNTS_WHAT if k in set(top["counts_what"])]
    mixed = len(kinds) > 1
    if mixed:
        title = _("Largest MST clusters {by_measure}, mixed kinds of figures")
        what = _("Each cluster's headline figure of any kind: {kinds}.")
    else:
        title = _("Largest MST clusters {by_measure} ({kinds})")
        if kinds[0] == "unspecified":
            what = _("The dataset does not say what these figures count.")
        else:
            what = _("Figures count {kinds}: {help}.")
    title = title.format(by_measure=by_measure(by), kinds=_kinds_text(kinds))
    what = what.format(kinds=_kinds_text(kinds), help=COUNTS_WHAT_HELP.get(kinds[0], ""))
    subtitle = _wrap(what) + _wrap(_scope_text(top, n_ranked, view, dataset))
    footer = []
    if mixed:
        kinds_text = _kinds_text(kinds)
        footer += _wrap(_(CAVEAT).format(kinds=kinds_text[:1].upper() + kinds_text[1:]))
    quals = [q for q in QUALIFIERS if q and q in set(top["qualifier"])]
    signs = ", ".join(f"{QUALIFIERS[q].strip()} {_(_QUALIFIER_WORDS.get(q, q))}" for q in quals)
    read = (
        _(
            "Figures as their sources state them ({signs}), with the year of each; one figure "
            "per cluster, never averaged."
        )
        if quals
        else _(
            "Figures as their sources state them, with the year of each; one figure per "
            "cluster, never averaged."
        )
    )
    footer += _wrap(read.format(signs=signs))
    sources = "; ".join(sources_with_years(top["source_title"], top["year"]))
    footer += _wrap(
        _("Sources: {sources}. Full references: MST Atlas, Ranking page.").format(sources=sources)
    )
    return _wrap(title, TITLE_CHARS), subtitle, footer


def _scope_text(top: pd.DataFrame, n_ranked: int, view: ChartView, dataset: str) -> str:
    """Which clusters the chart shows, of which dataset, under which filters."""
    n = fmt_int(n_ranked)
    if n_ranked <= view.top:
        scope = _("All {n} ranked clusters.").format(n=n)
    elif len(top) > view.top:
        scope = _("Top {top} of {n} ranked clusters ({shown} with ties).").format(
            top=view.top, n=n, shown=fmt_int(len(top))
        )
    else:
        scope = _("Top {top} of {n} ranked clusters.").format(top=view.top, n=n)
    scope += " " + _("Dataset: {dataset}.").format(dataset=dataset)
    filters = _filters_text(view.filters(), view.mixed)
    if filters:
        scope += " " + _("Filters: {filters}.").format(filters="; ".join(filters))
    return scope


def _bars(top: pd.DataFrame) -> pd.DataFrame:
    """One row per bar: its axis label, value, the figure as labelled, kind, year and source.

    The figure reads as the table shows it with its year, plus its kind when
    kinds are mixed; equal labels (a shared rank and name) are kept apart.
    """
    years = year_texts(top["year"])
    if len(set(top["counts_what"])) > 1:
        values = [
            f"{d} ({y}, {_kind_name(c)})"
            for d, y, c in zip(top["display"], years, top["counts_what"])
        ]
    else:
        values = [f"{d} ({y})" for d, y in zip(top["display"], years)]
    seen: dict[str, int] = {}
    labels = []
    for r, n in zip(rank_texts(top["rank"], top["tied"]), top["cluster_name"]):
        plain = _bar_label(r, n, 0)
        labels.append(_bar_label(r, n, seen.get(plain, 0)))
        seen[plain] = seen.get(plain, 0) + 1
    return pd.DataFrame(
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


def _tooltips(measure: str) -> list[alt.Tooltip]:
    """What a bar's tooltip says: cluster, figure, year, what it counts, source."""
    return [
        alt.Tooltip("cluster_name:N", title=_("Cluster")),
        alt.Tooltip("display:N", title=measure),
        alt.Tooltip("year_txt:N", title=_("Year")),
        alt.Tooltip("kind:N", title=_("Counts")),
        alt.Tooltip("source_title:N", title=_("Source")),
    ]


def ranking_chart(
    top: pd.DataFrame, by: str, n_ranked: int, view: ChartView, dataset: str
) -> tuple[alt.LayerChart, list[str]]:
    """The bar chart shown on the page, and the footer lines its exports add below it.

    Each bar is labelled with its figure as the table shows it (qualifier
    included) and its year, plus its kind when kinds are mixed. Names, sources and
    the dataset's name are drawn without bidirectional controls (see
    :mod:`mstatlas.data.text`), on the page and in the PNG/SVG exports alike.
    """
    top, dataset = strip_bidi_frame(top), strip_bidi(dataset)
    title, subtitle, footer = chart_texts(top, by, n_ranked, view, dataset)
    kinds_shown = set(top["counts_what"])
    chart_df = _bars(top)
    labels = chart_df["label"].tolist()
    # Only the kinds on the chart in the legend; each keeps its colour from the map.
    kinds = [COUNTS_WHAT[c] for c in COUNTS_WHAT if c in kinds_shown]
    colours = [COUNTS_WHAT_COLOURS[c] for c in COUNTS_WHAT if c in kinds_shown]
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    step = 16 + 14 * lines  # pixels per bar: room for its label's lines
    measure = MEASURES[by]
    what = _("mixed kinds") if len(kinds_shown) > 1 else _kinds_text(sorted(kinds_shown))
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
            title=_("What the figure counts"),
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
        tooltip=_tooltips(measure),
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
    locale = number_locale()
    return (chart.configure(locale=locale) if locale else chart), footer


def export_spec(chart: alt.LayerChart, footer: list[str]) -> str:
    """Vega-Lite spec of the chart with its footer below it, for PNG/SVG export."""
    inner = chart.copy(deep=False)
    inner.config = alt.Undefined  # a chart inside vconcat carries no config of its own
    locale = number_locale()
    spec = alt.vconcat(
        inner,
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
    )
    return (spec.configure(locale=locale) if locale else spec).to_json()
