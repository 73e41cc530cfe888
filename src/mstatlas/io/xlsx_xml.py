"""The parts of an XLSX package read straight from their XML: sheets and their top rows."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from mstatlas.io.raw import cell_text

#: Rows looked at to judge a sheet: find_header looks for the header among the first
#: 30 rows and measures widths over the first 60; one more shows a data row below.
HEAD_ROWS = 61


def _local(tag: str) -> str:
    """An XML tag without its namespace: ``{ns}row`` -> ``row``."""
    return tag.rsplit("}", 1)[-1]


def _attr(el: Any, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (``r:id`` -> ``id``)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return str(value)
    return None


def cell_ref(ref: str | None) -> tuple[int | None, int | None]:
    """``"D12"`` -> (row 12, column index 3); parts that are missing are None.

    Parameters
    ----------
    ref : str or None
        A cell reference, ``$`` signs allowed.

    Returns
    -------
    tuple of (int or None, int or None)
        The row as the person counts rows, and the 0-based column index.
    """
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


def head_records(zf: zipfile.ZipFile, part: str, shared_part: str | None) -> list[list[str]]:
    """The first rows of a sheet as text cells, row 1 first, read straight from its XML.

    Only the top of the sheet is parsed (a big sheet is not loaded): cells as
    :func:`cell_text` shows them, dates as their serial numbers.

    Parameters
    ----------
    zf : zipfile.ZipFile
        The workbook package.
    part : str
        Path of the sheet's XML part.
    shared_part : str or None
        Path of the shared strings part.

    Returns
    -------
    list of list of str
        Up to :data:`HEAD_ROWS` records, all as wide as the widest.
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
                    if row > HEAD_ROWS:
                        done = True
                        break
                elif ev == "end" and tag == "c":
                    r, c = cell_ref(el.get("r"))
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
    n_rows = min(max((r for r, _c in cells), default=0), HEAD_ROWS)
    width = max((c + 1 for r, c in cells if r <= n_rows), default=0)
    records = [[""] * width for _ in range(n_rows)]
    for (r, c), (kind, v) in cells.items():
        if not 1 <= r <= n_rows:
            continue
        if kind == "s":
            i = int(v) if v.strip().isdigit() else -1
            text = strings[i] if 0 <= i < len(strings) else ""
        elif kind == "b":
            text = cell_text(v.strip() == "1")
        elif kind == "n":
            try:
                text = cell_text(float(v))
            except ValueError:
                text = v
        else:
            text = v
        records[r - 1][c] = text
    return records


def open_package(data: bytes) -> tuple[zipfile.ZipFile | None, dict[str, str], str | None]:
    """The workbook as a ZIP, its sheet parts and shared strings part (None, {} if unusual).

    Parameters
    ----------
    data : bytes
        The whole file.

    Returns
    -------
    tuple of (zipfile.ZipFile or None, dict, str or None)
        The package, sheet name -> path of its XML part, and the path of the
        shared strings; ``(None, {}, None)`` when the package is unusual
        (calamine alone reads it then).
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        parts, shared = _workbook_parts(zf)
    except Exception:  # an unusual package: calamine alone reads it
        return None, {}, None
    return zf, parts, shared
