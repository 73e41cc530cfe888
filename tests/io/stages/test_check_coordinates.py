from __future__ import annotations

import numpy as np
import pandas as pd
from upload_context import before, problems, rejected_rows, table

from mstatlas.io.context import Context, Request
from mstatlas.io.pipeline import STAGES
from mstatlas.io.raw import Raw
from mstatlas.io.stages.check_coordinates import check_coordinates

HALF = (
    "only one of latitude and longitude is given; fill both or leave both empty to place "
    "the row by its city"
)


def test_positions_half_given_and_impossible_are_refused():
    ctx = before(
        "check_coordinates", table("name,lat,lon\nA,51.5,7.4\nB,,7.4\nC,51.5,\nD,95,7\nE,50,200")
    )
    check_coordinates(ctx)
    assert ctx.lat_column == "lat" and ctx.lon_column == "lon"
    assert problems(ctx) == [
        (3, "lat", HALF),
        (4, "lon", HALF),
        (5, "lat", "latitude 95.0 is impossible (must be between -90 and 90)"),
        (6, "lon", "longitude 200.0 is impossible (must be between -180 and 180)"),
    ]
    assert rejected_rows(ctx) == [3, 4, 5, 6]
    assert ctx.bad_position.tolist() == [False, True, True, True, True]
    assert ctx.lat.tolist()[0] == 51.5 and ctx.lon.tolist()[0] == 7.4


def test_geojson_geometry_gives_the_position():
    raw = Raw(
        frame=pd.DataFrame({"name": ["A", "B"]}, dtype=object),
        rows=np.array([1, 2]),
        detected={},
        geom=pd.DataFrame({"lat": [51.5, np.nan], "lon": [7.4, np.nan]}),
    )
    ctx = Context.start(raw, Request("t.geojson"))
    for stage in STAGES[: [s.name for s in STAGES].index("check_coordinates")]:
        stage.run(ctx)
    check_coordinates(ctx)
    assert ctx.lat_column == ctx.lon_column == "geometry"
    assert ctx.lat.tolist()[0] == 51.5 and np.isnan(ctx.lat.iloc[1])
    assert ctx.problems == []
