"""Server-side storage of shared datasets (the ``?ds=<id>`` links).

A presenter uploads a file, the app stores the checked cluster table and hands
out a link with a random id plus a separate delete token. Datasets are
immutable: there is no update, only save, load and delete.

Where the data lives is set by one environment variable,
``MSTATLAS_DATABASE_URL`` (an SQLAlchemy URL):

* unset: an SQLite file ``mstatlas.sqlite`` in ``MSTATLAS_HOME`` or, if that
  is unset too, in ``./var/`` under the working directory (created on demand);
* ``postgresql+psycopg://user:password@host:5432/dbname``: a PostgreSQL
  database, so that several app replicas share the same datasets.

One dataset is one table row written in one transaction, so a process killed
mid-save leaves either the whole dataset or nothing. The cluster table (and the
validation report, geocoding and firm tables) are stored as compressed Parquet
bytes, like the cluster profile facts; the column mapping and metadata as JSON. Only a SHA-256 hash of the
delete token is stored.

Tables are created on first use and upgraded in place when a newer MST Atlas
opens an older database (see ``_MIGRATIONS``); an older MST Atlas refuses a
newer database instead of guessing.

Nothing here imports Streamlit; the UI wraps :func:`get_store` in
``st.cache_resource``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from mstatlas.data import _store_schema as tables
from mstatlas.data.profiles import PROFILE_COLUMNS, coerce_profiles, empty_profiles
from mstatlas.data.schema import COLUMNS, coerce_clusters
from mstatlas.errors import NotFoundError, PermissionDeniedError, StoreError

__all__ = [
    "DatasetStore",
    "SavedDataset",
    "SharedDataset",
    "database_url",
    "default_sqlite_path",
    "get_store",
    "valid_dataset_id",
]

DEFAULT_MAX_MB: Final = 50.0
DEFAULT_MAX_DATASETS: Final = 10_000
#: Longest dataset name accepted (characters).
MAX_NAME_CHARS: Final = 500

_ID_RE: Final = re.compile(r"[A-Za-z0-9_-]{22}")
#: Key of the PostgreSQL advisory lock that serialises saves (count limit) and schema set-up.
_PG_LOCK_KEY: Final = 0x6D737461746C6173 & 0x7FFFFFFFFFFFFFFF  # "mstatlas"
_SQLITE_BUSY_MS: Final = 30_000
_MB: Final = 1024 * 1024


@dataclass
class SharedDataset:
    """A dataset as the presenter shared it.

    Attributes
    ----------
    name : str
        User-visible title, stored exactly as given (escape it when showing it).
    clusters : pandas.DataFrame
        Cluster table with the columns of :data:`mstatlas.data.schema.COLUMNS`;
        geometry is dropped when storing and rebuilt on load, so loaded datasets
        hold a :class:`geopandas.GeoDataFrame`.
    mapping : dict of str to str or None
        Column mapping used at import (file column -> canonical column).
    report : pandas.DataFrame or None
        Validation problems (columns ``row, column, value, severity, reason``).
    geocoding : pandas.DataFrame or None
        Geocoding matches and corrections.
    firms : pandas.DataFrame or None
        For a firm list (``meta["kind"] == "firms"``): the cleaned firm rows the
        cluster table was aggregated from. Stored as given (geometry columns
        dropped); datasets shared before schema version 2 load with ``None``.
    profiles : pandas.DataFrame or None
        Profile facts of the clusters (:data:`mstatlas.data.profiles.PROFILE_COLUMNS`),
        stored in canonical form. Loaded datasets always have a table: an empty one
        when none was stored (and for datasets shared before schema version 3).
    meta : dict
        JSON-able extras: ``filename``, ``kind`` (``"clusters"``/``"firms"``),
        aggregation text and so on.
    created_at : datetime or None
        Set by the store (UTC); ignored on save.
    """

    name: str
    clusters: pd.DataFrame
    mapping: dict[str, str | None] = field(default_factory=dict)
    report: pd.DataFrame | None = None
    geocoding: pd.DataFrame | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None
    firms: pd.DataFrame | None = None
    profiles: pd.DataFrame | None = None


@dataclass(frozen=True)
class SavedDataset:
    """What :meth:`DatasetStore.save` hands back: the public id and the secret delete token."""

    id: str
    delete_token: str


def valid_dataset_id(text: str) -> bool:
    """Tell whether ``text`` has the shape of a dataset id.

    Ids are ``secrets.token_urlsafe(16)``: 22 characters from ``A-Z a-z 0-9 - _``
    (new ones never start with ``-``, which a command line would take for an option).
    A well-formed id may still be unknown to the store.
    """
    return isinstance(text, str) and _ID_RE.fullmatch(text) is not None


def _new_secret() -> str:
    """A random id or delete token (128 bits) that does not start with ``-``."""
    while True:
        secret = secrets.token_urlsafe(16)
        if not secret.startswith("-"):
            return secret


def default_sqlite_path() -> Path:
    """Path of the default SQLite file.

    ``$MSTATLAS_HOME/mstatlas.sqlite`` if ``MSTATLAS_HOME`` is set, else
    ``./var/mstatlas.sqlite`` under the current working directory.
    """
    home = os.environ.get("MSTATLAS_HOME", "").strip()
    base = Path(home).expanduser() if home else Path.cwd() / "var"
    return (base / "mstatlas.sqlite").resolve()


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL the store uses.

    Parameters
    ----------
    url : str, optional
        Explicit URL; wins over ``MSTATLAS_DATABASE_URL``.

    Returns
    -------
    str
        ``url``, else ``MSTATLAS_DATABASE_URL``, else an SQLite URL for
        :func:`default_sqlite_path`.
    """
    if url and url.strip():
        return url.strip()
    env = os.environ.get("MSTATLAS_DATABASE_URL", "").strip()
    if env:
        return env
    return f"sqlite:///{default_sqlite_path()}"


