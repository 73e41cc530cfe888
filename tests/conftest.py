"""Shared pytest fixtures.

PostgreSQL: ``postgres_url`` starts one throwaway server per test session
(see ``tests/postgres_server.py``), or uses ``MSTATLAS_TEST_POSTGRES_URL``
when that points at an existing server.

A missing PostgreSQL or Chromium (``browser``, tests/browser/harness.py) fails the
run, under CI (``CI=true``) as on a developer's machine: their tests are never
skipped. tests/test_missing_services.py checks it with paths that hold neither
(``MSTATLAS_CHROMIUM``, ``MSTATLAS_POSTGRES_BIN``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from browser.harness import browser  # noqa: F401  one Chromium per session, for every test dir
from postgres_server import PostgresUnavailable, find_bin_dir, postgres_server

NO_POSTGRES = (
    "PostgreSQL server binaries not found: install Debian's postgresql package (bash .ci/run does)"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL of a real PostgreSQL database for this test session."""
    existing = os.environ.get("MSTATLAS_TEST_POSTGRES_URL", "").strip()
    if existing:
        yield existing
        return
    if find_bin_dir() is None:
        pytest.fail(NO_POSTGRES)  # a missing service fails the run, never skips its tests
    try:
        server = postgres_server()
        url = server.__enter__()
    except PostgresUnavailable as exc:
        pytest.fail(f"{NO_POSTGRES}; {exc}")
    try:
        yield url
    finally:
        server.__exit__(None, None, None)
