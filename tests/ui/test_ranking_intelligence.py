"""AppTest: the Ranking page says whether a rank holds, orders by growth, offers the
same period, shows stars that can be recomputed by hand, and sends ticked rows to Compare."""

from __future__ import annotations

import html

import pandas as pd
import pytest
from ui.app_helpers import PAGES, symbols, texts

from mstatlas import load_clusters, rank_clusters
from mstatlas.analysis.growth import cluster_growth
from mstatlas.analysis.provenance import ordinal
from mstatlas.data.schema import MEASURES, coerce_clusters
from mstatlas.ui import rating_panel
from mstatlas.ui.ranking_page import growth_order, no_growth_reasons, ticked_clusters

DORTMUND = "Dortmund MST cluster"
KIND = ("cluster_firms",)  # like with like on the embedded data: it has cluster-firm figures


def ranking_page(app, **params):
    for k, v in params.items():
        app.query_params[k] = v
    app.switch_page(f"{PAGES}/ranking.py")
    at = app.run()
    assert not at.exception
    return at


def table_with(at, column: str) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe if column in d.value.columns]
    return table


def place(values: pd.Series, value: float) -> int:
    """A rank by hand: one behind each larger figure (ties share the rank)."""
    return 1 + int((values > value).sum())


def percentile(values: pd.Series, value: float) -> float:
    """Percentile by its definition: 100 × (values at or below it) / (how many values)."""
    return 100 * int((values <= value).sum()) / len(values)


def hand_cagr(g) -> float:
    return (g["end_value"] / g["start_value"]) ** (1 / (g["end_year"] - g["start_year"])) - 1


# --- does the rank hold? --------------------------------------------------------------------


def test_sensitivity_table_gives_dortmunds_rank_under_each_measure(app):
    at = ranking_page(app)
    table = table_with(at, "Choice changed")
    clusters = load_clusters()
    for by, label in MEASURES.items():
        r = rank_clusters(clusters, by=by)  # like with like, as the page
        mine = r[r["cluster_id"] == "dortmund"]
        row = table[(table["Choice changed"] == "Measure") & (table["Choice"] == label)]
        if mine.empty:
            assert list(row["Rank"]) == ["not ranked"]
            continue
        rank = place(r["value"], float(mine["value"].iloc[0]))
        tied = int((r["value"] == mine["value"].iloc[0]).sum()) > 1
        assert list(row["Rank"]) == [f"{'=' if tied else ''}{ordinal(rank)} of {len(r)}"]
        assert list(row["Figure"]) == [mine["display"].iloc[0]]
    # the page's own choices are marked, one per kind of choice
    marked = table[table[""] != ""]
    assert sorted(marked["Choice changed"]) == sorted(set(table["Choice changed"]))
    assert list(marked[marked["Choice changed"] == "Measure"]["Choice"]) == ["Employees"]


def test_verdict_states_the_base_rank_and_what_it_depends_on(app):
    at = ranking_page(app)
    r = rank_clusters(load_clusters(), by="employees")
    dortmund = float(r.loc[r["cluster_id"] == "dortmund", "value"].iloc[0])
    said = [m.value.replace("\\", "") for m in at.markdown]
    verdict = [m for m in said if "counting cluster firms); " in m]
    assert len(verdict) == 1
    text = verdict[0]
    assert text.startswith(f"**{DORTMUND} ranks {ordinal(place(r['value'], dortmund))} of {len(r)}")
    firms = rank_clusters(load_clusters(), by="firms")
    f = float(firms.loc[firms["cluster_id"] == "dortmund", "value"].iloc[0])
    if place(firms["value"], f) != place(r["value"], dortmund):  # then the measure matters
        assert "it depends on the measure" in text


def test_the_year_filter_is_one_of_the_windows_tried(app):
    at = ranking_page(app, years="2000-2012")
    table = table_with(at, "Choice changed")
    windows = table[table["Choice changed"] == "Year window"]
    assert "2000–2012" in set(windows["Choice"])
    assert "All years" in set(windows["Choice"])
    assert "tries the year filter (2000–2012)" in texts(at)


# --- order by growth ---------------------------------------------------------------------------


def test_growth_order_follows_the_compound_growth_computed_by_hand(app):
    at = ranking_page(app, sort="growth")
    table = table_with(at, "Growth a year")
    growth = cluster_growth(load_clusters(), by="employees", counts=KIND)
    rates = {g["cluster_name"]: hand_cagr(g) for _, g in growth.iterrows()}
    assert rates, "the embedded data has clusters with a growth"
    ordered = sorted(rates, key=lambda name: -rates[name])
    assert list(table["Cluster"][: len(ordered)]) == ordered
    for name, shown in zip(table["Cluster"][: len(ordered)], table["Growth a year"]):
        pct = round(rates[name] * 100, 1)
        sign = "±" if pct == 0 else ("+" if pct > 0 else "−")
        assert shown == f"{sign}{abs(pct):.1f} % a year".replace("±0.0", "±0")
    rest = table.iloc[len(ordered) :]
    assert rest["Growth a year"].eq("").all()
    assert rest["Growth caveats"].str.startswith("no growth").all()
    assert at.query_params["sort"] == "growth"


