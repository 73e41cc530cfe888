"""folium map building, symbols and legends. No Streamlit here."""
