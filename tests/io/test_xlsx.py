"""XLSX reading (mstatlas.io.xlsx): sheet choice and the sheet as text cells."""

import io

import pytest
from openpyxl import Workbook

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.io.xlsx import default_sheet, list_sheets, read_xlsx


def workbook(sheets, hidden=()):
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        if title in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BOOK = workbook(
    {
        "Read me": [["This workbook lists MST clusters."], ["Source: survey 2021"]],
        "Secret": [["name", "city"], ["X", "Y"]],
        "Clusters": [
            ["Clusters 2021"],
            ["Name", "Stadt", "Beschäftigte", None],
            ["MST Dortmund", "Dortmund", 2100, None],
            ["Jena Optics", "Jena", 12.5, "note"],
        ],
    },
    hidden=("Secret",),
)


def test_list_sheets_leaves_hidden_out_and_default_skips_the_explanation():
    assert list_sheets(BOOK, "b.xlsx") == ["Read me", "Clusters"]
    assert default_sheet(BOOK, "b.xlsx") == "Clusters"


def test_other_files_have_no_sheets():
    assert list_sheets(b"a,b\n1,2\n", "x.csv") == []
    assert default_sheet(b"a,b\n1,2\n", "x.csv") is None


def test_read_xlsx_gives_text_cells_below_the_header():
    raw = read_xlsx(BOOK, "b.xlsx", None, Limits())
    assert raw.detected["sheet"] == "Clusters"
    assert raw.detected["hidden_sheets"] == ["Secret"]
    assert raw.detected["header_row"] == 2
    assert list(raw.frame.columns) == ["Name", "Stadt", "Beschäftigte"]
    # whole numbers without ".0"; the value right of the header is left out
    assert raw.frame.astype(object).values.tolist() == [
        ["MST Dortmund", "Dortmund", "2100"],
        ["Jena Optics", "Jena", "12.5"],
    ]
    assert raw.rows.tolist() == [3, 4]
    (p,) = raw.problems
    assert (p.row, p.value, p.severity) == (4, "note", "warning")
    assert "right of the last named column" in p.reason


def test_a_hidden_sheet_can_be_named_an_unknown_one_cannot():
    raw = read_xlsx(BOOK, "b.xlsx", "Secret", Limits())
    assert raw.frame.astype(object).values.tolist() == [["X", "Y"]]
    with pytest.raises(
        DataError, match="has no sheet named 'Nope'; its sheets are: Read me, Clusters"
    ):
        read_xlsx(BOOK, "b.xlsx", "Nope", Limits())


def test_formula_without_saved_result_refuses_a_figure_row():
    data = workbook({"S": [["name", "city", "employees"], ["A", "Bonn", "=2*3"], ["B", "Bonn", 4]]})
    raw = read_xlsx(data, "f.xlsx", None, Limits())  # openpyxl saves no result for "=2*3"
    assert raw.rejected.tolist() == [True, False]
    (p,) = raw.problems
    assert (p.row, p.column, p.value, p.severity) == (2, "employees", "=2*3", "error")


def test_damaged_workbook_is_refused():
    with pytest.raises(DataError, match="is damaged or incomplete"):
        read_xlsx(BOOK[: len(BOOK) // 2], "cut.xlsx", None, Limits())
