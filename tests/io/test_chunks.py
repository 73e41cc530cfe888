"""A CSV file in chunks (mstatlas.io.chunks): cut at record ends, rows numbered as in the file."""

from __future__ import annotations

import numpy as np
import pytest

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.io import chunks as chunks_module
from mstatlas.io.chunks import csv_chunks, file_encoding, record_ends
from mstatlas.io.load import read_raw


def read_back(path, rows, header_row=1, encoding="utf-8"):
    """Every chunk read as a CSV file of its own, rows moved to the file's numbering."""
    frames, numbers = [], []
    for chunk in csv_chunks(path, encoding, rows, header_row):
        raw, _ = read_raw(chunk.data, "c.csv", None, Limits())
        frames.append(raw.frame.astype(object).values.tolist())
        numbers.extend((raw.rows + chunk.row_offset).tolist())
    return [r for f in frames for r in f], numbers


def whole(path):
    raw, _ = read_raw(path)
    return raw.frame.astype(object).values.tolist(), raw.rows.tolist()


def test_record_ends_skip_line_breaks_inside_quotes():
    block = b'a,b\n"x\ny",1\n"q'
    ends, open_quote = record_ends(block, False)
    assert ends.tolist() == [3, 11] and open_quote
    ends, open_quote = record_ends(b"x\ny\n", True)  # no quote here: still inside the value
    assert ends.tolist() == [] and open_quote
    ends, open_quote = record_ends(b'\nz",2\nw,3\n', True)  # the quote of the last block goes on
    assert ends.tolist() == [5, 9] and not open_quote


@pytest.mark.parametrize("rows", [1, 2, 3, 7, 100])
def test_chunks_read_back_as_the_whole_file(tmp_path, monkeypatch, rows):
    monkeypatch.setattr(chunks_module, "BLOCK_BYTES", 5)  # records cross block boundaries
    text = (
        "Firms 2024\n\n"  # a title and a blank line above the header
        "name,city,employees\r\n"
        'A,Jena,1\r\n"B\r\nNord, GmbH",Essen,2\r\n\r\nC,"Bo""chum",3\r\nD,Köln,4\r\nE,Ulm,5'
    )
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode())
    assert read_back(path, rows, header_row=3) == whole(path)
    assert whole(path)[1] == [4, 5, 7, 8, 9]  # records as the reader counts them


def test_later_chunks_start_with_the_header_and_know_their_offset(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a;b\n1;2\n3;4\n5;6\n7;8\n")
    parts = list(csv_chunks(path, "utf-8", 2))
    assert [p.data for p in parts] == [b"a;b\n1;2\n3;4\n", b"a;b\n5;6\n7;8\n"]
    assert [p.row_offset for p in parts] == [0, 2]  # row 2 of the second chunk is row 4
    assert [p.n_records for p in parts] == [3, 2]
    assert parts[-1].bytes_read == path.stat().st_size


def test_other_encodings_become_utf8_without_a_byte_order_mark(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("Firma;Ort\nMüller;Köln\nWeiß;Fürth\n".encode("utf-16"))
    assert file_encoding(path, "f.csv") == "utf-16"
    parts = list(csv_chunks(path, "utf-16", 1))
    assert parts[0].data == "Firma;Ort\nMüller;Köln\n".encode()
    assert parts[1].data == "Firma;Ort\nWeiß;Fürth\n".encode()


def test_encoding_of_the_whole_file(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfa;b\n1;2\n")
    assert file_encoding(path, "f.csv") == "utf-8-sig"
    assert list(csv_chunks(path, "utf-8-sig", 5))[0].data == b"a;b\n1;2\n"
    path.write_bytes(b"a;b\n" + b"x;y\n" * 100_000 + "Göttingen;1\n".encode("cp1252"))
    assert file_encoding(path, "f.csv") == "cp1252"


def test_bytes_invalid_in_a_wide_encoding_are_refused_with_where(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xff\xfe" + "a;b\n".encode("utf-16-le") + b"\x00\xd8\x41\x00")
    with pytest.raises(DataError, match="is not valid UTF-16 text near byte"):
        list(csv_chunks(path, "utf-16", 10))


def test_old_mac_line_ends(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a;b\r1;2\r3;4\r")
    assert [p.data for p in csv_chunks(path, "utf-8", 1)] == [b"a;b\n1;2\n", b"a;b\n3;4\n"]


def test_rows_per_chunk_must_be_positive(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a\n1\n")
    with pytest.raises(ValueError, match="rows must be 1 or more"):
        list(csv_chunks(path, "utf-8", 0))
    assert np.array_equal(record_ends(b"", False)[0], [])
