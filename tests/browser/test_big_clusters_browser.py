"""20,000 clusters in a real browser: one canvas layer that hovers, clicks and links like the small one."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pandas as pd
import pytest
from browser.harness import save_artifact, script_runs, start_app, stop_app, wait_for_run
from playwright.sync_api import expect

from benchmarks.synth import synthetic_clusters
from mstatlas.data.loading import data_dir

pytestmark = pytest.mark.browser

N = 20_000
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
LAYER = "Object.values(window.map._layers).find((l) => l.mstClusters)"
#: A cluster of our own, alone in the North Sea (the synthetic ones gather round cities).
KNOWN = {
    "cluster_id": "known-north-sea",
    "cluster_name": "North Sea & Test MST cluster",
    "lat": 57.0,
    "lon": 3.0,
    "employees": 1234,
    "firms": 12,
    "counts_what": "network_members",
    "year": 2019,
}


@pytest.fixture(scope="module")
def big_app(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("big-clusters")
    for name in ("europe_countries.geojson", "cluster_profiles.csv"):
        shutil.copyfile(data_dir() / name, folder / name)
    rows = synthetic_clusters(N)
    known = rows.iloc[[0]].assign(**KNOWN, city="", country_iso2="", region="")
    pd.concat([rows, known], ignore_index=True).to_csv(folder / "clusters.csv", index=False)
    proc, url = start_app({"MSTATLAS_DATA_DIR": str(folder), "MSTATLAS_HOME": str(folder / "home")})
    try:
        yield url
    finally:
        stop_app(proc)


def open_map(offline, url: str):
    page = offline.context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(MAP_FRAME, timeout=120_000)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function(
        f"() => window.map && {LAYER} && {LAYER}.drawnCount() > 0", timeout=120_000
    )
    return page, frame


def move_map(page, frame, js: str) -> None:
    """Move the map as a person would; wait until the link shows it and the rerun is over."""
    before, runs = page.url, script_runs(page)
    frame.evaluate(f"() => window.map.{js}")
    page.wait_for_function(f"() => window.location.href !== {before!r}", timeout=60_000)
    wait_for_run(page, runs)


def link_view(url: str) -> tuple[float, float, int]:
    lat, lon, zoom = re.search(r"view=([^&]+)", url.replace("%2C", ",")).group(1).split(",")
    return float(lat), float(lon), int(zoom)


def test_every_cluster_is_drawn_on_one_canvas(offline, big_app):
    page, frame = open_map(offline, big_app)
    in_view = page.get_by_text(re.compile(r"[\d,]+ clusters in view")).first
    # written as people read it: 20,001
    shown = int(
        re.search(r"([\d,]+) clusters in view", in_view.inner_text()).group(1).replace(",", "")
    )
    assert shown == N + 1
    assert frame.evaluate(f"() => {LAYER}.count()") == shown
    # no Leaflet object per cluster: the only circle markers would be the small layer's
    assert (
        frame.evaluate(
            "() => Object.values(window.map._layers).filter((l) => l instanceof L.CircleMarker).length"
        )
        == 0
    )
    frame.evaluate("() => window.map.setView([53, 10], 3, {animate: false})")  # all of Europe
    frame.wait_for_function(f"() => {LAYER}.drawnCount() === {shown}", timeout=30_000)
    assert offline.blocked == [], f"page tried to reach the internet: {offline.blocked[:5]}"
    save_artifact(page, "map-20000-clusters.png")


def test_hover_click_and_link_of_a_known_cluster(offline, big_app):
    page, frame = open_map(offline, big_app)
    # The map reports where it is: the link follows a move and a pan at 20,000 clusters.
    move_map(page, frame, f"setView([{KNOWN['lat']}, {KNOWN['lon']}], 11, {{animate: false}})")
    assert link_view(page.url) == (KNOWN["lat"], KNOWN["lon"], 11)
    move_map(page, frame, "panBy([40, 0], {animate: false})")
    lat, lon, zoom = link_view(page.url)
    assert (lat, zoom) == (KNOWN["lat"], 11) and lon > KNOWN["lon"]
    move_map(page, frame, "panBy([-40, 0], {animate: false})")
    assert link_view(page.url) == (KNOWN["lat"], KNOWN["lon"], 11)
    # Hover: the tooltip names the cluster under the pointer, with figure, year and kind.
    point = frame.evaluate(
        f"() => {{ const p = window.map.latLngToContainerPoint([{KNOWN['lat']}, {KNOWN['lon']}]);"
        " return {x: p.x, y: p.y}; }"
    )
    # drawn in its kind's colour (network members #0072B2, filled at 72 % opacity)
    frame.wait_for_function(f"() => {LAYER}.pixelAt({point})[3] > 0", timeout=30_000)
    r, g, b, a = frame.evaluate(f"() => {LAYER}.pixelAt({point})")
    assert (r, g, b) == pytest.approx((0x00, 0x72, 0xB2), abs=2) and a == pytest.approx(184, abs=2)
    box = page.locator(MAP_FRAME).bounding_box()
    x, y = box["x"] + point["x"], box["y"] + point["y"]
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=5)  # a person's pointer glides and trembles: Chromium may
    for dx, dy in ((1, 0), (0, 1), (0, 0)):  # drop the last of a burst of moves
        page.mouse.move(x + dx, y + dy)
    tip = page.frame_locator(MAP_FRAME).locator(".leaflet-tooltip")
    expect(tip).to_contain_text("North Sea & Test MST cluster", timeout=10_000)
    expect(tip).to_contain_text("1,234 employees (2019)")
    expect(tip).to_contain_text("Network members")
    # Click: the profile of that cluster opens, and the link selects it.
    page.mouse.click(x, y)
    heading = page.get_by_role("heading", name="North Sea & Test MST cluster")
    expect(heading).to_be_visible(timeout=60_000)
    page.wait_for_function("() => window.location.href.includes('sel=known-north-sea')")
    assert frame.evaluate(f"() => {LAYER}.count()") == N + 1  # still the same layer's clusters
    # The link reopens the same place, with the cluster selected.
    link = page.url
    page.close()
    page2, frame2 = open_map(offline, link)
    centre = frame2.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng]")
    assert centre == pytest.approx([KNOWN["lat"], KNOWN["lon"]], abs=0.01)
    assert frame2.evaluate("() => window.map.getZoom()") == 11
    expect(page2.get_by_role("heading", name="North Sea & Test MST cluster")).to_be_visible(
        timeout=60_000
    )
    save_artifact(page2, "map-20000-known-cluster.png")
    assert offline.blocked == []
