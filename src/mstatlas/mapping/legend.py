"""Legends as plain HTML/SVG (no branca colormaps: those pull d3 from a CDN)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence

import pandas as pd

from mstatlas.analysis.provenance import sources_with_years
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, COUNTS_WHAT_HELP, MEASURES
from mstatlas.data.text import escape_html
from mstatlas.i18n import _, fmt_fixed, fmt_int, ngettext
from mstatlas.mapping.layers import R_MIN, category_counts, radius_scale


def nice_steps(vmax: float, n: int = 3) -> list[float]:
    """Round reference values for a size legend, largest first (e.g. 20,000, 5,000, 1,000).

    Values are 1, 2 or 5 times a power of ten, each at most a quarter of the one before.
    """
    if not vmax or math.isnan(vmax) or vmax <= 0:
        return []
    exp = math.floor(math.log10(vmax))
    cands = sorted(
        (m * 10.0**e for e in range(exp - 3, exp + 1) for m in (1, 2, 5) if m * 10.0**e <= vmax),
        reverse=True,
    )
    steps: list[float] = []
    for c in cands:
        if not steps or c <= steps[-1] / 4:
            steps.append(c)
        if len(steps) == n:
            break
    return steps


def size_legend_html(vmax: float, scale: float, measure: str) -> str:
    """Nested circles showing what symbol sizes mean (area ∝ value)."""
    steps = nice_steps(vmax)
    if not steps or scale <= 0:
        return ""
    radii = [max(R_MIN, scale * math.sqrt(v)) for v in steps]
    pad = 8.0  # room above the largest circle for its label
    cx = radii[0] + 2
    base = pad + 2 * radii[0] + 2  # all circles sit on one baseline
    circles, labels = [], []
    last_y = -1e9
    for v, r in zip(steps, radii):
        top = base - 2 * r
        circles.append(
            f'<circle cx="{cx:.1f}" cy="{base - r:.1f}" r="{r:.1f}" '
            'fill="none" stroke="#555" stroke-width="1"/>'
            f'<line x1="{cx:.1f}" y1="{top:.1f}" x2="{2 * radii[0] + 12:.1f}" y2="{top:.1f}" '
            'stroke="#999" stroke-width="0.6" stroke-dasharray="2,2"/>'
        )
        y = max(top + 4, last_y + 11)  # keep labels from overlapping
        last_y = y
        labels.append(
            f'<text x="{2 * radii[0] + 14:.1f}" y="{y:.1f}" font-size="11" fill="#333">'
            f"{_fmt(v, measure)}</text>"
        )
    width = 2 * radii[0] + 70
    height = max(base + 2, last_y + 4)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="sans-serif">{"".join(circles)}{"".join(labels)}</svg>'
    )
    # An <img> with a data URI: survives HTML sanitisers that strip inline <svg>.
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    alt = html.escape(
        _("{measure}: circles for {values}").format(
            measure=MEASURES[measure], values=", ".join(_fmt(v, measure) for v in steps)
        )
    )
    heading = html.escape(_("{measure} (circle area)").format(measure=MEASURES[measure]))
    return (
        f'<div class="mst-legend-size"><div style="font-weight:600;font-size:12px">{heading}'
        f'</div><img src="{uri}" width="{width:.0f}" height="{height:.0f}" alt="{alt}"></div>'
    )


def _fmt(v: float, measure: str) -> str:
    """A legend's value in the active language: 20,000 / 20.000."""
    return fmt_fixed(v, 1) if measure == "employees_per_firm" else fmt_int(int(v))


def colour_legend_html(categories: Sequence[tuple[str, int]]) -> str:
    """Swatches for what each symbol's figure counts, with counts in view."""
    rows = []
    for cat, count in categories:
        colour = COUNTS_WHAT_COLOURS.get(cat, "#777")
        rows.append(
            f'<div title="{html.escape(COUNTS_WHAT_HELP.get(cat, ""))}" style="font-size:12px">'
            f'<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
            f'background:{colour};margin-right:6px;vertical-align:middle"></span>'
            f"{html.escape(COUNTS_WHAT.get(cat, cat))} ({fmt_int(count)})</div>"
        )
    rows.append(
        '<div style="font-size:12px"><span style="display:inline-block;width:9px;height:9px;'
        'border-radius:50%;border:1.5px solid #777;margin-right:6px;vertical-align:middle">'
        f"</span>{html.escape(_('no figure reported'))}</div>"
    )
    return '<div class="mst-legend-colour">' + "".join(rows) + "</div>"


