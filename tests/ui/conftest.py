from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP


@pytest.fixture
def app():
    """A fresh AppTest of the real app.py (set query params before .run())."""
    return AppTest.from_file(APP, default_timeout=90)


@pytest.fixture
def own_database(tmp_path, monkeypatch):
    """A test's own SQLite store and home folder, and the default disclosure rules."""
    monkeypatch.setenv("MSTATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'share.sqlite'}")
    monkeypatch.setenv("MSTATLAS_HOME", str(tmp_path))
    monkeypatch.delenv("MSTATLAS_MIN_FIRMS", raising=False)
    monkeypatch.delenv("MSTATLAS_DOMINANCE", raising=False)


@pytest.fixture
def public_address(own_database, monkeypatch):
    """:func:`own_database` with the hosted address share links are written with."""
    monkeypatch.setenv("MSTATLAS_BASE_URL", "https://atlas.example.org")
