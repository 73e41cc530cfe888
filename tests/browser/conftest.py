from browser.harness import app_url, browser, offline  # noqa: F401  (pytest fixtures)
