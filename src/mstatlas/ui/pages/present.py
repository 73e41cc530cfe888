"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.present_page`."""

from mstatlas.ui import present_page

present_page.render()
