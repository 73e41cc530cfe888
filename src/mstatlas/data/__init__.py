"""Reading, schema, validation, geocoding and storage. No Streamlit here."""
