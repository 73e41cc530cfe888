"""A shared dataset as one table row: Parquet bytes for the tables, JSON for the rest.

:func:`encode` checks a :class:`~mstatlas.store.model.SharedDataset` and turns it
into a :class:`Payload` (the cluster table in canonical form, the validation
report, geocoding, firm and profile tables as compressed Parquet; the column
mapping and metadata as JSON); :func:`decode` turns a stored row back into a
dataset, refusing damaged rows with a message. No database here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from mstatlas.data.profiles import PROFILE_COLUMNS, coerce_profiles, empty_profiles
from mstatlas.data.schema import COLUMNS, coerce_clusters
from mstatlas.errors import StoreError
from mstatlas.i18n import _, fmt_int
from mstatlas.store.model import SharedDataset

#: Longest dataset name accepted (characters).
MAX_NAME_CHARS: Final = 500


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
        raise StoreError(
            _("The dataset's {what} must be a dict, got {type}.").format(
                what=what, type=type(value).__name__
            )
        )
    try:
        return json.loads(json.dumps(dict(value), default=_json_default, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise StoreError(
            _(
                "The dataset's {what} cannot be stored as JSON ({exc}); keep it to text, "
                "numbers, booleans, lists and dicts."
            ).format(what=what, exc=exc)
        ) from None


def frame_to_parquet(frame: pd.DataFrame, *, index: bool | None = None) -> bytes:
    """A table as zstd-compressed Parquet bytes, geometry columns dropped.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; column names are stored as text. Object columns of mixed
        types (a report's ``value``: ``12``, ``"2,1 Mio"``) are stored as text,
        blanks kept blank.
    index : bool, optional
        Passed to :meth:`pandas.DataFrame.to_parquet`.

    Returns
    -------
    bytes
    """
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


def parquet_to_frame(blob: bytes) -> pd.DataFrame:
    """The table :func:`frame_to_parquet` stored."""
    return pd.read_parquet(io.BytesIO(blob), engine="pyarrow")


@dataclass(frozen=True)
class Payload:
    """One dataset ready for its table row: checked, canonical and encoded."""

    name: str
    n_rows: int
    clusters: bytes
    report: bytes | None
    geocoding: bytes | None
    firms: bytes | None
    profiles: bytes | None
    mapping: Any
    meta: Any
    disclosure: Any = None

    @property
    def n_bytes(self) -> int:
        """Stored size: every Parquet blob, the JSON parts and the name (what the limit counts)."""
        json_bytes = len(json.dumps(self.mapping)) + len(json.dumps(self.meta))
        if self.disclosure is not None:
            json_bytes += len(json.dumps(self.disclosure))
        parts = (self.clusters, self.report, self.geocoding, self.firms, self.profiles)
        blobs = sum(len(b or b"") for b in parts)
        return blobs + json_bytes + len(self.name.encode("utf-8"))


def _optional_frame(frame: object, what: str) -> bytes | None:
    if frame is None:
        return None
    if not isinstance(frame, pd.DataFrame):
        raise StoreError(
            _("The dataset's {what} must be a DataFrame or None, got {type}.").format(
                what=what, type=type(frame).__name__
            )
        )
    return frame_to_parquet(frame)


def _check_name(name: object) -> None:
    if not isinstance(name, str):
        raise StoreError(
            _("The dataset name must be text, got {type}.").format(type=type(name).__name__)
        )
    if len(name) > MAX_NAME_CHARS:
        raise StoreError(
            _(
                "The dataset name is {n_name} characters long; names may be at most "
                "{max_name_chars}. Shorten it."
            ).format(n_name=fmt_int(len(name)), max_name_chars=MAX_NAME_CHARS)
        )
    if "\x00" in name:
        raise StoreError(_("The dataset name contains a NUL character; remove it."))


def encode(ds: SharedDataset) -> Payload:
    """Check a dataset and encode it for storing.

    Parameters
    ----------
    ds : SharedDataset
        The dataset as shared; its cluster table is brought into canonical form
        (:func:`mstatlas.data.schema.coerce_clusters`), its profile facts too.

    Returns
    -------
    Payload

    Raises
    ------
    mstatlas.errors.StoreError
        With a message saying what to change: a name that is not text, too long
        or holds NUL; a cluster table or profile facts that cannot be made
        canonical; a mapping or metadata that is not JSON-able.
    """
    _check_name(ds.name)
    if not isinstance(ds.clusters, pd.DataFrame):
        raise StoreError(
            _("The dataset's clusters must be a DataFrame, got {type}.").format(
                type=type(ds.clusters).__name__
            )
        )
    try:
        canonical = pd.DataFrame(coerce_clusters(ds.clusters)[list(COLUMNS)])
    except ValueError as exc:
        raise StoreError(
            _("The cluster table cannot be shared as it is: {exc}").format(exc=exc)
        ) from None
    profiles = _canonical_profiles(ds.profiles)
    mapping = _to_json_value(ds.mapping, _("column mapping"))
    bad_keys = [k for k, v in mapping.items() if v is not None and not isinstance(v, str)]
    if bad_keys:
        raise StoreError(
            _(
                "The column mapping must map column names to column names or None; {bad_keys!r} "
                "maps to {mapping!r}."
            ).format(bad_keys=bad_keys[0], mapping=mapping[bad_keys[0]])
        )
    return Payload(
        name=ds.name,
        n_rows=len(canonical),
        clusters=frame_to_parquet(canonical, index=False),
        report=_optional_frame(ds.report, _("validation report")),
        geocoding=_optional_frame(ds.geocoding, _("geocoding table")),
        firms=_optional_frame(ds.firms, _("firm table")),
        profiles=None if profiles is None else frame_to_parquet(profiles, index=False),
        mapping=mapping,
        meta=_to_json_value(ds.meta, "metadata"),
        disclosure=None
        if ds.disclosure is None
        else _to_json_value(ds.disclosure, _("disclosure record")),
    )


def _canonical_profiles(profiles: object) -> pd.DataFrame | None:
    if profiles is None:
        return None
    if not isinstance(profiles, pd.DataFrame):
        raise StoreError(
            _("The dataset's profile facts must be a DataFrame or None, got {type}.").format(
                type=type(profiles).__name__
            )
        )
    try:
        return pd.DataFrame(coerce_profiles(profiles)[list(PROFILE_COLUMNS)])
    except ValueError as exc:
        raise StoreError(
            _("The profile facts cannot be shared as they are: {exc}").format(exc=exc)
        ) from None


def decode(row: Any, dataset_id: str) -> SharedDataset:
    """The dataset a stored row holds.

    Parameters
    ----------
    row : sqlalchemy.Row
        A row of :data:`mstatlas.store.schema.shared_datasets`.
    dataset_id : str
        Its id, for messages.

    Returns
    -------
    SharedDataset
        ``clusters`` is a canonical :class:`geopandas.GeoDataFrame`; ``profiles``
        an empty table when none was stored.

    Raises
    ------
    mstatlas.errors.StoreError
        If a table cannot be read or rows are missing ("share the file again").
    """
    try:
        clusters = coerce_clusters(parquet_to_frame(row.clusters))
        report = None if row.report is None else parquet_to_frame(row.report)
        geocoding = None if row.geocoding is None else parquet_to_frame(row.geocoding)
        firms = None if row.firms is None else parquet_to_frame(row.firms)
        profiles = (
            empty_profiles()
            if row.profiles is None
            else coerce_profiles(parquet_to_frame(row.profiles))
        )
    except (OSError, ValueError) as exc:
        raise StoreError(
            _(
                "Shared dataset {dataset_id!r} is damaged and cannot be read ({exc}); share the "
                "file again."
            ).format(dataset_id=dataset_id, exc=exc)
        ) from exc
    if len(clusters) != row.n_rows:
        raise StoreError(
            _(
                "Shared dataset {dataset_id!r} is damaged ({n_clusters} of {n_rows} rows "
                "readable); share the file again."
            ).format(dataset_id=dataset_id, n_clusters=len(clusters), n_rows=row.n_rows)
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
        disclosure=None if row.disclosure is None else dict(row.disclosure),
    )
