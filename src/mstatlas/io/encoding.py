"""Which text encoding a file is in, and its text."""

from __future__ import annotations

import codecs
import re

from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.messages import not_a_table


def decode(data: bytes, filename: str) -> tuple[str, str]:
    """Text of the file and the encoding used to read it.

    A byte-order mark decides (UTF-32, UTF-8, UTF-16); many zero bytes mean
    UTF-16 without a mark; then UTF-8; else a single-byte code page
    (cp1252 for German or French Excel, cp1250 for Central Europe, or another
    European one when the evidence is strong).

    Parameters
    ----------
    data : bytes
        The whole file.
    filename : str
        The file's name as messages show it.

    Returns
    -------
    tuple of (str, str)
        The text (a byte-order mark kept) and the codec name.

    Raises
    ------
    mstatlas.errors.DataError
        A byte-order mark the bytes contradict, or UTF-16 that is not text.
    """
    if data.startswith(b"\xff\xfe\x00\x00") or data.startswith(b"\x00\x00\xfe\xff"):
        return _strict(data, "utf-32", filename), "utf-32"
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", filename), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", filename), "utf-16"
    sample = data[:4000]
    if len(sample) >= 4 and sample.count(0) > len(sample) * 0.3:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            raise not_a_table(filename) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    enc = _guess_single_byte(data)
    return data.decode(enc, errors="strict" if enc != "latin-1" else "replace"), enc


def _strict(data: bytes, enc: str, filename: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise DataError(
            _(
                "The file {filename} starts with a {encoding} marker but byte {start} is not valid "
                "in that encoding; save it again as UTF-8 CSV."
            ).format(filename=filename, encoding=enc.upper(), start=exc.start)
        ) from None


_OTHER_EUROPEAN = {"cp1251", "cp1253", "cp1254", "koi8_r", "iso8859_5", "iso8859_7", "iso8859_9"}


def _guess_single_byte(data: bytes) -> str:
    """cp1252 (German/French Excel), cp1250 (Central Europe) or what charset-normalizer sees."""
    from charset_normalizer import from_bytes

    sample = data[:200_000]
    best = from_bytes(sample).best()
    guess = best.encoding if best is not None else None
    # Other European code pages are trusted; far-off guesses (cp932 for a lone "ß") are not.
    # Short files give too little evidence ("ßää" reads as Cyrillic); those stay Western.
    if guess in _OTHER_EUROPEAN and len(sample) >= 4096:
        try:
            data.decode(guess)
            return guess
        except (UnicodeDecodeError, LookupError):
            pass
    scores = {}
    for enc in ("cp1252", "cp1250"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        # Non-letters glued to letters ("£ód" for "Łód") betray the wrong code page.
        scores[enc] = len(re.findall(r"(?<=[A-Za-z])[^\x00-\x7f\w]|[^\x00-\x7f\w](?=[a-z])", text))
    if not scores:
        return "latin-1"
    enc = min(scores, key=lambda e: (scores[e], e != "cp1252"))
    try:
        data.decode(enc)
    except UnicodeDecodeError:
        return "latin-1"
    return enc


def as_utf8(data: bytes) -> tuple[bytes, str, str] | None:
    """``(bytes to read, sample text, encoding)`` when the file looks like UTF-8.

    Only the sample (the first 65,536 characters) is decoded here; the rest is
    checked by the Arrow reader, which refuses invalid UTF-8 (then the file is
    decoded the long way).

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    tuple of (bytes, str, str) or None
        The bytes without byte-order marks, the sample text and ``"utf-8"`` or
        ``"utf-8-sig"``; ``None`` for UTF-16/32, old Mac line ends or a start
        that is not UTF-8.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return None  # UTF-16/32 marker
    head = data[:4000]
    if len(head) >= 4 and head.count(0) > len(head) * 0.3:
        return None  # UTF-16 without a marker
    if b"\n" not in data and b"\r" in data:
        return None  # old Mac line ends
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data
    while body.startswith(b"\xef\xbb\xbf"):  # a marker saved twice is still only a marker
        body = body[3:]
    try:
        # the first 65,536 characters (up to 4 bytes each), as the long way samples
        sample = codecs.getincrementaldecoder("utf-8")().decode(body[: 4 * 65536], final=False)
    except UnicodeDecodeError:
        return None
    return body, sample[:65536], "utf-8-sig" if bom else "utf-8"


def decoded(data: bytes, filename: str) -> tuple[str, str, bytes]:
    """The whole file as text, its encoding, and the text as UTF-8 bytes.

    Parameters
    ----------
    data : bytes
        The whole file.
    filename : str
        The file's name as messages show it.

    Returns
    -------
    tuple of (str, str, bytes)
        The text without a byte-order mark and with old Mac line ends made
        ``\\n``, the codec name (see :func:`decode`), and that text as UTF-8.
    """
    text, encoding = decode(data, filename)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # old Mac line ends
    reencode = encoding != "utf-8" or (b"\r" in data and b"\n" not in data)
    return text, encoding, text.encode("utf-8") if reencode else data
