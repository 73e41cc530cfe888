from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mstatlas.data import codes as codes_module
from mstatlas.data import firms as firms_module
from mstatlas.data.firms import aggregate_firms, slugify
from mstatlas.io import read_upload

FIRMS = (
    "Firma;Ort;Land;Mitarbeiter;Technologie\n"
    "Alpha GmbH;Dortmund;DE;100;MEMS\n"
    "Beta AG;Dortmund;DE;;MEMS\n"
    "Gamma KG;Dortmund;Deutschland;50;microfluidics\n"
    "Delta;München;DE;10;MEMS\n"
    "Epsilon;München;DE;20;\n"
    "Alpha GmbH;Dortmund;DE;100;MEMS\n"
)


def test_firm_list_detected_and_aggregated_per_city():
    r = read_upload(FIRMS.encode("cp1252"), filename="firms.csv")
    assert r.kind == "firms"
    c = r.clusters.set_index("city")
    assert c.loc["Dortmund", "firms"] == 3
    assert c.loc["Dortmund", "employees"] == 150
    assert c.loc["Dortmund", "employees_qualifier"] == "at_least"
    assert "employees known for 2 of 3 firms" in c.loc["Dortmund", "note"]
    assert "technology mix: MEMS 2, microfluidics 1" in c.loc["Dortmund", "note"]
    assert c.loc["München", "firms"] == 2 and c.loc["München", "employees"] == 30
    assert pd.isna(c.loc["München", "employees_qualifier"])
    assert set(r.clusters["counts_what"]) == {"cluster_firms"}
    assert set(r.clusters["source_title"]) == {"Uploaded file firms.csv"}
    # the repeated Alpha GmbH row is a rejected duplicate, not a fourth firm
    assert r.report.n_rows == 6 and r.report.n_rejected == 1
    assert "duplicate of row 2" in r.report.problems[0].reason
    assert "grouped by city" in r.aggregation
    assert len(r.firms) == 5
    # geocoded once per distinct (city, country)
    assert set(r.geocoding["status"]) == {"ok"} and len(r.geocoding) == 5


def test_cluster_column_groups_firms():
    text = "Company,Cluster,City,Employees\nA,Ruhr MST,Dortmund,5\nB,Ruhr MST,Bochum,7\nC,Bavaria,München,1\n"
    r = read_upload(text.encode(), filename="f.csv")
    assert r.kind == "firms"
    c = r.clusters.set_index("cluster_name")
    assert c.loc["Ruhr MST", "firms"] == 2 and c.loc["Ruhr MST", "employees"] == 12
    assert c.loc["Ruhr MST", "cluster_id"] == "ruhr-mst"


def _reference(df: pd.DataFrame) -> dict[tuple[str, str], dict[str, object]]:
    """The counting rule written out plainly, one firm at a time."""
    out: dict[tuple[str, str], dict[str, object]] = {}
    for r in df.itertuples():
        g = out.setdefault(
            (r.city.strip().lower(), r.country_iso2),
            {"n": 0, "k": 0, "emp": 0.0, "lat": [], "years": [], "tech": {}},
        )
        g["n"] += 1
        if pd.notna(r.employees):
            g["k"] += 1
            g["emp"] += r.employees
        g["lat"].append(r.lat)
        if pd.notna(r.year):
            g["years"].append(r.year)
        if isinstance(r.technology, str) and r.technology.strip():
            g["tech"][r.technology] = g["tech"].get(r.technology, 0) + 1
    return out


