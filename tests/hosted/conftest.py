from hosted.topology import both_running, topology  # noqa: F401  (pytest fixtures; browser: tests/conftest.py)
