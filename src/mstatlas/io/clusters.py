"""A cluster table from the default dataset or from any file: :func:`load_clusters`."""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd

from mstatlas.data.loading import default_clusters
from mstatlas.errors import DataError
from mstatlas.io.upload import read_upload


def load_clusters(path: str | os.PathLike[str] | None = None) -> gpd.GeoDataFrame:
    """Load a cluster table as a GeoDataFrame in EPSG:4326.

    Parameters
    ----------
    path : str or path-like, optional
        A CSV/TSV, XLSX, GeoJSON or Parquet file with cluster rows or a firm
        list (firms are aggregated into clusters per city). ``None`` loads the
        embedded default dataset of sourced figures.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per reported figure with the columns of
        :data:`mstatlas.data.schema.COLUMNS` and point geometry.

    Raises
    ------
    mstatlas.errors.DataError
        If the file cannot be read or has no usable rows; the message says why
        and what to change.
    """
    if path is None:
        return default_clusters()
    result = read_upload(Path(path))
    if result.clusters.empty:
        raise DataError(result.report.summary())
    return result.clusters
