"""The command line never prints a firm list's revealing figures unless its owner says so.

Hand-made register (k = 3, dominance 85 %), numbers chosen to be found only where they leak:

* Paderborn, 2 firms: 7001 + 503 = 7504 -- fewer than 3 firms: confidential;
* Essen, 4 firms: 90001 + 11 + 23 + 31 = 90066 -- 99.9 % one firm: confidential;
* Dortmund, 3 firms: 1111 + 2222 + 3333 = 6666 -- shown.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from mstatlas.cli import main

REGISTER = (
    "Firma;Stadt;Land;Mitarbeiter;Technologie\n"
    "Große Eins GmbH;Paderborn;DE;7001;MEMS\n"
    "Ahorn;Dortmund;DE;1111;MEMS\n"
    "Kleine Zwei AG;Paderborn;DE;503;Optik\n"
    "Riese AG;Essen;DE;90001;MEMS\n"
    "Zwerg A;Essen;DE;11;MEMS\n"
    "Birke;Dortmund;DE;2222;MEMS\n"
    "Zwerg B;Essen;DE;23;MEMS\n"
    "Zwerg C;Essen;DE;31;MEMS\n"
    "Eiche;Dortmund;DE;3333;MEMS\n"
)
#: The two sums that must not be printed, as the (English) commands write them: 7504 or 7,504.
#: Not "7.504": the basemap's coordinate lists hold such numbers ("…,7.504,17.114,…").
HIDDEN = re.compile(r"(?<![\d.-])(?:7,?504|90,?066)(?!\d)")


@pytest.fixture(autouse=True)
def _default_rules(monkeypatch):
    monkeypatch.delenv("MSTATLAS_MIN_FIRMS", raising=False)
    monkeypatch.delenv("MSTATLAS_DOMINANCE", raising=False)


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    return path


def run(capsys, *argv: str) -> tuple[str, str]:
    assert main(list(argv)) == 0
    printed = capsys.readouterr()
    return printed.out, printed.err


@pytest.mark.parametrize(
    "argv",
    [
        ["rank", "{f}", "--format", "csv"],
        ["rank", "{f}", "--format", "json"],
        ["rank", "{f}"],
        ["compare", "paderborn", "essen", "dortmund", "--file", "{f}", "--format", "json"],
        ["profile", "essen", "--file", "{f}"],
    ],
)
def test_printing_commands_show_confidential_figures_only_when_the_owner_opts_out(
    register, capsys, argv
) -> None:
    argv = [a.replace("{f}", str(register)) for a in argv]
    out, err = run(capsys, *argv)
    assert not HIDDEN.search(out), out
    assert "confidential" in err  # the public note
    out_off, err_off = run(capsys, *argv, "--no-disclosure-control")
    assert HIDDEN.search(out_off)  # the check above could fail
    assert "disclosure control is off" in err_off


def test_rank_leaves_confidential_clusters_out_of_the_employee_ranking(register, capsys) -> None:
    out, _ = run(capsys, "rank", str(register), "--format", "json")
    ranked = json.loads(out)
    assert [(r["cluster_id"], r["employees"]) for r in ranked] == [("dortmund", 6666)]


def test_country_sums_add_only_figures_that_may_be_shown(register, capsys) -> None:
    out, _ = run(capsys, "countries", "--file", str(register), "--format", "json")
    (germany,) = json.loads(out)
    assert (germany["total"], germany["n_with_figure"]) == (6666, 1)
    out, _ = run(capsys, "countries", "--file", str(register), "--format", "json",
                 "--no-disclosure-control")  # fmt: skip
    assert json.loads(out)[0]["total"] == 6666 + 7504 + 90066


def test_map_file_holds_no_confidential_figure(register, tmp_path, capsys) -> None:
    html = tmp_path / "map.html"
    run(capsys, "map", str(register), "-o", str(html))
    text = html.read_text(encoding="utf-8")
    assert "6,666" in text or "6666" in text
    assert not HIDDEN.search(text)
    run(capsys, "map", str(register), "-o", str(html), "--no-disclosure-control")
    assert HIDDEN.search(html.read_text(encoding="utf-8"))


def test_rank_chart_holds_no_confidential_figure(register, tmp_path, capsys) -> None:
    chart = tmp_path / "chart.svg"
    run(capsys, "rank", str(register), "--chart", str(chart))
    svg = chart.read_text(encoding="utf-8")
    assert "6,666" in svg and not HIDDEN.search(svg)


@pytest.mark.parametrize("chunk", [None, "2"])
def test_aggregate_writes_protected_clusters_read_whole_or_in_chunks(
    register, tmp_path, capsys, chunk
) -> None:
    out = tmp_path / "clusters.csv"
    argv = ["aggregate", str(register), "-o", str(out)]
    if chunk:
        argv += ["--chunk-rows", chunk]  # CSV files are read in chunks: figures kept per cluster
    _, err = run(capsys, *argv)
    written = out.read_bytes().decode("utf-8-sig")
    assert not HIDDEN.search(written)
    table = pd.read_csv(out, encoding="utf-8-sig").set_index("cluster_id")
    assert table["employees"].isna().to_dict() == {
        "paderborn": True,
        "dortmund": False,
        "essen": True,
    }
    assert table.loc["dortmund", "employees"] == 6666
    assert "confidential" in table.loc["essen", "note"]
    assert "Employee figures of 2 clusters are confidential." in err
    assert "together" not in err  # merged, one firm would still hold 92 %: no "other"
    run(capsys, "aggregate", str(register), "-o", str(out), "--no-disclosure-control")
    assert HIDDEN.search(out.read_bytes().decode("utf-8-sig"))


def test_validate_tells_the_owner_which_clusters_and_why(register, capsys) -> None:
    out, _ = run(capsys, "validate", str(register))
    assert "Confidentiality: Employee figures of 2 groups are confidential" in out
    assert (
        "confidential: Paderborn (paderborn, 2 firms): employees are known for 2 firms only, "
        "fewer than 3 (minimum frequency rule)"
    ) in out
    assert "confidential: Essen (essen, 4 firms): one firm holds more than 85 % of the" in out
    assert "Dortmund (dortmund" not in out
    out, _ = run(capsys, "validate", str(register), "--format", "json")
    report = json.loads(out)["disclosure"]
    assert [(c["cluster_id"], c["rule"]) for c in report["confidential"]] == [
        ("paderborn", "frequency"),
        ("essen", "dominance"),
    ]
    out, _ = run(capsys, "validate", str(register), "--stream", "--chunk-rows", "2")
    assert "confidential: Essen (essen, 4 firms)" in out  # read in chunks: the same verdicts
    out, _ = run(capsys, "validate", str(register), "--no-disclosure-control")
    assert "Confidentiality: disclosure control is off" in out


def test_the_rules_follow_the_deployment_settings(register, capsys, monkeypatch) -> None:
    monkeypatch.setenv("MSTATLAS_MIN_FIRMS", "2")
    monkeypatch.setenv("MSTATLAS_DOMINANCE", "100")
    out, _ = run(capsys, "rank", str(register), "--format", "csv")
    assert "7504" in out and "90066" in out  # 2 firms are enough, no dominance limit
    monkeypatch.setenv("MSTATLAS_MIN_FIRMS", "none")
    assert main(["rank", str(register)]) == 1
    assert "MSTATLAS_MIN_FIRMS='none' is not a whole number" in capsys.readouterr().err


def test_a_cluster_table_is_printed_as_it_is(tmp_path, capsys) -> None:
    table = tmp_path / "t.csv"
    table.write_text("cluster_name,city,lat,lon,firms,employees\nX,Jena,50.9,11.6,1,7504\n")
    out, err = run(capsys, "rank", str(table), "--format", "csv")
    assert "7504" in out and "confidential" not in err
