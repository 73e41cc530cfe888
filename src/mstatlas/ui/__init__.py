"""Streamlit pages and widgets, URL state: the only layer that imports Streamlit."""
