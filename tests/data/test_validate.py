from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mstatlas.data.numbers import NumberFormat, _to_float, parse_numbers
from mstatlas.data.validate import Problem, ValidationReport
from mstatlas.io import read_upload


def _problems(text: str):
    r = read_upload(text.encode(), filename="x.csv", kind="clusters")
    assert r.report.n_imported + r.report.n_rejected == r.report.n_rows
    return r, r.report.problems


H = "name,city,lat,lon,firms,employees,year,counts_what,source_url\n"
OK = "Ok,Dortmund,51.5,7.4,39,2100,2007,cluster_firms,https://example.org\n"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("A,X,51.5,7.4,-3,,,,", "firms", "'-3' is negative; a count cannot be below 0"),
        ("A,X,95,7.4,,,,,", "lat", "latitude 95.0 is impossible"),
        ("A,X,51,190,,,,,", "lon", "longitude 190.0 is impossible"),
        ("A,X,51.5,7.4,,2.1 Mio,,,", "employees", "'2.1 Mio' is not a number"),
        (",X,51.5,7.4,,,,,", "name", "the cluster name is empty"),
        ("A,X,51.5,,,,,,", "lon", "only one of latitude and longitude is given"),
        ("A,X,51.5,7.4,2.5,,,,", "firms", "'2.5' is not a whole number"),
        ("A,X,51.5,7.4,,,1850,,", "year", "'1850' is not a year between 1900 and 2100"),
        ("A,X,51.5,7.4,,,,members,", "counts_what", "'members' is not a kind of figure"),
        ("A\x07,X,51.5,7.4,,,,,", "name", "invisible control character (U+0007)"),
        (
            "Ok,Dortmund,51.5,7.4,39,2100,2007,cluster_firms,https://example.org",
            "name",
            "duplicate of row 2",
        ),
    ],
)
def test_each_rejection_reason(row, column, reason):
    r, problems = _problems(H + OK + row + "\n")
    errors = [p for p in problems if p.severity == "error"]
    assert len(errors) == 1, problems
    assert errors[0].row == 3 and errors[0].column == column
    assert reason in errors[0].reason
    assert r.report.n_rejected == 1 and r.report.n_imported == 1


def test_warnings_keep_rows():
    r, problems = _problems(H + "A,X,7.4,51.5,,,,,javascript:alert(1)\n")
    assert r.report.n_imported == 1
    reasons = " | ".join(p.reason for p in problems)
    assert "latitude and longitude look swapped" in reasons
    assert "not a web address" in reasons
    assert r.clusters["source_url"].isna().all()


def test_unknown_country_is_a_warning():
    r, problems = _problems("name,country,lat,lon\nA,Atlantis,51,7\n")
    assert r.report.n_imported == 1 and problems[0].severity == "warning"


def test_report_summary_and_frame():
    rep = ValidationReport(
        3, 2, 1, [Problem(4, "Beschäftigte", "2,1 Mio", "'2,1 Mio' is not a number")]
    )
    assert rep.summary().startswith("2 of 3 rows imported, 1 rejected. First problem: Row 4")
    f = rep.to_frame()
    assert list(f.columns) == ["row", "column", "value", "severity", "reason"]
    assert f["row"].tolist() == [4]
    # the first problem is quoted as written ("..." stays three dots), one full stop at the end
    quoted = ValidationReport(
        2, 1, 1, [Problem(3, None, "a..b", 'put that value in double quotes ("...")')]
    )
    assert quoted.summary().endswith('put that value in double quotes ("...").')
    ends = ValidationReport(2, 1, 1, [Problem(3, None, None, "the row is empty.")])
    assert ends.summary().endswith("the row is empty.") and ".." not in ends.summary()


def test_parse_numbers_german():
    s = pd.Series(["2.100", "1.020", "51,5", "ca. 1.700", "2.1", ""])
    num, failed, qual = parse_numbers(s, NumberFormat(",", "."), integer=False)
    assert num.tolist()[:4] == [2100, 1020, 51.5, 1700]
    assert failed.tolist() == [False, False, False, False, True, False]
    assert qual.tolist()[3] == "about"


