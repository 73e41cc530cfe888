"""Which datasets a session can show, and cached derived data per view.

Datasets are addressed by an id: ``default`` (the embedded sourced data),
``u-…`` (an upload held in this server process, not yet shared) or a share id
(stored in the database, immutable). Derived data is cached by these ids, so a
rerun never re-hashes a large table.

An uploaded firm list is seen in one of three forms, each with its own id
(:func:`seen_as`): its owner sees ``u-…`` -- employee figures protected by
disclosure control, firm rows kept for the firm layers; ``u-…~own`` when the
owner turns disclosure control off; anyone else, and every embed,
``u-…~public`` -- exactly what a share would store.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
from collections import OrderedDict
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from mstatlas.analysis.filters import Filters, apply_filters
from mstatlas.analysis.selection import rows_of
from mstatlas.data.profiles import load_profiles
from mstatlas.errors import MSTAtlasError
from mstatlas.i18n import N_, _, current_language
from mstatlas.io import load_clusters
from mstatlas.mapping.build import map_points
from mstatlas.store import valid_dataset_id
from mstatlas.store.dataset import Dataset, is_protected, protected_dataset
from mstatlas.ui import keys, session, sharing

DEFAULT_ID = "default"
UPLOAD_PREFIX = "u-"
MAX_UPLOADS_IN_MEMORY = 32
#: Between an upload id and the form it is seen in (``u-…~own``, ``u-…~public``).
VARIANT_SEP = "~"
OWN, PUBLIC = "own", "public"


class _UploadRegistry:
    """Uploads held in this process, least recently used dropped first (thread-safe)."""

    def __init__(self, capacity: int) -> None:
        self._items: OrderedDict[str, Dataset] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity

    def add(self, ds: Dataset) -> None:
        with self._lock:
            self._items[ds.id] = ds
            self._items.move_to_end(ds.id)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def get(self, ds_id: str) -> Dataset | None:
        with self._lock:
            ds = self._items.get(ds_id)
            if ds is not None:
                self._items.move_to_end(ds_id)
            return ds


@st.cache_resource
def _uploads() -> _UploadRegistry:
    return _UploadRegistry(MAX_UPLOADS_IN_MEMORY)


def new_upload_id() -> str:
    """An unguessable id for an upload held in memory."""
    return UPLOAD_PREFIX + secrets.token_urlsafe(12)


def title(ds: Dataset) -> str:
    """A dataset's name as shown: the embedded dataset's in the chosen language, an
    upload's as its uploader gave it."""
    return _(ds.name) if ds.id == DEFAULT_ID else ds.name


def register_upload(ds: Dataset) -> None:
    """Keep an upload in this process so derived data can be cached by its id."""
    _uploads().add(ds)


