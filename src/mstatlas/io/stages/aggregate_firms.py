"""Stage: a firm list becomes one cluster row per city (or per cluster column)."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd

from mstatlas.data import firms
from mstatlas.data.parallel import run_all
from mstatlas.io.context import Context
from mstatlas.io.text import fill_text

#: The firm table's text columns counted per cluster, besides city and country, and the
#: checked field each is read from (``code_texts`` codes these fields ahead).
FIRM_FIELDS = {
    "cluster": "cluster",
    "region": "region",
    "technology": "technology",
    "source_url": "source_url",
    "source_title": "source",
}


def aggregate_firms(ctx: Context) -> None:
    """Count the imported firms per city, or per cluster when every firm names one.

    Only for firm lists (``ctx.kind == "firms"``). Sets ``ctx.firms`` (the cleaned
    firm rows), ``ctx.table`` (one row per cluster, see
    :func:`mstatlas.data.firms.aggregate_firms` for the counting rule) and
    ``ctx.aggregation`` (how, in words). Firms without a source of their own
    cite the uploaded file.
    """
    if ctx.kind != "firms":
        return
    ctx.keep_idx = keep_idx = np.flatnonzero(~ctx.reject)
    texts = ctx.texts
    firm_rows = pd.DataFrame(
        {
            "row": ctx.rows,
            "name": ctx.name,
            "cluster": texts["cluster"],
            "city": texts["city"],
            "country_iso2": ctx.iso,
            "region": texts["region"],
            "lat": ctx.lat,
            "lon": ctx.lon,
            "employees": ctx.numbers["employees"],
            "technology": texts["technology"],
            "year": ctx.numbers["year"],
            "source_title": texts["source"],  # the file's own; the rest cite it (below)
            "source_url": ctx.url,
        },
        copy=False,  # the columns are the context's own: no need to copy a million rows
    )
    codes = firm_codes(ctx)
    folded_city = ctx.folded_city_codes()
    if len(keep_idx) < ctx.n:
        firm_rows = firm_rows.iloc[keep_idx].reset_index(drop=True)
        codes = {k: (c[keep_idx], u) for k, (c, u) in codes.items()}
        folded_city = folded_city[keep_idx]
    by = "cluster" if ctx.mapping.get("cluster") and firm_rows["cluster"].notna().all() else "city"
    # the counting reads the figures as floats and the sources as codes: the firm
    # table's own columns are finished beside it
    (ctx.table, ctx.aggregation), employees, year, source = run_all(
        [
            partial(firms.aggregate_firms, firm_rows, by=by, codes=codes, folded_city=folded_city),
            partial(_whole_numbers, firm_rows["employees"]),
            partial(_whole_numbers, firm_rows["year"]),
            partial(fill_text, firm_rows["source_title"], ctx.default_source),
        ],
        rows=len(firm_rows),
    )
    firm_rows["employees"], firm_rows["year"], firm_rows["source_title"] = employees, year, source
    ctx.firms = firm_rows


def _whole_numbers(values: pd.Series) -> pd.Series:
    """``values.round().astype("Int64")``, built from the mask directly (a third of the time)."""
    a = values.to_numpy("float64")
    missing = np.isnan(a)
    if missing.all():  # a column the file has not (often the year): nothing to round
        whole = np.zeros(len(a), dtype=np.int64)
    else:
        whole = np.where(missing, 0.0, np.round(a)).astype(np.int64)
    return pd.Series(pd.arrays.IntegerArray(whole, missing), index=values.index)


def firm_codes(ctx: Context) -> dict[str, firms.Codes]:
    """Group codes of the firm table's text columns, over all rows.

    City and country reuse the codes hashed before; a column not in the file is
    all -1; a missing source takes the code of :attr:`~mstatlas.io.context.Context.default_source`.
    """
    n = ctx.n
    blank = np.full(n, -1, dtype=np.int64)  # every column the file has not (only read)
    codes: dict[str, firms.Codes] = {
        "city": ctx.city_codes(),
        "country_iso2": (ctx.iso_codes, ctx.iso_uniques),
    }
    for column, fld in FIRM_FIELDS.items():
        codes[column] = ctx.codes(fld) if ctx.mapping.get(fld) else (blank, [])
    src_codes, src_uniques = codes["source_title"]
    codes["source_title"] = (
        np.where(src_codes < 0, len(src_uniques), src_codes)
        if src_uniques
        else np.zeros(n, dtype=np.int64),  # no source given: every firm cites the file
        [*src_uniques, ctx.default_source],
    )
    return codes
