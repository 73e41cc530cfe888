from browser.harness import app_url, offline  # noqa: F401  (pytest fixtures; browser: tests/conftest.py)
