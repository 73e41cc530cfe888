"""Share the current upload (store it server-side) and open shared datasets.

The Streamlit side of :mod:`mstatlas.store` and the app's public address for
links. What is kept of a dataset is decided in :mod:`mstatlas.store.dataset`.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st

from mstatlas.errors import MSTAtlasError, StoreError
from mstatlas.store import DatasetStore, get_store
from mstatlas.store.dataset import Dataset, dataset_from_shared, shared_from_dataset


def _store() -> DatasetStore:
    # get_store keeps one store (engine and pool) per database URL for the process, and
    # follows MSTATLAS_DATABASE_URL if it changes (a cache keyed on nothing would not).
    return get_store()


def load_shared(ds_id: str) -> Dataset:
    """Load a shared dataset by id (raises MSTAtlasError with a user message)."""
    return dataset_from_shared(ds_id, _store().load(ds_id))


def shared_exists(ds_id: str) -> bool | None:
    """Whether the store holds ``ds_id`` (``None`` if the database cannot be asked)."""
    try:
        return _store().exists(ds_id)
    except StoreError:
        return None


def share_dataset(ds: Dataset, *, keep_firms: bool = False) -> tuple[str, str]:
    """Store an upload; returns (share id, delete token).

    What is kept: :func:`mstatlas.store.dataset.shared_from_dataset` -- a firm
    list protected by disclosure control, its firm rows only with ``keep_firms``.
    """
    saved = _store().save(shared_from_dataset(ds, keep_firms=keep_firms))
    return saved.id, saved.delete_token


def delete_shared(ds_id: str, token: str) -> None:
    """Delete a shared dataset with its delete token (raises MSTAtlasError with a message).

    Opened datasets cached by :mod:`mstatlas.ui.datasets` are not touched: call
    :func:`mstatlas.ui.datasets.forget_shared` after it.
    """
    _store().delete(ds_id, token)


def base_url() -> str:
    """Public address of the app, for links (``MSTATLAS_BASE_URL``; else this request's host)."""
    env = os.environ.get("MSTATLAS_BASE_URL")
    if env:
        return env.rstrip("/")
    try:
        url = st.context.url
        if url:
            parts = urlsplit(url)
            return f"{parts.scheme}://{parts.netloc}"
    except Exception:  # noqa: BLE001, S110 - older Streamlit or no request context
        pass
    host = st.context.headers.get("Host") if hasattr(st, "context") else None
    return f"http://{host}" if host else "http://localhost:8501"


__all__ = ["MSTAtlasError", "base_url", "delete_shared", "load_shared", "share_dataset"]
