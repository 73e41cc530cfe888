"""`mstatlas rank` and `mstatlas map`: output, exit codes, messages."""

from __future__ import annotations

import json
import subprocess
import sys

from mstatlas.cli import main


def test_rank_default_prints_table_and_dortmund_statement(capsys):
    assert main(["rank", "--top", "3"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["#", "cluster"]
    assert [line.split()[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert "Only figures that count cluster firms are ranked together" in out
    assert "Mixed kinds" not in out
    assert "Dortmund MST cluster ranks" in out
    assert "by employees counting cluster firms: ≈ 2,100 (2008" in out


def test_rank_by_firms_json(capsys):
    assert main(["rank", "--by", "firms", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    dortmund = next(r for r in rows if r["cluster_id"] == "dortmund")
    assert dortmund["value"] == 40 and dortmund["year"] == 2008  # latest whole-cluster figure
    assert dortmund["rank"] == 1 + sum(r["value"] > 40 for r in rows)
    assert {r["counts_what"] for r in rows} == {"cluster_firms"}


def test_rank_csv_is_formula_safe(tmp_path, capsys):
    f = tmp_path / "c.csv"
    f.write_text(
        'name,city,country,lat,lon,firms\n=HYPERLINK("x"),Dortmund,DE,51.5,7.4,12\n',
        encoding="utf-8",
    )
    assert main(["rank", str(f), "--by", "firms", "--counts", "all", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out


def test_rank_on_an_uploaded_file(tmp_path, capsys):
    f = tmp_path / "firms.csv"
    f.write_bytes(
        "Firma;Stadt;Land;Beschäftigte\nA;Jena;DE;10\nB;Jena;DE;5\nC;Oulu;FI;7\n".encode("cp1252")
    )
    assert main(["rank", str(f), "--by", "firms"]) == 0
    out = capsys.readouterr().out
    assert "Jena" in out and "Oulu" in out


def test_usage_errors_exit_2(capsys):
    assert main(["rank", "--by", "size"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["rank", "--counts", "guesses"]) == 2
    assert "unknown kind(s) guesses" in capsys.readouterr().err
    assert main(["rank", "--top", "0"]) == 2
    assert main([]) == 2


def test_bad_data_exits_1_with_message(tmp_path, capsys):
    missing = tmp_path / "nope.csv"
    assert main(["rank", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "nope.csv" in err and "Traceback" not in err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["rank", str(empty)]) == 1
    assert "empty" in capsys.readouterr().err.lower()


def test_rank_writes_the_chart_the_app_exports(tmp_path, capsys):
    svg = tmp_path / "ranking.svg"
    assert main(["rank", "--top", "5", "--chart", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg")
    assert "Largest MST clusters by employees (cluster firms)" in text
    assert "Sources: " in text and "(2008)" in text  # each figure's source and year
    assert "mixed kinds" not in text
    mixed = tmp_path / "mixed.png"
    assert main(["rank", "--counts", "all", "--chart", str(mixed)]) == 0
    assert mixed.read_bytes().startswith(b"\x89PNG")
    capsys.readouterr()
    assert main(["rank", "--chart", str(tmp_path / "ranking.txt")]) == 2
    assert "--chart writes .svg or .png files" in capsys.readouterr().err


NO_KINDS = "name,city,country,employees\nAlpha,Dortmund,DE,2100\nBeta,Jena,DE,900\n"


def test_a_file_that_does_not_say_what_it_counts_is_ranked_by_default(tmp_path, capsys):
    f = tmp_path / "cluster.csv"
    f.write_text(NO_KINDS, encoding="utf-8")
    assert main(["rank", str(f)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[1].split()[:3] == ["1", "Alpha", "DE"] and "2,100" in lines[1]
    assert lines[2].split()[:3] == ["2", "Beta", "DE"] and "Not stated" in lines[2]
    assert "does not say what its figures count; they are ranked together as one kind" in (
        captured.out
    )
    assert "Mixed kinds" not in captured.out + captured.err
    assert main(["rank", str(f), "--format", "json"]) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert [(r["rank"], r["cluster_name"], r["counts_what"]) for r in rows] == [
        (1, "Alpha", "unspecified"),
        (2, "Beta", "unspecified"),
    ]
    assert captured.err == ""


def test_rank_says_how_to_rank_figures_of_another_kind(tmp_path, capsys):
    f = tmp_path / "cluster.csv"
    f.write_text("Name;Stadt;Land;Beschäftigte\nAlpha;Dortmund;DE;2100\n", encoding="utf-8")
    assert main(["rank", str(f), "--counts", "cluster_firms", "--format", "csv"]) == 1
    captured = capsys.readouterr()
    assert "1 cluster has one of another kind (not stated): add --counts all" in captured.err
    assert captured.out == ""
    assert main(["rank", str(f), "--counts", "all"]) == 0
    assert "Alpha" in capsys.readouterr().out


def test_nothing_to_rank_says_why_and_exits_1(tmp_path, capsys):
    f = tmp_path / "cluster.csv"
    f.write_text(NO_KINDS, encoding="utf-8")
    assert main(["rank", str(f), "--by", "firms"]) == 1
    err = capsys.readouterr().err
    assert (
        "No cluster has a firms figure; the data has employees figures: try --by employees" in err
    )
    assert "Traceback" not in err


def test_mixed_kinds_caveat_only_when_the_rows_shown_differ(tmp_path, capsys):
    f = tmp_path / "cluster.csv"
    f.write_text(
        "name,city,country,employees,counts_what\n"
        "Alpha,Dortmund,DE,2100,cluster_firms\n"
        "Beta,Jena,DE,90000,regional_sector\n"
        "Gamma,Oulu,FI,500,cluster_firms\n",
        encoding="utf-8",
    )
    assert main(["rank", str(f), "--counts", "all"]) == 0
    out = capsys.readouterr().out
    assert "Mixed kinds of figures: “Cluster firms” and “Regional sector” figures" in out
    assert "Network members" not in out
    # the top 1 shows one kind only: no caveat
    assert main(["rank", str(f), "--counts", "all", "--top", "1"]) == 0
    assert "Mixed kinds" not in capsys.readouterr().out
    # by default only the cluster firms are ranked, and "--counts all" is offered
    assert main(["rank", str(f)]) == 0
    out = capsys.readouterr().out
    assert "Beta" not in out and "Add --counts all to mix kinds." in out


def test_employees_per_firm_on_a_bound_says_what_it_is(tmp_path, capsys):
    f = tmp_path / "cluster.csv"
    f.write_text(
        "name,city,country,firms,employees,employees_qualifier\n"
        "Alpha,Dortmund,DE,5,500,more_than\n",
        encoding="utf-8",
    )
    assert main(["rank", str(f), "--by", "employees_per_firm"]) == 0
    out = capsys.readouterr().out
    # more than 500 employees in 5 firms: more than 100 per firm, not "about 100"
    row = out.splitlines()[1]
    assert "> 100.0" in row and "≈" not in row
    assert "> 500 employees ÷ 5 firms; '>' because the employee figure is a lower bound" in out


def test_data_analysis_and_mapping_do_not_need_streamlit():
    code = (
        "import sys\n"
        "import mstatlas, mstatlas.cli, mstatlas.analysis.charts, mstatlas.analysis.ranking\n"
        "import mstatlas.io, mstatlas.store, mstatlas.mapping.build\n"
        "print('streamlit' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_map_writes_offline_html(tmp_path):
    out = tmp_path / "atlas.html"
    assert main(["map", "-o", str(out), "--measure", "firms"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "<script src=" not in html and "L.circleMarker" in html


def test_console_script_runs_without_traceback():
    r = subprocess.run(
        [sys.executable, "-m", "mstatlas.cli", "rank", "--top", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "Dortmund" in r.stdout


def test_share_keeps_a_firm_lists_firms_when_the_owner_opts_in(tmp_path, monkeypatch, capsys):
    import re

    from mstatlas.store import DatasetStore

    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    monkeypatch.setenv("MSTATLAS_DATABASE_URL", url)
    f = tmp_path / "firms.csv"
    f.write_bytes(
        "Firma;Stadt;Land;Beschäftigte\nA;Jena;DE;10\nB;Jena;DE;5\nC;Oulu;FI;7\n".encode("cp1252")
    )
    argv = ["share", str(f), "--base-url", "https://atlas.example.org", "--include-firm-rows"]
    assert main(argv) == 0
    printed = capsys.readouterr()
    assert "anyone with the link can see every firm's name, position and head count" in printed.err
    ds_id = re.search(r"ds=([A-Za-z0-9_-]{22})", printed.out).group(1)
    shared = DatasetStore(url).load(ds_id)
    assert shared.firms is not None and len(shared.firms) == 3
    assert sorted(shared.clusters["firms"].tolist()) == [1, 2]
