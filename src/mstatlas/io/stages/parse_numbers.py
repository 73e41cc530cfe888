"""Stage: counts, years and coordinates read as numbers in the file's own notation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from mstatlas.data import numbers
from mstatlas.data.numbers import NumberFormat, not_a_number_reason, not_whole, point_grouped
from mstatlas.data.validate import YEAR_RANGE
from mstatlas.i18n import _, fmt_int
from mstatlas.io.context import Context

#: Canonical fields holding numbers, in the order they are read.
NUMERIC_FIELDS = ("lat", "lon", "firms", "employees", "year", "region_employment")

#: Counts from here on are refused: past 2**53 a float no longer holds every whole number.
MAX_COUNT = 2**53


def parse_numbers(ctx: Context) -> None:
    """Read every numeric column by its detected number format.

    The decimal mark is decided per column (``detected["number_formats"]``, with a
    file-wide default in ``detected["decimal"]`` and ``["thousands"]``), unless the
    request gives the formats. Values
    that are not numbers are refused; counts must be whole, not negative and not
    absurdly large; years lie in :data:`~mstatlas.data.validate.YEAR_RANGE`. A
    count like "2.100" in a file whose decimal mark is the point is read as 2,100
    with a warning. Sets ``ctx.numbers`` (NaN for blanks and refusals) and
    ``ctx.number_qualifiers``.
    """
    mapping = ctx.mapping
    num_cols = [c for f in NUMERIC_FIELDS if (c := mapping.get(f))]
    formats, default_fmt = ctx.request.number_formats or numbers.detect_number_formats(
        ctx.frame, num_cols, ctx.detected.get("separator")
    )
    ctx.detected["decimal"] = default_fmt.decimal
    ctx.detected["thousands"] = default_fmt.thousands
    ctx.detected["number_formats"] = {c: f.decimal for c, f in formats.items()}
    for fld in NUMERIC_FIELDS:
        c = mapping.get(fld)
        if not c:
            ctx.numbers[fld] = pd.Series(np.nan, index=ctx.frame.index, dtype="float64")
            continue
        nf = formats.get(c, NumberFormat())
        what = "coordinate" if fld in ("lat", "lon") else ("year" if fld == "year" else "count")
        num = _read_column(ctx, fld, c, nf, what)
        if what == "count":
            _check_count(ctx, c, nf, num)
        elif what == "year":
            _check_year(ctx, c, num)


def _read_column(ctx: Context, fld: str, c: str, nf: NumberFormat, what: str) -> pd.Series:
    """One column as numbers; values that are not numbers are refused."""
    num, failed, qual = numbers.parse_numbers(
        ctx.trimmed(c),
        nf,
        coordinate=what == "coordinate",
        integer=what != "coordinate",
        stripped=True,
    )
    failed_np = failed.to_numpy(bool)
    ctx.flag(failed_np, c, ctx.frame[c], _nan_reason(nf, what))
    ctx.reject |= failed_np
    ctx.numbers[fld] = num
    ctx.number_qualifiers[fld] = qual
    return num


def _check_count(ctx: Context, c: str, nf: NumberFormat, num: pd.Series) -> None:
    """Counts of firms and employees: whole numbers from 0 up to :data:`MAX_COUNT`."""
    cells = ctx.frame[c]
    values = num.to_numpy("float64", na_value=np.nan)
    neg = values < 0  # NaN (blank or refused) compares False
    huge = values >= MAX_COUNT
    ctx.flag(neg, c, cells, lambda v: _("'{v}' is negative; a count cannot be below 0").format(v=v))
    ctx.flag(
        huge,
        c,
        cells,
        lambda v: _("'{v}' is too large for a count of firms or employees").format(v=v),
    )
    frac = ~np.isnan(values) & not_whole(values) & ~neg & ~huge
    ctx.flag(
        frac,
        c,
        cells,
        lambda v: _(
            "'{v}' is not a whole number; counts of firms and employees are whole numbers"
        ).format(v=v),
    )
    ctx.reject |= neg | frac | huge
    if nf.decimal == ".":
        # "2.100" where the point is the decimal mark: read as 2,100 (a count has
        # no decimals) — said, because the file's other numbers use the point.
        ctx.flag(
            point_grouped(ctx.trimmed(c)) & ~ctx.reject,
            c,
            cells,
            lambda v: _(
                "'{v}' was read as {value}: a count has no decimals, so the point was taken as a "
                "thousands separator, although the file's decimal mark is the point; check the "
                "value"
            ).format(v=v, value=fmt_int(float(v.strip().replace(".", "")))),
            "warning",
        )


def _check_year(ctx: Context, c: str, num: pd.Series) -> None:
    """Years: whole numbers within :data:`~mstatlas.data.validate.YEAR_RANGE`."""
    lo, hi = YEAR_RANGE
    values = num.to_numpy("float64")
    bad = ~np.isnan(values) & ((values < lo) | (values > hi) | not_whole(values))
    ctx.flag(
        bad,
        c,
        ctx.frame[c],
        lambda v: _("'{v}' is not a year between {lo} and {hi}").format(v=v, lo=lo, hi=hi),
    )
    ctx.reject |= bad


def _nan_reason(nf: NumberFormat, what: str) -> Callable[[str], str]:
    return lambda v: not_a_number_reason(v, nf, what)
