"""Shared datasets in SQLite or PostgreSQL: save, load, delete, nothing else.

A presenter uploads a file, the app stores the checked cluster table and hands
out a link with a random id plus a separate delete token. Datasets are
immutable: there is no update, only save, load and delete.

One dataset is one table row written in one transaction, so a process killed
mid-save leaves either the whole dataset or nothing (its encoding:
:mod:`mstatlas.store.encoding`). Only a SHA-256 hash of the delete token is
stored. Where the data lives: :mod:`mstatlas.store.settings`.

Tables are created on first use and upgraded in place when a newer MST Atlas
opens an older database (see :data:`mstatlas.store.schema.MIGRATIONS`); an
older MST Atlas refuses a newer database instead of guessing.

Nothing here imports Streamlit; the UI wraps :func:`get_store` in
``st.cache_resource``.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from mstatlas.errors import NotFoundError, PermissionDeniedError, StoreError
from mstatlas.i18n import _, fmt_int
from mstatlas.store import schema as tables
from mstatlas.store.encoding import decode, encode
from mstatlas.store.model import (
    SavedDataset,
    SharedDataset,
    new_secret,
    token_hash,
    valid_dataset_id,
)
from mstatlas.store.settings import (
    database_url,
    human_size,
    parse_url,
    share_limits,
    url_from_environment,
)

#: Key of the PostgreSQL advisory lock that serialises saves (count limit) and schema set-up.
_PG_LOCK_KEY: Final = 0x6D737461746C6173 & 0x7FFFFFFFFFFFFFFF  # "mstatlas"
_SQLITE_BUSY_MS: Final = 30_000


class DatasetStore:
    """Shared datasets in SQLite or PostgreSQL.

    Thread-safe: every call takes its own connection from the engine's pool.
    Tables are created on first use (``metadata.create_all`` plus a
    ``mstatlas_schema_version`` row for later migrations).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL. ``None`` reads ``MSTATLAS_DATABASE_URL``, falling back
        to an SQLite file (see :func:`default_sqlite_path`).
    max_bytes : int, optional
        Largest stored size of one dataset (Parquet + JSON bytes). ``None``
        reads ``MSTATLAS_SHARE_MAX_MB`` (default 50 MB).
    max_datasets : int, optional
        Most datasets the store holds. ``None`` reads
        ``MSTATLAS_SHARE_MAX_DATASETS`` (default 10,000).

    Raises
    ------
    mstatlas.errors.StoreError
        If the URL or a limit is unusable. The database itself is contacted
        lazily, so an unreachable server surfaces on the first call.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        max_bytes: int | None = None,
        max_datasets: int | None = None,
    ) -> None:
        from_default = url_from_environment(url)
        self._url = parse_url(database_url(url))
        self.max_bytes: int
        self.max_datasets: int
        self.max_bytes, self.max_datasets = share_limits(max_bytes, max_datasets)
        self._is_sqlite = self._url.get_backend_name() == "sqlite"
        if self._is_sqlite:
            self._prepare_sqlite_folder(create=from_default)
        self._engine = self._create_engine()
        self._schema_ready = False
        self._schema_lock = threading.Lock()

    # -- public API ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The database URL with any password masked (safe to log or show)."""
        return self._url.render_as_string(hide_password=True)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for health checks, tests and benchmarks)."""
        return self._engine

    def save(self, ds: SharedDataset) -> SavedDataset:
        """Store a dataset and return its new id and delete token.

        Parameters
        ----------
        ds : SharedDataset
            The dataset; ``created_at`` is ignored (the store sets it).

        Returns
        -------
        SavedDataset
            ``id`` for the link (``?ds=<id>``) and ``delete_token`` (shown once;
            only its hash is stored).

        Raises
        ------
        mstatlas.errors.StoreError
            If the dataset is larger than :attr:`max_bytes`, the store already
            holds :attr:`max_datasets` datasets, the table is not canonical, or
            the database cannot be reached.
        """
        payload = encode(ds)
        size = payload.n_bytes
        if size > self.max_bytes:
            raise StoreError(
                _(
                    "This dataset is {size}; shared datasets may be at most {limit}. Filter it or "
                    "split it."
                ).format(size=human_size(size), limit=human_size(self.max_bytes))
            )
        self._ensure_schema()
        saved = SavedDataset(id=new_secret(), delete_token=new_secret())
        table = tables.shared_datasets
        with self._db_errors(_("save the shared dataset")), self._write() as conn:
            held = conn.scalar(select(func.count()).select_from(table)) or 0
            if held >= self.max_datasets:
                raise StoreError(
                    _(
                        "The atlas already holds {held} shared datasets, its limit; delete shared "
                        "datasets that are no longer needed (mstatlas delete ID --token TOKEN) or ask "
                        "the operator to raise MSTATLAS_SHARE_MAX_DATASETS."
                    ).format(held=fmt_int(held))
                )
            conn.execute(
                insert(table).values(
                    id=saved.id,
                    name=payload.name,
                    created_at=datetime.now(UTC),
                    delete_token_sha256=token_hash(saved.delete_token),
                    payload_format=tables.PAYLOAD_FORMAT,
                    n_rows=payload.n_rows,
                    n_bytes=size,
                    clusters=payload.clusters,
                    report=payload.report,
                    geocoding=payload.geocoding,
                    firms=payload.firms,
                    profiles=payload.profiles,
                    mapping=payload.mapping,
                    meta=payload.meta,
                    disclosure=payload.disclosure,
                )
            )
        return saved

    def load(self, dataset_id: str) -> SharedDataset:
        """Load a shared dataset by id.

        Returns
        -------
        SharedDataset
            ``clusters`` is a canonical :class:`geopandas.GeoDataFrame`
            (rebuilt with :func:`mstatlas.data.schema.coerce_clusters`).

        Raises
        ------
        mstatlas.errors.NotFoundError
            If the id is malformed (the database is not asked) or unknown.
        mstatlas.errors.StoreError
            If the database cannot be reached or the row cannot be decoded.
        """
        self._check_id(dataset_id)
        self._ensure_schema()
        table = tables.shared_datasets
        with self._db_errors(_("load the shared dataset")), self._engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == dataset_id)).one_or_none()
        if row is None:
            raise NotFoundError(self._unknown(dataset_id))
        if row.payload_format > tables.PAYLOAD_FORMAT:
            raise StoreError(
                _(
                    "Shared dataset {dataset_id!r} was stored by a newer MST Atlas; upgrade this "
                    "installation to open it."
                ).format(dataset_id=dataset_id)
            )
        return decode(row, dataset_id)

    def delete(self, dataset_id: str, token: str) -> None:
        """Delete a dataset if ``token`` is its delete token.

        Raises
        ------
        mstatlas.errors.NotFoundError
            If the id is malformed or unknown.
        mstatlas.errors.PermissionDeniedError
            If the token does not match (compared in constant time).
        """
        self._check_id(dataset_id)
        self._ensure_schema()
        given = token_hash(token if isinstance(token, str) else "")
        table = tables.shared_datasets
        with self._db_errors(_("delete the shared dataset")), self._write() as conn:
            stored = conn.scalar(
                select(table.c.delete_token_sha256).where(table.c.id == dataset_id)
            )
            if stored is None:
                raise NotFoundError(self._unknown(dataset_id))
            if not hmac.compare_digest(given, stored):
                raise PermissionDeniedError(
                    _(
                        "The delete token does not match shared dataset {dataset_id!r}; use the token "
                        "that was shown when the dataset was shared."
                    ).format(dataset_id=dataset_id)
                )
            conn.execute(delete(table).where(table.c.id == dataset_id))

    def exists(self, dataset_id: str) -> bool:
        """Tell whether a dataset with this id is stored (``False`` for malformed ids)."""
        if not valid_dataset_id(dataset_id):
            return False
        self._ensure_schema()
        table = tables.shared_datasets
        with self._db_errors(_("look up the shared dataset")), self._engine.connect() as conn:
            found = conn.scalar(select(table.c.id).where(table.c.id == dataset_id))
        return found is not None

    def count(self) -> int:
        """Number of stored datasets."""
        self._ensure_schema()
        with self._db_errors(_("count the shared datasets")), self._engine.connect() as conn:
            n = conn.scalar(select(func.count()).select_from(tables.shared_datasets))
        return int(n or 0)

    def ping(self) -> bool:
        """Health check: ``True`` if the database answers ``SELECT 1``; never raises."""
        try:
            with self._engine.connect() as conn:
                return conn.scalar(text("SELECT 1")) == 1
        except SQLAlchemyError:
            return False

    def close(self) -> None:
        """Close pooled connections (the store reconnects if used again)."""
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"DatasetStore({self.url!r})"

    # -- internals -------------------------------------------------------------------

    def _prepare_sqlite_folder(self, *, create: bool) -> None:
        database = self._url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return
        folder = Path(database).expanduser().resolve().parent
        if folder.is_dir():
            return
        if not create:
            raise StoreError(
                _(
                    "The folder {folder} for the SQLite database does not exist; create it or change "
                    "MSTATLAS_DATABASE_URL."
                ).format(folder=folder)
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                _(
                    "Cannot create the folder {folder} for shared datasets ({strerror}); set "
                    "MSTATLAS_HOME to a writable folder or MSTATLAS_DATABASE_URL to a database."
                ).format(folder=folder, strerror=exc.strerror)
            ) from None

    def _create_engine(self) -> Engine:
        if not self._is_sqlite:
            return create_engine(
                self._url,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 10},
            )
        engine = create_engine(self._url, connect_args={"timeout": _SQLITE_BUSY_MS / 1000})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event below issue BEGIN, so writes can take
            # the write lock up front (BEGIN IMMEDIATE) instead of upgrading later.
            dbapi_conn.isolation_level = None
            cursor = dbapi_conn.cursor()
            cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
            _enable_wal(cursor)
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            write = conn.get_execution_options().get("mstatlas_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction that holds the store's write lock until commit."""
        with self._engine.connect() as conn:
            conn.execution_options(mstatlas_write=True)
            with conn.begin():
                if not self._is_sqlite:
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                yield conn

    @contextmanager
    def _db_errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except StoreError:
            raise
        except OperationalError as exc:
            raise StoreError(
                _(
                    "Could not {action}: the database at {url} did not answer ({error}). Check "
                    "MSTATLAS_DATABASE_URL and that the database is running, then try again."
                ).format(action=action, url=self.url, error=_first_line(exc))
            ) from exc
        except SQLAlchemyError as exc:
            raise StoreError(
                _("Could not {action}: the database reported an error ({error}).").format(
                    action=action, error=_first_line(exc)
                )
            ) from exc

    def _ensure_schema(self) -> None:
        """Create the tables, or upgrade older ones, once per store.

        Runs under the store's write lock (SQLite ``BEGIN IMMEDIATE``, the
        PostgreSQL advisory lock), in one transaction: several processes opening
        an old database at once upgrade it exactly once, and a failed upgrade
        leaves the old schema untouched (DDL is transactional in both databases).
        """
        if self._schema_ready:
            return
        with self._schema_lock:
            if self._schema_ready:
                return
            version_table = tables.schema_version
            with self._db_errors(_("prepare the shared-dataset tables")), self._write() as conn:
                tables.metadata.create_all(conn)
                version = conn.scalar(select(func.max(version_table.c.version)))
                if version is None:
                    self._record_version(conn, tables.SCHEMA_VERSION)
                elif version > tables.SCHEMA_VERSION:
                    raise StoreError(
                        _(
                            "The shared-dataset database at {url} has schema version {version}, newer than "
                            "this MST Atlas understands ({schema_version}); upgrade MST Atlas."
                        ).format(
                            url=self.url, version=version, schema_version=tables.SCHEMA_VERSION
                        )
                    )
                else:
                    for target in range(int(version) + 1, tables.SCHEMA_VERSION + 1):
                        tables.MIGRATIONS[target](conn)
                        self._record_version(conn, target)
            self._schema_ready = True

    @staticmethod
    def _record_version(conn: Connection, version: int) -> None:
        conn.execute(
            insert(tables.schema_version).values(version=version, applied_at=datetime.now(UTC))
        )

    @staticmethod
    def _check_id(dataset_id: str) -> None:
        if not valid_dataset_id(dataset_id):
            raise NotFoundError(
                _(
                    "{id} is not a shared-dataset id (ids are 22 letters, digits, '-' or '_'); "
                    "check that the link was copied completely."
                ).format(id=_show_id(dataset_id))
            )

    @staticmethod
    def _unknown(dataset_id: str) -> str:
        return _(
            "No shared dataset has the id {dataset_id!r}; the link may be mistyped, or the "
            "dataset was deleted."
        ).format(dataset_id=dataset_id)


