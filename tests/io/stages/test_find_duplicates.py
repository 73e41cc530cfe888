from __future__ import annotations

from upload_context import before, problems, rejected_rows, table

from mstatlas.io.stages.find_duplicates import find_duplicates


def test_a_figure_given_twice_is_imported_once():
    ctx = before(
        "find_duplicates",
        table(
            "name,city,lat,lon,firms,year\n"
            "MST Alpha,Dortmund,51.5,7.4,39,2007\n"
            "mst alpha,DORTMUND,51.5,7.4,39,2007\n"  # same up to case
            "MST Alpha,Dortmund,51.5,7.4,39,2008\n"  # another year: another figure
            "MST Alpha,Dortmund,51.5,7.4,40,2007"  # another figure
        ),
    )
    find_duplicates(ctx)
    assert problems(ctx) == [
        (
            3,
            "name",
            "duplicate of row 2 (same name, city, year and figures); only the first is imported",
        )
    ]
    assert rejected_rows(ctx) == [3]


def test_the_same_number_for_another_kind_of_figure_is_not_a_duplicate():
    ctx = before(
        "find_duplicates",
        table(
            "name,city,lat,lon,firms,counts_what\n"
            "A,Jena,50.9,11.6,39,cluster_firms\n"
            "A,Jena,50.9,11.6,39,network_members\n"
            "A,Jena,50.9,11.6,39,network_members"
        ),
    )
    find_duplicates(ctx)
    assert problems(ctx) == [
        (
            4,
            "name",
            "duplicate of row 3 (same name, city, year, kind of figure and figures); only the "
            "first is imported",
        )
    ]


def test_a_firm_is_counted_once_and_refused_rows_are_not_compared():
    ctx = before(
        "find_duplicates",
        table("Firma,Ort,Mitarbeiter\nA GmbH,Jena,x\nA GmbH,Jena,5\nA GmbH,Jena,7\nB AG,Jena,5"),
    )
    assert rejected_rows(ctx) == [2]  # 'x' is not a number
    find_duplicates(ctx)
    assert problems(ctx)[-1] == (
        4,
        "Firma",
        "duplicate of row 3 (same firm name and city; each firm is counted once); only the "
        "first is imported",
    )
    assert rejected_rows(ctx) == [2, 4]