def test_counts_with_point_groups_are_thousands_in_a_point_decimal_column():
    s = pd.Series(["12.000", "2.100", "39", "12.5", "1,020", ""])
    num, failed, _ = parse_numbers(s, NumberFormat(".", ","), integer=True)
    assert num.tolist()[:5] == [12000, 2100, 39, 12.5, 1020]  # 12.5: refused later as a count
    assert not failed.any()
    coords, _, _ = parse_numbers(pd.Series(["51.000"]), NumberFormat(".", ","), coordinate=True)
    assert coords.tolist() == [51.0]  # coordinates keep their decimals


def test_text_checks_find_control_characters_and_length_in_characters():
    import numpy as np

    from mstatlas.data.validate import text_problems

    s = pd.Series(
        ["ok", "Łódź\x1f", "tab\tand\r\nnl", "ñ" * 13, "é" * 12, None, "x\x7f"], dtype="string"
    )
    problems, bad = text_problems(s.iloc[1:].reset_index(drop=True), np.arange(3, 9), "c", 12)
    assert bad.tolist() == [True, False, True, False, False, True]
    reasons = {(p.row, p.reason.split(";")[0]) for p in problems}
    assert (3, "the text contains an invisible control character (U+001F)") in reasons
    assert (5, "the text is 13 characters long") in reasons  # 26 bytes; 24-byte "é" * 12 passes
    assert (8, "the text contains an invisible control character (U+007F)") in reasons


def test_cluster_ids_match_slugify_and_number_collisions():
    from mstatlas.data.firms import slugify

    names = ["Straße MST", "MST", "mst", "Łódź – Mikro", "MST-2", "A/B  c", "!!!"]
    text = "name,city,lat,lon\n" + "".join(
        f'"{n}",X{i % 2},51.5,7.4\n' for i, n in enumerate(names)
    )
    r = read_upload(text.encode(), filename="x.csv", kind="clusters")
    ids = r.clusters["cluster_id"].tolist()
    assert ids[0] == slugify("Straße MST") and ids[3] == slugify("Łódź – Mikro")
    assert ids[1:3] == ["mst", "mst-2"] and ids[4] == "mst-2-2" and ids[5:] == ["a-b-c", "cluster"]


@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789", min_size=1, max_size=6),
            st.text(alphabet="0123456789.-+e, ", max_size=6),
            st.sampled_from(["", "2100", "51.5136", "-7", "1e5", "+3", "2,5", "٣", "nan", "inf"]),
        ),
        max_size=30,
    )
)
def test_fast_number_conversion_reads_what_pandas_reads(values):
    """The column-wide conversion accepts exactly the spellings pandas' to_numeric does."""
    text = pd.Series(values, dtype="string")
    blank = (text == "").to_numpy(bool)
    got = _to_float(text, blank).to_numpy()
    want = pd.to_numeric(pd.Series(values, dtype=object).where(~blank), errors="coerce")
    np.testing.assert_array_equal(got, want.astype("float64").to_numpy())


def test_summary_in_german_writes_numbers_the_german_way():
    from mstatlas.i18n import language

    report = ValidationReport(
        n_rows=2100,
        n_imported=2099,
        n_rejected=1,
        problems=[Problem(2, "employees", "abc", "reason"), Problem(3, None, None, "w", "warning")],
        n_blank=1,
    )
    with language("de"):
        text = report.summary()
    assert text == (
        "2.099 von 2.100 Zeilen importiert, 1 abgelehnt, 1 Warnung. 1 leere Zeile wurde "
        "übersprungen. Erstes Problem: Zeile 2, Spalte 'employees': reason."
    )
    assert report.summary() == (
        "2,099 of 2,100 rows imported, 1 rejected, 1 warning(s). 1 blank row(s) were "
        "skipped. First problem: Row 2, column 'employees': reason."
    )
