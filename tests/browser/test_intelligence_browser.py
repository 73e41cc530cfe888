"""Cluster intelligence in a real browser (network unplugged): pick two clusters on the map
and see them compared; the country view filters the atlas."""

from __future__ import annotations

import re

import pytest
from browser.harness import IDLE, save_artifact
from browser.test_atlas_browser import MAP_FRAME, open_map
from playwright.sync_api import expect

from mstatlas import load_clusters

pytestmark = pytest.mark.browser


def _pin(cluster_id: str) -> tuple[float, float, str]:
    c = load_clusters()
    row = c[c["cluster_id"] == cluster_id].iloc[0]
    return float(row["lat"]), float(row["lon"]), str(row["cluster_name"])


def click_cluster(page, cluster_id: str) -> str:
    """Click a cluster's circle on the map as a person would; wait for its profile."""
    lat, lon, name = _pin(cluster_id)
    frame = page.locator(MAP_FRAME).element_handle().content_frame()
    frame.wait_for_function("() => window.map && window.map.getZoom() >= 1", timeout=30_000)
    point = frame.evaluate(
        f"""() => {{ const p = window.map.latLngToContainerPoint([{lat}, {lon}]);
                   return {{x: p.x, y: p.y}}; }}"""
    )
    box = page.locator(MAP_FRAME).bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=30_000)
    return name


def test_pick_two_clusters_on_the_map_and_see_them_compared(offline, app_url):
    page, _ = open_map(offline, app_url)
    first = click_cluster(page, "dortmund")
    page.get_by_role("button", name="Add to comparison").click()
    expect(page.get_by_text("In the comparison.")).to_be_visible(timeout=30_000)
    second = click_cluster(page, "grenoble")
    page.get_by_role("button", name="Add to comparison").click()
    link = page.get_by_role("link", name="Compare 2 clusters")
    expect(link).to_be_visible(timeout=30_000)
    # the map page has finished its run (a page link clicked while a run is still going
    # can be overtaken by that run, and the page stays)
    page.wait_for_function(IDLE, timeout=60_000)
    link.click()
    expect(page.get_by_role("heading", name="Compare clusters")).to_be_visible(timeout=30_000)
    page.wait_for_function(
        "() => decodeURIComponent(window.location.search).includes('cmp=dortmund,grenoble')",
        timeout=30_000,
    )
    # both clusters are picked, and the unfair pairs are said before any chart
    picked = page.get_by_test_id("stMultiSelect")
    expect(picked.get_by_text(first)).to_be_visible(timeout=30_000)
    expect(picked.get_by_text(second)).to_be_visible()
    expect(page.get_by_text(re.compile(r"Not comparable: \d+ of \d+ pairs"))).to_be_visible()
    expect(page.get_by_role("heading", name="Side by side")).to_be_visible()
    charts = page.locator("[data-testid='stVegaLiteChart']")
    expect(charts.first).to_be_visible(timeout=30_000)
    assert charts.count() >= 3
    assert offline.blocked == [], f"page tried to reach the internet: {offline.blocked[:5]}"
    save_artifact(page, "compare-two-from-map.png")


def test_ivam_benchmark_set_opens_in_one_click(offline, app_url):
    page = offline.context.new_page()
    page.goto(f"{app_url}/compare", wait_until="domcontentloaded")
    button = page.get_by_role("button", name="IVAM 2007 benchmark set (8 clusters)")
    expect(button).to_be_visible(timeout=60_000)
    button.click()
    page.wait_for_function(
        "() => (decodeURIComponent(window.location.search).match(/cmp=([^&]*)/) || ['', ''])[1]"
        ".split(',').length === 8",
        timeout=30_000,
    )
    expect(page.get_by_role("heading", name="Growth over time")).to_be_visible(timeout=30_000)
    assert offline.blocked == []
    save_artifact(page, "compare-ivam.png")
