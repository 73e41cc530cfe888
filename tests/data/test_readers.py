from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tracemalloc
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook

from mstatlas.data.limits import Limits
from mstatlas.data.templates import template_xlsx
from mstatlas.errors import DataError
from mstatlas.io import default_sheet, list_sheets, load_clusters, read_upload

HEADER = "name,city,country,lat,lon,firms,employees,year\n"


def xlsx_bytes(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
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


def with_cached_value(xlsx: bytes, formula: str, cached: str) -> bytes:
    """Give a formula cell a cached value, as Excel would have saved it."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode()
                f = re.escape(f"<f>{formula}</f>")
                text, n = re.subn(rf"({f})(<v\s*/>|<v></v>)?", rf"\1<v>{cached}</v>", text)
                assert n == 1, text
                data = text.encode()
            dst.writestr(info, data)
    return out.getvalue()


GERMAN = (
    "Bezeichnung;Stadt;Land;Breitengrad;Längengrad;Unternehmen;Beschäftigte;Jahr;Quelle\n"
    "MST Süd – Region;München;Deutschland;48,1374;11,5755;1.020;12.500;2007;Bericht\n"
    "Dortmund;Dortmund;DE;51,5136;7,4653;39;2.100;2007;Zeitung\n"
    ";;;;;;;;\n;;;;;;;;\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_german_excel_csv(encoding):
    r = read_upload(GERMAN.encode(encoding), filename="cluster.csv")
    assert r.detected.encoding.replace("_", "-") in (encoding, "utf-16", "utf-8-sig")
    assert r.detected.separator == ";"
    assert r.clusters["cluster_name"].tolist() == ["MST Süd – Region", "Dortmund"]
    assert r.clusters["firms"].tolist() == [1020, 39]
    assert r.clusters["employees"].tolist() == [12500, 2100]
    assert r.clusters["lat"].tolist() == [48.1374, 51.5136]
    assert r.report.n_rows == 2 and r.report.n_blank == 2


@pytest.mark.parametrize("late", ["cp1252", "utf-8"])
def test_special_characters_only_after_the_first_64_kb(late):
    """The start of the file is plain ASCII; the first umlaut comes much later."""
    lines = ["name;city;lat;lon;firms"] + [f"C{i};Bonn;50,7;7,1;3" for i in range(4000)]
    lines.append("Mikrotechnik Düsseldorf;Düsseldorf;51,2;6,8;4")
    data = ("\r\n".join(lines) + "\r\n").encode(late)
    assert data[:65536].isascii()
    r = read_upload(data, filename="x.csv")
    assert r.detected.encoding == late
    assert r.report.n_rejected == 0
    assert r.clusters["city"].iloc[-1] == "Düsseldorf"


def test_cp1252_en_dash_is_not_latin1():
    r = read_upload(GERMAN.encode("cp1252"), filename="x.csv")
    assert r.detected.encoding == "cp1252"
    assert "–" in r.clusters["cluster_name"].iloc[0]


def test_latin1_last_resort_never_fails():
    data = "name,city,lat,lon\nA\x81b,Dortmund,51.5,7.4\n".encode("latin-1")
    r = read_upload(data, filename="x.csv")
    assert r.report.n_imported == 1


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separators(sep):
    text = (
        HEADER.replace(",", sep)
        + sep.join(["Dortmund", "Dortmund", "DE", "51.5136", "7.4653", "39", "2100", "2007"])
        + "\n"
    )
    r = read_upload(text.encode(), filename="x.csv")
    assert r.detected.separator == sep
    assert r.clusters["employees"].tolist() == [2100]


def test_quoted_fields_with_separator_and_newline_keep_row_numbers():
    text = (
        "name,city,lat,lon,note\n"
        '"Cluster, one",Dortmund,51.5,7.4,"line 1\nline 2"\n'
        "\n"
        "Two,Bonn,50.7,7.1,x\n"
        ",Bonn,50.7,7.1,no name\n"
    )
    r = read_upload(text.encode(), filename="x.csv")
    assert r.clusters["cluster_name"].tolist() == ["Cluster, one", "Two"]
    assert r.clusters["note"].iloc[0] == "line 1\nline 2"
    # header=1, quoted record=2, blank=3, Two=4, missing name=5
    assert [p.row for p in r.report.problems] == [5]


@pytest.mark.parametrize(
    ("newline", "gap"),
    [(nl, gap) for nl in ("\n", "\r\n") for gap in (None, "", '"a\nb"')] + [("\n", "\r")],
)
def test_row_numbers_in_a_long_file_with_a_title_row(newline, gap):
    """A file past the reader's first 64 KB: rows keep the numbers the person sees."""
    records = ["Export of the cluster survey", "", "name,city,lat,lon,firms,note"]
    records += [f"C{i},Bonn,50.7,7.1,3,x" for i in range(4000)]
    if gap == '"a\nb"':
        records[1500] = 'C1497,Bonn,50.7,7.1,3,"a\nb"'  # one record on two lines
    elif gap is not None:
        records.insert(1500, gap)  # a blank line (or one holding only a carriage return)
    records.append(",Bonn,50.7,7.1,3,no name")
    text = newline.join(records) + newline
    assert len(text) > 70_000
    r = read_upload(text.encode(), filename="x.csv")
    assert r.detected.header_row == 3
    assert r.report.n_rows == 4001 and r.report.n_imported == 4000
    # the record numbers as a spreadsheet shows them (a quoted line break stays in its row)
    assert [p.row for p in r.report.problems] == [len(records)]
    if gap == '"a\nb"':
        assert "a\nb" in r.clusters["note"].tolist()


def test_decimal_comma_and_thousands_in_comma_file():
    text = 'name,lat,lon,employees\nA,"51,5136","7,4653","2,100"\n'
    r = read_upload(text.encode(), filename="x.csv")
    assert r.clusters["lat"].iloc[0] == 51.5136
    assert r.clusters["employees"].iloc[0] == 2100


def test_counts_grouped_with_points_in_a_comma_file_are_read_alike_and_flagged():
    # German-style thousands in an otherwise English-style file (comma separator): "12.000"
    # was once read as 12 while "2.100" became 2100 in the same column, without a word.
    text = "Name,Stadt,Land,Firmen,Mitarbeiter\nA,Dortmund,DE,39,2.100\nB,Jena,DE,12,12.000\n"
    r = read_upload(text.encode(), filename="x.csv")
    assert r.clusters["employees"].tolist() == [2100, 12000]
    assert r.report.n_imported == 2
    warned = [(p.row, p.value, p.severity) for p in r.report.problems]
    assert warned == [(2, "2.100", "warning"), (3, "12.000", "warning")]
    assert "read as 12,000" in r.report.problems[1].reason
    # the same values as text cells of a workbook
    data = xlsx_bytes(
        {"Daten": [["Name", "Stadt", "Land", "Mitarbeiter"], ["A", "Jena", "DE", "12.000"]]}
    )
    assert read_upload(data, filename="x.xlsx").clusters["employees"].tolist() == [12000]


def test_qualified_numbers_become_qualifiers():
    text = "name;lat;lon;Beschäftigte;Unternehmen\nA;51,5;7,4;ca. 1.700;> 50\n"
    r = read_upload(text.encode(), filename="x.csv")
    row = r.clusters.iloc[0]
    assert (row["employees"], row["employees_qualifier"]) == (1700, "about")
    assert (row["firms"], row["firms_qualifier"]) == (50, "more_than")


def test_ragged_row_is_rejected_with_row_number():
    text = "name,lat,lon\nA,51.5,7.4\nB,51.5,7.4,extra,values\nC,50,7\n"
    r = read_upload(text.encode(), filename="x.csv")
    assert r.report.n_rejected == 1
    p = r.report.problems[0]
    assert p.row == 3 and "header has 3 columns" in p.reason


def test_xlsx_title_rows_are_skipped():
    data = xlsx_bytes(
        {
            "Daten": [
                ["MST-Cluster in Europa 2007"],
                [],
                ["Name", "Stadt", "Breite", "Länge", "Beschäftigte"],
                ["Dortmund", "Dortmund", 51.5136, 7.4653, 2100],
                ["Bad row", "Dortmund", 51.5, 7.4, "2,1 Mio"],
            ]
        }
    )
    r = read_upload(data, filename="t.xlsx")
    assert r.detected.header_row == 3
    assert r.clusters["employees"].tolist() == [2100]
    p = r.report.problems[0]
    assert (p.row, p.column) == (5, "Beschäftigte")
    assert str(p) == "Row 5, column 'Beschäftigte': '2,1 Mio' is not a number (expected e.g. 2,100)"


def test_xlsx_sheets_default_choice_and_hidden():
    data = xlsx_bytes(
        {
            "Secret": [["name", "lat", "lon"], ["Hidden", 1, 1]],
            "Leer": [],
            "Clusters": [["name", "lat", "lon"], ["A", 51.5, 7.4]],
            "Other": [["name", "lat", "lon"], ["B", 48.1, 11.5], ["C", 48.2, 11.6]],
        },
        hidden=("Secret",),
    )
    assert list_sheets(data, "w.xlsx") == ["Leer", "Clusters", "Other"]
    r = read_upload(data, filename="w.xlsx")
    assert r.detected.sheet == "Clusters"
    assert r.detected.sheets == ["Leer", "Clusters", "Other"]
    assert r.detected.hidden_sheets == ["Secret"]
    assert r.clusters["cluster_name"].tolist() == ["A"]
    r2 = read_upload(data, filename="w.xlsx", sheet="Other")
    assert r2.clusters["cluster_name"].tolist() == ["B", "C"]
    with pytest.raises(DataError, match=r"no sheet named 'Nope'; its sheets are: Leer, Clusters"):
        read_upload(data, filename="w.xlsx", sheet="Nope")


def test_xlsx_formula_reads_cached_value_not_formula():
    data = xlsx_bytes({"S": [["name", "lat", "lon", "employees"], ["A", 51.5, 7.4, "=20*105"]]})
    data = with_cached_value(data, "20\\*105".replace("\\", ""), "2100")
    r = read_upload(data, filename="f.xlsx")
    assert r.clusters["employees"].tolist() == [2100]


def edit_sheet_xml(xlsx: bytes, part: str, edit) -> bytes:
    """The workbook with one part's XML text changed by ``edit``."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = edit(data.decode()).encode()
            dst.writestr(info, data)
    return out.getvalue()


def with_shared_strings(xlsx: bytes) -> bytes:
    """Text cells moved into a shared string table, as Excel saves them (openpyxl writes
    them inline)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    strings: dict[str, int] = {}

    def share(m: re.Match) -> str:
        i = strings.setdefault(m.group(3), len(strings))
        return f'<c {m.group(1)}{m.group(2)} t="s"><v>{i}</v></c>'

    inline = re.compile(r'<c ([^>]*?)\s*t="inlineStr"([^>]*)><is>(.*?)</is></c>')
    parts = {i.filename: src.read(i.filename) for i in src.infolist()}
    for name in sorted(parts):
        if name.startswith("xl/worksheets/"):
            parts[name] = inline.sub(share, parts[name].decode()).encode()
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{ns}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si>{s}</si>" for s in strings)
        + "</sst>"
    ).encode()
    rel = (
        '<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace("</Relationships>", rel).encode()
    override = (
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    types = parts["[Content_Types].xml"].decode()
    parts["[Content_Types].xml"] = types.replace("</Types>", override).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts.items():
            dst.writestr(name, data)
    return out.getvalue()


INFO_DATEN_FIRMEN = {
    "Info": [["Dieses Blatt enthält nur Erläuterungen"], ["Stand: 2024"]],
    "Daten": [
        ["MST-Cluster in Europa – Erhebung 2024"],
        ["Quelle: eigene Recherche"],
        [],
        ["Bezeichnung", "Ort", "Land", "Firmen", "Mitarbeiter", "Jahr"],
        ["MST Dortmund", "Dortmund", "DE", 39, 2100, 2007],
        ["Silicon Saxony", "Dresden", "DE", 300, 20000, 2007],
    ],
    "Firmen": [
        ["Firma", "Stadt", "Land", "Mitarbeiter"],
        ["Firma 0 GmbH", "Dortmund", "Deutschland", 10],
        ["Firma 1 GmbH", "Jena", "Deutschland", 11],
    ],
}


@pytest.mark.parametrize("shared", [False, True], ids=["inline-strings", "shared-strings"])
def test_xlsx_without_sheet_name_takes_the_first_sheet_with_a_table(shared):
    data = xlsx_bytes(INFO_DATEN_FIRMEN)
    if shared:
        data = with_shared_strings(data)
        assert b'<c r="A4" t="s">' in zipfile.ZipFile(io.BytesIO(data)).read(
            "xl/worksheets/sheet2.xml"
        )
    r = read_upload(data, filename="multi.xlsx")
    assert r.detected.sheet == "Daten"
    assert r.detected.sheets == ["Info", "Daten", "Firmen"]
    assert r.detected.header_row == 4
    assert r.clusters["cluster_name"].tolist() == ["MST Dortmund", "Silicon Saxony"]
    assert r.report.n_rejected == 0
    # the app's sheet box lists the sheets as the workbook does and starts at this one
    assert list_sheets(data, "multi.xlsx") == ["Info", "Daten", "Firmen"]
    assert default_sheet(data, "multi.xlsx") == "Daten"


def test_default_sheet_of_other_files_and_of_workbooks_without_a_table():
    assert default_sheet(GERMAN.encode(), "cluster.csv") is None
    data = xlsx_bytes({"Leer": [], "Notizen": [["nur Text"]], "Mehr": [["Spalte", "Inhalt"]]})
    assert default_sheet(data, "n.xlsx") == "Notizen"  # first sheet with data
    firms_first = xlsx_bytes({"Info": [["Text"]], **INFO_DATEN_FIRMEN, "Daten": []})
    assert default_sheet(firms_first, "f.xlsx") == "Firmen"
    # one column of text is an explanation even when it starts like a city column
    ort = xlsx_bytes({**INFO_DATEN_FIRMEN, "Info": [["Ort der Erhebung: Dortmund"], ["Stand"]]})
    assert default_sheet(ort, "o.xlsx") == "Daten"
    assert read_upload(ort, filename="o.xlsx").detected.sheet == "Daten"


def test_xlsx_without_a_usable_sheet_lists_the_sheets_and_what_they_hold():
    data = xlsx_bytes(
        {
            "Info": [["Dieses Blatt enthält nur Erläuterungen"], ["Stand: 2024"]],
            "Leer": [],
            "Spalten": [["Spalte", "Bedeutung"], ["Bezeichnung", "Name des Clusters"]],
            "Zahlen": [["Bezeichnung", "Firmen"], ["MST Dortmund", 39]],
        },
        hidden=("Geheim",),
    )
    with pytest.raises(DataError) as exc:
        read_upload(data, filename="n.xlsx")
    msg = str(exc.value)
    assert msg.startswith("No sheet of the workbook n.xlsx holds a table the atlas can read.")
    assert "sheet 'Info': no header row with known columns; its first row reads " in msg
    assert "'Dieses Blatt enthält nur Erläuterungen'" in msg
    assert "sheet 'Leer': empty" in msg
    assert "sheet 'Spalten': no header row with known columns" in msg
    assert "sheet 'Zahlen': neither a city nor lat/lon columns (its columns: Bezeichnung" in msg
    assert "Choose the sheet with the table" in msg
    # a named sheet is read as it is, with the column checks' own message
    with pytest.raises(DataError, match="neither coordinates nor a city column"):
        read_upload(data, filename="n.xlsx", sheet="Zahlen")


def test_xlsx_formula_without_saved_result_is_reported_where_excel_shows_it():
    data = xlsx_bytes(
        {
            "Daten": [
                ["MST-Cluster 2024"],
                [],
                ["Bezeichnung", "Ort", "Land", "Firmen", "Bemerkung"],
                ["MST Dortmund", "Dortmund", "DE", 39, "gezählt"],  # row 4
                ["Silicon Saxony", "Dresden", "DE", "=10*30", "geschätzt"],  # row 5
                ["OptoNet", "Jena", "DE", 12, '=A6&"!"'],  # row 6
                ["Berlin MST", "Berlin", "DE", "=20*2", ""],  # row 7: result saved
                ["Erfurt MST", "Erfurt", "DE", 5, '=""'],  # row 8: empty text result, saved
                [None, None, None, None, "=1+1"],  # row 9: nothing but a formula
            ]
        }
    )
    data = with_cached_value(data, "20*2", "40")
    data = edit_sheet_xml(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(r'<c r="E8"><f>""</f><v\s*/>', '<c r="E8" t="str"><f>""</f><v></v>', x),
    )
    r = read_upload(data, filename="formeln.xlsx")
    got = [(p.row, p.column, p.value, p.severity) for p in r.report.problems]
    assert got == [
        (5, "Firmen", "=10*30", "error"),
        (6, "Bemerkung", '=A6&"!"', "warning"),
        (9, "Bemerkung", "=1+1", "warning"),
    ]
    first = r.report.problems[0]
    assert str(first).startswith(
        "Row 5, column 'Firmen': the cell holds a formula (=10*30) but not its result"
    )
    assert "open the file in Excel or LibreOffice and save it again" in first.reason
    assert "paste values" in first.reason
    assert "imported with this cell empty" in r.report.problems[1].reason
    assert "skipped as blank" in r.report.problems[2].reason
    assert (r.report.n_rows, r.report.n_rejected) == (5, 1)
    assert r.clusters["cluster_name"].tolist() == [
        "MST Dortmund",
        "OptoNet",
        "Berlin MST",
        "Erfurt MST",
    ]
    assert r.clusters["firms"].tolist() == [39, 12, 40, 5]  # the saved result, not the formula


def test_xlsx_shared_formula_without_saved_result_is_reported():
    data = xlsx_bytes({"S": [["name", "lat", "lon", "employees"], ["A", 51.5, 7.4, "=1+1"]]})
    data = edit_sheet_xml(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(r"<f>1\+1</f><v\s*/>", '<f t="shared" si="0"/>', x),
    )
    r = read_upload(data, filename="f.xlsx")
    p = r.report.problems[0]
    assert (p.row, p.column, p.value, p.severity) == (2, "employees", None, "error")
    assert r.report.n_imported == 0


def test_geojson_points_and_null_geometry():
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [7.4653, 51.5136]},
                "properties": {"name": "Dortmund", "employees": 2100},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"name": "Props", "lat": 50.1, "lon": 8.6},
            },
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"name": "Geo", "city": "Besançon", "country": "France"},
            },
            {"type": "Feature", "geometry": None, "properties": {"name": "Nowhere"}},
        ],
    }
    r = read_upload(json.dumps(doc).encode(), filename="c.geojson")
    c = r.clusters.set_index("cluster_name")
    assert c.loc["Dortmund", "lon"] == 7.4653 and c.loc["Dortmund", "employees"] == 2100
    assert c.loc["Props", "lat"] == 50.1
    assert abs(c.loc["Geo", "lat"] - 47.24) < 0.1
    assert [p.row for p in r.report.problems if p.severity == "error"] == [4]
    assert "no coordinates and no city" in r.report.problems[-1].reason


