"""Geocoding look-ups, once per distinct (city, country) pair, apart from the rows.

Looking places up is Python work (about 0.25 ms a place), while the duplicate
check of a large file is column work in numpy and Polars, which lets go of the
interpreter. So the duplicate check of a large upload runs on a second thread
while this thread looks up the places of the rows still in
(:func:`mstatlas.io.stages.find_duplicates.find_duplicates`), and ``geocode``
then takes the answers of its rows from :class:`PlaceLookups`. The pairs are
looked up before the duplicates are known: a pair found only in a row refused
as a duplicate is looked up in vain, and nothing else changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.data import geocode as places
from mstatlas.data.codes import combine_codes, renumber, table_limit
from mstatlas.i18n import _

#: Columns of one looked-up (city, country) pair.
FOUND_COLUMNS = ["matched", "glat", "glon", "confidence", "status", "gcc", "alts"]


@dataclass
class PlaceLookups:
    """The (city, country) pairs of some rows, and what the place index says of each.

    Attributes
    ----------
    row_keys : numpy.ndarray
        Per row of the upload, a key equal for rows of the same pair.
    keys : numpy.ndarray
        Per pair, its key (pairs in order of their first row).
    cities, countries : list
        Per pair, the city as written and its ISO code (``""`` when unknown).
    found : pandas.DataFrame or None
        Per pair, :data:`FOUND_COLUMNS` (:func:`look_up`), once looked up.
    """

    row_keys: np.ndarray
    keys: np.ndarray
    cities: list[Any]
    countries: list[str]
    found: pd.DataFrame | None = None
    #: the rows given to :meth:`of_rows` and the position of each one's pair
    given: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def of_rows(
        cls,
        city_codes: np.ndarray,
        iso_codes: np.ndarray,
        city: pd.Series,
        iso: pd.Series,
        idx: np.ndarray,
    ) -> PlaceLookups:
        """The pairs of the rows at positions ``idx`` (not yet looked up).

        Parameters
        ----------
        city_codes, iso_codes : numpy.ndarray
            Group codes of every row's city and country.
        city, iso : pandas.Series
            Every row's city and ISO country code as text.
        idx : numpy.ndarray
            Positions of the rows to place.
        """
        row_keys = combine_codes([city_codes, iso_codes])
        code, first = renumber(row_keys if len(idx) == len(row_keys) else row_keys[idx])
        at = idx[first]
        countries = [v if isinstance(v, str) and v else "" for v in iso.iloc[at].tolist()]
        return cls(row_keys, row_keys[at], city.iloc[at].tolist(), countries, given=(idx, code))

    def look_up(self, step: Callable[[float, str], None], start: float, span: float) -> None:
        """Look every pair up (:func:`look_up`), reporting progress from ``start`` on."""
        self.found = look_up(self.cities, self.countries, step, start, span)

    def pair_codes(self, idx: np.ndarray) -> np.ndarray | None:
        """Per row at ``idx``, the position of its pair; None when a row's pair is not
        among these (only rows given to :meth:`of_rows` are sure to have theirs)."""
        if not len(idx):
            return np.zeros(0, dtype=np.int64)
        if not len(self.keys):
            return None
        if self.given is not None and (idx is self.given[0] or np.array_equal(idx, self.given[0])):
            return self.given[1]  # the rows the pairs were made of: their codes are known
        want = self.row_keys[idx]
        span = int(max(self.keys.max(), want.max())) + 1  # keys are never negative
        if span <= table_limit(len(want)):
            table = np.full(span, -1, dtype=np.int64)  # few pairs: a table, no search
            table[self.keys] = np.arange(len(self.keys))
            codes = table[want]
            return codes if (codes >= 0).all() else None
        order = np.argsort(self.keys, kind="stable")
        codes = order[np.minimum(np.searchsorted(self.keys[order], want), len(order) - 1)]
        return codes if np.array_equal(self.keys[codes], want) else None


def look_up(
    cities: list[Any],
    countries: list[str],
    step: Callable[[float, str], None],
    start: float = 0.6,
    span: float = 0.25,
) -> pd.DataFrame:
    """One :func:`mstatlas.data.geocode.geocode` per (city, country) pair.

    Parameters
    ----------
    cities : list
        Distinct cities (with ``countries``: distinct pairs).
    countries : list of str
        ISO code per city, ``""`` when unknown.
    step : callable
        Progress from ``start`` to ``start + span``, every 200 places.
    start, span : float
        Where the progress of the look-ups starts, and how far it goes.

    Returns
    -------
    pandas.DataFrame
        One row per pair: matched, glat, glon, confidence, status, gcc (the
        place's country), alts (other places of that name, in words).
    """
    found: list[tuple[Any, ...]] = []
    for j, (c, cc) in enumerate(zip(cities, countries, strict=True)):
        if j % 200 == 0:
            step(start + span * j / max(len(cities), 1), _("Geocoding cities"))
        m = places.geocode(str(c), cc or None)
        found.append(
            (
                m.name,
                m.lat,
                m.lon,
                m.confidence,
                m.status,
                m.country_iso2,
                "; ".join(f"{a[0]} ({a[1]})" for a in m.alternatives[:3]),
            )
            if m
            else (None, np.nan, np.nan, 0.0, "failed", None, "")
        )
    return pd.DataFrame(found, columns=FOUND_COLUMNS)
