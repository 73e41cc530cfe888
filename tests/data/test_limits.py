from __future__ import annotations

import pytest

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.io import read_upload

ROWS = "name,lat,lon\n" + "".join(f"C{i},51.{i},7.4\n" for i in range(10))


def test_size_limit():
    with pytest.raises(DataError, match=r"is 133 bytes; uploads are limited to 100 bytes"):
        read_upload(ROWS.encode(), filename="x.csv", limits=Limits(max_bytes=100))


def test_row_limit():
    with pytest.raises(DataError, match=r"has 10 data rows; at most 5 are accepted"):
        read_upload(ROWS.encode(), filename="x.csv", limits=Limits(max_rows=5))


def test_time_budget():
    with pytest.raises(DataError, match=r"needs more than the 0 s allowed per upload"):
        read_upload(ROWS.encode(), filename="x.csv", limits=Limits(max_seconds=0))


def test_text_length_limit():
    r = read_upload(
        b"name,lat,lon\n" + b"A" * 20 + b",51,7\n", filename="x.csv", limits=Limits(max_text_len=10)
    )
    assert r.report.n_rejected == 1
    assert "20 characters long; at most 10 are accepted" in r.report.problems[0].reason


def test_env_overrides(monkeypatch):
    monkeypatch.setenv("MSTATLAS_MAX_UPLOAD_MB", "2")
    monkeypatch.setenv("MSTATLAS_MAX_ROWS", "7")
    lim = Limits()
    assert (lim.max_bytes, lim.max_rows) == (2 * 1024**2, 7)
    monkeypatch.setenv("MSTATLAS_MAX_ROWS", "lots")
    with pytest.raises(DataError, match=r"MSTATLAS_MAX_ROWS='lots' is not a number"):
        Limits()
