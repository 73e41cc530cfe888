from __future__ import annotations

import pytest

from mstatlas.data.loading import default_clusters
from mstatlas.errors import DataError
from mstatlas.io import load_clusters


def test_without_a_path_the_default_dataset():
    assert len(load_clusters()) == len(default_clusters())


def test_a_file_is_read_like_an_upload(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("name,lat,lon,firms\nAlpha,50.9,11.6,3\n", encoding="utf-8")
    clusters = load_clusters(f)
    assert clusters["cluster_id"].tolist() == ["alpha"]
    assert clusters["source_title"].tolist() == ["Uploaded file c.csv"]


def test_a_file_without_usable_rows_says_why(tmp_path):
    f = tmp_path / "c.csv"
    f.write_text("name,lat,lon,firms\nAlpha,50.9,11.6,x\n", encoding="utf-8")
    with pytest.raises(
        DataError, match=r"^0 of 1 rows imported, 1 rejected\. First problem: Row 2"
    ):
        load_clusters(f)
