"""Stage: text cells — no control characters, not too long, and a name on every row."""

from __future__ import annotations

from mstatlas.data.columns import PROFILE_FIELD_OF
from mstatlas.data.validate import text_problems
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
    See :func:`mstatlas.data.validate.text_problems` for the cell checks.
    """
    for fld in TEXT_FIELDS:
        c = ctx.mapping.get(fld)
        if not c:
            ctx.texts[fld] = ctx.missing_text()
            continue
        s = ctx.trimmed(c)
        probs, bad = text_problems(s, ctx.rows, c, ctx.request.limits.max_text_len)
        ctx.problems.extend(probs)
        ctx.reject |= bad.to_numpy(bool)
        ctx.texts[fld] = blank_as_missing(s)
    ctx.name = ctx.texts["name"] if ctx.name_field == "name" else ctx.texts["city"]
    missing_name = ctx.name.isna().to_numpy(bool) & ~ctx.reject
    reason = (
        _("the firm name is empty; every row needs one")
        if ctx.kind == "firms"
        else _("the cluster name is empty; every row needs one")
    )
    ctx.flag(missing_name, ctx.mapping.get(ctx.name_field), None, lambda v: reason)
    ctx.reject |= missing_name
