"""Parquet files: columns as text cells, a WKB geometry column as lat/lon."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.raw import Raw, cell_text


def read_parquet(data: bytes, filename: str) -> Raw:
    """A Parquet file as text cells; a WKB ``geometry`` column becomes lat/lon.

    Whole floats lose their ``.0`` (``2100.0`` -> ``"2100"``) like the other
    formats; nulls become blank cells.

    Parameters
    ----------
    data : bytes
        The whole file.
    filename : str
        The file's name as messages show it.

    Returns
    -------
    Raw
        The table (row 2 is the first data row, as if the names were a header
        row) and ``geom`` when a geometry column was present.

    Raises
    ------
    mstatlas.errors.DataError
        When pyarrow cannot read the file.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(
            _("The Parquet file {filename} could not be read ({exc}); write it again.").format(
                filename=filename, exc=exc
            )
        ) from None
    geom = None
    if "geometry" in table.column_names and pa.types.is_binary(table.schema.field("geometry").type):
        geom = _points(table.column("geometry"))
        table = table.drop_columns(["geometry"])
    frame = pd.DataFrame({name: _text_column(table.column(name)) for name in table.column_names})
    return Raw(
        frame=frame,
        rows=np.arange(2, table.num_rows + 2, dtype=np.int64),
        detected={
            "format": "parquet",
            "encoding": None,
            "separator": None,
            "sheet": None,
            "sheets": [],
            "hidden_sheets": [],
            "header_row": 1,
        },
        geom=geom,
    )


def _points(column: Any) -> pd.DataFrame:
    """lat/lon of a point inside each WKB geometry (NaN when null, empty or unreadable)."""
    import shapely

    shapes = shapely.from_wkb(column.to_pylist(), on_invalid="ignore")
    pts = [s.representative_point() if s is not None and not s.is_empty else None for s in shapes]
    return pd.DataFrame(
        {
            "lat": [p.y if p is not None else np.nan for p in pts],
            "lon": [p.x if p is not None else np.nan for p in pts],
        }
    )


def _text_column(col: Any) -> pd.Series:
    """A Parquet column as text cells, nulls blank."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(col.type):
        # 2100.0 -> "2100" like the other formats; others keep their digits.
        arr = col.to_pandas()
        return pd.Series([cell_text(v) for v in arr], dtype=pd.StringDtype("pyarrow"))
    try:
        s = pc.cast(col, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        s = pa.array([cell_text(v) for v in col.to_pylist()], pa.string())
    return pd.Series(
        pc.fill_null(s, "").to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
        if isinstance(s, pa.ChunkedArray)
        else pc.fill_null(s, "").to_pandas(),
        dtype=pd.StringDtype("pyarrow"),
    )
