"""Where the embedded data lives, and the default dataset as a canonical cluster table."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

from mstatlas.data.schema import coerce_clusters
from mstatlas.errors import DataError
from mstatlas.i18n import _


def data_dir() -> Path:
    """Folder holding the embedded data files (``MSTATLAS_DATA_DIR`` overrides it)."""
    env = os.environ.get("MSTATLAS_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "data"


def default_dataset_path() -> Path:
    """Path of the embedded, sourced default dataset (``data/clusters.csv``)."""
    return data_dir() / "clusters.csv"


@lru_cache(maxsize=4)
def _read_default(path: str, mtime: float) -> gpd.GeoDataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return coerce_clusters(frame)


def default_clusters() -> gpd.GeoDataFrame:
    """The embedded, sourced default dataset as a cluster table (EPSG:4326).

    Reading any other file is :func:`mstatlas.io.load_clusters`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per reported figure with the columns of
        :data:`mstatlas.data.schema.COLUMNS` and point geometry.

    Raises
    ------
    mstatlas.errors.DataError
        If the file is missing; the message says where it is looked for.
    """
    p = default_dataset_path()
    if not p.exists():
        raise DataError(
            _(
                "The default dataset {name} is missing from {parent}; set MSTATLAS_DATA_DIR to "
                "the folder that holds it."
            ).format(name=p.name, parent=p.parent)
        )
    return _read_default(str(p), p.stat().st_mtime).copy()
