"""Writing a valid table in any supported dialect and reading it back gives the same numbers."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstatlas.io import read_upload

NAME = st.text(alphabet="abcxyzäöüßéç –-", min_size=1, max_size=12).map(str.strip).filter(bool)
ROW = st.tuples(
    NAME,
    st.floats(36, 70).map(lambda x: round(x, 4)),
    st.floats(-10, 40).map(lambda x: round(x, 4)),
    st.integers(0, 5000),
    st.integers(0, 2_000_000),
)


def _fmt(x: float | int, decimal: str, grouped: bool) -> str:
    if isinstance(x, int):
        s = f"{x:,}" if grouped else str(x)
        return s.replace(",", ".") if decimal == "," else s
    s = f"{x:.4f}"
    return s.replace(".", ",") if decimal == "," else s


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(ROW, min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    sep=st.sampled_from([",", ";", "\t"]),
    decimal=st.sampled_from([".", ","]),
    grouped=st.booleans(),
)
def test_roundtrip_any_dialect(rows, encoding, sep, decimal, grouped):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(["name", "lat", "lon", "firms", "employees"])
    for i, (name, lat, lon, firms, emp) in enumerate(rows):
        w.writerow(
            [
                f"{i} {name}",
                _fmt(lat, decimal, False),
                _fmt(lon, decimal, False),
                _fmt(firms, decimal, grouped),
                _fmt(emp, decimal, grouped),
            ]
        )
    r = read_upload(buf.getvalue().encode(encoding), filename="t.csv", kind="clusters")
    assert r.report.n_rejected == 0, r.report.problems
    c = r.clusters
    assert c["cluster_name"].tolist() == [f"{i} {n}" for i, (n, *_r) in enumerate(rows)]
    assert c["lat"].tolist() == [x[1] for x in rows]
    assert c["lon"].tolist() == [x[2] for x in rows]
    assert c["firms"].tolist() == [x[3] for x in rows]
    assert c["employees"].tolist() == [x[4] for x in rows]
