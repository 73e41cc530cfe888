"""The dataset "as of" a chosen year: each cluster's latest figures up to that year.

A map "as of 2010" must not show a figure published in 2015, and should show
for each cluster what was known most recently by 2010. Figures are kept per
series (cluster, kind of figure, scope) so the headline rule of
:func:`mstatlas.analysis.ranking.headline_figures` still chooses among kinds,
perimeters and conflicting figures of the same year exactly as on the full map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mstatlas.analysis.ranking import measure_values
from mstatlas.data.schema import MEASURES


@dataclass(frozen=True, eq=False)
class AsOf:
    """The rows shown "as of" a year, and what had to be left out.

    Attributes
    ----------
    year : int
        The chosen year.
    rows : DataFrame
        A subset of the cluster table's rows (same type, columns and index, in
        file order) — see :func:`as_of`.
    undated : int
        How many figures (rows with a firms or employees value) were left out
        because their source gives no year; say so under the map.
    """

    year: int
    rows: pd.DataFrame
    undated: int


def _checked_year(year: object) -> int:
    if isinstance(year, bool) or not isinstance(year, int | np.integer):
        raise ValueError(f"The 'as of' year must be a whole number such as 2010, got {year!r}.")
    return int(year)


def as_of(clusters: pd.DataFrame, year: int) -> AsOf:
    """The figures a map "as of ``year``" shows.

    For each series — one cluster's figures of one kind (``counts_what``) and
    one scope (blank = the usual perimeter) — and for each measure (firms,
    employees, employees per firm), the rows of the latest year up to and
    including ``year`` that give a value for that measure are kept. All rows of
    that year are kept, so the headline rule still chooses among them (exact
    before approximate, then file order). Taking the latest year per measure
    means a 2009 row giving only staff does not hide the 2007 firm count of the
    same series. Rows dated up to ``year`` that give no figure at all are kept
    (they show nothing). Figures after ``year`` and undated figures are left out:
    an undated figure's year is unknown, so it is counted in
    :attr:`AsOf.undated` instead.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (already filtered as wanted).
    year : int
        The year of the view.

    Returns
    -------
    AsOf
        ``rows`` keeps the original index (the app caches and selects by it).

    Raises
    ------
    ValueError
        When ``year`` is not a whole number.
    """
    year = _checked_year(year)
    years = clusters["year"]
    in_range = (years.notna() & (years <= year)).fillna(False).astype(bool)
    # ``scope`` is optional: without it every figure is for the usual perimeter.
    raw_scope = clusters.get("scope", pd.Series(None, index=clusters.index, dtype=object))
    scope = raw_scope.astype(object).where(raw_scope.notna(), "")
    keys = [clusters["cluster_id"], clusters["counts_what"], scope]
    keep = pd.Series(False, index=clusters.index)
    for measure in MEASURES:
        has = in_range & measure_values(clusters, measure)[0].notna().astype(bool)
        dated = years.where(has)
        latest = dated.groupby(keys, dropna=False).transform("max")
        keep |= (has & (dated == latest)).fillna(False).astype(bool)
    figure = (clusters["firms"].notna() | clusters["employees"].notna()).astype(bool)
    keep |= in_range & ~figure
    undated = int((years.isna() & figure).sum())
    return AsOf(year=year, rows=clusters.loc[keep], undated=undated)
