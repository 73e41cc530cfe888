from __future__ import annotations

import json

from mstatlas.cli import main


def test_validate_ok(tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_text(
        "Bezeichnung;Stadt;Beschäftigte;Breite;Länge\nDortmund;Dortmund;2.100;51,5;7,4\n",
        encoding="cp1252",
    )
    assert main(["validate", str(f)]) == 0
    out = capsys.readouterr().out
    assert "separator semicolon" in out and "employees            <- Beschäftigte" in out
    assert "1 of 1 rows imported." in out


def test_validate_rejected_rows_exit_1(tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_text("name,lat,lon,employees\nA,51,7,-1\nB,51,7,3\n")
    assert main(["validate", str(f), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert (data["n_imported"], data["n_rejected"]) == (1, 1)
    assert data["problems"][0]["row"] == 2 and data["problems"][0]["column"] == "employees"


def test_validate_unusable_file_exit_1_no_traceback(tmp_path, capsys):
    f = tmp_path / "e.csv"
    f.write_bytes(b"")
    assert main(["validate", str(f)]) == 1
    err = capsys.readouterr().err
    assert "is empty" in err and "Traceback" not in err


def test_validate_usage_error_exit_2(capsys):
    assert main(["validate"]) == 2
    assert main(["validate", "x.csv", "--format", "yaml"]) == 2


def test_rank_works_on_upload(tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_text(
        "name,lat,lon,employees,counts_what\nA,51,7,10,cluster_firms\nB,50,7,20,cluster_firms\n"
    )
    assert main(["rank", str(f)]) == 0
    out = capsys.readouterr().out
    assert out.index("B") < out.index("A ")
