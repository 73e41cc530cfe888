"""A dataset as the app and the command line show it, made from an upload or a shared link.

One type, :class:`Dataset`, and the steps between it and its neighbours: an
upload becomes a dataset (:func:`dataset_from_upload`), a dataset is stored for
a link (:func:`shared_from_dataset`) and a stored one is opened again
(:func:`dataset_from_shared`). The upload page, the “Share” button and
``mstatlas share`` all take these steps, so what is kept of an upload is decided
once. A firm list leaves a session only as :func:`protected_dataset` makes it:
employee figures that would reveal a single firm suppressed
(:mod:`mstatlas.data.cluster_disclosure`) and, unless its owner opts in, without
its firm rows. No Streamlit here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from mstatlas.data.cluster_disclosure import cluster_figures, protect_clusters
from mstatlas.data.disclosure import DisclosureRules
from mstatlas.data.schema import coerce_clusters
from mstatlas.data.vocabulary import TABLE_KINDS, TableKind
from mstatlas.io import UploadResult
from mstatlas.store.model import SharedDataset

#: Key of :attr:`Dataset.meta` holding what disclosure control did (a protected firm list).
DISCLOSURE: Final = "disclosure"


@dataclass
class Dataset:
    """A loaded dataset with what the UI shows about it.

    Attributes
    ----------
    id : str
        ``"default"``, ``"u-…"`` (an upload held in one server process) or a
        share id.
    name : str
        User-visible title (escape it when showing it).
    clusters : geopandas.GeoDataFrame
        One row per reported figure (:data:`mstatlas.data.schema.COLUMNS`).
    kind : {"clusters", "firms"}
        ``"clusters"`` (a cluster table) or ``"firms"`` (a firm list, aggregated).
    meta : dict
        JSON-able extras: ``filename``, ``aggregation`` (how firms were
        grouped), ``detected`` (format, encoding, …), ``summary`` (the report's
        one line); for a protected firm list ``disclosure``, what disclosure
        control did (:meth:`~mstatlas.data.cluster_disclosure.ProtectedClusters.record`).
    firms : pandas.DataFrame or None
        A firm list's cleaned firm rows.
    report : pandas.DataFrame or None
        Validation problems (columns ``row, column, value, severity, reason``).
    geocoding : pandas.DataFrame or None
        Geocoding matches and corrections.
    mapping : dict
        Column mapping used at import (file column -> canonical column).
    shared : bool
        Whether the dataset is stored for links (the default dataset counts).
    profiles : pandas.DataFrame or None
        The clusters' profile facts (technologies, markets, …; columns of
        :data:`mstatlas.data.profiles.PROFILE_COLUMNS`); ``None`` or an empty
        table when the dataset has none.
    """

    id: str
    name: str
    clusters: gpd.GeoDataFrame
    kind: TableKind = "clusters"
    meta: dict[str, Any] = field(default_factory=dict)
    firms: pd.DataFrame | None = None
    report: pd.DataFrame | None = None
    geocoding: pd.DataFrame | None = None
    mapping: dict[str, str | None] = field(default_factory=dict)
    shared: bool = False
    profiles: pd.DataFrame | None = None


def _jsonable(detected: Any) -> dict[str, Any]:
    """What the reader detected, as JSON-able values (lists of text, text for the rest)."""
    if dataclasses.is_dataclass(detected) and not isinstance(detected, type):
        detected = dataclasses.asdict(detected)
    out: dict[str, Any] = {}
    for k, v in dict(detected or {}).items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[k] = v
        elif isinstance(v, (list, tuple)):
            out[k] = [str(x) for x in v]
        else:
            out[k] = str(v)
    return out


def dataset_from_upload(
    result: UploadResult, *, dataset_id: str, name: str, filename: str
) -> Dataset:
    """The dataset an upload becomes: its tables, report, mapping and what was detected.

    Parameters
    ----------
    result : UploadResult
        What :func:`~mstatlas.io.read_upload` made of the file.
    dataset_id : str
        The dataset's id (an upload id, ``"u-…"``, in the app).
    name : str
        Its title.
    filename : str
        The uploaded file's name, kept in ``meta``.

    Returns
    -------
    Dataset
        Not yet shared; ``meta`` holds ``filename``, ``aggregation``,
        ``detected`` and the report's ``summary``.
    """
    return Dataset(
        id=dataset_id,
        name=name,
        clusters=result.clusters,
        kind=result.kind,
        meta={
            "filename": filename,
            "aggregation": result.aggregation,
            "detected": _jsonable(result.detected),
            "summary": result.report.summary(),
        },
        firms=result.firms,
        report=result.report.to_frame(),
        geocoding=result.geocoding,
        mapping=dict(result.mapping),
        profiles=result.profiles,
    )


def is_protected(ds: Dataset) -> bool:
    """Whether a dataset may leave a session as it is: a cluster table, or a firm list
    whose figures disclosure control has already protected."""
    return ds.kind != "firms" or DISCLOSURE in ds.meta


def protected_dataset(
    ds: Dataset, rules: DisclosureRules | None = None, *, keep_firms: bool = False
) -> Dataset:
    """A dataset as it may leave the session: what a share, an embed or an export shows.

    A cluster table is returned as it is (its figures are published ones). A
    firm list gets its cluster table protected
    (:func:`~mstatlas.data.cluster_disclosure.protect_clusters`: employee figures
    of fewer than *k* firms or dominated by one firm blank) and loses its firm
    rows, validation report and geocoding table (one row per firm each) unless
    ``keep_firms``. Protecting a protected dataset protects nothing twice.

    Parameters
    ----------
    ds : Dataset
        The dataset (an upload, or a shared one).
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.
    keep_firms : bool
        Keep the firm rows (the owner opted in, or the owner's own session).

    Returns
    -------
    Dataset
        Same id; ``meta["disclosure"]`` records what was done, and whether
        firm rows are kept.
    """
    if ds.kind != "firms":
        return ds
    keep = keep_firms and ds.firms is not None
    record = ds.meta.get(DISCLOSURE)
    clusters = ds.clusters
    if isinstance(record, Mapping):
        record = dict(record) | {"firm_rows": keep}
    else:
        protected = protect_clusters(
            ds.clusters, cluster_figures(ds.clusters, ds.firms, ds.mapping), rules
        )
        clusters, record = protected.clusters, protected.record(firm_rows=keep)
    return dataclasses.replace(
        ds,
        clusters=clusters,
        firms=ds.firms if keep else None,
        report=ds.report if keep else None,
        geocoding=ds.geocoding if keep else None,
        meta=ds.meta | {DISCLOSURE: record},
    )


def shared_from_dataset(
    ds: Dataset, *, keep_firms: bool = False, rules: DisclosureRules | None = None
) -> SharedDataset:
    """What the store keeps of a dataset when it is shared.

    A firm list is protected first (:func:`protected_dataset`): employee figures
    that would reveal a single firm are suppressed, and its firm rows are kept
    only when the owner opts in (``keep_firms``), so whoever opens the link sees
    the same firm-level rows as the presenter (the size limit counts them too).
    A cluster table keeps its profile facts. Geometry is rebuilt on load, so it
    is dropped.

    Parameters
    ----------
    ds : Dataset
        The dataset in the owner's session.
    keep_firms : bool
        Store the firm rows too (the owner ticked the opt-in; default off).
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.
    """
    public = protected_dataset(ds, rules, keep_firms=keep_firms)
    meta = dict(public.meta)
    record = meta.pop(DISCLOSURE, None)
    return SharedDataset(
        name=public.name,
        clusters=public.clusters.drop(columns="geometry", errors="ignore"),
        mapping=dict(public.mapping),
        report=public.report,
        geocoding=public.geocoding,
        firms=public.firms,
        profiles=public.profiles,
        meta=meta | {"kind": public.kind},
        disclosure=None if record is None else dict(record),
    )


def _table_kind(value: object) -> TableKind:
    """A stored dataset's kind of table; ``"clusters"`` for one stored without it."""
    for kind in TABLE_KINDS:
        if value == kind:
            return kind
    return "clusters"


def dataset_from_shared(ds_id: str, shared: SharedDataset) -> Dataset:
    """The dataset a shared link opens (``shared`` as :meth:`DatasetStore.load` returns it).

    A firm list stored before disclosure control existed (no record) is
    protected as it opens: its employee figures by today's rules, its firm rows
    no longer shown.
    """
    # DatasetStore.load already returns a canonical GeoDataFrame (coerce_clusters);
    # coercing again cost 0.7 s per cold open of a 100,000-row link.
    clusters = shared.clusters
    if not isinstance(clusters, gpd.GeoDataFrame):
        clusters = coerce_clusters(clusters)
    meta: dict[str, Any] = dict(shared.meta)
    if shared.disclosure is not None:
        meta[DISCLOSURE] = dict(shared.disclosure)
    ds = Dataset(
        id=ds_id,
        name=shared.name,
        clusters=clusters,
        kind=_table_kind(meta.get("kind")),
        meta=meta,
        report=shared.report,
        geocoding=shared.geocoding,
        firms=shared.firms,  # None for cluster tables and for firm lists shared before it was kept
        mapping=dict(shared.mapping),
        shared=True,
        profiles=shared.profiles,  # empty for datasets shared before profiles were kept
    )
    # A firm list shared before disclosure control (schema version 4) is protected now.
    return ds if is_protected(ds) else protected_dataset(ds)
