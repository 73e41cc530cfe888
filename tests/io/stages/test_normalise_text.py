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


def test_on_two_threads_each_column_is_trimmed_as_alone(monkeypatch):
    from mstatlas.data import parallel

    lines = "\n".join(f" N{i} ,C{i % 3},{i}  ,x" for i in range(40))
    alone = context(table("name,city,firms,note\n" + lines))
    normalise_text(alone)
    monkeypatch.setattr(parallel, "TWO_THREADS_FROM", 1)
    ctx = context(table("name,city,firms,note\n" + lines))
    normalise_text(ctx)
    assert list(ctx.trimmed_text) == ["name", "city", "firms", "note"]
    for c, s in ctx.trimmed_text.items():
        assert s.tolist() == alone.trimmed_text[c].tolist(), c
    assert ctx.trimmed("name").tolist()[:2] == ["N0", "N1"]