def test_parquet_roundtrip(tmp_path):
    df = pd.DataFrame(
        {"name": ["A", "B"], "lat": [51.5, 48.1], "lon": [7.4, 11.5], "employees": [2100, None]}
    )
    path = tmp_path / "c.parquet"
    df.to_parquet(path)
    r = read_upload(path)
    assert r.detected.format == "parquet"
    assert r.clusters["employees"].tolist()[0] == 2100
    assert r.clusters["employees"].isna().tolist() == [False, True]


def test_load_clusters_and_default_file_roundtrip():
    a = load_clusters()
    b = load_clusters("data/clusters.csv")
    assert len(a) == len(b)
    assert a["cluster_id"].tolist() == b["cluster_id"].tolist()
    assert a["employees"].equals(b["employees"])


# ------------------------------------------------------------------ whole-file errors


def test_empty_file():
    with pytest.raises(DataError, match=r"The file e.csv is empty"):
        read_upload(b"", filename="e.csv")


def test_header_only_file():
    with pytest.raises(DataError, match=r"has a header row \(name, city.*\) but no data rows"):
        read_upload(HEADER.encode(), filename="h.csv")


def test_binary_garbage():
    import random

    rnd = random.Random(1)
    data = bytes(rnd.randrange(256) for _ in range(5000))
    with pytest.raises(DataError, match="does not look like a table"):
        read_upload(data, filename="g.csv")


