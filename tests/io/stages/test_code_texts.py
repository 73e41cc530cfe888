from __future__ import annotations

import pandas as pd
from upload_context import before, table

from mstatlas.data import parallel
from mstatlas.data.codes import text_codes
from mstatlas.io.stages.code_texts import code_texts

FIRMS = (
    "Firma,Ort,Land,Technologie,Quelle\n"
    "A,Jena,DE,MEMS,\n"
    "B,Dortmund,Deutschland,optics,IVAM\n"
    "C,jena,DE,MEMS,IVAM\n"
    "D,,DE,,\n"
)


def _coded(ctx) -> dict[str, tuple[list[int], list[str]]]:
    return {f: (c.tolist(), u) for f, (c, u) in ctx._codes.items()}


def test_a_firm_list_codes_country_city_and_the_columns_it_is_counted_by():
    ctx = before("code_texts", table(FIRMS))
    code_texts(ctx)
    assert _coded(ctx) == {
        "country": ([0, 1, 0, 0], ["DE", "Deutschland"]),
        "city": ([0, 1, 2, -1], ["Jena", "Dortmund", "jena"]),  # case kept: folded later
        "technology": ([0, 1, 0, -1], ["MEMS", "optics"]),
        "source": ([-1, 0, 0, -1], ["IVAM"]),
    }
    # the stages after it read these codes instead of hashing the column again
    assert ctx.codes("city")[0] is ctx._codes["city"][0]


def test_a_cluster_table_codes_only_country_and_city():
    ctx = before("code_texts", table("name,city,country,firms,technology\nA,Jena,DE,3,MEMS"))
    code_texts(ctx)
    assert set(ctx._codes) == {"country", "city"}


def test_on_two_threads_the_codes_are_those_of_each_column_alone(monkeypatch):
    monkeypatch.setattr(parallel, "TWO_THREADS_FROM", 1)
    lines = [
        f"F{i},{['Jena', 'Ulm', 'jena', ''][i % 4]},{['DE', 'FR'][i % 2]},T{i % 3},S{i % 5}"
        for i in range(200)
    ]
    ctx = before("code_texts", table("Firma,Ort,Land,Technologie,Quelle\n" + "\n".join(lines)))
    code_texts(ctx)
    for fld in ("country", "city", "technology", "source"):
        codes, uniques = text_codes(ctx.texts[fld], trim=False)
        assert ctx._codes[fld][0].tolist() == codes.tolist() and ctx._codes[fld][1] == uniques
    assert pd.Series(ctx._codes["city"][0]).min() == -1  # blank cities stay -1
