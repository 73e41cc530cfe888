"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.map_page`."""

from mstatlas.ui import map_page

map_page.render()
