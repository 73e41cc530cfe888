"""Stage: a cluster table (one row per cluster figure) or a firm list (one row per firm)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pyarrow.compute as pc

from mstatlas.data.columns import is_firm_name_header
from mstatlas.data.vocabulary import TableKind
from mstatlas.io.context import Context
from mstatlas.io.text import arrow_text


def detect_kind(ctx: Context) -> None:
    """Set ``ctx.kind``: the kind the person chose, else :func:`table_kind`."""
    chosen = ctx.request.kind or table_kind(ctx.mapping, ctx.trimmed)
    ctx.kind = "firms" if chosen == "firms" else "clusters"  # read_upload checked the choice
    ctx.detected["kind_detected"] = ctx.kind


def table_kind(mapping: dict[str, str | None], text: Callable[[str], pd.Series]) -> TableKind:
    """``"firms"`` or ``"clusters"``, from the mapped columns and the city values.

    A firm count column makes a cluster table. A name column headed like firms
    ("Firma", "Company"), or a name with a cluster column, makes a firm list; so
    do repeated cities (at least 5 filled, at most 70 % distinct) without a kind
    of figure.

    Parameters
    ----------
    mapping : dict
        Canonical field -> the file's column.
    text : callable
        Column name -> its cells as trimmed text.
    """
    if mapping.get("firms"):
        return "clusters"
    name = mapping.get("name")
    if name and is_firm_name_header(name):
        return "firms"
    if mapping.get("cluster") and name:
        return "firms"
    city = mapping.get("city")
    if city:
        c = text(city)
        c = c[c.fillna("") != ""]
        n_distinct = pc.count_distinct(pc.utf8_lower(arrow_text(c))).as_py() if len(c) >= 5 else 0
        if len(c) >= 5 and n_distinct <= 0.7 * len(c) and not mapping.get("counts_what"):
            # Repeated cities without a firm count: rows are firms, not clusters.
            return "firms"
    return "clusters"
