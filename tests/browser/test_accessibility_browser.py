"""The atlas by keyboard, for a screen reader and on paper, in Chromium with the network
unplugged: Tab to the cluster picker (past the map's own controls, each with a visible
focus ring), choose Dortmund by typing, and its profile opens; the map is a named
region; printing hides the sidebar and keeps the profile."""

from __future__ import annotations

import pytest
from browser.harness import save_artifact, script_runs, wait_for_run
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
PICKER_LABEL = "Cluster profile"
#: The focus ring's colour (mapping.accessible.FOCUS_COLOUR, #1f4e79) as computed styles give it.
RING = "rgb(31, 78, 121)"
#: Where keyboard focus is: in the page, or inside the map's frame (its class and ring).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el) { return {where: "none"}; }
  if (el.tagName === "IFRAME") { return {where: "frame", title: el.title}; }
  const box = el.closest('[data-testid="stSelectbox"]');
  const label = box ? box.querySelector("label") : null;
  return {where: "page", tag: el.tagName, select: label ? label.innerText.trim() : null};
}"""
IN_MAP = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  return {cls: String(el.className), outline: s.outlineStyle, colour: s.outlineColor,
          width: s.outlineWidth, visible: el.matches(":focus-visible")};
}"""


def open_map(offline, url):
    page = offline.context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.frame_locator(MAP_FRAME)
    expect(frame.locator(".leaflet-container")).to_be_visible(timeout=60_000)
    page.wait_for_function("() => window.__mstRuns > 0 && !window.__mstRunning", timeout=60_000)
    return page, frame


def test_the_map_is_a_named_region(offline, app_url):
    page, frame = open_map(offline, app_url)
    box = frame.locator(".leaflet-container")
    expect(box).to_have_attribute("role", "region")
    expect(box).to_have_attribute(
        "aria-label",
        "Map of micro-systems technology clusters in Europe. Arrow keys move it, plus and minus zoom; the cluster profile list beside it opens a cluster.",
    )
    # the frame that holds it is announced by the same name
    expect(page.locator(MAP_FRAME)).to_have_attribute("aria-label", box.get_attribute("aria-label"))
    assert offline.blocked == [], f"page tried to reach the internet: {offline.blocked[:5]}"


#: The cluster picker can take the keyboard: drawn with its own widget code, not a
#: placeholder (a first visit draws it in the run after the map, and Streamlit shows a
#: grey placeholder until the browser has loaded the code of that kind of widget).
PICKER_READY = """(label) => [...document.querySelectorAll('[data-testid="stSelectbox"]')]
  .some(box => { const l = box.querySelector("label");
                 return l && l.innerText.trim() === label && box.querySelector("input"); })"""


def test_keyboard_reaches_the_map_and_opens_dortmund_s_profile(offline, app_url):
    page, _frame = open_map(offline, app_url)
    page.wait_for_function(PICKER_READY, arg=PICKER_LABEL, timeout=60_000)
    page.wait_for_function("() => !window.__mstRunning", timeout=60_000)
    handle = page.locator(MAP_FRAME).element_handle().content_frame()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # from the top
    seen_in_map: list[dict] = []
    for _ in range(200):
        page.keyboard.press("Tab")
        where = page.evaluate(FOCUSED)
        if where["where"] == "frame" and where["title"] == "streamlit_folium.st_folium":
            seen_in_map.append(handle.evaluate(IN_MAP))
        if where.get("select") == PICKER_LABEL:
            break
    else:
        save_artifact(page, "keyboard-picker-not-reached.png")
        pytest.fail("Tab never reached the cluster picker")
    # On the way: the map itself and its zoom buttons, each with the atlas's focus ring.
    classes = " ".join(f["cls"] for f in seen_in_map)
    assert "leaflet-container" in classes and "leaflet-control-zoom-in" in classes, classes
    for f in seen_in_map:
        if "leaflet-container" in f["cls"] or "leaflet-control-zoom" in f["cls"]:
            assert f["visible"] and f["outline"] == "solid" and f["colour"] == RING, f
    # The picker shows the ring too (round its whole box).
    ring = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement.closest('[role="group"]'));
                   return [s.outlineStyle, s.outlineColor]; }"""
    )
    assert ring == ["solid", RING]
    runs = script_runs(page)
    page.keyboard.type("Dortmund")
    page.keyboard.press("Enter")
    wait_for_run(page, runs)
    expect(page.get_by_role("heading", name="Dortmund MST cluster")).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.location.href.includes('sel=dortmund')", timeout=30_000)
    save_artifact(page, "keyboard-dortmund-profile.png")

    # Printing shows the profile, not the sidebar, header or toolbar.
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_be_visible()
    page.emulate_media(media="print")
    expect(sidebar).to_be_hidden()
    expect(page.locator('header[data-testid="stHeader"]')).to_be_hidden()
    expect(page.get_by_role("heading", name="Dortmund MST cluster")).to_be_visible()
    page.emulate_media(media="screen")
    expect(sidebar).to_be_visible()
    assert offline.blocked == [], f"page tried to reach the internet: {offline.blocked[:5]}"