# One object shared by all sessions (read-only, like every dataset): a rerun neither
# copies nor unpickles it.
@st.cache_resource(show_spinner=False)
def _default_dataset() -> Dataset:
    return Dataset(
        id=DEFAULT_ID,
        name=N_("MST clusters in Europe (sourced figures)"),  # shown through title()
        clusters=load_clusters(),
        meta={"source": "data/clusters.csv"},
        shared=True,
        profiles=load_profiles(),
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def _shared(ds_id: str) -> Dataset:
    return sharing.load_shared(ds_id)


#: Shared datasets this process has opened (no spinner for those: they come from the cache).
_opened: set[str] = set()


def _open_shared(ds_id: str) -> Dataset:
    """A shared dataset; a spinner in the page's language while it is first read."""
    if ds_id in _opened:
        return _shared(ds_id)
    with st.spinner(_("Opening the shared dataset…")):
        ds = _shared(ds_id)
    _opened.add(ds_id)
    return ds


def forget_shared() -> None:
    """Forget the shared datasets opened in this process (after one was deleted)."""
    _shared.clear()
    _opened.clear()


def get_dataset(ds_id: str) -> Dataset:
    """Return a dataset by id.

    Raises
    ------
    mstatlas.errors.MSTAtlasError
        With a message for the user when the id is unknown or cannot be loaded.
    """
    if ds_id == DEFAULT_ID:
        return _default_dataset()
    if ds_id.startswith(UPLOAD_PREFIX):
        return _upload(ds_id)
    _confirm_shared(ds_id)
    return _open_shared(ds_id)


def base_id(ds_id: str) -> str:
    """The dataset id without the form it is seen in (``u-abc~public`` -> ``u-abc``)."""
    return ds_id.partition(VARIANT_SEP)[0]


def _upload(ds_id: str) -> Dataset:
    """An upload of this process in the form its id names (see the module)."""
    base, _sep, form = ds_id.partition(VARIANT_SEP)
    ds = _uploads().get(base)
    if ds is None:
        raise MSTAtlasError(
            _(
                "This link points at an upload that was never shared (or the server "
                "restarted), so it cannot be opened here. Ask for a link made with “Share”."
            )
        )
    if is_protected(ds):  # a cluster table: one form for everyone
        return ds
    if form not in ("", OWN):
        form = PUBLIC  # an unknown form shows no more than a share would
    return _upload_form(base, form)


@st.cache_resource(show_spinner=False, max_entries=64)
def _upload_form(base: str, form: str) -> Dataset:
    """A firm-list upload as its owner (``""``), its owner without disclosure control
    (``"own"``) or anyone else (``"public"``) sees it; one object per form (read-only)."""
    ds = _uploads().get(base)
    if ds is None:
        raise MSTAtlasError(_("This upload is no longer held by the server; upload it again."))
    if form == OWN:
        return dataclasses.replace(ds, id=f"{base}{VARIANT_SEP}{OWN}")
    seen = protected_dataset(ds, keep_firms=form != PUBLIC)
    return dataclasses.replace(seen, id=f"{base}{VARIANT_SEP}{form}" if form else base)


def uploaded_here(ds_id: str) -> bool:
    """Whether this session uploaded the dataset, in any of its forms (u-abc, u-abc~own, …)."""
    return base_id(ds_id) in st.session_state.get(keys.MY_DATASETS, {})


def seen_as(ds_id: str) -> str:
    """The id of the form in which this session may see a dataset (see the module).

    An upload's owner (it is among :data:`~mstatlas.ui.keys.MY_DATASETS`) sees
    its protected form, or its own figures after turning disclosure control off
    (:data:`~mstatlas.ui.keys.DISCLOSURE_OFF`); anyone else the public form.
    Other datasets are the same for everyone.
    """
    if not ds_id.startswith(UPLOAD_PREFIX):
        return ds_id
    base = base_id(ds_id)
    if not uploaded_here(base):
        return f"{base}{VARIANT_SEP}{PUBLIC}"
    if base in st.session_state.get(keys.DISCLOSURE_OFF, set()):
        return f"{base}{VARIANT_SEP}{OWN}"
    return base


def public_view(ds: Dataset) -> Dataset:
    """A dataset as a share (and so an embed) shows it: a firm list's figures protected."""
    if not ds.id.startswith(UPLOAD_PREFIX) or is_protected(ds) and ds.firms is None:
        return ds
    return get_dataset(f"{base_id(ds.id)}{VARIANT_SEP}{PUBLIC}")


def _confirm_shared(ds_id: str) -> None:
    """Ask the database once per session whether a shared dataset still exists.

    Loaded datasets stay in this process's cache, but another replica may have deleted
    one meanwhile: a session that opens the link afterwards is told it is gone (a tab
    that already shows it keeps it; shared datasets never change). If the database
    cannot be asked, the cached copy is used.
    """
    confirmed: set[str] = st.session_state.setdefault(keys.SHARED_CONFIRMED, set())
    if ds_id in confirmed or not valid_dataset_id(ds_id):  # a malformed id: load says why
        return
    found = sharing.shared_exists(ds_id)
    if found is False:
        _shared.clear(ds_id)
        _opened.discard(ds_id)
        raise MSTAtlasError(
            _(
                "No shared dataset has the id {id}; the link may be mistyped, or the dataset "
                "was deleted."
            ).format(id=repr(ds_id))
        )
    if found:
        confirmed.add(ds_id)


def filters_key(f: Filters) -> tuple[Any, ...]:
    """A hashable, stable cache key for filters."""
    return (
        f.countries,
        f.year_min,
        f.year_max,
        f.include_undated,
        f.counts_what,
        f.min_firms,
        f.min_employees,
    )


# Datasets behind an id never change, so derived tables are shared between sessions
# without copies (st.cache_resource): callers must treat them as read-only.
@st.cache_resource(show_spinner=False, max_entries=256)
def filtered(ds_id: str, fkey: tuple[Any, ...]) -> pd.DataFrame:
    """Rows of a dataset that pass the filters (cached per dataset id and filters; read-only)."""
    ds = get_dataset(ds_id)
    f = Filters(*fkey)
    return pd.DataFrame(apply_filters(ds.clusters, f))


def rows_of_dataset(ds_id: str) -> AbstractContextManager[None]:
    """A block in which the analysis of this dataset's filtered tables reads the per-row
    facts of its whole table, worked out once (see :mod:`mstatlas.analysis.selection`)."""
    return rows_of(get_dataset(ds_id).clusters)


def points(ds_id: str, fkey: tuple[Any, ...], measure: str) -> pd.DataFrame:
    """Map symbols for a dataset, filters and measure (cached; read-only).

    Cached per language too: the figures' texts (``display``) are written in it.
    """
    return _points(ds_id, fkey, measure, current_language())


@st.cache_resource(show_spinner=False, max_entries=256)
def _points(ds_id: str, fkey: tuple[Any, ...], measure: str, lang: str) -> pd.DataFrame:
    with rows_of_dataset(ds_id):
        return map_points(filtered(ds_id, fkey), measure)


@dataclass(frozen=True)
class Summary:
    """What the sidebar shows about a dataset, computed once per dataset id."""

    countries: tuple[str, ...]
    years: tuple[int, int] | None  # earliest and latest year of a figure
    n_clusters: int
    n_rows: int


@st.cache_resource(show_spinner=False, max_entries=64)
def summary(ds_id: str, _ds: Dataset) -> Summary:
    """Countries, year span and counts of the dataset ``_ds`` (cached per its id)."""
    clusters = _ds.clusters
    years = clusters["year"].dropna()
    return Summary(
        countries=tuple(sorted(str(c) for c in clusters["country_iso2"].dropna().unique())),
        years=(int(years.min()), int(years.max())) if len(years) else None,
        n_clusters=int(clusters["cluster_id"].nunique()),
        n_rows=len(clusters),
    )


def safe_get_dataset(ds_id: str) -> tuple[Dataset, str | None]:
    """Like :func:`get_dataset` in the form this session may see (:func:`seen_as`), but
    falls back to the default with a message."""
    try:
        return get_dataset(seen_as(ds_id)), None
    except MSTAtlasError as exc:
        return get_dataset(DEFAULT_ID), str(exc)


def current() -> Dataset:
    """The dataset of the current view (the sidebar has already reported any problem)."""
    return safe_get_dataset(session.view().dataset)[0]
