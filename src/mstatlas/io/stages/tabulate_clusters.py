"""Stage: a cluster table's imported rows in the canonical columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.io.context import Context
from mstatlas.io.text import fill_text


def tabulate_clusters(ctx: Context) -> None:
    """Set ``ctx.table``: the rows still in, one per figure, counts rounded.

    Only for cluster tables (``ctx.kind == "clusters"``). Rows without a source
    of their own cite the uploaded file; the file's own cluster ids travel along
    (``_given_id``) for :mod:`~mstatlas.io.stages.assign_cluster_ids`.
    """
    if ctx.kind != "clusters":
        return
    ctx.keep_idx = np.flatnonzero(~ctx.reject)
    texts, numbers = ctx.texts, ctx.numbers
    frame = ctx.frame
    ctx.table = (
        pd.DataFrame(
            {
                "cluster_name": ctx.name,
                "city": texts["city"],
                "region": texts["region"],
                "country_iso2": ctx.iso,
                "lat": ctx.lat,
                "lon": ctx.lon,
                "firms": numbers["firms"].round(),
                "employees": numbers["employees"].round(),
                "firms_qualifier": ctx.qualifiers["firms_qualifier"],
                "employees_qualifier": ctx.qualifiers["employees_qualifier"],
                "counts_what": ctx.counts_what,
                "year": numbers["year"].round(),
                "organisation": texts["organisation"],
                "source_title": fill_text(texts["source"], ctx.default_source),
                "source_url": ctx.url,
                "note": texts["note"],
                "scope": texts["scope"],
                "region_employment": numbers["region_employment"].round(),
                "_given_id": texts["cluster_id"],
                "ivam_benchmark_2007": (
                    frame["ivam_benchmark_2007"]
                    if "ivam_benchmark_2007" in frame.columns
                    else False
                ),
            }
        )
        .iloc[ctx.keep_idx]
        .reset_index(drop=True)
    )
