"""Stray control characters (mstatlas.io.stray): one bad byte loses at most its row."""

import io
import json
import random
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from mstatlas.errors import DataError
from mstatlas.io import read_upload
from mstatlas.io.load import read_raw
from mstatlas.io.raw import Raw
from mstatlas.io.sniff import looks_binary
from mstatlas.io.stray import clean_controls, strict_columns

BINARY = "does not look like a table: it contains binary data. Upload a CSV/TSV, XLSX, GeoJSON"
REFUSED = "the text contains an invisible control character (U+0000); retype the cell"


def rows_of(report, severity):
    return [(p.row, p.column) for p in report.problems if p.severity == severity]


# --------------------------------------------------------------------------- CSV


def test_nul_in_one_csv_name_loses_that_row_only():
    text = (
        "name,city,lat,lon,note\n"
        "Alpha,Bonn,50.7,7.1,first\n"
        "Be\x00ta,Köln,50.9,6.9,second\n"  # row 3: a NUL inside the name
        "Gamma,Jena,50.9,11.6,third\n"
    )
    r = read_upload(text.encode(), filename="clusters.csv")
    assert r.clusters["cluster_name"].tolist() == ["Alpha", "Gamma"]
    assert (r.report.n_imported, r.report.n_rejected) == (2, 1)
    (p,) = r.report.problems
    assert (p.row, p.column, p.severity) == (3, "name", "error")
    assert p.reason.startswith(REFUSED)
    assert p.value == "Be�ta"  # shown with a visible mark where the byte was


def test_control_character_in_a_note_is_removed_and_the_row_kept():
    text = "name,city,lat,lon,note\nAlpha,Bonn,50.7,7.1,one\x01two\nGamma,Jena,50.9,11.6,\x00\n"
    r = read_upload(text.encode(), filename="clusters.csv")
    assert r.clusters["cluster_name"].tolist() == ["Alpha", "Gamma"]
    assert r.clusters["note"].tolist()[0] == "one two"  # a space between the words
    assert rows_of(r.report, "warning") == [(2, "note"), (3, "note")]
    assert "(U+0001); it was replaced by a space" in r.report.problems[0].reason
    assert "held only an invisible control character (U+0000)" in r.report.problems[1].reason
    assert r.report.n_rejected == 0


def test_a_nul_in_a_figure_refuses_its_row():
    text = "name,city,lat,lon,employees\nAlpha,Bonn,50.7,7.1,21\x0000\nGamma,Jena,50.9,11.6,5\n"
    r = read_upload(text.encode(), filename="clusters.csv")
    assert r.clusters["cluster_name"].tolist() == ["Gamma"]
    assert rows_of(r.report, "error") == [(2, "employees")]


def test_control_character_in_a_column_name_is_removed():
    raw, _name = read_raw(b"name,ci\x00ty\nA,Bonn\n", "x.csv")
    assert list(raw.frame.columns) == ["name", "city"]
    (p,) = raw.problems
    assert (p.row, p.column, p.severity) == (1, "city", "warning")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        random.Random(7).randbytes(5000),
        b"name,city\n" + b"\x00\x01\x02\x03,\x04\x05\n" * 50,  # text with 6 of 8 bytes control
    ],
    ids=["png", "random", "mostly-control"],
)
def test_binary_files_are_still_refused_with_the_same_message(data):
    with pytest.raises(DataError, match=re.escape(BINARY)):
        read_upload(data, filename="table.csv")


def test_binary_share_threshold():
    text = "name,city\n" + "Alpha,Bonn\n" * 99  # 1,099 characters
    assert not looks_binary(text)
    assert not looks_binary(text.replace("Bonn", "Bo\x00n", 50))  # 50 of 1,149: 4.4 %
    assert looks_binary(text.replace("Bonn", "Bo\x00n", 60))  # 60 of 1,159: 5.2 %
    assert not looks_binary("a\x00b\x00c")  # a handful: never binary


# --------------------------------------------------------------------------- XLSX


def shared_strings_xlsx(rows, tweak):
    """An XLSX whose text cells are shared strings; ``tweak`` edits that part's bytes.

    openpyxl writes inline strings and refuses control characters, so the
    workbook is rewritten the way Excel stores text.
    """
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(buf)
    strings = []

    def shared(m):
        strings.append(m.group(2))
        return f'<c r="{m.group(1)}" t="s"><v>{len(strings) - 1}</v></c>'

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                inline = r'<c r="([A-Z]+\d+)" t="inlineStr"><is><t>(.*?)</t></is></c>'
                data = re.sub(inline, shared, data.decode()).encode()
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdS" />'
                    b"</Relationships>",
                )
            dst.writestr(info, data)
        items = "".join(f"<si><t>{s}</t></si>" for s in strings)
        sst = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>'
        )
        dst.writestr("xl/sharedStrings.xml", tweak(sst.encode()))
    return out.getvalue()


