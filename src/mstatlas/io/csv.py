"""CSV/TSV tables: a fast Arrow reader, and a tolerant one for ragged files."""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyarrow import csv as pacsv  # imported with the reader, not during a first upload

from mstatlas.data.limits import Limits
from mstatlas.data.parallel import run_all
from mstatlas.data.validate import Problem
from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.encoding import as_utf8, decoded
from mstatlas.io.raw import Raw
from mstatlas.io.sniff import SEP_NAMES, clean_names, sniff_csv


def read_csv(data: bytes, filename: str, limits: Limits) -> Raw:
    """A CSV/TSV file as text cells, its encoding, separator and header row detected.

    Pyarrow reads a regular file fast; a file it cannot read (ragged rows,
    odd quoting) is read by Python's csv module, which pads short rows and
    refuses rows with too many values, each with a reason.

    Parameters
    ----------
    data : bytes
        The whole file.
    filename : str
        The file's name as messages show it.
    limits : Limits
        The limits in force (``max_rows`` caps the tolerant reader).

    Returns
    -------
    Raw
        The table, ``detected`` holding format, encoding, separator (and its
        name), header row and empty sheet fields.

    Raises
    ------
    mstatlas.errors.DataError
        Binary data, a bad byte-order mark, or text the csv module cannot split.
    """
    text: str | None = None
    guess = as_utf8(data)
    if guess is not None:
        buf, sample_text, encoding = guess
    else:
        text, encoding, buf = decoded(data, filename)
        sample_text = text[:65536]
    sep, k, header = sniff_csv(sample_text, filename)
    raw = _read_csv_arrow(buf, sample_text, sep, k, header) if header else None
    if raw is None and text is None:
        # Only the start was decoded: decode the whole file (it may not be UTF-8 after all).
        text, new_encoding, buf = decoded(data, filename)
        if new_encoding != encoding:
            encoding, sample_text = new_encoding, text[:65536]
            sep, k, header = sniff_csv(sample_text, filename)
            raw = _read_csv_arrow(buf, sample_text, sep, k, header) if header else None
    if raw is None:
        assert text is not None
        raw = _read_csv_python(text, sep, k, header, limits)
    raw.detected.update(
        {
            "format": "csv",
            "encoding": encoding,
            "separator": sep,
            "separator_name": SEP_NAMES[sep],
            "sheet": None,
            "sheets": [],
            "hidden_sheets": [],
        }
    )
    return raw


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


def _body_rows(buf: bytes, start: int, first_row: int, n_records: int) -> np.ndarray | None:
    """Row numbers when every line of ``buf[start:]`` holds exactly one record, else None.

    Each record takes at least one line, so as many records as lines means no
    blank lines and no line breaks inside quoted values: record ``i`` is on
    line ``first_row + i``. A line of only a carriage return is blank to the
    person but may be a record to the reader, so it sends the file the long way.
    """
    body = np.frombuffer(buf, dtype=np.uint8)[start:]
    # numpy counts bytes faster than bytes.count; 256 KB at a time, so no file-sized
    # mask and each block's mask stays in the CPU cache
    n_lines = sum(
        int(np.count_nonzero(body[i : i + (1 << 18)] == 10)) for i in range(0, len(body), 1 << 18)
    ) + (1 if len(body) and buf[-1] != 10 else 0)
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
) -> Raw | None:
    """Fast path with pyarrow; None when the file needs the tolerant reader."""
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
                # large_string is what pandas' Arrow strings hold: no cast afterwards
                column_types=dict.fromkeys(names, pa.large_string()),
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
    # One chunk per column: the checks hand columns to Arrow functions that would
    # otherwise combine (copy) the reader's 4 MB blocks again on every call. The
    # columns are copied two at a time (Arrow lets go of the interpreter meanwhile).
    columns = run_all([column.combine_chunks for column in table.columns], rows=table.num_rows)
    frame = pa.table(columns, names=names).to_pandas(
        types_mapper={pa.large_string(): pd.StringDtype("pyarrow")}.get
    )
    frame.columns = clean_names(header, ncols)
    frame = _drop_empty_unnamed(frame, len(header))
    detected = {"header_row": header_seg + 1}
    return Raw(frame=frame, rows=rows, detected=detected)


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


def _read_csv_python(text: str, sep: str, k: int, header: list[str], limits: Limits) -> Raw:
    """Tolerant reader: ragged rows are padded, or refused with a row-level reason."""
    records: list[list[str]] = []
    try:
        for rec in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
            records.append(rec)
            if len(records) > limits.max_rows + 1000:
                break
    except csv.Error as exc:
        raise DataError(
            _("The file could not be read as a table: {exc}.").format(exc=exc)
        ) from None
    nonempty_pos = [i for i, r in enumerate(records) if r]
    if len(nonempty_pos) <= k:
        return Raw(frame=pd.DataFrame({c: [] for c in header}), rows=np.array([], int), detected={})
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
                    (
                        _(
                            "the row has {n_rec} values but the header has {width} columns; a value probably "
                            'contains the separator ({separator}): put that value in double quotes ("...")'
                        ).format(n_rec=len(rec), width=width, separator=_(SEP_NAMES[sep]))
                    ),
                )
            )
        body.append((rec + [""] * width)[:width])
        rows.append(pos + 1)
        rejected.append(bad)
    names = clean_names(header, width)
    frame = pd.DataFrame(body, columns=names, dtype=object).astype(pd.StringDtype("pyarrow"))
    return Raw(
        frame=frame,
        rows=np.asarray(rows, dtype=np.int64),
        detected={"header_row": hpos + 1, "reader": "python"},
        problems=problems,
        rejected=np.asarray(rejected, dtype=bool),
    )
