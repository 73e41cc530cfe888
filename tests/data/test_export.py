from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from mstatlas.data.export import neutralise_cell, to_safe_csv, to_safe_xlsx


@pytest.mark.parametrize("bad", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "＝1"])
def test_formula_prefixes_neutralised(bad):
    assert neutralise_cell(bad) == "'" + bad


def test_numbers_and_plain_text_untouched():
    assert neutralise_cell(-5) == -5 and neutralise_cell("Dortmund") == "Dortmund"


def test_csv_and_xlsx_exports_are_safe():
    df = pd.DataFrame({"name": ['=HYPERLINK("http://x")', "ok"], "n": [-1, 2]})
    assert "'=HYPERLINK" in to_safe_csv(df)
    ws = load_workbook(io.BytesIO(to_safe_xlsx(df))).active
    assert ws["A2"].value.startswith("'=") and ws["A2"].data_type == "s"
    assert ws["B2"].value == -1
