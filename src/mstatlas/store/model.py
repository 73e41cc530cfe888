"""What the store keeps and hands back: shared datasets, their ids and delete tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

import pandas as pd

_ID_RE: Final = re.compile(r"[A-Za-z0-9_-]{22}")


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
    disclosure : dict or None
        For a firm list, what disclosure control did before it was stored
        (:meth:`mstatlas.data.cluster_disclosure.ProtectedClusters.record`);
        ``None`` for cluster tables and for firm lists stored before schema
        version 4.
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
    disclosure: dict[str, Any] | None = None


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


def new_secret() -> str:
    """A random id or delete token (128 bits) that does not start with ``-``."""
    while True:
        secret = secrets.token_urlsafe(16)
        if not secret.startswith("-"):
            return secret


def token_hash(token: str) -> str:
    """The SHA-256 hex digest the store keeps instead of a delete token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
