"""Stage: which of the file's columns holds each canonical field."""

from __future__ import annotations

import pandas as pd

from mstatlas.data.columns import CANONICAL_FIELDS, detect_mapping
from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.context import Context


def map_columns(ctx: Context) -> None:
    """Detect the column mapping from the headers (and 50 rows), then apply the person's
    corrections (see :func:`column_mapping`)."""
    ctx.mapping = column_mapping(ctx.columns, ctx.frame, ctx.request.mapping)


def column_mapping(
    columns: list[str], frame: pd.DataFrame, user: dict[str, str | None] | None
) -> dict[str, str | None]:
    """The detected mapping with the person's corrections applied.

    Parameters
    ----------
    columns : list of str
        The file's column names.
    frame : pandas.DataFrame
        The file's cells (the first 50 rows settle ambiguous headers).
    user : dict or None
        Canonical field -> column (None: ignore the field). A column chosen for
        one field is taken away from any other field it was detected for, unless
        the person chose that one too.

    Returns
    -------
    dict
        Every canonical field -> a column or None.

    Raises
    ------
    mstatlas.errors.DataError
        For a field the atlas does not know or a column that is not in the file.
    """
    mapping = detect_mapping(columns, sample=frame.head(50))
    if user:
        unknown_fields = [f for f in user if f not in CANONICAL_FIELDS]
        if unknown_fields:
            raise DataError(
                _(
                    "Unknown field(s) {unknown} in the column mapping; fields are: {canonical_fields}."
                ).format(
                    unknown=", ".join(map(repr, unknown_fields)),
                    canonical_fields=", ".join(CANONICAL_FIELDS),
                )
            )
        for fld, col in user.items():
            if col is not None and col not in columns:
                raise DataError(
                    _(
                        "The column '{col}' chosen for '{fld}' is not in the file; its columns are: "
                        "{columns}."
                    ).format(col=col, fld=fld, columns=", ".join(columns))
                )
            if col is not None:
                for other, c in list(mapping.items()):
                    if c == col and other != fld and other not in user:
                        mapping[other] = None
            mapping[fld] = col
    return mapping
