"""A shared firm list never reveals a single firm (SQLite and PostgreSQL).

Hand-made register (k = 3 firms, dominance 85 %):

========  =====  ==========================  ===================================
cluster   firms  head counts                 rule
========  =====  ==========================  ===================================
Paderborn    2   700 + 50 = 750              fewer than 3 firms: confidential
Essen        4   1000 + 10 + 20 + 30 = 1060  1000/1060 = 94 % > 85 %: confidential
Dortmund     3   100 + 110 + 120 = 330       shown
========  =====  ==========================  ===================================
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, select

from mstatlas.data.disclosure import DisclosureRules
from mstatlas.io import read_upload
from mstatlas.store import DatasetStore, SharedDataset
from mstatlas.store import schema as tables
from mstatlas.store.dataset import (
    Dataset,
    dataset_from_shared,
    dataset_from_upload,
    protected_dataset,
    shared_from_dataset,
)

REGISTER = (
    "Firma;Stadt;Land;Mitarbeiter;Technologie\n"
    "Große Eins GmbH;Paderborn;DE;700;MEMS\n"
    "Kleine Zwei AG;Paderborn;DE;50;Optik\n"
    "Riese AG;Essen;DE;1000;MEMS\n"
    "Zwerg A;Essen;DE;10;MEMS\n"
    "Zwerg B;Essen;DE;20;MEMS\n"
    "Zwerg C;Essen;DE;30;MEMS\n"
    "Ahorn;Dortmund;DE;100;MEMS\n"
    "Birke;Dortmund;DE;110;MEMS\n"
    "Eiche;Dortmund;DE;120;MEMS\n"
)
RULES = DisclosureRules(min_firms=3, dominance=85)
#: Sums and single head counts that must not leave the session.
SECRETS = (750, 1060, 700, 50, 1000, 10, 20, 30)


@pytest.fixture(scope="module")
def upload() -> Dataset:
    result = read_upload(REGISTER.encode("utf-8"), filename="register.csv")
    assert result.kind == "firms"
    ds = dataset_from_upload(result, dataset_id="u-x", name="Register", filename="register.csv")
    by_city = ds.clusters.set_index("cluster_id")["employees"]
    assert by_city.to_dict() == {"paderborn": 750, "essen": 1060, "dortmund": 330}  # in session
    return ds


def stored_row(store: DatasetStore, dataset_id: str) -> sa.Row:
    with store.engine.connect() as conn:
        return conn.execute(
            select(tables.shared_datasets).where(tables.shared_datasets.c.id == dataset_id)
        ).one()


def numbers_in(frame: pd.DataFrame | None) -> set[float]:
    """Every number a table holds, in any column (text cells too, when they are numbers)."""
    if frame is None:
        return set()
    values = pd.to_numeric(frame.astype("string").stack(), errors="coerce").dropna()
    return set(values.tolist())


def test_a_shared_register_keeps_no_firms_and_no_revealing_sum(
    store: DatasetStore, upload: Dataset
) -> None:
    saved = store.save(shared_from_dataset(upload, rules=RULES))
    row = stored_row(store, saved.id)
    assert row.firms is None and row.report is None and row.geocoding is None
    stored = pd.read_parquet(io.BytesIO(row.clusters))
    employees = stored.set_index("cluster_id")["employees"]
    assert pd.isna(employees["paderborn"]) and pd.isna(employees["essen"])  # 2 firms; dominated
    assert employees["dortmund"] == 330
    assert not numbers_in(stored) & set(SECRETS)
    notes = stored.set_index("cluster_id")["note"]
    assert "employees confidential" in notes["paderborn"]
    assert "known for" not in notes["essen"]  # would say which rule hit
    # the row records that it was protected, in its own column
    assert row.disclosure["confidential"] == ["paderborn", "essen"]
    assert row.disclosure["firm_rows"] is False
    assert (row.disclosure["min_firms"], row.disclosure["dominance"]) == (3, 85.0)
    # the merged figure of both may be given: 6 firms, largest 1000 of 1810 = 55 %
    assert row.disclosure["other"] == {"clusters": 2, "firms": 6, "employees": 1810}
    opened = dataset_from_shared(saved.id, store.load(saved.id))
    assert opened.firms is None and opened.meta["disclosure"] == row.disclosure
    assert not numbers_in(pd.DataFrame(opened.clusters.drop(columns="geometry"))) & set(SECRETS)


def test_the_owner_may_opt_in_to_keep_the_firm_rows(store: DatasetStore, upload: Dataset) -> None:
    saved = store.save(shared_from_dataset(upload, keep_firms=True, rules=RULES))
    got = store.load(saved.id)
    assert got.firms is not None and len(got.firms) == 9
    assert got.disclosure is not None and got.disclosure["firm_rows"] is True
    assert pd.isna(got.clusters.set_index("cluster_id").loc["paderborn", "employees"])


def test_a_cluster_table_is_stored_as_it_is(store: DatasetStore) -> None:
    table = read_upload(
        b"cluster_name,city,lat,lon,firms,employees\nMST.factory,Dortmund,51.5,7.5,2,2100\n",
        filename="t.csv",
    )
    ds = dataset_from_upload(table, dataset_id="u-c", name="t", filename="t.csv")
    saved = store.save(shared_from_dataset(ds, rules=RULES))
    assert stored_row(store, saved.id).disclosure is None  # published figures: nothing to do
    assert store.load(saved.id).clusters["employees"].tolist() == [2100]


def test_a_register_shared_before_disclosure_control_is_protected_when_opened(
    store: DatasetStore, upload: Dataset
) -> None:
    old = SharedDataset(  # as version 3 stored it: firm rows, raw sums, no record
        name="old",
        clusters=upload.clusters.drop(columns="geometry"),
        mapping=dict(upload.mapping),
        firms=upload.firms,
        meta={"kind": "firms"},
    )
    saved = store.save(old)
    assert stored_row(store, saved.id).disclosure is None
    with store.engine.connect() as conn:  # what an operator looks for
        legacy = conn.scalars(
            select(tables.shared_datasets.c.id).where(tables.shared_datasets.c.disclosure.is_(None))
        ).all()
    assert legacy == [saved.id]
    opened = dataset_from_shared(saved.id, store.load(saved.id))
    assert opened.firms is None
    assert opened.meta["disclosure"]["confidential"] == ["paderborn", "essen"]
    assert opened.clusters.set_index("cluster_id")["employees"].isna().sum() == 2


def test_version_3_database_gains_the_disclosure_column(
    store_url: str, make_store: Callable[..., DatasetStore]
) -> None:
    v3 = sa.MetaData()  # the tables as schema version 3 left them: no disclosure column
    tables.schema_version.to_metadata(v3)
    sa.Table(
        "shared_datasets",
        v3,
        *[
            sa.Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
            for c in tables.shared_datasets.c
            if c.name != "disclosure"
        ],
    )
    engine = create_engine(store_url)
    with engine.begin() as conn:
        v3.create_all(conn)
        for version in (1, 2, 3):
            conn.execute(
                v3.tables["mstatlas_schema_version"]
                .insert()
                .values(version=version, applied_at=datetime.now(UTC))
            )
    with engine.connect() as conn:
        assert "disclosure" not in {c["name"] for c in sa.inspect(conn).get_columns(
            "shared_datasets")}  # fmt: skip
    engine.dispose()
    store = make_store()
    assert store.count() == 0  # opening upgrades
    with store.engine.connect() as conn:
        versions = sorted(conn.scalars(select(tables.schema_version.c.version)))
        columns = {c["name"] for c in sa.inspect(conn).get_columns("shared_datasets")}
    assert versions == [1, 2, 3, 4] and "disclosure" in columns


def test_the_session_variant_keeps_firms_but_protects_the_figures(upload: Dataset) -> None:
    own = protected_dataset(upload, RULES, keep_firms=True)
    assert own.firms is upload.firms and own.geocoding is upload.geocoding
    assert own.clusters["employees"].tolist()[2] == 330
    assert own.clusters["employees"].isna().tolist() == [True, True, False]
    again = protected_dataset(own, DisclosureRules(min_firms=1, dominance=100))
    assert again.clusters is own.clusters  # protected once, not again with other rules
    assert again.firms is None and again.meta["disclosure"]["firm_rows"] is False


def test_cli_share_of_a_register(
    store_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from mstatlas.cli import main
    from mstatlas.store import forget_store

    monkeypatch.setenv("MSTATLAS_DATABASE_URL", store_url)
    monkeypatch.delenv("MSTATLAS_MIN_FIRMS", raising=False)
    monkeypatch.delenv("MSTATLAS_DOMINANCE", raising=False)
    path = tmp_path / "register.csv"
    path.write_text(REGISTER, encoding="utf-8")
    store = DatasetStore(store_url)
    try:
        assert main(["share", str(path)]) == 0
        printed = capsys.readouterr()
        assert "Employee figures of 2 clusters are confidential." in printed.err
        assert "anyone with the link" not in printed.err
        plain = store.load(re.search(r"ds=([\w-]{22})", printed.out).group(1))  # type: ignore[union-attr]
        assert plain.firms is None and plain.report is None
        assert not numbers_in(pd.DataFrame(plain.clusters.drop(columns="geometry"))) & set(SECRETS)

        assert main(["share", str(path), "--include-firm-rows"]) == 0
        printed = capsys.readouterr()
        assert "anyone with the link can see every firm's name, position and head count" in (
            printed.err
        )
        kept = store.load(re.search(r"ds=([\w-]{22})", printed.out).group(1))  # type: ignore[union-attr]
        assert kept.firms is not None and sorted(kept.firms["employees"]) == sorted(
            [700, 50, 1000, 10, 20, 30, 100, 110, 120]
        )
        assert kept.disclosure is not None and kept.disclosure["firm_rows"] is True
    finally:
        store.close()
        forget_store(store_url)
