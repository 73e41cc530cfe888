"""Text contrast at WCAG 2.1 AA for the texts the atlas colours itself.

Contrast ratio = (L1 + 0.05) / (L2 + 0.05) of the relative luminances (WCAG 2.1,
1.4.3): at least 4.5:1 for normal text, 3:1 for large text (24 px, or 18.66 px bold)
and for focus rings and other parts of controls (1.4.11). Colours are read from the
code and its output (legends as rendered, CSS constants, chart specs, Leaflet's own
stylesheet, the theme); a translucent box or tooltip is composited over the darkest
and the lightest thing that can lie beneath it.
"""

from __future__ import annotations

import base64
import json
import re
import tomllib
from pathlib import Path

import pytest
from coloraide import Color
from xstatic.pkg import leaflet as xleaflet

from mstatlas import load_clusters
from mstatlas.analysis.charts import export_spec, ranking_chart
from mstatlas.analysis.countries import country_summary
from mstatlas.analysis.ranking import rank_clusters
from mstatlas.mapping.accessible import FOCUS_COLOUR, MAP_FOCUS_CSS
from mstatlas.mapping.build import MAP_CSS, map_points
from mstatlas.mapping.countries import country_legend_html
from mstatlas.mapping.legend import EXPORT_CSS, map_legend_html
from mstatlas.ui.accessible import CAPTION_COLOUR, PAGE_CSS
from mstatlas.ui.urlstate import ViewState

ROOT = Path(__file__).resolve().parents[1]
NORMAL, LARGE, NON_TEXT = 4.5, 3.0, 3.0
WHITE, BLACK = "#ffffff", "#000000"
#: The map's sea (mapping.build.MAP_CSS) and land (the outlines' fill).
SEA, LAND = "#dce8f1", "#f1f3f5"
#: Streamlit's body text in its light theme (the theme sets no textColor of its own).
STREAMLIT_TEXT = "#31333f"

#: A text colour in CSS (not background-color, border-color…) or on an SVG <text>.
TEXT_COLOUR = re.compile(
    r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b|<text\b[^>]*\bfill=\"(#[0-9a-fA-F]{3,6})\""
)
#: A colour given to a chart's texts (Vega-Lite title, subtitle, label colours).
CHART_TEXT_COLOUR = re.compile(
    r"\b(?:subtitleColor|titleColor|labelColor|color)=\"(#[0-9a-fA-F]{3,6})\""
)


def ratio(fg: str, bg: str) -> float:
    """WCAG 2.1 contrast ratio of two opaque colours."""
    return Color(fg).contrast(bg, method="wcag21")


def over(colour: str, alpha: float, beneath: str) -> str:
    """``colour`` at ``alpha`` composited over ``beneath`` (sRGB, as browsers do)."""
    return Color.mix(Color(beneath), Color(colour), alpha, space="srgb").to_string(hex=True)


def text_colours(text: str) -> set[str]:
    return {(a or b).lower() for a, b in TEXT_COLOUR.findall(text)}


def test_the_ratio_is_wcag_s():
    assert ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert ratio(WHITE, WHITE) == pytest.approx(1.0)
    # #777 on white is the classic near miss: 4.48:1 (L = 0.1845 for 0x77)
    assert ratio("#777777", WHITE) == pytest.approx(1.05 / (0.184475 + 0.05), abs=0.01)
    assert ratio("#777777", WHITE) < NORMAL


@pytest.fixture(scope="module")
def clusters():
    return load_clusters()


def test_map_legend_text(clusters):
    html = map_legend_html(map_points(clusters, "employees"), "employees")
    # the circle sizes are an SVG image (a data URI) with their labels inside
    svgs = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    assert svgs
    found = text_colours(html + "".join(base64.b64decode(s).decode() for s in svgs))
    assert found, "the legend's circle labels carry a colour of their own"
    for c in found:  # drawn on the page's white
        assert ratio(c, WHITE) >= NORMAL, c


def test_saved_map_boxes(clusters):
    # Title, legend and data line of a saved map: text on white at 93 % over the map.
    (box_text,) = text_colours(EXPORT_CSS)
    alpha = float(re.search(r"background:rgba\(255,255,255,(\.\d+)\)", EXPORT_CSS).group(1))
    for beneath in (BLACK, SEA, LAND, WHITE):
        assert ratio(box_text, over(WHITE, alpha, beneath)) >= NORMAL, beneath