def test_truncated_xlsx():
    data = template_xlsx()
    with pytest.raises(DataError, match=r"damaged or incomplete .* save it again"):
        read_upload(data[: len(data) // 2], filename="t.xlsx")


def test_old_xls_format():
    with pytest.raises(DataError, match=r"old Excel 97-2003 \(.xls\) format"):
        read_upload(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, filename="o.xls")


def _bomb(size: int) -> bytes:
    base = zipfile.ZipFile(io.BytesIO(template_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, b"<row>" + b"0" * size + b"</row>")
            else:
                z.writestr(info, base.read(info.filename))
    return out.getvalue()


def test_zip_bomb_refused_from_its_directory_and_without_memory(monkeypatch):
    data = _bomb(200 * 1024**2)  # 200 MB of zeros, stored in ~200 KB
    assert len(data) < 1024**2
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def recording_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    tracemalloc.start()
    with pytest.raises(DataError, match="decompression bomb"):
        read_upload(data, filename="bomb.xlsx")
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # refused from the sizes the ZIP directory declares: no part was ever unpacked
    assert opened == []
    assert peak < 20 * 1024**2


def test_xlsx_total_uncompressed_limit():
    data = _bomb(2 * 1024**2)
    with pytest.raises(DataError, match=r"unpacks to 2 MB, more than the 1 MB allowed"):
        read_upload(
            data,
            filename="b.xlsx",
            limits=Limits(max_xlsx_uncompressed=1024**2, max_xlsx_ratio=1e9),
        )


def test_unknown_mapping_column():
    with pytest.raises(
        DataError, match=r"The column 'Nope' chosen for 'employees' is not in the file"
    ):
        read_upload(b"name,lat,lon\nA,1,2\n", filename="x.csv", mapping={"employees": "Nope"})


def test_user_mapping_and_kind_override():
    text = "Titel,Ort,Zahl\nA,Dortmund,5\nB,Dortmund,7\n"
    r = read_upload(
        text.encode(),
        filename="x.csv",
        mapping={"name": "Titel", "employees": "Zahl"},
        kind="clusters",
    )
    assert r.kind == "clusters" and r.mapping["employees"] == "Zahl"
    assert r.clusters["employees"].tolist() == [5, 7]


def test_no_placeable_column():
    with pytest.raises(DataError, match="neither coordinates nor a city column"):
        read_upload(b"name,employees\nA,5\n", filename="x.csv")


def test_progress_is_reported():
    seen = []
    read_upload(b"name,lat,lon\nA,51,7\n", filename="x.csv", progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0


def test_warm_up_loads_what_the_first_upload_needs():
    """In a fresh process: country names, the place index and Polars are loaded."""
    code = (
        "import sys\n"
        "from mstatlas.data import countries, geocode\n"
        "from mstatlas.io import warm_up\n"
        "before = ('polars' in sys.modules, countries._country_index.cache_info().currsize,"
        " geocode._loaded_index.cache_info().currsize)\n"
        "warm_up()\n"
        "after = ('polars' in sys.modules, countries._country_index.cache_info().currsize,"
        " geocode._loaded_index.cache_info().currsize)\n"
        "print(before, after)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(False, 0, 0) (True, 1, 1)"


@pytest.mark.parametrize(
    ("text", "problem_rows", "names"),
    [
        # a lone carriage return (old Mac line end) inside an LF file, and a blank line
        ("name,city,employees\nA,Berlin,1\rB,Paris,x\n\nC,Rome,y\n", [3, 5], ["A"]),
        (
            "T\rname,city,lat,lon\nA,Berlin,52.5,13.4\nB,Paris,48.9,2.3\rC,Rome,41.9,12.5\n\nD,Oslo,59.9,10.8\n",
            [],
            ["A", "B", "C", "D"],
        ),
    ],
)
def test_lone_carriage_returns_keep_every_row_and_its_number(text, problem_rows, names):
    r = read_upload(text.encode(), filename="x.csv")
    assert [p.row for p in r.report.problems] == problem_rows
    assert r.clusters["cluster_name"].tolist() == names


def test_header_after_a_long_preamble_in_a_non_latin_script():
    """The sample is 65,536 characters, however many bytes they take."""
    text = "Ж" * 33000 + "\nname,city,lat,lon\nA,Berlin,52.5,13.4\n"
    r = read_upload(text.encode(), filename="x.csv")
    assert r.detected.header_row == 2 and r.report.n_imported == 1


def test_a_byte_order_mark_saved_twice():
    r = read_upload(
        b"\xef\xbb\xbf\xef\xbb\xbfname,city,lat,lon\nA,Berlin,52.5,13.4\n", filename="x.csv"
    )
    assert r.columns == ["name", "city", "lat", "lon"]
    assert r.detected.encoding == "utf-8-sig"
