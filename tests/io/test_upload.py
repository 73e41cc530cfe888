"""read_upload in the reader's language: the report's reasons and summary, and refusals."""

from __future__ import annotations

import pytest

from mstatlas.errors import DataError
from mstatlas.i18n import language
from mstatlas.io import read_upload

CSV = (
    "name;city;country;employees;year\n"
    "Dortmund MST;Dortmund;DE;2.100;2007\n"
    "Bochum;Bochum;DE;-3;2007\n"
    "Essen;Essen;DE;12;1850\n"
)


def _read(lang: str):
    """The result and its summary, both in ``lang`` (reasons are written while reading)."""
    with language(lang):
        result = read_upload(CSV.encode(), filename="cluster.csv", kind="clusters")
        return result, result.report.summary()


def test_a_bad_row_is_explained_in_german():
    result, summary = _read("de")
    reasons = {(p.row, p.column): p.reason for p in result.report.problems}
    assert reasons[(3, "employees")] == "'-3' ist negativ; eine Anzahl kann nicht unter 0 liegen"
    assert reasons[(4, "year")] == "'1850' ist kein Jahr zwischen 1900 und 2100"
    assert summary.startswith(
        "1 von 3 Zeilen importiert, 2 abgelehnt. Erstes Problem: Zeile 3, Spalte 'employees': "
        "'-3' ist negativ"
    )


def test_the_same_file_in_english_reads_as_before():
    result, summary = _read("en")
    reasons = {(p.row, p.column): p.reason for p in result.report.problems}
    assert reasons[(3, "employees")] == "'-3' is negative; a count cannot be below 0"
    assert summary.startswith("1 of 3 rows imported, 2 rejected. First problem: Row 3")


def test_the_figures_do_not_depend_on_the_language():
    de, en = _read("de")[0], _read("en")[0]
    assert de.clusters["employees"].tolist() == en.clusters["employees"].tolist() == [2100]


def test_a_refused_file_says_why_in_german():
    with language("de"), pytest.raises(DataError, match="Die Datei leer.csv ist leer"):
        read_upload(b"", filename="leer.csv")
