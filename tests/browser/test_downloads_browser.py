"""Downloads in a real browser: the ranking chart on a fresh session, every time, and the
report bundle's offline map opened with the network unplugged."""

from __future__ import annotations

import io
import zipfile

import pytest
from browser.harness import IDLE, save_artifact
from playwright.sync_api import expect

from mstatlas.analysis.filters import Filters
from mstatlas.io import load_clusters
from mstatlas.report.bundle import build_bundle
from mstatlas.report.view import ReportView

pytestmark = pytest.mark.browser

#: Fresh sessions in a row: the failure was intermittent, so one success proves little.
SESSIONS = 4
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _fresh_ranking(offline, app_url):
    page = offline.context.new_page()
    page.goto(f"{app_url}/ranking", wait_until="domcontentloaded")
    button = page.get_by_role("button", name="Chart as PNG")
    expect(button).to_be_visible(timeout=90_000)
    page.wait_for_function(IDLE, timeout=90_000)
    return page


def test_the_chart_downloads_on_a_fresh_session_every_time(offline, app_url, tmp_path):
    for i in range(SESSIONS):
        page = _fresh_ranking(offline, app_url)
        for label, magic in (("Chart as PNG", PNG_MAGIC), ("Chart as SVG", b"<svg")):
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name=label).click()
            path = tmp_path / f"{i}-{info.value.suggested_filename}"
            info.value.save_as(path)
            data = path.read_bytes()
            assert magic in data[:400], f"session {i}: {label} gave {data[:60]!r}"
        page.close()
    assert offline.blocked == []


def test_the_map_downloads_on_a_fresh_session_every_time(offline, app_url, tmp_path):
    prepare = "Prepare the map file (HTML, works offline)"
    label = "Download this map (HTML, works offline)"
    for i in range(SESSIONS):
        page = offline.context.new_page()
        page.goto(app_url, wait_until="domcontentloaded")
        expect(page.get_by_role("button", name=prepare)).to_be_visible(timeout=90_000)
        page.wait_for_function(IDLE, timeout=90_000)
        page.get_by_role("button", name=prepare).click()  # made on request, then offered
        expect(page.get_by_role("button", name=label)).to_be_visible(timeout=90_000)
        page.wait_for_function(IDLE, timeout=90_000)
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name=label).click()
        path = tmp_path / f"{i}-{info.value.suggested_filename}"
        info.value.save_as(path)
        head = path.read_bytes()[:2000]
        assert b"<!DOCTYPE html>" in head or b"<html" in head, f"session {i}: {head[:80]!r}"
        page.close()
    assert offline.blocked == []


def test_the_bundles_offline_map_shows_its_symbols_with_the_network_blocked(offline, tmp_path):
    view = ReportView(view_filters=Filters(countries=("DE", "NL")))
    with zipfile.ZipFile(io.BytesIO(build_bundle(load_clusters(), view).zip_bytes())) as z:
        html = z.read("map.html").decode("utf-8")
        n = sum(1 for line in z.read("ranking.csv").decode("utf-8-sig").splitlines()) - 1
    assert n > 0
    page = offline.context.new_page()
    page.set_content(html, wait_until="load")
    page.wait_for_function("() => typeof L !== 'undefined'", timeout=30_000)
    symbols = page.evaluate(
        """() => {
          let n = 0;
          for (const k of Object.keys(window).filter(k => k.startsWith("map_"))) {
            const m = window[k];
            if (m instanceof L.Map) {
              m.eachLayer(l => { if (l instanceof L.CircleMarker) { n++; } });
            }
          }
          return n;
        }"""
    )
    clusters = load_clusters()
    expected = clusters[clusters["country_iso2"].isin(["DE", "NL"])]["cluster_id"].nunique()
    assert symbols == expected
    expect(page.locator(".mst-legend")).to_be_visible()
    assert offline.blocked == [], f"the map tried to reach the internet: {offline.blocked[:3]}"
    save_artifact(page, "bundle-map-offline.png")
