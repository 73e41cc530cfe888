"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.compare_page`."""

from mstatlas.ui import compare_page

compare_page.render()
