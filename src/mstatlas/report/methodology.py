"""``methodology.md``: how the figures of a view were chosen, written from the view itself.

Dataset and its sources, the kinds of figures and the comparability rule, the
filters applied, the headline rule, the ranking, and the rating method with its
thresholds; for a firm list, what disclosure control did. Names from the data are
escaped for Markdown (an uploaded name cannot become a link or a heading).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from mstatlas.analysis.comparability import MAX_YEAR_GAP
from mstatlas.analysis.filters import Filters
from mstatlas.analysis.provenance import and_list, in_sentence, years_text
from mstatlas.analysis.ranking import HEADLINE_RULE, LIKE_WITH_LIKE_RULE
from mstatlas.analysis.rating import RATING_METHOD, RatingThresholds
from mstatlas.data.countries import country_name
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_HELP, MEASURES
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import _, fmt_decimal, fmt_int, fmt_percent
from mstatlas.report.view import ReportView

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """Text from the data for Markdown: special characters escaped, one line, no bidi controls."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", strip_bidi(str(text))).replace("\n", " ").replace("\r", " ")


def filters_in_words(filters: Filters) -> list[str]:
    """Each filter that narrows the view, in words; empty when everything is shown."""
    out = []
    if filters.countries:
        names = and_list(country_name(c) for c in filters.countries)
        out.append(_("Countries: {names}").format(names=names))
    lo, hi = filters.year_min, filters.year_max
    if lo is not None and hi is not None:
        out.append(_("Figures from {first} to {last}").format(first=lo, last=hi))
    elif lo is not None:
        out.append(_("Figures from {first} on").format(first=lo))
    elif hi is not None:
        out.append(_("Figures up to {last}").format(last=hi))
    if not filters.include_undated:
        out.append(_("Undated figures left out"))
    if filters.counts_what and set(filters.counts_what) != set(COUNTS_WHAT):
        kinds = and_list(in_sentence(COUNTS_WHAT[k]) for k in filters.counts_what)
        out.append(_("Kinds of figures: {kinds}").format(kinds=kinds))
    if filters.min_firms:
        out.append(_("At least {n} firms").format(n=fmt_int(filters.min_firms)))
    if filters.min_employees:
        out.append(_("At least {n} employees").format(n=fmt_int(filters.min_employees)))
    return out


def sources_table(rows: pd.DataFrame) -> list[str]:
    """Markdown table of the sources of the figures in view: name, years, figures, link."""
    if rows.empty:
        return [_("No figure is in view.")]
    lines = [
        "| " + " | ".join((_("Source"), _("Years"), _("Figures"), _("Link"))) + " |",
        "|---|---|---:|---|",
    ]
    titles = rows["source_title"].fillna("").astype(str)
    for title, group in rows.groupby(titles, sort=False):
        years = sorted({int(y) for y in group["year"].dropna()})
        url = next((str(u) for u in group["source_url"].dropna() if str(u).strip()), "")
        link = f"<{url}>" if url.startswith(("http://", "https://")) and ">" not in url else ""
        name = md_escape(title) if str(title).strip() else _("(no source named)")
        when = years_text(years, bool(group["year"].isna().any()))
        lines.append(f"| {name} | {when} | {fmt_int(len(group))} | {link} |")
    return lines


def _kinds_section(rows: pd.DataFrame) -> list[str]:
    kinds = [k for k in COUNTS_WHAT if k in set(rows["counts_what"])]
    lines = [f"- **{COUNTS_WHAT[k]}**: {COUNTS_WHAT_HELP[k]}" for k in kinds]
    return [
        "## " + _("What the figures count"),
        "",
        _(
            "Every figure is entered as its source states it, with its year and what it counts. "
            "Blanks stay blank: nothing is estimated, averaged or added up."
        ),
        "",
        *(lines or [_("No figure is in view.")]),
        "",
        "**" + _("Comparability rule.") + "** " + _(LIKE_WITH_LIKE_RULE),
        _(
            "Two figures are compared as equals only when they count the same kind, cover the "
            "same perimeter, are at most {gap} years apart and are stated alike (exact, "
            "approximate or a bound); otherwise every comparison names the difference."
        ).format(gap=MAX_YEAR_GAP),
        "",
    ]


