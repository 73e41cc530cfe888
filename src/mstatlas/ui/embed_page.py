"""``?embed=true``: just the map and its legend, for an iframe."""

from __future__ import annotations

import streamlit as st

from mstatlas.i18n import _
from mstatlas.ui import components, session
from mstatlas.ui.datasets import current, filters_key, points, public_view, title

#: The map fills what the frame leaves after the legend and the credit line, so both stay
#: in view in any frame (the map keeps at least 160 px); in a small frame the
#: legend is compact. The map's own page fills its frame (mapping.build.FILL_FRAME_CSS).
EMBED_CSS = """
<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stExpandSidebarButton"],
[data-testid="stToolbar"], footer {display: none !important;}
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {overflow: hidden !important;}
.block-container, [data-testid="stMainBlockContainer"] {
  padding: 0.4rem 0.6rem !important; max-width: 100% !important; height: 100vh; box-sizing: border-box;
}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] {
  height: 100%; gap: 0.3rem; flex-wrap: nowrap;
}
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > * {flex-shrink: 0;}
[data-testid="stElementContainer"]:has(iframe[title="streamlit_folium.st_folium"]) {
  flex: 1 1 0; min-height: 160px;
}
[data-testid="stElementContainer"]:has(iframe[title="streamlit_folium.st_folium"]) > div,
iframe[title="streamlit_folium.st_folium"] {height: 100% !important;}
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] {line-height: 1.3;}
@media (max-width: 560px), (max-height: 520px) {
  .mst-legend-colour > div, .mst-legend-size > div {font-size: 11px !important;}
  .mst-legend-colour {display: flex; flex-wrap: wrap; column-gap: 10px;}
  .mst-legend-size img {height: 42px; width: auto;}
  [data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] {font-size: 11px;}
  [data-testid="stMainBlockContainer"] div:has(> .mst-legend-size) {gap: 4px 14px !important;}
}
</style>
"""

#: Height the map is drawn at before the page's CSS fits it to the frame, and of the iframe
#: the Share panel suggests: the map, its legend and the credit line fit in any frame
#: from 420 x 400 px up (checked by a browser test).
EMBED_MAP_HEIGHT, EMBED_FRAME_HEIGHT = 480, 700


def render() -> None:
    """Draw the embeddable map."""
    st.html(EMBED_CSS)
    session.show_notices()
    view = session.view()
    ds = public_view(current())  # what a share would show: never a firm's own figure
    fkey = filters_key(view.filters())
    pts = points(ds.id, fkey, view.measure)
    clicked = components.atlas_map(
        pts, view.measure, (ds.id, fkey, view.measure), page="embed", height=EMBED_MAP_HEIGHT
    )
    if clicked and clicked != view.selected:
        session.update_view(selected=clicked)
    components.legend(pts, view.measure, (ds.id, fkey, view.measure))
    st.caption(
        _(
            "MST Atlas · {dataset} · figures as reported by their sources; "
            "open the full atlas for sources and profiles."
        ).format(dataset=components.md(title(ds)))
    )
