"""Filters shared by the map and the ranking (pure functions on DataFrames)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from mstatlas.data.schema import COUNTS_WHAT

#: The kind compared by default when a selection has figures of it; a selection without
#: any is ranked by its own kind ("like with like": see mstatlas.analysis.ranking.default_kinds).
DEFAULT_COUNTS: tuple[str, ...] = ("cluster_firms",)


@dataclass(frozen=True)
class Filters:
    """What part of a cluster table is in view.

    Attributes
    ----------
    countries : tuple of str
        ISO 3166-1 alpha-2 codes; empty means all countries.
    year_min, year_max : int or None
        Inclusive bounds on the figure's reference year; ``None`` is open.
    include_undated : bool
        Keep figures whose source gives no year.
    counts_what : tuple of str
        Categories of :data:`mstatlas.data.schema.COUNTS_WHAT` to keep; empty means all.
    min_firms, min_employees : int
        Keep figures at or above these values (blank figures pass a zero bound only).
    """

    countries: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    include_undated: bool = True
    counts_what: tuple[str, ...] = field(default_factory=lambda: tuple(COUNTS_WHAT))
    min_firms: int = 0
    min_employees: int = 0

    def with_(self, **changes: object) -> Filters:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def apply_filters(clusters: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """Return the figure rows that pass ``filters`` (original index kept).

    Parameters
    ----------
    clusters : DataFrame
        A canonical cluster table.
    filters : Filters
        The view's filters.

    Returns
    -------
    DataFrame
        Same type as the input, a subset of its rows.
    """
    keep = pd.Series(True, index=clusters.index)
    if filters.countries:
        keep &= clusters["country_iso2"].isin(filters.countries).fillna(False)
    year = clusters["year"]
    dated = year.notna()
    in_range = pd.Series(True, index=clusters.index)
    if filters.year_min is not None:
        in_range &= (year >= filters.year_min).fillna(False)
    if filters.year_max is not None:
        in_range &= (year <= filters.year_max).fillna(False)
    keep &= (dated & in_range) | (~dated & filters.include_undated)
    if filters.counts_what:
        keep &= clusters["counts_what"].isin(filters.counts_what).fillna(False)
    if filters.min_firms > 0:
        keep &= (clusters["firms"] >= filters.min_firms).fillna(False)
    if filters.min_employees > 0:
        keep &= (clusters["employees"] >= filters.min_employees).fillna(False)
    return clusters.loc[keep.astype(bool)]
