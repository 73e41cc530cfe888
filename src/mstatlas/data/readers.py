"""Read a researcher's own file (CSV/TSV, XLSX, GeoJSON, Parquet) as clusters.

:func:`read_upload` is the one entry point: it detects the format, encoding,
separator, number format, header row and sheet; maps the columns; tells a
cluster table from a firm list; validates every row; geocodes rows without
coordinates offline; aggregates firm lists per city (or cluster column); and
returns the canonical cluster table together with a report in which every
input row is either imported or listed with a reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mstatlas.data.codes import (
    arrow_strings,
    combine_codes,
    first_duplicates,
    fold_codes,
    may_need_trim,
    renumber,
    text_codes,
)
from mstatlas.data.columns import (
    CANONICAL_FIELDS,
    PROFILE_FIELD_OF,
    country_to_iso2,
    detect_mapping,
    is_firm_name_header,
)
from mstatlas.data.limits import Deadline, Limits, human_bytes
from mstatlas.data.profiles import coerce_profiles, empty_profiles
from mstatlas.data.schema import COUNTS_WHAT, QUALIFIERS, coerce_clusters, empty_clusters
from mstatlas.data.validate import (
    EUROPE_WINDOW,
    YEAR_RANGE,
    NumberFormat,
    Problem,
    ValidationReport,
    counts_what_key,
    detect_number_formats,
    not_a_number_reason,
    parse_numbers,
    point_grouped,
    text_problems,
)
from mstatlas.errors import DataError

Progress = Callable[[float, str], None]

FORMATS = ("csv", "xlsx", "geojson", "parquet")
_SEPARATORS = (",", ";", "\t", "|")
_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
GEOCODING_COLUMNS = ["row", "city", "country", "matched", "lat", "lon", "confidence", "status"]


@dataclass
class UploadResult:
    """Everything :func:`read_upload` found out about a file.

    Attributes
    ----------
    clusters : geopandas.GeoDataFrame
        Imported rows in the canonical schema (:mod:`mstatlas.data.schema`), EPSG:4326.
    report : ValidationReport
        Counts and one :class:`~mstatlas.data.validate.Problem` per issue.
    kind : str
        ``"clusters"`` (one row per cluster figure) or ``"firms"`` (one row per firm).
    mapping : dict
        Canonical field -> the file's column used for it (``None``: not found).
    columns : list of str
        The file's own column names.
    detected : dict
        ``format``, ``encoding``, ``separator``, ``decimal``, ``thousands``,
        ``sheet``, ``sheets`` (visible), ``hidden_sheets``, ``header_row``
        (as the person counts rows), ``number_formats`` per column.
    firms : pandas.DataFrame or None
        Cleaned firm rows when ``kind == "firms"``.
    geocoding : pandas.DataFrame
        One row per geocoded input row: row, city, country, matched, lat, lon,
        confidence (0..1), status (``ok``, ``ambiguous``, ``failed``).
    aggregation : str or None
        How firms were turned into clusters, in words.
    profiles : pandas.DataFrame
        Profile facts (:data:`mstatlas.data.profiles.PROFILE_COLUMNS`) from the
        profile columns of a cluster table (technologies, markets, ...): one per
        value, with its row's cluster, year and source. Empty for firm lists.
    """

    clusters: gpd.GeoDataFrame
    report: ValidationReport
    kind: str
    mapping: dict[str, str | None]
    columns: list[str]
    detected: dict[str, Any]
    firms: pd.DataFrame | None = None
    geocoding: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: [] for c in GEOCODING_COLUMNS})
    )
    aggregation: str | None = None
    profiles: pd.DataFrame = field(default_factory=empty_profiles)


@dataclass
class _Raw:
    """A file read as text cells, before any interpretation."""

    frame: pd.DataFrame  # str cells, "" when blank; columns are the file's names
    rows: np.ndarray  # row number the person sees, per frame row
    detected: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    rejected: np.ndarray | None = None  # rows refused while reading (ragged, bad geometry)
    geom: pd.DataFrame | None = None  # lat/lon from GeoJSON geometry (NaN when null)


# =========================================================================== bytes & format


def _load_bytes(
    source: str | os.PathLike[str] | bytes, filename: str | None, limits: Limits
) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise DataError(f"The file {path} does not exist; check the name and folder.") from None
        if path.is_dir():
            raise DataError(f"{path} is a folder, not a file; choose a file inside it.")
        if size > limits.max_bytes:
            raise _too_big(name, size, limits)
        data = path.read_bytes()
    if len(data) > limits.max_bytes:
        raise _too_big(name, len(data), limits)
    return data, name


def _too_big(name: str, size: int, limits: Limits) -> DataError:
    return DataError(
        f"The file {name} is {human_bytes(size)}; uploads are limited to "
        f"{human_bytes(limits.max_bytes)}. Remove columns the atlas does not use, "
        "save as CSV or split the file."
    )


def _sniff_format(data: bytes, filename: str) -> str:
    head = data[:8]
    ext = Path(filename).suffix.lower()
    blank = b"\x00 \t\r\n\xef\xbb\xbf\xff\xfe"
    if not data[:65536].strip(blank) and not data.strip(blank):  # the whole file only if needed
        raise DataError(
            f"The file {filename} is empty; export the table again (CSV, XLSX, GeoJSON or Parquet)."
        )
    if head.startswith(b"PK"):
        if ext in (".xlsx", ".xlsm") or b"xl/" in data[:65536] or b"[Content_Types]" in data[:2000]:
            return "xlsx"
        raise DataError(
            f"The file {filename} is a ZIP archive, not a table; unpack it and upload the "
            "CSV or XLSX inside."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError(
            f"The file {filename} is in the old Excel 97-2003 (.xls) format; open it in a "
            "spreadsheet program and save it as .xlsx or CSV."
        )
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"%PDF"):
        raise DataError(
            f"The file {filename} is a PDF; copy the table into a spreadsheet and save it as "
            "XLSX or CSV."
        )
    if head[:3] == b"\x1f\x8b\x08" or head[:4] == b"\x89PNG" or head[:3] == b"\xff\xd8\xff":
        raise _not_a_table(filename)
    stripped = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if ext in (".geojson", ".json") or stripped.startswith(b"{"):
        return "geojson"
    return "csv"


def _not_a_table(filename: str) -> DataError:
    return DataError(
        f"The file {filename} does not look like a table: it contains binary data. "
        "Upload a CSV/TSV, XLSX, GeoJSON or Parquet file."
    )


# =========================================================================== text decoding


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    """Text of the file and the encoding used to read it."""
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
            raise _not_a_table(filename) from None
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
            f"The file {filename} starts with a {enc.upper()} marker but byte {exc.start} is "
            "not valid in that encoding; save it again as UTF-8 CSV."
        ) from None


_WESTERN = {"cp1252", "cp1250", "latin_1", "iso8859_15", "iso8859_2", "cp1257", "iso8859_1"}


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


def _check_text(text: str, filename: str) -> None:
    sample = text[:65536]
    bad = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n") + sample.count("\ufffd")
    if "\x00" in sample or bad > max(3, len(sample) // 100):
        raise _not_a_table(filename)


# =========================================================================== CSV


def _sniff_separator(sample_lines: list[str]) -> str:
    best, best_score = ",", (-1.0, 0)
    text = "\n".join(sample_lines)
    for sep in _SEPARATORS:
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


def _find_header(records: list[list[str]]) -> int:
    """Index of the header among the first records: title rows above it are skipped."""
    from mstatlas.data.columns import _NORM_ALIASES, _norm

    aliases = {a for al in _NORM_ALIASES.values() for a in al}
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
        known = sum(_norm(c) in aliases for c in cells)
        if known or len(cells) >= 0.8 * target:
            return i
    return 0


def _clean_names(header: list[str], n: int) -> list[str]:
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


def _segments(buf: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start/end of each record (quotes respected) and whether it is non-empty."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    nl = np.flatnonzero(arr == 10)
    if b'"' in buf:
        qpos = np.flatnonzero(arr == 34)
        nl = nl[np.searchsorted(qpos, nl) % 2 == 0]
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [len(arr)]))
    length = ends - starts
    cr = np.zeros(len(ends), dtype=bool)
    has = length > 0
    cr[has] = arr[ends[has] - 1] == 13
    length = length - cr
    return starts, ends, length > 0


def _as_utf8(data: bytes) -> tuple[bytes, str, str] | None:
    """``(bytes to read, sample text, encoding)`` when the file looks like UTF-8.

    Only the sample (the first 65,536 characters) is decoded here; the rest is
    checked by the Arrow reader, which refuses invalid UTF-8 (then the file is
    decoded the long way).
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


def _decoded(data: bytes, filename: str) -> tuple[str, str, bytes]:
    """The whole file as text, its encoding, and the text as UTF-8 bytes."""
    text, encoding = _decode(data, filename)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # old Mac line ends
    reencode = encoding != "utf-8" or (b"\r" in data and b"\n" not in data)
    return text, encoding, text.encode("utf-8") if reencode else data


def _sniff_csv(sample_text: str, filename: str) -> tuple[str, int, list[str]]:
    """Separator, index of the header among non-empty records, and the header."""
    _check_text(sample_text, filename)
    sample_lines = sample_text.splitlines()[:60]
    ext = Path(filename).suffix.lower()
    sep = "\t" if ext == ".tsv" and "\t" in sample_text else _sniff_separator(sample_lines)
    sample_records = list(csv.reader(io.StringIO("\n".join(sample_lines)), delimiter=sep))
    nonempty = [r for r in sample_records if r]
    k = _find_header(nonempty)
    header = [c.strip() for c in nonempty[k]] if nonempty else []
    while header and not header[-1]:
        header.pop()  # trailing ";;;;" after the last named column
    return sep, k, header


