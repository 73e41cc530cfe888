"""AppTest: the data pages in German, blanks shown blank, a shared dataset keeps its title."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP, PAGES

from mstatlas.i18n import language

FIRMS = (
    "Firma;Stadt;Land;Beschäftigte;Technologie\n"
    "Mikro GmbH;München;Deutschland;1.020;MEMS\n"
    "Nano AG;München;Deutschland;80;Mikrofluidik\n"
    "Optik KG;Besançon;Frankreich;;Mikrooptik\n"
    "Bad Firma;Dortmund;Deutschland;-5;MEMS\n"
).encode("cp1252")


pytestmark = pytest.mark.usefixtures("public_address")


def _upload(at, name: str = "firmen.csv", content: bytes = FIRMS):
    """Open the upload page (the first run when ``at`` has not run yet) and upload a file."""
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


@pytest.fixture
def german():
    """German in the test's thread too: AppTest formats the options of a widget (with the
    page's format_func, which reads the active language) outside the script's run."""
    with language("de"):
        yield


def _no_none_shown(table) -> None:
    """A table whose blanks are drawn blank: Streamlit's placeholder for missing values is
    empty, and no cell holds the words None or nan."""
    assert table.proto.HasField("placeholder") and table.proto.placeholder == ""
    words = {str(v) for v in table.value.astype(object).to_numpy().ravel() if isinstance(v, str)}
    assert not words & {"None", "nan", "NaN", "<NA>"}


def test_the_upload_page_speaks_german(app, german):
    app.query_params["lang"] = "de"
    at = _upload(app)
    assert not at.exception
    assert at.title[0].value == "Eigene Daten einbringen"
    assert at.radio(key=next(r.key for r in at.radio if r.key.startswith("kind_"))).label == (
        "Die Datei enthält"
    )
    metrics = {m.label: m.value for m in at.metric}
    # 4 firm rows, the one with -5 employees rejected
    assert metrics == {
        "Zeilen in der Datei": "4",
        "Übernommen": "3",
        "Abgelehnt": "1",
        "Warnungen": "0",
    }
    assert any(b.label == "Auf der Karte zeigen" for b in at.button)
    assert "Gelesen als **Firmenliste**" in "\n".join(m.value for m in at.markdown)


def test_the_upload_page_before_a_file_says_what_to_do(app):
    at = app.run()
    at.switch_page(f"{PAGES}/upload.py").run()
    assert "No file yet" in at.info[0].value and "Show on the map" in at.info[0].value


def test_the_upload_preview_shows_blanks_blank(app):
    at = _upload(app.run())
    preview = at.dataframe[-1]
    # Besançon's firm has no head count: a missing value in the preview, drawn blank
    assert preview.value.isna().to_numpy().any()
    _no_none_shown(preview)
    report = at.dataframe[0]  # the validation report
    assert list(report.value["row"]) == [5]
    _no_none_shown(report)


def test_the_sources_table_shows_blanks_blank_and_numbers_per_language(app, german):
    app.query_params["lang"] = "de"
    at = app.switch_page(f"{PAGES}/sources.py").run()
    assert not at.exception
    assert at.title[0].value == "Daten und Quellen"
    table = at.dataframe[0]
    _no_none_shown(table)
    dortmund = table.value[table.value["Cluster"] == "Dortmund MST cluster"]
    # IVAM 2007: about 2,100 employees, written the German way
    assert "2.100" in set(dortmund["Employees"])
    assert "39" in set(dortmund["Firms"])


def test_data_and_sources_without_rows_says_how_to_widen_the_filters(app):
    app.query_params["min_firms"] = "10000000"
    at = app.run()
    at.switch_page(f"{PAGES}/sources.py").run()
    assert not at.exception
    assert not at.dataframe
    assert any("No figure matches the filters" in i.value for i in at.info)
