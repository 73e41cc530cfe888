"""Format, separator and header-row sniffing (mstatlas.io.sniff)."""

import pytest

from mstatlas.errors import DataError
from mstatlas.io.sniff import clean_names, find_header, sniff_csv, sniff_format, sniff_separator


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"name,city\nA,Berlin\n", "a.csv", "csv"),
        (b"name;city\nA;Berlin\n", "a.txt", "csv"),
        (b'\xef\xbb\xbf  {"type": "FeatureCollection"}', "a.txt", "geojson"),
        (b"[]", "clusters.json", "geojson"),
        (b"PAR1\x15\x04", "a.bin", "parquet"),
        (b"PK\x03\x04rest", "book.xlsx", "xlsx"),
    ],
)
def test_format_from_first_bytes_and_extension(data, filename, expected):
    assert sniff_format(data, filename) == expected


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            "does not look like a table: it contains binary",
        ),
        (b"\x1f\x8b\x08\x00rest", "does not look like a table"),
        (b"%PDF-1.7\n", "is a PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Excel 97-2003"),
        (b"PK\x03\x04rest", "is a ZIP archive, not a table"),
        (b"\xef\xbb\xbf \r\n\t", "is empty"),
    ],
)
def test_files_that_are_not_tables_are_refused_by_name(data, match):
    with pytest.raises(DataError, match=match):
        sniff_format(data, "upload.dat")


def test_separator_is_the_one_that_splits_lines_evenly():
    lines = ["Firma;Ort;Mitarbeiter", "A, B & Co;Köln;12", "C;Bonn;3"]
    assert sniff_separator(lines) == ";"  # the commas split one line only
    assert sniff_separator(["a\tb\tc", "1\t2\t3"]) == "\t"
    assert sniff_separator(["just one column", "another"]) == ","


def test_header_is_found_below_title_rows():
    records = [
        ["MST clusters in Saxony"],
        ["Survey 2021", ""],
        ["Name", "Ort", "Beschäftigte"],
        ["Silicon Saxony", "Dresden", "2100"],
    ]
    assert find_header(records) == 2


def test_a_row_of_numbers_is_never_the_header():
    # The first full row holds only numbers, the second only unknown words: that one is chosen.
    records = [["1", "2", "3"], ["alpha", "beta", "gamma"], ["4", "5", "6"]]
    assert find_header(records) == 1


def test_clean_names_fills_blanks_and_numbers_repeats():
    assert clean_names(["Ort", " ", "Ort", "a  b"], 5) == [
        "Ort",
        "Column 2",
        "Ort (2)",
        "a b",
        "Column 5",
    ]


def test_sniff_csv_gives_separator_header_index_and_trimmed_header():
    text = "Clusters 2020\n\nName;City;Firms;;\nA;Berlin;3;;\n"
    sep, k, header = sniff_csv(text, "clusters.csv")
    # non-empty records: title (0), header (1)
    assert (sep, k, header) == (";", 1, ["Name", "City", "Firms"])


def test_tsv_extension_prefers_the_tab():
    sep, _k, _header = sniff_csv("name\tcity,country\nA\tBerlin,DE\n", "x.tsv")
    assert sep == "\t"


def test_text_full_of_control_characters_is_binary():
    text = "name,city\n" + "\x01\x02\x03\x04\x05,x\n" * 10
    with pytest.raises(DataError, match="contains binary data"):
        sniff_csv(text, "x.csv")
