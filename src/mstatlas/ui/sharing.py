"""Share the current upload (store it server-side) and open shared datasets."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import streamlit as st

from mstatlas.errors import MSTAtlasError
from mstatlas.ui.datasets import Dataset

if TYPE_CHECKING:
    from mstatlas.store import DatasetStore


@st.cache_resource
def _store() -> DatasetStore:
    from mstatlas.store import get_store

    return get_store()


def load_shared(ds_id: str) -> Dataset:
    """Load a shared dataset by id (raises MSTAtlasError with a user message)."""
    import geopandas as gpd

    shared = _store().load(ds_id)
    # DatasetStore.load already returns a canonical GeoDataFrame (coerce_clusters);
    # coercing again cost 0.7 s per cold open of a 100,000-row link.
    clusters = shared.clusters
    if not isinstance(clusters, gpd.GeoDataFrame):  # pragma: no cover - store contract
        from mstatlas.data.schema import coerce_clusters

        clusters = coerce_clusters(clusters)
    return Dataset(
        id=ds_id,
        name=shared.name,
        clusters=clusters,
        kind=str(shared.meta.get("kind", "clusters")),
        meta=dict(shared.meta),
        report=shared.report,
        geocoding=shared.geocoding,
        firms=shared.firms,  # None for cluster tables and for firm lists shared before it was kept
        mapping=dict(shared.mapping),
        shared=True,
        profiles=shared.profiles,  # empty for datasets shared before profiles were kept
    )


def shared_exists(ds_id: str) -> bool | None:
    """Whether the store holds ``ds_id`` (``None`` if the database cannot be asked)."""
    from mstatlas.errors import StoreError

    try:
        return _store().exists(ds_id)
    except StoreError:
        return None


def share_dataset(ds: Dataset) -> tuple[str, str]:
    """Store an upload; returns (share id, delete token).

    A firm list keeps its firm table, so whoever opens the link sees the same
    firm-level rows as the presenter (the size limit counts them too); a cluster
    table keeps its profile facts.
    """
    from mstatlas.store import SharedDataset

    saved = _store().save(
        SharedDataset(
            name=ds.name,
            clusters=ds.clusters.drop(columns="geometry", errors="ignore"),
            mapping=ds.mapping,
            report=ds.report,
            geocoding=ds.geocoding,
            firms=ds.firms,
            profiles=ds.profiles,
            meta=ds.meta | {"kind": ds.kind},
        )
    )
    return saved.id, saved.delete_token


def delete_shared(ds_id: str, token: str) -> None:
    """Delete a shared dataset with its delete token (raises MSTAtlasError with a message)."""
    from mstatlas.ui import datasets

    _store().delete(ds_id, token)
    datasets._shared.clear()  # forget opened shares in this process, the deleted one among them


def base_url() -> str:
    """Public address of the app, for links (``MSTATLAS_BASE_URL``; else this request's host)."""
    env = os.environ.get("MSTATLAS_BASE_URL")
    if env:
        return env.rstrip("/")
    try:
        url = st.context.url
        if url:
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            return f"{parts.scheme}://{parts.netloc}"
    except Exception:  # noqa: BLE001, S110 - older Streamlit or no request context
        pass
    host = st.context.headers.get("Host") if hasattr(st, "context") else None
    return f"http://{host}" if host else "http://localhost:8501"


__all__ = ["MSTAtlasError", "base_url", "load_shared", "share_dataset"]
