"""Colours that stay apart for people with a colour-vision deficiency.

Each colour is simulated for full protanopia, deuteranopia and tritanopia (Brettel,
Viénot & Mollon 1997, as implemented by ``coloraide``) and every pair is compared by
CIEDE2000 colour difference (ΔE00). A ΔE00 of about 2 is just noticeable side by side;
symbols on a map are small and seen apart from each other, so the kinds of figures must
differ by at least :data:`KIND_MIN_DE` as drawn in legends and charts (opaque) and
:data:`MAP_MIN_DE` as drawn on the map (72 % fill over the land colour, which pulls
colours together).
"""

from __future__ import annotations

from itertools import combinations

import pytest
from coloraide import Color

from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS
from mstatlas.mapping.countries import NO_FIGURE_COLOUR, PALETTE
from mstatlas.mapping.firm_points import OTHER_COLOUR, TECH_COLOURS, UNKNOWN_COLOUR
from mstatlas.mapping.outlines import DENSITY_COLOURS

#: Simulated vision: normal, and the three dichromacies at full severity.
VISIONS = (None, "protan", "deutan", "tritan")
#: Least ΔE00 between two kinds of figures in legends and charts (opaque colours).
KIND_MIN_DE = 10.0
#: Least ΔE00 between two kinds as the map fills them (72 % over the land).
MAP_MIN_DE = 8.0
#: Least ΔE00 between neighbouring classes of a sequential scale.
STEP_MIN_DE = 8.0
#: How the map fills a cluster symbol: opacity and the land colour beneath
#: (mapping.layers: fillOpacity 0.72 over the outlines' fill #f1f3f5).
MAP_FILL_OPACITY = 0.72
LAND = "#f1f3f5"


def seen(hex_colour: str, vision: str | None) -> Color:
    """``hex_colour`` as a person with ``vision`` sees it (``None``: normal vision)."""
    colour = Color(hex_colour)
    if vision is None:
        return colour
    return colour.filter(vision, method="brettel").convert("srgb").clip()


def on_map(hex_colour: str) -> str:
    """The colour a symbol fill shows over the land (alpha blending in sRGB, as browsers do)."""
    mixed = Color.mix(Color(LAND), Color(hex_colour), MAP_FILL_OPACITY, space="srgb")
    return mixed.to_string(hex=True)


def closest_pair(colours: dict[str, str]) -> tuple[float, str, str, str | None]:
    """The smallest ΔE00 between two of ``colours`` under any vision, with the pair and vision."""
    worst = (float("inf"), "", "", None)
    for vision in VISIONS:
        for (a, ca), (b, cb) in combinations(colours.items(), 2):
            d = seen(ca, vision).delta_e(seen(cb, vision), method="2000")
            if d < worst[0]:
                worst = (d, a, b, vision)
    return worst


def test_simulation_is_the_published_one():
    # Pure red under protanopia loses most of its lightness and turns olive-brown
    # (Brettel 1997); under deuteranopia it keeps more lightness and stays yellowish.
    protan, deutan = seen("#ff0000", "protan"), seen("#ff0000", "deutan")
    assert protan.convert("lab")["lightness"] < deutan.convert("lab")["lightness"]
    assert protan.convert("lab")["lightness"] < Color("#ff0000").convert("lab")["lightness"]
    # Greys are seen as they are by every dichromat.
    for vision in VISIONS[1:]:
        assert seen("#808080", vision).delta_e("#808080", method="2000") < 1.0


def test_red_and_green_fail_the_check():
    # The check must be able to fail: red and green (same lightness) collapse for dichromats.
    d, _, _, vision = closest_pair({"red": "#d62728", "green": "#2ca02c"})
    assert seen("#d62728", None).delta_e("#2ca02c", method="2000") > 40  # normal vision: far
    assert d < KIND_MIN_DE
    assert vision in ("protan", "deutan")


def test_the_former_palette_fails_the_check():
    # Okabe-Ito's reddish purple beside a mid grey: the deuteranope sees two greys.
    d, a, b, vision = closest_pair({"national": "#999999", "institute_staff": "#CC79A7"})
    assert (vision, round(d)) == ("deutan", 6)
    assert d < KIND_MIN_DE


def test_every_kind_has_a_colour_of_its_own():
    assert set(COUNTS_WHAT_COLOURS) == set(COUNTS_WHAT)
    assert len(set(c.lower() for c in COUNTS_WHAT_COLOURS.values())) == len(COUNTS_WHAT)


def test_kinds_stay_apart_in_legends_and_charts():
    d, a, b, vision = closest_pair(COUNTS_WHAT_COLOURS)
    assert d >= KIND_MIN_DE, f"{a} and {b} are {d:.1f} ΔE00 apart for {vision or 'normal'} vision"


def test_kinds_stay_apart_on_the_map():
    d, a, b, vision = closest_pair({k: on_map(c) for k, c in COUNTS_WHAT_COLOURS.items()})
    assert d >= MAP_MIN_DE, f"{a} and {b} are {d:.1f} ΔE00 apart for {vision or 'normal'} vision"


@pytest.mark.parametrize(
    "scale", [PALETTE, DENSITY_COLOURS], ids=["country choropleth", "city-centre density"]
)
@pytest.mark.parametrize("vision", VISIONS)
def test_sequential_scales_keep_their_order(scale, vision):
    # Each class is seen lighter than the next (so the order reads for everyone) and
    # neighbouring classes stay apart.
    lightness = [seen(c, vision).convert("lab")["lightness"] for c in scale]
    assert lightness == sorted(lightness, reverse=True)
    for a, b in zip(scale, scale[1:]):
        assert seen(a, vision).delta_e(seen(b, vision), method="2000") >= STEP_MIN_DE


@pytest.mark.parametrize("vision", VISIONS)
def test_countries_without_a_figure_differ_from_every_class(vision):
    none = seen(NO_FIGURE_COLOUR, vision)
    assert min(none.delta_e(seen(c, vision), method="2000") for c in PALETTE) >= STEP_MIN_DE


def test_the_most_frequent_technologies_stay_apart():
    # A firm list's six most frequent technologies, and the greys of "other" and "not stated".
    first = {c: c for c in TECH_COLOURS[:6]}
    d, a, b, vision = closest_pair(first)
    assert d >= KIND_MIN_DE, f"{a} and {b}: {d:.1f} ΔE00 for {vision or 'normal'} vision"
    d, a, b, vision = closest_pair({**first, "other": OTHER_COLOUR, "unknown": UNKNOWN_COLOUR})
    assert d >= MAP_MIN_DE, f"{a} and {b}: {d:.1f} ΔE00 for {vision or 'normal'} vision"
