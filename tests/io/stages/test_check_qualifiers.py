from __future__ import annotations

import pandas as pd
from upload_context import before, problems, rejected_rows, table

from mstatlas.io.stages.check_qualifiers import check_qualifiers


def test_a_qualifier_column_is_read_case_blind_and_wins():
    ctx = before(
        "check_qualifiers",
        table(
            "name,city,firms,firms_qualifier\nA,Jena,ca. 50,More than\nB,Jena,ca. 50,\n"
            "C,Jena,50,at-least\nD,Jena,50,nope"
        ),
    )
    check_qualifiers(ctx)
    firms = ctx.qualifiers["firms_qualifier"].tolist()
    # row 3: no qualifier given, the one written with the number ("ca.") stays
    assert firms[:3] == ["more_than", "about", "at_least"]
    assert pd.isna(firms[3])
    assert problems(ctx) == [
        (
            5,
            "firms_qualifier",
            "'nope' is not a qualifier; use about, more_than, at_least, up_to or leave it blank",
        )
    ]
    assert rejected_rows(ctx) == [5]
    assert ctx.qualifiers["employees_qualifier"].isna().all()
