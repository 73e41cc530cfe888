from hosted.topology import both_running, browser, topology  # noqa: F401  (pytest fixtures)
