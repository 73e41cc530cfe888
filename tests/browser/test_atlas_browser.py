"""The atlas in a real browser with the network unplugged (every non-local request aborted)."""

from __future__ import annotations

import pytest
from browser.harness import save_artifact
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
SYMBOLS_JS = "() => window.map ? Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker).length : -1"


def open_map(offline, url):
    page = offline.context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    handle = page.locator(MAP_FRAME).element_handle().content_frame()
    handle.wait_for_function(
        "() => window.map && Object.values(window.map._layers).some(l => l instanceof L.CircleMarker)",
        timeout=60_000,
    )
    return page, handle


def test_map_draws_one_symbol_per_cluster_offline(offline, app_url):
    page, frame = open_map(offline, app_url)
    assert frame.evaluate(SYMBOLS_JS) == 26
    assert frame.evaluate("() => typeof L !== 'undefined' && L.version") == "1.9.3"
    # Leaflet came from the app itself
    assert frame.evaluate(
        "() => Array.from(document.scripts).some(s => s.src.includes('/app/static/vendor/leaflet/leaflet.js'))"
    )
    assert offline.blocked == [], f"page tried to reach the internet: {offline.blocked[:5]}"
    save_artifact(page, "map-default.png")


def test_click_on_dortmund_shows_its_sourced_profile(offline, app_url):
    page, frame = open_map(offline, app_url)
    point = frame.evaluate(
        """() => { const p = window.map.latLngToContainerPoint([51.5136, 7.4653]);
                   return {x: p.x, y: p.y}; }"""
    )
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    heading = page.get_by_role("heading", name="Dortmund MST cluster")
    expect(heading).to_be_visible(timeout=30_000)
    link = page.get_by_role(
        "link",
        name="Siegeszug der Mini-Technik schafft Arbeitsplätze (Münsterland Zeitung, 18.10.2007)",
    )
    expect(link).to_have_attribute(
        "href",
        "https://www.muensterlandzeitung.de/Nachrichten/Dortmund/Siegeszug-der-Mini-Technik-schafft-Arbeitsplaetze-1192326.html",
    )
    assert "sel=dortmund" in page.url
    save_artifact(page, "map-dortmund-profile.png")
    assert offline.blocked == []
