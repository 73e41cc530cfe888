"""AppTest: upload → map and ranking; bad files; share → reopen; embed; presentation."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from ui.app_helpers import PAGES, map_args, symbols, texts

from mstatlas import load_clusters, rank_clusters
from mstatlas.ui import keys
from mstatlas.ui.upload_page import NOT_USED

GERMAN_FIRMS = (
    "Firma;Stadt;Land;Beschäftigte;Technologie\n"
    "Mikro GmbH;München;Deutschland;1.020;MEMS\n"
    "Nano AG;München;Deutschland;80;Mikrofluidik\n"
    "<script>alert(1)</script>;Göteborg;Schweden;12;MEMS\n"
    "Optik KG;Besançon;Frankreich;;Mikrooptik\n"
    "Bad Firma;Dortmund;Deutschland;-5;MEMS\n"
    ";;;;\n"
).encode("cp1252")


pytestmark = pytest.mark.usefixtures("public_address")


def upload(at, name: str, content: bytes, mime: str = "text/csv"):
    at.switch_page(f"{PAGES}/upload.py").run()
    at.file_uploader(key="upload_file").set_value((name, content, mime)).run()
    return at


def show_on_map(at):
    """Press the upload page's "Show on the map" button."""
    at.button(
        key=next(b.key for b in at.button if b.key and b.key.startswith("add_"))
    ).click().run()
    return at


def test_upload_german_firm_list_lands_on_map_and_ranking(app):
    at = upload(app.run(), "firmen.csv", GERMAN_FIRMS)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Rows in file": "5", "Imported": "4", "Rejected": "1", "Warnings": "0"}
    problems = at.dataframe[0].value
    assert list(problems["row"]) == [6] and "negative" in problems["reason"].iloc[0]
    assert "encoding 'cp1252'" in texts(at) and "separator ';'" in texts(at)
    show_on_map(at)
    assert not at.exception
    ds_id = at.session_state["view"].dataset
    assert ds_id.startswith("u-")
    at.switch_page(f"{PAGES}/map.py").run()
    data = symbols(at)
    # disclosure control by default: München's 2 firms and Göteborg's 1 are confidential
    assert [v for v in data["v"] if v is not None] == []
    switch = at.toggle(key=keys.disclosure_switch(ds_id))
    assert switch.value is True
    switch.set_value(False).run()  # the owner's own figures
    assert not at.exception
    data = symbols(at)
    assert sorted(v for v in data["v"] if v is not None) == [12, 1100]
    assert len(data["lat"]) == 3  # München, Göteborg, Besançon
    joined = " ".join(data["t"])
    assert "<script>" not in joined  # the firm name never reaches the page as markup
    # the default dataset is still there
    assert "MST clusters in Europe (sourced)" in at.selectbox(key="w_dataset").options
    at.switch_page(f"{PAGES}/ranking.py").run()
    table = at.dataframe[0].value
    assert list(table["Cluster"])[:2] == ["München", "Göteborg"]


def test_firm_list_can_be_drawn_as_firm_points(app):
    at = upload(app.run(), "firmen.csv", GERMAN_FIRMS)
    show_on_map(at)
    at.switch_page(f"{PAGES}/map.py").run()
    fg = map_args(at)["feature_group"]
    assert '"cats":' in fg and '"g":' not in fg  # aggregated clusters only
    control = at.get("button_group")[0]
    control.set_value("firms").run()
    assert not at.exception
    fg = map_args(at)["feature_group"]
    assert '"g":' in fg and '"cats":' not in fg  # firm points only
    assert at.query_params["layer"] == "firms"
    assert "MEMS (2)" in " ".join(str(h.proto.body) for h in at.get("html"))
    at.get("button_group")[0].set_value("both").run()
    fg = map_args(at)["feature_group"]
    assert '"g":' in fg and '"cats":' in fg


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("garbage.csv", bytes(range(256)) * 40, "does not look like a table"),
        ("empty.csv", b"", "is empty"),
        ("header.csv", b"name;city;firms\n", "header"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 50, "damaged"),
    ],
)
def test_bad_files_give_a_message_and_keep_the_current_dataset(app, name, content, message):
    at = app.run()
    at.multiselect(key="w_countries").select("DE").run()
    at = upload(at, name, content)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert message.lower() in errors.lower(), errors
    assert "Nothing was changed" in texts(at)
    assert at.session_state["view"].dataset == "default"
    assert at.session_state["view"].countries == ("DE",)


