from __future__ import annotations

import pandas as pd
from upload_context import before, rejected_rows, table

from mstatlas.io.stages.check_links import check_links


def test_only_web_links_are_kept_and_the_row_stays():
    ctx = before(
        "check_links",
        table("name,city,source_url\nA,Jena,https://x.org\nB,Jena,javascript:alert(1)\nC,Jena,"),
    )
    check_links(ctx)
    assert ctx.url.tolist()[0] == "https://x.org"
    assert pd.isna(ctx.url.iloc[1]) and pd.isna(ctx.url.iloc[2])
    assert [(p.row, p.severity, p.reason) for p in ctx.problems] == [
        (
            3,
            "warning",
            "'javascript:alert(1)' is not a web address starting with http:// or https://; "
            "the link was left out",
        )
    ]
    assert rejected_rows(ctx) == []
