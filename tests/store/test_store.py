"""Shared-dataset store, against SQLite and a real PostgreSQL server.

Every behavioural test runs on both backends (``store_url`` is parametrised);
the PostgreSQL variants are marked ``postgres`` and use one throwaway server
per session with a fresh schema per test.
"""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, event, select

from mstatlas.data.schema import COLUMNS, coerce_clusters
from mstatlas.errors import NotFoundError, PermissionDeniedError, StoreError
from mstatlas.io import load_clusters
from mstatlas.store import (
    DatasetStore,
    SavedDataset,
    SharedDataset,
    database_url,
    default_sqlite_path,
    forget_store,
    get_store,
    valid_dataset_id,
)
from mstatlas.store import schema as tables
from mstatlas.store.dataset import Dataset, dataset_from_shared, shared_from_dataset

XSS_NAME = "<script>alert('x')</script> & \"Ünïcødé\" Łódź 🚀"

# Source of a deterministic synthetic cluster table; exec'd here and in subprocesses.
FRAME_SRC = """
import numpy as np, pandas as pd
def big_frame(n):
    rng = np.random.default_rng(7)
    firms = pd.array(rng.integers(1, 500, n), dtype="Int64")
    firms[::7] = pd.NA
    return pd.DataFrame({
        "cluster_id": [f"c{i}" for i in range(n)],
        "cluster_name": [f"Cluster {i} Ü" for i in range(n)],
        "city": np.where(np.arange(n) % 5 == 0, None, "Göteborg"),
        "country_iso2": "SE",
        "lat": rng.uniform(35, 70, n),
        "lon": rng.uniform(-10, 30, n),
        "firms": firms,
        "employees": pd.array(rng.integers(10, 5000, n), dtype="Int64"),
        "counts_what": "cluster_firms",
        "year": 2020,
    })
"""
_ns: dict[str, object] = {}
exec(FRAME_SRC, _ns)
big_frame: Callable[[int], pd.DataFrame] = _ns["big_frame"]  # type: ignore[assignment]


# -- fixtures ---------------------------------------------------------------------------


def sample() -> SharedDataset:
    """The embedded dataset plus rows with unicode and blanks, as the UI would share it."""
    extra = pd.DataFrame(
        {
            "cluster_id": ["lodz", "besancon"],
            "cluster_name": ["Łódź MEMS ‘cluster’", "Besançon microtechniques"],
            "city": ["Łódź", "Besançon"],
            "country_iso2": ["PL", "FR"],
            "lat": [51.759, 47.238],
            "lon": [19.456, 6.024],
            "firms": [None, "12"],
            "employees": ["300", None],
            "counts_what": [None, "network_members"],
            "note": ["", "  "],
        }
    )
    clusters = pd.concat([load_clusters(), coerce_clusters(extra)], ignore_index=True)
    report = pd.DataFrame(
        {
            "row": [3, 14],
            "column": ["employees", "Beschäftigte"],
            "value": [12, "2,1 Mio"],  # mixed types, as a validation report has them
            "severity": ["warning", "error"],
            "reason": ["rounded", "'2,1 Mio' is not a number (expected e.g. 2100)"],
        }
    )
    geocoding = pd.DataFrame(
        {"city": ["München", "Göteborg"], "lat": [48.137, 57.707], "corrected": [False, True]}
    )
    return SharedDataset(
        name=XSS_NAME,
        clusters=coerce_clusters(clusters),
        mapping={"Stadt": "city", "Beschäftigte": "employees", "Bemerkung": None},
        report=report,
        geocoding=geocoding,
        meta={"filename": "cluster-liste.csv", "kind": "clusters", "rows": np.int64(74)},
    )


