"""CSV/TSV reading (mstatlas.io.csv): cells as text, row numbers as the person counts them."""

import pytest

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.io.csv import read_csv


def cells(raw):
    return raw.frame.astype(object).values.tolist()


def test_semicolon_file_with_title_row_keeps_text_and_row_numbers():
    data = b"Firms in Saxony\nName;Ort;Mitarbeiter\nA GmbH;Dresden;1.200\nB AG; Leipzig ;07\n"
    raw = read_csv(data, "s.csv", Limits())
    assert list(raw.frame.columns) == ["Name", "Ort", "Mitarbeiter"]
    # cells stay text exactly as written: no number parsing, no trimming here
    assert cells(raw) == [["A GmbH", "Dresden", "1.200"], ["B AG", " Leipzig ", "07"]]
    assert raw.rows.tolist() == [3, 4]  # title row 1, header row 2
    assert raw.detected["header_row"] == 2
    assert (raw.detected["separator"], raw.detected["separator_name"]) == (";", "semicolon")
    assert raw.detected["format"] == "csv" and raw.detected["encoding"] == "utf-8"


def test_cp1252_file_is_read_with_its_umlauts():
    text = "Firma;Ort\nMüller Präzision;Göttingen\nWeiß & Söhne;Fürth\n"
    raw = read_csv(text.encode("cp1252"), "f.csv", Limits())
    assert raw.detected["encoding"] == "cp1252"
    assert cells(raw) == [["Müller Präzision", "Göttingen"], ["Weiß & Söhne", "Fürth"]]


def test_quoted_line_break_and_blank_lines_keep_row_numbers():
    data = b'name,note\nA,"two\nlines"\n\nB,x\n'
    raw = read_csv(data, "q.csv", Limits())
    assert cells(raw) == [["A", "two\nlines"], ["B", "x"]]
    # rows as a spreadsheet shows them: header 1, A (two lines in one cell) 2, blank 3, B 4
    assert raw.rows.tolist() == [2, 4]


def test_ragged_row_is_refused_with_its_number_and_the_separator_named():
    data = b"name;city\nA;Bonn\nB;Bonn;extra\nC\n"
    raw = read_csv(data, "r.csv", Limits())
    assert raw.detected["reader"] == "python"
    assert cells(raw) == [["A", "Bonn"], ["B", "Bonn"], ["C", ""]]  # short row padded
    assert raw.rejected.tolist() == [False, True, False]
    (p,) = raw.problems
    assert p.row == 3 and p.value == "B;Bonn;extra"
    assert p.reason.startswith("the row has 3 values but the header has 2 columns")
    assert "(semicolon)" in p.reason


def test_empty_unnamed_columns_are_dropped_named_ones_kept():
    raw = read_csv(b"a,b,,\n1,,,\n2,,,\n", "e.csv", Limits())
    assert list(raw.frame.columns) == ["a", "b"]


def test_tab_separated_file():
    raw = read_csv(b"name\tcity\nA\tBonn\n", "t.tsv", Limits())
    assert raw.detected["separator_name"] == "tab"
    assert cells(raw) == [["A", "Bonn"]]


def test_binary_text_is_refused():
    with pytest.raises(DataError, match="does not look like a table: it contains binary data"):
        read_csv(b"name,city\n" + b"\x01\x02\x03\x04,\x05\x06\n" * 20, "b.csv", Limits())