@pytest.fixture(params=["table", "hash table"])
def pair_counting(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with both ways of counting (group, text) pairs."""
    if request.param == "hash table":
        monkeypatch.setattr(codes_module, "table_limit", lambda n: -1)
        monkeypatch.setattr(firms_module, "table_limit", lambda n: -1)  # the technology mix
    return str(request.param)


def test_aggregation_matches_the_counting_rule_on_random_firms(pair_counting: str):
    rng = np.random.default_rng(11)
    n = 5_000
    cities = np.array(["Dortmund", "dortmund ", "München", "Enschede", "Grenoble", "Łódź"])
    df = pd.DataFrame(
        {
            "row": np.arange(2, n + 2),
            "name": [f"Firm {i}" for i in range(n)],
            "city": cities[rng.integers(0, len(cities), n)],
            "country_iso2": np.array(["DE", "NL", "FR", "PL"])[rng.integers(0, 4, n)],
            "lat": rng.uniform(40, 60, n),
            "lon": rng.uniform(0, 20, n),
            "employees": pd.array(
                np.where(rng.random(n) < 0.3, None, rng.integers(0, 900, n)), dtype="Int64"
            ),
            "technology": np.array(["MEMS", "optics", None, " "], dtype=object)[
                rng.integers(0, 4, n)
            ],
            "year": pd.array(
                np.where(rng.random(n) < 0.5, None, rng.integers(1990, 2025, n)), dtype="Int64"
            ),
        }
    )
    out, text = aggregate_firms(df, by="city")
    ref = _reference(df)
    assert len(out) == len(ref) and f"{n:,} firms were grouped by city" in text
    assert out["firms"].sum() == n
    for row in out.itertuples():
        g = ref[(row.city.strip().lower(), row.country_iso2)]
        assert row.firms == g["n"]
        assert (pd.isna(row.employees) and g["k"] == 0) or row.employees == round(g["emp"])
        assert (row.employees_qualifier == "at_least") == (0 < g["k"] < g["n"])
        assert row.lat == pytest.approx(np.mean(g["lat"]))
        if g["years"]:
            assert row.year == max(g["years"])
        else:
            assert pd.isna(row.year)
        mix = sorted(g["tech"].items(), key=lambda kv: (-kv[1], kv[0]))
        assert f"employees known for {g['k']} of {g['n']} firms" in row.note
        if mix:
            assert row.note.endswith("technology mix: " + ", ".join(f"{t} {c}" for t, c in mix))
        else:
            assert "technology mix" not in row.note


def test_aggregation_small_table_by_hand():
    df = pd.DataFrame(
        {
            "row": range(2, 8),
            "name": list("abcdef"),
            "city": ["X", "X", "Y", "Y", "Y", "Z"],
            "country_iso2": ["DE"] * 6,
            "lat": [1.0, 3.0, 2.0, 2.0, 2.0, 5.0],
            "lon": [1.0, 1.0, 2.0, 2.0, 2.0, 5.0],
            "employees": [1, None, 2, 3, 4, None],
            "technology": ["MEMS", "MEMS", None, "optics", "MEMS", None],
            "year": [2007, 2008, None, None, 2001, None],
        }
    )
    out, text = aggregate_firms(df, by="city")
    assert "6 firms were grouped by city" in text
    assert out["city"].tolist() == ["X", "Y", "Z"]  # in order of the first firm
    assert out["firms"].tolist() == [2, 3, 1]
    assert out["employees"].tolist()[:2] == [1, 9] and pd.isna(out["employees"].iloc[2])
    assert out["employees_qualifier"].iloc[0] == "at_least"  # 1 of 2 firms known
    assert out["employees_qualifier"].iloc[1:].isna().all()
    assert out["lat"].tolist() == [2.0, 2.0, 5.0]
    assert out["year"].tolist()[:2] == [2008, 2001] and pd.isna(out["year"].iloc[2])
    assert out["note"].iloc[1].endswith("technology mix: MEMS 1, optics 1")
    assert set(out["counts_what"]) == {"cluster_firms"}


def test_ties_go_to_the_value_first_seen_in_the_cluster(pair_counting: str):
    df = pd.DataFrame(
        {
            "name": list("abcde"),
            "cluster": ["A", "B", "B", "B", "B"],
            "city": ["Berlin", "Potsdam", "Berlin", "Cottbus", "Brandenburg"],
            "lat": [52.5] * 5,
            "lon": [13.4] * 5,
        }
    )
    out, _ = aggregate_firms(df, by="cluster")
    # in cluster B every city occurs once: the first firm's city names it
    assert out.set_index("cluster_name").loc["B", "city"] == "Potsdam"


def test_slugify():
    assert slugify("Łódź – Mikro") == "lodz-mikro"
    assert slugify("Straße") == "strasse"
    assert slugify("!!!") == "cluster"


def test_duplicate_slugs_are_numbered():
    text = "name,city,lat,lon,year\nMST,Dortmund,51.5,7.4\nMST,Bonn,50.7,7.1\nMST,Dortmund,51.5,7.4,2008\n"
    r = read_upload(text.encode(), filename="x.csv", kind="clusters")
    assert r.clusters["cluster_id"].tolist() == ["mst", "mst-2", "mst"]


@pytest.mark.parametrize(
    ("text", "imported"),
    [
        ("firm name,city,employees\nA,Berlin,abc\n", 0),  # every row rejected
        ("firm name,city\nA,Xyzzyville\n", 0),  # the only city is not found
        (
            "firm name,city,employees,region\nA,Berlin,abc,BE\nB,Berlin,5,\n",
            1,
        ),  # region only on a rejected row
    ],
)
def test_firm_lists_whose_texts_are_only_on_rejected_rows(text, imported):
    r = read_upload(text.encode(), filename="firms.csv")
    assert r.kind == "firms"
    assert r.report.n_imported == imported and len(r.clusters) == imported
    assert r.report.n_rejected == r.report.n_rows - imported


@pytest.mark.parametrize("kind", ["firms", "clusters"])
def test_count_too_large_for_a_number_is_rejected_with_a_reason(kind):
    text = (
        "firm name,city,employees\nA,Berlin,12345678901234567890\nB,Berlin,3\n"
        if kind == "firms"
        else "name,city,lat,lon,firms\nA,Berlin,52.5,13.4,12345678901234567890\nB,Bonn,50.7,7.1,4\n"
    )
    r = read_upload(text.encode(), filename="x.csv")
    assert r.kind == kind
    assert r.report.n_imported == 1
    assert [(p.row, p.reason) for p in r.report.problems] == [
        (2, "'12345678901234567890' is too large for a count of firms or employees")
    ]


def test_method_text_says_firm_and_cluster_in_the_singular():
    from mstatlas.data.firms import method_text

    assert method_text("city", 1, 1).startswith(
        "1 firm was grouped by city (and country) into 1 cluster."
    )
    assert method_text("cluster", 2_000, 3).startswith(
        "2,000 firms were grouped by cluster column into 3 clusters."
    )


def test_a_group_named_by_its_most_frequent_spelling_when_spellings_differ():
    # grouped by city (case-blind) and country: the country is the same on every
    # row of a group (nothing to count), the city's spelling may differ
    df = pd.DataFrame(
        {
            "name": list("abcdef"),
            "city": ["Jena", "jena", "jena", "Ulm", "Ulm", "JENA"],
            "country_iso2": ["DE", "DE", "DE", "DE", "DE", "AT"],
            "region": ["Thüringen", None, "Thüringen", "BW", "BW", None],
            "lat": [50.9] * 6,
            "lon": [11.6] * 6,
        }
    )
    out, _ = aggregate_firms(df, by="city")
    assert out["city"].tolist() == ["jena", "Ulm", "JENA"]  # 2 x "jena" beat 1 x "Jena"
    assert out["country_iso2"].tolist() == ["DE", "DE", "AT"]
    assert out["firms"].tolist() == [3, 2, 1]
    assert out["region"].tolist()[:2] == ["Thüringen", "BW"] and pd.isna(out["region"].iloc[2])
