"""Browser: the embed fits small frames, the presentation steps with the arrow keys, and
map tooltips are readable and get out of the way on a click (network blocked)."""

from __future__ import annotations

import re

import pytest
from browser.harness import (
    IDLE,
    save_artifact,
    script_runs,
    wait_for_run,
    wait_until_map_still,
    wait_until_still,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DORTMUND = (51.5136, 7.4653)


def map_frame(page):
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => window.map && Object.values(window.map._layers).some(l => l instanceof L.CircleMarker)",
        timeout=60_000,
    )
    return frame


def inside(box: dict | None, width: int, height: int) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width + 0.5
        and box["y"] + box["height"] <= height + 0.5
    )


@pytest.mark.parametrize(("width", "height"), [(700, 450), (420, 400)])
def test_embed_keeps_legend_and_credit_in_a_small_frame(offline, app_url, width, height):
    page = offline.context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{app_url}/?embed=true", wait_until="domcontentloaded")
    map_frame(page)
    credit = page.get_by_text(re.compile(r"^MST Atlas · "))
    expect(credit).to_be_visible(timeout=30_000)
    page.wait_for_function(IDLE, timeout=60_000)
    wait_until_still(credit)
    parts = {
        "size legend": page.get_by_text("Employees (circle area)"),
        "colour legend": page.locator(".mst-legend-colour"),
        "credit": credit,
    }
    for name, part in parts.items():
        box = part.bounding_box()
        assert inside(box, width, height), f"{name} at {box} leaves the {width}x{height} frame"
    # the map takes the rest, and its own page fills its frame (no grey band under it)
    frame_box = page.locator(MAP_FRAME).bounding_box()
    assert frame_box is not None and frame_box["height"] >= 150
    assert frame_box["y"] + frame_box["height"] <= parts["size legend"].bounding_box()["y"]
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    map_height = frame.evaluate("() => window.map.getContainer().getBoundingClientRect().height")
    assert abs(map_height - frame_box["height"]) <= 2
    assert offline.blocked == []
    save_artifact(page, f"embed-{width}x{height}.png")


def test_arrow_keys_step_through_the_presentation_full_screen(offline, app_url):
    page = offline.context.new_page()
    page.goto(f"{app_url}/present?measure=firms&country=NL,FI", wait_until="domcontentloaded")
    frame = map_frame(page)
    page.wait_for_function(IDLE, timeout=60_000)
    expect(page.get_by_role("heading", name="Top 2 MST clusters by firms")).to_be_visible()
    # full screen: no sidebar, a visible way back
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    expect(page.get_by_role("button", name=re.compile("Exit presentation"))).to_be_visible()

    def press(key: str, slide: str) -> None:
        # settled first: the map has flown to the slide and reported where it is
        wait_until_map_still(frame)
        page.wait_for_function(IDLE, timeout=60_000)
        # keys go to the page, not to a map that has the focus (there they pan the map)
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        runs = script_runs(page)
        page.keyboard.press(key)
        wait_for_run(page, runs)
        page.wait_for_function(f"() => window.location.search.includes('slide={slide}')")

    press("ArrowRight", "1")
    expect(page.get_by_role("heading", name=re.compile(r"^#1 Twente"))).to_be_visible()
    expect(page.get_by_text("Cluster 1 of 2", exact=False)).to_be_visible()
    press("ArrowRight", "2")
    expect(page.get_by_role("heading", name=re.compile(r"^#2 Oulu"))).to_be_visible()
    press("ArrowLeft", "1")
    expect(page.get_by_role("heading", name=re.compile(r"^#1 Twente"))).to_be_visible()
    press("ArrowRight", "2")
    # pressed twice before the page catches up: each press counts (2 -> 1 -> 0, the overview,
    # the link's default), not twice the step the page on screen offered (2 -> 1)
    wait_until_map_still(frame)
    page.wait_for_function(IDLE, timeout=60_000)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    started = page.evaluate("() => window.__mstStarted")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => window.__mstStarted > {started}")  # its run has begun
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => !window.location.search.includes('slide=')", timeout=30_000)
    expect(page.get_by_text("Overview · 2 clusters", exact=False)).to_be_visible()
    save_artifact(page, "present-full-screen.png")
    wait_until_map_still(frame)
    page.wait_for_function(IDLE, timeout=60_000)
    # Esc: out of the presentation, to the map with its sidebar. Under load, a press that
    # lands while Streamlit binds its buttons' shortcuts again after a run is lost (once in
    # a CI run): pressed again while the page is still on /present, a few times at most.
    left = "() => !window.location.pathname.endsWith('/present')"
    for _ in range(4):
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.keyboard.press("Escape")
        try:
            page.wait_for_function(left, timeout=10_000)
            break
        except PlaywrightTimeout:
            page.wait_for_function(IDLE, timeout=60_000)
    else:
        raise AssertionError("Esc did not leave the presentation")
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible(timeout=30_000)
    assert offline.blocked == []


def test_tooltip_is_readable_and_a_click_closes_it(offline, app_url):
    page = offline.context.new_page()
    page.goto(app_url, wait_until="domcontentloaded")
    frame = map_frame(page)
    page.wait_for_function(IDLE, timeout=60_000)
    pt = frame.evaluate(
        f"() => {{ const p = window.map.latLngToContainerPoint({list(DORTMUND)}); return [p.x, p.y]; }}"
    )
    box = page.locator(MAP_FRAME).bounding_box()
    x, y = box["x"] + pt[0], box["y"] + pt[1]
    page.mouse.move(x - 4, y - 4)
    page.mouse.move(x, y)
    tip = frame.locator(".leaflet-tooltip")
    expect(tip).to_contain_text("Dortmund MST cluster", timeout=10_000)
    shape = tip.evaluate(
        """t => ({width: t.getBoundingClientRect().width,
                  nameLines: t.querySelector("b").getClientRects().length})"""
    )
    # the name on one line (it was one word per line), the box no wider than 320 px
    assert shape["nameLines"] == 1 and 120 <= shape["width"] <= 320, shape
    runs = script_runs(page)
    page.mouse.click(x, y)
    wait_for_run(page, runs)
    page.wait_for_url(re.compile(r"sel=dortmund"), timeout=30_000)  # the click selected it ...
    # ... and its tooltip no longer covers the map
    expect(map_frame(page).locator(".leaflet-tooltip")).to_have_count(0)
    assert offline.blocked == []