def run_py(code: str, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run Python code in a new interpreter (same venv); fail with its stderr."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def stored_ids(store: DatasetStore) -> list[str]:
    with store.engine.connect() as conn:
        return list(conn.scalars(select(tables.shared_datasets.c.id)))


# -- round trip -------------------------------------------------------------------------


def test_save_load_round_trip(store: DatasetStore) -> None:
    ds = sample()
    before = datetime.now(UTC)
    saved = store.save(ds)
    assert isinstance(saved, SavedDataset)
    assert valid_dataset_id(saved.id) and valid_dataset_id(saved.delete_token)
    assert saved.id != saved.delete_token

    got = store.load(saved.id)
    assert isinstance(got.clusters, gpd.GeoDataFrame)
    pd.testing.assert_frame_equal(got.clusters, ds.clusters)  # values, dtypes, NA, geometry
    assert list(got.clusters.columns) == [*COLUMNS, "geometry"]
    assert got.clusters.crs == ds.clusters.crs
    lodz = got.clusters[got.clusters["cluster_id"] == "lodz"].iloc[0]
    assert lodz["cluster_name"] == "Łódź MEMS ‘cluster’"
    assert pd.isna(lodz["firms"]) and pd.isna(lodz["note"])  # blanks stay blank, not 0 or ""
    assert got.name == XSS_NAME  # stored verbatim; escaping is the UI's job
    assert got.mapping == ds.mapping
    assert got.meta == {"filename": "cluster-liste.csv", "kind": "clusters", "rows": 74}
    assert got.report is not None and got.geocoding is not None
    assert got.report["value"].tolist() == ["12", "2,1 Mio"]  # mixed column kept as text
    assert got.report["reason"].tolist() == ds.report["reason"].tolist()  # type: ignore[index]
    pd.testing.assert_frame_equal(got.geocoding, ds.geocoding)
    assert got.created_at is not None and got.created_at.tzinfo is not None
    assert before - timedelta(seconds=5) <= got.created_at <= datetime.now(UTC)


def test_optional_parts_may_be_absent(store: DatasetStore) -> None:
    saved = store.save(SharedDataset(name="", clusters=load_clusters()))
    got = store.load(saved.id)
    assert (got.name, got.mapping, got.meta, got.report, got.geocoding, got.firms) == (
        "",
        {},
        {},
        None,
        None,
        None,
    )


def firm_list() -> SharedDataset:
    """A firm list as the upload page shares it: aggregated clusters plus the cleaned firm rows."""
    from mstatlas.io import read_upload

    csv = (
        "Firma;Stadt;Land;Mitarbeiter;Technologie\n"
        "Elmos;Dortmund;DE;1.020;MEMS\n"
        "Sensor ‘Dortmund’ GmbH;Dortmund;DE;;Mikrooptik\n"
        "Łódź Micro;Łódź;PL;12;\n"
        "<b>Besançon</b> SA;Besançon;FR;300;Microfluidique\n"
    )
    result = read_upload(csv.encode("utf-8"), filename="firmen.csv")
    assert result.kind == "firms" and result.firms is not None
    return SharedDataset(
        name="Firmenliste",
        clusters=result.clusters.drop(columns="geometry"),
        mapping=dict(result.mapping),
        report=result.report.to_frame(),
        geocoding=result.geocoding,
        firms=result.firms,
        meta={"filename": "firmen.csv", "kind": "firms", "aggregation": result.aggregation},
    )


def test_firm_list_round_trip(store: DatasetStore) -> None:
    ds = firm_list()
    got = store.load(store.save(ds).id)
    assert got.firms is not None and ds.firms is not None
    pd.testing.assert_frame_equal(got.firms, ds.firms)  # values, dtypes, NA, row order
    assert got.firms["name"].tolist()[1:] == [
        "Sensor ‘Dortmund’ GmbH",
        "Łódź Micro",
        "<b>Besançon</b> SA",
    ]
    assert pd.isna(got.firms.loc[1, "employees"])  # unknown stays unknown, not 0
    assert int(got.firms["employees"].sum()) == 1020 + 12 + 300
    assert got.meta["kind"] == "firms"
    assert len(got.clusters) == len(ds.clusters)


def test_firm_table_keeps_its_index_and_drops_geometry(store: DatasetStore) -> None:
    firms = pd.DataFrame(
        {"name": ["A", "B"], "lat": [51.5, 48.1], "lon": [7.4, 11.6]}, index=[10, 20]
    )
    geo = gpd.GeoDataFrame(
        firms, geometry=gpd.points_from_xy(firms["lon"], firms["lat"]), crs="EPSG:4326"
    )
    got = store.load(store.save(SharedDataset(name="x", clusters=load_clusters(), firms=geo)).id)
    pd.testing.assert_frame_equal(got.firms, firms)


def test_firm_table_must_be_a_frame(store: DatasetStore) -> None:
    with pytest.raises(StoreError, match="firm table must be a DataFrame or None, got list"):
        store.save(SharedDataset(name="x", clusters=load_clusters(), firms=[1, 2]))  # type: ignore[arg-type]


def test_size_limit_counts_the_firm_table(make_store: Callable[..., DatasetStore]) -> None:
    small = SharedDataset(name="x", clusters=load_clusters())
    rng = np.random.default_rng(3)
    firms = pd.DataFrame(
        {"name": [secrets.token_hex(8) for _ in range(20_000)], "lat": rng.uniform(35, 70, 20_000)}
    )
    store = make_store(max_bytes=256 * 1024)
    store.save(small)  # fits alone
    with pytest.raises(StoreError, match=r"This dataset is \d+ kB; shared datasets may be at most"):
        store.save(SharedDataset(name="x", clusters=load_clusters(), firms=firms))
    assert store.count() == 1


def test_store_counts_and_answers_exists(store: DatasetStore) -> None:
    assert store.ping()
    assert store.count() == 0
    saved = store.save(sample())
    assert store.count() == 1
    assert store.exists(saved.id)
    assert not store.exists(secrets.token_urlsafe(16))
    assert not store.exists("not an id")


def test_ids_are_random_and_distinct(store: DatasetStore) -> None:
    ds = SharedDataset(name="x", clusters=load_clusters())
    ids = {store.save(ds).id for _ in range(5)}
    assert len(ids) == 5


# -- delete -----------------------------------------------------------------------------


def test_delete_with_right_token(store: DatasetStore) -> None:
    saved = store.save(sample())
    store.delete(saved.id, saved.delete_token)
    assert not store.exists(saved.id)
    with pytest.raises(NotFoundError, match="No shared dataset has the id"):
        store.load(saved.id)


def test_wrong_token_is_refused(store: DatasetStore) -> None:
    saved = store.save(sample())
    for wrong in (secrets.token_urlsafe(16), "", saved.id, saved.delete_token + "x"):
        with pytest.raises(PermissionDeniedError, match="delete token does not match"):
            store.delete(saved.id, wrong)
    assert store.exists(saved.id)


def test_token_is_not_stored(store: DatasetStore) -> None:
    saved = store.save(sample())
    with store.engine.connect() as conn:
        row = conn.execute(select(tables.shared_datasets)).one()
    assert saved.delete_token not in repr(tuple(row))
    assert row.delete_token_sha256 != saved.delete_token


def test_delete_unknown_id(store: DatasetStore) -> None:
    with pytest.raises(NotFoundError, match="No shared dataset has the id"):
        store.delete(secrets.token_urlsafe(16), "whatever")


# -- unknown and malformed ids ----------------------------------------------------------


def test_unknown_id_gives_clear_message(store: DatasetStore) -> None:
    unknown = secrets.token_urlsafe(16)
    with pytest.raises(NotFoundError, match=rf"No shared dataset has the id '{unknown}'.*deleted"):
        store.load(unknown)


@pytest.mark.parametrize(
    "bad", ["", "abc", "../../etc/passwd", "A" * 21, "A" * 23, "A" * 21 + "=", "A" * 21 + "é"]
)
def test_malformed_id_is_refused_without_asking_the_database(store: DatasetStore, bad: str) -> None:
    store.count()  # tables exist; from here on no statement may run
    statements: list[str] = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with pytest.raises(NotFoundError, match="is not a shared-dataset id.*copied completely"):
        store.load(bad)
    with pytest.raises(NotFoundError, match="is not a shared-dataset id"):
        store.delete(bad, "token")
    assert not store.exists(bad)
    assert statements == []


def test_very_long_malformed_id_is_shortened_in_the_message(store: DatasetStore) -> None:
    with pytest.raises(NotFoundError) as info:
        store.load("x" * 10_000)
    assert len(str(info.value)) < 200


def test_valid_dataset_id() -> None:
    assert valid_dataset_id(secrets.token_urlsafe(16))
    assert not valid_dataset_id("short")
    assert not valid_dataset_id(None)  # type: ignore[arg-type]


# -- limits -----------------------------------------------------------------------------


def test_size_limit(make_store: Callable[..., DatasetStore]) -> None:
    store = make_store(max_bytes=2048)
    with pytest.raises(
        StoreError,
        match=r"This dataset is \d+ kB; shared datasets may be at most 2 kB\. Filter it or split",
    ):
        store.save(sample())
    assert store.count() == 0


def test_size_limit_in_megabytes_from_env(
    make_store: Callable[..., DatasetStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MSTATLAS_SHARE_MAX_MB", "1")
    store = make_store()
    assert store.max_bytes == 1024 * 1024
    with pytest.raises(
        StoreError, match=r"This dataset is \d\.\d MB; shared datasets may be at most 1\.0 MB"
    ):
        store.save(SharedDataset(name="big", clusters=big_frame(60_000)))


def test_count_limit(make_store: Callable[..., DatasetStore]) -> None:
    store = make_store(max_datasets=2)
    ds = SharedDataset(name="x", clusters=load_clusters())
    first = store.save(ds)
    store.save(ds)
    with pytest.raises(StoreError, match=r"already holds 2 shared datasets, its limit; delete"):
        store.save(ds)
    assert store.count() == 2
    store.delete(first.id, first.delete_token)
    store.save(ds)  # room again
    assert store.count() == 2


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("MSTATLAS_SHARE_MAX_MB", "lots"),
        ("MSTATLAS_SHARE_MAX_MB", "-1"),
        ("MSTATLAS_SHARE_MAX_DATASETS", "2.5"),
        ("MSTATLAS_SHARE_MAX_DATASETS", "0"),
    ],
)
def test_bad_limit_env_is_explained(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, var: str, value: str
) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(StoreError, match=rf"{var} must be a positive .*got '{value}'"):
        DatasetStore(f"sqlite:///{tmp_path / 'x.sqlite'}")


def test_default_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MSTATLAS_SHARE_MAX_MB", raising=False)
    monkeypatch.delenv("MSTATLAS_SHARE_MAX_DATASETS", raising=False)
    store = DatasetStore(f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert (store.max_bytes, store.max_datasets) == (50 * 1024 * 1024, 10_000)


# -- bad input --------------------------------------------------------------------------


def test_non_canonical_table_is_refused(store: DatasetStore) -> None:
    with pytest.raises(StoreError, match="cannot be shared as it is.*lacks required column"):
        store.save(SharedDataset(name="x", clusters=pd.DataFrame({"city": ["Dortmund"]})))


def test_meta_must_be_json(store: DatasetStore) -> None:
    with pytest.raises(StoreError, match="metadata cannot be stored as JSON"):
        store.save(SharedDataset(name="x", clusters=load_clusters(), meta={"f": object()}))


def test_overlong_name_is_refused(store: DatasetStore) -> None:
    with pytest.raises(StoreError, match="name is 501 characters long.*Shorten it"):
        store.save(SharedDataset(name="n" * 501, clusters=load_clusters()))


# -- configuration ----------------------------------------------------------------------


def test_default_location_is_var_under_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MSTATLAS_DATABASE_URL", raising=False)
    monkeypatch.delenv("MSTATLAS_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    store = DatasetStore()
    store.save(SharedDataset(name="x", clusters=load_clusters()))
    store.close()
    assert default_sqlite_path() == tmp_path.resolve() / "var" / "mstatlas.sqlite"
    assert (tmp_path / "var" / "mstatlas.sqlite").is_file()


def test_mstatlas_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MSTATLAS_DATABASE_URL", raising=False)
    monkeypatch.setenv("MSTATLAS_HOME", str(tmp_path / "home" / "atlas"))
    assert database_url() == f"sqlite:///{tmp_path.resolve() / 'home/atlas/mstatlas.sqlite'}"
    DatasetStore().close()  # creates the folder
    assert (tmp_path / "home" / "atlas").is_dir()


def test_database_url_env_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSTATLAS_HOME", str(tmp_path / "unused"))
    monkeypatch.setenv("MSTATLAS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    store = DatasetStore()
    assert store.count() == 0
    assert (tmp_path / "env.sqlite").is_file() and not (tmp_path / "unused").exists()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    store = DatasetStore(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_missing_sqlite_folder_is_explained(tmp_path: Path) -> None:
    with pytest.raises(
        StoreError, match="folder .*nope for the SQLite database does not exist; create it"
    ):
        DatasetStore(f"sqlite:///{tmp_path / 'nope' / 'x.sqlite'}")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://u:p@localhost/db", "points at a 'mysql' database; MST Atlas stores"),
    ],
)
def test_unusable_urls_are_explained(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        DatasetStore(url)


def test_plain_postgresql_urls_use_psycopg3() -> None:
    store = DatasetStore("postgresql://u:secret@127.0.0.1:1/db")
    assert store.engine.dialect.driver == "psycopg"
    assert "secret" not in store.url and "secret" not in repr(store)


def test_unreachable_database(tmp_path: Path) -> None:
    store = DatasetStore("postgresql+psycopg://u:secret@127.0.0.1:1/db")
    assert store.ping() is False
    with pytest.raises(StoreError, match=r"did not answer .*Check MSTATLAS_DATABASE_URL") as info:
        store.count()
    assert "secret" not in str(info.value)


def test_schema_version_is_recorded(store: DatasetStore) -> None:
    store.count()
    with store.engine.connect() as conn:
        versions = list(conn.scalars(select(tables.schema_version.c.version)))
    assert versions == [tables.SCHEMA_VERSION]


def test_newer_schema_is_refused(store_url: str, make_store: Callable[..., DatasetStore]) -> None:
    make_store().count()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(tables.schema_version.update().values(version=tables.SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(StoreError, match="newer than this MST Atlas understands.*upgrade"):
        make_store().count()


# Tables exactly as schema version 1 created them (frozen here: the module moves on).
_V1 = sa.MetaData()
sa.Table(
    "mstatlas_schema_version",
    _V1,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Table(
    "shared_datasets",
    _V1,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("delete_token_sha256", sa.String(64), nullable=False),
    sa.Column("payload_format", sa.Integer, nullable=False),
    sa.Column("n_rows", sa.Integer, nullable=False),
    sa.Column("n_bytes", sa.Integer, nullable=False),
    sa.Column("clusters", sa.LargeBinary, nullable=False),
    sa.Column("report", sa.LargeBinary, nullable=True),
    sa.Column("geocoding", sa.LargeBinary, nullable=True),
    sa.Column("mapping", sa.JSON, nullable=False),
    sa.Column("meta", sa.JSON, nullable=False),
)


def make_v1_database(url: str) -> tuple[str, str]:
    """A database as MST Atlas with schema version 1 left it, holding one shared dataset.

    Returns the dataset's id and delete token.
    """
    from mstatlas.store.encoding import frame_to_parquet
    from mstatlas.store.model import token_hash

    dataset_id, token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    clusters = pd.DataFrame(load_clusters()[list(COLUMNS)])
    engine = create_engine(url)
    with engine.begin() as conn:
        _V1.create_all(conn)
        conn.execute(
            _V1.tables["mstatlas_schema_version"]
            .insert()
            .values(version=1, applied_at=datetime.now(UTC))
        )
        conn.execute(
            _V1.tables["shared_datasets"]
            .insert()
            .values(
                id=dataset_id,
                name="shared by version 1",
                created_at=datetime.now(UTC),
                delete_token_sha256=token_hash(token),
                payload_format=1,
                n_rows=len(clusters),
                n_bytes=1,
                clusters=frame_to_parquet(clusters, index=False),
                report=None,
                geocoding=frame_to_parquet(pd.DataFrame({"city": ["Dortmund"]})),
                mapping={"Stadt": "city"},
                meta={"kind": "firms"},
            )
        )
    engine.dispose()
    return dataset_id, token


def schema_state(url: str) -> tuple[list[int], set[str]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        versions = sorted(conn.scalars(select(tables.schema_version.c.version)))
        columns = {c["name"] for c in sa.inspect(conn).get_columns("shared_datasets")}
    engine.dispose()
    return versions, columns


def test_version_1_database_is_upgraded_in_place(
    store_url: str, make_store: Callable[..., DatasetStore]
) -> None:
    old_id, old_token = make_v1_database(store_url)
    assert schema_state(store_url) == ([1], {c.name for c in _V1.tables["shared_datasets"].c})

    store = make_store()
    old = store.load(old_id)  # the first call upgrades, then reads the old row
    assert old.name == "shared by version 1" and old.firms is None and old.report is None
    assert len(old.clusters) == len(load_clusters()) and old.mapping == {"Stadt": "city"}
    assert old.geocoding is not None and old.geocoding["city"].tolist() == ["Dortmund"]
    versions, columns = schema_state(store_url)
    assert versions == [1, 2, 3, 4] and {"firms", "profiles", "disclosure"} <= columns
    assert old.profiles is not None and old.profiles.empty  # stored before profiles were kept

    ds = firm_list()
    new = store.save(ds)
    pd.testing.assert_frame_equal(store.load(new.id).firms, ds.firms)  # type: ignore[arg-type]
    store.delete(old_id, old_token)  # old rows stay fully usable
    assert store.count() == 1

    make_store().count()  # a second start finds nothing to do
    assert schema_state(store_url)[0] == [1, 2, 3, 4]


def _open_at_once(stores: list[DatasetStore], dataset_id: str) -> list[BaseException]:
    """Every store loads the dataset at the same time (one thread each); the errors."""
    errors: list[BaseException] = []

    def start(s: DatasetStore) -> None:
        try:
            s.load(dataset_id)
        except BaseException as exc:  # reported to the caller
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_first_starts_upgrade_once(
    store_url: str, make_store: Callable[..., DatasetStore]
) -> None:
    old_id, _ = make_v1_database(store_url)
    assert _open_at_once([make_store() for _ in range(4)], old_id) == []
    assert schema_state(store_url)[0] == [1, 2, 3, 4]


def test_old_sqlite_file_opened_by_many_at_once_never_reports_locked(tmp_path: Path) -> None:
    # Switching an old rollback-journal file to WAL races with another connection's
    # commit; SQLite then says "database is locked" at once. Repeated, as it is rare.
    for attempt in range(25):
        url = f"sqlite:///{tmp_path / f'old-{attempt}.sqlite'}"
        old_id, _ = make_v1_database(url)
        stores = [DatasetStore(url) for _ in range(6)]
        errors = _open_at_once(stores, old_id)
        for s in stores:
            s.close()
        assert errors == [], f"attempt {attempt + 1}: {errors[0]}"


def test_older_mst_atlas_refuses_an_upgraded_database(
    store_url: str, make_store: Callable[..., DatasetStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_v1_database(store_url)
    make_store().count()  # upgraded to 4
    monkeypatch.setattr(tables, "SCHEMA_VERSION", 1)  # what a version-1 installation sees
    with pytest.raises(StoreError, match=r"schema version 4, newer than .* \(1\); upgrade"):
        make_store().count()


def test_get_store_is_cached_per_url_across_threads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cached.sqlite'}"
    found: list[DatasetStore] = []
    threads = [threading.Thread(target=lambda: found.append(get_store(url))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(s) for s in found}) == 1
    assert get_store(f"sqlite:///{tmp_path / 'other.sqlite'}") is not found[0]


def test_threads_share_one_store(store: DatasetStore) -> None:
    ds = SharedDataset(name="t", clusters=load_clusters())
    ids: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                ids.append(store.save(ds).id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 12 and store.count() == 12


# -- durability across processes --------------------------------------------------------


def test_restart_persistence(store_url: str, make_store: Callable[..., DatasetStore]) -> None:
    store = make_store()
    ds = sample()
    saved = store.save(ds)
    store.close()
    out = run_py(
        "import json, sys\n"
        "from mstatlas.store import DatasetStore\n"
        "ds = DatasetStore(sys.argv[1]).load(sys.argv[2])\n"
        "c = ds.clusters\n"
        "print(json.dumps({'name': ds.name, 'rows': len(c), 'geo': type(c).__name__,\n"
        "    'dtypes': {k: str(v) for k, v in c.dtypes.items()},\n"
        "    'lodz_firms_blank': bool(c.loc[c.cluster_id == 'lodz', 'firms'].isna().all()),\n"
        "    'employees': int(c['employees'].sum()), 'meta': ds.meta}))\n",
        store_url,
        saved.id,
    )
    seen = json.loads(out.stdout)
    assert seen["name"] == XSS_NAME
    assert seen["rows"] == len(ds.clusters) and seen["geo"] == "GeoDataFrame"
    assert seen["dtypes"] == {k: str(v) for k, v in ds.clusters.dtypes.items()}
    assert seen["lodz_firms_blank"] is True
    assert seen["employees"] == int(ds.clusters["employees"].sum())
    assert seen["meta"]["filename"] == "cluster-liste.csv"


SAVE_LOOP = (
    FRAME_SRC
    + """
import sys
from mstatlas.store import DatasetStore, SharedDataset
store = DatasetStore(sys.argv[1])
ds = SharedDataset(name="big", clusters=big_frame(int(sys.argv[2])))
while True:
    print(store.save(ds).id, flush=True)
"""
)

PAUSED_SAVE = (
    FRAME_SRC
    + """
import sys, time
from sqlalchemy import event
from mstatlas.store import DatasetStore, SharedDataset
store = DatasetStore(sys.argv[1])
store.count()

@event.listens_for(store.engine, "after_cursor_execute")
def pause(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().upper().startswith("INSERT INTO SHARED_DATASETS"):
        print("inside", flush=True)
        time.sleep(600)

store.save(SharedDataset(name="half", clusters=big_frame(1000)))
"""
)


def assert_all_complete(store: DatasetStore, n_rows: int) -> list[str]:
    expected = big_frame(n_rows)
    ids = stored_ids(store)
    for dataset_id in ids:
        got = store.load(dataset_id)
        assert len(got.clusters) == n_rows
        assert int(got.clusters["firms"].sum()) == int(expected["firms"].sum())
        assert got.clusters["cluster_id"].iloc[-1] == f"c{n_rows - 1}"
    return ids


def test_kill_inside_the_save_transaction_leaves_nothing(
    make_store: Callable[..., DatasetStore], store_url: str
) -> None:
    store = make_store()
    kept = store.save(SharedDataset(name="big", clusters=big_frame(1000)))
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_SAVE, store_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "inside"  # row inserted, not committed
        assert store.count() == 1  # readers are not blocked and see no half dataset
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert stored_ids(store) == [kept.id]
    assert_all_complete(store, 1000)
    again = store.save(SharedDataset(name="after", clusters=big_frame(1000)))  # lock released
    assert store.load(again.id).name == "after"


def test_kill_during_repeated_saves_leaves_whole_datasets(
    make_store: Callable[..., DatasetStore], store_url: str
) -> None:
    n_rows = 20_000
    rng = np.random.default_rng(1)
    printed: list[str] = []
    for _ in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVE_LOOP, store_url, str(n_rows)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert proc.stdout is not None
            printed.append(proc.stdout.readline().strip())
            t1 = time.monotonic()
            printed.append(proc.stdout.readline().strip())
            per_save = time.monotonic() - t1
            time.sleep(float(rng.uniform(0, per_save)))  # land somewhere inside a save
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    store = make_store()
    ids = assert_all_complete(store, n_rows)
    assert set(printed) <= set(ids)  # everything reported as saved is there, whole
    assert store.count() == len(ids)


CONCURRENT_SAVER = """
import os, sys, time
from mstatlas.io import load_clusters
from mstatlas.store import DatasetStore, SharedDataset
url, go, worker = sys.argv[1], sys.argv[2], sys.argv[3]
store = DatasetStore(url)
ds = SharedDataset(name=f"worker {worker}", clusters=load_clusters(), meta={"worker": worker})
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.005)
for _ in range(10):
    print(store.save(ds).id, flush=True)
"""


def test_concurrent_saves_from_several_processes(
    make_store: Callable[..., DatasetStore], store_url: str, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_SAVER, store_url, str(go), str(w)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    for proc in procs:  # each worker has loaded its data and waits for the go
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
    go.touch()  # all four start saving at once, on a database without tables yet
    ids: list[str] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        ids += out.split()
    assert len(ids) == 40 and len(set(ids)) == 40
    store = make_store()
    assert store.count() == 40
    workers = [store.load(i).meta["worker"] for i in ids]
    assert sorted(workers) == sorted(str(w) for w in range(4) for _ in range(10))


# -- command line: mstatlas share / delete ----------------------------------------------

DEFAULT_CSV = Path(__file__).resolve().parents[2] / "data" / "clusters.csv"


@pytest.fixture
def cli_env(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point the CLI's store at ``store_url``; close the cached store afterwards."""

    monkeypatch.setenv("MSTATLAS_DATABASE_URL", store_url)
    monkeypatch.delenv("MSTATLAS_BASE_URL", raising=False)
    yield store_url
    forget_store(store_url)


def test_cli_share_then_delete(cli_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    from mstatlas.cli import main

    code = main(["share", str(DEFAULT_CSV), "--name", XSS_NAME, "--base-url", "https://a.eu/"])
    out, err = capsys.readouterr()
    assert code == 0, err
    link = next(line for line in out.splitlines() if line.startswith("link:")).split()[-1]
    dataset_id = link.removeprefix("https://a.eu/?ds=")
    token = next(line for line in out.splitlines() if line.startswith("delete token:")).split()[-1]
    assert valid_dataset_id(dataset_id) and valid_dataset_id(token)
    assert f"mstatlas delete {dataset_id} --token={token}" in out

    store = DatasetStore(cli_env)
    got = store.load(dataset_id)
    store.close()
    assert got.name == XSS_NAME
    assert len(got.clusters) == len(load_clusters())
    assert got.meta["filename"] == "clusters.csv" and got.meta["kind"] == "clusters"
    assert got.report is not None and list(got.report.columns) == [
        "row",
        "column",
        "value",
        "severity",
        "reason",
    ]

    assert main(["delete", dataset_id, "--token", "wrong-token"]) == 1
    assert "delete token does not match" in capsys.readouterr().err
    assert main(["delete", dataset_id, "--token", token]) == 0
    assert f"Deleted shared dataset {dataset_id}" in capsys.readouterr().out
    assert main(["delete", dataset_id, "--token", token]) == 1
    assert "No shared dataset has the id" in capsys.readouterr().err


def test_printed_delete_command_works_whatever_the_secrets_look_like(
    cli_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # About one id or token in 64 drawn by token_urlsafe starts with "-", which the
    # command line would read as an option.
    import secrets
    import shlex

    from mstatlas.cli import main

    drawn = iter(["-" + "a" * 21, "b" * 22, "-" + "c" * 21, "-" + "d" * 21, "e" * 22])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n=None: next(drawn))
    assert main(["share", str(DEFAULT_CSV)]) == 0
    out = capsys.readouterr().out
    command = next(line for line in out.splitlines() if "mstatlas delete" in line)
    args = shlex.split(command)[1:]
    assert args == ["delete", "b" * 22, "--token=" + "e" * 22]
    assert main(args) == 0
    assert f"Deleted shared dataset {'b' * 22}" in capsys.readouterr().out


def test_cli_share_default_link_and_name(
    cli_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mstatlas.cli import main

    assert main(["share", str(DEFAULT_CSV)]) == 0
    assert "link:         http://localhost:8501/?ds=" in capsys.readouterr().out
    monkeypatch.setenv("MSTATLAS_BASE_URL", "https://atlas.example.org/")
    assert main(["share", str(DEFAULT_CSV)]) == 0
    out = capsys.readouterr().out
    assert "link:         https://atlas.example.org/?ds=" in out
    assert "Shared 'clusters.csv'" in out


def test_cli_share_refuses_a_file_without_usable_rows(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mstatlas.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_text("cluster_id,cluster_name,lat,lon\nx,X,abc,\n", encoding="utf-8")
    assert main(["share", str(bad)]) == 1
    assert "No row could be imported" in capsys.readouterr().err
    assert DatasetStore(cli_env).count() == 0


def test_cli_share_size_limit(
    cli_env: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mstatlas.cli import main

    monkeypatch.setenv("MSTATLAS_SHARE_MAX_MB", "0.001")
    assert main(["share", str(DEFAULT_CSV)]) == 1
    assert "shared datasets may be at most 1 kB. Filter it or split it." in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["delete", "abc"], "required: --token"),
        (["share", "x.csv", "--base-url", "atlas.example.org"], "expected the app's address"),
        (["share"], "required: file"),
    ],
)
def test_cli_usage_errors_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from mstatlas.cli import main

    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_cli_missing_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from mstatlas.cli import main

    assert main(["share", str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv" in capsys.readouterr().err


# -- the app's share path: Dataset <-> SharedDataset (store/dataset.py) ----------------------


def test_app_share_keeps_the_firm_table_when_the_owner_opts_in(store: DatasetStore) -> None:
    ds_in = firm_list()
    upload = Dataset(
        id="u-test",
        name=ds_in.name,
        clusters=coerce_clusters(ds_in.clusters),
        kind="firms",
        meta={"filename": "firmen.csv"},
        firms=ds_in.firms,
        report=ds_in.report,
        geocoding=ds_in.geocoding,
        mapping=ds_in.mapping,
    )
    saved = store.save(shared_from_dataset(upload, keep_firms=True))
    opened = dataset_from_shared(saved.id, store.load(saved.id))
    assert opened.kind == "firms" and opened.shared and opened.id == saved.id
    assert opened.meta["kind"] == "firms" and opened.meta["filename"] == "firmen.csv"
    assert opened.meta["disclosure"]["firm_rows"] is True
    assert opened.firms is not None and ds_in.firms is not None
    pd.testing.assert_frame_equal(opened.firms, ds_in.firms)
    assert valid_dataset_id(saved.delete_token)


# -- cluster profile facts (schema version 3) -------------------------------------------


def profile_facts() -> pd.DataFrame:
    """Facts as an upload gives them: unicode, blanks, one undated, two of one field."""
    return pd.DataFrame(
        {
            "cluster_id": ["dortmund", "dortmund", "lodz"],
            "field": ["technologies", "technologies", "founded"],
            "value": ["MEMS", "Mikrooptik ‘Ü’", "<b>2005</b>"],
            "year": pd.array([2007, 2007, None], dtype="Int64"),
            "source_title": ["Zeitung", "Zeitung", "Łódź report"],
            "source_url": ["https://z.example/1", "https://z.example/1", None],
            "quote": [None, None, "założony w 2005"],
        }
    )


def test_profile_facts_round_trip(store: DatasetStore) -> None:
    from mstatlas.data.profiles import PROFILE_COLUMNS, coerce_profiles

    ds = sample()
    ds.profiles = profile_facts()
    got = store.load(store.save(ds).id)
    assert got.profiles is not None
    pd.testing.assert_frame_equal(got.profiles, coerce_profiles(profile_facts()))
    assert list(got.profiles.columns) == list(PROFILE_COLUMNS)
    assert pd.isna(got.profiles.loc[2, "year"]) and pd.isna(got.profiles.loc[0, "quote"])


def test_dataset_without_profile_facts_opens_with_none_of_them(store: DatasetStore) -> None:
    got = store.load(store.save(SharedDataset(name="x", clusters=load_clusters())).id)
    assert got.profiles is not None and got.profiles.empty
    assert "field" in got.profiles.columns


def test_bad_profile_facts_are_refused_with_a_reason(store: DatasetStore) -> None:
    facts = profile_facts().assign(field=["technologies", "colours", "founded"])
    with pytest.raises(StoreError, match=r"profile facts cannot be shared.*'colours'"):
        store.save(SharedDataset(name="x", clusters=load_clusters(), profiles=facts))
    with pytest.raises(StoreError, match="profile facts must be a DataFrame or None, got dict"):
        store.save(SharedDataset(name="x", clusters=load_clusters(), profiles={}))  # type: ignore[arg-type]
    assert store.count() == 0


# Tables as schema version 2 left them: version 1 plus the firm table, no profiles.
_V2 = sa.MetaData()
for _t in _V1.tables.values():
    _t.to_metadata(_V2)
_V2.tables["shared_datasets"].append_column(sa.Column("firms", sa.LargeBinary, nullable=True))


def test_version_2_dataset_opens_without_profiles_and_is_upgraded(
    store_url: str, make_store: Callable[..., DatasetStore]
) -> None:
    from mstatlas.store.encoding import frame_to_parquet
    from mstatlas.store.model import token_hash

    ds = firm_list()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        _V2.create_all(conn)
        for version in (1, 2):
            conn.execute(
                _V2.tables["mstatlas_schema_version"]
                .insert()
                .values(version=version, applied_at=datetime.now(UTC))
            )
        conn.execute(
            _V2.tables["shared_datasets"]
            .insert()
            .values(
                id="v2" + "a" * 20,
                name="shared by version 2",
                created_at=datetime.now(UTC),
                delete_token_sha256=token_hash("t" * 22),
                payload_format=1,
                n_rows=len(ds.clusters),
                n_bytes=1,
                clusters=frame_to_parquet(ds.clusters, index=False),
                firms=frame_to_parquet(ds.firms),  # type: ignore[arg-type]
                mapping={},
                meta={"kind": "firms"},
            )
        )
    engine.dispose()
    assert "profiles" not in schema_state(store_url)[1]

    store = make_store()
    old = store.load("v2" + "a" * 20)
    assert old.profiles is not None and old.profiles.empty
    assert old.firms is not None and len(old.firms) == len(ds.firms)  # type: ignore[arg-type]
    assert schema_state(store_url) == (
        [1, 2, 3, 4],
        {c.name for c in tables.shared_datasets.c},
    )
    new = sample()
    new.profiles = profile_facts()
    assert len(store.load(store.save(new).id).profiles) == 3  # type: ignore[arg-type]


def test_cli_share_keeps_the_profile_facts_of_a_cluster_table(
    cli_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mstatlas.cli import main

    path = tmp_path / "cluster.csv"
    path.write_text(
        "name,city,country,employees,year,source,technologies\n"
        'Dortmund MST,Dortmund,DE,2100,2007,Zeitung,"MEMS; micro-optics"\n',
        encoding="utf-8",
    )
    assert main(["share", str(path)]) == 0
    out = capsys.readouterr().out
    dataset_id = next(ln for ln in out.splitlines() if ln.startswith("link:")).split("ds=")[-1]
    store = DatasetStore(cli_env)
    got = store.load(dataset_id)
    store.close()
    assert got.profiles is not None
    assert got.profiles[["cluster_id", "field", "value", "year"]].values.tolist() == [
        ["dortmund-mst", "technologies", "MEMS", 2007],
        ["dortmund-mst", "technologies", "micro-optics", 2007],
    ]


def test_app_share_keeps_the_profile_facts(store: DatasetStore) -> None:
    from mstatlas.data.profiles import coerce_profiles

    upload = Dataset(
        id="u-test", name="with facts", clusters=load_clusters(), profiles=profile_facts()
    )
    saved = store.save(shared_from_dataset(upload))
    opened = dataset_from_shared(saved.id, store.load(saved.id))
    assert opened.profiles is not None
    pd.testing.assert_frame_equal(opened.profiles, coerce_profiles(profile_facts()))
