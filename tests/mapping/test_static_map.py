"""The still map for slides and print: sizes, symbols as on screen, alt text, extent."""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from mstatlas.data.schema import COUNTS_WHAT_COLOURS
from mstatlas.io import load_clusters
from mstatlas.mapping.static_map import (
    PRINT,
    SLIDE,
    StaticView,
    alt_text,
    default_title,
    label_svg,
    static_map,
)


@pytest.fixture(scope="module")
def clusters() -> pd.DataFrame:
    return load_clusters()


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _share_near(im: Image.Image, colour: np.ndarray, tol: float = 30.0) -> float:
    """Share of the image's pixels within ``tol`` (RGB distance) of ``colour``."""
    px = np.asarray(im.convert("RGB"), dtype=float)
    return float((np.linalg.norm(px - colour, axis=2) < tol).mean())


def test_slide_png_is_full_hd_with_symbols_in_the_kinds_colours_and_its_alt_text(clusters):
    png, alt = static_map(clusters, "employees", counts=("cluster_firms",))
    im = Image.open(io.BytesIO(png))
    assert im.size == (1920, 1080)
    assert im.info["Description"] == alt
    assert "Dortmund MST cluster" in alt and "Data:" in alt
    # A cluster-firms symbol is drawn at 72 % opacity over land (#f1f3f5) or sea: the
    # colour blended by hand, 0.72 * D55E00 + 0.28 * f1f3f5.
    blended = 0.72 * _rgb(COUNTS_WHAT_COLOURS["cluster_firms"]) + 0.28 * _rgb("#f1f3f5")
    assert _share_near(im, blended) > 0.001
    assert _share_near(im, _rgb("#dce8f1"), 3) > 0.05  # the sea, as on screen


def test_print_png_is_300_dpi_and_svg_says_what_it_shows(clusters):
    png, _ = static_map(clusters, "firms", size=PRINT)
    im = Image.open(io.BytesIO(png))
    assert im.size == PRINT.pixels == (3072, 1728)
    assert SLIDE.pixels == (1920, 1080)
    svg, alt = static_map(clusters, "firms", fmt="svg")
    text = svg.decode("utf-8")
    root = re.search(r"<svg\b[^>]*>", text)
    assert root is not None
    assert 'width="1920" height="1080"' in root.group(0)
    assert 'role="img"' in root.group(0)
    assert '<title id="mst-title">MST clusters by firms, figures of any kind</title>' in text
    assert '<desc id="mst-desc">' in text and text.count("<path") > 50


def test_a_view_on_dortmund_shows_the_ruhr_not_europe(clusters):
    """Zoom 9 at Dortmund: about 2 × 560 px × 306 m ≈ 340 km tall; Oulu (Finland) is out."""
    png_eu, alt = static_map(clusters, "employees")
    png_do, _ = static_map(clusters, "employees", view=StaticView(51.5, 7.47, 9))
    sea = _rgb("#dce8f1")
    # Europe shows sea; a box around Dortmund at zoom 9 is all land.
    assert _share_near(Image.open(io.BytesIO(png_eu)), sea, 3) > 0.05
    assert _share_near(Image.open(io.BytesIO(png_do)), sea, 3) < 0.01


def test_alt_text_lists_the_largest_figures_with_year_and_kind(clusters):
    rows = clusters[clusters["cluster_id"].isin(["dortmund", "twente"])]
    from mstatlas.mapping.build import map_points

    points = map_points(rows, "employees")
    text = alt_text(points, "employees", "Title")
    assert text.startswith("Title. Map of 2 clusters, 2 with a figure.")
    assert "Dortmund MST cluster: ≈ 2,100 (2008, Cluster firms)" in text


def test_hostile_names_and_titles_are_text_in_the_svg():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"><g/></svg>'
    out = label_svg(svg, "<script>x</script>", "a & b", (20, 10))
    assert "<script>" not in out
    assert "&lt;script&gt;x&lt;/script&gt;" in out and "a &amp; b" in out
    assert 'width="20" height="10"' in out
    with pytest.raises(ValueError, match="not an SVG"):
        label_svg("<html/>", "t", "d")


def test_title_names_measure_and_kinds():
    assert default_title("employees", ("cluster_firms",)) == (
        "MST clusters by employees, figures counting cluster firms"
    )
    assert default_title("firms", None) == "MST clusters by firms, figures of any kind"


def test_symbol_radius_follows_the_screen_rule(clusters):
    """Largest symbol: R_MAX = 26 screen px; on a 1080 px slide that is 26 × 1080 / 560 px."""
    from mstatlas.mapping.static_map import SCREEN_HEIGHT

    assert SCREEN_HEIGHT == 560
    one = clusters[clusters["cluster_id"] == "dortmund"]
    png, _ = static_map(one, "employees", view=StaticView(51.5, 7.47, 9))
    im = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    blended = 0.72 * _rgb(COUNTS_WHAT_COLOURS["cluster_firms"]) + 0.28 * _rgb("#f1f3f5")
    near = np.linalg.norm(im - blended, axis=2) < 30
    # Only the map area: the legend's swatch is small and right of x = 0.74 * 1920.
    near[:, int(0.74 * 1920) :] = False
    rows = np.flatnonzero(near.any(axis=1))
    diameter = rows.max() - rows.min() + 1
    expected = 2 * 26 * 1080 / 560  # ≈ 100 px
    assert math.isclose(diameter, expected, rel_tol=0.08)


def test_zoomed_in_the_map_names_places_and_credits_geonames(clusters):
    """At zoom 9 on Dortmund the interactive map labels Dortmund and Essen (their first
    zoom in data/europe_places.json is at most 9); so does the still map."""
    from mstatlas.mapping.basemap import load_places

    places = load_places()
    assert places is not None
    first_zoom = dict(zip(places["name"], places["z"], strict=True))
    assert first_zoom["Dortmund"] <= 9 and first_zoom["Essen"] <= 9
    from mstatlas.mapping.build import map_points
    from mstatlas.mapping.static_map import map_figure

    points = map_points(clusters, "employees")
    near = map_figure(points, "employees", title="t", view=StaticView(51.5, 7.47, 9))
    names = {t.get_text() for t in near.axes[0].texts}
    assert {"Dortmund", "Essen"} <= names
    assert any("GeoNames (CC BY 4.0)" in t.get_text() for t in near.texts)
    europe = map_figure(points, "employees", title="t")
    assert "Essen" not in {t.get_text() for t in europe.axes[0].texts}  # too small for zoom 4


def test_names_with_dollar_signs_are_drawn_as_text_not_formulas(clusters):
    svg, _ = static_map(clusters, "firms", subtitle=[r"Dataset: $\frac{1"], fmt="svg")
    assert r"<!-- Dataset: $\frac{1 -->" in svg.decode("utf-8")
