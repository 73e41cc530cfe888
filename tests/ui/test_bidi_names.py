"""AppTest: a cluster name holding U+202E is shown without it on every page that names it.

U+202E (RIGHT-TO-LEFT OVERRIDE) draws what follows reversed: "Spoof\u202egnp.exe"
would read "Spoofexe.png". The upload keeps the name as the file stores it; the
pages draw it without the control, in the order it is stored.
"""

from __future__ import annotations

import json
import re

import pytest
from ui.app_helpers import PAGES, symbols, texts

RLO = "\u202e"
SPOOF = f"Spoof{RLO}gnp.exe"
SHOWN = "Spoofgnp.exe"  # what a reader sees: the stored letters, in stored order
#: The controls, raw or as a JSON escape.
CONTROL = re.compile(
    r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]|\\u(?:202[a-e]|206[6-9]|200[ef]|061c)", re.I
)
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
CLUSTERS = (
    "name,city,country,lat,lon,firms,employees,year,counts_what,source\n"
    f"{SPOOF},Dortmund,DE,51.51,7.47,39,2100,2007,cluster_firms,Paper \u2067A\u2069\n"
    "Plain cluster,Berlin,DE,52.52,13.40,20,800,2010,cluster_firms,Paper B\n"
).encode()


pytestmark = pytest.mark.usefixtures("own_database")


@pytest.fixture
def uploaded(app):
    """The app with the two clusters uploaded and in view."""
    at = app.run()
    at.switch_page(f"{PAGES}/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("spoof.csv", CLUSTERS, "text/csv")).run()
    assert not at.exception
    preview = at.dataframe[-1].value
    assert SHOWN in list(preview["cluster_name"])  # the upload's preview
    assert not CONTROL.search(preview.to_json(force_ascii=False))
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("add_"))).click()
    at.run()
    assert not at.exception
    return at


def test_map_tooltip_picker_and_profile_show_the_name_without_the_control(uploaded):
    at = uploaded
    at.switch_page(f"{PAGES}/map.py").run()
    names = symbols(at)["t"]
    assert SHOWN in names and not CONTROL.search(json.dumps(names))
    picker = at.selectbox(key="w_selected")
    assert SHOWN in picker.options and not any(RLO in o for o in picker.options)
    picker.select_index(picker.options.index(SHOWN)).run()
    assert not at.exception
    shown = texts(at)
    assert SHOWN in shown and not CONTROL.search(shown)


def test_ranking_table_and_chart_show_the_name_without_the_control(uploaded):
    at = uploaded
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert SHOWN in list(table["Cluster"])
    assert not CONTROL.search(table.to_json(force_ascii=False))
    chart = at.get("vega_lite_chart")[0].proto
    assert "Spoofgnp.exe" in chart.spec
    assert not CONTROL.search(chart.spec + chart.alt)
    arrow = b"".join(d.data.data for d in chart.datasets) + chart.data.data
    assert not any(c.encode("utf-8") in arrow for c in CONTROLS)


def test_compare_page_names_the_cluster_without_the_control(uploaded):
    at = uploaded
    at.switch_page(f"{PAGES}/compare.py").run()
    picker = at.multiselect(key="w_compare")
    assert SHOWN in picker.options and not any(RLO in o for o in picker.options)
