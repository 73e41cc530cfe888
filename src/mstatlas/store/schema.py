"""Tables of the shared-dataset store and the steps that upgrade older databases.

Bump :data:`SCHEMA_VERSION` and add a step to :data:`MIGRATIONS` whenever a
table changes; the version rows tell a newer MST Atlas what it is looking at.

History
-------
1. ``shared_datasets`` and ``mstatlas_schema_version``.
2. ``shared_datasets.firms`` (nullable): the firm table of a shared firm list.
   Upgrading adds the column; rows stored by version 1 read back with no firm table.
3. ``shared_datasets.profiles`` (nullable): the cluster profile facts of a shared
   dataset. Rows stored before read back with no facts.
4. ``shared_datasets.disclosure`` (nullable JSON): for a shared firm list, what
   statistical disclosure control did before it was stored (rules, confidential
   clusters, whether the owner let the firm rows travel along). NULL for cluster
   tables and for rows stored before: a firm list stored without it is protected
   when it is opened (its firm rows are not shown). Operators can find such older
   rows with ``WHERE disclosure IS NULL``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    inspect,
    text,
)

#: Version of the tables below; stored in ``mstatlas_schema_version``.
SCHEMA_VERSION: Final = 4

#: Version of the payload encoding (Parquet + JSON) of one row.
PAYLOAD_FORMAT: Final = 1

metadata = MetaData()

schema_version = Table(
    "mstatlas_schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

shared_datasets = Table(
    "shared_datasets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # sha256 hex of the delete token; the token itself is never stored.
    Column("delete_token_sha256", String(64), nullable=False),
    Column("payload_format", Integer, nullable=False),
    Column("n_rows", Integer, nullable=False),
    Column("n_bytes", Integer, nullable=False),
    Column("clusters", LargeBinary, nullable=False),
    Column("report", LargeBinary, nullable=True),
    Column("geocoding", LargeBinary, nullable=True),
    # Since schema version 2; nullable so that the upgrade is a plain ADD COLUMN.
    Column("firms", LargeBinary, nullable=True),
    # Since schema version 3, nullable for the same reason.
    Column("profiles", LargeBinary, nullable=True),
    # Since schema version 4: what disclosure control did to a shared firm list.
    Column("disclosure", JSON(none_as_null=True), nullable=True),
    Column("mapping", JSON, nullable=False),
    Column("meta", JSON, nullable=False),
)


def add_column_if_missing(conn: Connection, table_name: str, column_name: str) -> None:
    """``ALTER TABLE … ADD COLUMN`` for a nullable column of the tables above.

    Idempotent: a column that is already there (e.g. added by hand) is left alone.

    Parameters
    ----------
    conn : sqlalchemy.Connection
        A connection inside the upgrade's transaction.
    table_name, column_name : str
        The column as :data:`metadata` declares it; it must be nullable (the
        table may already hold rows).
    """
    present = {c["name"] for c in inspect(conn).get_columns(table_name)}
    if column_name in present:
        return
    column = metadata.tables[table_name].c[column_name]
    assert column.nullable, "only nullable columns can be added to tables that hold rows"
    quote = conn.dialect.identifier_preparer.quote
    kind = column.type.compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE {quote(table_name)} ADD COLUMN {quote(column_name)} {kind}"))


def _migrate_to_2(conn: Connection) -> None:
    """Version 2: shared firm lists keep their firm table (``shared_datasets.firms``)."""
    add_column_if_missing(conn, shared_datasets.name, "firms")


def _migrate_to_3(conn: Connection) -> None:
    """Version 3: shared datasets keep their cluster profile facts (``shared_datasets.profiles``)."""
    add_column_if_missing(conn, shared_datasets.name, "profiles")


def _migrate_to_4(conn: Connection) -> None:
    """Version 4: shared firm lists record their disclosure control (``shared_datasets.disclosure``)."""
    add_column_if_missing(conn, shared_datasets.name, "disclosure")


#: Schema version -> the step that upgrades a database from the version before it.
MIGRATIONS: Final[dict[int, Callable[[Connection], None]]] = {
    2: _migrate_to_2,
    3: _migrate_to_3,
    4: _migrate_to_4,
}
