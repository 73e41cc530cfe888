"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.upload_page`."""

from mstatlas.ui import upload_page

upload_page.render()
