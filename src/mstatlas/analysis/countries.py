"""Clusters per country: how many, and the sum of one comparable figure each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

from mstatlas.analysis.provenance import year_text
from mstatlas.analysis.sums import (
    SUM_CAVEATS,
    check_summable_measure,
    cluster_figures,
    not_summed_text,
    resolve_counts,
    sum_of,
    summed_kind,
)
from mstatlas.data.countries import country_name
from mstatlas.i18n import N_, _, fmt_int

#: Shown on the country view: how a country's total is formed.
COUNTRY_RULE: Final[str] = N_(
    "Each cluster adds one figure: its headline figure (the same one the ranking shows), "
    "of the one kind of figure chosen, for the cluster's usual perimeter. A cluster's "
    "several figures are never added together, and figures of different kinds are never "
    "mixed. Clusters without such a figure are counted but add nothing, so a total can be "
    "lower than the truth. How figures are stated carries into the sum: one approximate "
    "figure makes the total approximate (≈); with lower bounds (>, ≥) the total is a lower "
    "bound, with upper bounds (≤) an upper bound; lower and upper bounds together leave the "
    "total blank. Figures of different years are added as they are; the years are shown."
)

SUMMARY_COLUMNS: Final[tuple[str, ...]] = (
    "country_iso2",
    "country",
    "n_clusters",
    "n_with_figure",
    "total",
    "total_qualifier",
    "display",
    "total_note",
    "year_min",
    "year_max",
    "n_undated",
    "clusters",
    "not_summed",
    "sources",
    "measure",
    "counts_what",
    "caveat",
)

#: Sources named per country before "and N more".
MAX_SOURCES: Final = 3
NO_COUNTRY: Final = N_("Country not stated")


def country_summary(
    clusters: pd.DataFrame,
    by: str = "employees",
    counts: str | Iterable[str] = ("cluster_firms",),
) -> pd.DataFrame:
    """One row per country: its clusters and the sum of their comparable figures.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (the clusters in view, already filtered).
    by : {"employees", "firms"}
        The measure to add. ``employees_per_firm`` is a ratio and raises
        ``ValueError``: ratios of several clusters cannot be added.
    counts : str or iterable of one str
        The one kind of figure to add (:data:`mstatlas.data.schema.COUNTS_WHAT`),
        or :data:`~mstatlas.analysis.ranking.LIKE_WITH_LIKE` for the kind the
        ranking compares by default. Several kinds raise ``ValueError``: a sum of different kinds means
        nothing. ``national`` figures are refused too (they would count a
        country once per cluster).

    Returns
    -------
    DataFrame
        Columns :data:`SUMMARY_COLUMNS`, largest total first (blank totals last).
        ``n_clusters`` counts every cluster in the country, ``n_with_figure`` those
        whose figure was added; ``total`` is blank when nothing could be added
        (``total_note`` says why) and ``display`` is the total as people read it
        (``≈ 2,100``). ``year_min``/``year_max``/``n_undated`` describe the added
        figures, ``not_summed`` names the clusters left out and why, and
        ``caveat`` warns when the kind of figure may overlap between clusters.
        The rule is :data:`COUNTRY_RULE`.
    """
    check_summable_measure(by)
    kind = summed_kind(resolve_counts(clusters, counts, by))
    figures = cluster_figures(clusters, by=by, counts=kind)
    rows = [
        _country_row(str(iso), group, by, kind)
        for iso, group in figures.groupby("country_iso2", sort=False)
    ]
    if not rows:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    for col in ("year_min", "year_max"):
        out[col] = out[col].astype("Int64")
    out["total"] = out["total"].astype(float)
    out = out.sort_values(
        ["total", "n_clusters", "country"], ascending=[False, False, True], na_position="last"
    )
    return out.reset_index(drop=True)


def _country_row(iso: str, figures: pd.DataFrame, by: str, kind: str) -> dict[str, object]:
    total = sum_of(figures)
    summed = figures[figures["status"] == "summed"].sort_values("value", ascending=False)
    return {
        "country_iso2": iso,
        "country": country_name(iso) if iso else _(NO_COUNTRY),
        "n_clusters": len(figures),
        "n_with_figure": total.n,
        "total": total.total,
        "total_qualifier": total.qualifier,
        "display": total.display(by),
        "total_note": total.note,
        "year_min": total.year_min,
        "year_max": total.year_max,
        "n_undated": total.n_undated,
        "clusters": "; ".join(sorted(str(n) for n in figures["cluster_name"])),
        "not_summed": not_summed_text(figures),
        "sources": sources_text(summed),
        "measure": by,
        "counts_what": kind,
        "caveat": SUM_CAVEATS.get(kind, "") if total.n > 1 else "",
    }


def sources_text(figures: pd.DataFrame, limit: int = MAX_SOURCES) -> str:
    """The first ``limit`` distinct sources with their year, then ``and N more``."""
    seen: dict[str, None] = {}
    for title, year in zip(figures["source_title"], figures["year"]):
        if isinstance(title, str) and title:
            seen.setdefault(f"{title} ({year_text(year)})", None)
    names = list(seen)
    text = "; ".join(names[:limit])
    if len(names) <= limit:
        return text
    return _("{sources}; and {n} more").format(sources=text, n=fmt_int(len(names) - limit))
