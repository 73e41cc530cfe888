"""One tiny script per page, so ``st.navigation`` and AppTest address pages by file."""
