"""The atlas in a real browser with the network unplugged (every non-local request aborted)."""

from __future__ import annotations

import re

import pytest
from browser.harness import save_artifact, script_runs, wait_for_run, wait_until_map_still
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


def move_map(page, frame, lat: float, lon: float, zoom: int) -> None:
    """Move the map as a person would; wait until the link shows it and the rerun is over."""
    before, runs = page.url, script_runs(page)
    frame.evaluate(f"() => window.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")
    page.wait_for_function(f"() => window.location.href !== {before!r}", timeout=30_000)
    page.wait_for_function("() => window.location.href.includes('view=')", timeout=30_000)
    wait_for_run(page, runs)


def map_at(frame, lat: float, lon: float, zoom: int) -> None:
    """Wait until the map shows this position (the current map: it may be a new one)."""
    frame.wait_for_function(
        f"() => window.map && Math.abs(window.map.getCenter().lat - {lat}) < 0.05 "
        f"&& Math.abs(window.map.getCenter().lng - {lon}) < 0.05 "
        f"&& window.map.getZoom() === {zoom}",
        timeout=30_000,
    )


def test_map_draws_one_symbol_per_cluster_offline(offline, app_url):
    page, frame = open_map(offline, app_url)
    assert frame.evaluate(SYMBOLS_JS) == 26
    assert frame.evaluate("() => typeof L !== 'undefined' && L.version") == "1.9.3"
    # Leaflet came from the app itself
    assert frame.evaluate(
        "() => Array.from(document.scripts).some(s => s.src.includes('/app/static/vendor/leaflet/leaflet.js'))"
    )
    sea = "() => getComputedStyle(document.querySelector('.leaflet-container')).backgroundColor"
    assert frame.evaluate(sea) == "rgb(220, 232, 241)"  # the atlas's sea, not Leaflet's grey
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
    expect(link.first).to_have_attribute(
        "href",
        "https://www.muensterlandzeitung.de/Nachrichten/Dortmund/Siegeszug-der-Mini-Technik-schafft-Arbeitsplaetze-1192326.html",
    )
    # the link follows at the end of the run that drew the profile
    page.wait_for_function("() => window.location.search.includes('sel=dortmund')", timeout=30_000)
    save_artifact(page, "map-dortmund-profile.png")
    assert offline.blocked == []


def test_panning_updates_the_link_without_resending_the_map(offline, app_url):
    received: list[int] = []
    page = offline.context.new_page()
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda payload: received.append(len(payload) if payload is not None else 0),
        ),
    )
    page.goto(app_url, wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(SYMBOLS_JS.replace("-1", "0") + " > 0", timeout=60_000)
    assert max(received) > 30_000  # the map (outlines, symbols) arrived once
    for step, (dx, dy) in enumerate([(250, 0), (0, 150), (-120, 60)]):
        before, runs = page.url, script_runs(page)
        start = len(received)
        frame.evaluate(f"() => window.map.panBy([{dx}, {dy}], {{animate: false}})")
        page.wait_for_function(f"() => window.location.href !== {before!r}", timeout=30_000)
        assert "view=" in page.url, f"pan {step + 1}: the link does not hold the position"
        wait_for_run(page, runs)  # the rerun's messages have all arrived
        after = received[start:]
        # the rerun refers to the map message the browser already has
        assert after and max(after) < 10_000, f"pan {step + 1} re-sent {max(after):,} bytes"
    center = frame.evaluate("() => window.map.getCenter()")
    assert abs(center["lng"] - 10.0) > 0.5  # the map really moved (and was not pulled back)
    assert frame.evaluate(SYMBOLS_JS) == 26
    assert offline.blocked == []


def test_map_keeps_its_position_across_pages(offline, app_url):
    page, frame = open_map(offline, app_url)
    move_map(page, frame, 45.19, 5.72, 7)
    page.get_by_role("link", name="Ranking").click()
    expect(page.get_by_role("heading", name="Ranking").first).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Map").click()
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    map_at(page.locator(MAP_FRAME).element_handle().content_frame(), 45.19, 5.72, 7)
    assert offline.blocked == []


def test_presentation_steps_move_the_map_even_after_panning(offline, app_url):
    page = offline.context.new_page()
    page.goto(f"{app_url}/present", wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function("() => window.map && window.map.getZoom() === 4", timeout=60_000)
    centre = (
        "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"
    )

    def step(name: str) -> list[float]:
        before, runs = page.url, script_runs(page)
        page.get_by_role("button", name=name).click()
        page.wait_for_function(f"() => window.location.href !== {before!r}", timeout=30_000)
        frame.wait_for_function("() => window.map.getZoom() === 6", timeout=30_000)
        wait_for_run(page, runs)
        wait_until_map_still(frame)
        return frame.evaluate(centre)

    def wander(lat: float, lon: float) -> None:
        """Pan away as a person would; wait until the app has heard of it."""
        runs = script_runs(page)
        frame.evaluate(f"() => window.map.setView([{lat}, {lon}], 3, {{animate: false}})")
        wait_for_run(page, runs)

    first = step("Next ▶")
    wander(40.0, -3.0)
    second = step("Next ▶")
    assert abs(second[0] - 40.0) > 0.5 or abs(second[1] + 3.0) > 0.5
    wander(60.0, 20.0)
    back = step("◀ Previous")
    assert abs(back[0] - first[0]) < 0.01 and abs(back[1] - first[1]) < 0.01
    assert offline.blocked == []


def test_switching_the_street_map_keeps_the_position(offline, app_url):
    # The underlay changes the map's script: the component is created afresh and must
    # open where the person was, not where the session started.
    page, frame = open_map(offline, app_url)
    move_map(page, frame, 45.19, 5.72, 7)
    runs = script_runs(page)
    page.get_by_text("Online street map underlay").click()
    page.wait_for_function("() => window.location.href.includes('tiles=osm')", timeout=30_000)
    wait_for_run(page, runs)
    street = page.locator(MAP_FRAME).element_handle().content_frame()
    # the new map: the one with the street tiles under it (the old one had none)
    street.wait_for_function(
        "() => window.map && Object.values(window.map._layers).some(l => l instanceof L.TileLayer)",
        timeout=30_000,
    )
    map_at(street, 45.19, 5.72, 7)
    lat, lon, zoom = re.search(r"view=([^&]+)", page.url.replace("%2C", ",")).group(1).split(",")
    assert abs(float(lat) - 45.19) < 0.01 and abs(float(lon) - 5.72) < 0.01 and zoom == "7"
    # only the street map's tiles were asked for outside (and refused offline)
    assert all("tile.openstreetmap.org" in u for u in offline.blocked), offline.blocked[:3]
