"""MST Atlas: Streamlit entry point. It only sets up the page and wires the pages."""

from pathlib import Path

import streamlit as st

from mstatlas.mapping.assets import install_static_assets
from mstatlas.ui import session, sidebar

PAGES = Path("src/mstatlas/ui/pages")  # one small script per page, each calls a render()

st.set_page_config(
    page_title="MST Atlas",
    page_icon=str(Path(__file__).parent / "src/mstatlas/ui/favicon.png"),
    layout="wide",
)
install_static_assets(Path(__file__).parent / "static")  # Leaflet served by the app itself
session.init_state()

navigation = st.navigation(
    [
        st.Page(PAGES / "map.py", title="Map", icon=":material/map:", url_path="map", default=True),
        st.Page(PAGES / "ranking.py", title="Ranking", icon=":material/leaderboard:"),
        st.Page(PAGES / "sources.py", title="Data & sources", icon=":material/menu_book:"),
    ]
)
sidebar.render()  # dataset, measure and filters: shared by every page
navigation.run()
session.sync_url()