def _enable_wal(cursor: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection holds a lock.

    Switching an older rollback-journal database to WAL needs an exclusive lock.
    When another connection is committing at that moment, SQLite reports "database
    is locked" at once instead of waiting (waiting could deadlock), so the busy
    timeout does not help; this waits and tries again, up to that timeout.
    """
    import sqlite3
    import time

    deadline = time.monotonic() + _SQLITE_BUSY_MS / 1000
    delay = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _show_id(dataset_id: object) -> str:
    shown = str(dataset_id)
    return repr(shown if len(shown) <= 40 else shown[:40] + "…")


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    message = str(orig if orig is not None else exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


_STORES: dict[str, DatasetStore] = {}
_STORES_LOCK = threading.Lock()


def get_store(url: str | None = None) -> DatasetStore:
    """The process-wide store for a URL (one engine and connection pool per URL).

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; ``None`` resolves it like :class:`DatasetStore`.
        Limits are read from the environment when the store is first made.

    Returns
    -------
    DatasetStore
        The same object for the same resolved URL, from any thread.
    """
    resolved = database_url(url)
    with _STORES_LOCK:
        store = _STORES.get(resolved)
        if store is None:
            store = DatasetStore(resolved if url else None)
            _STORES[resolved] = store
        return store


def forget_store(url: str | None = None) -> None:
    """Close the process-wide store for a URL and forget it (a no-op if there is none).

    The next :func:`get_store` for that URL makes a new store, reading the
    limits from the environment again; tests use it to leave no pool behind.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; ``None`` resolves it like :class:`DatasetStore`.
    """
    resolved = database_url(url)
    with _STORES_LOCK:
        store = _STORES.pop(resolved, None)
    if store is not None:
        store.close()
