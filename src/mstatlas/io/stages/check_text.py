"""Stage: text cells — no control characters, not too long, and a name on every row."""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from mstatlas.data.codes import arrow_strings
from mstatlas.data.columns import PROFILE_FIELD_OF
from mstatlas.data.parallel import run_all
from mstatlas.data.validate import Problem, text_problems
from mstatlas.i18n import _
from mstatlas.io.context import Context
from mstatlas.io.text import blank_as_missing

#: Canonical fields holding text, in the order they are checked.
TEXT_FIELDS = (
    "name",
    "cluster",
    "cluster_id",
    "city",
    "country",
    "region",
    "source",
    "source_url",
    "counts_what",
    "technology",
    "organisation",
    "note",
    "firms_qualifier",
    "employees_qualifier",
    "scope",
    *(f for f in PROFILE_FIELD_OF if f != "technology"),
)


def check_text(ctx: Context) -> None:
    """Check every mapped text column and refuse rows without a name.

    Sets ``ctx.texts`` (canonical field -> trimmed text, NA when blank or not in
    the file) and ``ctx.name`` (the names, or the cities when they name the rows).
    See :func:`mstatlas.data.validate.text_problems` for the cell checks; a column
    with no text over the length limit is not checked cell by cell when the
    reader has already cleaned every cell of control characters.
    """
    max_len = ctx.request.limits.max_text_len
    mapped = {fld: c for fld in TEXT_FIELDS if (c := ctx.mapping.get(fld))}
    # the columns are checked two at a time in a large file (Arrow work); their
    # problems are reported in the order of the fields, as one after the other
    checked = run_all(
        [
            partial(_check_column, ctx.trimmed(c), ctx.rows, c, max_len, ctx.controls_removed)
            for c in mapped.values()
        ],
        rows=ctx.n,
    )
    results = dict(zip(mapped, checked, strict=True))
    for fld in TEXT_FIELDS:
        if fld not in results:
            ctx.texts[fld] = ctx.missing_text()
            continue
        probs, bad, text = results[fld]
        ctx.problems.extend(probs)
        if bad is not None:
            ctx.reject |= bad
        ctx.texts[fld] = text
    ctx.name = ctx.texts["name"] if ctx.name_field == "name" else ctx.texts["city"]
    missing_name = ctx.name.isna().to_numpy(bool) & ~ctx.reject
    reason = (
        _("the firm name is empty; every row needs one")
        if ctx.kind == "firms"
        else _("the cluster name is empty; every row needs one")
    )
    ctx.flag(missing_name, ctx.mapping.get(ctx.name_field), None, lambda v: reason)
    ctx.reject |= missing_name


def _check_column(
    s: pd.Series, rows: np.ndarray, column: str, max_len: int, controls_removed: bool
) -> tuple[list[Problem], np.ndarray | None, pd.Series]:
    """One trimmed text column checked: its problems, the rows they refuse (None: no
    cell checked), and its text with blanks as missing."""
    if controls_removed and fits(s, max_len):
        return [], None, blank_as_missing(s)
    probs, bad = text_problems(s, rows, column, max_len)
    return probs, bad.to_numpy(bool), blank_as_missing(s)


def fits(values: pd.Series, max_len: int) -> bool:
    """Whether no text of the column is longer than ``max_len`` (counted in bytes,
    which are never fewer than characters: one Arrow pass, no per-row mask)."""
    arr = arrow_strings(values)
    return not len(arr) or (pc.max(pc.binary_length(arr)).as_py() or 0) <= max_len