def map_legend_html(points: pd.DataFrame, measure: str) -> str:
    """The legend the app draws under its map: circle sizes and what each colour counts."""
    values = pd.to_numeric(points["value"], errors="coerce")
    vmax = float(values.max()) if values.notna().any() else 0.0
    return (
        '<div style="display:flex;gap:28px;flex-wrap:wrap;align-items:flex-end">'
        + size_legend_html(vmax, radius_scale(values), measure)
        + colour_legend_html(category_counts(points))
        + "</div>"
    )


#: How many sources the offline map's "Data:" line names before "and N more".
DATA_LINE_SOURCES = 40


def data_line(points: pd.DataFrame, limit: int = DATA_LINE_SOURCES) -> str:
    """Plain text "Data: Source (year); …" for the figures a map draws (hollow ones have none)."""
    drawn = points[pd.to_numeric(points["value"], errors="coerce").notna()]
    if drawn.empty:
        return _("Data: no figure drawn.")
    entries = sources_with_years(drawn["source_title"], drawn["year"])
    more = len(entries) - limit
    text = "; ".join(entries[:limit])
    if more > 0:
        text += "; " + ngettext("and {n} more source", "and {n} more sources", more).format(
            n=fmt_int(more)
        )
    return _("Data: {sources}.").format(sources=text)


#: Look of the boxes laid over the offline map (legend, title, data line).
EXPORT_CSS = (
    ".mst-box{position:absolute;z-index:1100;background:rgba(255,255,255,.93);"
    "border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.3);padding:8px 10px;"
    "font:12px/1.35 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#222}"
    ".mst-title{top:10px;right:10px;max-width:min(360px,45%)}"
    ".mst-title b{font-size:14px}"
    ".mst-legend{bottom:24px;right:10px;max-width:min(360px,45%)}"
    # right of the scale bar (at most 100 px wide), left of the legend
    ".mst-data{bottom:10px;left:124px;max-width:min(520px,calc(100% - 520px));max-height:30%;"
    "overflow:auto;font-size:11px}"
    "@media (max-width:900px){.mst-data{left:10px;bottom:56px;max-width:calc(100% - 40px);"
    "max-height:20%}.mst-legend{bottom:auto;top:96px}}"
    "@media print{.mst-box{box-shadow:none;border:1px solid #999}}"
)


def export_overlay_html(points: pd.DataFrame, measure: str, title: str | None = None) -> str:
    """Title, legend and "Data:" line laid over a map that is saved as one file.

    The legend is the one the app draws under its map (:func:`map_legend_html`);
    the title says what the circles show and how many clusters have a figure;
    the data line names each source with the years of its figures (the cluster
    tooltips say which figure is whose).
    """
    values = pd.to_numeric(points["value"], errors="coerce")
    drawn, n = int(values.notna().sum()), len(points)
    head = escape_html(title or _("MST Atlas of Europe"))
    sub = html.escape(
        _figures_line(measure, n).format(n=fmt_int(n), drawn=fmt_int(drawn))
        + " "
        + _("Circle area shows the figure; colour shows what it counts.")
    )
    refs = html.escape(
        _("Full references: MST Atlas, cluster profiles and “Data & sources”."), quote=False
    )
    return (
        f'<div class="mst-box mst-title"><b>{head}</b><br>{sub}</div>'
        f'<div class="mst-box mst-legend">{map_legend_html(points, measure)}</div>'
        f'<div class="mst-box mst-data">{escape_html(data_line(points))} {refs}</div>'
    )


def _figures_line(measure: str, n: int) -> str:
    """ "{n} clusters, {drawn} with an employees figure." in the active language."""
    if measure == "firms":
        return ngettext(
            "{n} cluster, {drawn} with a firms figure.",
            "{n} clusters, {drawn} with a firms figure.",
            n,
        )
    if measure == "employees_per_firm":
        return ngettext(
            "{n} cluster, {drawn} with an employees per firm figure.",
            "{n} clusters, {drawn} with an employees per firm figure.",
            n,
        )
    return ngettext(
        "{n} cluster, {drawn} with an employees figure.",
        "{n} clusters, {drawn} with an employees figure.",
        n,
    )
