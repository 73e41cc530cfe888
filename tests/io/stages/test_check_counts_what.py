from __future__ import annotations

from upload_context import before, problems, rejected_rows, table

from mstatlas.io.stages.check_counts_what import check_counts_what


def test_labels_and_keys_are_read_blank_is_unspecified_unknown_is_refused():
    ctx = before(
        "check_counts_what",
        table(
            "name,city,counts_what\nA,Jena,Cluster firms\nB,Jena,network_members\nC,Jena,\n"
            "D,Jena,bogus"
        ),
    )
    check_counts_what(ctx)
    assert ctx.counts_what.tolist() == [
        "cluster_firms",
        "network_members",
        "unspecified",
        "unspecified",
    ]
    assert len(problems(ctx)) == 1
    row, column, reason = problems(ctx)[0]
    assert (row, column) == (5, "counts_what")
    assert reason.startswith("'bogus' is not a kind of figure the atlas knows; use one of ")
    assert "cluster_firms" in reason
    assert rejected_rows(ctx) == [5]


def test_without_the_column_every_figure_is_unspecified():
    ctx = before("check_counts_what", table("name,city\nA,Jena"))
    check_counts_what(ctx)
    assert ctx.counts_what.tolist() == ["unspecified"]
