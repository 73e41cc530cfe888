"""A large CSV file in pieces cut at record boundaries, each a CSV file of its own.

:func:`csv_chunks` reads the file block by block, turns it into UTF-8 (the
encoding is found once, for the whole file, by :func:`file_encoding`) and cuts
it after every ``rows`` records. A record ends at a line break outside double
quotes, as the upload reader counts records (a quoted value may hold line
breaks). The first chunk is the file's start as it is (title lines, header,
records); every later chunk is the header record followed by its own records, so
each chunk reads as a small CSV file with the same columns. Row numbers read
from a chunk plus its :attr:`Chunk.row_offset` are the file's row numbers.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_int
from mstatlas.io.encoding import decode

#: Bytes read from the file at a time.
BLOCK_BYTES = 8 << 20

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Chunk:
    """One piece of a CSV file.

    Attributes
    ----------
    index : int
        0 for the file's start, then 1, 2, ...
    data : bytes
        UTF-8 text: for chunk 0 the file's start, else the header record and
        then this chunk's records.
    row_offset : int
        Added to a row number read from ``data`` gives the row number in the file.
    n_records : int
        Records of the file in this chunk (blank lines count; for chunk 0 the
        lines above and of the header too).
    bytes_read : int
        Bytes of the file read when this chunk was cut (for progress).
    """

    index: int
    data: bytes
    row_offset: int
    n_records: int
    bytes_read: int


def file_encoding(path: str | Path, filename: str) -> str:
    """The encoding the upload reader would find for the whole file.

    UTF-8 (``"utf-8-sig"`` with a byte order mark) when every byte of the file
    is valid UTF-8; a UTF-16/32 marker or layout decides those; otherwise the
    reader's guess from the first 200,000 bytes (a Western or Central European
    code page), or Latin-1 when that guess cannot read every byte.

    Raises
    ------
    mstatlas.errors.DataError
        A byte order mark followed by bytes invalid in its encoding.
    """
    with open(path, "rb") as f:
        head = f.read(200_000)
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or _looks_utf16(head):
        return _wide_encoding(head, filename)
    if _all_decode(path, "utf-8"):
        return "utf-8-sig" if head.startswith(_BOM) else "utf-8"
    guess = decode(_not_utf8(head), filename)[1]
    return guess if _all_decode(path, guess) else "latin-1"


def _wide_encoding(head: bytes, filename: str) -> str:
    """UTF-16 or UTF-32, as the reader names it from the file's first bytes.

    The sample may end inside a character: it is shortened until it decodes.
    """
    for cut in range(4):
        try:
            return decode(head[: len(head) - cut], filename)[1]
        except DataError:
            if cut == 3:
                raise
    raise AssertionError("unreachable")


def _looks_utf16(head: bytes) -> bool:
    sample = head[:4000]
    return len(sample) >= 4 and sample.count(0) > len(sample) * 0.3


def _not_utf8(head: bytes) -> bytes:
    """The sample with a byte UTF-8 cannot read appended when it has none of its own.

    The whole file is not UTF-8, but its start may be; the guess between code
    pages must then be made as for the whole file, not as for UTF-8 text.
    """
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return head
    return head + b"\xff"


def _all_decode(path: str | Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as f:
            while block := f.read(BLOCK_BYTES):
                decoder.decode(block)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def utf8_blocks(f: BinaryIO, encoding: str, filename: str) -> Iterator[tuple[bytes, int]]:
    """The file's text as UTF-8, block by block, without byte order marks.

    Yields ``(block, bytes of the file read so far)``. A file whose lines end
    in a lone carriage return (old Mac) gets line feeds instead, as the reader
    does for the whole file.

    Raises
    ------
    mstatlas.errors.DataError
        Bytes not valid in ``encoding`` (checked beforehand for UTF-8 and
        single-byte code pages, found here for UTF-16 and UTF-32).
    """
    done = 0
    first, old_mac = True, False
    utf8 = encoding in ("utf-8", "utf-8-sig")
    decoder = codecs.getincrementaldecoder(encoding)()
    while True:
        raw = f.read(BLOCK_BYTES)
        try:
            block = raw if utf8 else decoder.decode(raw, final=not raw).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(
                _(
                    "The file {filename} is not valid {encoding} text near byte {byte}; save it again "
                    "as UTF-8 CSV."
                ).format(
                    filename=filename, encoding=encoding.upper(), byte=fmt_int(done + exc.start)
                )
            ) from None
        done += len(raw)
        if first:
            while block.startswith(_BOM):
                block = block[3:]
            old_mac = b"\n" not in block and b"\r" in block
            first = False
        if old_mac:
            block = block.replace(b"\r", b"\n")
        if block:
            yield block, done
        if not raw:
            return


def record_ends(block: bytes, in_quotes: bool) -> tuple[np.ndarray, bool]:
    """Positions of the line breaks in ``block`` that end a record, and the quote state after it.

    Parameters
    ----------
    block : bytes
        UTF-8 text.
    in_quotes : bool
        Whether the text before ``block`` left a double quote open.
    """
    arr = np.frombuffer(block, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    quotes = np.flatnonzero(arr == 34)
    if len(quotes) or in_quotes:
        before = np.searchsorted(quotes, nl) + int(in_quotes)
        nl = nl[before % 2 == 0]
    return nl, (len(quotes) + int(in_quotes)) % 2 == 1


def csv_chunks(
    path: str | Path, encoding: str, rows: int, header_row: int = 1, filename: str | None = None
) -> Iterator[Chunk]:
    """The file in chunks of ``rows`` records (the last may hold fewer).

    Parameters
    ----------
    path : str or Path
        The CSV/TSV file.
    encoding : str
        Its encoding (:func:`file_encoding`).
    rows : int
        Records per chunk.
    header_row : int
        The header's row number (1 unless title lines stand above it).
    filename : str, optional
        The file's name as messages show it (default: the path's name).
    """
    if rows < 1:
        raise ValueError(f"rows must be 1 or more, not {rows}")
    with open(path, "rb") as f:
        name = filename or Path(path).name
        yield from _cut(utf8_blocks(f, encoding, name), rows, header_row)


def _cut(blocks: Iterator[tuple[bytes, int]], rows: int, header_row: int) -> Iterator[Chunk]:
    parts: list[bytes] = []
    n_in = 0  # records in parts
    need = header_row + rows  # records the current chunk still needs, counted from n_in
    header = b""
    before = 0  # records of the file before the current chunk
    index = 0
    in_quotes = False
    done = 0
    for block, done in blocks:
        ends, in_quotes = record_ends(block, in_quotes)
        start, used = 0, 0
        while len(ends) - used >= need - n_in:
            cut = int(ends[used + need - n_in - 1]) + 1
            parts.append(block[start:cut])
            used += need - n_in
            data = b"".join(parts)
            if index == 0:
                header = _record(data, header_row)
            yield Chunk(
                index, _with_header(data, header, index), _offset(before, index), need, done
            )
            before += need
            index, start, parts, n_in, need = index + 1, cut, [], 0, rows
        parts.append(block[start:])
        n_in += len(ends) - used
    data = b"".join(parts)
    if data:  # the last records (the very last may lack a line break)
        n_last = n_in + (0 if data.endswith(b"\n") else 1)
        if index == 0:
            header = _record(data, header_row)
        yield Chunk(index, _with_header(data, header, index), _offset(before, index), n_last, done)


def _record(data: bytes, number: int) -> bytes:
    """Record ``number`` (1-based) of ``data``, with its line break."""
    ends, _ = record_ends(data, False)
    start = int(ends[number - 2]) + 1 if number >= 2 else 0
    end = int(ends[number - 1]) + 1 if len(ends) >= number else len(data)
    line = data[start:end]
    return line if line.endswith(b"\n") else line + b"\n"


def _with_header(data: bytes, header: bytes, index: int) -> bytes:
    return data if index == 0 else header + data


def _offset(before: int, index: int) -> int:
    # in a later chunk the header is row 1 and its first record row 2: that record is
    # record before + 1 of the file
    return 0 if index == 0 else before - 1
