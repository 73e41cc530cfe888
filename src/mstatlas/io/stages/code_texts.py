"""Stage: the text columns later stages group by, coded once, side by side."""

from __future__ import annotations

from functools import partial

from mstatlas.data.parallel import run_all
from mstatlas.io.context import Context
from mstatlas.io.stages.aggregate_firms import FIRM_FIELDS


def code_texts(ctx: Context) -> None:
    """Hash the checked text columns that later stages compare into group codes.

    The country (``match_countries`` looks up each spelling once), the city
    (duplicates, geocoding, aggregation) and, in a firm list, the columns the
    cluster rows are counted from. Only the columns the file has; each is hashed
    once (:meth:`~mstatlas.io.context.Context.codes`), in a large file two at a
    time: hashing a column is an Arrow kernel, which lets go of the interpreter.
    """
    fields = ["country", "city", *(FIRM_FIELDS.values() if ctx.kind == "firms" else ())]
    todo = [f for f in fields if ctx.mapping.get(f)]
    # each thread fills its own fields' entries of the context's cache
    run_all([partial(ctx.codes, f) for f in todo], rows=ctx.n)
