"""``?embed=true``: just the map and its legend, for an iframe."""

from __future__ import annotations

import streamlit as st

from mstatlas.ui import components, session
from mstatlas.ui.datasets import current, filters_key, points, public_view

HIDE_CHROME = """
<style>
header[data-testid="stHeader"], [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stToolbar"], footer {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding: 0.5rem 0.75rem !important; max-width: 100% !important;}
</style>
"""


#: Height of the embedded map, and of the iframe the Share panel suggests: the map, its
#: legend and the credit line fit in it without scrolling (checked by a browser test).
EMBED_MAP_HEIGHT, EMBED_FRAME_HEIGHT = 480, 700


def render() -> None:
    """Draw the embeddable map."""
    st.html(HIDE_CHROME)
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
        f"MST Atlas · {components.md(ds.name)} · figures as reported by their sources; "
        "open the full atlas for sources and profiles."
    )