def hand_table(rows):
    base = {"lat": 50.0, "lon": 8.0, "counts_what": "cluster_firms", "source_title": "S"}
    df = pd.DataFrame([{**base, **r} for r in rows])
    df["cluster_name"] = df["cluster_id"].str.upper()
    return coerce_clusters(df)


def test_growth_order_by_hand():
    # a: 100 -> 121 in 2 years = +10 %/yr; b: 200 -> 210 in 1 year = +5 %/yr;
    # c: one year only; d: from 0, no rate; e: undated only
    clusters = hand_table(
        [
            {"cluster_id": "a", "employees": 100, "year": 2010},
            {"cluster_id": "a", "employees": 121, "year": 2012},
            {"cluster_id": "b", "employees": 200, "year": 2010},
            {"cluster_id": "b", "employees": 210, "year": 2011},
            {"cluster_id": "c", "employees": 900, "year": 2010},
            {"cluster_id": "d", "employees": 0, "year": 2010},
            {"cluster_id": "d", "employees": 50, "year": 2012},
            {"cluster_id": "e", "employees": 500},
        ]
    )
    ranking = rank_clusters(clusters, by="employees")
    growth = cluster_growth(clusters, by="employees", counts=KIND)
    out = growth_order(ranking, growth, no_growth_reasons(clusters, "employees", KIND), "employees")
    # growth first (highest first), then no rate, then no growth in ranking order (c 900 > e 500)
    assert list(out["cluster_id"]) == ["a", "b", "d", "c", "e"]
    assert out["cagr"].iloc[0] == pytest.approx(0.10) and out["cagr"].iloc[1] == pytest.approx(0.05)
    assert list(out["growth_ends"][:2]) == ["100 (2010) → 121 (2012)", "200 (2010) → 210 (2011)"]
    assert list(out["growth_change"][:3]) == ["+21", "+10", "+50"]
    assert list(out["growth_note"][2:]) == [
        "no growth rate: a figure is 0",
        "no growth: one year only (2010)",
        "no growth: no dated figure",
    ]


# --- the years of what is ranked ---------------------------------------------------------------


def best_window(width: int = 5) -> tuple[int, int]:
    """The window with dated cluster-firm employee figures for the most clusters (by brute force)."""
    c = load_clusters()
    dated = c[(c["counts_what"] == "cluster_firms") & c["employees"].notna() & c["year"].notna()]
    best, best_n = None, -1
    for start in range(int(dated["year"].min()), int(dated["year"].max()) - width + 2):
        inside = dated[(dated["year"] >= start) & (dated["year"] <= start + width - 1)]
        if inside["cluster_id"].nunique() >= best_n:  # ties: the later window
            best, best_n = (start, start + width - 1), inside["cluster_id"].nunique()
    assert best is not None
    return best


def test_year_spread_is_stated_and_same_period_sets_the_link_years(app):
    at = ranking_page(app)
    r = rank_clusters(load_clusters(), by="employees")
    years = r["year"].dropna().astype(int)
    n_undated = int(r["year"].isna().sum())
    said = texts(at)
    assert f"Ranked figures from {years.min()} to {years.max()} ({len(years)} dated" in said
    if n_undated:
        assert f", {n_undated} undated)" in said
    a, b = best_window()
    button = at.button(key="rank_same_period")
    assert button.label == f"Same period only: {a}–{b}"
    button.click().run()
    assert not at.exception
    assert at.query_params["years"] == f"{a}-{b}" and at.query_params["undated"] == "0"
    assert f"Only figures dated {a}–{b} are ranked" in texts(at)
    table = table_with(at, "Stars")
    assert table["Year"].astype(int).between(a, b).all()  # undated left out too
    at.button(key="rank_all_years").click().run()
    assert "years" not in at.query_params and "undated" not in at.query_params


# --- stars ------------------------------------------------------------------------------------


