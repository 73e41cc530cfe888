"""The upload stages on one chunk of a large file (mstatlas.io.chunk_stages)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from upload_context import before, context, problems, rejected_rows, table

from mstatlas.data.codes import combine_codes, text_codes
from mstatlas.io.chunk_stages import WHOLE_FILE_STAGES, chunk_stages, key_values
from mstatlas.io.pipeline import STAGES
from mstatlas.io.seen_keys import SeenKeys
from mstatlas.io.stages.find_duplicates import duplicate_key

CLUSTERS = table(
    "name,city,lat,lon,firms,employees,year,counts_what,scope\n"
    "MST Alpha,Dortmund,51.5,7.4,39,,2007,cluster_firms,\n"
    "mst alpha,DORTMUND,51.5,7.4,39,,2007,cluster_firms,\n"
    "MST Alpha,Dortmund,51.5,7.4,39,,2007,network_members,\n"
    "MST Alpha,Dortmund,51.5,7.4,-0,,2007,cluster_firms,\n"
    "MST Alpha,Dortmund,51.5,7.4,0,,2007,cluster_firms,\n"
    "MST Alpha,Dortmund,51.5,7.4,39,,,cluster_firms,region\n"
    "MST Alpha,Dortmund,51.5,7.4,39,,,cluster_firms,REGION\n"
    "MST Alpha,,51.5,7.4,39,,,cluster_firms,REGION\n"
    "MST Beta,Jena,50.9,11.6,39,5,2007,cluster_firms,"
)
FIRMS = table(
    "Firma,Ort,Land\nA GmbH,Jena,DE\na gmbh,JENA,Deutschland\nA GmbH,Jena,\nA GmbH,Jena,NL\n"
    "B AG,Jena,DE\nB AG,,DE"
)


def partition(parts: list) -> list[int]:
    """Rows numbered by the group of equal keys they fall in (first appearance order)."""
    codes = [p if isinstance(p, np.ndarray) else text_codes(p, trim=False)[0] for p in parts]
    return pd.factorize(combine_codes(codes))[0].tolist()


def test_key_values_make_the_same_rows_equal_as_the_duplicate_key():
    for frame, kind in ((CLUSTERS, "clusters"), (FIRMS, "firms")):
        ctx = before("find_duplicates", frame, kind=kind)
        by_values = pd.factorize(
            pd.Series(list(zip(*(p.to_pylist() for p in key_values(ctx)), strict=True)))
        )[0].tolist()
        assert by_values == partition(duplicate_key(ctx)[0])
        assert len(set(by_values)) < ctx.n  # some rows are equal


def test_chunk_stages_are_the_pipeline_with_earlier_chunks_around_find_duplicates():
    stages = chunk_stages(SeenKeys())
    names = [s.name for s in stages.head + stages.rest]
    assert [
        n for n in names if n not in ("repeats_of_earlier_chunks", "remember_first_occurrences")
    ] == [s.name for s in STAGES if s.name not in WHOLE_FILE_STAGES]
    i = names.index("find_duplicates")
    assert names[i - 1 : i + 2] == [
        "repeats_of_earlier_chunks",
        "find_duplicates",
        "remember_first_occurrences",
    ]
    assert [s.name for s in stages.head] == ["normalise_text", "drop_blank_rows"]


def test_a_firm_of_an_earlier_chunk_is_refused_as_its_repeat():
    stages = chunk_stages(SeenKeys())
    first = context(table("Firma,Ort\nA GmbH,Jena\nB AG,Jena"))
    second = context(table("Firma,Ort\nb ag,JENA\nC KG,Jena\nb ag,jena\nC KG,Jena"))
    second.rows = second.rows + 2  # the second chunk's rows are rows 4 to 7 of the file
    for ctx in (first, second):
        for stage in stages.head:
            stage.run(ctx)
        assert stages.run(ctx)
    reason = "(same firm name and city; each firm is counted once); only the first is imported"
    assert problems(second) == [
        (4, "Firma", f"duplicate of row 3 {reason}"),
        (6, "Firma", f"duplicate of row 3 {reason}"),
        (7, "Firma", f"duplicate of row 5 {reason}"),
    ]
    assert rejected_rows(second) == [4, 6, 7]
    assert second.firms is not None and second.firms["name"].tolist() == ["C KG"]


def test_a_chunk_of_blank_lines_stops_before_the_checks():
    stages = chunk_stages(SeenKeys())
    ctx = context(pd.DataFrame({"Firma": ["", " "], "Ort": ["", ""]}))
    for stage in stages.head:
        stage.run(ctx)
    assert not stages.run(ctx) and ctx.n_blank == 2 and ctx.report is None
