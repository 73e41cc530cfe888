from __future__ import annotations

import pandas as pd
from upload_context import before, table

from mstatlas.io.stages.match_countries import match_countries


def test_each_spelling_becomes_a_code_and_an_unknown_one_is_a_warning():
    ctx = before(
        "match_countries",
        table("name,city,country\nA,Jena,Deutschland\nB,Jena,DE\nC,Jena,Mars\nD,Jena,"),
    )
    match_countries(ctx)
    iso = ctx.iso.tolist()
    assert iso[:2] == ["DE", "DE"] and pd.isna(iso[2]) and pd.isna(iso[3])
    # one code for both spellings of Germany; -1 for none
    assert ctx.iso_codes[0] == ctx.iso_codes[1] >= 0 and ctx.iso_codes[2] == ctx.iso_codes[3] == -1
    assert [(p.row, p.severity) for p in ctx.problems] == [(4, "warning")]
    assert ctx.problems[0].reason == (
        "'Mars' is not a country the atlas recognises (write e.g. Germany, Deutschland or DE); "
        "the row was placed without it"
    )


def test_without_a_country_column_every_country_is_missing():
    ctx = before("match_countries", table("name,city\nA,Jena"))
    match_countries(ctx)
    assert ctx.iso.isna().all() and ctx.iso_codes.tolist() == [-1]


def test_countries_written_as_iso_codes_are_their_own_codes():
    ctx = before(
        "match_countries", table("name,city,country\nA,Jena,DE\nB,Lyon,FR\nC,Jena,\nD,Ulm,DE")
    )
    match_countries(ctx)
    iso = ctx.iso.tolist()
    assert iso[:2] == ["DE", "FR"] and pd.isna(iso[2]) and iso[3] == "DE"
    assert ctx.iso.dtype == pd.StringDtype("pyarrow")
    assert ctx.iso_codes.tolist() == [0, 1, -1, 0] and ctx.iso_uniques == ["DE", "FR"]
    assert ctx.problems == []
