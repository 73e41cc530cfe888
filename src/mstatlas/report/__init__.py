"""The report bundle: one ZIP of the current view (figures, charts, maps, methodology).

Sits between the UI and the mapping layer: it assembles what the lower layers draw and
never imports Streamlit, so the app and the command line build the same bundle.
"""
