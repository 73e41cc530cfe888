"""Tables of the shared-dataset store (private; see :mod:`mstatlas.data.store`).

Bump :data:`SCHEMA_VERSION` and add a step to ``store._migrate`` whenever a
table changes; the version row tells a newer MST Atlas what it is looking at.
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
SCHEMA_VERSION: Final = 1

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
    Column("mapping", JSON, nullable=False),
    Column("meta", JSON, nullable=False),
)