ROWS = [
    ["name", "city", "lat", "lon", "note"],
    ["Alpha", "Bonn", 50.7, 7.1, "first"],
    ["BETA", "Köln", 50.9, 6.9, "NOTE"],
    ["Gamma", "Jena", 50.9, 11.6, "third"],
]


@pytest.mark.parametrize("byte", [b"_x0000_", b"\x00"], ids=["excel-escape", "raw-byte"])
def test_control_character_in_an_xlsx_shared_string(byte):
    data = shared_strings_xlsx(
        ROWS, lambda x: x.replace(b"BETA", b"BE" + byte + b"TA").replace(b"NOTE", b"NO\x01TE")
    )
    r = read_upload(data, filename="clusters.xlsx")
    assert r.clusters["cluster_name"].tolist() == ["Alpha", "Gamma"]
    assert rows_of(r.report, "error") == [(3, "name")]
    assert rows_of(r.report, "warning") == [(3, "note")]
    assert (r.report.n_imported, r.report.n_rejected) == (2, 1)


# --------------------------------------------------------------------------- GeoJSON


def test_control_characters_in_geojson_properties():
    def feature(name, note, lon):
        props = {"name": name, "note": note}
        return {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": "Point", "coordinates": [lon, 50.0]},
        }

    doc = {
        "type": "FeatureCollection",
        "features": [
            feature("Alpha", "a", 7.0),
            feature("BETA", "b", 8.0),
            feature("Gamma", "NOTE", 9.0),
        ],
    }
    text = json.dumps(doc)
    # the name as an escape JSON allows; the note as a raw byte, which strict JSON refuses
    data = text.replace("BETA", "BE\\u0000TA").replace("NOTE", "NO\x02TE").encode()
    r = read_upload(data, filename="clusters.geojson")
    assert r.clusters["cluster_name"].tolist() == ["Alpha", "Gamma"]
    assert rows_of(r.report, "error") == [(2, "name")]
    assert rows_of(r.report, "warning") == [(3, "note")]
    # the byte reads as a space: the atlas cannot know it sat inside a word, and a space
    # keeps "MEMS\\x00Sensoren" from becoming a new technology "MEMSSensoren"
    assert r.clusters["note"].tolist() == ["a", "NO TE"]


# --------------------------------------------------------------------------- unit


def test_clean_controls_leaves_a_clean_file_alone():
    frame = pd.DataFrame({"name": ["A", "B"]}, dtype=pd.StringDtype("pyarrow"))
    raw = Raw(frame=frame, rows=np.array([2, 3]), detected={})
    assert clean_controls(raw) is raw
    assert raw.problems == [] and raw.rejected is None


def test_the_persons_mapping_decides_which_columns_are_strict():
    frame = pd.DataFrame({"Firma": ["A\x07"], "Bemerkung": ["x"], "Ort": ["Bonn"]})
    assert strict_columns(frame, None) == {"Firma", "Ort"}
    assert strict_columns(frame, {"name": "Bemerkung"}) == {"Bemerkung", "Ort"}
    raw = Raw(frame=frame.astype("string"), rows=np.array([2]), detected={})
    clean_controls(raw, {"name": "Bemerkung"})
    assert raw.frame["Firma"].tolist() == ["A"]
    assert raw.problems[0].severity == "warning" and raw.rejected is None


def test_a_control_byte_between_words_keeps_them_apart():
    text = "Firma;Ort;Land;Technologie\nA GmbH;Dortmund;DE;MEMS\x00Sensoren\nB AG;Bonn;DE;Optik\n"
    r = read_upload(text.encode(), filename="firms.csv")
    assert r.firms is not None
    assert r.firms["technology"].tolist() == ["MEMS Sensoren", "Optik"]


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(
                alphabet=st.sampled_from(["a", "Z", "ü", "\t", "\n", "\x00", "\x1f", "\x7f", "€"]),
                max_size=6,
            ),
        ),
        max_size=20,
    ),
    st.integers(0, 2),
)
def test_the_quick_look_finds_the_rows_the_byte_scan_finds(values, offset):
    """Columns without a byte below 0x20 or 0x7F skip the scan; any other finds the same rows."""
    import pyarrow as pa

    from mstatlas.data.validate import control_rows
    from mstatlas.io.stray import _control_positions

    arr = pa.array(["\x01"] * offset + values, pa.large_string())[offset:]
    assert _control_positions(arr).tolist() == np.flatnonzero(control_rows(arr)).tolist()
