"""The basemap in the page: a small loader (not the names), the panes, the tile notice."""

from __future__ import annotations

from mstatlas.i18n import language
from mstatlas.mapping import basemap
from mstatlas.mapping.assets import standalone_html
from mstatlas.mapping.basemap_layer import BASEMAP_CSS, LABEL_PANE, BasemapLayer
from mstatlas.mapping.build import BASE_PANE, build_base_map

#: The loader's share of the page payload (data/README.md, "Payload budget").
LOADER_BUDGET = 8_000
NOTICE = "Street map tiles cannot be loaded (offline?); showing the offline basemap"


def test_the_page_carries_the_loader_not_the_names():
    m = build_base_map()
    (layer,) = [c for c in m._children.values() if isinstance(c, BasemapLayer)]
    loader = layer._template.module.script(layer) + BASEMAP_CSS
    assert len(loader.encode()) <= LOADER_BUDGET
    assert "places-z3.json" in loader and basemap.FINE_OUTLINES_FILE in loader
    page = m.get_root().render()
    assert "Bochum" not in page and "Schwerte" not in page  # fetched when zoomed, not sent
    saved = standalone_html(build_base_map())
    assert "window.MSTATLAS_BASEMAP = {" in saved and '"Schwerte"' in saved
    assert '"places-z10.json"' in saved and '"q":1000' in saved
    assert len(saved) - len(page) < 700_000  # Leaflet (~150 KB) and the basemap parts


def test_street_tiles_bring_the_notice_in_the_chosen_language():
    assert NOTICE in build_base_map(online_tiles=True).get_root().render()
    assert NOTICE not in build_base_map().get_root().render()  # no tiles, nothing to fail
    with language("de"):
        german = build_base_map(online_tiles=True).get_root().render()
    assert NOTICE not in german and "Offline-Grundkarte" in german


def test_outlines_lie_under_the_tiles_and_labels_over_the_symbols():
    page = build_base_map(online_tiles=True).get_root().render()
    assert f'createPane("{BASE_PANE}").style.zIndex = 150' in page  # tile pane: 200
    assert page.index(f'pane: "{BASE_PANE}"') < page.index("L.tileLayer(")
    assert f'"pane":"{LABEL_PANE}","paneZ":450' in page  # overlay pane (symbols): 400
    assert ".mst-place{" in page and "pointer-events:none" in BASEMAP_CSS
    assert "GeoNames (CC BY 4.0)" in page
