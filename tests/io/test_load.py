"""Loading bytes and dispatching to a format reader (mstatlas.io.load, mstatlas.io.source)."""

import json

import pytest

from mstatlas.data.limits import Limits
from mstatlas.errors import DataError
from mstatlas.io.load import FORMATS, read_raw
from mstatlas.io.source import load_bytes


def test_bytes_without_a_name_are_called_upload():
    raw, name = read_raw(b"name,city\nA,Bonn\n")
    assert name == "upload"
    assert raw.detected["format"] == "csv"


def test_each_format_goes_to_its_reader(tmp_path):
    path = tmp_path / "c.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    raw, name = read_raw(path)
    assert (name, raw.detected["format"]) == ("c.geojson", "geojson")
    assert set(FORMATS) == {"csv", "xlsx", "geojson", "parquet"}


def test_size_limit_is_checked_for_bytes_and_for_paths(tmp_path):
    limits = Limits(max_bytes=2048)
    data = b"a,b\n" + b"1,2\n" * 1000  # 4,004 bytes
    msg = r"The file big.csv is 3.9 KB; uploads are limited to 2 KB\. Remove columns"
    with pytest.raises(DataError, match=msg):
        load_bytes(data, "big.csv", limits)
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    with pytest.raises(DataError, match=msg):
        read_raw(path, limits=limits)
    # and says how a firm list that large can still be used
    with pytest.raises(DataError, match=r"mstatlas aggregate 'Firmen 2024\.csv' -o clusters\.csv"):
        load_bytes(data, "Firmen 2024.csv", limits)


def test_missing_file_and_folder_are_named(tmp_path):
    with pytest.raises(DataError, match="does not exist; check the name and folder"):
        read_raw(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder, not a file"):
        read_raw(tmp_path)
