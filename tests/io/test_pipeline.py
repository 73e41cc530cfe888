from __future__ import annotations

import dataclasses
import importlib

from mstatlas.io import pipeline, read_upload
from mstatlas.io.pipeline import STAGES

FIRMS = b"Firma;Ort;Land;Mitarbeiter\nA GmbH;Dortmund;Deutschland;1\nB AG;Jena;DE;2\n"


def test_the_order_is_one_visible_list():
    assert [s.name for s in STAGES] == [
        "normalise_text",
        "drop_blank_rows",
        "check_shape",
        "map_columns",
        "detect_kind",
        "require_columns",
        "parse_numbers",
        "check_coordinates",
        "check_text",
        "check_counts_what",
        "check_qualifiers",
        "check_links",
        "code_texts",
        "match_countries",
        "apply_overrides",
        "warn_outside_europe",
        "find_duplicates",
        "geocode",
        "aggregate_firms",
        "tabulate_clusters",
        "assign_cluster_ids",
        "profile_facts",
        "build_report",
    ]


def test_each_stage_is_found_by_its_name():
    for stage in STAGES:
        module = importlib.import_module(f"mstatlas.io.stages.{stage.name}")
        assert getattr(module, stage.name) is stage.run
        assert stage.run.__doc__, stage.name


def test_each_stage_runs_once_in_order(monkeypatch):
    ran: list[str] = []

    def recording(stage):
        def run(ctx):
            ran.append(stage.name)
            stage.run(ctx)

        return dataclasses.replace(stage, run=run)

    monkeypatch.setattr(pipeline, "STAGES", tuple(recording(s) for s in STAGES))
    result = read_upload(FIRMS, filename="f.csv")
    assert ran == [s.name for s in STAGES]
    assert result.kind == "firms" and len(result.clusters) == 2


def test_progress_is_reported_where_the_stages_say_in_order():
    seen: list[tuple[float, str]] = []
    read_upload(FIRMS, filename="f.csv", progress=lambda f, m: seen.append((f, m)))
    assert seen == [
        (0.0, "Reading the file"),
        (0.3, "Checking rows"),
        (0.5, "Checking duplicates"),
        (0.6, "Geocoding cities"),
        (0.6, "Geocoding cities"),  # every 200 places while geocoding: here the first
        (0.85, "Building the cluster table"),
        (1.0, "Done"),
    ]
