"""Legends as plain HTML/SVG (no branca colormaps: those pull d3 from a CDN)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Sequence

from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, COUNTS_WHAT_HELP, MEASURES
from mstatlas.mapping.layers import R_MIN


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
    label = html.escape(MEASURES[measure])
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="sans-serif">{"".join(circles)}{"".join(labels)}</svg>'
    )
    # An <img> with a data URI: survives HTML sanitisers that strip inline <svg>.
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    alt = html.escape(f"{label}: circles for " + ", ".join(_fmt(v, measure) for v in steps))
    return (
        f'<div class="mst-legend-size"><div style="font-weight:600;font-size:12px">{label} '
        f'(circle area)</div><img src="{uri}" width="{width:.0f}" height="{height:.0f}" '
        f'alt="{alt}"></div>'
    )


def _fmt(v: float, measure: str) -> str:
    return f"{v:,.1f}" if measure == "employees_per_firm" else f"{int(v):,}"


def colour_legend_html(categories: Sequence[tuple[str, int]]) -> str:
    """Swatches for what each symbol's figure counts, with counts in view."""
    rows = []
    for cat, count in categories:
        colour = COUNTS_WHAT_COLOURS.get(cat, "#777")
        rows.append(
            f'<div title="{html.escape(COUNTS_WHAT_HELP.get(cat, ""))}" style="font-size:12px">'
            f'<span style="display:inline-block;width:11px;height:11px;border-radius:50%;'
            f'background:{colour};margin-right:6px;vertical-align:middle"></span>'
            f"{html.escape(COUNTS_WHAT.get(cat, cat))} ({count})</div>"
        )
    rows.append(
        '<div style="font-size:12px"><span style="display:inline-block;width:9px;height:9px;'
        'border-radius:50%;border:1.5px solid #777;margin-right:6px;vertical-align:middle">'
        "</span>no figure reported</div>"
    )
    return '<div class="mst-legend-colour">' + "".join(rows) + "</div>"
