"""Sniffing: which format a file is in; a text table's separator and header row."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from mstatlas.data.columns import is_known_header
from mstatlas.errors import DataError
from mstatlas.i18n import N_, _
from mstatlas.io.messages import not_a_table

#: Separators a text table may use, in the order they are tried.
SEPARATORS = (",", ";", "\t", "|")

#: Each separator in words, for messages.
SEP_NAMES = {",": N_("comma"), ";": N_("semicolon"), "\t": N_("tab"), "|": N_("vertical bar")}


def sniff_format(data: bytes, filename: str) -> str:
    """The format of a file from its first bytes (and its name's extension).

    Parameters
    ----------
    data : bytes
        The whole file (usually only its start is looked at).
    filename : str
        The file's name: messages show it; ``.xlsx``, ``.json`` and
        ``.geojson`` help where the bytes leave a choice.

    Returns
    -------
    str
        ``"csv"``, ``"xlsx"``, ``"geojson"`` or ``"parquet"``; any other text is
        taken for CSV.

    Raises
    ------
    mstatlas.errors.DataError
        An empty file, a ZIP that is not a workbook, an old .xls, a PDF, or a
        known binary format (gzip, PNG, JPEG).
    """
    head = data[:8]
    ext = Path(filename).suffix.lower()
    blank = b"\x00 \t\r\n\xef\xbb\xbf\xff\xfe"
    if not data[:65536].strip(blank) and not data.strip(blank):  # the whole file only if needed
        raise DataError(
            _(
                "The file {filename} is empty; export the table again (CSV, XLSX, GeoJSON or "
                "Parquet)."
            ).format(filename=filename)
        )
    if head.startswith(b"PK"):
        if ext in (".xlsx", ".xlsm") or b"xl/" in data[:65536] or b"[Content_Types]" in data[:2000]:
            return "xlsx"
        raise DataError(
            _(
                "The file {filename} is a ZIP archive, not a table; unpack it and upload the CSV "
                "or XLSX inside."
            ).format(filename=filename)
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(
            _(
                "The file {filename} is in the old Excel 97-2003 (.xls) format; open it in a "
                "spreadsheet program and save it as .xlsx or CSV."
            ).format(filename=filename)
        )
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"%PDF"):
        raise DataError(
            _(
                "The file {filename} is a PDF; copy the table into a spreadsheet and save it as "
                "XLSX or CSV."
            ).format(filename=filename)
        )
    if head[:3] == b"\x1f\x8b\x08" or head[:4] == b"\x89PNG" or head[:3] == b"\xff\xd8\xff":
        raise not_a_table(filename)
    stripped = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if ext in (".geojson", ".json") or stripped.startswith(b"{"):
        return "geojson"
    return "csv"


#: Characters a text file does not hold, except by accident: control characters
#: other than tab and line ends, C1 controls (bytes 0x80-0x9F read as Latin-1) and
#: the replacement character of undecodable bytes.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")

#: Share of such characters from which a text is binary data. Random bytes read as
#: Latin-1 hold about a quarter; a text with a few stray bytes far below 1 %.
BINARY_SHARE = 0.05


def looks_binary(sample: str) -> bool:
    """Whether a decoded sample is binary data rather than text with a few stray bytes.

    A NUL or other control character here and there is a damaged cell, cleaned
    later (:mod:`mstatlas.io.stray`); binary data is full of them.

    Parameters
    ----------
    sample : str
        The start of the file as text (the first 65,536 characters).

    Returns
    -------
    bool
        True when more than :data:`BINARY_SHARE` of the characters (and more
        than 8) are control characters or undecodable bytes.
    """
    bad = sum(1 for _ in _NOT_TEXT.finditer(sample))
    return bad > max(8, len(sample) * BINARY_SHARE)


def sniff_separator(sample_lines: list[str]) -> str:
    """The separator that splits the most lines into the same number of values.

    Parameters
    ----------
    sample_lines : list of str
        The first lines of the file.

    Returns
    -------
    str
        One of :data:`SEPARATORS`; ties go to the wider table, then to the
        earlier separator; a comma when no separator gives two columns.
    """
    best, best_score = ",", (-1.0, 0)
    text = "\n".join(sample_lines)
    for sep in SEPARATORS:
        try:
            records = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if r]
        except csv.Error:
            continue
        widths = [len(r) for r in records[:40]]
        if not widths:
            continue
        mode = max(set(widths), key=widths.count)
        if mode < 2:
            continue
        score = (widths.count(mode) / len(widths), mode)
        if score > best_score:
            best, best_score = sep, score
    return best


def _looks_like_number(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d.,\s']+", text)) and any(ch.isdigit() for ch in text)


def find_header(records: list[list[str]]) -> int:
    """Index of the header among the first records: title rows above it are skipped.

    The header is the first of the first 30 records with at least half as many
    filled cells as the widest of the first 60, none of them a number, and
    either a known column name among them or 80 % of the widest filled.

    Parameters
    ----------
    records : list of list of str
        The first records (rows) of the table, blank records left out.

    Returns
    -------
    int
        Index into ``records``; 0 when no record qualifies.
    """
    widths = [sum(bool(str(c).strip()) for c in r) for r in records[:60]]
    if not widths:
        return 0
    target = max(widths)
    for i, rec in enumerate(records[:30]):
        cells = [str(c).strip() for c in rec if str(c).strip()]
        if len(cells) < min(2, target) or len(cells) < 0.5 * target:
            continue
        if any(_looks_like_number(c) for c in cells):
            continue
        if any(is_known_header(c) for c in cells) or len(cells) >= 0.8 * target:
            return i
    return 0


def clean_names(header: list[str], n: int) -> list[str]:
    """``n`` column names from a header: spaces collapsed, blanks named, repeats numbered.

    Parameters
    ----------
    header : list of str
        The header's cells (may be shorter than ``n``).
    n : int
        The number of columns.

    Returns
    -------
    list of str
        ``"Column 3"`` for a blank third cell; a second ``"Ort"`` becomes ``"Ort (2)"``.
    """
    names: list[str] = []
    seen: dict[str, int] = {}
    for i in range(n):
        raw = header[i] if i < len(header) else ""
        name = " ".join(str(raw).split()) or f"Column {i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def sniff_csv(sample_text: str, filename: str) -> tuple[str, int, list[str]]:
    """Separator, index of the header among non-empty records, and the header.

    Parameters
    ----------
    sample_text : str
        The start of the file as text (the first 65,536 characters).
    filename : str
        The file's name: messages show it, ``.tsv`` prefers the tab.

    Returns
    -------
    tuple of (str, int, list of str)
        The separator, the header's index among the non-empty records, and its
        cells stripped, without empty cells at the end.

    Raises
    ------
    mstatlas.errors.DataError
        When the text holds binary data.
    """
    if looks_binary(sample_text[:65536]):
        raise not_a_table(filename)
    sample_lines = sample_text.splitlines()[:60]
    ext = Path(filename).suffix.lower()
    sep = "\t" if ext == ".tsv" and "\t" in sample_text else sniff_separator(sample_lines)
    sample_records = list(csv.reader(io.StringIO("\n".join(sample_lines)), delimiter=sep))
    nonempty = [r for r in sample_records if r]
    k = find_header(nonempty)
    header = [c.strip() for c in nonempty[k]] if nonempty else []
    while header and not header[-1]:
        header.pop()  # trailing ";;;;" after the last named column
    return sep, k, header
