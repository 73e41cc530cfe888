"""AppTest: the Compare page on the default data, opened by link, by button and by picking."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import PAGES, texts

DATA = Path(__file__).resolve().parents[2] / "data" / "clusters.csv"
PAGE = f"{PAGES}/compare.py"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The default data as the file has it (the tests' own reading, not the app's)."""
    return pd.read_csv(DATA, dtype=str, keep_default_na=False)


def open_compare(app: AppTest, **params: str) -> AppTest:
    for key, value in params.items():
        app.query_params[key] = value
    app.switch_page(PAGE)
    at = app.run()
    assert not at.exception
    return at


def compare_table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def name_of(raw: pd.DataFrame, cid: str) -> str:
    return raw.loc[raw["cluster_id"] == cid, "cluster_name"].iloc[0]


def reported(raw: pd.DataFrame, cid: str, column: str) -> set[tuple[str, str]]:
    """(figure as the page writes it, year) of every row of a cluster with a ``column`` value."""
    signs = {"": "", "about": "≈ ", "more_than": "> ", "at_least": "≥ ", "up_to": "≤ "}
    rows = raw[(raw["cluster_id"] == cid) & (raw[column] != "")]
    return {
        (signs[q] + f"{int(v):,}", y or "undated")
        for v, q, y in zip(rows[column], rows[f"{column}_qualifier"], rows["year"])
    }


def test_link_with_three_clusters_shows_their_figures_and_what_is_not_comparable(app, raw):
    ids = ["dortmund", "grenoble", "twente"]
    at = open_compare(app, cmp=",".join(ids))
    table = compare_table(at)
    assert list(table["Cluster"]) == [name_of(raw, c) for c in ids]
    for cid, (_, row) in zip(ids, table.iterrows()):
        for column, label in (("employees", "Employees"), ("firms", "Firms")):
            # each figure shown is one the cluster reported, with that figure's own year
            assert (row[label], row[f"{label} year"]) in reported(raw, cid, column)
            assert row[f"{label} counts"] and row[f"{label} source"]
    assert at.query_params["cmp"] == "dortmund,grenoble,twente"
    warning = " ".join(str(w.value) for w in at.warning)
    assert (
        "Not comparable:" in warning
        and "For example, employees: Different kinds of figure" in warning
    )
    pairs = at.table[0].value.map(lambda v: v.replace("\\", ""))  # unescape
    # Dortmund's employees count cluster-firm staff, Grenoble's the whole regional sector
    # (both rows are in the file with those kinds): never like for like.
    assert (raw["cluster_id"].eq("grenoble") & raw["counts_what"].eq("regional_sector")).any()
    assert any("Different kinds of figure" in r for r in pairs["Why not comparable"])
    assert {"Employees", "Firms"} <= set(pairs["Measure"])
    assert len(at.get("vega_lite_chart")) >= 3  # a bar chart per measure


def test_ivam_button_opens_the_eight_benchmark_clusters(app, raw):
    at = open_compare(app)
    assert "Pick 2 to 10 clusters" in " ".join(str(i.value) for i in at.info)
    flagged = raw[raw["ivam_benchmark_2007"].str.lower() == "true"]
    expected = list(dict.fromkeys(flagged["cluster_id"]))
    assert len(expected) == 8
    button = at.button(key="compare_ivam")
    assert button.label == "IVAM 2007 benchmark set (8 clusters)"
    at = button.click().run()
    assert not at.exception
    assert at.multiselect(key="w_compare").value == expected
    assert at.query_params["cmp"] == ",".join(expected)
    assert list(compare_table(at)["Cluster"]) == [name_of(raw, c) for c in expected]


def test_unknown_ids_in_the_link_get_a_notice_and_leave_the_link(app):
    at = open_compare(app, cmp="dortmund,nope,twente")
    assert "Not compared: “nope” is not a cluster id of this dataset." in texts(at)
    assert at.query_params["cmp"] == "dortmund,twente"
    assert at.multiselect(key="w_compare").value == ["dortmund", "twente"]
    assert len(compare_table(at)) == 2


def test_fewer_than_two_clusters_explains_how_to_pick(app):
    at = open_compare(app, cmp="dortmund")
    assert not at.error
    info = " ".join(str(i.value) for i in at.info)
    assert "Pick 2 to 10 clusters" in info and "Add to comparison" in info
    assert not at.dataframe  # nothing compared yet


def test_picking_in_the_box_compares_and_goes_into_the_link(app):
    at = open_compare(app)
    at.multiselect(key="w_compare").select("twente").select("dortmund").run()
    assert not at.exception
    assert at.query_params["cmp"] == "twente,dortmund"
    assert len(compare_table(at)) == 2


def test_a_cluster_filtered_out_is_named_and_left_blank(app, raw):
    at = open_compare(app, cmp="dortmund,jena,grenoble", country="DE")
    grenoble = name_of(raw, "grenoble")
    assert f"Filtered out by the sidebar filters: “{grenoble}”" in texts(at)
    table = compare_table(at).set_index("Cluster")
    assert len(table) == 3
    assert list(table.loc[grenoble, ["Employees", "Firms", "Employees per firm"]]) == [""] * 3


def test_growth_line_shows_the_compound_growth_of_one_kind(app, raw):
    # Grenoble's member companies (network members, usual perimeter), by hand from the file.
    rows = raw[
        raw["cluster_id"].eq("grenoble")
        & raw["counts_what"].eq("network_members")
        & raw["scope"].eq("")
        & raw["firms"].ne("")
        & raw["year"].ne("")
    ]
    years = rows["year"].astype(int)
    first, last = rows[years == years.min()], rows[years == years.max()]
    assert len(first) == 1 and len(last) == 1  # one figure in each end year
    start, end = int(first["firms"].iloc[0]), int(last["firms"].iloc[0])
    span = years.max() - years.min()
    rate = (end / start) ** (1 / span) - 1
    expected = (
        f"Network members, firms: {start:,} ({years.min()}) → {end:,} ({years.max()}): "
        f"+{end - start:,} in {span} years, +{rate * 100:.1f} % a year"
    )
    at = open_compare(app, cmp="grenoble,dortmund")
    assert expected in texts(at)
    assert "How growth is computed" in [e.label for e in at.expander]


def test_no_growth_says_why(app):
    # Only 2019 figures (and undated ones, which have no place in time): no cluster can
    # have two years of anything, so there is no growth to show.
    at = open_compare(app, cmp="twente,villach", years="2019-2019")
    assert len(compare_table(at)) == 2
    assert "Growth cannot be shown for these clusters" in texts(at)
    assert "never computed across kinds of figures" in texts(at)


def test_every_pair_is_shown_at_a_glance_with_what_differs(app, raw):
    at = open_compare(app, cmp="dortmund,oulu,twente")
    grids = [d.value for d in at.dataframe if d.value.index.name == "cluster"]
    assert len(grids) == 3  # one tab per measure, in the order employees, firms, per firm
    firms = grids[1]
    names = [name_of(raw, c) for c in ("dortmund", "oulu", "twente")]
    assert list(firms.index) == names and list(firms.columns) == names
    # Dortmund's firms are dated (2008), Oulu's and Twente's are not: never "fair"
    assert (
        firms.loc[names[0], names[1]].startswith("✗") and "undated" in firms.loc[names[0], names[1]]
    )
    assert firms.loc[names[0], names[0]] == ""
