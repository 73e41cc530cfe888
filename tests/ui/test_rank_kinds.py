"""AppTest: like with like on the Ranking page; the mixed switch belongs to its dataset."""

from __future__ import annotations

import pytest
from ui.app_helpers import PAGES, texts

NO_KINDS = b"name,city,country,employees\nAlpha,Dortmund,DE,2100\nBeta,Jena,DE,900\n"
CAVEAT = "Mixed kinds of figures"


pytestmark = pytest.mark.usefixtures("own_database")


def upload_and_show(at, content: bytes = NO_KINDS, name: str = "cluster.csv"):
    """Upload a file on the *Your data* page and press "Show on the map"."""
    at.switch_page(f"{PAGES}/upload.py").run()
    at.file_uploader(key="upload_file").set_value((name, content, "text/csv")).run()
    assert not at.exception
    at.button(
        key=next(b.key for b in at.button if b.key and b.key.startswith("add_"))
    ).click().run()
    assert not at.exception
    assert at.session_state["view"].dataset.startswith("u-")
    return at


def warnings(at) -> str:
    return "\n".join(str(w.value) for w in at.warning)


def test_an_upload_without_a_counts_column_is_ranked_by_default(app):
    at = upload_and_show(app.run())
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Cluster"]) == ["Alpha", "Beta"]  # 2,100 before 900 employees
    assert list(table["Rank"]) == ["1", "2"]
    assert set(table["Counts"]) == {"Not stated"}
    said = texts(at)
    assert "This dataset does not say what its figures count; they are ranked together" in said
    assert CAVEAT not in said
    assert warnings(at) == ""  # no caveat, no "no cluster has..."
    assert at.session_state["view"].mixed is False


def test_the_mixed_switch_belongs_to_the_dataset_it_was_set_for(app):
    at = app.run()
    at.switch_page(f"{PAGES}/ranking.py").run()
    at.toggle(key="w_mixed").set_value(True).run()
    assert at.session_state["view"].mixed is True
    assert CAVEAT in warnings(at)  # the default data's top 10 mix kinds
    upload_and_show(at)
    assert at.session_state["view"].mixed is False  # a new dataset opens like with like
    at.switch_page(f"{PAGES}/ranking.py").run()
    assert at.toggle(key="w_mixed").value is False
    assert CAVEAT not in texts(at)
    # back to the embedded data: the switch is off there too, until switched on again
    at.selectbox(key="w_dataset").set_value("default").run()
    assert at.session_state["view"].mixed is False
    assert at.toggle(key="w_mixed").value is False
    assert "mixed" not in at.query_params


def test_a_link_with_mixed_opens_mixed_on_its_dataset(app):
    app.query_params["mixed"] = "1"
    app.switch_page(f"{PAGES}/ranking.py")
    at = app.run()
    assert not at.exception
    assert at.session_state["view"].mixed is True
    assert at.toggle(key="w_mixed").value is True
    at.radio(key="w_rank_by").set_value("firms").run()  # a later run keeps it
    assert at.session_state["view"].mixed is True
    assert at.query_params["mixed"] == "1"


def test_a_selection_of_one_other_kind_is_ranked_like_with_like(app):
    app.query_params["counts"] = "network_members"
    app.switch_page(f"{PAGES}/ranking.py")
    at = app.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) > 0 and set(table["Counts"]) == {"Network members"}
    assert "only figures that count network members are ranked together" in texts(at)
    assert CAVEAT not in texts(at)


def test_mixed_switch_with_one_kind_in_view_shows_no_caveat(app):
    app.query_params["counts"] = "network_members"
    app.query_params["mixed"] = "1"
    app.switch_page(f"{PAGES}/ranking.py")
    at = app.run()
    assert not at.exception
    assert CAVEAT not in texts(at)
    assert "all those shown are of one kind (“Network members”)" in texts(at)


def test_mixed_caveat_names_only_the_kinds_in_view(app):
    app.query_params["counts"] = "cluster_firms,regional_sector"
    app.query_params["mixed"] = "1"
    app.query_params["top"] = "500"  # every cluster of the two kinds in view
    app.switch_page(f"{PAGES}/ranking.py")
    at = app.run()
    table = at.dataframe[0].value
    assert set(table["Counts"]) == {"Cluster firms", "Regional sector"}
    caveat = warnings(at)
    assert "“Cluster firms” and “Regional sector” figures are ranked together" in caveat
    assert "Network members" not in caveat and "National" not in caveat


def test_employees_per_firm_says_how_each_ratio_was_computed(app):
    content = (
        b"name,city,country,firms,employees,employees_qualifier\n"
        b"Alpha,Dortmund,DE,5,500,more_than\n"
        b"Beta,Jena,DE,10,300,\n"
    )
    at = upload_and_show(app.run(), content)
    at.switch_page(f"{PAGES}/ranking.py").run()
    at.radio(key="w_rank_by").set_value("employees_per_firm").run()
    assert not at.exception
    table = at.dataframe[0].value
    # > 500 / 5 = more than 100 (a lower bound, not "≈ 100"); 300 / 10 = 30
    assert list(table["Cluster"]) == ["Alpha", "Beta"]
    assert list(table["Employees per firm"]) == ["> 100.0", "30.0"]
    assert list(table["Computed as"]) == [
        "> 500 employees ÷ 5 firms; '>' because the employee figure is a lower bound",
        "300 employees ÷ 10 firms",
    ]
    assert "A bound stays a bound" in texts(at)
