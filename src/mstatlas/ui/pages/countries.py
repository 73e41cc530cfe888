"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.countries_page`."""

from mstatlas.ui import countries_page

countries_page.render()
