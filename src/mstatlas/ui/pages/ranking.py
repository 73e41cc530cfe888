"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.ranking_page`."""

from mstatlas.ui import ranking_page

ranking_page.render()