def test_country_legend_notes(clusters):
    summary = country_summary(clusters, by="employees")
    found = text_colours(country_legend_html(summary, value="total"))
    assert found
    for c in found:
        assert ratio(c, WHITE) >= NORMAL, c


def test_map_tooltips():
    # Leaflet draws tooltips itself (leaflet.css) at opacity 0.9 (0.95 on the big layer).
    css = (Path(xleaflet.BASE_DIR) / "leaflet.css").read_text(encoding="utf-8")
    rule = re.search(r"\.leaflet-tooltip \{([^}]*)\}", css).group(1)
    fg = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", rule).group(1)
    bg = re.search(r"background-color:\s*(#[0-9a-fA-F]{3,6})", rule).group(1)
    assert "color" not in MAP_CSS.replace("background", "")  # the atlas keeps Leaflet's
    for beneath in (BLACK, SEA, LAND):
        assert ratio(over(fg, 0.9, beneath), over(bg, 0.9, beneath)) >= NORMAL, beneath


def test_chart_texts(clusters):
    chart, footer = ranking_chart(
        rank_clusters(clusters, by="employees", top=5), "employees", 5, ViewState(), "Atlas"
    )
    spec = json.loads(export_spec(chart, footer))
    found = set(
        re.findall(
            r'"(?:subtitleColor|titleColor|labelColor|color)": "(#[0-9a-fA-F]{3,6})"',
            json.dumps(spec),
        )
    )
    assert found, "the chart's subtitle and footer carry a colour of their own"
    for c in found:
        assert ratio(c, WHITE) >= NORMAL, c


def test_theme_primary_colour():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    primary = theme["primaryColor"]
    # links and focused controls in the primary colour on white; white on primary buttons
    assert ratio(primary, WHITE) >= NORMAL
    assert (
        ratio(theme.get("textColor", STREAMLIT_TEXT), theme.get("backgroundColor", WHITE)) >= NORMAL
    )


def test_captions_reach_aa_on_the_light_theme():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    assert theme["base"] == "light"  # the page colours below are the light theme's
    assert CAPTION_COLOUR in PAGE_CSS
    # Streamlit's own caption grey (its text colour at 60 %) would not: 3.7:1 on white
    assert ratio(over(STREAMLIT_TEXT, 0.6, WHITE), WHITE) < NORMAL
    for beneath in (WHITE, "#f0f2f6"):  # page and sidebar
        assert ratio(CAPTION_COLOUR, beneath) >= NORMAL, beneath


def test_focus_rings_stand_out():
    assert FOCUS_COLOUR in PAGE_CSS and FOCUS_COLOUR in MAP_FOCUS_CSS
    for beneath in (WHITE, SEA, LAND, "#f0f2f6"):  # page, map, sidebar (Streamlit's grey)
        assert ratio(FOCUS_COLOUR, beneath) >= NON_TEXT, beneath


def _source_files() -> list[Path]:
    src = ROOT / "src" / "mstatlas"
    return sorted([*src.glob("mapping/*.py"), *src.glob("ui/*.py"), *src.glob("analysis/*.py")])


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_text_colour_in_the_code_reads_on_white(path):
    # Any text colour written in the code (CSS, SVG text, chart texts) is at least AA on
    # white: the background of the page, the legends, the boxes and the tooltips.
    text = path.read_text(encoding="utf-8")
    found = text_colours(text) | {c.lower() for c in CHART_TEXT_COLOUR.findall(text)}
    for c in found:
        assert ratio(c, WHITE) >= NORMAL, f"{c} in {path.name}: {ratio(c, WHITE):.2f}:1"


def test_the_scan_finds_text_colours_and_only_those():
    css = "a{color:#999;background-color:#fff;border-color:#000}"
    assert text_colours(css) == {"#999"}
    assert text_colours('<svg><text x="1" fill="#aaa">5</text><circle fill="#000"/></svg>') == {
        "#aaa"
    }
    assert ratio("#999", WHITE) < NORMAL  # such a colour would fail the scan below