def test_share_upload_and_reopen_from_link(app):
    from streamlit.testing.v1 import AppTest
    from ui.app_helpers import APP

    at = upload(app.run(), "firmen.csv", GERMAN_FIRMS)
    show_on_map(at)
    at.switch_page(f"{PAGES}/map.py").run()
    at.button(key="share_dataset").click().run()
    assert not at.exception
    shared_id = at.session_state["view"].dataset
    assert len(shared_id) == 22 and not shared_id.startswith("u-")
    assert at.query_params["ds"] == shared_id
    links = [c.value for c in at.code]
    assert any(link.startswith(f"https://atlas.example.org/?ds={shared_id}") for link in links)
    # a new visitor (new session) opens the link
    other = AppTest.from_file(APP, default_timeout=90)
    other.query_params["ds"] = shared_id
    other.query_params["sel"] = "munchen"
    other.run()
    assert not other.exception
    # shared with disclosure control: München's 2 firms and Göteborg's 1 show no employee sum
    assert [v for v in symbols(other)["v"] if v] == []
    assert len(symbols(other)["lat"]) == 3
    assert "München" in texts(other) and "1,100" not in texts(other)


def test_owner_can_delete_a_shared_dataset(app):
    from streamlit.testing.v1 import AppTest
    from ui.app_helpers import APP

    at = show_on_map(upload(app.run(), "firmen.csv", GERMAN_FIRMS))
    at.switch_page(f"{PAGES}/map.py").run()
    at.button(key="share_dataset").click().run()
    shared_id = at.session_state["view"].dataset
    at.button(key="delete_shared").click().run()
    assert not at.exception
    assert at.session_state["view"].dataset == "default"
    other = AppTest.from_file(APP, default_timeout=90)
    other.query_params["ds"] = shared_id
    other.run()
    assert other.session_state["view"].dataset == "default"
    assert any(
        "No shared dataset" in w.value or "not found" in w.value.lower() for w in other.warning
    )


def test_unknown_shared_id_falls_back_with_notice(app):
    app.query_params["ds"] = "AAAAAAAAAAAAAAAAAAAAAA"
    at = app.run()
    assert not at.exception
    assert len(symbols(at)["lat"]) == 26  # default dataset
    assert at.session_state["view"].dataset == "default"


def test_presentation_steps_through_the_ranking(app):
    app.query_params["by"] = "employees"
    app.query_params["top"] = "5"
    at = app.run()
    at.switch_page(f"{PAGES}/present.py").run()
    assert not at.exception
    assert "Top 5 MST clusters by employees" in texts(at)
    at.button(key="present_next").click().run()
    ranking = rank_clusters(load_clusters(), by="employees")
    first, second = ranking.iloc[0], ranking.iloc[1]
    assert f"#1 {first['cluster_name']}" in texts(at)
    v = at.session_state["view"]
    assert (v.slide, v.selected, v.zoom) == (1, first["cluster_id"], 6)
    pin = load_clusters().set_index("cluster_id").loc[[first["cluster_id"]], ["lat", "lon"]].iloc[0]
    assert map_args(at)["center"] == [pin["lat"], pin["lon"]] and map_args(at)["zoom"] == 6
    at.button(key="present_next").click().run()
    assert f"#2 {second['cluster_name']}" in texts(at)
    at.button(key="present_prev").click().run()
    assert at.session_state["view"].slide == 1
    assert at.query_params["slide"] == "1"


def test_coming_back_to_the_presentation_shows_the_slide_cluster(app):
    at = app.run()
    at.switch_page(f"{PAGES}/present.py").run()
    at.button(key="present_next").click().run()
    first = rank_clusters(load_clusters(), by="employees").iloc[0]
    pin = load_clusters().set_index("cluster_id").loc[[first["cluster_id"]], ["lat", "lon"]].iloc[0]
    assert (at.session_state["view"].lat, at.session_state["view"].zoom) == (pin["lat"], 6)
    at.switch_page(f"{PAGES}/map.py").run()
    # the person pans the map elsewhere (the map component reports the new view)
    at.session_state["view"] = at.session_state["view"].with_(lat=40.0, lon=-3.0, zoom=3)
    at.run()
    at.switch_page(f"{PAGES}/present.py").run()
    v = at.session_state["view"]
    assert (v.slide, v.lat, v.lon, v.zoom) == (1, pin["lat"], pin["lon"], 6)
    assert f"#1 {first['cluster_name']}" in texts(at)


