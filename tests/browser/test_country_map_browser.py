"""The country map opens on Europe, in Chromium with the network unplugged.

It is fitted to the countries with clusters when it is made, before its frame has a
height: a map that takes its frame's height at that moment would open at its closest
zoom (a grey square at 300 m), as it once did.
"""

from __future__ import annotations

import pytest
from browser.harness import save_artifact
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
ZOOM = """() => {
  const maps = Object.keys(window).filter(k => k.startsWith("map_") && window[k].getZoom);
  return maps.length ? window[maps[0]].getZoom() : null;
}"""
#: The country layer is drawn (on the map's canvas: prefer_canvas) once its layer is on the map.
DRAWN = """() => document.querySelectorAll('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path').length"""


def test_the_country_map_opens_on_europe(offline, app_url):
    page = offline.context.new_page()
    page.goto(f"{app_url}/countries", wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    expect(page.frame_locator(MAP_FRAME).locator(".leaflet-container")).to_be_visible(
        timeout=60_000
    )
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(f"() => ({DRAWN})() > 0 && ({ZOOM})() !== null", timeout=60_000)
    zoom = frame.evaluate(ZOOM)
    if not (zoom is not None and 3 <= zoom <= 5):
        save_artifact(page, "country-map-zoom.png")
    # Europe's countries with clusters fit a 548 x 470 px map at zoom 3 to 5 (max is 14).
    assert zoom is not None and 3 <= zoom <= 5, zoom
    assert offline.blocked == [], f"page tried to reach the internet: {offline.blocked[:5]}"
