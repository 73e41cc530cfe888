"""XLSX workbooks: checks on the package, which sheet to read, and the sheet as text cells."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.data.columns import detect_mapping
from mstatlas.data.limits import Limits, human_bytes
from mstatlas.data.validate import Problem
from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_int
from mstatlas.io.messages import too_many_rows
from mstatlas.io.raw import Raw, cell_text
from mstatlas.io.sniff import clean_names, find_header, sniff_format
from mstatlas.io.source import load_bytes
from mstatlas.io.xlsx_formulas import formula_problems, uncached_formulas
from mstatlas.io.xlsx_xml import HEAD_ROWS, head_records, open_package


def _check_zip(data: bytes, filename: str, limits: Limits) -> None:
    """Refuse decompression bombs and damaged files before any XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise DataError(
            _(
                "The Excel file {filename} is damaged or incomplete (it may have been cut off "
                "while uploading); open it in a spreadsheet program, save it again and re-upload."
            ).format(filename=filename)
        ) from None
    total = sum(i.file_size for i in infos)
    if total > limits.max_xlsx_uncompressed:
        raise DataError(
            _(
                "The Excel file {filename} unpacks to {size}, more than the {limit} allowed; "
                "save the table as CSV or remove unused sheets and formatting."
            ).format(
                filename=filename,
                size=human_bytes(total),
                limit=human_bytes(limits.max_xlsx_uncompressed),
            )
        )
    for info in infos:
        if info.file_size > 1024**2 and info.file_size > limits.max_xlsx_ratio * max(
            info.compress_size, 1
        ):
            raise DataError(
                _(
                    "The Excel file {filename} looks like a decompression bomb: its part {part} "
                    "unpacks {ratio} times larger than stored (at most {max_xlsx_ratio:g} accepted). "
                    "Save the table as CSV and upload that instead."
                ).format(
                    filename=filename,
                    part=info.filename,
                    ratio=fmt_int(info.file_size / max(info.compress_size, 1)),
                    max_xlsx_ratio=limits.max_xlsx_ratio,
                )
            )
    if not any(i.filename == "xl/workbook.xml" for i in infos):
        raise DataError(
            _(
                "The file {filename} is a ZIP archive but not an Excel workbook; upload the XLSX "
                "or CSV file itself."
            ).format(filename=filename)
        )


