from __future__ import annotations

from upload_context import before, table

from mstatlas.io.stages.aggregate_firms import aggregate_firms, firm_codes

FIRMS = (
    "Firma,Ort,Land,Mitarbeiter,Quelle\n"
    "A GmbH,Dortmund,DE,10,Register 2020\n"
    "B AG,Dortmund,DE,,\n"
    "C KG,Jena,DE,5,\n"
    "D SE,Jena,DE,x,"
)


def test_firms_are_counted_per_city():
    ctx = before("aggregate_firms", table(FIRMS))
    aggregate_firms(ctx)
    assert ctx.firms is not None
    # the refused row (D SE: 'x' employees) is not a firm of the table
    assert ctx.firms["name"].tolist() == ["A GmbH", "B AG", "C KG"]
    assert ctx.firms["employees"].tolist()[0] == 10 and str(ctx.firms["employees"].dtype) == "Int64"
    assert ctx.firms["source_title"].tolist() == [
        "Register 2020",
        "Uploaded file t.csv",
        "Uploaded file t.csv",
    ]
    t = ctx.table.set_index("city")
    assert t.loc["Dortmund", "firms"] == 2 and t.loc["Jena", "firms"] == 1
    # employees known for one of Dortmund's two firms: at least 10
    assert t.loc["Dortmund", "employees"] == 10
    assert t.loc["Dortmund", "employees_qualifier"] == "at_least"
    assert t.loc["Jena", "employees"] == 5
    assert ctx.aggregation is not None and "city" in ctx.aggregation
    assert ctx.keep_idx.tolist() == [0, 1, 2]


def test_a_cluster_table_is_left_alone():
    ctx = before("aggregate_firms", table("name,city,firms\nA,Jena,3"))
    aggregate_firms(ctx)
    assert ctx.firms is None and ctx.aggregation is None and ctx.table.empty


def test_group_codes_reuse_city_and_country_and_cite_the_file_for_missing_sources():
    ctx = before("aggregate_firms", table(FIRMS))
    codes = firm_codes(ctx)
    city_codes, cities = codes["city"]
    assert [cities[c] for c in city_codes] == ["Dortmund", "Dortmund", "Jena", "Jena"]
    src_codes, sources = codes["source_title"]
    assert [sources[c] for c in src_codes] == ["Register 2020"] + ["Uploaded file t.csv"] * 3
    assert codes["cluster"][0].tolist() == [-1, -1, -1, -1]  # no cluster column


def test_on_two_threads_the_result_is_the_same_and_in_the_person_s_language(monkeypatch):
    from mstatlas.data import parallel
    from mstatlas.i18n import language

    with language("de"):
        alone = before("aggregate_firms", table(FIRMS))
        aggregate_firms(alone)
        monkeypatch.setattr(parallel, "TWO_THREADS_FROM", 1)
        ctx = before("aggregate_firms", table(FIRMS))
        aggregate_firms(ctx)
    assert ctx.aggregation == alone.aggregation and "Firmen" in str(ctx.aggregation)
    assert ctx.firms is not None and alone.firms is not None
    assert ctx.firms.equals(alone.firms) and ctx.table.equals(alone.table)
