"""Browser: a place the geocoder could not find is placed by hand in the upload page's
geocoding editor (a real data-editor edit, which AppTest cannot make) and lands on the map."""

from __future__ import annotations

import re

import pytest
from browser.harness import IDLE, save_artifact, script_runs, wait_for_run
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
FIRMS = (
    "Firma;Stadt;Land;Mitarbeiter\n"
    "Mikro GmbH;München;Deutschland;10\n"
    "Geister AG;Nirgendwohausen;Deutschland;5\n"
)
ROW, HEADER = 35, 35  # the data editor's row and header heights in pixels
#: The text box the data editor opens over a cell (glide-data-grid's overlay editor).
CELL_EDITOR = "input.gdg-input, textarea.gdg-input"


def open_cell(page, editor, from_right: int) -> None:
    """Double-click a cell of the editor's first row until its text box is open.

    A double-click that lands while the grid is still being drawn opens nothing: it is
    repeated (within the deadline), and each try waits for the box, not for a time.
    """
    box_open = page.locator(CELL_EDITOR)
    for _ in range(10):
        editor.scroll_into_view_if_needed()
        box = editor.bounding_box()
        page.mouse.dblclick(box["x"] + box["width"] - from_right, box["y"] + HEADER + ROW / 2)
        try:
            box_open.wait_for(state="visible", timeout=3_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("the data editor did not open the cell for editing")


def edit_cell(page, editor, from_right: int, text: str) -> None:
    """Open a cell of the editor's first row, type a value, commit it; wait for the rerun."""
    open_cell(page, editor, from_right)
    runs = script_runs(page)
    page.keyboard.type(text, delay=40)
    page.keyboard.press("Enter")
    expect(page.locator(CELL_EDITOR)).to_have_count(0)  # the text box closed: edit committed
    wait_for_run(page, runs)  # the edit reruns the page


def test_failed_place_is_set_by_hand_and_mapped(offline, app_url, tmp_path):
    f = tmp_path / "firmen.csv"
    f.write_text(FIRMS, encoding="utf-8")
    page = offline.context.new_page()
    page.goto(f"{app_url}/upload", wait_until="domcontentloaded")
    page.locator("input[type=file]").set_input_files(str(f))
    expect(page.get_by_text(re.compile(r"\(1 to review\)"))).to_be_visible(timeout=60_000)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Geocoding:")
    editor = expander.locator('[data-testid="stDataFrame"]')
    editor.wait_for(timeout=30_000)
    page.wait_for_function(IDLE, timeout=60_000)  # the upload's runs are over
    # columns: row, city, country, matched, confidence, status, lat, lon; the failed row first
    edit_cell(page, editor, 150, "51.51")  # lat
    edit_cell(page, editor, 50, "7.47")  # lon
    page.get_by_role("button", name="Apply coordinate corrections").click()
    expect(page.get_by_text(re.compile(r"\(0 to review\)"))).to_be_visible(timeout=60_000)
    expect(page.get_by_text("2 of 2 rows imported.")).to_be_visible()
    save_artifact(page, "geocoding-corrected.png")
    page.get_by_role("button", name="Show on the map").click()
    page.wait_for_selector(MAP_FRAME, timeout=60_000)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(
        "() => window.map && Object.values(window.map._layers)"
        ".filter(l => l instanceof L.CircleMarker).length === 2",
        timeout=60_000,
    )
    placed = frame.evaluate(
        "() => Object.values(window.map._layers).filter(l => l instanceof L.CircleMarker)"
        ".map(l => [l.getLatLng().lat, l.getLatLng().lng])"
    )
    assert any(abs(lat - 51.51) < 1e-6 and abs(lon - 7.47) < 1e-6 for lat, lon in placed)
    assert offline.blocked == []  # nothing was fetched from outside


def test_geocoding_review_stays_open_while_editing(offline, app_url, tmp_path):
    # Nothing to review: the section starts closed; the person opens it to move a place.
    f = tmp_path / "firmen.csv"
    f.write_text(FIRMS.replace("Nirgendwohausen", "Halle"), encoding="utf-8")
    page = offline.context.new_page()
    page.goto(f"{app_url}/upload", wait_until="domcontentloaded")
    page.locator("input[type=file]").set_input_files(str(f))
    heading = page.get_by_text(re.compile(r"\(0 to review\)"))
    expect(heading).to_be_visible(timeout=60_000)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Geocoding:")
    details = expander.locator("details")
    assert details.get_attribute("open") is None
    heading.click()
    editor = expander.locator('[data-testid="stDataFrame"]')
    editor.wait_for(timeout=30_000)
    page.wait_for_function(IDLE, timeout=60_000)  # the run that opened the section is over
    edit_cell(page, editor, 150, "51.5")  # the edit reruns the page
    expect(details).to_have_attribute("open", "", timeout=10_000)
    expect(editor).to_be_visible()
    assert offline.blocked == []
