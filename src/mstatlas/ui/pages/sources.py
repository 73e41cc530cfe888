"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.sources_page`."""

from mstatlas.ui import sources_page

sources_page.render()
