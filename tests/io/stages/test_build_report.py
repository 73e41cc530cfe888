from __future__ import annotations

from upload_context import before, table

from mstatlas.io.stages.build_report import build_report


def test_counts_and_problems_in_row_order_errors_first():
    ctx = before(
        "build_report",
        table(
            "name,city,lat,lon,firms,source_url\n"
            "A,Jena,50.9,11.6,x,javascript:x\n"
            "B,Jena,50.9,11.6,3,\n"
            ",,,,,\n"
            "C,Sydney,-33.9,151.2,4,"
        ),
    )
    build_report(ctx)
    report = ctx.report
    assert report is not None
    assert (report.n_rows, report.n_imported, report.n_rejected, report.n_blank) == (3, 2, 1, 1)
    # row 2: the error before the warning, although the warning was found first
    assert [(p.row, p.severity) for p in report.problems] == [
        (2, "error"),
        (2, "warning"),
        (5, "warning"),
    ]
