"""Streamlit page script; the page itself lives in :mod:`mstatlas.ui.firm_clusters_page`."""

from mstatlas.ui import firm_clusters_page

firm_clusters_page.render()
