from __future__ import annotations

import pandas as pd
from upload_context import before, problems, rejected_rows, table

from mstatlas.data.limits import Limits
from mstatlas.io.stages.check_text import check_text


def test_texts_are_trimmed_blanks_missing_and_unmapped_fields_missing():
    ctx = before("check_text", table("name,city,note\n Alpha ,Jena,\nBeta,Halle,x"))
    check_text(ctx)
    assert ctx.texts["name"].tolist() == ["Alpha", "Beta"]
    assert ctx.texts["note"].isna().tolist() == [True, False]
    assert ctx.texts["region"].isna().all() and len(ctx.texts["region"]) == 2
    assert ctx.name.tolist() == ["Alpha", "Beta"]


def test_empty_names_control_characters_and_long_text_are_refused():
    frame = table("name,city,note\n,Jena,\nBe\x01ta,Jena,\nGamma,Jena,too long")
    ctx = before("check_text", frame, limits=Limits(max_text_len=5))
    check_text(ctx)
    assert problems(ctx) == [
        (
            3,
            "name",
            "the text contains an invisible control character (U+0001); retype the cell or "
            "remove the character",
        ),
        (
            4,
            "note",
            "the text is 8 characters long; at most 5 are accepted (shorten it or move it to "
            "a linked source)",
        ),
        (2, "name", "the cluster name is empty; every row needs one"),
    ]
    assert rejected_rows(ctx) == [2, 3, 4]


def test_a_firm_list_needs_firm_names():
    ctx = before("check_text", table("Firma,Ort\n,Jena\nB,Jena"))
    check_text(ctx)
    assert problems(ctx) == [(2, "Firma", "the firm name is empty; every row needs one")]


def test_cities_name_a_cluster_table_without_names():
    ctx = before("check_text", table("city,firms\nJena,3\n,4"))
    check_text(ctx)
    assert ctx.name.tolist()[0] == "Jena" and pd.isna(ctx.name.iloc[1])
    assert problems(ctx) == [(3, "city", "the cluster name is empty; every row needs one")]


def test_cells_the_reader_cleaned_are_checked_for_length_only():
    """After the reader removed every control character, a column whose texts all fit
    is not scanned again; a too-long text is still refused with the same message."""
    import numpy as np

    from mstatlas.io.context import Context, Request
    from mstatlas.io.pipeline import STAGES
    from mstatlas.io.raw import Raw

    frame = table("name,city,note\nBe\x01ta,Jena,\nGamma,Jena,too long")
    raw = Raw(frame=frame, rows=np.array([2, 3]), detected={"format": "csv"})
    raw.controls_removed = True  # as clean_controls marks it (this byte is left on purpose)
    ctx = Context.start(raw, Request("t.csv", limits=Limits(max_text_len=5)))
    for stage in STAGES[: [s.name for s in STAGES].index("check_text")]:
        stage.run(ctx)
    check_text(ctx)
    assert problems(ctx) == [
        (
            3,
            "note",
            "the text is 8 characters long; at most 5 are accepted (shorten it or move it to "
            "a linked source)",
        )
    ]
    assert rejected_rows(ctx) == [3]


def test_the_reader_marks_its_cells_cleaned_and_the_upload_reports_a_control_once():
    from mstatlas.io import read_upload
    from mstatlas.io.load import read_raw

    data = b"name,city,lat,lon\nBe\x01ta,Jena,50.9,11.6\nGamma,Jena,50.9,11.6\n"
    raw, _name = read_raw(data, "t.csv")
    assert raw.controls_removed
    r = read_upload(data, filename="t.csv")
    assert [(p.row, p.column) for p in r.report.problems] == [(2, "name")]
    assert r.clusters["cluster_name"].tolist() == ["Gamma"]


def test_on_two_threads_the_same_problems_come_in_the_same_order(monkeypatch):
    from mstatlas.data import parallel

    text = "name,city,note,region\n,Jena,,R\nBe\x01ta,Je\x02na,too long,\nGamma,Jena,x\x03,Rrrrrrr"

    def run() -> tuple[list, list, dict]:
        ctx = before("check_text", table(text), limits=Limits(max_text_len=5))
        check_text(ctx)
        return problems(ctx), rejected_rows(ctx), {f: s.tolist() for f, s in ctx.texts.items()}

    alone = run()
    monkeypatch.setattr(parallel, "TWO_THREADS_FROM", 1)
    assert run() == alone
    assert len(alone[0]) >= 5 and list(alone[2])[:4] == ["name", "cluster", "cluster_id", "city"]
