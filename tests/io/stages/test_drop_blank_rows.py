from __future__ import annotations

import numpy as np
import pandas as pd
from upload_context import context, table

from mstatlas.io.context import Context, Request
from mstatlas.io.raw import Raw
from mstatlas.io.stages.drop_blank_rows import drop_blank_rows
from mstatlas.io.stages.normalise_text import normalise_text


def test_blank_rows_are_counted_and_dropped_with_their_row_numbers():
    ctx = context(table("name,city\nAlpha,Dortmund\n , \nBeta,Jena\n,"))
    normalise_text(ctx)
    drop_blank_rows(ctx)
    assert ctx.n_blank == 2
    assert ctx.rows.tolist() == [2, 4]  # rows 3 and 5 were blank
    assert ctx.frame["name"].tolist() == ["Alpha", "Beta"]
    assert ctx.trimmed("city").tolist() == ["Dortmund", "Jena"]
    assert ctx.reject.tolist() == [False, False]


def test_a_row_with_geometry_is_not_blank_and_rows_refused_while_reading_stay_refused():
    frame = pd.DataFrame({"name": ["", "", "C"]}, dtype=object)
    raw = Raw(
        frame=frame,
        rows=np.array([1, 2, 3]),
        detected={},
        rejected=np.array([False, False, True]),
        geom=pd.DataFrame({"lat": [51.0, np.nan, 52.0], "lon": [7.0, np.nan, 8.0]}),
    )
    ctx = Context.start(raw, Request("t.geojson"))
    normalise_text(ctx)
    drop_blank_rows(ctx)
    assert ctx.n_blank == 1
    assert ctx.rows.tolist() == [1, 3]
    assert ctx.geom is not None and ctx.geom["lat"].tolist() == [51.0, 52.0]
    assert ctx.reject.tolist() == [False, True]


def test_a_column_filled_in_every_row_means_no_row_is_blank():
    ctx = context(table("name,city,note\nAlpha,,\nBeta,Jena,\nGamma,,"))
    normalise_text(ctx)
    drop_blank_rows(ctx)
    assert ctx.n_blank == 0 and ctx.rows.tolist() == [2, 3, 4]
