from __future__ import annotations

from upload_context import before, rejected_rows, table

from mstatlas.io.stages.warn_outside_europe import warn_outside_europe


def test_positions_outside_europe_are_warned_about_with_a_hint():
    ctx = before(
        "warn_outside_europe",
        table("name,lat,lon\nDortmund,51.5,7.4\nSydney,-33.9,151.2\nSwapped,7.4,51.5"),
    )
    warn_outside_europe(ctx)
    assert [(p.row, p.column, p.value, p.reason, p.severity) for p in ctx.problems] == [
        (
            3,
            "lat",
            "-33.9, 151.2",
            "the position is outside Europe; check the coordinates if the cluster is in Europe",
            "warning",
        ),
        (
            4,
            "lat",
            "7.4, 51.5",
            "the position is outside Europe; latitude and longitude look swapped",
            "warning",
        ),
    ]
    assert rejected_rows(ctx) == []
