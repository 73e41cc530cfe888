from __future__ import annotations

from upload_context import context, table

from mstatlas.io.stages.normalise_text import normalise_text


def test_every_column_is_trimmed_once_and_the_file_cells_stay():
    ctx = context(table("name,city\n  Alpha ,Dortmund\nBeta,\t Jena"))
    normalise_text(ctx)
    assert set(ctx.trimmed_text) == {"name", "city"}
    assert ctx.trimmed_text["name"].tolist() == ["Alpha", "Beta"]
    assert ctx.trimmed_text["city"].tolist() == ["Dortmund", "Jena"]
    # messages quote cells as written
    assert ctx.frame["name"].tolist() == ["  Alpha ", "Beta"]


def test_inner_spaces_are_kept():
    ctx = context(table("name\n MST  Alpha "))
    normalise_text(ctx)
    assert ctx.trimmed("name").tolist() == ["MST  Alpha"]