def _read_csv(data: bytes, filename: str, limits: Limits) -> _Raw:
    text: str | None = None
    guess = _as_utf8(data)
    if guess is not None:
        buf, sample_text, encoding = guess
    else:
        text, encoding, buf = _decoded(data, filename)
        sample_text = text[:65536]
    sep, k, header = _sniff_csv(sample_text, filename)
    raw = _read_csv_arrow(buf, sample_text, sep, k, header) if header else None
    if raw is None and text is None:
        # Only the start was decoded: decode the whole file (it may not be UTF-8 after all).
        text, new_encoding, buf = _decoded(data, filename)
        if new_encoding != encoding:
            encoding, sample_text = new_encoding, text[:65536]
            sep, k, header = _sniff_csv(sample_text, filename)
            raw = _read_csv_arrow(buf, sample_text, sep, k, header) if header else None
    if raw is None:
        assert text is not None
        raw = _read_csv_python(text, sep, k, header, limits)
    raw.detected.update(
        {
            "format": "csv",
            "encoding": encoding,
            "separator": sep,
            "separator_name": _SEP_NAMES[sep],
            "sheet": None,
            "sheets": [],
            "hidden_sheets": [],
        }
    )
    return raw


def _body_rows(buf: bytes, start: int, first_row: int, n_records: int) -> np.ndarray | None:
    """Row numbers when every line of ``buf[start:]`` holds exactly one record, else None.

    Each record takes at least one line, so as many records as lines means no
    blank lines and no line breaks inside quoted values: record ``i`` is on
    line ``first_row + i``. A line of only a carriage return is blank to the
    person but may be a record to the reader, so it sends the file the long way.
    """
    n_lines = buf.count(b"\n", start) + (1 if len(buf) > start and buf[-1] != 10 else 0)
    if n_lines != n_records:
        return None
    if buf.find(b"\r", start) >= 0 and (
        # a lone carriage return ends a record for the reader but not a line here
        buf.count(b"\r", start) != buf.count(b"\r\n", start)
        or buf.startswith(b"\r", start)
        or buf.find(b"\n\r\n", start) >= 0
    ):
        return None
    return np.arange(first_row, first_row + n_records, dtype=np.int64)


def _read_csv_arrow(
    buf: bytes, sample_text: str, sep: str, k: int, header: list[str]
) -> _Raw | None:
    """Fast path with pyarrow; None when the file needs the tolerant reader."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    # Records up to the header, from the start of the file (quotes respected).
    head = buf[: 1 << 16]
    starts, ends, nonempty = _segments(head)
    ne_idx = np.flatnonzero(nonempty)
    whole = len(head) == len(buf)
    if len(ne_idx) <= k or (not whole and ends[ne_idx[k]] >= len(head)):
        starts, ends, nonempty = _segments(buf)  # header beyond the first 64 KB
        ne_idx = np.flatnonzero(nonempty)
        whole = True
        if len(ne_idx) <= k:
            return None
    header_seg = int(ne_idx[k])
    body_start = min(int(ends[header_seg]) + 1, len(buf))
    invalid = []

    def handler(row: Any) -> str:
        invalid.append(row)
        return "skip"

    ncols = _raw_width(sample_text, sep, k)
    names = [f"c{i}" for i in range(ncols)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(buf)[body_start:]),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(
                delimiter=sep,
                # without a quote no value can hold a line break: the reader splits faster
                newlines_in_values=buf.find(b'"', body_start) >= 0,
                invalid_row_handler=handler,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if invalid:
        return None
    rows = _body_rows(buf, body_start, header_seg + 2, table.num_rows)
    if rows is None:
        # Blank lines or line breaks inside values: number the records one by one.
        if not whole:
            starts, ends, nonempty = _segments(buf)
        rownum = np.arange(1, len(starts) + 1)
        rows = rownum[np.flatnonzero(nonempty)[k + 1 :]]
        if table.num_rows != len(rows):
            return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    frame.columns = _clean_names(header, ncols)
    frame = _drop_empty_unnamed(frame, len(header))
    detected = {"header_row": header_seg + 1}
    return _Raw(frame=frame, rows=rows, detected=detected)


def _raw_width(sample_text: str, sep: str, k: int) -> int:
    records = [
        r
        for r in csv.reader(io.StringIO("\n".join(sample_text.splitlines()[:60])), delimiter=sep)
        if r
    ]
    return len(records[k]) if len(records) > k else 0


def _drop_empty_unnamed(frame: pd.DataFrame, n_named: int) -> pd.DataFrame:
    drop = [
        c
        for i, c in enumerate(frame.columns)
        if i >= n_named and not (frame[c].astype("string").fillna("").str.strip() != "").any()
    ]
    return frame.drop(columns=drop) if drop else frame


def _read_csv_python(text: str, sep: str, k: int, header: list[str], limits: Limits) -> _Raw:
    """Tolerant reader: ragged rows are padded, or refused with a row-level reason."""
    records: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
            records.append(rec)
            if len(records) > limits.max_rows + 1000:
                break
    except csv.Error as exc:
        raise DataError(f"The file could not be read as a table: {exc}.") from None
    nonempty_pos = [i for i, r in enumerate(records) if r]
    if len(nonempty_pos) <= k:
        return _Raw(
            frame=pd.DataFrame({c: [] for c in header}), rows=np.array([], int), detected={}
        )
    hpos = nonempty_pos[k]
    width = len(header)
    body, rows, problems, rejected = [], [], [], []
    for pos in range(hpos + 1, len(records)):
        rec = records[pos]
        if not rec:
            continue
        while len(rec) > width and not rec[-1].strip():
            rec = rec[:-1]
        bad = len(rec) > width
        if bad:
            problems.append(
                Problem(
                    pos + 1,
                    None,
                    sep.join(rec)[:80],
                    f"the row has {len(rec)} values but the header has {width} columns; "
                    f"a value probably contains the separator ({_SEP_NAMES[sep]}): put that "
                    'value in double quotes ("...")',
                )
            )
        body.append((rec + [""] * width)[:width])
        rows.append(pos + 1)
        rejected.append(bad)
    names = _clean_names(header, width)
    frame = pd.DataFrame(body, columns=names, dtype=object).astype(pd.StringDtype("pyarrow"))
    return _Raw(
        frame=frame,
        rows=np.asarray(rows, dtype=np.int64),
        detected={"header_row": hpos + 1, "reader": "python"},
        problems=problems,
        rejected=np.asarray(rejected, dtype=bool),
    )


# =========================================================================== XLSX


def _check_zip(data: bytes, filename: str, limits: Limits) -> None:
    """Refuse decompression bombs and damaged files before any XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise DataError(
            f"The Excel file {filename} is damaged or incomplete (it may have been cut off "
            "while uploading); open it in a spreadsheet program, save it again and re-upload."
        ) from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_xlsx_uncompressed:
        raise DataError(
            f"The Excel file {filename} unpacks to {human_bytes(total)}, more than the "
            f"{human_bytes(limits.max_xlsx_uncompressed)} allowed; save the table as CSV or "
            "remove unused sheets and formatting."
        )
    for info in infos:
        if info.file_size > 1024**2 and info.file_size > limits.max_xlsx_ratio * max(
            info.compress_size, 1
        ):
            raise DataError(
                f"The Excel file {filename} looks like a decompression bomb: its part "
                f"{info.filename} unpacks {info.file_size / max(info.compress_size, 1):,.0f} "
                f"times larger than stored (at most {limits.max_xlsx_ratio:g} accepted). "
                "Save the table as CSV and upload that instead."
            )
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise DataError(
            f"The file {filename} is a ZIP archive but not an Excel workbook; upload the "
            "XLSX or CSV file itself."
        )


def _open_workbook(data: bytes, filename: str, limits: Limits) -> Any:
    import python_calamine as cal

    _check_zip(data, filename, limits)
    try:
        return cal.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except cal.PasswordError:
        raise DataError(
            f"The Excel file {filename} is password-protected; save a copy without a "
            "password and upload that."
        ) from None
    except Exception as exc:  # calamine raises several types for broken files
        raise DataError(
            f"The Excel file {filename} could not be read ({type(exc).__name__}); open it in a "
            "spreadsheet program, save it again as .xlsx and re-upload."
        ) from None


def _sheet_lists(wb: Any) -> tuple[list[str], list[str]]:
    visible: list[str] = []
    hidden: list[str] = []
    for meta in wb.sheets_metadata:
        is_visible = (
            str(meta.visible).lower().endswith("visible")
            and "hidden" not in str(meta.visible).lower()
        )
        is_worksheet = "chart" not in str(meta.typ).lower()
        if is_worksheet:
            (visible if is_visible else hidden).append(meta.name)
    return visible, hidden


def list_sheets(source: str | os.PathLike[str] | bytes, filename: str | None = None) -> list[str]:
    """Names of the visible worksheets of an XLSX file, in workbook order.

    Hidden and very hidden sheets are left out (they appear in
    ``UploadResult.detected["hidden_sheets"]`` and can still be chosen by
    name). Files that are not workbooks have no sheets: ``[]``.

    Parameters
    ----------
    source : str, path-like or bytes
        The file or its content.
    filename : str, optional
        Name used in messages and to recognise the format of ``bytes``.
    """
    limits = Limits()
    data, name = _load_bytes(source, filename, limits)
    if _sniff_format(data, name) != "xlsx":
        return []
    visible, _hidden = _sheet_lists(_open_workbook(data, name, limits))
    return visible


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if v != v:
            return ""
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, int):
        return str(v)
    if hasattr(v, "isoformat"):
        text = v.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(v)


#: Rows looked at to judge a sheet: _find_header looks for the header among the first
#: 30 rows and measures widths over the first 60; one more shows a data row below.
_HEAD_ROWS = 61


def _local(tag: str) -> str:
    """An XML tag without its namespace: ``{ns}row`` -> ``row``."""
    return tag.rsplit("}", 1)[-1]


