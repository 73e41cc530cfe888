from __future__ import annotations

import codecs
import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from mstatlas.cli import main
from mstatlas.data.export import neutralise_cell, to_safe_csv, to_safe_csv_bytes, to_safe_xlsx
from mstatlas.data.templates import _example, template_csv
from mstatlas.io import load_clusters, read_upload

#: Places whose names Excel garbles when it reads UTF-8 as its ANSI code page.
PLACES = pd.DataFrame(
    {
        "name": ["Köln", "Besançon", "Łódź", "Göteborg"],
        "country": ["DE", "FR", "PL", "SE"],
        "lat": [50.9375, 47.2378, 51.7592, 57.7089],
        "firms": [12, -3, 7, 40],
    }
)


def excel_text(data: bytes) -> str:
    """The text Excel shows for a CSV it opens: UTF-8 only with a byte-order mark,
    otherwise the Windows ANSI code page (cp1252 on German and Western Windows)."""
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig")
    return data.decode("cp1252", errors="replace")


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


def test_csv_download_starts_with_one_utf8_byte_order_mark():
    data = to_safe_csv_bytes(PLACES)
    assert data.startswith(codecs.BOM_UTF8)
    assert not data[3:].startswith(codecs.BOM_UTF8)  # one marker, not two
    assert data[3:].startswith(b"name,country,lat,firms")  # comma-separated, header first


def test_umlauts_and_accents_survive_a_utf8_sig_read():
    data = to_safe_csv_bytes(PLACES)
    # the marker is there: Python's csv module reading plain UTF-8 keeps it in "name" ...
    assert next(csv.reader(io.StringIO(data.decode("utf-8"))))[0] == "\ufeffname"
    # ... and a utf-8-sig read (as Excel does) drops it
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["name", "country", "lat", "firms"]
    assert [r[0] for r in rows[1:]] == ["Köln", "Besançon", "Łódź", "Göteborg"]
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == ["name", "country", "lat", "firms"]  # no marker in "name"
    assert back["name"].tolist() == ["Köln", "Besançon", "Łódź", "Göteborg"]
    pd.testing.assert_frame_equal(back, PLACES)  # "." decimals and negatives read back as numbers


def test_excel_reads_the_download_as_utf8_not_cp1252():
    # without the marker Excel falls back to cp1252: what QA saw
    assert "KÃ¶ln" in excel_text(to_safe_csv(PLACES).encode("utf-8"))
    shown = excel_text(to_safe_csv_bytes(PLACES))
    assert "Köln" in shown and "Besançon" in shown and "Łódź" in shown
    assert "KÃ¶ln" not in shown and "Ã§" not in shown


def test_download_still_neutralises_formulas():
    df = pd.DataFrame(
        {
            "=cmd": ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "\tx", "Köln"],
            "n": [-1, 2, 3, 4, 5, 6],
        }
    )
    data = to_safe_csv_bytes(df)
    assert data.startswith(codecs.BOM_UTF8 + b"'=cmd,n")  # the marker does not hide the header
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.columns[0] == "'=cmd"
    assert back["'=cmd"].tolist()[:5] == [
        '\'=HYPERLINK("http://x")',
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "'\tx",
    ]
    assert back["'=cmd"].iloc[5] == "Köln"
    assert back["n"].tolist() == [-1, 2, 3, 4, 5, 6]  # numbers are data, not formulas


def test_figures_download_round_trips_through_the_upload_reader():
    # what the Data & sources page offers as mst-figures.csv
    table = pd.DataFrame(load_clusters().drop(columns="geometry"))
    result = read_upload(to_safe_csv_bytes(table), filename="mst-figures.csv")
    assert result.detected.encoding == "utf-8-sig"
    assert result.detected.separator == ","
    assert result.kind == "clusters" and result.report.n_rejected == 0
    back = pd.DataFrame(result.clusters.drop(columns="geometry"))
    pd.testing.assert_frame_equal(back.reset_index(drop=True), table.reset_index(drop=True))


def test_marker_is_for_files_only_not_for_printed_csv(capsys):
    assert to_safe_csv(PLACES, bom=True).startswith("\ufeffname,")
    assert not to_safe_csv(PLACES).startswith("\ufeff")
    assert main(["rank", "--by", "firms", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rank,")  # the header first: no stray character in a terminal or pipe
    assert "\ufeff" not in out


def test_downloads_match_the_csv_template():
    assert template_csv() == to_safe_csv_bytes(_example())
    assert template_csv().startswith(codecs.BOM_UTF8)


#: A name that reads "…exe.png" on screen while it holds "…gnp.exe" (U+202E reverses
#: what follows), plus an isolate pair and a right-to-left mark.
SPOOFED = pd.DataFrame(
    {
        "name": ["Cluster\u202egnp.exe", "Silicon \u2067Saxony\u2069", "Ruhr\u200f"],
        "note\u202b": ["\u202e=1+1", "ok", None],
        "firms": [3, 4, 5],
    }
)
BIDI = ("\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c")  # fmt: skip


def test_csv_export_holds_no_bidi_controls():
    text = to_safe_csv_bytes(SPOOFED).decode("utf-8-sig")
    assert not any(c in text for c in BIDI)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["name", "note", "firms"]
    assert [r[0] for r in rows[1:]] == ["Clustergnp.exe", "Silicon Saxony", "Ruhr"]
    # the control hid a formula: with it gone, the cell is neutralised as any other
    assert rows[1][1] == "'=1+1"


def test_xlsx_export_holds_no_bidi_controls():
    ws = load_workbook(io.BytesIO(to_safe_xlsx(SPOOFED))).active
    cells = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(ch in cell for cell in cells for ch in BIDI)
    assert [ws["A1"].value, ws["B1"].value] == ["name", "note"]
    assert [ws["A2"].value, ws["A3"].value, ws["A4"].value] == [
        "Clustergnp.exe",
        "Silicon Saxony",
        "Ruhr",
    ]
    assert ws["B2"].value == "'=1+1" and ws["C2"].value == 3


def test_export_leaves_the_shown_table_unchanged():
    to_safe_csv_bytes(SPOOFED)
    assert SPOOFED["name"].iloc[0] == "Cluster\u202egnp.exe"
