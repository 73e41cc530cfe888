"""Small hand-made cluster tables for unit tests."""

from __future__ import annotations

import pandas as pd

from mstatlas.data.schema import coerce_clusters


def cluster_table(rows: list[dict], **defaults: object):
    """A canonical cluster table from a few rows.

    Every row gets a position and counts cluster firms unless it says otherwise
    (``defaults`` change that for all rows); a row without a name is named after
    its id ("a" -> "A").
    """
    base = {"cluster_name": None, "lat": 50.0, "lon": 8.0, "counts_what": "cluster_firms"}
    df = pd.DataFrame([{**base, **defaults, **r} for r in rows])
    df["cluster_name"] = df["cluster_name"].fillna(df["cluster_id"].str.title())
    return coerce_clusters(df)
