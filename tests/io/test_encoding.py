"""Encoding detection and decoding (mstatlas.io.encoding)."""

import pytest

from mstatlas.errors import DataError
from mstatlas.io.encoding import as_utf8, decode, decoded

GERMAN = "Firma;Ort;Beschäftigte\nMüller Präzision GmbH;Göttingen;12\nWeiß AG;Fürth;7\n"


def test_cp1252_german_umlauts_are_read_back():
    text, encoding = decode(GERMAN.encode("cp1252"), "firms.csv")
    assert encoding == "cp1252"
    assert text == GERMAN


def test_utf8_is_taken_as_utf8():
    assert decode(GERMAN.encode("utf-8"), "firms.csv") == (GERMAN, "utf-8")


@pytest.mark.parametrize(("codec", "name"), [("utf-16", "utf-16"), ("utf-8-sig", "utf-8-sig")])
def test_byte_order_marks_decide(codec, name):
    text, encoding = decode(GERMAN.encode(codec), "firms.csv")
    assert encoding == name
    assert text.lstrip("\ufeff") == GERMAN


def test_utf16_without_a_mark_is_recognised_by_its_zero_bytes():
    text, encoding = decode(GERMAN.encode("utf-16-le"), "firms.csv")
    assert (text, encoding) == (GERMAN, "utf-16-le")


def test_a_mark_the_bytes_contradict_is_refused():
    # bytes are counted after the 3-byte marker: "a" is byte 0, 0xFF byte 1
    with pytest.raises(DataError, match="starts with a UTF-8-SIG marker but byte 1 is not valid"):
        decode(b"\xef\xbb\xbfa\xff;b\n", "x.csv")


def test_as_utf8_strips_repeated_marks_and_declines_other_encodings():
    body, sample, encoding = as_utf8(b"\xef\xbb\xbf\xef\xbb\xbfa;b\n")
    assert (body, sample, encoding) == (b"a;b\n", "a;b\n", "utf-8-sig")
    assert as_utf8(GERMAN.encode("cp1252")) is None
    assert as_utf8(GERMAN.encode("utf-16")) is None
    assert as_utf8(b"a;b\r1;2\r") is None  # old Mac line ends


def test_decoded_gives_utf8_bytes_and_unix_line_ends():
    text, encoding, buf = decoded(b"a;b\rM\xfcller;2\r", "x.csv")
    assert encoding == "cp1252"
    assert text == "a;b\nMüller;2\n"
    assert buf == "a;b\nMüller;2\n".encode()
