"""AppTest: the Firm clusters page on an uploaded firm list (detection controls, link,
tables, mix, confidentiality)."""

from __future__ import annotations

import dataclasses
import json
import re
from io import StringIO

import pandas as pd
import pytest
from ui.app_helpers import PAGES, map_args, texts

from mstatlas.mapping.outlines import OUTLINE_COLOUR
from mstatlas.store import get_store
from mstatlas.store.dataset import shared_from_dataset
from mstatlas.ui import firm_cluster_panel, firm_clusters_data, keys
from mstatlas.ui.datasets import get_dataset, register_upload
from mstatlas.ui.urlstate import parse_query, to_query

PAGE = f"{PAGES}/firm_clusters.py"


def firm_list() -> bytes:
    """Eight firms around Dortmund and six around Munich (neighbours about 0.3-0.6 km
    apart), a pair in Hamburg 130 m apart with 1,013 and 2,029 employees (together
    3,042), and two firms with a city only, placed at Berlin's centre by geocoding."""
    rows = ["name,city,country,lat,lon,employees,technology"]
    for i in range(8):
        lat, lon = 51.50 + 0.004 * (i % 3), 7.45 + 0.004 * (i // 3)
        tech = "MEMS" if i % 2 else "optics"
        rows.append(f"A{i},Dortmund,DE,{lat:.3f},{lon:.3f},{40 + i},{tech}")
    for i in range(6):
        lat, lon = 48.14 + 0.004 * (i % 3), 11.58 + 0.004 * (i // 3)
        rows.append(f"B{i},München,DE,{lat:.3f},{lon:.3f},{50 + i},MEMS")
    rows += [
        "P0,Hamburg,DE,53.55,9.99,1013,microfluidics",
        "P1,Hamburg,DE,53.551,9.991,2029,microfluidics",
        "C0,Berlin,DE,,,5,MEMS",
        "C1,Berlin,DE,,,6,MEMS",
    ]
    return ("\n".join(rows) + "\n").encode()


#: The Hamburg pair's employee sum, however it might be written.
PAIR_SUM = re.compile(r"(?<![\d.])3[,.\u202f ]?042(?![\d])")


pytestmark = pytest.mark.usefixtures("own_database")


def uploaded(at):
    """Upload the firm list, add it to the atlas and open the Firm clusters page."""
    at.switch_page(f"{PAGES}/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("firms.csv", firm_list(), "text/csv")).run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("add_"))).click()
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def layers(at) -> list[dict]:
    """Every polygon layer's data on the map (outlines and density)."""
    fg = map_args(at)["feature_group"]
    found = []
    for m in re.finditer(r"var D = (\{.*?\});\n", fg):
        data = json.loads(m.group(1).replace("<\\/", "</"))
        if "fc" in data:
            found.append(data)
    return found


def outlines(at) -> list[dict]:
    return [f for d in layers(at) if d["stroke"] == OUTLINE_COLOUR for f in d["fc"]["features"]]


def clusters_table(at) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if "Cities joined" in df.value.columns)


def everything_shown(at) -> str:
    """All text, tables and the map's script of a run."""
    tables = "\n".join(df.value.to_csv() for df in at.dataframe)
    return "\n".join([texts(at), tables, json.dumps(map_args(at))])


def test_without_a_firm_list_the_page_says_how_to_get_one(app):
    at = app.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "This dataset has no firm list" in texts(at)
    assert "upload a firm list" in texts(at).lower()
    assert at.get("page_link")[0].proto.page == "upload"


def test_two_centres_give_two_clusters_with_outlines_and_the_city_grouping(app):
    at = uploaded(app.run())
    table = clusters_table(at)
    assert list(table["Cluster"]) == ["Dortmund", "München"]
    assert list(table["Firms"]) == [8, 6]
    # 40+…+47 and 50+…+55, summed by hand
    assert list(table["Employees"]) == ["348", "315"]
    assert [f["properties"]["i"] for f in outlines(at)] == [0, 1]
    shown = texts(at)
    assert (
        "DBSCAN, radius 15 km, at least 5 firms; 2 firms left out: positions are city centres"
        in shown
    )
    assert "Positions of 2 firms are city centres" in shown
    crosswalk = next(df.value for df in at.dataframe if "Isolated" in df.value.columns)
    by_city = crosswalk.set_index("City")
    assert by_city.loc["Hamburg", "Isolated"] == 2
    assert by_city.loc["Berlin", "Left out"] == 2
    assert by_city.loc["Dortmund", "Detected clusters"] == "Dortmund 8"


def test_changing_the_radius_reruns_the_detection_and_the_link_follows(app):
    at = uploaded(app.run())
    at.number_input(key=keys.view_widget("detect_radius_km")).set_value(0.1).run()
    assert not at.exception
    assert at.query_params["dr"] == "0.1"
    assert "No firm has 5 firms within 0.1 km" in texts(at)
    assert outlines(at) == []
    at.number_input(key=keys.view_widget("detect_radius_km")).set_value(15.0).run()
    assert "dr" not in at.query_params  # the default leaves the link
    assert len(outlines(at)) == 2


def test_the_link_sets_the_parameters():
    view, notices = parse_query({"dr": "2.5", "dmin": "3"})
    assert (view.detect_radius_km, view.detect_min_firms, notices) == (2.5, 3, [])
    assert to_query(view) == {"dr": "2.5", "dmin": "3"}
    view, notices = parse_query({"dmin": "1"})
    assert view.detect_min_firms == 5
    assert notices == [
        "Ignored link parameter dmin='1': expected a whole number from 2 to 10,000. "
        "Using the default (5)."
    ]


def test_a_two_firm_clusters_employee_sum_never_appears(app):
    at = uploaded(app.run())
    at.number_input(key=keys.view_widget("detect_min_firms")).set_value(2).run()
    assert not at.exception
    table = clusters_table(at).set_index("Cluster")
    assert table.loc["Hamburg", "Firms"] == 2
    assert table.loc["Hamburg", "Employees"] == "confidential"
    # the uploader is told why
    assert "fewer than 3" in table.loc["Hamburg", "Why confidential"]
    at.selectbox(key=keys.FIRM_CLUSTER).set_value("hamburg").run()
    assert "**confidential** employees" in texts(at)
    assert not PAIR_SUM.search(everything_shown(at))
    hamburg = [f for f in outlines(at) if "Hamburg" in f["properties"]["t"]]
    assert "employees confidential" in hamburg[0]["properties"]["t"]


def test_the_picked_cluster_shows_its_mix_with_location_quotients(app):
    at = uploaded(app.run())
    at.selectbox(key=keys.FIRM_CLUSTER).set_value("dortmund").run()
    assert not at.exception
    mix = next(df.value for df in at.dataframe if "LQ" in df.value.columns).set_index("Technology")
    # Dortmund: 4 MEMS, 4 optics of 8. The list: 12 MEMS, 4 optics, 2 microfluidics of 18.
    # LQ optics = (4/8) / (4/18) = 2.25; MEMS = (4/8) / (12/18) = 0.75.
    # written as the page writes numbers (German: 2,25)
    assert mix.loc["optics", "LQ"] == "2.25"
    assert mix.loc["MEMS", "LQ"] == "0.75"
    assert len(at.get("vega_lite_chart")) == 1
    largest = next(df.value for df in at.dataframe if "Size class" in df.value.columns)
    assert list(largest["Firm"]) == ["A7", "A6", "A5", "A4", "A3"]
    assert list(largest["Employees"]) == [
        "47",
        "46",
        "45",
        "44",
        "43",
    ]  # the uploader's own session
    assert "Head counts are shown because you uploaded this list" in texts(at)


def test_whoever_opens_a_share_sees_no_reasons_no_head_counts_and_no_small_outline(app):
    at = uploaded(app.run())
    at.number_input(key=keys.view_widget("detect_min_firms")).set_value(2).run()
    ds = get_dataset(at.session_state[keys.VIEW].dataset)
    # shared with its firm rows (the owner opted in), opened in a session that did not upload it
    saved = get_store().save(shared_from_dataset(ds, keep_firms=True))
    at.session_state[keys.MY_DATASETS] = {}
    at.session_state[keys.VIEW] = at.session_state[keys.VIEW].with_(dataset=saved.id)
    at.run()
    at.selectbox(key=keys.FIRM_CLUSTER).set_value("dortmund").run()
    assert not at.exception
    table = clusters_table(at)
    assert "Why confidential" not in table.columns
    assert table.set_index("Cluster").loc["Hamburg", "Employees"] == "confidential"
    largest = next(df.value for df in at.dataframe if "Size class" in df.value.columns)
    assert "Employees" not in largest.columns
    assert [f["properties"]["t"].split("</b>")[0] for f in outlines(at)] == [
        "<b>Dortmund",
        "<b>München",
    ]  # Hamburg's 2 firms are fewer than k = 3: its outline is not sent
    assert '"e":[' not in map_args(at)["feature_group"]  # no head count in the firm dots
    assert not PAIR_SUM.search(everything_shown(at))


def test_k_can_be_raised_on_the_page_but_not_below_the_servers_setting(app, monkeypatch):
    monkeypatch.setenv("MSTATLAS_MIN_FIRMS", "7")
    at = uploaded(app.run())
    k = at.number_input(key=keys.FIRM_MIN_CONTRIBUTORS)
    assert (k.value, k.min) == (7, 7)
    # München has 6 firms: below k = 7 its figure is confidential
    assert list(clusters_table(at)["Employees"]) == ["348", "confidential"]
    k.set_value(9).run()
    assert list(clusters_table(at)["Employees"]) == ["confidential", "confidential"]


def test_the_download_is_protected_and_says_what_it_counts(app):
    at = uploaded(app.run())
    at.number_input(key=keys.view_widget("detect_min_firms")).set_value(2).run()
    ds_id = at.session_state[keys.VIEW].dataset
    prot = firm_clusters_data.protected(ds_id, 15.0, 2, 3, 85.0)
    data = firm_cluster_panel.download_csv(ds_id, 15.0, 2, prot, "DBSCAN, radius 15 km", "f.csv")
    assert data.startswith("\ufeff".encode())  # the formula-safe export's file form
    text = data.decode("utf-8-sig")
    assert not PAIR_SUM.search(text)
    table = pd.read_csv(StringIO(text)).set_index("cluster_name")
    assert table.loc["Hamburg", "employees_status"] == "confidential"
    assert pd.isna(table.loc["Hamburg", "employees"])
    assert pd.isna(table.loc["Hamburg", "outline_wkt"])  # 2 firms: its corners would be theirs
    assert table.loc["Dortmund", "employees"] == 348
    assert table.loc["Dortmund", "outline_wkt"].startswith("POLYGON")
    assert table.loc["Dortmund", "source"] == "f.csv"
    assert table.loc["Dortmund", "detection"] == "DBSCAN, radius 15 km"
    note = table.loc["Dortmund", "confidentiality"]
    assert note == prot.public_note() and "1 cluster" in note  # how many, not which


def test_a_firm_list_shared_without_its_rows_says_so(app):
    at = uploaded(app.run())
    ds_id = at.session_state[keys.VIEW].dataset
    ds = get_dataset(ds_id)
    rowless = dataclasses.replace(ds, id="u-rowless-test", firms=None, shared=True)
    register_upload(rowless)
    at.session_state[keys.VIEW] = at.session_state[keys.VIEW].with_(dataset=rowless.id)
    at.run()
    assert not at.exception
    assert "shared without its firm rows" in texts(at)
