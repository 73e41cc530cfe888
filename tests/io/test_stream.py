"""Reading a register in chunks (mstatlas.io.stream) gives what reading it whole gives."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.io import read_upload
from mstatlas.io.stream import StreamReport, stream_upload

CITIES = [
    ("Dortmund", "DE", "51,5136", "7,4653"),
    ("München", "Deutschland", "", ""),
    ("Enschede", "NL", "", ""),
    ("Grenoble", "FR", "45,1885", "5,7245"),
    ("Xyzzyville", "DE", "", ""),  # not a place: refused when geocoded
    ("Jena", "DE", "50,9272", "11,5861"),
    ("Neuchâtel", "CH", "", ""),
    ("Bochum", "", "", ""),  # no country: taken from the geocoder
]
TECHS = ["MEMS", "Mikrofluidik", "Optik", "Sensorik", ""]


def make_register(path: Path, n: int = 50_000, seed: int = 7) -> None:
    """A German firm register of ``n`` firms with the faults real registers have.

    Semicolons and decimal commas; thousands points ("1.200"); blank lines;
    firms given again (case-blind, in the same city) far below their first
    row; an exact line repeated thousands of rows later; counts that are not
    numbers, negative or fractional; impossible years; names with the separator
    and a line break inside quotes; empty names; a NUL byte; one row with too
    many values; CRLF line ends; Windows-1252.
    """
    rnd = random.Random(seed)
    lines = ["Firma;Ort;Land;Mitarbeiter;Technologie;Breite;Länge;Jahr"]
    cities_of: list[int] = []
    for i in range(n):
        k = rnd.randrange(len(CITIES))
        name = f"Firma {i} GmbH"
        if i > 100 and rnd.random() < 0.01:  # the same firm again, written in lower case
            j = rnd.randrange(i)
            name, k = f"firma {j} gmbh", cities_of[j]
        city, cc, lat, lon = CITIES[k]
        cities_of.append(k)
        emp = "" if rnd.random() < 0.2 else str(rnd.randint(1, 3000))
        if emp and int(emp) > 999 and rnd.random() < 0.5:
            emp = f"{int(emp) // 1000}.{int(emp) % 1000:03d}"
        emp = rnd.choices([emp, "viele", "-5", "12,5"], [0.99, 0.004, 0.003, 0.003])[0]
        year = rnd.choices(["", str(rnd.randint(1990, 2024)), "1850"], [0.5, 0.499, 0.001])[0]
        tech = rnd.choices([rnd.choice(TECHS), "MEMS\x00"], [0.999, 0.001])[0]
        name = rnd.choices([name, f'"Firma {i}; Nord\r\nGmbH"', ""], [0.997, 0.002, 0.001])[0]
        if rnd.random() < 0.002:
            lines.append("")
        lines.append(f"{name};{city};{cc};{emp};{tech};{lat};{lon};{year}")
        if i == n // 2:
            lines.append("Zu viel;Jena;DE;1;MEMS;;;2000;;extra")
    for k in range(1, n, 4_999):  # exact repeats, thousands of rows later
        lines.insert(min(k + 9_000, len(lines)), lines[k])
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("register") / "firmen.csv"
    make_register(path)
    return path


@pytest.fixture(scope="module")
def whole(register: Path):
    return read_upload(register, limits=Limits(max_seconds=600))


def _frame(clusters) -> pd.DataFrame:
    return pd.DataFrame(clusters.drop(columns="geometry"))


def test_chunks_give_the_same_report_and_clusters_as_the_whole_file(register, whole):
    seen: list[tuple[int, int, int]] = []
    streamed = stream_upload(
        register,
        chunk_rows=7_000,
        max_problems=10**9,
        progress=lambda done, total, rows: seen.append((done, total, rows)),
    )
    a, b = whole.report, streamed.report
    assert streamed.n_chunks == 8  # 50,000 firms and a few extra lines, 7,000 records a chunk
    assert (b.n_rows, b.n_imported, b.n_rejected, b.n_blank, b.n_warnings) == (
        a.n_rows,
        a.n_imported,
        a.n_rejected,
        a.n_blank,
        a.n_warnings,
    )
    assert b.problems == a.problems
    assert b.summary() == a.summary()
    assert (streamed.kind, streamed.mapping, streamed.columns) == (
        whole.kind,
        whole.mapping,
        whole.columns,
    )
    assert streamed.aggregation == whole.aggregation
    pd.testing.assert_frame_equal(
        _frame(streamed.clusters), _frame(whole.clusters), check_exact=True
    )
    assert streamed.detected == whole.detected
    # the file really has what the test is about
    assert whole.detected.reader == "python"  # one row with too many values
    assert whole.detected.encoding == "cp1252" and whole.detected.decimal == ","
    reasons = [p.reason for p in a.problems]
    repeats = [
        (p.row, int(p.reason.split()[3]))
        for p in a.problems
        if p.reason.startswith("duplicate of row")
    ]
    assert any(row - first > 7_000 for row, first in repeats)  # across chunks
    for text in ("is not a number", "is negative", "not a whole number", "is not a year",
                 "no place called", "name is empty", "control character", "values but the header"):  # fmt: skip
        assert any(text in r for r in reasons), text
    assert len(seen) == 8


def test_progress_reports_each_chunk_up_to_the_whole_file(register, whole):
    seen: list[tuple[int, int, int]] = []
    stream_upload(register, chunk_rows=20_000, progress=lambda *a: seen.append(a))
    done = [d for d, _t, _r in seen]
    assert done == sorted(done) and done[-1] == register.stat().st_size
    assert {t for _d, t, _r in seen} == {register.stat().st_size}
    rows = [r for _d, _t, r in seen]
    assert rows == sorted(rows) and rows[-1] == whole.report.n_rows


def test_report_lists_the_first_problems_and_counts_all(register, whole):
    streamed = stream_upload(register, chunk_rows=9_000, max_problems=25)
    report, full = streamed.report, whole.report
    assert isinstance(report, StreamReport)
    assert report.problems == full.problems[:25]
    assert report.n_problems == len(full.problems)
    assert report.n_unlisted == len(full.problems) - 25
    assert report.n_warnings == full.n_warnings  # counted, not only the listed ones
    assert report.summary() == full.summary()


def test_the_first_error_is_listed_even_after_the_limit(tmp_path):
    rows = [f"F{i};Dortmund;Atlantis" for i in range(30)] + ["F30;Dortmund;DE;-1"]
    path = tmp_path / "f.csv"
    path.write_text("Firma;Ort;Land;Mitarbeiter\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = stream_upload(path, chunk_rows=7, max_problems=5).report
    assert [p.severity for p in report.problems] == ["warning"] * 5 + ["error"]
    assert report.problems[-1].row == 32 and report.n_problems == 31
    assert "First problem: Row 32, column 'Mitarbeiter'" in report.summary()


def test_every_chunk_reads_numbers_as_the_start_of_the_file(tmp_path):
    # The first rows show decimal commas; later rows alone would look like decimal points,
    # and a count "2.100" there would then be flagged as read with a thousands point.
    head = [f"F{i};Dortmund;51,5;7,4;39" for i in range(10)]
    tail = [f"G{i};Dortmund;51.5;7.4;2.100" for i in range(10)]
    text = "Firma;Ort;Breite;Länge;Mitarbeiter\n" + "\n".join(head + tail) + "\n"
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    alone = read_upload(
        ("Firma;Ort;Breite;Länge;Mitarbeiter\n" + "\n".join(tail)).encode(), filename="t.csv"
    )
    assert alone.report.n_warnings == 10  # what a chunk would say on its own
    streamed = stream_upload(path, chunk_rows=5)
    whole = read_upload(path)
    assert streamed.report.problems == whole.report.problems == []
    assert streamed.detected.number_formats == whole.detected.number_formats
    pd.testing.assert_frame_equal(_frame(streamed.clusters), _frame(whole.clusters))


def test_kind_is_decided_on_the_whole_file(tmp_path):
    # 'Name' does not say firms; the first rows name different cities (a cluster table?),
    # the rest repeat them: over the whole file, rows are firms.
    cities = ["Dortmund", "Bochum", "Essen", "Jena", "Dresden", "Enschede", "Grenoble"]
    rows = [f"N{i};{c}" for i, c in enumerate(cities)]
    rows += [f"M{i};{cities[i % 2]}" for i in range(40)]
    path = tmp_path / "f.csv"
    path.write_text("Name;City\n" + "\n".join(rows) + "\n", encoding="utf-8")
    whole = read_upload(path)
    streamed = stream_upload(path, chunk_rows=7)
    assert whole.kind == streamed.kind == "firms"
    assert streamed.detected.kind_detected == "firms"
    assert streamed.report.problems == whole.report.problems
    pd.testing.assert_frame_equal(_frame(streamed.clusters), _frame(whole.clusters))


def test_encoding_is_decided_on_every_byte(tmp_path):
    # plain ASCII until the very last row: still Windows-1252 for the whole file
    rows = [f"F{i};Dortmund;DE" for i in range(50)] + ["Müller GmbH;Köln;DE"]
    path = tmp_path / "f.csv"
    path.write_bytes(("Firma;Ort;Land\n" + "\n".join(rows) + "\n").encode("cp1252"))
    streamed = stream_upload(path, chunk_rows=10)
    assert streamed.detected.encoding == read_upload(path).detected.encoding == "cp1252"
    assert "Köln" in set(streamed.clusters["city"])


def test_a_file_without_data_rows_is_refused_as_by_the_reader(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("Firma;Ort\n\n\n\n", encoding="utf-8")
    with pytest.raises(DataError, match="has a header row .* but no data rows"):
        stream_upload(path, chunk_rows=1)
    with pytest.raises(DataError, match="has a header row .* but no data rows"):
        read_upload(path)


def test_only_csv_is_read_in_chunks(tmp_path):
    path = tmp_path / "f.parquet"
    pd.DataFrame({"Firma": ["A"], "Ort": ["Jena"]}).to_parquet(path)
    with pytest.raises(DataError, match="is PARQUET; files too large to upload are read in chunks"):
        stream_upload(path)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # a title above the header, blank lines, a quoted line break, a byte order mark
        (
            'Firmen 2024\n\nFirma;Ort\nA;Jena\n\n"B\nNord";Jena\nC;Essen\nA;jena\nD;Essen\n',
            "utf-8-sig",
        ),
        (
            "Firma\tOrt\tLand\nA\tJena\tDE\nB\tJena\t\nA\tJena\tDeutschland\nC\tMünchen\tDE\n",
            "utf-16",
        ),
        (
            'Firma,Ort\r\nA,Jena\r\nB,"Essen"\r\nb,ESSEN\r\nC,Xyzzyville\r\nc,xyzzyville\r\n',
            "cp1252",
        ),
    ],
)
def test_small_files_of_every_shape_read_alike(tmp_path, text, encoding):
    path = tmp_path / "f.csv"
    path.write_bytes(text.encode(encoding))
    whole = read_upload(path)
    for rows in (1, 2, 3):
        streamed = stream_upload(path, chunk_rows=rows)
        assert streamed.report.problems == whole.report.problems
        assert streamed.report.summary() == whole.report.summary()
        assert streamed.detected == whole.detected
        pd.testing.assert_frame_equal(_frame(streamed.clusters), _frame(whole.clusters))
