"""URL state: every parameter round-trips; bad values fall back with a notice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mstatlas.ui.urlstate import (
    DEFAULT,
    PARAMS,
    ViewState,
    fit_slide,
    parse_query,
    share_url,
    to_query,
    years_outside,
)

#: Link parameter -> the ViewState field it sets (where the names differ).
PARAM_FIELD = {
    "undated": "include_undated",
    "counts": "counts_what",
    "country": "countries",
    "years": "year_min",
    "sel": "selected",
    "view": "lat",
    "by": "rank_by",
    "ds": "dataset",
    "cmp": "compare",
    "asof": "as_of",
    "sort": "rank_sort",
    "radius": "radius_km",
}

FULL = ViewState(
    dataset="AbCdEfGhIjKlMnOpQrStUv",
    measure="firms",
    countries=("DE", "NL"),
    year_min=2000,
    year_max=2010,
    include_undated=False,
    counts_what=("cluster_firms", "network_members"),
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
    compare=("dortmund", "twente", "grenoble"),
    as_of=2010,
    rank_sort="growth",
    radius_km=250,
    rating=(("size", 90.0), ("lq", 2.5)),
    lang="de",
    detect_radius_km=2.5,
    detect_min_firms=3,
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
        ("view", "951,7,4", "latitude 951 is out of range (-90 to 90)"),
        ("view", "91,0,5", "latitude 91 is out of range (-90 to 90)"),
        ("view", "51,200,5", "longitude 200 is out of range (-180 to 180)"),
        ("view", "51,7,19", "zoom 19 is not a whole number from 1 to 18"),
        ("view", "51,7,5.5", "zoom 5.5 is not a whole number from 1 to 18"),
        ("country", "XX", "XX is not a country code (ISO 3166-1)"),
        ("country", "XX,QQ", "XX, QQ are not country codes"),
        ("tiles", "google", "choose offline or osm"),
        ("layer", "heatmap", "choose one of clusters, firms, both"),
        ("by", "size", "choose one of"),
        ("top", "0", "from 1 to 500"),
        ("embed", "perhaps", "expected true or false"),
        ("slide", "x", "from 0 to 500"),
        ("ds", "../../etc/passwd", "not a dataset id"),
        ("cmp", ",,", "expected cluster ids"),
        ("asof", "1800", "expected a year from 1900 to 2100"),
        ("sort", "alphabet", "choose one of figure, growth"),
        ("radius", "0", "whole kilometres from 1 to 2000"),
        ("rating", "beauty:5", "thresholds are size, mass, momentum, lq"),
        ("rating", "size:150", "size must be between 0 and 100"),
        ("rating", "lq:high", "lq needs a number"),
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
    # the map is the default page: its link is the root ("/map" opened "Page not found")
    assert share_url("https://a.eu", "map", DEFAULT.with_(selected="dortmund")) == (
        "https://a.eu/?sel=dortmund"
    )


@pytest.mark.parametrize(
    ("key", "value", "default"),
    [
        ("measure", "size", "employees"),
        ("country", "XX", "all countries"),
        ("view", "91,0,5", "the whole of Europe"),
        ("top", "abc", "10"),
        ("slide", "x", "the overview"),
    ],
)
def test_a_notice_names_the_default_it_uses(key, value, default):
    _, notices = parse_query({key: value})
    assert notices[0].endswith(f"Using the default ({default}).")


def test_a_wrong_country_code_is_dropped_and_the_others_kept():
    state, notices = parse_query({"country": "de,NL,aq"})  # real codes, in any case
    assert notices == []
    assert state.countries == ("DE", "NL", "AQ")
    state, notices = parse_query({"country": "DE,XX,NL"})
    assert state.countries == ("DE", "NL")
    assert notices == [
        "Ignored link parameter country='DE,XX,NL': XX is not a country code (ISO 3166-1). "
        "Using DE, NL."
    ]


def test_the_eus_short_forms_are_read_as_iso_codes():
    state, notices = parse_query({"country": "UK,EL"})
    assert state.countries == ("GB", "GR")
    assert notices == ["Read link parameter country='UK,EL': UK as GB, EL as GR."]
    assert to_query(state) == {"country": "GB,GR"}


def test_view_in_range_is_kept_and_rounded():
    state, notices = parse_query({"view": "-90,180,18.0"})
    assert notices == []
    assert (state.lat, state.lon, state.zoom) == (-90, 180, 18)
    state, notices = parse_query({"view": "51.513649,7.46531,8"})
    assert notices == []
    assert (state.lat, state.lon, state.zoom) == (51.5136, 7.4653, 8)


@pytest.mark.parametrize(
    ("years", "notice"),
    [
        ((2030, 2040), "Ignored years 2030–2040: this dataset has figures from 1985 to 2026."),
        ((2027, None), "Ignored years from 2027: this dataset has figures from 1985 to 2026."),
        ((None, 1984), "Ignored years up to 1984: this dataset has figures from 1985 to 2026."),
        ((1900, 1900), "Ignored years 1900: this dataset has figures from 1985 to 2026."),
        ((2020, 2040), None),
        ((1900, 1985), None),
        ((2026, None), None),
        ((None, None), None),
    ],
)
def test_years_outside_the_dataset_are_reported(years, notice):
    state = DEFAULT.with_(year_min=years[0], year_max=years[1])
    text = years_outside(state, (1985, 2026))
    if notice is None:
        assert text is None
    else:
        assert text == notice + " Showing all years."


def test_a_slide_past_the_last_becomes_the_last():
    assert fit_slide(DEFAULT.with_(slide=500), 5) == (
        5,
        "Ignored slide 500: this presentation ends at slide 5. Showing slide 5.",
    )
    assert fit_slide(DEFAULT.with_(slide=5), 5) == (5, None)
    assert fit_slide(DEFAULT, 0) == (0, None)


def test_more_than_ten_compared_clusters_keep_the_first_ten_with_a_notice():
    ids = [f"c{i}" for i in range(12)]
    state, notices = parse_query({"cmp": ",".join(ids)})
    assert state.compare == tuple(ids[:10])
    assert len(notices) == 1 and "at most 10 clusters" in notices[0]


def test_rating_thresholds_keep_only_what_differs_and_fill_defaults():
    state, notices = parse_query({"rating": "lq:2,size:90"})
    assert notices == [] and state.rating == (("size", 90.0),)
    assert state.rating_thresholds() == {"size": 90.0, "mass": 75.0, "momentum": 0.0, "lq": 2.0}
    assert to_query(state) == {"rating": "size:90"}


# -- one table of link parameters ---------------------------------------------------------

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_link_parameters() -> list[str]:
    """The parameter names the README's "Link parameters" list gives (`name` or `name=value`)."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Link parameters", 1)[1].split("\n#", 1)[0]
    items = section.split("A wrong value", 1)[0].split("·")
    names = []
    for item in items:
        found = re.match(r"\s*`([a-z_]+)(?:=[^`]*)?`", item)
        assert found, f"a README link-parameter item does not start with `name`: {item!r}"
        names.append(found.group(1))
    return names


def test_every_link_parameter_is_in_the_readme_and_the_readme_lists_no_other():
    documented = readme_link_parameters()
    assert len(documented) == len(set(documented)), "a parameter is listed twice"
    assert set(documented) == {p.key for p in PARAMS}


def test_the_table_covers_every_field_of_the_view_once():
    fields = [f for p in PARAMS for f in p.fields]
    assert sorted(fields) == sorted(ViewState.__dataclass_fields__)
    assert set(PARAM_FIELD) <= {p.key for p in PARAMS}
    for key, field in PARAM_FIELD.items():
        assert field in next(p for p in PARAMS if p.key == key).fields


def test_links_write_parameters_in_table_order():
    assert list(to_query(FULL)) == [p.key for p in PARAMS]
