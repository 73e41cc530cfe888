"""AppTest: a shared dataset deleted by another process is gone for the next visitor.

Replicas share the database but not their caches. Here the "other replica" is a second
DatasetStore on the same database file, deleting behind the app's back, after a first
session has put the dataset into this process's cache.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from ui.app_helpers import APP, symbols

from mstatlas import read_upload
from mstatlas.store import DatasetStore, SharedDataset

CSV = (
    b"name,city,country,lat,lon,firms,employees,year,source\n"
    b"Elsewhere Alpha,Dortmund,DE,51.5136,7.4653,39,2100,2007,Test source\n"
    b"Elsewhere Beta,Enschede,NL,52.2215,6.8937,150,,2022,Test source\n"
)


@pytest.fixture
def database(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'share.sqlite'}"
    monkeypatch.setenv("MSTATLAS_DATABASE_URL", url)
    monkeypatch.setenv("MSTATLAS_HOME", str(tmp_path))
    return url


def visit(ds_id: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["ds"] = ds_id
    return at.run()


def test_a_dataset_deleted_elsewhere_is_gone_for_the_next_visitor(database):
    other_replica = DatasetStore(database)
    clusters = read_upload(CSV, filename="elsewhere.csv").clusters
    saved = other_replica.save(SharedDataset(name="Elsewhere", clusters=clusters))

    first = visit(saved.id)  # loads it into this process's cache
    assert not first.exception
    assert len(symbols(first)["lat"]) == 2

    other_replica.delete(saved.id, saved.delete_token)
    later = visit(saved.id)
    assert not later.exception
    assert later.session_state["view"].dataset == "default"
    assert any("No shared dataset" in w.value for w in later.warning)
    other_replica.close()
