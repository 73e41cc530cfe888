from __future__ import annotations

from mstatlas import Filters, apply_filters, load_clusters


def test_default_filters_keep_everything():
    c = load_clusters()
    assert len(apply_filters(c, Filters())) == len(c)


def test_country_year_kind_and_minimum_filters():
    c = load_clusters()
    de = apply_filters(c, Filters(countries=("DE",)))
    assert set(de["country_iso2"]) == {"DE"}
    yrs = apply_filters(c, Filters(year_min=2007, year_max=2008, include_undated=False))
    assert yrs["year"].between(2007, 2008).all()
    with_undated = apply_filters(c, Filters(year_min=2007, year_max=2008))
    assert with_undated["year"].isna().any() and len(with_undated) > len(yrs)
    firms = apply_filters(c, Filters(counts_what=("cluster_firms",)))
    assert set(firms["counts_what"]) == {"cluster_firms"}
    big = apply_filters(c, Filters(min_employees=2000))
    assert (big["employees"] >= 2000).all() and "dortmund" in set(big["cluster_id"])
    assert apply_filters(c, Filters(min_firms=10**6)).empty
