"""What the firm clusters page derives from a firm list, cached per dataset and parameters.

Datasets behind an id never change, so each result is computed once per dataset id
and parameters and shared by every session (``st.cache_resource``): callers treat
them as read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from mstatlas.analysis.detect import Detection, city_centre_firms, city_crosswalk, detect_clusters
from mstatlas.analysis.firm_mix import largest_firms, mix_table
from mstatlas.analysis.provenance import sources_with_years
from mstatlas.data.disclosure import DisclosureRules, Protected, protect_figures
from mstatlas.mapping.build import EUROPE_CENTER, EUROPE_ZOOM
from mstatlas.mapping.fit import view_for_bounds
from mstatlas.store.dataset import Dataset
from mstatlas.ui.datasets import get_dataset, uploaded_here

#: Height of the page's map in pixels (the opening view fits the firms into it).
MAP_HEIGHT = 560
#: Largest firms listed per cluster.
TOP_FIRMS = 5


@dataclass(frozen=True)
class Register:
    """What the page needs to know of a dataset's firm list, worked out once per dataset.

    Attributes
    ----------
    own : numpy.ndarray
        Per firm: it has a position of its own (detection uses it).
    city_centre : numpy.ndarray
        Per firm: the upload placed it at its city's centre by geocoding.
    n_no_position : int
        Firms with no position at all.
    source : str
        The list's sources with their years ("Uploaded file f.csv (undated)").
    view : (float, float, int)
        Where the map opens (latitude, longitude, zoom): every placed firm in view.
    """

    own: np.ndarray
    city_centre: np.ndarray
    n_no_position: int
    source: str
    view: tuple[float, float, int]

    @property
    def n_own(self) -> int:
        """Firms with a position of their own."""
        return int(self.own.sum())

    @property
    def n_city_centre(self) -> int:
        """Firms placed at a city centre."""
        return int(self.city_centre.sum())


def firms_of(ds_id: str) -> pd.DataFrame:
    """The firm list of a dataset that has one."""
    firms = get_dataset(ds_id).firms
    if firms is None:
        raise ValueError(f"The dataset {ds_id!r} has no firm list.")
    return firms


def positions(firms: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes and, per firm, whether it has a usable position."""
    lat = pd.to_numeric(firms["lat"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lon = pd.to_numeric(firms["lon"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    placed = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
    return lat, lon, placed


def _opening_view(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float, int]:
    if not len(lat):
        return EUROPE_CENTER[0], EUROPE_CENTER[1], EUROPE_ZOOM
    south, north = float(np.min(lat)), float(np.max(lat))
    west, east = float(np.min(lon)), float(np.max(lon))
    pad_lat, pad_lon = max(0.05, (north - south) * 0.05), max(0.05, (east - west) * 0.05)
    lat0, lon0, zoom = view_for_bounds(
        ((south - pad_lat, west - pad_lon), (north + pad_lat, east + pad_lon)),
        height_px=MAP_HEIGHT,
    )
    return round(lat0, 4), round(lon0, 4), int(zoom)


@st.cache_resource(show_spinner=False, max_entries=16)
def register(ds_id: str) -> Register:
    """:class:`Register` of a dataset with a firm list (cached per dataset id)."""
    ds = get_dataset(ds_id)
    firms = firms_of(ds_id)
    lat, lon, placed = positions(firms)
    centre = city_centre_firms(firms, ds.geocoding) & placed
    blank = pd.Series(pd.NA, index=firms.index)
    pairs = pd.DataFrame(
        {"title": firms.get("source_title", blank), "year": firms.get("year", blank)}
    ).drop_duplicates()
    return Register(
        own=placed & ~centre,
        city_centre=centre,
        n_no_position=int((~placed).sum()),
        source="; ".join(sources_with_years(pairs["title"], pairs["year"])),
        view=_opening_view(lat[placed], lon[placed]),
    )


@st.cache_resource(show_spinner=False, max_entries=16)
def detection(ds_id: str, radius_km: float, min_firms: int) -> Detection:
    """The clusters detected in a dataset's firm list (cached per dataset and parameters)."""
    return detect_clusters(
        firms_of(ds_id), radius_km, min_firms, geocoding=get_dataset(ds_id).geocoding
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def protected(ds_id: str, radius_km: float, min_firms: int, k: int, dominance: float) -> Protected:
    """The detected clusters' table with only the employee figures the rules allow (cached).

    ``k`` and ``dominance`` are the :class:`DisclosureRules`.
    """
    det = detection(ds_id, radius_km, min_firms)
    firms = firms_of(ds_id)
    table = pd.DataFrame(det.clusters.drop(columns="geometry"))
    employees = firms.get("employees", pd.Series(np.nan, index=firms.index))
    rules = DisclosureRules(min_firms=k, dominance=dominance)
    return protect_figures(table, det.firm_clusters(), employees, rules, id_column="cluster_id")


@st.cache_resource(show_spinner=False, max_entries=32)
def mix(ds_id: str, radius_km: float, min_firms: int, column: str) -> pd.DataFrame:
    """Every detected cluster's mix of a column, with location quotients (cached)."""
    det = detection(ds_id, radius_km, min_firms)
    return mix_table(firms_of(ds_id), det.firm_clusters(), column)


@st.cache_resource(show_spinner=False, max_entries=32)
def largest(
    ds_id: str, radius_km: float, min_firms: int, head_counts: bool, lang: str
) -> pd.DataFrame:
    """The largest firms of every detected cluster (head counts only if ``head_counts``;
    size classes written in ``lang``)."""
    det = detection(ds_id, radius_km, min_firms)
    return largest_firms(
        firms_of(ds_id), det.firm_clusters(), top=TOP_FIRMS, show_employees=head_counts
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def crosswalk(ds_id: str, radius_km: float, min_firms: int) -> pd.DataFrame:
    """Per city, where its firms went (:func:`mstatlas.analysis.detect.city_crosswalk`)."""
    return city_crosswalk(firms_of(ds_id), detection(ds_id, radius_km, min_firms))


def is_owner(ds: Dataset) -> bool:
    """Whether this session uploaded the dataset (it sees why a figure is confidential)."""
    return uploaded_here(ds.id)


def head_counts_allowed(ds: Dataset) -> bool:
    """Single firms' head counts: only in the uploader's own session, never for a shared dataset."""
    return is_owner(ds) and not ds.shared
