"""Parquet reading (mstatlas.io.parquet)."""

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from mstatlas.errors import DataError
from mstatlas.io.parquet import read_parquet


def parquet_bytes(table):
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def test_columns_become_text_cells():
    table = pa.table(
        {
            "name": ["A", None],
            "employees": [2100.0, 12.5],
            "firms": pa.array([3, None], pa.int64()),
            "listed": [True, False],
        }
    )
    raw = read_parquet(parquet_bytes(table), "c.parquet")
    assert raw.frame.astype(object).values.tolist() == [
        ["A", "2100", "3", "true"],
        ["", "12.5", "", "false"],
    ]
    assert raw.rows.tolist() == [2, 3]  # as if the column names were row 1
    assert raw.geom is None
    assert raw.detected["format"] == "parquet"


def test_wkb_geometry_becomes_lat_lon():
    wkb = [shapely.to_wkb(shapely.Point(7.4, 51.5)), None]
    table = pa.table({"name": ["A", "B"], "geometry": pa.array(wkb, pa.binary())})
    raw = read_parquet(parquet_bytes(table), "g.parquet")
    assert list(raw.frame.columns) == ["name"]
    assert raw.geom["lat"].tolist()[0] == 51.5 and raw.geom["lon"].tolist()[0] == 7.4
    assert raw.geom["lat"].isna().tolist() == [False, True]


def test_damaged_file_is_refused():
    data = parquet_bytes(pa.table({"a": [1]}))
    with pytest.raises(DataError, match="The Parquet file cut.parquet could not be read"):
        read_parquet(data[:20], "cut.parquet")
