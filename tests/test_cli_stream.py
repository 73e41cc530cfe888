"""'mstatlas aggregate' and the streaming 'mstatlas validate' (mstatlas.cli_stream)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mstatlas.cli import main

FIRMS = (
    "Firma;Ort;Land;Mitarbeiter;Technologie\n"
    "Alpha GmbH;Dortmund;DE;100;MEMS\n"
    "Beta AG;Dortmund;DE;;MEMS\n"
    "Gamma KG;Dortmund;Deutschland;50;Mikrofluidik\n"
    "Delta;München;DE;10;MEMS\n"
    "Epsilon;München;DE;viele;\n"
    "alpha gmbh;dortmund;DE;100;MEMS\n"
    "Zeta;Jena;DE;2.100;Optik\n"
)


@pytest.fixture
def firm_list(tmp_path):
    path = tmp_path / "firmen.csv"
    path.write_text(FIRMS, encoding="cp1252")
    return path


def test_aggregate_writes_the_clusters_of_a_firm_list(firm_list, tmp_path, capsys):
    out = tmp_path / "clusters.csv"
    argv = ["aggregate", str(firm_list), "-o", str(out), "--chunk-rows", "2"]
    assert main([*argv, "--no-disclosure-control"]) == 0  # the owner's own figures
    printed = capsys.readouterr()
    clusters = pd.read_csv(out, encoding="utf-8-sig").set_index("city")
    # Dortmund: Alpha, Beta, Gamma (the lower-case Alpha is a repeat); Epsilon is refused
    assert clusters["firms"].to_dict() == {"Dortmund": 3, "München": 1, "Jena": 1}
    assert clusters.loc["Dortmund", "employees"] == 150
    assert clusters.loc["Dortmund", "employees_qualifier"] == "at_least"
    assert clusters.loc["Jena", "employees"] == 2100
    assert "employees known for 2 of 3 firms" in clusters.loc["Dortmund", "note"]
    assert "5 of 7 rows imported, 2 rejected." in printed.out
    assert "error: Row 7, column 'Firma': duplicate of row 2" in printed.out
    assert "Aggregation: 5 firms were grouped by city" in printed.out
    assert f"wrote {out}: 3 clusters from 5 firms" in printed.err


def test_the_written_clusters_are_a_cluster_table_the_atlas_reads(firm_list, tmp_path, capsys):
    out = tmp_path / "clusters.csv"
    assert main(["aggregate", str(firm_list), "-o", str(out), "--no-disclosure-control"]) == 0
    capsys.readouterr()
    assert main(["rank", str(out), "--format", "json"]) == 0
    ranked = json.loads(capsys.readouterr().out)
    assert [r["cluster_name"] for r in ranked] == ["Jena", "Dortmund", "München"]
    assert {r["counts_what"] for r in ranked} == {"cluster_firms"}


def test_aggregate_refuses_a_cluster_table(tmp_path, capsys):
    path = tmp_path / "c.csv"
    path.write_text("name,lat,lon,firms\nA,51,7,10\nB,50,7,20\n")
    assert main(["aggregate", str(path), "-o", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert "is a cluster table" in err and "nothing to aggregate" in err
    assert "Traceback" not in err and not (tmp_path / "x.csv").exists()


def test_aggregate_reads_other_formats_whole(firm_list, tmp_path, capsys):
    frame = pd.read_csv(firm_list, sep=";", encoding="cp1252", dtype=str)
    parquet = tmp_path / "firmen.parquet"
    frame.to_parquet(parquet)
    out = tmp_path / "clusters.csv"
    assert main(["aggregate", str(parquet), "-o", str(out)]) == 0
    assert pd.read_csv(out, encoding="utf-8-sig")["firms"].sum() == 5


def test_validate_streams_a_file_over_the_upload_limit(firm_list, monkeypatch, capsys):
    assert main(["validate", str(firm_list), "--format", "json"]) == 1
    whole = json.loads(capsys.readouterr().out)
    monkeypatch.setenv("MSTATLAS_MAX_UPLOAD_MB", "0.0001")  # about 100 bytes: the file is over
    assert main(["validate", str(firm_list), "--format", "json", "--chunk-rows", "3"]) == 1
    streamed = json.loads(capsys.readouterr().out)
    assert streamed == whole


def test_validate_lists_the_first_problems_and_says_how_many_more(firm_list, capsys):
    args = ["validate", str(firm_list), "--stream", "--chunk-rows", "2", "--max-problems", "1"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "error: Row 6, column 'Mitarbeiter': 'viele' is not a number" in out
    assert "duplicate of row 2" not in out
    assert "… and 1 more problem not listed (the first 1 are; --max-problems N lists more)" in out
    assert main([*args, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["n_problems"] == 2 and len(data["problems"]) == 1


def test_progress_bar_on_request(firm_list, tmp_path, capsys):
    out = tmp_path / "clusters.csv"
    assert main(["aggregate", str(firm_list), "-o", str(out), "--progress"]) == 0
    err = capsys.readouterr().err
    assert "Aggregating firmen.csv" in err and "7 rows" in err and "rows/s" in err
    assert main(["aggregate", str(firm_list), "-o", str(out)]) == 0
    assert "rows/s" not in capsys.readouterr().err  # not a terminal: no bar


def test_usage_errors_exit_2(firm_list, capsys):
    assert main(["aggregate", str(firm_list)]) == 2  # no -o
    assert main(["aggregate", str(firm_list), "-o", "x.csv", "--chunk-rows", "0"]) == 2
    assert main(["validate", str(firm_list), "--max-problems", "many"]) == 2