def _parse_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except ArgumentError:
        raise StoreError(
            "MSTATLAS_DATABASE_URL is not a database URL; use e.g. "
            "sqlite:////srv/mstatlas/mstatlas.sqlite or "
            "postgresql+psycopg://user:password@host:5432/mstatlas."
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        # Managed services hand out postgres:// or postgresql:// URLs; MST Atlas ships psycopg 3.
        if url.drivername != "postgresql+psycopg":
            url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise StoreError(
            f"MSTATLAS_DATABASE_URL points at a {backend!r} database; MST Atlas stores shared "
            "datasets in SQLite or PostgreSQL (e.g. postgresql+psycopg://user:password@host/db)."
        )
    return url


def _env_number(name: str, default: float, *, integer: bool) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or (integer and value != int(value)):
        kind = "a positive whole number" if integer else "a positive number"
        raise StoreError(f"{name} must be {kind}, got {raw!r}; fix or unset it.")
    return value


def _human_size(n_bytes: int) -> str:
    if n_bytes >= 10 * _MB:
        return f"{n_bytes / _MB:.0f} MB"
    if n_bytes >= _MB:
        return f"{n_bytes / _MB:.1f} MB"
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.0f} kB"
    return f"{n_bytes} bytes"


def _show_id(dataset_id: object) -> str:
    shown = str(dataset_id)
    return repr(shown if len(shown) <= 40 else shown[:40] + "…")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _json_default(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _to_json_value(value: Mapping[str, Any], what: str) -> Any:
    if not isinstance(value, Mapping):
        raise StoreError(f"The dataset's {what} must be a dict, got {type(value).__name__}.")
    try:
        return json.loads(json.dumps(dict(value), default=_json_default, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise StoreError(
            f"The dataset's {what} cannot be stored as JSON ({exc}); keep it to text, "
            "numbers, booleans, lists and dicts."
        ) from None


def _frame_to_parquet(frame: pd.DataFrame, *, index: bool | None = None) -> bytes:
    frame = pd.DataFrame(frame)
    geo = [c for c in frame.columns if isinstance(frame[c].dtype, gpd.array.GeometryDtype)]
    frame = frame.drop(columns=geo)
    frame.columns = [str(c) for c in frame.columns]
    buf = io.BytesIO()
    try:
        frame.to_parquet(buf, engine="pyarrow", compression="zstd", index=index)
    except (TypeError, ValueError):  # pyarrow.ArrowException subclasses these
        # Mixed-type object columns (e.g. a report's "value": 12, "2,1 Mio") have no
        # Parquet type; store them as text, keeping blanks blank.
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].map(lambda v: v if v is None or v is pd.NA else str(v))
                frame[col] = frame[col].astype("string")
        buf = io.BytesIO()
        frame.to_parquet(buf, engine="pyarrow", compression="zstd", index=index)
    return buf.getvalue()


def _parquet_to_frame(blob: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(blob), engine="pyarrow")


@dataclass(frozen=True)
class _Payload:
    name: str
    n_rows: int
    clusters: bytes
    report: bytes | None
    geocoding: bytes | None
    firms: bytes | None
    profiles: bytes | None
    mapping: Any
    meta: Any

    @property
    def n_bytes(self) -> int:
        """Stored size: every Parquet blob, the JSON parts and the name (what the limit counts)."""
        json_bytes = len(json.dumps(self.mapping)) + len(json.dumps(self.meta))
        parts = (self.clusters, self.report, self.geocoding, self.firms, self.profiles)
        blobs = sum(len(b or b"") for b in parts)
        return blobs + json_bytes + len(self.name.encode("utf-8"))


def _optional_frame(frame: object, what: str) -> bytes | None:
    if frame is None:
        return None
    if not isinstance(frame, pd.DataFrame):
        raise StoreError(
            f"The dataset's {what} must be a DataFrame or None, got {type(frame).__name__}."
        )
    return _frame_to_parquet(frame)


def _encode(ds: SharedDataset) -> _Payload:
    if not isinstance(ds.name, str):
        raise StoreError(f"The dataset name must be text, got {type(ds.name).__name__}.")
    if len(ds.name) > MAX_NAME_CHARS:
        raise StoreError(
            f"The dataset name is {len(ds.name):,} characters long; names may be at most "
            f"{MAX_NAME_CHARS}. Shorten it."
        )
    if "\x00" in ds.name:
        raise StoreError("The dataset name contains a NUL character; remove it.")
    if not isinstance(ds.clusters, pd.DataFrame):
        raise StoreError(
            f"The dataset's clusters must be a DataFrame, got {type(ds.clusters).__name__}."
        )
    try:
        canonical = pd.DataFrame(coerce_clusters(ds.clusters)[list(COLUMNS)])
    except ValueError as exc:
        raise StoreError(f"The cluster table cannot be shared as it is: {exc}") from None
    profiles = _canonical_profiles(ds.profiles)
    mapping = _to_json_value(ds.mapping, "column mapping")
    bad_keys = [k for k, v in mapping.items() if v is not None and not isinstance(v, str)]
    if bad_keys:
        raise StoreError(
            f"The column mapping must map column names to column names or None; "
            f"{bad_keys[0]!r} maps to {mapping[bad_keys[0]]!r}."
        )
    return _Payload(
        name=ds.name,
        n_rows=len(canonical),
        clusters=_frame_to_parquet(canonical, index=False),
        report=_optional_frame(ds.report, "validation report"),
        geocoding=_optional_frame(ds.geocoding, "geocoding table"),
        firms=_optional_frame(ds.firms, "firm table"),
        profiles=None if profiles is None else _frame_to_parquet(profiles, index=False),
        mapping=mapping,
        meta=_to_json_value(ds.meta, "metadata"),
    )


def _canonical_profiles(profiles: object) -> pd.DataFrame | None:
    if profiles is None:
        return None
    if not isinstance(profiles, pd.DataFrame):
        raise StoreError(
            f"The dataset's profile facts must be a DataFrame or None, got "
            f"{type(profiles).__name__}."
        )
    try:
        return pd.DataFrame(coerce_profiles(profiles)[list(PROFILE_COLUMNS)])
    except ValueError as exc:
        raise StoreError(f"The profile facts cannot be shared as they are: {exc}") from None


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
        from_default = (
            not (url and url.strip()) and not os.environ.get("MSTATLAS_DATABASE_URL", "").strip()
        )
        self._url = _parse_url(database_url(url))
        if max_bytes is None:
            max_mb = _env_number("MSTATLAS_SHARE_MAX_MB", DEFAULT_MAX_MB, integer=False)
            max_bytes = int(max_mb * _MB)
        if max_datasets is None:
            max_datasets = int(
                _env_number("MSTATLAS_SHARE_MAX_DATASETS", DEFAULT_MAX_DATASETS, integer=True)
            )
        if max_bytes < 1 or max_datasets < 1:
            raise StoreError("The share limits must be positive (max_bytes, max_datasets).")
        self.max_bytes: int = max_bytes
        self.max_datasets: int = max_datasets
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
        payload = _encode(ds)
        size = payload.n_bytes
        if size > self.max_bytes:
            raise StoreError(
                f"This dataset is {_human_size(size)}; shared datasets may be at most "
                f"{_human_size(self.max_bytes)}. Filter it or split it."
            )
        self._ensure_schema()
        saved = SavedDataset(id=_new_secret(), delete_token=_new_secret())
        table = tables.shared_datasets
        with self._db_errors("save the shared dataset"), self._write() as conn:
            held = conn.scalar(select(func.count()).select_from(table)) or 0
            if held >= self.max_datasets:
                raise StoreError(
                    f"The atlas already holds {held:,} shared datasets, its limit; delete "
                    "shared datasets that are no longer needed (mstatlas delete ID --token "
                    "TOKEN) or ask the operator to raise MSTATLAS_SHARE_MAX_DATASETS."
                )
            conn.execute(
                insert(table).values(
                    id=saved.id,
                    name=payload.name,
                    created_at=datetime.now(UTC),
                    delete_token_sha256=_token_hash(saved.delete_token),
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
        with self._db_errors("load the shared dataset"), self._engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == dataset_id)).one_or_none()
        if row is None:
            raise NotFoundError(self._unknown(dataset_id))
        if row.payload_format > tables.PAYLOAD_FORMAT:
            raise StoreError(
                f"Shared dataset {dataset_id!r} was stored by a newer MST Atlas; upgrade this "
                "installation to open it."
            )
        try:
            clusters = coerce_clusters(_parquet_to_frame(row.clusters))
            report = None if row.report is None else _parquet_to_frame(row.report)
            geocoding = None if row.geocoding is None else _parquet_to_frame(row.geocoding)
            firms = None if row.firms is None else _parquet_to_frame(row.firms)
            profiles = (
                empty_profiles()
                if row.profiles is None
                else coerce_profiles(_parquet_to_frame(row.profiles))
            )
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"Shared dataset {dataset_id!r} is damaged and cannot be read ({exc}); "
                "share the file again."
            ) from exc
        if len(clusters) != row.n_rows:
            raise StoreError(
                f"Shared dataset {dataset_id!r} is damaged ({len(clusters)} of {row.n_rows} "
                "rows readable); share the file again."
            )
        created = row.created_at
        if created is not None and created.tzinfo is None:  # SQLite keeps no zone; we wrote UTC
            created = created.replace(tzinfo=UTC)
        return SharedDataset(
            name=row.name,
            clusters=clusters,
            mapping=dict(row.mapping or {}),
            report=report,
            geocoding=geocoding,
            meta=dict(row.meta or {}),
            created_at=created,
            firms=firms,
            profiles=profiles,
        )

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
        given = _token_hash(token if isinstance(token, str) else "")
        table = tables.shared_datasets
        with self._db_errors("delete the shared dataset"), self._write() as conn:
            stored = conn.scalar(
                select(table.c.delete_token_sha256).where(table.c.id == dataset_id)
            )
            if stored is None:
                raise NotFoundError(self._unknown(dataset_id))
            if not hmac.compare_digest(given, stored):
                raise PermissionDeniedError(
                    f"The delete token does not match shared dataset {dataset_id!r}; use the "
                    "token that was shown when the dataset was shared."
                )
            conn.execute(delete(table).where(table.c.id == dataset_id))

    def exists(self, dataset_id: str) -> bool:
        """Tell whether a dataset with this id is stored (``False`` for malformed ids)."""
        if not valid_dataset_id(dataset_id):
            return False
        self._ensure_schema()
        table = tables.shared_datasets
        with self._db_errors("look up the shared dataset"), self._engine.connect() as conn:
            found = conn.scalar(select(table.c.id).where(table.c.id == dataset_id))
        return found is not None

    def count(self) -> int:
        """Number of stored datasets."""
        self._ensure_schema()
        with self._db_errors("count the shared datasets"), self._engine.connect() as conn:
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
                f"The folder {folder} for the SQLite database does not exist; create it or "
                "change MSTATLAS_DATABASE_URL."
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder {folder} for shared datasets ({exc.strerror}); set "
                "MSTATLAS_HOME to a writable folder or MSTATLAS_DATABASE_URL to a database."
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
                f"Could not {action}: the database at {self.url} did not answer "
                f"({_first_line(exc)}). Check MSTATLAS_DATABASE_URL and that the database "
                "is running, then try again."
            ) from exc
        except SQLAlchemyError as exc:
            raise StoreError(
                f"Could not {action}: the database reported an error ({_first_line(exc)})."
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
            with self._db_errors("prepare the shared-dataset tables"), self._write() as conn:
                tables.metadata.create_all(conn)
                version = conn.scalar(select(func.max(version_table.c.version)))
                if version is None:
                    self._record_version(conn, tables.SCHEMA_VERSION)
                elif version > tables.SCHEMA_VERSION:
                    raise StoreError(
                        f"The shared-dataset database at {self.url} has schema version "
                        f"{version}, newer than this MST Atlas understands "
                        f"({tables.SCHEMA_VERSION}); upgrade MST Atlas."
                    )
                else:
                    for target in range(int(version) + 1, tables.SCHEMA_VERSION + 1):
                        _MIGRATIONS[target](conn)
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
                f"{_show_id(dataset_id)} is not a shared-dataset id (ids are 22 letters, digits, "
                "'-' or '_'); check that the link was copied completely."
            )

    @staticmethod
    def _unknown(dataset_id: str) -> str:
        return (
            f"No shared dataset has the id {dataset_id!r}; the link may be mistyped, or the "
            "dataset was deleted."
        )


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


