from __future__ import annotations

import pandas as pd
import pytest
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


FIRM_LIST = (
    "Firma;Ort;Land;Mitarbeiter;lat;lon\n"
    "A GmbH;Dortmund;DE;5;;\n"
    "a gmbh;DORTMUND;DE;7;;\n"  # a repeat, in a spelling of the city no other row has
    "B AG;Springfield;;3;;\n"  # ambiguous, no country: takes the place's
    "C KG;Xyzzyville;DE;1;;\n"  # not found
    "D SE;;DE;2;;\n"  # no city, no position
    "E OHG;Jena;DE;4;50.9;11.6\n"  # its own position
    "F eG;Paris;;9;;\n"
    "G AG;Jena;Deutschland;x;;\n"  # refused before the duplicate check
    "H AG;jena;DE;6;;\n"
    "A GmbH;Dortmund;DE;5;;\n"
)


@pytest.mark.parametrize("overrides", [{}, {10: (51.0, 7.0)}])
def test_places_looked_up_beside_the_comparison_give_the_same_upload(monkeypatch, overrides):
    """A large upload looks places up while its duplicates are compared on a second
    thread: report, geocoding table, clusters and firms are those of the plain order."""
    from mstatlas.io import read_upload
    from mstatlas.io.stages import find_duplicates as stage

    monkeypatch.setattr(stage, "hashes_in_one_step", lambda: True)

    def upload(beside_from: int) -> tuple:
        monkeypatch.setattr(stage, "BESIDE_FROM", beside_from)
        seen: list[tuple[float, str]] = []
        r = read_upload(
            FIRM_LIST.encode(),
            filename="f.csv",
            geocode_overrides=overrides,
            progress=lambda f, m: seen.append((f, m)),
        )
        return r, seen

    plain, plain_progress = upload(10**9)
    beside, beside_progress = upload(0)
    assert [str(p) for p in beside.report.problems] == [str(p) for p in plain.report.problems]
    assert [p.severity for p in beside.report.problems] == [
        p.severity for p in plain.report.problems
    ]
    assert len(plain.report.problems) >= 6  # the file's cases are all there
    pd.testing.assert_frame_equal(beside.geocoding, plain.geocoding)
    pd.testing.assert_frame_equal(beside.firms, plain.firms)
    pd.testing.assert_frame_equal(
        pd.DataFrame(beside.clusters.drop(columns="geometry")),
        pd.DataFrame(plain.clusters.drop(columns="geometry")),
    )
    # the look-ups report their progress while duplicates are checked, never going back
    assert (0.5, "Geocoding cities") in beside_progress
    assert (0.5, "Geocoding cities") not in plain_progress
    fractions = [f for f, _m in beside_progress]
    assert fractions == sorted(fractions)
