"""AppTest: the data pages in German, blanks shown blank, a shared dataset keeps its title."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP, PAGES

FIRMS = (
    "Firma;Stadt;Land;Beschäftigte;Technologie\n"
    "Mikro GmbH;München;Deutschland;1.020;MEMS\n"
    "Nano AG;München;Deutschland;80;Mikrofluidik\n"
    "Optik KG;Besançon;Frankreich;;Mikrooptik\n"
    "Bad Firma;Dortmund;Deutschland;-5;MEMS\n"
).encode("cp1252")


@pytest.fixture(autouse=True)
def _own_database(tmp_path, monkeypatch):
    monkeypatch.setenv("MSTATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'share.sqlite'}")
    monkeypatch.setenv("MSTATLAS_HOME", str(tmp_path))
    monkeypatch.setenv("MSTATLAS_BASE_URL", "https://atlas.example.org")


def _upload(at, name: str = "firmen.csv", content: bytes = FIRMS):
    at.switch_page(f"{PAGES}/upload.py").run()
    at.file_uploader(key="upload_file").set_value((name, content, "text/csv")).run()
    return at


def test_a_shared_dataset_reaches_its_recipient_under_its_title(app):
    at = _upload(app.run())
    at.text_input(key=next(t.key for t in at.text_input if t.key.startswith("title_"))).input(
        "Firmen im Ruhrgebiet 2024"
    ).run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("add_"))).click()
    at.run()
    at.switch_page(f"{PAGES}/map.py").run()
    at.button(key="share_dataset").click().run()
    assert not at.exception
    shared_id = at.session_state["view"].dataset
    other = AppTest.from_file(APP, default_timeout=90)
    other.query_params["ds"] = shared_id
    other.run()
    assert not other.exception
    picker = other.selectbox(key="w_dataset")
    assert "Firmen im Ruhrgebiet 2024" in picker.options
    assert picker.value == shared_id
    assert not any(o.startswith("Shared dataset") for o in picker.options)
