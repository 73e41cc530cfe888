"""Stage: a figure or a firm given twice is imported once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from mstatlas.data.codes import (
    arrow_strings,
    first_duplicates,
    fold_codes,
    hashes_in_one_step,
    text_codes,
)
from mstatlas.data.validate import Problem
from mstatlas.i18n import N_, _
from mstatlas.io.context import Context
from mstatlas.io.stages.geocode import places_of
from mstatlas.io.text import lower_text


def find_duplicates(ctx: Context) -> None:
    """Refuse every repeat of an earlier row still in, naming the row it repeats.

    Names and cities compare case-blind. In a cluster table a repeat has the same
    name, city, year and figures (and kind of figure and scope, when the file has
    those columns): the same number for two kinds of figure is two figures. In a
    firm list a repeat is the same firm name in the same city and country: each
    firm is counted once. Rows are compared by integer group codes, not text.

    In a large upload whose rows Polars hashes (once loaded, as after the upload
    page's warm-up) the comparison runs on a second thread while this one looks
    up the places of the rows still in (:mod:`mstatlas.io.place_lookups`): the
    comparison is column work that lets go of the interpreter, the look-ups are
    Python. The report is the same: only this thread adds to it.
    """
    parts, reason = duplicate_key(ctx)
    ok_idx = np.flatnonzero(~ctx.reject)
    if not len(ok_idx):
        return
    if len(ok_idx) < ctx.n:
        parts = [
            p[ok_idx] if isinstance(p, np.ndarray) else p.take(pa.array(ok_idx)) for p in parts
        ]
    dup_j, first_j = _beside_look_ups(ctx, parts)
    if not len(dup_j):
        return
    rows = ctx.rows
    for j, f in zip(dup_j.tolist(), first_j.tolist(), strict=True):
        pos = int(ok_idx[j])
        ctx.problems.append(duplicate_problem(ctx, pos, int(rows[ok_idx[f]]), reason))
        ctx.reject[pos] = True


#: From this many rows to compare on, places are looked up while the comparison runs.
BESIDE_FROM = 100_000


def _beside_look_ups(ctx: Context, parts: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~mstatlas.data.codes.first_duplicates` of ``parts``; in a large upload on a
    second thread, while this one looks up the places of the rows still in (``ctx.places``)."""
    need = ctx.lat.isna().to_numpy(bool) & ~ctx.reject & ~ctx.overridden
    need &= ctx.texts["city"].notna().to_numpy(bool)
    # numpy's hashing takes hundreds of short steps, each waiting for the interpreter
    # while the look-ups hold it: measured slower than one after the other
    if len(parts[0]) < BESIDE_FROM or not need.any() or not hashes_in_one_step():
        return first_duplicates(parts)
    lookups = places_of(ctx, np.flatnonzero(need))
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the other thread only reads ``parts``: the context stays this thread's
        compared = pool.submit(first_duplicates, parts)
        # progress up to where geocoding reports its own start (0.6)
        lookups.look_up(ctx.step, 0.5, 0.1)
        found = compared.result()
    ctx.places = lookups
    return found


#: What makes two rows of a cluster table the same, by (kind of figure given, scope given).
_SAME_ROW = {
    (False, False): N_("same name, city, year and figures"),
    (True, False): N_("same name, city, year, kind of figure and figures"),
    (False, True): N_("same name, city, year, scope and figures"),
    (True, True): N_("same name, city, year, kind of figure, scope and figures"),
}


def duplicate_problem(ctx: Context, pos: int, first_row: int, reason: str) -> Problem:
    """The refusal of the row at position ``pos`` as a repeat of row ``first_row``.

    Parameters
    ----------
    ctx : Context
        The upload (its rows, names and mapping).
    pos : int
        Position of the repeating row in ``ctx``.
    first_row : int
        Row number (as the person sees it) of the row it repeats.
    reason : str
        What makes two rows the same (:func:`duplicate_key`).
    """
    return Problem(
        int(ctx.rows[pos]),
        ctx.mapping.get(ctx.name_field),
        str(ctx.name.iloc[pos]),
        _("duplicate of row {first_row} ({reason}); only the first is imported").format(
            first_row=first_row, reason=reason
        ),
    )


def duplicate_key(ctx: Context) -> tuple[list[Any], str]:
    """The parts of the key that makes two rows the same, and that rule in words.

    Returns
    -------
    tuple
        ``(parts, reason)``: one Arrow array or integer array per part, over all rows.
    """
    # names are mostly distinct: hashed per row, compared exactly only on a hash match
    name_key = lower_text(arrow_strings(ctx.name))
    if ctx.kind != "clusters":
        return (
            [name_key, ctx.folded_city_codes(), ctx.iso_codes],
            _("same firm name and city; each firm is counted once"),
        )
    parts: list[Any] = [
        name_key,
        ctx.folded_city_codes(),
        _number_codes(ctx.numbers["year"]),
        _number_codes(ctx.numbers["firms"]),
        _number_codes(ctx.numbers["employees"]),
    ]
    kind, scope = bool(ctx.mapping.get("counts_what")), bool(ctx.mapping.get("scope"))
    if kind:
        parts.append(text_codes(ctx.counts_what, trim=False)[0])
    if scope:
        parts.append(fold_codes(*text_codes(ctx.texts["scope"], trim=False)))
    return parts, _(_SAME_ROW[kind, scope])


def _number_codes(s: pd.Series) -> np.ndarray:
    """Group codes of a number column (NA is its own group, -1)."""
    return pd.factorize(s)[0].astype(np.int64)
