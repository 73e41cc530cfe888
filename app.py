"""MST Atlas: Streamlit entry point. It only sets up the page and wires the pages."""

import base64
from pathlib import Path

import streamlit as st

from mstatlas.i18n import _
from mstatlas.mapping.assets import install_static_assets
from mstatlas.ui import (  # imported at start-up, not by the first sessions at once
    accessible,
    bundle_panel,
    compare_page,  # noqa: F401
    countries_page,  # noqa: F401
    embed_page,
    firm_clusters_page,  # noqa: F401
    map_page,  # noqa: F401
    present_page,  # noqa: F401
    ranking_page,  # noqa: F401
    session,
    sidebar,
    sources_page,  # noqa: F401
    upload_page,  # noqa: F401
)

HERE = Path(__file__).parent
PAGES = Path("src/mstatlas/ui/pages")  # one small script per page, each calls a render()

# As a data: URL the icon is passed through as is (a file path is re-read and
# re-registered with the media manager on every rerun).
FAVICON = "data:image/png;base64," + base64.b64encode(
    (HERE / "src/mstatlas/ui/favicon.png").read_bytes()
).decode("ascii")
st.set_page_config(page_title="MST Atlas", page_icon=FAVICON, layout="wide")
install_static_assets(HERE / "static")  # Leaflet served by the app itself, never a CDN
session.init_state()  # the view, parsed once from the link
session.begin_run()
accessible.page_css()  # keyboard focus rings and a print layout, on every page

if session.view().embed:  # ?embed=true: only the map and its legend, for an iframe
    embed_page.render()
else:
    map_page_entry = st.Page(
        PAGES / "map.py", title=_("Map"), icon=":material/map:", url_path="map", default=True
    )
    navigation = st.navigation(
        [
            map_page_entry,
            st.Page(PAGES / "ranking.py", title=_("Ranking"), icon=":material/leaderboard:"),
            st.Page(PAGES / "compare.py", title=_("Compare"), icon=":material/compare_arrows:"),
            st.Page(PAGES / "countries.py", title=_("Countries"), icon=":material/public:"),
            st.Page(PAGES / "firm_clusters.py", title=_("Firm clusters"), icon=":material/hub:"),
            st.Page(PAGES / "upload.py", title=_("Your data"), icon=":material/upload_file:"),
            st.Page(PAGES / "sources.py", title=_("Data & sources"), icon=":material/menu_book:"),
            st.Page(PAGES / "present.py", title=_("Present"), icon=":material/slideshow:"),
        ]
    )
    session.enter_page(navigation.url_path)
    if navigation.url_path == map_page_entry.url_path and session.map_first():
        sidebar.settle()  # the map first: the sidebar follows in the run its first report starts
    else:
        sidebar.render()  # dataset, measure and filters: shared by every page
        bundle_panel.render()  # one ZIP of this view, at the sidebar's bottom
    navigation.run()
session.sync_url()  # the link always reproduces what is on screen
session.end_run()
