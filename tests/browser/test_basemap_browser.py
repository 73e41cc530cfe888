"""The offline basemap zoomed in, with the network unplugged: place names, 1:50m outlines,
and a visible notice when the optional street-map tiles cannot load."""

from __future__ import annotations

import re

import pytest
from browser.harness import save_artifact
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
DORTMUND = "view=51.51,7.47,10"
NOTICE = "Street map tiles cannot be loaded (offline?); showing the offline basemap"
#: Corners of Germany's outline as drawn: the 1:110m outline has a few dozen, 1:50m hundreds.
GERMANY_CORNERS = """() => {
  let n = 0;
  window.map.eachLayer(l => {
    if (l.feature && l.feature.properties && l.feature.properties.name === "Germany") {
      n = l.getLatLngs().flat(3).length;
    }
  });
  return n;
}"""


def open_frame(offline, url: str):
    page = offline.context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=120_000)  # a cold app on a busy machine
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function("() => window.map !== undefined", timeout=60_000)
    return page, frame


def label(frame, name: str):
    return frame.locator(".mst-place", has_text=re.compile(f"^{re.escape(name)}$"))


def test_place_names_zoomed_on_dortmund_offline(offline, app_url):
    page, frame = open_frame(offline, f"{app_url}/?{DORTMUND}")
    expect(label(frame, "Dortmund")).to_be_visible(timeout=60_000)
    for town in ("Bochum", "Unna", "Lünen", "Schwerte"):
        expect(label(frame, town)).to_be_visible()
    labels = frame.locator(".mst-place")
    assert 15 <= labels.count() <= 300  # only the places in view at this zoom
    assert label(frame, "Berlin").count() == 0  # far outside the view: not in the page
    style = label(frame, "Dortmund").evaluate(
        "el => [getComputedStyle(el).pointerEvents, getComputedStyle(el).textShadow]"
    )
    assert style[0] == "none" and "255, 255, 255" in style[1]  # no click stolen; white halo
    # finer outlines at this zoom
    frame.wait_for_function(f"() => ({GERMANY_CORNERS})() > 500", timeout=30_000)
    assert "GeoNames" in frame.locator(".leaflet-control-attribution").inner_text()
    save_artifact(page, "basemap-dortmund.png")
    # the Dortmund symbol under its label still opens the profile
    point = frame.evaluate(
        """() => { const p = window.map.latLngToContainerPoint([51.5136, 7.4653]);
                   return {x: p.x, y: p.y}; }"""
    )
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page.get_by_role("heading", name="Dortmund MST cluster")).to_be_visible(timeout=30_000)
    assert offline.blocked == [], f"page tried to reach the internet: {offline.blocked[:5]}"


def test_europe_view_names_only_large_places_with_coarse_outlines(offline, app_url):
    page, frame = open_frame(offline, app_url)
    expect(label(frame, "Berlin")).to_be_visible(timeout=60_000)
    assert label(frame, "Dortmund").count() == 0 and label(frame, "Unna").count() == 0
    assert frame.locator(".mst-place").count() <= 120
    assert 0 < frame.evaluate(GERMANY_CORNERS) < 100
    assert offline.blocked == []


def test_street_map_that_cannot_load_says_so(offline, app_url):
    page, frame = open_frame(offline, f"{app_url}/?tiles=osm&view=51.51,7.47,9")
    notice = frame.locator(".mst-tile-notice")
    expect(notice).to_have_text(NOTICE, timeout=60_000)
    expect(notice).to_be_in_viewport()
    assert notice.get_attribute("role") == "status"
    # the offline basemap shows instead: its outlines under the missing tiles, and names
    expect(label(frame, "Dortmund")).to_be_visible(timeout=30_000)
    assert frame.evaluate(GERMANY_CORNERS) > 500
    assert frame.evaluate(
        """() => getComputedStyle(document.querySelector('.leaflet-mstBase-pane')).zIndex
                 < getComputedStyle(document.querySelector('.leaflet-tile-pane')).zIndex"""
    )
    save_artifact(page, "basemap-tiles-offline.png")
    assert offline.blocked and all("tile.openstreetmap.org" in u for u in offline.blocked)


def test_embed_and_present_show_place_names(offline, app_url):
    page, frame = open_frame(offline, f"{app_url}/?embed=true&{DORTMUND}")
    expect(label(frame, "Dortmund")).to_be_visible(timeout=60_000)
    expect(label(frame, "Bochum")).to_be_visible()
    page, frame = open_frame(offline, f"{app_url}/present?slide=1")
    frame.wait_for_function("() => window.map.getZoom() === 6", timeout=60_000)
    expect(frame.locator(".mst-place").first).to_be_visible(timeout=30_000)
    frame.wait_for_function(f"() => ({GERMANY_CORNERS})() > 500", timeout=30_000)
    assert offline.blocked == []