def _rating_section(t: RatingThresholds) -> list[str]:
    return [
        "## " + _("Star rating"),
        "",
        _(RATING_METHOD),
        "",
        "- " + _("Size: employees at or above percentile {p}").format(p=fmt_decimal(t.size_pct, 0)),
        "- " + _("Critical mass: firms at or above percentile {p}").format(p=fmt_decimal(t.mass_pct, 0)),
        "- " + _("Momentum: compound annual growth above {g}").format(g=fmt_percent(t.momentum_cagr)),
        "- " + _("Specialisation: location quotient at or above {lq}").format(lq=fmt_decimal(t.lq, 1)),
        "- " + _("Percentile stars need at least {n} clusters with a figure").format(n=fmt_int(t.min_set)),
        "",
    ]  # fmt: skip


def _view_section(view: ReportView, rows: pd.DataFrame) -> list[str]:
    filters = filters_in_words(view.filters())
    ranked = (
        _("all kinds of figures together, each labelled") if view.mixed else _("like with like")
    )
    where = (
        _("centred at latitude {lat}, longitude {lon}, zoom {zoom}").format(
            lat=fmt_decimal(view.lat, 4), lon=fmt_decimal(view.lon, 4), zoom=view.zoom
        )
        if view.lat is not None and view.lon is not None and view.zoom is not None
        else _("fitted to the clusters in view")
    )
    return [
        "## " + _("Filters applied"),
        "",
        *([f"- {f}" for f in filters] or [_("None: every figure of the dataset.")]),
        "",
        _("{n} figures of {k} clusters are in view.").format(
            n=fmt_int(len(rows)), k=fmt_int(rows["cluster_id"].nunique())
        ),
        "",
        "## " + _("Map and ranking"),
        "",
        "- " + _("Map: circle area shows each cluster's {measure} figure, colour what it counts; "
                 "the view is {where}.").format(measure=in_sentence(MEASURES[view.measure]), where=where),
        "- " + _("Ranking: top {top} by {measure}, {how}.").format(
            top=fmt_int(view.top), measure=in_sentence(MEASURES[view.rank_by]), how=ranked),
        "",
        "**" + _("Headline rule.") + "** " + _(HEADLINE_RULE),
        "",
    ]  # fmt: skip


def methodology_md(rows: pd.DataFrame, view: ReportView, parts: Sequence[str] = ()) -> str:
    """The methodology of a view as Markdown.

    Parameters
    ----------
    rows : DataFrame
        The figure rows in view (the dataset after the view's filters).
    view : ReportView
        The view: dataset name, filters, measure, ranking, rating thresholds.
    parts : sequence of str
        Files of the bundle, listed at the end.
    """
    lines = [
        "# " + _("Methodology"),
        "",
        _("Dataset: {name}").format(name=md_escape(view.dataset_title())),
        "",
        "## " + _("Sources of the figures in view"),
        "",
        *sources_table(rows),
        "",
        *_kinds_section(rows),
        *_view_section(view, rows),
        *_rating_section(view.rating),
    ]
    if view.firm_list:
        note = view.confidentiality or _("No employee figure in view had to be withheld.")
        lines += [
            "## " + _("Confidentiality"),
            "",
            _(
                "The dataset is a firm list aggregated per cluster. Employee figures that would "
                "reveal a single firm are blank and marked confidential; no firm's own row is "
                "part of this bundle."
            ),
            "",
            md_escape(note),
            "",
        ]
    if parts:
        lines += ["## " + _("Files"), "", *(f"- `{p}`" for p in parts), ""]
    return "\n".join(lines)
