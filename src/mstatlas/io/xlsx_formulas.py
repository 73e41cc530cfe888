"""Formula cells an XLSX file holds without their result, and what that means for a row."""

from __future__ import annotations

import re
import zipfile

import numpy as np
import pandas as pd

from mstatlas.data.columns import detect_mapping
from mstatlas.data.validate import Problem
from mstatlas.i18n import _
from mstatlas.io.raw import STRICT_FIELDS
from mstatlas.io.xlsx_xml import cell_ref


def uncached_formulas(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int | None, str | None]]:
    """(row, column index, formula) of each formula cell saved without its result.

    Programs that write formulas without calculating them (openpyxl, some
    exporters) leave the value out or empty; a spreadsheet program fills it in
    when it saves. A formula whose text result is empty (``t="str"`` with an
    empty value) is a saved result. The sheet's XML is scanned in pieces with two
    patterns, without parsing it; rows are cut at row ends.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The workbook package.
    part : str
        Path of the sheet's XML part.

    Returns
    -------
    list of (int, int or None, str or None)
        Row as the person counts rows, 0-based column index (None when the
        cell has no reference) and the formula (None for a shared one).
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
                row, col = cell_ref(cell.get("r"))
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


def formula_problems(
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

    Parameters
    ----------
    found : list of (int, int or None, str or None)
        Row (as the person counts), column index and formula, from
        :func:`uncached_formulas`.
    header_pos : int
        Index of the header record (row ``header_pos + 1``).
    names : list of str
        The column names.
    body : list of list of str
        The data records below the header, as text cells.
    frame : pandas.DataFrame
        The same records as a table (its top decides the column mapping).

    Returns
    -------
    tuple of (list of Problem, numpy.ndarray)
        The problems, and per body record whether it is refused.
    """
    rejected = np.zeros(len(body), dtype=bool)
    problems: list[Problem] = []
    if not found:
        return problems, rejected
    mapping = detect_mapping(names, sample=frame.head(50))
    strict = {mapping[f] for f in STRICT_FIELDS if mapping.get(f)}
    header_row = header_pos + 1  # as the person counts rows
    for row, col, formula in found:
        if row < header_row:
            continue  # title rows above the header are not read
        column = names[col] if col is not None and col < len(names) else None
        i = row - header_row - 1
        blank = i >= len(body) or not any(c.strip() for c in body[i])
        problem = _formula_problem(row, column, formula, row == header_row, blank, strict)
        problems.append(problem)
        if problem.severity == "error":
            rejected[i] = True
    return problems, rejected


def _formula_problem(
    row: int,
    column: str | None,
    formula: str | None,
    in_header: bool,
    blank: bool,
    strict: set[str | None],
) -> Problem:
    """The problem of one formula cell without its result (an error refuses its row)."""
    fix = _(
        "open the file in Excel or LibreOffice and save it again, or replace the "
        "formulas by their values (copy, then paste values only)"
    )
    value = f"={formula}" if formula else None
    unknown = _(
        "the file was saved by a program that does not calculate formulas, so the value is unknown"
    )
    what = (
        _("the cell holds a formula ({value}) but not its result: {unknown}")
        if value
        else _("the cell holds a formula but not its result: {unknown}")
    ).format(value=value, unknown=unknown)
    if in_header:
        where = (
            _("the column has no name ({column})").format(column=column)
            if column
            else _("the header is incomplete")
        )
        return Problem(
            row,
            column,
            value,
            f"{what}; {where}; {fix}",
            "warning",
        )
    if blank:
        return Problem(
            row,
            column,
            value,
            _("{what}; the row holds nothing else and was skipped as blank; {fix}").format(
                what=what, fix=fix
            ),
            "warning",
        )
    if column is None:
        return Problem(
            row,
            None,
            value,
            _("{what}; it is not in a named column, so it would not be imported; {fix}").format(
                what=what, fix=fix
            ),
            "warning",
        )
    if column in strict:
        return Problem(
            row,
            column,
            value,
            _("{what}; the row was not imported; {fix}").format(what=what, fix=fix),
        )
    return Problem(
        row,
        column,
        value,
        _("{what}; the row was imported with this cell empty; {fix}").format(what=what, fix=fix),
        "warning",
    )
