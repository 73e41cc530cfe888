"""`mstatlas detect`: clusters from a firm list, with the confidentiality rules on every output."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from mstatlas.cli import main

# Dortmund: 4 firms within 1 km, head counts 120 + 80 + 40 (one unknown) = 240, largest 50 %.
# Eindhoven: 2 firms (4711 + 1234 = 5945): fewer than 3 -> its sum must never show.
# Jena: 4 firms, 900 of 990 = 90.9 % -> dominated, suppressed.
# Bochum (about 5 km from Dortmund's firms) is beyond a 4 km reach; Grenoble has no coordinates.
REGISTER = """Firma;Ort;Land;lat;lon;Mitarbeiter;Technologie
A1;Dortmund;DE;51.510;7.470;120;MEMS
A2;Dortmund;DE;51.512;7.472;80;MEMS
A3;Dortmund;DE;51.514;7.468;40;optics
A4;Bochum;DE;51.480;7.400;30;MEMS
A5;Dortmund;DE;51.515;7.475;;MEMS
B1;Eindhoven;NL;51.440;5.470;4711;optics
B2;Eindhoven;NL;51.442;5.471;1234;MEMS
C1;Jena;DE;50.930;11.590;900;optics
C2;Jena;DE;50.931;11.591;30;optics
C3;Jena;DE;50.932;11.589;30;MEMS
C4;Jena;DE;50.933;11.592;30;MEMS
D1;Grenoble;FR;;;25;MEMS
"""
ARGS = ["--radius-km", "4", "--min-firms", "2"]


@pytest.fixture
def register(tmp_path):
    path = tmp_path / "firms.csv"
    path.write_text(REGISTER, encoding="utf-8")
    return path


def detect(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["detect", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_text_shows_safe_sums_and_never_a_two_firm_or_dominated_one(register, capsys):
    code, out, _err = detect(capsys, str(register), *ARGS)
    assert code == 0
    rows = {line.split()[1]: line for line in out.splitlines()[1:4]}
    assert "240" in rows["Dortmund"] and "confidential" not in rows["Dortmund"]
    assert "confidential" in rows["Eindhoven"] and "confidential" in rows["Jena"]
    for figure in ("5,945", "5945", "4,711", "4711", "1,234", "1234", "990", "900"):
        assert figure not in out
    assert "3 clusters from 12 firms: 10 in clusters, 1 isolated, 1 left out" in out
    assert "Employee figures of 2 clusters are confidential." in out
    assert "dominance rule)" in out  # the rules are stated ...
    assert "1 by the dominance rule" not in out  # ... but not which cluster broke which
    # Eindhoven and Jena together: 6 firms, 6,935 employees, the largest 68 %: may be shown
    assert "have 6,935 employees together (6 firms with a known head count)" in out


def test_csv_and_json_blank_the_confidential_sums(register, capsys):
    code, out, err = detect(capsys, str(register), *ARGS, "--format", "csv")
    assert code == 0 and "Employee figures of 2 clusters are confidential." in err
    table = pd.read_csv(io.StringIO(out)).set_index("cluster_id")
    assert list(table.index) == ["dortmund", "jena", "eindhoven"]
    assert (
        table.loc["dortmund", "employees"] == 240 and table.loc["dortmund", "employees_known"] == 3
    )
    assert table.loc[["jena", "eindhoven"], "employees"].isna().all()
    assert list(table.loc[["jena", "eindhoven"], "employees_status"]) == ["confidential"] * 2
    # a cluster of fewer than 3 firms has no outline: its corners would be the firms' positions
    assert pd.isna(table.loc["eindhoven", "outline_wkt"])
    assert table.loc["dortmund", "outline_wkt"].startswith("POLYGON ((")
    no_outline = table.drop(columns="outline_wkt").to_csv()
    assert "5945" not in no_outline and "4711" not in no_outline and "990" not in no_outline

    code, out, _err = detect(capsys, str(register), *ARGS, "--format", "json")
    doc = json.loads(out)
    clusters = {c["cluster_id"]: c for c in doc["clusters"]}
    assert clusters["eindhoven"]["employees"] is None and clusters["jena"]["employees"] is None
    assert clusters["dortmund"]["employees"] == 240
    assert doc["parameters"] == {"radius_km": 4.0, "min_firms": 2, "outline": "convex"}
    assert doc["other"] == {"clusters": 2, "firms": 6, "employees": 6935}


def test_output_file_is_csv_or_json_by_its_suffix(register, tmp_path, capsys):
    target = tmp_path / "clusters.csv"
    code, out, _err = detect(capsys, str(register), *ARGS, "-o", str(target))
    assert code == 0 and out.startswith(f"wrote {target} (3 clusters, csv)")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfcluster_id,cluster_name")  # Excel reads UTF-8
    target = tmp_path / "clusters.json"
    assert detect(capsys, str(register), *ARGS, "-o", str(target))[0] == 0
    assert json.loads(target.read_text(encoding="utf-8"))["clusters"][0]["cluster_id"] == "dortmund"


def test_the_rules_follow_the_deployment_settings(register, capsys, monkeypatch):
    monkeypatch.setenv("MSTATLAS_MIN_FIRMS", "4")  # Dortmund has 3 known head counts
    code, out, _err = detect(capsys, str(register), *ARGS, "--format", "json")
    assert code == 0
    assert all(c["employees"] is None for c in json.loads(out)["clusters"])
    monkeypatch.setenv("MSTATLAS_MIN_FIRMS", "three")
    code, _out, err = detect(capsys, str(register), *ARGS)
    assert code == 1 and "MSTATLAS_MIN_FIRMS='three' is not a whole number" in err


def test_a_cluster_table_is_not_a_firm_list(tmp_path, capsys):
    path = tmp_path / "clusters.csv"
    path.write_text("name,city,country,firms,employees\nMST,Dortmund,DE,39,2100\n", "utf-8")
    code, _out, err = detect(capsys, str(path))
    assert code == 1
    assert (
        "clusters.csv is a cluster table (one row per cluster); detection needs a firm list" in err
    )


def test_firms_without_coordinates_of_their_own_say_what_to_add(tmp_path, capsys):
    path = tmp_path / "firms.csv"
    path.write_text("Firma;Ort;Land\nA;Dortmund;DE\nB;Dortmund;DE\nC;Jena;DE\n", "utf-8")
    code, _out, err = detect(capsys, str(path))
    assert code == 1
    assert "None of the 3 firms has coordinates of its own" in err and "add lat and lon" in err


def test_nothing_dense_enough_says_how_to_find_clusters(register, capsys):
    code, out, _err = detect(capsys, str(register), "--radius-km", "0.1", "--min-firms", "3")
    assert code == 0
    assert (
        "No firm has 3 firms within 0.1 km: try a larger --radius-km or a smaller --min-firms"
        in out
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--min-firms", "1"], "must be 2 or more, got 1"),
        (["--radius-km", "0"], "must be from 0.1 to 500 km, got 0"),
        (["--radius-km", "far"], "expected a number of kilometres, got 'far'"),
    ],
)
def test_bad_parameters_are_usage_errors(register, capsys, argv, message):
    code, _out, err = detect(capsys, str(register), *argv)
    assert code == 2 and message in err
