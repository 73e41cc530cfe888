"""`mstatlas compare|countries|profile`: output, formats, exit codes, messages."""

from __future__ import annotations

import io
import json

import pandas as pd

from mstatlas import load_clusters
from mstatlas.cli import main
from mstatlas.data.profiles import PROFILE_FIELDS, load_profiles

IVAM = ["dortmund", "twente", "flanders", "grenoble", "neuchatel", "cambridge", "goteborg", "oulu"]


def test_compare_ivam_prints_the_eight_with_warnings_and_growth(capsys):
    assert main(["compare", "--ivam"]) == 0
    out = capsys.readouterr().out
    names = load_clusters().drop_duplicates("cluster_id").set_index("cluster_id")["cluster_name"]
    for cid in IVAM:
        assert names[cid] in out
    assert "Not comparable (" in out  # kinds differ within the eight: said, pair by pair
    assert "Growth, Dortmund MST cluster: Cluster firms, firms: 39 (2007) → 40 (2008)" in out


def test_compare_json_holds_figures_pairs_and_growth_with_sources(capsys):
    assert main(["compare", "dortmund", "twente", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {f["cluster_id"] for f in doc["figures"]} == {"dortmund", "twente"}
    emp = next(
        f for f in doc["figures"] if f["cluster_id"] == "dortmund" and f["measure"] == "employees"
    )
    assert emp["display"] == "≈ 2,100" and emp["year"] == 2008 and emp["source_title"]
    assert all(p["reasons"] for p in doc["not_comparable"])
    g = next(g for g in doc["growth"] if g["cluster_id"] == "dortmund")
    assert g["start_year"] < g["end_year"] and "cagr" in g


def test_compare_csv_is_one_row_per_cluster_and_measure(capsys):
    assert main(["compare", "dortmund", "grenoble", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(table) == 2 * 3 and set(table["cluster_id"]) == {"dortmund", "grenoble"}


def test_compare_needs_two_to_ten_ids_and_known_ones(capsys):
    assert main(["compare", "dortmund"]) == 2
    assert "give 2 to 10 cluster ids" in capsys.readouterr().err
    assert main(["compare", *[f"c{i}" for i in range(11)]]) == 2
    capsys.readouterr()
    assert main(["compare", "dortmund", "nowhere"]) == 1
    assert "'nowhere'" in capsys.readouterr().err


def test_countries_counts_every_cluster_and_adds_headline_figures_of_one_kind(capsys):
    assert main(["countries", "--by", "firms", "--format", "json"]) == 0
    rows = {r["country_iso2"]: r for r in json.loads(capsys.readouterr().out)}
    c = load_clusters()
    assert rows["DE"]["n_clusters"] == c.loc[c["country_iso2"] == "DE", "cluster_id"].nunique()
    assert {r["counts_what"] for r in rows.values()} == {"cluster_firms"}
    # Austria has one cluster with one cluster-firms firm count (60, 2017): the sum is that figure
    at = c[(c["country_iso2"] == "AT") & (c["counts_what"] == "cluster_firms") & c["firms"].notna()]
    assert len(at) == 1 and rows["AT"]["total"] == float(at["firms"].iloc[0])


def test_countries_text_states_the_rule_and_refuses_unknown_kinds(capsys):
    assert main(["countries"]) == 0
    out = capsys.readouterr().out
    assert "Sum of employees figures counting cluster firms" in out
    assert "never added together" in out
    assert main(["countries", "--counts", "guesses"]) == 2
    assert "unknown kind 'guesses'" in capsys.readouterr().err
    assert main(["countries", "--counts", "national"]) == 1  # a national figure is never added


def test_profile_text_lists_figures_and_every_section(capsys):
    assert main(["profile", "dortmund"]) == 0
    out = capsys.readouterr().out
    n = int((load_clusters()["cluster_id"] == "dortmund").sum())
    assert f"Reported figures ({n}; never averaged)" in out
    for label in PROFILE_FIELDS.values():
        assert f"\n{label}:\n" in out
    assert "MST.factory tenants" in out  # a figure's narrower scope is named
    p = load_profiles()
    missing = [
        PROFILE_FIELDS[f]
        for f in PROFILE_FIELDS
        if p[(p.cluster_id == "dortmund") & (p.field == f)].empty
    ]
    for label in missing:
        assert f"\n{label}:\n  not reported" in out


def test_profile_json_and_csv_carry_sources(capsys):
    assert main(["profile", "grenoble", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc["profile"]) == list(PROFILE_FIELDS)
    facts = [f for fs in doc["profile"].values() for f in fs]
    assert facts and all(f["source_url"] for f in facts)
    assert all(f["cluster_id"] == "grenoble" for f in doc["figures"])
    assert main(["profile", "grenoble", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    figures = table[table["section"] == "figure"]
    assert len(figures) == len(doc["figures"]) and figures["source_url"].notna().all()
    rest = table[table["section"] != "figure"]
    assert len(rest) == len(facts) and set(rest["section"]) <= set(PROFILE_FIELDS)


def test_profile_of_an_unknown_cluster_names_some_ids(capsys):
    assert main(["profile", "nowhere"]) == 1
    assert "No cluster with the id 'nowhere'" in capsys.readouterr().err


def test_profile_of_an_uploaded_table_uses_its_own_facts(tmp_path, capsys):
    f = tmp_path / "mine.csv"
    f.write_text(
        "name,city,country,employees,year,source,Technologien,Website\n"
        'Mikro Nord,Kiel,DE,120,2020,Eigene Erhebung,"MEMS; Mikrooptik",https://example.org\n',
        encoding="utf-8",
    )
    assert main(["profile", "mikro_nord", "--file", str(f)]) in (0, 1)
    out, err = capsys.readouterr()
    if err:  # the id is made from the name: look it up and try again
        cid = load_clusters(f)["cluster_id"].iloc[0]
        assert main(["profile", str(cid), "--file", str(f)]) == 0
        out = capsys.readouterr().out
    assert "\nTechnologies:\n  MEMS (2020; Eigene Erhebung)" in out
    assert "Mikrooptik (2020; Eigene Erhebung)" in out
    assert "\nMarkets:\n  not reported" in out


def test_the_intelligence_layer_loads_without_streamlit():
    import subprocess
    import sys

    code = (
        "import sys, pkgutil, importlib, mstatlas.analysis, mstatlas.mapping\n"
        "for pkg in (mstatlas.analysis, mstatlas.mapping):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "import mstatlas.cli_intelligence, mstatlas.data.profiles\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_public_api_names_the_intelligence_functions():
    import mstatlas

    for name in (
        "compare_clusters",
        "growth_table",
        "rank_sensitivity",
        "rate_clusters",
        "country_summary",
        "nearby",
        "share_of_total",
        "load_profiles",
        "as_of",
    ):
        assert name in mstatlas.__all__ and callable(getattr(mstatlas, name))
