"""Stage: a cluster table's profile columns (technologies, markets, ...) as facts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.data.columns import PROFILE_FIELD_OF
from mstatlas.data.profiles import coerce_profiles
from mstatlas.io.context import Context, no_profiles


def profile_facts(ctx: Context) -> None:
    """Set ``ctx.profiles`` from the imported rows of a cluster table.

    A firm list gives none: a firm's technology is not a cluster fact.
    """
    ctx.profiles = no_profiles()
    if ctx.kind == "clusters":
        ctx.profiles = facts_from_rows(ctx.clusters, ctx.texts, ctx.keep_idx, ctx.mapping)


def facts_from_rows(
    clusters: pd.DataFrame,
    texts: dict[str, pd.Series],
    keep_idx: np.ndarray,
    mapping: dict[str, str | None],
) -> pd.DataFrame:
    """Profile facts from the profile columns of the imported rows of a cluster table.

    Each value of a cell (several are separated by ";") is one fact with its row's
    cluster, year and source; a fact repeated on several rows of one cluster (same
    field and value) is kept once, from its first row.

    Parameters
    ----------
    clusters : pandas.DataFrame
        The imported rows (canonical columns, ``cluster_id`` set).
    texts : dict
        Canonical text field -> the cells of every data row.
    keep_idx : numpy.ndarray
        Positions of the imported rows among the data rows.
    mapping : dict
        Canonical field -> the file's column (profile fields without one are skipped).

    Returns
    -------
    pandas.DataFrame
        Profile facts (:data:`mstatlas.data.profiles.PROFILE_COLUMNS`).
    """
    parts = []
    for fld, profile_field in PROFILE_FIELD_OF.items():
        if not mapping.get(fld):
            continue
        cells = texts[fld].iloc[keep_idx].reset_index(drop=True)
        has = cells.notna().to_numpy(bool)
        if not has.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    "cluster_id": clusters["cluster_id"][has],
                    "field": profile_field,
                    "value": cells[has].str.split(";"),
                    "year": clusters["year"][has],
                    "source_title": clusters["source_title"][has],
                    "source_url": clusters["source_url"][has],
                }
            ).explode("value")
        )
    if not parts:
        return no_profiles()
    facts = pd.concat(parts, ignore_index=True)
    facts["value"] = facts["value"].astype("string").str.strip()
    facts = facts[facts["value"].fillna("") != ""]
    facts = facts.drop_duplicates(["cluster_id", "field", "value"], keep="first")
    return coerce_profiles(facts)
