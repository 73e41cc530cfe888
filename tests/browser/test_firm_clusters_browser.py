"""Browser: the Firm clusters page draws the detected outlines of an uploaded firm list,
and clicking one opens what its firms do (its technology mix)."""

from __future__ import annotations

import re

import pytest
from browser.harness import IDLE, save_artifact, script_runs, wait_for_run, wait_until_map_still
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def firm_list() -> str:
    """Eight firms around Dortmund and six around Munich (each within about 1 km), two
    isolated in Hamburg and two with a city only (placed at Berlin's centre)."""
    rows = ["name,city,country,lat,lon,employees,technology"]
    for i in range(8):
        lat, lon = 51.50 + 0.004 * (i % 3), 7.45 + 0.004 * (i // 3)
        rows.append(
            f"A{i},Dortmund,DE,{lat:.3f},{lon:.3f},{40 + i},{'MEMS' if i % 2 else 'optics'}"
        )
    for i in range(6):
        lat, lon = 48.14 + 0.004 * (i % 3), 11.58 + 0.004 * (i // 3)
        rows.append(f"B{i},München,DE,{lat:.3f},{lon:.3f},{50 + i},MEMS")
    rows += [
        "P0,Hamburg,DE,53.55,9.99,1013,microfluidics",
        "P1,Hamburg,DE,53.551,9.991,2029,microfluidics",
        "C0,Berlin,DE,,,5,MEMS",
        "C1,Berlin,DE,,,6,MEMS",
    ]
    return "\n".join(rows) + "\n"


#: The detected outlines on the map: (cluster row, x, y of its centre in the frame).
OUTLINES = """
() => Object.values(window.map._layers)
  .filter(l => l instanceof L.Polygon && l.feature && l.feature.properties.t
               && l.feature.properties.t.indexOf("detected") >= 0)
  .map(l => {
    const p = window.map.latLngToContainerPoint(l.getBounds().getCenter());
    const r = window.map.getContainer().getBoundingClientRect();
    return [l.feature.properties.i, r.left + p.x, r.top + p.y];
  })
"""
#: Zoom the map onto the outline of one cluster row (as a person would, to click it).
ZOOM_TO = """
(i) => Object.values(window.map._layers)
  .filter(l => l instanceof L.Polygon && l.feature && l.feature.properties.i === i)
  .forEach(l => window.map.fitBounds(l.getBounds(), {padding: [120, 120], animate: false}))
"""


def test_detected_outlines_are_drawn_and_a_click_opens_the_mix(offline, app_url, tmp_path):
    f = tmp_path / "firms.csv"
    f.write_text(firm_list(), encoding="utf-8")
    page = offline.context.new_page()
    page.goto(f"{app_url}/upload", wait_until="domcontentloaded")
    page.locator("input[type=file]").set_input_files(str(f))
    expect(page.get_by_text("18 of 18 rows imported.")).to_be_visible(timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)
    page.get_by_role("button", name="Show on the map").click()
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)
    page.get_by_role("link", name="Firm clusters").click()
    expect(page.get_by_text(re.compile(r"2 clusters among the 16 firms"))).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("Positions of 2 firms are city centres", exact=False)).to_be_visible()
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(f"() => window.map && ({OUTLINES})().length === 2", timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)
    save_artifact(page, "firm-clusters.png")
    # Zoom onto Munich's outline (the second cluster, row 1) and click inside it.
    frame.evaluate(ZOOM_TO, 1)
    wait_until_map_still(frame)
    page.wait_for_function(IDLE, timeout=60_000)  # a move reruns nothing, but wait anyway
    row, x, y = next(o for o in frame.evaluate(OUTLINES) if o[0] == 1)
    box = page.locator(MAP_FRAME).bounding_box()
    runs = script_runs(page)
    page.mouse.click(box["x"] + x, box["y"] + y)
    wait_for_run(page, runs)
    expect(page.get_by_role("heading", name="München")).to_be_visible(timeout=60_000)
    # the panel's heading (the table of the map names the mix too, in a closed expander)
    expect(page.get_by_role("strong").filter(has_text="Technology mix")).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(1)
    # The clicked outline is drawn as selected (thick and dark) after the page's rerun.
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => Object.values(window.map._layers).some(l => l instanceof L.Polygon && l.feature"
        " && l.feature.properties.i === 1 && l.options.weight > 3)",
        timeout=60_000,
    )
    save_artifact(page, "firm-clusters-picked.png")
    assert offline.blocked == []  # nothing was fetched from outside
