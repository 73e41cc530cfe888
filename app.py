"""MST Atlas: Streamlit entry point. It only sets up the page and wires the pages."""

from pathlib import Path

import streamlit as st

from mstatlas.mapping.assets import install_static_assets
from mstatlas.ui import map_page, ranking_page, session, sources_page

st.set_page_config(page_title="MST Atlas", page_icon=":material/biotech:", layout="wide")
install_static_assets(Path(__file__).parent / "static")  # Leaflet served by the app
session.init_state()

pages = [
    st.Page(map_page.render, title="Map", icon=":material/map:", url_path="map", default=True),
    st.Page(
        ranking_page.render, title="Ranking", icon=":material/leaderboard:", url_path="ranking"
    ),
    st.Page(
        sources_page.render, title="Data & sources", icon=":material/menu_book:", url_path="sources"
    ),
]
st.navigation(pages).run()
session.sync_url()
