"""The default dataset is the sourced rows, the further figures and the documented scopes."""

from __future__ import annotations

import csv
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mstatlas import load_clusters
from mstatlas.data.profiles import (
    PROFILE_COLUMNS,
    PROFILE_FIELDS,
    cluster_profile,
    coerce_profiles,
    load_profiles,
)
from mstatlas.errors import DataError

DATA = Path(__file__).resolve().parents[2] / "data"
# the build script, loaded by path (putting scripts/ on sys.path would shadow test packages)
_spec = importlib.util.spec_from_file_location(
    "merge_figures", DATA.parent / "scripts" / "merge_figures.py"
)
merge_figures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(merge_figures)


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_further_figure_is_in_the_default_dataset_once():
    base = _rows("clusters.csv")
    extra = _rows("extra_figures.csv")
    cols = list(extra[0])
    keyed = [tuple(r[c] for c in cols) for r in base]
    for r in extra:
        assert keyed.count(tuple(r[c] for c in cols)) == 1, r["note"][:60]
    assert len(base) == 72 + len(extra)


def test_each_scope_names_one_figure_and_says_why():
    base = _rows("clusters.csv")
    for s in _rows("figure_scopes.csv"):
        hits = [r for r in base if all(r[k] == s[k] for k in merge_figures._KEY)]
        assert len(hits) == 1, s
        assert hits[0]["scope"] == s["scope"] and s["why"].strip()
    assert sum(1 for r in base if r["scope"]) == len(_rows("figure_scopes.csv"))


def test_merge_is_reproducible(tmp_path):
    for name in ("clusters.csv", "extra_figures.csv", "figure_scopes.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    added = merge_figures.merge(
        tmp_path / "clusters.csv", tmp_path / "extra_figures.csv", tmp_path / "figure_scopes.csv"
    )
    assert added == 0
    assert (tmp_path / "clusters.csv").read_bytes() == (DATA / "clusters.csv").read_bytes()


def test_a_scope_matching_no_figure_is_refused(tmp_path):
    for name in ("clusters.csv", "extra_figures.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    (tmp_path / "scopes.csv").write_text(
        "cluster_id,counts_what,year,firms,employees,source_url,scope,why\n"
        "dortmund,cluster_firms,1900,1,1,http://x,none,nothing\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit, match="matches 0 figures"):
        merge_figures.merge(
            tmp_path / "clusters.csv", tmp_path / "extra_figures.csv", tmp_path / "scopes.csv"
        )


def test_incubator_tenants_are_not_dortmunds_headline_perimeter():
    c = load_clusters()
    d = c[(c["cluster_id"] == "dortmund") & (c["year"] == 2026)]
    assert len(d) == 1 and d["scope"].iloc[0] == "MST.factory tenants"
    assert int(d["employees"].iloc[0]) == 200  # as stated: 'rund 200 Mitarbeitende'


def test_profiles_load_with_every_field_and_a_source():
    p = load_profiles()
    assert list(p.columns) == list(PROFILE_COLUMNS)
    assert len(p) == len(_rows("cluster_profiles.csv"))
    assert set(p["field"]) == set(PROFILE_FIELDS)
    assert p["source_url"].notna().all() and p["quote"].notna().all()
    assert set(p["cluster_id"]) <= set(load_clusters()["cluster_id"])


def test_cluster_profile_sections_in_order_and_conflicts_kept():
    sections = cluster_profile(load_profiles(), "villach")
    assert list(sections) == list(PROFILE_FIELDS)
    # Silicon Alps' founding is reported as August 2016 and as 2017: both are kept
    founded = sections["founded"]
    assert len(founded) == 2
    assert founded["value"].str.startswith("2016").any()
    assert founded["value"].str.startswith("2017").any()
    assert founded["year"].iloc[0] == 2019 and pd.isna(founded["year"].iloc[1])  # newest first


def test_unknown_cluster_has_every_section_empty():
    sections = cluster_profile(load_profiles(), "nowhere")
    assert all(t.empty for t in sections.values())


def test_coerce_profiles_refuses_unknown_fields_and_bad_years():
    with pytest.raises(ValueError, match="Unknown profile field"):
        coerce_profiles(pd.DataFrame({"cluster_id": ["a"], "field": ["colour"], "value": ["x"]}))
    with pytest.raises(ValueError, match="not a year"):
        coerce_profiles(
            pd.DataFrame(
                {"cluster_id": ["a"], "field": ["events"], "value": ["x"], "year": ["soon"]}
            )
        )
    kept = coerce_profiles(
        pd.DataFrame({"cluster_id": ["a", "a"], "field": ["events", "events"], "value": ["x", " "]})
    )
    assert list(kept["value"]) == ["x"]  # a blank fact is no fact


def test_missing_profile_file_says_what_to_do(tmp_path):
    with pytest.raises(DataError, match="MSTATLAS_DATA_DIR"):
        load_profiles(tmp_path / "nope.csv")