def test_long_firm_list_shows_a_page_of_geocoded_rows(app):
    rows = "".join(f"Firma {i};München;Deutschland;{i % 50}\n" for i in range(3000))
    content = (
        "Firma;Stadt;Land;Mitarbeiter\n" + rows + "Letzte;Nirgendwohausen;Deutschland;1\n"
    ).encode()
    at = upload(app.run(), "firmen.csv", content)
    assert not at.exception
    assert "Showing 1,001 of 3,001 geocoded rows: 1 to review and the first 1,000 placed" in texts(
        at
    )
    editor = next(d.value for d in at.dataframe if "matched" in d.value.columns)
    assert len(editor) == 1001
    assert editor["city"].iloc[0] == "Nirgendwohausen"  # the row to review comes first


def test_corrections_from_the_geocoding_editor():
    from mstatlas.ui.upload_page import _corrections

    shown = pd.DataFrame(
        {
            "row": [2, 3, 4, 5],
            "lat": [48.1, 57.7, 51.5, float("nan")],
            "lon": [11.6, 12.0, 7.5, float("nan")],
        }
    )
    edited = shown.copy()
    edited.loc[0, "lat"] = 48.2  # moved
    edited.loc[2, "lat"] = 123.0  # impossible
    edited.loc[3, ["lat", "lon"]] = [50.0, 8.0]  # a failed row placed by hand
    changed, invalid = _corrections(shown, edited)
    assert changed == {2: (48.2, 11.6), 5: (50.0, 8.0)}
    assert invalid == [(4, 123.0, 7.5)]


def test_many_problems_show_a_page_and_download_every_one(app):
    bad = "".join(f"C{i},Bonn,50.7,7.1,-{i + 1}\n" for i in range(6000))
    content = ("name,city,lat,lon,firms\nGood,Bonn,50.7,7.1,3\n" + bad).encode()
    at = upload(app.run(), "clusters.csv", content)
    assert not at.exception
    assert "Showing the first 5,000 of 6,000 problems" in texts(at)
    assert len(at.dataframe[0].value) == 5000
    at.run()  # a rerun reuses the report made for this read
    assert "Showing the first 5,000 of 6,000 problems" in texts(at)
    assert any(b.label == "Download validation report (CSV)" for b in at.get("download_button"))
    ((_result, _table, report_csv),) = at.session_state["_upload_report_tables"].values()
    assert report_csv.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    assert report_csv.decode("utf-8-sig").count("\n") == 6001  # header + every problem


def test_opening_the_upload_page_warms_the_reader_up(app, monkeypatch):
    import threading

    from mstatlas.ui import upload_page

    called = threading.Event()
    monkeypatch.setattr(upload_page, "warm_up", called.set)
    upload_page._warm_up_started.clear()
    at = app.run()
    assert not called.is_set()  # the map page does not load the reader's indexes
    at.switch_page(f"{PAGES}/upload.py").run()
    assert not at.exception
    assert called.wait(timeout=10)  # started in the background by the upload page
    upload_page._warm_up_started.clear()  # later tests start their own


def _two_sheet_workbook() -> bytes:
    import io

    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    first.title = "Cluster"
    first.append(["Bezeichnung", "Stadt", "Land", "Anzahl"])
    first.append(["MST Dortmund", "Dortmund", "DE", 39])
    second = wb.create_sheet("Firmen")
    second.append(["Firma", "Ort", "Land", "Mitarbeiter"])
    second.append(["Mikro GmbH", "Dortmund", "DE", 120])
    second.append(["Nano AG", "Dortmund", "DE", 80])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_column_choices_belong_to_one_sheet_of_a_workbook(app):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = upload(app.run(), "atlas.xlsx", _two_sheet_workbook(), xlsx)
    assert not at.exception
    assert (
        at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("sheet_"))).value
        == "Cluster"
    )
    firms_box = next(s for s in at.selectbox if s.key and s.key.endswith("_firms"))
    firms_box.select("Anzahl").run()  # "Anzahl" is not a recognised name: the person maps it
    assert not at.exception
    assert list(at.dataframe[-1].value["firms"]) == [39]
    sheet_box = at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("sheet_")))
    sheet_box.select("Firmen").run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert "Read as **a firm list**" in texts(at)  # detected afresh, not the Cluster sheet's choice
    assert at.text_input(
        key=next(t.key for t in at.text_input if t.key.startswith("title_"))
    ).value == ("atlas – Firmen")
    at.selectbox(key=sheet_box.key).select("Cluster").run()
    assert list(at.dataframe[-1].value["firms"]) == [39]  # the first sheet's choice is kept


