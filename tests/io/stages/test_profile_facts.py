from __future__ import annotations

from upload_context import before, table

from mstatlas.io.stages.profile_facts import profile_facts


def test_each_value_of_a_profile_cell_is_one_fact_kept_once_per_cluster():
    ctx = before(
        "profile_facts",
        table(
            "name,city,lat,lon,year,technology,markets\n"
            "Alpha,Jena,50.9,11.6,2007,MEMS; optics,\n"
            "Alpha,Jena,50.9,11.6,2008,optics;,medical\n"
            "Beta,Jena,50.9,11.6,2007,,"
        ),
    )
    profile_facts(ctx)
    facts = ctx.profiles
    assert list(zip(facts["cluster_id"], facts["field"], facts["value"], facts["year"])) == [
        ("alpha", "technologies", "MEMS", 2007),
        ("alpha", "technologies", "optics", 2007),  # from its first row
        ("alpha", "markets", "medical", 2008),
    ]
    assert set(facts["source_title"]) == {"Uploaded file t.csv"}


def test_a_firm_list_gives_no_facts():
    ctx = before("profile_facts", table("Firma,Ort,Technologie\nA,Jena,MEMS"))
    profile_facts(ctx)
    assert ctx.profiles.empty