def _add_column_if_missing(conn: Connection, table_name: str, column_name: str) -> None:
    """``ALTER TABLE … ADD COLUMN`` for a nullable column of :mod:`_store_schema`.

    Idempotent: a column that is already there (e.g. added by hand) is left alone.
    """
    present = {c["name"] for c in inspect(conn).get_columns(table_name)}
    if column_name in present:
        return
    column = tables.metadata.tables[table_name].c[column_name]
    assert column.nullable, "only nullable columns can be added to tables that hold rows"
    quote = conn.dialect.identifier_preparer.quote
    kind = column.type.compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE {quote(table_name)} ADD COLUMN {quote(column_name)} {kind}"))


def _migrate_to_2(conn: Connection) -> None:
    """Version 2: shared firm lists keep their firm table (``shared_datasets.firms``)."""
    _add_column_if_missing(conn, tables.shared_datasets.name, "firms")


def _migrate_to_3(conn: Connection) -> None:
    """Version 3: shared datasets keep their cluster profile facts (``shared_datasets.profiles``)."""
    _add_column_if_missing(conn, tables.shared_datasets.name, "profiles")


#: Schema version -> the step that upgrades a database from the version before it.
_MIGRATIONS: Final[dict[int, Callable[[Connection], None]]] = {
    2: _migrate_to_2,
    3: _migrate_to_3,
}


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
