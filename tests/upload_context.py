"""Upload contexts from small hand-made tables, for the tests of single pipeline stages."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.io.context import Context, Request
from mstatlas.io.pipeline import STAGES
from mstatlas.io.raw import Raw


def table(text: str, sep: str = ",") -> pd.DataFrame:
    """A file's cells as the readers give them: strings, "" when blank.

    ``text`` is a header line and data lines; no quoting.
    """
    header, *lines = [line for line in text.strip("\n").split("\n")]
    names = header.split(sep)
    cells = [line.split(sep) for line in lines]
    return pd.DataFrame(
        {c: pd.Series([r[i] for r in cells], dtype=object) for i, c in enumerate(names)}
    )


def context(frame: pd.DataFrame, *, detected: dict | None = None, **request: object) -> Context:
    """A context for ``frame`` read from "t.csv", rows numbered 2, 3, ... as in a file."""
    raw = Raw(
        frame=frame,
        rows=np.arange(2, len(frame) + 2),
        detected={"format": "csv", "separator": ",", **(detected or {})},
    )
    return Context.start(raw, Request(filename="t.csv", **request))  # type: ignore[arg-type]


def before(stage: str, frame: pd.DataFrame, **request: object) -> Context:
    """A context for ``frame`` after every stage that runs before ``stage``."""
    ctx = context(frame, **request)
    names = [s.name for s in STAGES]
    for s in STAGES[: names.index(stage)]:
        s.run(ctx)
    return ctx


def problems(ctx: Context) -> list[tuple[int | None, str | None, str]]:
    """(row, column, reason) of each problem found, in the order found."""
    return [(p.row, p.column, p.reason) for p in ctx.problems]


def rejected_rows(ctx: Context) -> list[int]:
    """Row numbers of the rows refused so far."""
    return [int(r) for r in ctx.rows[ctx.reject]]
