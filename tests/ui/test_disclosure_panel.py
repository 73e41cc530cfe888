"""AppTest: a firm list's revealing figures never leave the session by any exit of the app.

Register (k = 3, dominance 85 %), numbers chosen to be found only where they leak:
Paderborn, 2 firms: 7001 + 503 = 7504 (confidential); Essen, 4 firms: 90001 + 11 +
23 + 31 = 90066 (one firm 99.9 %: confidential); Dortmund, 3 firms: 1111 + 2222 +
3333 = 6666 (shown).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP, PAGES, map_args, symbols, texts

from mstatlas.store import DatasetStore
from mstatlas.ui import keys
from mstatlas.ui.datasets import filters_key
from mstatlas.ui.urlstate import DEFAULT

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
).encode()
#: The two sums that must not be shown: as numbers in data (7504, also in a list) or
#: written for people (7,504 / 7.504), but not a coordinate in a list of them like the
#: basemap's ("…,7.504,17.114,…"), a digit run inside another number (51.7504) or an
#: outline's negative offset (-7504).
HIDDEN = re.compile(r"(?<![\d.-])(?:7504|90066)(?!\d)|(?<![\d.,-])(?:7[,.]504|90[,.]066)(?!\d)")


pytestmark = pytest.mark.usefixtures("public_address")


def uploaded(app: AppTest) -> AppTest:
    at = app.run()
    at.switch_page(f"{PAGES}/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("register.csv", REGISTER, "text/csv")).run()
    assert not at.exception
    return at


def on_map(at: AppTest) -> AppTest:
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("add_"))).click()
    at.run()
    at.switch_page(f"{PAGES}/map.py").run()
    assert not at.exception
    return at


def shown(at: AppTest) -> str:
    """Everything a run drew: texts, tables and the map's data."""
    tables = " ".join(df.value.to_csv() for df in at.dataframe)
    maps = " ".join(
        e.proto.json_args
        for e in at.get("component_instance")
        if e.proto.component_name.endswith("st_folium")
    )
    return "\n".join([texts(at), tables, maps])


def test_upload_report_tells_the_owner_which_clusters_are_confidential_and_why(app) -> None:
    at = uploaded(app)
    said = texts(at)
    assert "**Confidentiality**" in said
    assert "Employee figures of 2 groups are confidential (1 by the minimum frequency rule, " in (
        said
    )
    why = next(df.value for df in at.dataframe if "Why" in df.value.columns)
    assert list(why["Cluster"]) == ["Paderborn", "Essen"]
    assert list(why["Rule"]) == ["minimum frequency", "dominance"]
    assert "fewer than 3" in why["Why"].iloc[0] and "85 %" in why["Why"].iloc[1]
    assert "Only you see this list" in said


def test_every_page_and_download_of_the_owner_is_protected_until_they_switch_it_off(app) -> None:
    from mstatlas.ui.map_page import _map_html

    at = on_map(uploaded(app))
    ds_id = at.session_state["view"].dataset
    assert [v for v in symbols(at)["v"] if v] == [6666]
    html = _map_html(ds_id, filters_key(DEFAULT.filters()), "employees", None, (None,) * 3, "t")
    assert "6666" in html and not HIDDEN.search(html)  # the map download
    for page in ("ranking", "sources", "countries", "present"):
        at.switch_page(f"{PAGES}/{page}.py").run()
        assert not at.exception
        assert not HIDDEN.search(shown(at)), page  # tables the CSV/XLSX/chart downloads repeat
    said = texts(at.switch_page(f"{PAGES}/sources.py").run())
    assert "**Confidentiality.** Employee figures of 2 clusters are confidential." in said
    assert "Which figures are confidential, and why (only you see this)" in [
        e.label for e in at.expander
    ]

    at.toggle(key=keys.disclosure_switch(ds_id)).set_value(False).run()  # the owner's choice
    assert "Disclosure control is off for your own view" in texts(at)
    at.switch_page(f"{PAGES}/map.py").run()
    assert sorted(v for v in symbols(at)["v"] if v) == [6666, 7504, 90066]
    at.toggle(key=keys.disclosure_switch(ds_id)).set_value(True).run()
    assert [v for v in symbols(at)["v"] if v] == [6666]


def test_embed_shows_only_what_a_share_would_show_even_to_the_owner(app) -> None:
    at = on_map(uploaded(app))
    ds_id = at.session_state["view"].dataset
    at.toggle(key=keys.disclosure_switch(ds_id)).set_value(False).run()
    assert sorted(v for v in symbols(at)["v"] if v) == [6666, 7504, 90066]
    embed = AppTest.from_file(APP, default_timeout=90)
    embed.session_state[keys.MY_DATASETS] = {ds_id: "register"}  # the owner's own session …
    embed.session_state[keys.DISCLOSURE_OFF] = {ds_id}  # … with disclosure control off
    embed.session_state[keys.VIEW] = DEFAULT.with_(dataset=ds_id, embed=True)  # in an iframe
    embed.run()
    assert not embed.exception
    assert "open the full atlas for sources and profiles" in texts(embed)  # the embed page
    assert [v for v in symbols(embed)["v"] if v] == [6666]
    assert not HIDDEN.search(shown(embed))


def test_someone_else_opening_an_unshared_upload_sees_it_as_a_share(app) -> None:
    at = on_map(uploaded(app))
    ds_id = at.session_state["view"].dataset
    other = AppTest.from_file(APP, default_timeout=90)
    other.query_params["ds"] = ds_id  # the owner's address bar, copied
    other.run()
    assert not other.exception
    assert [v for v in symbols(other)["v"] if v] == [6666]
    # no firm layer to draw: firm rows stay with the owner (the language switch is no layer)
    assert [g.key for g in other.get("button_group")] == [keys.view_widget("lang")]
    assert not HIDDEN.search(shown(other))
    assert '"g":' not in map_args(other)["feature_group"]


@pytest.mark.parametrize("keep_firms", [False, True])
def test_share_stores_protected_figures_and_firm_rows_only_when_ticked(
    app, tmp_path, keep_firms
) -> None:
    at = on_map(uploaded(app))
    box = at.checkbox(key=keys.SHARE_FIRM_ROWS)
    assert box.value is False  # default off
    if keep_firms:
        box.check().run()
        assert "Anyone with the link will see every firm of your list" in texts(at)
    at.button(key="share_dataset").click().run()
    assert not at.exception
    shared_id = at.session_state["view"].dataset
    store = DatasetStore(f"sqlite:///{tmp_path / 'share.sqlite'}")
    try:
        got = store.load(shared_id)
    finally:
        store.close()
    assert not HIDDEN.search(pd.DataFrame(got.clusters.drop(columns="geometry")).to_csv())
    assert got.disclosure is not None and got.disclosure["confidential"] == ["paderborn", "essen"]
    assert (got.firms is not None) is keep_firms
    assert got.disclosure["firm_rows"] is keep_firms