def hand_stars(clusters: pd.DataFrame, size: float = 75, mass: float = 75) -> dict[str, int]:
    """Stars by hand: percentile stars over the headline figures, momentum from the growth."""
    emp = rank_clusters(clusters, by="employees").set_index("cluster_id")["value"]
    firms = rank_clusters(clusters, by="firms").set_index("cluster_id")["value"]
    g_emp = cluster_growth(clusters, "employees", KIND).set_index("cluster_id")
    g_firms = cluster_growth(clusters, "firms", KIND).set_index("cluster_id")
    stars = {}
    for cid in clusters["cluster_id"].unique():
        n = 0
        n += cid in emp.index and percentile(emp, emp[cid]) >= size
        n += cid in firms.index and percentile(firms, firms[cid]) >= mass
        g = (
            g_emp.loc[cid]
            if cid in g_emp.index
            else g_firms.loc[cid]
            if cid in g_firms.index
            else None
        )
        n += g is not None and hand_cagr(g) > 0
        stars[cid] = int(n)
    return stars


def test_stars_column_recomputed_by_hand_and_explained(app):
    at = ranking_page(app)
    clusters = load_clusters()
    assert clusters["region_employment"].isna().all()  # so 3 stars at most
    expected = hand_stars(clusters)
    table = table_with(at, "Stars")
    r = rank_clusters(clusters, by="employees")
    names = dict(zip(r["cluster_name"], r["cluster_id"]))
    for name, shown in zip(table["Cluster"], table["Stars"]):
        n = expected[names[name]]
        assert shown == "★" * n + "☆" * (3 - n) + f" {n} of 3"
    # "explain this value": Dortmund's size star with its percentile, set size and threshold
    emp = r.set_index("cluster_id")["value"]
    pct = percentile(emp, emp["dortmund"])
    said = texts(at)
    assert (
        f"is at percentile {round(pct, 1):g} of {len(emp)} clusters with an employees figure"
        in said
    )
    assert "(≥ 75 needed)" in said
    assert "specialisation star needs the region's total employment" in said


def test_thresholds_edited_go_into_the_link_and_the_stars(app):
    at = ranking_page(app)
    at.number_input(key="w_rating_size").set_value(90.0).run()
    assert not at.exception
    assert at.query_params["rating"] == "size:90"
    expected = hand_stars(load_clusters(), size=90)
    r = rank_clusters(load_clusters(), by="employees")
    names = dict(zip(r["cluster_name"], r["cluster_id"]))
    table = table_with(at, "Stars")
    assert [int(s.split()[1]) for s in table["Stars"]] == [
        expected[names[n]] for n in table["Cluster"]
    ]
    at.number_input(key="w_rating_momentum").set_value(2.5).run()
    assert at.query_params["rating"] == "size:90,momentum:2.5"
    at.number_input(key="w_rating_size").set_value(75.0).run()  # back to the default: dropped
    assert at.query_params["rating"] == "momentum:2.5"


def test_map_tooltips_and_profile_carry_the_stars(app):
    app.query_params["sel"] = "dortmund"
    at = app.run()
    assert not at.exception
    expected = hand_stars(load_clusters())
    d = symbols(at)
    assert d["sn"] == 3 and len(d["st"]) == len(d["t"])
    clusters = load_clusters()
    ids = dict(zip(clusters["cluster_name"].map(html.escape), clusters["cluster_id"]))
    for name, stars in zip(d["t"], d["st"]):
        assert stars == expected[ids[name]]
    n = expected["dortmund"]
    assert f"{'★' * n}{'☆' * (3 - n)}** {n} of 3 stars" in texts(at)


# --- tick rows to compare ---------------------------------------------------------------------


def test_ticked_clusters_by_position():
    ids = ["twente", "berlin", "dortmund"]
    assert ticked_clusters(ids, [2, 0]) == ("twente", "dortmund")  # in table order
    assert ticked_clusters(ids, [1, 1, 7]) == ("berlin",)  # repeats once, stale rows ignored
    assert ticked_clusters(ids, []) == ()


def test_ticking_rows_opens_the_comparison(app):
    at = ranking_page(app)
    table = at.dataframe[0]
    button = at.button(key="rank_compare")
    assert button.disabled and button.label == "Compare the ticked clusters (0)"
    at.session_state[table.key] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert at.button(key="rank_compare").disabled  # one cluster is no comparison
    at.session_state[table.key] = {"selection": {"rows": [0, 2], "columns": [], "cells": []}}
    at.run()
    button = at.button(key="rank_compare")
    assert not button.disabled and button.label == "Compare the ticked clusters (2)"
    r = rank_clusters(load_clusters(), by="employees")
    button.click().run()
    assert not at.exception
    assert at.query_params["cmp"] == f"{r['cluster_id'].iloc[0]},{r['cluster_id'].iloc[2]}"


def test_star_marks():
    assert rating_panel.marks(2, 3) == "★★☆"
    assert rating_panel.stars_text(0, 4) == "☆☆☆☆ 0 of 4"
