"""Tables of the shared-dataset store (private; see :mod:`mstatlas.data.store`).

Bump :data:`SCHEMA_VERSION` and add a step to ``store._MIGRATIONS`` whenever a
table changes; the version rows tell a newer MST Atlas what it is looking at.

History
-------
1. ``shared_datasets`` and ``mstatlas_schema_version``.
2. ``shared_datasets.firms`` (nullable): the firm table of a shared firm list.
   Upgrading adds the column; rows stored by version 1 read back with no firm table.
3. ``shared_datasets.profiles`` (nullable): the cluster profile facts of a shared
   dataset. Rows stored before read back with no facts.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

#: Version of the tables below; stored in ``mstatlas_schema_version``.
SCHEMA_VERSION: Final = 3

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
    Column("mapping", JSON, nullable=False),
    Column("meta", JSON, nullable=False),
)