def _attr(el: Any, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (``r:id`` -> ``id``)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return str(value)
    return None


def _cell_ref(ref: str | None) -> tuple[int | None, int | None]:
    """``"D12"`` -> (row 12, column index 3); parts that are missing are None."""
    m = re.fullmatch(r"\$?([A-Za-z]{0,3})\$?(\d*)", ref or "")
    if not m:
        return None, None
    col = None
    if m.group(1):
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - 64
        col -= 1
    return (int(m.group(2)) if m.group(2) else None), col


def _no_dtd(head: bytes) -> bytes:
    """``head`` (the start of an XML part) if no document type comes before its root.

    Workbook XML never declares one; a declaration could define entities that
    expand without end, so such a part is refused here (calamine reads it).
    Past the root element a declaration is not allowed by XML.
    """
    root = re.search(rb"<[A-Za-z_]", head)
    if root is None or b"<!DOCTYPE" in head[: root.start()]:
        raise ValueError("no root element, or a document type declaration")
    return head


def _workbook_parts(zf: zipfile.ZipFile) -> tuple[dict[str, str], str | None]:
    """Sheet name -> path of its XML part, and the path of the shared strings."""
    import posixpath
    import xml.etree.ElementTree as ET

    # no document type (see _no_dtd), so no entities to expand
    rels = ET.fromstring(_no_dtd(zf.read("xl/_rels/workbook.xml.rels")))  # noqa: S314
    targets: dict[str, str] = {}
    shared = None
    for rel in rels.iter():
        if _local(rel.tag) != "Relationship":
            continue
        target = rel.get("Target") or ""
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        targets[rel.get("Id") or ""] = path
        if (rel.get("Type") or "").endswith("/sharedStrings"):
            shared = path
    parts = {}
    for el in ET.fromstring(_no_dtd(zf.read("xl/workbook.xml"))).iter():  # noqa: S314
        if _local(el.tag) == "sheet" and (rid := _attr(el, "id")) in targets:
            parts[el.get("name") or ""] = targets[rid or ""]
    return parts, shared


def _shared_strings(zf: zipfile.ZipFile, part: str | None, upto: int) -> list[str]:
    """The first ``upto + 1`` shared strings (read no further than needed)."""
    import xml.etree.ElementTree as ET

    out: list[str] = []
    if part is None or upto < 0:
        return out
    parser: Any = ET.XMLPullParser(events=("end",))
    with zf.open(part) as fh:
        chunk = _no_dtd(fh.read(65536))
        while len(out) <= upto and chunk:
            parser.feed(chunk)
            chunk = fh.read(65536)
            for _ev, el in parser.read_events():
                if _local(el.tag) == "si":
                    out.append(_rich_text(el))
                    el.clear()
    return out


def _rich_text(el: Any) -> str:
    """Text of a shared or inline string: its ``t`` and runs, without phonetic hints."""
    parts = []
    for child in el:
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _head_records(zf: zipfile.ZipFile, part: str, shared_part: str | None) -> list[list[str]]:
    """The first rows of a sheet as text cells, row 1 first, read straight from its XML.

    Only the top of the sheet is parsed (a big sheet is not loaded): cells as
    :func:`_cell_text` shows them, dates as their serial numbers.
    """
    import xml.etree.ElementTree as ET

    cells: dict[tuple[int, int], tuple[str, str]] = {}
    parser: Any = ET.XMLPullParser(events=("start", "end"))
    row, col, done = 0, 0, False
    with zf.open(part) as fh:
        chunk = _no_dtd(fh.read(65536))
        while not done and chunk:
            parser.feed(chunk)
            chunk = fh.read(65536)
            for ev, el in parser.read_events():
                tag = _local(el.tag)
                if ev == "start" and tag == "row":
                    row = int(el.get("r") or row + 1)
                    col = 0
                    if row > _HEAD_ROWS:
                        done = True
                        break
                elif ev == "end" and tag == "c":
                    r, c = _cell_ref(el.get("r"))
                    c = col if c is None else c
                    col = c + 1
                    kind = el.get("t") or "n"
                    v = next((x.text or "" for x in el if _local(x.tag) == "v"), None)
                    if kind == "inlineStr":
                        v = "".join(_rich_text(x) for x in el if _local(x.tag) == "is")
                    if v is not None:
                        cells[(r or row, c)] = (kind, v)
                elif ev == "end" and tag == "row":
                    el.clear()
    needed = [int(v) for (k, v) in cells.values() if k == "s" and v.strip().isdigit()]
    strings = _shared_strings(zf, shared_part, max(needed, default=-1))
    n_rows = min(max((r for r, _c in cells), default=0), _HEAD_ROWS)
    width = max((c + 1 for r, c in cells if r <= n_rows), default=0)
    records = [[""] * width for _ in range(n_rows)]
    for (r, c), (kind, v) in cells.items():
        if not 1 <= r <= n_rows:
            continue
        if kind == "s":
            i = int(v) if v.strip().isdigit() else -1
            text = strings[i] if 0 <= i < len(strings) else ""
        elif kind == "b":
            text = _cell_text(v.strip() == "1")
        elif kind == "n":
            try:
                text = _cell_text(float(v))
            except ValueError:
                text = v
        else:
            text = v
        records[r - 1][c] = text
    return records


@dataclass
class _SheetLook:
    """What the top of one sheet holds, to choose the sheet when none is named."""

    name: str
    usable: bool  # a header of 2+ columns: a name (or city), a place; a row below it
    empty: bool
    found: str  # in words, for messages


def _look_at(name: str, records: list[list[str]]) -> _SheetLook:
    records = records[:_HEAD_ROWS]
    if not any(str(c).strip() for r in records for c in r):
        return _SheetLook(name, False, True, "empty")
    k = _find_header(records[:60])
    header = [str(c).strip() for c in records[k]]
    while header and not header[-1]:
        header.pop()
    width = max(len(header), 1)
    body = [(list(r) + [""] * width)[:width] for r in records[k + 1 :]]
    names = _clean_names(header, width)
    mapping = detect_mapping(names, sample=pd.DataFrame(body, columns=names, dtype=object))
    shown = ", ".join(c for c in header if c)
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    named = bool(mapping["name"] or mapping["city"])
    placed = bool((mapping["lat"] and mapping["lon"]) or mapping["city"])
    has_rows = any(str(c).strip() for r in body for c in r)
    columns = sum(bool(c) for c in header)
    if columns < 2 or not any(mapping.values()):
        # one column of text ("Ort der Erhebung: Dortmund") is an explanation, not a table
        found = f"no header row with known columns; its first row reads '{shown}'"
    elif not named:
        found = f"no column with names (its columns: {shown})"
    elif not placed:
        found = f"neither a city nor lat/lon columns (its columns: {shown})"
    elif not has_rows:
        found = f"a header row ({shown}) but no data rows"
    else:
        found = f"a table with the columns {shown}"
    return _SheetLook(name, columns >= 2 and named and placed and has_rows, False, found)


def _package(data: bytes) -> tuple[zipfile.ZipFile | None, dict[str, str], str | None]:
    """The workbook as a ZIP, its sheet parts and shared strings part (None, {} if unusual)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        parts, shared = _workbook_parts(zf)
    except Exception:  # an unusual package: calamine alone reads it
        return None, {}, None
    return zf, parts, shared


def _look_at_sheets(
    wb: Any, names: list[str], package: tuple[zipfile.ZipFile | None, dict[str, str], str | None]
) -> Iterator[_SheetLook]:
    """:class:`_SheetLook` of each named sheet, in order, lazily (stop when one fits)."""
    zf, parts, shared = package
    for name in names:
        records: list[list[str]] | None = None
        if zf is not None and name in parts:
            try:
                records = _head_records(zf, parts[name], shared)
            except Exception:  # damaged or unusual XML: calamine reads the sheet instead
                records = None
        if records is None:
            rows_py = wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=_HEAD_ROWS)
            records = [[_cell_text(c) for c in r] for r in rows_py]
        yield _look_at(name, records)


def _choose_sheet(
    filename: str,
    wb: Any,
    visible: list[str],
    hidden: list[str],
    package: tuple[zipfile.ZipFile | None, dict[str, str], str | None],
) -> str:
    """The sheet read when none is named: the first visible one holding a usable table.

    A workbook with one sheet of data gives that sheet (the column checks then
    say what is missing); with several sheets and none usable the message lists
    them with what each holds.
    """
    looks = []
    for look in _look_at_sheets(wb, visible, package):
        if look.usable:
            return look.name
        looks.append(look)
    with_data = [look for look in looks if not look.empty]
    hidden_note = f" (hidden sheets: {', '.join(hidden)})" if hidden else ""
    if not with_data:
        raise DataError(
            f"The workbook {filename} has no visible sheet with data{hidden_note}; put the "
            "table on the first sheet or choose a sheet."
        )
    if len(with_data) == 1:
        return with_data[0].name
    listing = "; ".join(f"sheet '{look.name}': {look.found}" for look in looks)
    raise DataError(
        f"No sheet of the workbook {filename} holds a table the atlas can read{hidden_note}. "
        f"Found: {listing}. Choose the sheet with the table, or give it a header row with "
        "columns such as name, city, country, lat, lon, firms, employees (title rows above "
        "the header are fine)."
    )


def default_sheet(
    source: str | os.PathLike[str] | bytes, filename: str | None = None
) -> str | None:
    """The sheet :func:`read_upload` reads when no sheet is named.

    That is the first visible sheet whose top holds a table the atlas can use
    (a header row of two or more columns, among them a name or city column and
    a place, title rows above it allowed, and a row of data below it), so an
    explanation sheet in front is passed over. Without such a sheet: the first visible sheet with data, else
    the first visible sheet. Only the top rows of each sheet are read.

    Parameters
    ----------
    source : str, path-like or bytes
        The file or its content.
    filename : str, optional
        Name used in messages and to recognise the format of ``bytes``.

    Returns
    -------
    str or None
        One of the names :func:`list_sheets` returns; ``None`` when the file
        is not a workbook or has no visible sheet.
    """
    limits = Limits()
    data, name = _load_bytes(source, filename, limits)
    if _sniff_format(data, name) != "xlsx":
        return None
    wb = _open_workbook(data, name, limits)
    visible, _hidden = _sheet_lists(wb)
    first_with_data = None
    for look in _look_at_sheets(wb, visible, _package(data)):
        if look.usable:
            return look.name
        if first_with_data is None and not look.empty:
            first_with_data = look.name
    return first_with_data or (visible[0] if visible else None)


def _uncached_formulas(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int | None, str | None]]:
    """(row, column index, formula) of each formula cell saved without its result.

    Programs that write formulas without calculating them (openpyxl, some
    exporters) leave the value out or empty; a spreadsheet program fills it in
    when it saves. A formula whose text result is empty (``t="str"`` with an
    empty value) is a saved result. The sheet's XML is scanned in pieces with two
    patterns, without parsing it; rows are cut at row ends.
    """
    import html

    found: list[tuple[int, int | None, str | None]] = []
    with zf.open(part) as fh:
        chunk = fh.read(1 << 22)
        m = re.search(rb"<([A-Za-z_][\w.-]*:)?worksheet\b", chunk[:65536])
        raw_p = m.group(1) if m and m.group(1) else b""
        p = re.escape(raw_p)
        empty_v = rb"\s*(<" + p + rb"v\s*/>|<" + p + rb"v>\s*</" + p + rb"v>)?\s*</" + p + rb"c>"
        patterns = (
            re.compile(rb"</" + p + rb"f>" + empty_v),  # <f>10*30</f><v/></c>
            re.compile(rb"<" + p + rb"f\b[^>]*/>" + empty_v),  # <f t="shared" si="0"/></c>
        )
        f_open, c_open = b"<" + raw_p + b"f", b"<" + raw_p + b"c"
        row_open, row_end = b"<" + raw_p + b"row", b"</" + raw_p + b"row>"

        def scan(seg: bytes) -> None:
            if f_open not in seg:
                return
            hits = [(mt, i) for i, pat in enumerate(patterns) for mt in pat.finditer(seg)]
            for mt, i in sorted(hits, key=lambda h: h[0].start()):
                s = mt.start()
                cstart = max(seg.rfind(c_open + b" ", 0, s), seg.rfind(c_open + b">", 0, s))
                if cstart < 0:
                    continue
                cell = _tag_attrs(seg, cstart)
                if cell.get("t") == "str" and mt.group(1):
                    continue  # an empty text result, saved
                row, col = _cell_ref(cell.get("r"))
                if row is None:  # r is optional: the row element then says it
                    rstart = seg.rfind(row_open, 0, cstart)
                    r_attr = _tag_attrs(seg, rstart).get("r", "") if rstart >= 0 else ""
                    row = int(r_attr) if r_attr.isdigit() else None
                if row is None:
                    continue
                formula = None
                if i == 0:
                    fo = seg.find(f_open, seg.find(b">", cstart), s)
                    if fo >= 0:
                        text = seg[seg.find(b">", fo) + 1 : s].decode("utf-8", "replace")
                        formula = html.unescape(text)
                found.append((row, col, formula))

        buf = b""
        while True:
            buf += chunk
            if not chunk:
                scan(buf)
                break
            cut = buf.rfind(row_end)
            if cut >= 0:
                cut += len(row_end)
                scan(buf[:cut])
                buf = buf[cut:]
            chunk = fh.read(1 << 22)
    return found


_ATTRS = re.compile(rb"""\s([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _tag_attrs(xml: bytes, start: int) -> dict[str, str]:
    """Attributes of the tag that opens at ``start`` (names with their prefix)."""
    end = xml.find(b">", start)
    return {
        name.decode(): (v1 or v2).decode("utf-8", "replace")
        for name, v1, v2 in _ATTRS.findall(xml, start, end)
    }


#: Fields whose values decide a row's identity, place or figures (a bad value there
#: rejects the row): a formula without a saved result there rejects it too.
_FORMULA_STRICT_FIELDS = (
    "name",
    "cluster",
    "city",
    "lat",
    "lon",
    "firms",
    "employees",
    "year",
    "counts_what",
    "firms_qualifier",
    "employees_qualifier",
    "region_employment",
)


def _formula_problems(
    found: list[tuple[int, int | None, str | None]],
    header_pos: int,
    names: list[str],
    body: list[list[str]],
    frame: pd.DataFrame,
) -> tuple[list[Problem], np.ndarray]:
    """A problem per formula cell without a saved result, and the rows refused for it.

    The reader sees such a cell as empty. In a column used for a row's name,
    place or figures the row is refused (as for a value that is not a number);
    elsewhere the row is imported with the cell empty and a warning.
    """
    rejected = np.zeros(len(body), dtype=bool)
    problems: list[Problem] = []
    if not found:
        return problems, rejected
    mapping = detect_mapping(names, sample=frame.head(50))
    strict = {mapping[f] for f in _FORMULA_STRICT_FIELDS if mapping.get(f)}
    header_row = header_pos + 1  # as the person counts rows
    fix = (
        "open the file in Excel or LibreOffice and save it again, or replace the formulas "
        "by their values (copy, then paste values only)"
    )
    for row, col, formula in found:
        if row < header_row:
            continue  # title rows above the header are not read
        column = names[col] if col is not None and col < len(names) else None
        value = f"={formula}" if formula else None
        what = (
            f"the cell holds a formula{f' ({value})' if value else ''} but not its result: "
            "the file was saved by a program that does not calculate formulas, so the value "
            "is unknown"
        )
        if row == header_row:
            where = f"the column has no name ({column})" if column else "the header is incomplete"
            problems.append(Problem(row, column, value, f"{what}; {where}; {fix}", "warning"))
            continue
        i = row - header_row - 1
        if i >= len(body) or not any(c.strip() for c in body[i]):
            problems.append(
                Problem(
                    row,
                    column,
                    value,
                    f"{what}; the row holds nothing else and was skipped as blank; {fix}",
                    "warning",
                )
            )
        elif column is None:
            problems.append(
                Problem(
                    row,
                    None,
                    value,
                    f"{what}; it is not in a named column, so it would not be imported; {fix}",
                    "warning",
                )
            )
        elif column in strict:
            problems.append(Problem(row, column, value, f"{what}; the row was not imported; {fix}"))
            rejected[i] = True
        else:
            problems.append(
                Problem(
                    row,
                    column,
                    value,
                    f"{what}; the row was imported with this cell empty; {fix}",
                    "warning",
                )
            )
    return problems, rejected


def _read_xlsx(data: bytes, filename: str, sheet: str | None, limits: Limits) -> _Raw:
    wb = _open_workbook(data, filename, limits)
    visible, hidden = _sheet_lists(wb)
    package = _package(data)
    if sheet is not None:
        if sheet not in visible + hidden:
            raise DataError(
                f"The workbook {filename} has no sheet named '{sheet}'; its sheets are: "
                f"{', '.join(visible) or '(none)'}."
            )
        chosen = sheet
    else:
        chosen = _choose_sheet(filename, wb, visible, hidden, package)
    rows_py = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    if len(rows_py) > limits.max_rows + 100:
        raise _too_many_rows(len(rows_py) - 1, limits)
    records = [[_cell_text(c) for c in r] for r in rows_py]
    detected: dict[str, Any] = {
        "format": "xlsx",
        "encoding": None,
        "separator": None,
        "sheet": chosen,
        "sheets": visible,
        "hidden_sheets": hidden,
    }
    k = _find_header([r for r in records[:60]])
    if not records:
        return _Raw(
            frame=pd.DataFrame(), rows=np.array([], int), detected=detected | {"header_row": 1}
        )
    header = [c.strip() for c in records[k]]
    while header and not header[-1]:
        header.pop()
    width = max(len(header), 1)
    body = [(r + [""] * width)[:width] for r in records[k + 1 :]]
    extra = [
        (k + 2 + i, r) for i, r in enumerate(records[k + 1 :]) if any(c.strip() for c in r[width:])
    ]
    names = _clean_names(header, width)
    frame = pd.DataFrame(body, columns=names, dtype=object)
    frame = frame.astype(pd.StringDtype("pyarrow")) if len(frame) else frame.astype("string")
    raw = _Raw(
        frame=frame,
        rows=np.arange(k + 2, k + 2 + len(body), dtype=np.int64),
        detected=detected | {"header_row": k + 1},
    )
    if extra:
        raw.problems.extend(
            Problem(
                r,
                None,
                " | ".join(c for c in cells[width:] if c.strip())[:80],
                "this row has values to the right of the last named column; they were "
                "ignored (give that column a header to import it)",
                "warning",
            )
            for r, cells in extra[:1000]
        )
    zf, parts, _shared = package
    if zf is not None and chosen in parts:
        try:
            found = _uncached_formulas(zf, parts[chosen])
        except (KeyError, OSError, zipfile.BadZipFile):  # the part is missing or damaged
            found = []
        problems, rejected = _formula_problems(found, k, names, body, frame)
        raw.problems.extend(problems)
        if rejected.any():
            raw.rejected = rejected
    return raw


# =========================================================================== GeoJSON & Parquet


def _read_geojson(data: bytes, filename: str) -> _Raw:
    text, encoding = _decode(data, filename)
    try:
        doc = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise DataError(
            f"The file {filename} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); export the GeoJSON again."
        ) from None
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and isinstance(doc.get("features"), list):
        features = doc["features"]
    elif isinstance(doc, list) and all(isinstance(x, dict) for x in doc):
        features = [{"type": "Feature", "properties": x, "geometry": None} for x in doc]
    else:
        raise DataError(
            f"The file {filename} is JSON but not GeoJSON: expected a FeatureCollection with "
            "a 'features' list."
        )
    crs = doc.get("crs") if isinstance(doc, dict) else None
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", ""))
        if name and not re.search(r"CRS84|4326", name):
            raise DataError(
                f"The GeoJSON file {filename} uses the coordinate system {name}; export it in "
                "WGS 84 (EPSG:4326) longitude/latitude."
            )
    props, lat, lon, problems, rejected = [], [], [], [], []
    for i, feat in enumerate(features):
        row = i + 1
        p = feat.get("properties") if isinstance(feat, dict) else None
        props.append(
            {
                str(k): (
                    json.dumps(v, ensure_ascii=False)
                    if isinstance(v, dict | list)
                    else _cell_text(v)
                )
                for k, v in (p or {}).items()
            }
        )
        g = feat.get("geometry") if isinstance(feat, dict) else None
        y = x = float("nan")
        bad = False
        if isinstance(g, dict):
            gtype = g.get("type")
            try:
                if gtype == "Point":
                    x, y = float(g["coordinates"][0]), float(g["coordinates"][1])
                else:
                    from shapely.geometry import shape

                    pt = shape(g).representative_point()
                    x, y = pt.x, pt.y
                    problems.append(
                        Problem(
                            row,
                            "geometry",
                            str(gtype),
                            f"the geometry is a {gtype}; a point inside it was used",
                            "warning",
                        )
                    )
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                bad = True
                problems.append(
                    Problem(
                        row,
                        "geometry",
                        json.dumps(g)[:80],
                        f"the geometry cannot be read ({type(exc).__name__}); give a Point "
                        "with [longitude, latitude]",
                    )
                )
        lat.append(y)
        lon.append(x)
        rejected.append(bad)
    frame = pd.DataFrame(props).fillna("")
    frame = frame.astype(pd.StringDtype("pyarrow")) if len(frame.columns) else frame
    if not len(frame.columns):
        frame = pd.DataFrame(index=range(len(features)))
    geom = pd.DataFrame({"lat": lat, "lon": lon}, dtype="float64")
    return _Raw(
        frame=frame,
        rows=np.arange(1, len(features) + 1, dtype=np.int64),
        detected={
            "format": "geojson",
            "encoding": encoding,
            "separator": None,
            "sheet": None,
            "sheets": [],
            "hidden_sheets": [],
            "header_row": None,
        },
        problems=problems,
        rejected=np.asarray(rejected, dtype=bool),
        geom=geom,
    )


def _read_parquet(data: bytes, filename: str) -> _Raw:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(
            f"The Parquet file {filename} could not be read ({exc}); write it again."
        ) from None
    geom = None
    if "geometry" in table.column_names and pa.types.is_binary(table.schema.field("geometry").type):
        import shapely

        shapes = shapely.from_wkb(table.column("geometry").to_pylist(), on_invalid="ignore")
        pts = [
            s.representative_point() if s is not None and not s.is_empty else None for s in shapes
        ]
        geom = pd.DataFrame(
            {
                "lat": [p.y if p is not None else np.nan for p in pts],
                "lon": [p.x if p is not None else np.nan for p in pts],
            }
        )
        table = table.drop_columns(["geometry"])
    cols = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_floating(col.type):
            # 2100.0 -> "2100" like the other formats; others keep their digits.
            arr = col.to_pandas()
            cols[name] = pd.Series([_cell_text(v) for v in arr], dtype=pd.StringDtype("pyarrow"))
            continue
        try:
            s = pc.cast(col, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            s = pa.array([_cell_text(v) for v in col.to_pylist()], pa.string())
        cols[name] = pd.Series(
            pc.fill_null(s, "").to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
            if isinstance(s, pa.ChunkedArray)
            else pc.fill_null(s, "").to_pandas(),
            dtype=pd.StringDtype("pyarrow"),
        )
    frame = pd.DataFrame(cols)
    return _Raw(
        frame=frame,
        rows=np.arange(2, table.num_rows + 2, dtype=np.int64),
        detected={
            "format": "parquet",
            "encoding": None,
            "separator": None,
            "sheet": None,
            "sheets": [],
            "hidden_sheets": [],
            "header_row": 1,
        },
        geom=geom,
    )


def _too_many_rows(n: int, limits: Limits) -> DataError:
    return DataError(
        f"The file has {n:,} data rows; at most {limits.max_rows:,} are accepted per upload. "
        "Split it into smaller files or aggregate it first."
    )


# =========================================================================== interpretation

#: Counts from here on are refused: past 2**53 a float no longer holds every whole number.
_MAX_COUNT = 2**53

_NUMERIC_FIELDS = ("lat", "lon", "firms", "employees", "year", "region_employment")
_TEXT_FIELDS = (
    "name",
    "cluster",
    "cluster_id",
    "city",
    "country",
    "region",
    "source",
    "source_url",
    "counts_what",
    "technology",
    "organisation",
    "note",
    "firms_qualifier",
    "employees_qualifier",
    "scope",
    *(f for f in PROFILE_FIELD_OF if f != "technology"),
)


def _apply_mapping(
    columns: list[str], frame: pd.DataFrame, user: dict[str, str | None] | None
) -> dict[str, str | None]:
    mapping = detect_mapping(columns, sample=frame.head(50))
    if user:
        unknown_fields = [f for f in user if f not in CANONICAL_FIELDS]
        if unknown_fields:
            raise DataError(
                f"Unknown field(s) {', '.join(map(repr, unknown_fields))} in the column mapping; "
                f"fields are: {', '.join(CANONICAL_FIELDS)}."
            )
        for fld, col in user.items():
            if col is not None and col not in columns:
                raise DataError(
                    f"The column '{col}' chosen for '{fld}' is not in the file; its columns are: "
                    f"{', '.join(columns)}."
                )
            if col is not None:
                for other, c in list(mapping.items()):
                    if c == col and other != fld and other not in user:
                        mapping[other] = None
            mapping[fld] = col
    return mapping


def _detect_kind(
    frame: pd.DataFrame,
    mapping: dict[str, str | None],
    trimmed: Callable[[str], pd.Series] | None = None,
) -> str:
    if mapping.get("firms"):
        return "clusters"
    name = mapping.get("name")
    if name and is_firm_name_header(name):
        return "firms"
    if mapping.get("cluster") and name:
        return "firms"
    city = mapping.get("city")
    if city:
        c = trimmed(city) if trimmed else frame[city].astype("string").str.strip()
        c = c[c.fillna("") != ""]
        import pyarrow.compute as pc

        n_distinct = pc.count_distinct(_lower(_arrow(c))).as_py() if len(c) >= 5 else 0
        if len(c) >= 5 and n_distinct <= 0.7 * len(c) and not mapping.get("counts_what"):
            # Repeated cities without a firm count: rows are firms, not clusters.
            return "firms"
    return "clusters"


def _flag(
    problems: list[Problem],
    mask: np.ndarray,
    rows: np.ndarray,
    column: str | None,
    values: pd.Series | None,
    reason: Callable[[str], str],
    severity: str = "error",
) -> None:
    idx = np.flatnonzero(mask)
    if not len(idx):
        return
    texts: list[Any] = [None] * len(idx)
    if values is not None:
        sub = values.iloc[idx]
        if not isinstance(sub.dtype, pd.StringDtype):
            sub = sub.astype("string")  # convert only the flagged values (floats are slow)
        texts = [str(v) for v in sub.tolist()]
    for i, v in zip(idx, texts, strict=True):
        text = "" if v is None else v
        problems.append(Problem(int(rows[i]), column, v, reason(text), severity))


def _arrow(s: pd.Series) -> Any:
    """The Arrow array behind a text column (converted to text first if needed)."""
    import pyarrow as pa

    return pa.array(s.astype("string").array)


def _strings(arr: Any, index: pd.Index) -> pd.Series:
    """An Arrow string array as a pandas ``string`` column (no Python objects)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([arr.cast(pa.large_string())])), index=index
    )


def _null_strings(n: int) -> Any:
    import pyarrow as pa

    return pa.nulls(n, pa.large_string())


def _take_strings(lut: Sequence[str | None], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``lut[codes]`` as a ``string`` column; code -1 gives NA."""
    import pyarrow as pa

    table = pa.array([v if isinstance(v, str) else None for v in lut] + [None], pa.large_string())
    pos = np.where(codes < 0, len(lut), codes)
    return _strings(table.take(pa.array(pos, pa.int64())), index)


def _fill_text(s: pd.Series, value: str) -> pd.Series:
    """Missing cells of a text column set to ``value`` (in Arrow, no Python strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arrow_strings(s)
    return _strings(pc.fill_null(arr, pa.scalar(value, arr.type)), s.index)


def _nonempty(s: pd.Series) -> np.ndarray:
    """Cells of a trimmed text column that hold something (not NA, not empty)."""
    import pyarrow.compute as pc

    filled = pc.greater(pc.binary_length(_arrow(s)), 0)
    return np.asarray(pc.fill_null(filled, False).to_numpy(zero_copy_only=False), dtype=bool)


def _codes(s: pd.Series) -> np.ndarray:
    """Group codes of a number column (NA is its own group, -1)."""
    return pd.factorize(s)[0].astype(np.int64)


def _lower(arr: Any) -> Any:
    # the lower-casing pandas' str.lower uses on Arrow text
    import pyarrow.compute as pc

    return pc.utf8_lower(arr)


def _nan_reason(nf: NumberFormat, what: str) -> Callable[[str], str]:
    return lambda v: not_a_number_reason(v, nf, what)


def _year_reason(lo: int, hi: int) -> Callable[[str], str]:
    return lambda v: f"'{v}' is not a year between {lo} and {hi}"


def read_upload(
    source: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    mapping: dict[str, str | None] | None = None,
    kind: str | None = None,
    limits: Limits | None = None,
    geocode_overrides: dict[int, tuple[float, float]] | None = None,
    progress: Progress | None = None,
) -> UploadResult:
    """Read, check, geocode and (for firm lists) aggregate a researcher's file.

    Parameters
    ----------
    source : str, path-like or bytes
        The file, or its content (then pass ``filename`` for messages and format).
    filename : str, optional
        Name shown in messages and used as the default source title.
    sheet : str, optional
        Worksheet of an XLSX file; default: the first visible sheet holding a table
        (see :func:`default_sheet`).
    mapping : dict, optional
        Corrections to the detected column mapping, canonical field -> column
        name (``None`` to ignore a field). Other fields keep their detection.
    kind : {"clusters", "firms"}, optional
        Override the detected shape of the table.
    limits : Limits, optional
        Size, row, text and time limits; default :class:`Limits()`.
    geocode_overrides : dict, optional
        Row number (as in the report) -> ``(lat, lon)`` chosen by the person,
        used instead of the file's coordinates or geocoding for that row.
    progress : callable, optional
        Called as ``progress(fraction, message)`` between steps.

    Returns
    -------
    UploadResult
        The cluster table plus everything detected and every problem.

    Raises
    ------
    mstatlas.errors.DataError
        When the file as a whole cannot be used (empty, too large, damaged,
        not a table, header only, no usable columns); the message says what to do.
    """
    limits = limits or Limits()
    deadline = Deadline(limits.max_seconds)

    def step(fraction: float, message: str) -> None:
        deadline.check(message.lower())
        if progress is not None:
            progress(fraction, message)

    if kind not in (None, "clusters", "firms"):
        raise DataError(f"kind must be 'clusters' or 'firms', not {kind!r}.")
    step(0.0, "Reading the file")
    data, name = _load_bytes(source, filename, limits)
    fmt = _sniff_format(data, name)
    if fmt == "xlsx":
        raw = _read_xlsx(data, name, sheet, limits)
    elif fmt == "geojson":
        raw = _read_geojson(data, name)
    elif fmt == "parquet":
        raw = _read_parquet(data, name)
    else:
        raw = _read_csv(data, name, limits)
    del data
    step(0.3, "Checking rows")
    return _process(raw, name, mapping, kind, limits, geocode_overrides or {}, step)


_WARM_UP_FILE = b"Firma;Ort;Land;Mitarbeiter\nA GmbH;Dortmund;Deutschland;1\nB AG;Dortmund;DE;2\n"


def warm_up() -> None:
    """Load now what the first upload of a process would otherwise wait for.

    Country names, the offline place index (built and cached on disk the first
    time) and Polars (duplicate checks of large files) take about a second to
    load. The app calls this in the background when the upload page opens, so a
    researcher's first file is read as fast as the next one.
    """
    import polars  # noqa: F401

    read_upload(_WARM_UP_FILE, filename="warm-up.csv")


def _process(
    raw: _Raw,
    filename: str,
    user_mapping: dict[str, str | None] | None,
    kind: str | None,
    limits: Limits,
    overrides: dict[int, tuple[float, float]],
    step: Callable[[float, str], None],
) -> UploadResult:
    frame, rows = raw.frame, raw.rows
    columns = [str(c) for c in frame.columns]
    detected = dict(raw.detected)
    if not columns and raw.geom is None:
        raise DataError(
            f"The file {filename} has no columns; the first row must hold column names "
            "(see the template)."
        )
    stripped: dict[str, pd.Series] = {}

    def trimmed(c: str) -> pd.Series:
        """The column as text without surrounding spaces, computed once."""
        if c not in stripped:
            text = frame[c].astype("string")
            # most columns have no surrounding spaces: a look at first and last bytes suffices
            stripped[c] = text.str.strip() if may_need_trim(text) else text
        return stripped[c]

    # Blank rows (every cell empty or white space, no geometry) are not data.
    filled = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        filled |= _nonempty(trimmed(c))
    if raw.geom is not None:
        filled |= raw.geom["lat"].notna().to_numpy()
    n_blank = int((~filled).sum())
    keep = filled
    geom = raw.geom
    pre_rejected = raw.rejected
    if n_blank:  # copying a million-row frame only when something is dropped
        frame = frame[keep].reset_index(drop=True)
        rows = rows[keep]
        geom = geom[keep].reset_index(drop=True) if geom is not None else None
        pre_rejected = pre_rejected[keep] if pre_rejected is not None else None
        for c in list(stripped):
            stripped[c] = stripped[c][keep].reset_index(drop=True)
    if pre_rejected is None:
        pre_rejected = np.zeros(len(frame), bool)
    n = len(frame)
    if n > limits.max_rows:
        raise _too_many_rows(n, limits)
    if n == 0:
        shown = ", ".join(columns[:8]) + (", …" if len(columns) > 8 else "")
        raise DataError(
            f"The file {filename} has a header row ({shown}) but no data rows; add at least "
            "one row below the header."
        )
    mapping = _apply_mapping(columns, frame, user_mapping)
    all_missing = _strings(_null_strings(n), frame.index).array  # built once, shared

    def missing_text() -> pd.Series:
        """A text column with every value missing (its own Series over shared Arrow memory)."""
        return pd.Series(all_missing.copy(), index=frame.index)

    kind = kind or _detect_kind(frame, mapping, trimmed)
    detected["kind_detected"] = kind
    problems = list(raw.problems)
    reject = pre_rejected.copy()

    def col(fld: str) -> pd.Series | None:
        c = mapping.get(fld)
        return frame[c] if c else None

    # ---- usable columns at all?
    name_field = "name"
    if mapping.get("name") is None:
        if kind == "clusters" and mapping.get("city"):
            name_field = "city"
            detected["name_from"] = mapping["city"]
        elif kind == "clusters":
            raise DataError(
                f"The file {filename} has no column with cluster names; its columns are "
                f"{', '.join(columns)}. Name one 'name' (or Name, Bezeichnung, Cluster, nom) "
                "or choose it in the column mapping."
            )
    has_coords = bool(mapping.get("lat") and mapping.get("lon")) or geom is not None
    if not has_coords and not mapping.get("city") and not overrides:
        raise DataError(
            f"The file {filename} has neither coordinates nor a city column, so nothing can be "
            f"placed on the map; its columns are {', '.join(columns)}. Add 'lat' and 'lon' "
            "columns or a 'city' column (with 'country')."
        )

    # ---- numbers
    num_cols = [c for f in _NUMERIC_FIELDS if (c := mapping.get(f))]
    formats, default_fmt = detect_number_formats(frame, num_cols, detected.get("separator"))
    detected["decimal"] = default_fmt.decimal
    detected["thousands"] = default_fmt.thousands
    detected["number_formats"] = {c: f.decimal for c, f in formats.items()}
    values: dict[str, pd.Series] = {}
    qualifiers: dict[str, pd.Series] = {}
    for fld in _NUMERIC_FIELDS:
        c = mapping.get(fld)
        if not c:
            values[fld] = pd.Series(np.nan, index=frame.index, dtype="float64")
            continue
        nf = formats.get(c, NumberFormat())
        what = "coordinate" if fld in ("lat", "lon") else ("year" if fld == "year" else "count")
        num, failed, qual = parse_numbers(
            trimmed(c),
            nf,
            coordinate=what == "coordinate",
            integer=what != "coordinate",
            stripped=True,
        )
        failed_np = failed.to_numpy(bool)
        _flag(
            problems,
            failed_np,
            rows,
            c,
            frame[c],
            _nan_reason(nf, what),
        )
        reject |= failed_np
        values[fld] = num
        qualifiers[fld] = qual
        if what == "count":
            neg = (num < 0).fillna(False).to_numpy(bool)
            _flag(
                problems,
                neg,
                rows,
                c,
                frame[c],
                lambda v: f"'{v}' is negative; a count cannot be below 0",
            )
            huge = (num >= _MAX_COUNT).fillna(False).to_numpy(bool)
            _flag(
                problems,
                huge,
                rows,
                c,
                frame[c],
                lambda v: f"'{v}' is too large for a count of firms or employees",
            )
            frac = (num.notna() & (num % 1 != 0)).to_numpy(bool) & ~neg & ~huge
            _flag(
                problems,
                frac,
                rows,
                c,
                frame[c],
                lambda v: (
                    f"'{v}' is not a whole number; counts of firms and employees are whole numbers"
                ),
            )
            reject |= neg | frac | huge
            if nf.decimal == ".":
                # "2.100" where the point is the decimal mark: read as 2,100 (a count has
                # no decimals) — said, because the file's other numbers use the point.
                _flag(
                    problems,
                    point_grouped(trimmed(c)) & ~reject,
                    rows,
                    c,
                    frame[c],
                    lambda v: (
                        f"'{v}' was read as {float(v.strip().replace('.', '')):,.0f}: a count "
                        "has no decimals, so the point was taken as a thousands separator, "
                        "although the file's decimal mark is the point; check the value"
                    ),
                    "warning",
                )
        elif what == "year":
            lo, hi = YEAR_RANGE
            bad = (num.notna() & ((num < lo) | (num > hi) | (num % 1 != 0))).to_numpy(bool)
            _flag(
                problems,
                bad,
                rows,
                c,
                frame[c],
                _year_reason(lo, hi),
            )
            reject |= bad
    lat, lon = values["lat"].copy(), values["lon"].copy()
    if geom is not None:
        has_geom = geom["lat"].notna()
        lat = lat.where(~has_geom, geom["lat"])
        lon = lon.where(~has_geom, geom["lon"])
    lat_c = mapping.get("lat") or "geometry"
    lon_c = mapping.get("lon") or "geometry"
    one_missing = (lat.isna() ^ lon.isna()).to_numpy(bool) & ~reject
    lat_missing = lat.isna().to_numpy(bool)
    for missing_mask, column in (
        (one_missing & lat_missing, lat_c),
        (one_missing & ~lat_missing, lon_c),
    ):
        _flag(
            problems,
            missing_mask,
            rows,
            column,
            None,
            lambda v: (
                "only one of latitude and longitude is given; fill both or leave both "
                "empty to place the row by its city"
            ),
        )
    reject |= one_missing
    bad_lat = (lat.abs() > 90).fillna(False).to_numpy(bool)
    bad_lon = (lon.abs() > 180).fillna(False).to_numpy(bool)
    _flag(
        problems,
        bad_lat,
        rows,
        lat_c,
        lat,
        lambda v: f"latitude {v} is impossible (must be between -90 and 90)",
    )
    _flag(
        problems,
        bad_lon & ~bad_lat,
        rows,
        lon_c,
        lon,
        lambda v: f"longitude {v} is impossible (must be between -180 and 180)",
    )
    reject |= bad_lat | bad_lon

    # ---- text
    texts: dict[str, pd.Series] = {}
    for fld in _TEXT_FIELDS:
        c = mapping.get(fld)
        if not c:
            texts[fld] = missing_text()
            continue
        s = trimmed(c)
        probs, bad = text_problems(s, rows, c, limits.max_text_len)
        problems.extend(probs)
        reject |= bad.to_numpy(bool)
        texts[fld] = s.mask(s == "", pd.NA)
    name = texts["name"] if name_field == "name" else texts["city"]
    missing_name = name.isna().to_numpy(bool) & ~reject
    what_name = "firm name" if kind == "firms" else "cluster name"
    _flag(
        problems,
        missing_name,
        rows,
        mapping.get(name_field),
        None,
        lambda v: f"the {what_name} is empty; every row needs one",
    )
    reject |= missing_name

    # counts_what and qualifiers
    cw = pd.Series("unspecified", index=frame.index, dtype="string")
    if mapping.get("counts_what") and kind == "clusters":
        raw_cw = texts["counts_what"]
        cw_codes, cw_uniques = pd.factorize(raw_cw)
        cw_keys = [counts_what_key(str(v)) for v in cw_uniques]
        known = np.array([k is not None for k in cw_keys] + [True], dtype=bool)
        bad = ~known[np.where(cw_codes < 0, len(cw_keys), cw_codes)]
        _flag(
            problems,
            bad,
            rows,
            mapping["counts_what"],
            raw_cw,
            lambda v: (
                f"'{v}' is not a kind of figure the atlas knows; use one of "
                f"{', '.join(COUNTS_WHAT)}"
            ),
        )
        reject |= bad
        cw = _take_strings(
            [k or "unspecified" for k in cw_keys] + ["unspecified"],
            np.where(cw_codes < 0, len(cw_keys), cw_codes),
            frame.index,
        )
    quals: dict[str, pd.Series] = {}
    for fld, numfld in (("firms_qualifier", "firms"), ("employees_qualifier", "employees")):
        q = qualifiers.get(numfld)
        if q is None:
            q = missing_text()
        if mapping.get(fld):
            given = texts[fld].str.lower().str.replace(r"[\s-]+", "_", regex=True)
            bad = (given.notna() & ~given.isin([k for k in QUALIFIERS if k])).to_numpy(bool)
            _flag(
                problems,
                bad,
                rows,
                mapping[fld],
                texts[fld],
                lambda v: (
                    f"'{v}' is not a qualifier; use about, more_than, at_least, up_to or "
                    "leave it blank"
                ),
            )
            reject |= bad
            q = given.where(given.notna() & ~pd.Series(bad, index=frame.index), q)
        quals[fld] = q

    # source URL: only web links (a javascript: link in a popup would run code)
    url = texts["source_url"]
    bad_url = np.zeros(n, dtype=bool)
    if mapping.get("source_url"):
        bad_url = (url.notna() & ~url.str.match(r"(?i)https?://").fillna(False)).to_numpy(bool)
    _flag(
        problems,
        bad_url,
        rows,
        mapping.get("source_url"),
        url,
        lambda v: (
            f"'{v[:60]}' is not a web address starting with http:// or https://; the "
            "link was left out"
        ),
        "warning",
    )
    if bad_url.any():
        url = url.mask(pd.Series(bad_url, index=frame.index))

    # countries
    iso = missing_text()
    iso_codes: np.ndarray = np.full(n, -1, dtype=np.int64)
    iso_uniques: list[str] = []
    if mapping.get("country"):
        ctext = texts["country"]
        # each distinct spelling is looked up once; ISO codes follow from its code
        ccodes, cuniques = text_codes(ctext, trim=False)
        iso_of = [country_to_iso2(str(u)) for u in cuniques]
        iso_lut, iso_index = pd.factorize(pd.Series(iso_of, dtype=object))
        iso_uniques = [str(v) for v in iso_index]
        iso_codes = np.append(iso_lut.astype(np.int64), -1)[ccodes]  # code -1 stays -1
        iso = _take_strings(iso_uniques, iso_codes, frame.index)
        unknown = (ccodes >= 0) & (iso_codes < 0) & ~reject
        _flag(
            problems,
            unknown,
            rows,
            mapping["country"],
            ctext,
            lambda v: (
                f"'{v}' is not a country the atlas recognises (write e.g. Germany, "
                "Deutschland or DE); the row was placed without it"
            ),
            "warning",
        )
    step(0.5, "Checking duplicates")

    # ---- overrides from the person
    overridden = np.zeros(n, dtype=bool)
    for r, (olat, olon) in overrides.items():
        hits = np.flatnonzero(rows == int(r))
        if not len(hits):
            continue
        i = int(hits[0])
        if not (-90 <= float(olat) <= 90 and -180 <= float(olon) <= 180):
            raise DataError(
                f"The corrected position for row {r} ({olat}, {olon}) is impossible; latitude "
                "must be within ±90 and longitude within ±180."
            )
        lat.iat[i], lon.iat[i] = float(olat), float(olon)
        overridden[i] = True
        if one_missing[i] or bad_lat[i] or bad_lon[i]:
            reject[i] = bool(pre_rejected[i])
            problems = [p for p in problems if not (p.row == r and p.column in (lat_c, lon_c))]

    # Outside Europe: a warning, with a hint when swapping would put it inside.
    (la0, la1), (lo0, lo1) = EUROPE_WINDOW["lat"], EUROPE_WINDOW["lon"]
    inside = lat.between(la0, la1) & lon.between(lo0, lo1)
    swapped_inside = lon.between(la0, la1) & lat.between(lo0, lo1)
    outside = (lat.notna() & lon.notna() & ~inside).to_numpy(bool) & ~reject
    out_idx = np.flatnonzero(outside)
    coord_text = pd.Series("", index=frame.index, dtype="object")
    if len(out_idx):  # text for the flagged rows only: float-to-text is slow
        coord_text.iloc[out_idx] = (
            lat.iloc[out_idx].astype("string") + ", " + lon.iloc[out_idx].astype("string")
        ).to_numpy(dtype=object)
    swap_np = swapped_inside.to_numpy(bool)
    for i in map(int, out_idx):
        hint = (
            "; latitude and longitude look swapped"
            if swap_np[i]
            else "; check the coordinates if the cluster is in Europe"
        )
        problems.append(
            Problem(
                int(rows[i]),
                lat_c,
                str(coord_text.iloc[i]),
                f"the position is outside Europe{hint}",
                "warning",
            )
        )

    # ---- duplicates (among rows still in), found with integer group codes
    ok_idx = np.flatnonzero(~reject)
    # Each text column is hashed once; geocoding reuses the city and country codes.
    city_codes, city_uniques = text_codes(texts["city"], trim=False)
    # names are mostly distinct: hashed per row, compared exactly only on a hash match
    import pyarrow as pa
    import pyarrow.compute as pc

    name_key = pc.utf8_lower(arrow_strings(name))
    if kind == "clusters":
        key_parts = [
            name_key,
            fold_codes(city_codes, city_uniques),
            _codes(values["year"]),
            _codes(values["firms"]),
            _codes(values["employees"]),
        ]
        dup_reason = "same name, city, year and figures"
        # the same number for two kinds of figure or two perimeters is two figures
        if mapping.get("counts_what"):
            key_parts.append(text_codes(cw, trim=False)[0])
            dup_reason = "same name, city, year, kind of figure and figures"
        if mapping.get("scope"):
            key_parts.append(fold_codes(*text_codes(texts["scope"], trim=False)))
            dup_reason = dup_reason.replace(" and figures", ", scope and figures")
    else:
        key_parts = [name_key, fold_codes(city_codes, city_uniques), iso_codes]
        dup_reason = "same firm name and city; each firm is counted once"
    if len(ok_idx):
        if len(ok_idx) < n:
            key_parts = [
                p[ok_idx] if isinstance(p, np.ndarray) else p.take(pa.array(ok_idx))
                for p in key_parts
            ]
        dup_j, first_j = first_duplicates(key_parts)
        if len(dup_j):
            name_col = mapping.get(name_field)
            for j, f in zip(dup_j.tolist(), first_j.tolist(), strict=True):
                pos = int(ok_idx[j])
                problems.append(
                    Problem(
                        int(rows[pos]),
                        name_col,
                        str(name.iloc[pos]),
                        f"duplicate of row {int(rows[ok_idx[f]])} "
                        f"({dup_reason}); only the first is imported",
                    )
                )
                reject[pos] = True
    step(0.6, "Geocoding cities")

    # ---- geocoding (once per distinct city and country)
    need = lat.isna().to_numpy(bool) & ~reject & ~overridden
    geo_frames = []
    city_s = texts["city"]
    if need.any():
        no_city = need & city_s.isna().to_numpy(bool)
        _flag(
            problems,
            no_city,
            rows,
            mapping.get("city") or mapping.get("lat"),
            None,
            lambda v: (
                "the row has no coordinates and no city, so it cannot be placed; "
                "add lat/lon or a city"
            ),
        )
        reject |= no_city
        need &= ~no_city
    if need.any():
        from mstatlas.data.geocode import geocode

        idx = np.flatnonzero(need)
        # one lookup per distinct (city, country); results are spread back by code
        city_need = city_s if len(idx) == n else city_s.iloc[idx].reset_index(drop=True)
        pair_code, first = renumber(combine_codes([city_codes[idx], iso_codes[idx]]))
        iso_first = [v if isinstance(v, str) and v else "" for v in iso.iloc[idx[first]].tolist()]
        found: list[tuple[Any, ...]] = []
        for j, (c, cc) in enumerate(zip(city_s.iloc[idx[first]].tolist(), iso_first, strict=True)):
            if j % 200 == 0:
                step(0.6 + 0.25 * j / max(len(first), 1), "Geocoding cities")
            m = geocode(str(c), cc or None)
            found.append(
                (
                    m.name,
                    m.lat,
                    m.lon,
                    m.confidence,
                    m.status,
                    m.country_iso2,
                    "; ".join(f"{a[0]} ({a[1]})" for a in m.alternatives[:3]),
                )
                if m
                else (None, np.nan, np.nan, 0.0, "failed", None, "")
            )
        res = pd.DataFrame(
            found, columns=["matched", "glat", "glon", "confidence", "status", "gcc", "alts"]
        )
        glat = res["glat"].to_numpy("float64")[pair_code]
        glon = res["glon"].to_numpy("float64")[pair_code]
        lat.iloc[idx] = glat
        lon.iloc[idx] = glon
        code_all = np.full(n, -1, dtype=np.int64)
        code_all[idx] = pair_code
        # rows without a country take the geocoded one (others: NA, no change)
        if iso.isna().any():
            iso = iso.fillna(_take_strings(res["gcc"].tolist(), code_all, iso.index))
            iso_codes, iso_uniques = text_codes(iso, trim=False)
        status_u = res["status"].to_numpy(dtype=object)
        failed = np.zeros(n, dtype=bool)
        failed[idx] = (status_u == "failed")[pair_code]
        amb = np.zeros(n, dtype=bool)
        amb[idx] = (status_u == "ambiguous")[pair_code]
        city_col = mapping.get("city")
        _flag(
            problems,
            failed,
            rows,
            city_col,
            city_s,
            lambda v: (
                f"no place called '{v}' was found (in the given country); check the "
                "spelling, add lat/lon, or set the position by hand"
            ),
        )
        reject |= failed
        code_of = np.full(n, -1, dtype=np.int64)
        code_of[idx] = pair_code
        alts_u = res["alts"].tolist()
        matched_u = res["matched"].tolist()
        amb_idx = np.flatnonzero(amb)
        amb_city = city_s.iloc[amb_idx].tolist()
        for i, city in zip(map(int, amb_idx), amb_city, strict=True):
            u = int(code_of[i])
            problems.append(
                Problem(
                    int(rows[i]),
                    city_col,
                    str(city),
                    f"'{city}' is ambiguous; placed at "
                    f"{matched_u[u]}, other places with this name: "
                    f"{alts_u[u]}. Check the position or set it by hand",
                    "warning",
                )
            )
        geo_frames.append(
            pd.DataFrame(
                {
                    "row": rows[idx],
                    "city": city_need,
                    "country": _take_strings(
                        [v or None for v in iso_first], pair_code, city_need.index
                    ),
                    "matched": _take_strings(matched_u, pair_code, city_need.index),
                    "lat": glat,
                    "lon": glon,
                    "confidence": res["confidence"].to_numpy("float64")[pair_code],
                    "status": _take_strings(res["status"].tolist(), pair_code, city_need.index),
                }
            )
        )
    if overridden.any():
        oi = np.flatnonzero(overridden)
        geo_frames.append(
            pd.DataFrame(
                {
                    "row": rows[oi],
                    "city": city_s.iloc[oi].to_numpy(),
                    "country": iso.iloc[oi].to_numpy(),
                    "matched": "set by hand",
                    "lat": lat.iloc[oi].to_numpy(),
                    "lon": lon.iloc[oi].to_numpy(),
                    "confidence": 1.0,
                    "status": "ok",
                }
            )
        )
    if len(geo_frames) == 1:
        geocoding = geo_frames[0]  # rows[idx] is already in row order
    elif geo_frames:
        geocoding = (
            pd.concat(geo_frames, ignore_index=True)
            .sort_values("row", kind="stable")
            .reset_index(drop=True)
        )
    else:
        geocoding = pd.DataFrame({c: [] for c in GEOCODING_COLUMNS})
    step(0.85, "Building the cluster table")

    # ---- assemble
    keep_idx = np.flatnonzero(~reject)
    default_source = f"Uploaded file {filename}"  # for rows without a source of their own
    source = _fill_text(texts["source"], default_source)
    firms_out = None
    aggregation = None
    if kind == "firms":
        from mstatlas.data.firms import aggregate_firms

        firms_out = pd.DataFrame(
            {
                "row": rows,
                "name": name,
                "cluster": texts["cluster"],
                "city": city_s,
                "country_iso2": iso,
                "region": texts["region"],
                "lat": lat,
                "lon": lon,
                "employees": values["employees"],
                "technology": texts["technology"],
                "year": values["year"],
                "source_title": source,
                "source_url": url,
            },
            copy=False,  # the columns are this function's own: no need to copy a million rows
        )
        # the text columns as group codes: city and country are hashed already
        firm_codes: dict[str, tuple[np.ndarray, list[str]]] = {
            "city": (city_codes, city_uniques),
            "country_iso2": (iso_codes, iso_uniques),
        }
        for column, fld, values_ in (
            ("cluster", "cluster", texts["cluster"]),
            ("region", "region", texts["region"]),
            ("technology", "technology", texts["technology"]),
            ("source_url", "source_url", url),
            ("source_title", "source", texts["source"]),
        ):
            firm_codes[column] = (
                text_codes(values_, trim=False)
                if mapping.get(fld)
                else (np.full(n, -1, dtype=np.int64), [])
            )
        src_codes, src_uniques = firm_codes["source_title"]
        firm_codes["source_title"] = (
            np.where(src_codes < 0, len(src_uniques), src_codes),
            [*src_uniques, default_source],
        )
        if len(keep_idx) < n:
            firms_out = firms_out.iloc[keep_idx].reset_index(drop=True)
            firm_codes = {k: (c[keep_idx], u) for k, (c, u) in firm_codes.items()}
        by = "cluster" if mapping.get("cluster") and firms_out["cluster"].notna().all() else "city"
        table, aggregation = aggregate_firms(firms_out, by=by, codes=firm_codes)
        firms_out["employees"] = firms_out["employees"].round().astype("Int64")
        firms_out["year"] = firms_out["year"].round().astype("Int64")
    else:
        table = (
            pd.DataFrame(
                {
                    "cluster_name": name,
                    "city": city_s,
                    "region": texts["region"],
                    "country_iso2": iso,
                    "lat": lat,
                    "lon": lon,
                    "firms": values["firms"].round(),
                    "employees": values["employees"].round(),
                    "firms_qualifier": quals["firms_qualifier"],
                    "employees_qualifier": quals["employees_qualifier"],
                    "counts_what": cw,
                    "year": values["year"].round(),
                    "organisation": texts["organisation"],
                    "source_title": source,
                    "source_url": url,
                    "note": texts["note"],
                    "scope": texts["scope"],
                    "region_employment": values["region_employment"].round(),
                    "_given_id": texts["cluster_id"],
                    "ivam_benchmark_2007": (
                        frame["ivam_benchmark_2007"]
                        if "ivam_benchmark_2007" in frame.columns
                        else False
                    ),
                }
            )
            .iloc[keep_idx]
            .reset_index(drop=True)
        )
    table["cluster_id"] = _cluster_ids(table)
    table = table.drop(columns=["_given_id"], errors="ignore")
    clusters = coerce_clusters(table) if len(table) else empty_clusters()
    profiles = empty_profiles()  # firm lists: a firm's technology is not a cluster fact
    if kind == "clusters":
        profiles = _profile_facts(clusters, texts, keep_idx, mapping)
    n_rejected = int(reject.sum())
    problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.severity != "error"))
    report = ValidationReport(
        n_rows=n,
        n_imported=n - n_rejected,
        n_rejected=n_rejected,
        problems=problems,
        n_blank=n_blank,
    )
    step(1.0, "Done")
    return UploadResult(
        clusters=clusters,
        report=report,
        kind=kind,
        mapping=mapping,
        columns=columns,
        detected=detected,
        firms=firms_out,
        geocoding=geocoding,
        aggregation=aggregation,
        profiles=profiles,
    )


def _profile_facts(
    clusters: pd.DataFrame,
    texts: dict[str, pd.Series],
    keep_idx: np.ndarray,
    mapping: dict[str, str | None],
) -> pd.DataFrame:
    """Profile facts from the profile columns of the imported rows of a cluster table.

    Each value of a cell (several are separated by ";") is one fact with its row's
    cluster, year and source; a fact repeated on several rows of one cluster (same
    field and value) is kept once, from its first row.
    """
    parts = []
    for fld, profile_field in PROFILE_FIELD_OF.items():
        if not mapping.get(fld):
            continue
        cells = texts[fld].iloc[keep_idx].reset_index(drop=True)
        has = cells.notna().to_numpy(bool)
        if not has.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    "cluster_id": clusters["cluster_id"][has],
                    "field": profile_field,
                    "value": cells[has].str.split(";"),
                    "year": clusters["year"][has],
                    "source_title": clusters["source_title"][has],
                    "source_url": clusters["source_url"][has],
                }
            ).explode("value")
        )
    if not parts:
        return empty_profiles()
    facts = pd.concat(parts, ignore_index=True)
    facts["value"] = facts["value"].astype("string").str.strip()
    facts = facts[facts["value"].fillna("") != ""]
    facts = facts.drop_duplicates(["cluster_id", "field", "value"], keep="first")
    return coerce_profiles(facts)


def _cluster_ids(table: pd.DataFrame) -> pd.Series:
    """Slug of the name (or the file's id); distinct clusters with equal slugs get -2, -3.

    A cluster is one (name, city) up to case, or one valid id of the file. The
    work is done per distinct cluster: rows only receive their cluster's id.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(table)
    if n == 0:
        return pd.Series([], dtype="string", index=table.index)
    names = table["cluster_name"].astype("string")
    name_codes, name_uniques = pd.factorize(names, use_na_sentinel=False)
    name_text = [str(v) for v in name_uniques]  # str(NA) as before: "<NA>"
    name_cf, _ = pd.factorize(pd.Series([t.casefold() for t in name_text], dtype="object"))
    # a missing city and an empty one are the same ("" as before)
    city_text = table["city"].astype("string").fillna("")
    city_uniq_codes, city_uniques = pd.factorize(city_text)
    city_cf, _ = pd.factorize(pd.Series([str(v).casefold() for v in city_uniques], dtype=object))
    city_codes = city_cf[city_uniq_codes]
    given = table["_given_id"].astype("string") if "_given_id" in table.columns else None
    valid = np.zeros(n, dtype=bool)
    if given is not None:
        valid = np.asarray(
            pc.fill_null(pc.match_substring_regex(_arrow(given), r"^[a-z0-9_-]+$"), False),
            dtype=bool,
        )
    # key: ("id", given id) for rows with a valid id, else (casefolded name, city)
    key = combine_codes([name_cf[name_codes], city_codes])
    if valid.any():
        assert given is not None
        id_codes = text_codes(given, trim=False)[0]
        key = np.where(valid, -1 - id_codes, key)
    key_codes, _ = pd.factorize(key)
    first = np.flatnonzero(~pd.Series(key_codes).duplicated(keep="first").to_numpy())
    # base slug of each distinct cluster: its id, or the slug of its first row's name
    base: list[str] = []
    first_valid = valid[first]
    first_given = given.iloc[first].tolist() if given is not None else [None] * len(first)
    first_name = name_codes[first]
    slugs = _slugs(name_text)
    for ok, gid, nc in zip(first_valid, first_given, first_name, strict=True):
        base.append(str(gid) if ok else slugs[nc])
    if len(set(base)) == len(base):
        final = base  # no two clusters share a slug: nothing to number
    else:
        final = []
        owner: dict[str, int] = {}
        for k, b in enumerate(base):
            slug, m = b, 1
            while slug in owner and owner[slug] != k:
                m += 1
                slug = f"{b}-{m}"
            owner[slug] = k
            final.append(slug)
    return _strings(pa.array(final, pa.large_string()).take(pa.array(key_codes)), table.index)


def _slugs(names: list[str]) -> list[str]:
    """:func:`mstatlas.data.firms.slugify` of each name; ASCII names in one Arrow pass."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from mstatlas.data.firms import slugify

    arr = pa.array(names, pa.large_string())
    ascii_ = np.asarray(pc.string_is_ascii(arr).to_numpy(zero_copy_only=False), dtype=bool)
    fast = pc.replace_substring_regex(pc.ascii_lower(arr), r"[^a-z0-9]+", "-")
    fast = pc.utf8_trim(fast, "-").to_pylist()
    return [
        (f or "cluster") if is_ascii else slugify(nm)
        for nm, f, is_ascii in zip(names, fast, ascii_, strict=True)
    ]
