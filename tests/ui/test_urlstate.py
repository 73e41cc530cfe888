"""URL state: every parameter round-trips; bad values fall back with a notice."""

from __future__ import annotations

import pytest

from mstatlas.ui.urlstate import DEFAULT, ViewState, parse_query, share_url, to_query

#: Link parameter -> the ViewState field it sets (where the names differ).
PARAM_FIELD = {
    "country": "countries",
    "years": "year_min",
    "sel": "selected",
    "view": "lat",
    "by": "rank_by",
    "ds": "dataset",
}

FULL = ViewState(
    dataset="AbCdEfGhIjKlMnOpQrStUv",
    measure="firms",
    countries=("DE", "NL"),
    year_min=2000,
    year_max=2010,
    undated=False,
    counts=("cluster_firms", "network_members"),
    min_firms=10,
    min_employees=100,
    selected="dortmund",
    lat=51.5136,
    lon=7.4653,
    zoom=8,
    tiles="osm",
    layer="firms",
    rank_by="employees_per_firm",
    top=5,
    mixed=True,
    embed=True,
    slide=3,
)


def test_default_view_has_an_empty_query():
    assert to_query(DEFAULT) == {}
    assert parse_query({}) == (DEFAULT, [])


def test_every_field_round_trips():
    q = to_query(FULL)
    state, notices = parse_query(q)
    assert notices == []
    assert state == FULL
    for field in FULL.__dataclass_fields__:
        assert getattr(FULL, field) != getattr(DEFAULT, field), f"{field} not exercised"


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("measure", "size", "choose one of employees, firms"),
        ("country", "Germany", "two-letter country codes"),
        ("years", "2010-2000", "first year is after the second"),
        ("years", "soon", "expected e.g. 2000-2010"),
        ("undated", "maybe", "expected true or false"),
        ("counts", "guesses", "kinds are cluster_firms"),
        ("min_firms", "-3", "between 0 and"),
        ("min_employees", "lots", "expected a whole number"),
        ("sel", "a\x00b", "not a cluster id"),
        ("view", "51,7", "expected lat,lon,zoom"),
        ("view", "951,7,4", "expected lat,lon,zoom"),
        ("tiles", "google", "choose offline or osm"),
        ("layer", "heatmap", "choose one of clusters, firms, both"),
        ("by", "size", "choose one of"),
        ("top", "0", "from 1 to 500"),
        ("embed", "perhaps", "expected true or false"),
        ("slide", "x", "from 0 to 500"),
        ("ds", "../../etc/passwd", "not a dataset id"),
    ],
)
def test_malformed_values_fall_back_with_a_notice(key, value, fragment):
    state, notices = parse_query(
        {key: value, "measure": "firms"} if key != "measure" else {key: value}
    )
    assert len(notices) == 1
    assert key in notices[0] and fragment in notices[0] and "Using the default" in notices[0]
    field = PARAM_FIELD.get(key, key)
    assert getattr(state, field) == getattr(DEFAULT, field)


def test_unknown_parameter_is_reported_not_fatal():
    state, notices = parse_query({"foo": "1", "measure": "firms"})
    assert state.measure == "firms"
    assert notices == ["Ignored unknown link parameter 'foo'."]


def test_share_url_is_absolute_and_compact():
    url = share_url(
        "https://atlas.example.org/", "ranking", DEFAULT.with_(rank_by="firms", countries=("DE",))
    )
    assert url == "https://atlas.example.org/ranking?country=DE&by=firms"
