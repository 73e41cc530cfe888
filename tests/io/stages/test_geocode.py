from __future__ import annotations

import pytest
from upload_context import before, problems, rejected_rows, table

from mstatlas.io.context import GEOCODING_COLUMNS
from mstatlas.io.stages.geocode import geocode


def test_cities_are_placed_once_per_city_and_country():
    ctx = before(
        "geocode",
        table("name,city,country\nA,Dortmund,DE\nB,Dortmund,Deutschland\nC,Paris,\nD,Jena,DE"),
    )
    ctx.lat.iloc[3] = 50.9  # a row with its own position is not geocoded
    ctx.lon.iloc[3] = 11.6
    geocode(ctx)
    assert ctx.lat.iloc[0] == ctx.lat.iloc[1] == pytest.approx(51.515, abs=0.01)
    assert ctx.lon.iloc[0] == pytest.approx(7.466, abs=0.01)
    assert ctx.lat.iloc[2] == pytest.approx(48.853, abs=0.01)
    assert ctx.lat.iloc[3] == 50.9
    # a row without a country takes the place's
    assert ctx.iso.tolist() == ["DE", "DE", "FR", "DE"]
    g = ctx.geocoding
    assert list(g.columns) == GEOCODING_COLUMNS
    assert g["row"].tolist() == [2, 3, 4]
    assert g["matched"].tolist() == ["Dortmund", "Dortmund", "Paris"]
    assert g["status"].tolist() == ["ok", "ok", "ok"]
    assert problems(ctx) == []


def test_unknown_places_and_rows_without_any_place_are_refused():
    ctx = before("geocode", table("name,city,lat,lon\nA,Xyzzyville,,\nB,,,\nC,Jena,50.9,11.6"))
    geocode(ctx)
    assert problems(ctx) == [
        (
            3,
            "city",
            "the row has no coordinates and no city, so it cannot be placed; add lat/lon or a city",
        ),
        (
            2,
            "city",
            "no place called 'Xyzzyville' was found (in the given country); check the "
            "spelling, add lat/lon, or set the position by hand",
        ),
    ]
    assert rejected_rows(ctx) == [2, 3]
    assert ctx.geocoding["status"].tolist() == ["failed"]


def test_an_ambiguous_place_is_placed_at_its_likeliest_match_with_a_warning():
    ctx = before("geocode", table("name,city\nA,Springfield"))
    geocode(ctx)
    (p,) = ctx.problems
    assert (p.row, p.severity) == (2, "warning")
    assert p.reason.startswith(
        "'Springfield' is ambiguous; placed at Springfield, other places with this name: "
        "Springfield (US); "
    )
    assert rejected_rows(ctx) == []


def test_positions_set_by_hand_are_listed_as_such():
    ctx = before("geocode", table("name,city\nA,Jena\nB,Dortmund"), overrides={2: (50.0, 11.0)})
    geocode(ctx)
    g = ctx.geocoding
    assert g["row"].tolist() == [2, 3]
    assert g["matched"].tolist() == ["set by hand", "Dortmund"]
    assert g["lat"].tolist()[0] == 50.0 and g["confidence"].tolist()[0] == 1.0


def test_the_geocoding_table_shows_the_country_each_row_gave():
    # every row geocoded: the table's country is the row's own (blank when it gave none)
    ctx = before("geocode", table("name,city,country\nA,Dortmund,DE\nB,Paris,\nC,Jena,Deutschland"))
    geocode(ctx)
    g = ctx.geocoding
    assert g["country"].tolist()[0] == "DE" and g["country"].tolist()[2] == "DE"
    assert g["country"].isna().tolist() == [False, True, False]
    assert ctx.iso.tolist() == ["DE", "FR", "DE"]  # the row without one takes the place's