def _open_workbook(data: bytes, filename: str, limits: Limits) -> Any:
    import python_calamine as cal

    _check_zip(data, filename, limits)
    try:
        return cal.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except cal.PasswordError:
        raise DataError(
            _(
                "The Excel file {filename} is password-protected; save a copy without a password "
                "and upload that."
            ).format(filename=filename)
        ) from None
    except Exception as exc:  # calamine raises several types for broken files
        raise DataError(
            _(
                "The Excel file {filename} could not be read ({error}); open it in a "
                "spreadsheet program, save it again as .xlsx and re-upload."
            ).format(filename=filename, error=type(exc).__name__)
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

    Returns
    -------
    list of str
        The visible worksheets' names.
    """
    limits = Limits()
    data, name = load_bytes(source, filename, limits)
    if sniff_format(data, name) != "xlsx":
        return []
    visible, _hidden = _sheet_lists(_open_workbook(data, name, limits))
    return visible


@dataclass
class _SheetLook:
    """What the top of one sheet holds, to choose the sheet when none is named."""

    name: str
    usable: bool  # a header of 2+ columns: a name (or city), a place; a row below it
    empty: bool
    found: str  # in words, for messages


def _look_at(name: str, records: list[list[str]]) -> _SheetLook:
    records = records[:HEAD_ROWS]
    if not any(str(c).strip() for r in records for c in r):
        return _SheetLook(name, False, True, "empty")
    k = find_header(records[:60])
    header = [str(c).strip() for c in records[k]]
    while header and not header[-1]:
        header.pop()
    width = max(len(header), 1)
    body = [(list(r) + [""] * width)[:width] for r in records[k + 1 :]]
    names = clean_names(header, width)
    mapping = detect_mapping(names, sample=pd.DataFrame(body, columns=names, dtype=object))
    shown = ", ".join(c for c in header if c)
    shown = shown if len(shown) <= 80 else shown[:79] + "…"
    named = bool(mapping["name"] or mapping["city"])
    placed = bool((mapping["lat"] and mapping["lon"]) or mapping["city"])
    has_rows = any(str(c).strip() for r in body for c in r)
    columns = sum(bool(c) for c in header)
    if columns < 2 or not any(mapping.values()):
        # one column of text ("Ort der Erhebung: Dortmund") is an explanation, not a table
        found = _("no header row with known columns; its first row reads '{shown}'").format(
            shown=shown
        )
    elif not named:
        found = _("no column with names (its columns: {shown})").format(shown=shown)
    elif not placed:
        found = _("neither a city nor lat/lon columns (its columns: {shown})").format(shown=shown)
    elif not has_rows:
        found = _("a header row ({shown}) but no data rows").format(shown=shown)
    else:
        found = _("a table with the columns {shown}").format(shown=shown)
    return _SheetLook(name, columns >= 2 and named and placed and has_rows, False, found)


def _look_at_sheets(
    wb: Any, names: list[str], package: tuple[zipfile.ZipFile | None, dict[str, str], str | None]
) -> Iterator[_SheetLook]:
    """:class:`_SheetLook` of each named sheet, in order, lazily (stop when one fits)."""
    zf, parts, shared = package
    for name in names:
        records: list[list[str]] | None = None
        if zf is not None and name in parts:
            try:
                records = head_records(zf, parts[name], shared)
            except Exception:  # damaged or unusual XML: calamine reads the sheet instead
                records = None
        if records is None:
            rows_py = wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEAD_ROWS)
            records = [[cell_text(c) for c in r] for r in rows_py]
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
    hidden_note = _(" (hidden sheets: {hidden})").format(hidden=", ".join(hidden)) if hidden else ""
    if not with_data:
        raise DataError(
            _(
                "The workbook {filename} has no visible sheet with data{hidden_note}; put the "
                "table on the first sheet or choose a sheet."
            ).format(filename=filename, hidden_note=hidden_note)
        )
    if len(with_data) == 1:
        return with_data[0].name
    listing = "; ".join(
        _("sheet '{name}': {found}").format(name=look.name, found=look.found) for look in looks
    )
    raise DataError(
        _(
            "No sheet of the workbook {filename} holds a table the atlas can "
            "read{hidden_note}. Found: {listing}. Choose the sheet with the table, or give "
            "it a header row with columns such as name, city, country, lat, lon, firms, "
            "employees (title rows above the header are fine)."
        ).format(filename=filename, hidden_note=hidden_note, listing=listing)
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
    data, name = load_bytes(source, filename, limits)
    if sniff_format(data, name) != "xlsx":
        return None
    wb = _open_workbook(data, name, limits)
    visible, _hidden = _sheet_lists(wb)
    first_with_data = None
    for look in _look_at_sheets(wb, visible, open_package(data)):
        if look.usable:
            return look.name
        if first_with_data is None and not look.empty:
            first_with_data = look.name
    return first_with_data or (visible[0] if visible else None)


def read_xlsx(data: bytes, filename: str, sheet: str | None, limits: Limits) -> Raw:
    """One sheet of an XLSX workbook as text cells, its header row detected.

    Parameters
    ----------
    data : bytes
        The whole file.
    filename : str
        The file's name as messages show it.
    sheet : str or None
        The sheet to read (visible or hidden); ``None``: the first visible
        sheet holding a usable table (see :func:`default_sheet`).
    limits : Limits
        The limits in force (package size and ratio, ``max_rows``).

    Returns
    -------
    Raw
        The table; values right of the last named column and formulas saved
        without their result are reported (rows refused when such a formula
        sits in a name, place or figure).

    Raises
    ------
    mstatlas.errors.DataError
        A damaged, protected or oversized workbook, an unknown sheet name, no
        usable sheet, or too many rows.
    """
    wb = _open_workbook(data, filename, limits)
    visible, hidden = _sheet_lists(wb)
    package = open_package(data)
    chosen = _sheet_to_read(filename, sheet, wb, visible, hidden, package)
    rows_py = wb.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    if len(rows_py) > limits.max_rows + 100:
        raise too_many_rows(len(rows_py) - 1, limits)
    records = [[cell_text(c) for c in r] for r in rows_py]
    detected: dict[str, Any] = {
        "format": "xlsx",
        "encoding": None,
        "separator": None,
        "sheet": chosen,
        "sheets": visible,
        "hidden_sheets": hidden,
    }
    k = find_header([r for r in records[:60]])
    if not records:
        return Raw(
            frame=pd.DataFrame(), rows=np.array([], int), detected=detected | {"header_row": 1}
        )
    header = [c.strip() for c in records[k]]
    while header and not header[-1]:
        header.pop()
    width = max(len(header), 1)
    body = [(r + [""] * width)[:width] for r in records[k + 1 :]]
    names = clean_names(header, width)
    frame = pd.DataFrame(body, columns=names, dtype=object)
    frame = frame.astype(pd.StringDtype("pyarrow")) if len(frame) else frame.astype("string")
    raw = Raw(
        frame=frame,
        rows=np.arange(k + 2, k + 2 + len(body), dtype=np.int64),
        detected=detected | {"header_row": k + 1},
        problems=_values_past_header(records, k, width),
    )
    zf, parts, _shared = package
    if zf is not None and chosen in parts:
        try:
            found = uncached_formulas(zf, parts[chosen])
        except (KeyError, OSError, zipfile.BadZipFile):  # the part is missing or damaged
            found = []
        problems, rejected = formula_problems(found, k, names, body, frame)
        raw.problems.extend(problems)
        if rejected.any():
            raw.rejected = rejected
    return raw


def _sheet_to_read(
    filename: str,
    sheet: str | None,
    wb: Any,
    visible: list[str],
    hidden: list[str],
    package: tuple[zipfile.ZipFile | None, dict[str, str], str | None],
) -> str:
    """The sheet named by the person (which must exist), else the one :func:`_choose_sheet` picks."""
    if sheet is None:
        return _choose_sheet(filename, wb, visible, hidden, package)
    if sheet not in visible + hidden:
        raise DataError(
            _(
                "The workbook {filename} has no sheet named '{sheet}'; its sheets are: {sheets}."
            ).format(filename=filename, sheet=sheet, sheets=", ".join(visible) or _("(none)"))
        )
    return sheet


def _values_past_header(records: list[list[str]], k: int, width: int) -> list[Problem]:
    """A warning per row (the first 1,000) with values right of the last named column."""
    extra = [
        (k + 2 + i, r) for i, r in enumerate(records[k + 1 :]) if any(c.strip() for c in r[width:])
    ]
    return [
        Problem(
            r,
            None,
            " | ".join(c for c in cells[width:] if c.strip())[:80],
            (
                _(
                    "this row has values to the right of the last named column; they were ignored "
                    "(give that column a header to import it)"
                )
            ),
            "warning",
        )
        for r, cells in extra[:1000]
    ]
