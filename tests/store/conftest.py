"""Store fixtures: every behavioural test runs on SQLite and on a real PostgreSQL server.

``store_url`` is parametrised; the PostgreSQL variants are marked ``postgres`` and
use one throwaway server per session with a fresh schema per test.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mstatlas.store import DatasetStore


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store: an SQLite file, or a fresh schema on the session's PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    base = make_url(request.getfixturevalue("postgres_url")).set(drivername="postgresql+psycopg")
    schema = "t_" + secrets.token_hex(6)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def make_store(store_url: str) -> Iterator[Callable[..., DatasetStore]]:
    """Factory for stores on ``store_url``; closes them before the schema is dropped."""
    made: list[DatasetStore] = []

    def make(**limits: int) -> DatasetStore:
        store = DatasetStore(store_url, **limits)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(make_store: Callable[..., DatasetStore]) -> DatasetStore:
    return make_store()