def test_a_column_chosen_by_hand_is_used_and_can_be_undone(app):
    content = "Name;Stadt;Land;Firmen;Beschäftigte\nMST.factory;Dortmund;DE;39;2100\n".encode()
    at = upload(app.run(), "cluster.csv", content)
    box = {s.key.rsplit("_", 1)[-1]: s for s in at.selectbox if s.key and s.key.startswith("map_")}
    assert box["firms"].value == "Firmen" and box["employees"].value == "Beschäftigte"
    box["employees"].select("Firmen").run()  # the person says "Firmen" holds employees
    assert not at.exception
    box = {s.key.rsplit("_", 1)[-1]: s for s in at.selectbox if s.key and s.key.startswith("map_")}
    assert box["employees"].value == "Firmen"
    assert box["firms"].value == NOT_USED  # one column feeds one field: shown, not hidden
    preview = at.dataframe[-1].value
    assert list(preview["employees"]) == [39] and preview["firms"].isna().all()
    reset = next(b for b in at.button if b.key and b.key.startswith("map_reset_"))
    reset.click().run()
    assert not at.exception
    preview = at.dataframe[-1].value
    assert list(preview["firms"]) == [39] and list(preview["employees"]) == [2100]
    assert not any(b.key and b.key.startswith("map_reset_") for b in at.button)


def test_presentation_of_an_upload_without_kinds_presents_it_by_default(app):
    content = ("Name;Stadt;Land;Beschäftigte\nAlpha;Dortmund;DE;2100\nBeta;Jena;DE;900\n").encode()
    at = show_on_map(upload(app.run(), "cluster.csv", content))
    at.switch_page(f"{PAGES}/present.py").run()
    assert not at.exception
    said = texts(at)
    assert "Nothing to present" not in said
    assert "Comparing figures that do not say what they count, as one kind." in said
    assert at.session_state["view"].mixed is False  # like with like: one kind, "not stated"
    at.button(key="present_next").click().run()
    said = texts(at)
    assert "#1 Alpha" in said and "counts not stated" in said


def test_a_workbook_with_an_explanation_sheet_in_front_preselects_the_table(app):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Info"
    wb.active.append(["Dieses Blatt enthält nur Erläuterungen zu den Daten."])
    data = wb.create_sheet("Daten")
    data.append(["Name", "Stadt", "Land", "Firmen"])
    data.append(["MST Dortmund", "Dortmund", "DE", 39])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at = upload(app.run(), "atlas.xlsx", buf.getvalue(), xlsx)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    box = at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("sheet_")))
    assert box.options == ["Info", "Daten"] and box.value == "Daten"
    assert "sheet 'Daten'" in texts(at)
    assert list(at.dataframe[-1].value["firms"]) == [39]


def test_presentation_overview_keeps_shared_ranks_and_says_what_each_figure_is(app):
    app.query_params["mixed"] = "1"
    app.query_params["by"] = "firms"
    app.query_params["top"] = "15"
    at = app.run()
    at.switch_page(f"{PAGES}/present.py").run()
    assert not at.exception
    said = texts(at)
    assert "Top 15 MST clusters by firms" in said
    assert "Firms (circle area)" in " ".join(str(h.proto.body) for h in at.get("html"))
    values = [v for v in symbols(at)["v"] if v is not None]
    assert 40 in values and 2100 not in values  # Dortmund sized by its firms, not employees
    overview = next(m.value for m in at.markdown if m.value.startswith("- **"))
    lines = overview.splitlines()
    ranks = [line.split("**")[1] for line in lines]
    full = rank_clusters(load_clusters(), by="firms", counts=None)
    shared = sorted({int(r) for r, t in zip(full["rank"], full["tied"]) if t and r <= 15})
    assert ranks[0] == "1" and shared and all(f"={r}" in ranks for r in shared)
    assert all(re.search(r"\((\d{4}|undated), [^;]+; .+\)$", line) for line in lines)
    if len(lines) > 15:
        assert f"Ties share a rank, so {len(lines)} clusters are listed." in said


def test_missing_columns_are_named_and_can_be_chosen_right_there(app):
    content = b"Etikett;Platz;Firmen\nMST.factory;Dortmund;39\n"
    at = upload(app.run(), "unknown.csv", content)
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "no column with cluster names and neither coordinates nor a city column" in errors
    assert "Nothing was changed" in texts(at)
    box = {s.key.rsplit("_", 1)[-1]: s for s in at.selectbox if s.key and s.key.startswith("map_")}
    assert box["name"].value == NOT_USED and box["firms"].value == "Firmen"
    box["name"].select("Etikett").run()  # still no place: the message narrows to what is missing
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "neither coordinates nor a city column" in errors and "cluster names" not in errors
    box = {s.key.rsplit("_", 1)[-1]: s for s in at.selectbox if s.key and s.key.startswith("map_")}
    box["city"].select("Platz").run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    preview = at.dataframe[-1].value
    assert list(preview["cluster_name"]) == ["MST.factory"] and list(preview["firms"]) == [39]
