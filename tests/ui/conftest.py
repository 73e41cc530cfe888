from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP


@pytest.fixture
def app():
    """A fresh AppTest of the real app.py (set query params before .run())."""
    return AppTest.from_file(APP, default_timeout=90)
