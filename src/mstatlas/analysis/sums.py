"""Adding up the headline figures of several clusters, by one documented rule.

A country total and a cluster's share of the clusters in view both add figures
of *different* clusters. They follow the same rule, written here once:

- one headline figure per cluster (:func:`mstatlas.analysis.ranking.headline_figures`),
  never several figures of the same cluster;
- figures of one kind (``counts_what``) only, and only for the cluster's usual
  perimeter (blank ``scope``);
- clusters without such a figure are counted, never filled in;
- how the figures are stated is carried into the sum (:func:`combine_qualifiers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from mstatlas.analysis.provenance import UNDATED
from mstatlas.analysis.ranking import (
    LIKE_WITH_LIKE,
    default_kinds,
    format_figure,
    headline_figures,
)
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.i18n import N_, Labels, _, fmt_int, ngettext

#: Measures whose figures can be added across clusters (a ratio cannot).
SUMMABLE_MEASURES: Final[tuple[str, ...]] = ("employees", "firms")
LOWER_BOUNDS: Final[frozenset[str]] = frozenset({"more_than", "at_least"})
UPPER_BOUNDS: Final[frozenset[str]] = frozenset({"up_to"})

#: Kinds of figure that are never added: the sum would count the same people twice.
NOT_SUMMABLE_KINDS: Final[Mapping[str, str]] = Labels(
    {
        "national": N_(
            "national figures describe a whole country and are attached to a cluster only for "
            "context; adding them would count a country once per cluster"
        ),
    }
)

#: Kinds that can be added but whose sum may count some firms or people twice.
SUM_CAVEATS: Final[Mapping[str, str]] = Labels(
    {
        "network_members": N_(
            "Network members need not be local and one firm can belong to several networks, "
            "so the sum may count some members twice."
        ),
        "regional_sector": N_(
            "Regional sector figures cover a whole region; two clusters in one region may "
            "report the same jobs, so the sum may count them twice."
        ),
        "unspecified": N_(
            "The data does not say what these figures count; read the sum with care."
        ),
    }
)

#: Why a cluster's figure is not in a sum (``status`` column of :func:`cluster_figures`).
STATUS_TEXT: Final[Mapping[str, str]] = Labels(
    {
        "summed": N_("added"),
        "no_figure": N_("no figure of this kind"),
        "other_scope": N_("figure for another perimeter"),
    }
)

FIGURE_COLUMNS: Final[tuple[str, ...]] = (
    "cluster_id",
    "cluster_name",
    "city",
    "country_iso2",
    "value",
    "qualifier",
    "display",
    "year",
    "scope",
    "source_title",
    "source_url",
    "status",
)


@dataclass(frozen=True)
class FigureSum:
    """The sum of some clusters' headline figures and how it is to be read.

    Attributes
    ----------
    total : float or None
        The sum; ``None`` when there is nothing to add or it cannot be stated.
    qualifier : str
        Key of :data:`mstatlas.data.schema.QUALIFIERS` for the sum (``""`` = exact).
    note : str
        Why the sum is approximate, a bound or blank; ``""`` when exact.
    n : int
        Number of figures added.
    year_min, year_max : int or None
        Range of the dated figures' years.
    n_undated : int
        Figures added that have no year.
    """

    total: float | None
    qualifier: str
    note: str
    n: int
    year_min: int | None
    year_max: int | None
    n_undated: int

    def display(self, by: str = "employees") -> str:
        """The sum as people read it (``≈ 2,100``); blank when there is none."""
        return format_figure(self.total, self.qualifier, by)

    def years_text(self) -> str:
        """``2007–2026``, ``2007``, ``2007–2026; 1 undated`` or ``undated``."""
        if self.year_min is None or self.year_max is None:
            return _(UNDATED) if self.n_undated else ""
        span = (
            str(self.year_min)
            if self.year_min == self.year_max
            else f"{self.year_min}–{self.year_max}"
        )
        if not self.n_undated:
            return span
        return ngettext("{span}; {n} undated", "{span}; {n} undated", self.n_undated).format(
            span=span, n=fmt_int(self.n_undated)
        )


def check_summable_measure(by: str) -> None:
    """Raise ``ValueError`` unless figures of measure ``by`` can be added up."""
    if by not in MEASURES:
        raise ValueError(f"Unknown measure {by!r}; choose one of {', '.join(MEASURES)}.")
    if by not in SUMMABLE_MEASURES:
        raise ValueError(
            f"{MEASURES[by]} cannot be added up across clusters (it is a ratio); "
            f"add up {' or '.join(SUMMABLE_MEASURES)} instead."
        )


def one_kind(counts: str | Iterable[str] | None) -> str:
    """The one known kind of figure named by ``counts``, or ``ValueError`` saying why not."""
    if counts is None:
        raise ValueError(
            "A sum adds figures of one kind only; choose one of " + ", ".join(COUNTS_WHAT) + "."
        )
    kinds = [counts] if isinstance(counts, str) else list(dict.fromkeys(counts))
    if len(kinds) != 1:
        named = ", ".join(kinds) if kinds else "none"
        raise ValueError(
            f"A sum adds figures of one kind only, got {named}; "
            "choose one kind of figure (e.g. cluster_firms)."
        )
    kind = str(kinds[0])
    if kind not in COUNTS_WHAT:
        raise ValueError(f"Unknown kind of figure {kind!r}; allowed: {', '.join(COUNTS_WHAT)}.")
    return kind


def summed_kind(counts: str | Iterable[str] | None) -> str:
    """The one kind of figure a sum may add, or ``ValueError`` saying why not.

    Parameters
    ----------
    counts : str or iterable of str
        Exactly one key of :data:`mstatlas.data.schema.COUNTS_WHAT`, not one of
        :data:`NOT_SUMMABLE_KINDS`.
    """
    kind = one_kind(counts)
    if kind in NOT_SUMMABLE_KINDS:
        raise ValueError(
            _("{kind} figures are not added up: {why}.").format(
                kind=COUNTS_WHAT[kind], why=NOT_SUMMABLE_KINDS[kind]
            )
        )
    return kind


def resolve_counts(
    clusters: pd.DataFrame, counts: str | Iterable[str] | None, by: str
) -> str | Iterable[str] | None:
    """``counts`` with :data:`~mstatlas.analysis.ranking.LIKE_WITH_LIKE` replaced by its kind.

    The kind is the one the ranking would compare (:func:`default_kinds`);
    ``cluster_firms`` when no row has a figure for ``by``. Anything else is
    returned unchanged.
    """
    if isinstance(counts, str) and counts == LIKE_WITH_LIKE:
        return default_kinds(clusters, by) or ("cluster_firms",)
    return counts


def combine_qualifiers(qualifiers: Iterable[str]) -> tuple[str | None, str]:
    """How a sum of figures stated with these qualifiers is to be stated.

    Returns
    -------
    (qualifier, note)
        ``qualifier`` is ``None`` when lower and upper bounds are mixed: such a
        sum is neither a lower nor an upper bound, so it is left blank. Otherwise
        an approximate figure makes the sum ``about`` (even beside bounds: an
        approximate figure can be off either way); else any ``more_than`` makes it
        ``more_than``, any ``at_least`` ``at_least``, any ``up_to`` ``up_to``.
    """
    qs = {str(q) for q in qualifiers if isinstance(q, str) and q}
    lower, upper = bool(qs & LOWER_BOUNDS), bool(qs & UPPER_BOUNDS)
    if lower and upper:
        return None, _(
            "some figures are lower bounds (>, ≥) and others upper bounds (≤), so their sum "
            "is neither and is left blank"
        )
    if "about" in qs:
        if lower:
            return "about", _(
                "approximate: some figures are stated as about; some are lower bounds (>, ≥), "
                "so it may be higher"
            )
        if upper:
            return "about", _(
                "approximate: some figures are stated as about; some are upper bounds (≤), "
                "so it may be lower"
            )
        return "about", _("approximate: some figures are stated as about")
    if lower:
        q = "more_than" if "more_than" in qs else "at_least"
        return q, _("a lower bound: some figures are stated as more than or at least")
    if upper:
        return "up_to", _("an upper bound: some figures are stated as up to")
    return "", ""


def add_figures(
    values: Iterable[float], qualifiers: Iterable[str], years: Iterable[object]
) -> FigureSum:
    """Add figures of different clusters (one each) and state how the sum is to be read.

    Parameters
    ----------
    values, qualifiers, years
        One entry per figure: its value, qualifier key and year (blank = undated).
    """
    vals = np.asarray(list(values), dtype=float)
    yrs = [int(y) for y in pd.Series(list(years), dtype="Int64").dropna()]
    n_undated = len(vals) - len(yrs)
    y_min, y_max = (min(yrs), max(yrs)) if yrs else (None, None)
    if len(vals) == 0:
        return FigureSum(None, "", _("no figure to add"), 0, None, None, 0)
    qualifier, note = combine_qualifiers(qualifiers)
    if qualifier is None:
        return FigureSum(None, "", note, len(vals), y_min, y_max, n_undated)
    return FigureSum(float(vals.sum()), qualifier, note, len(vals), y_min, y_max, n_undated)


def cluster_figures(
    clusters: pd.DataFrame, by: str = "employees", counts: str | Iterable[str] = "cluster_firms"
) -> pd.DataFrame:
    """Every cluster of a table with the headline figure a sum would add, or why not.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (the clusters in view).
    by : {"employees", "firms"}
        The measure to add.
    counts : str or iterable of one str
        The one kind of figure to add.

    Returns
    -------
    DataFrame
        One row per cluster (columns :data:`FIGURE_COLUMNS`); ``status`` is
        ``summed``, ``no_figure`` or ``other_scope`` (its headline figure of this
        kind names another perimeter, e.g. an incubator's tenants). Name, city and
        country are those of the cluster's first row.
    """
    check_summable_measure(by)
    kind = summed_kind(counts)
    ids = clusters["cluster_id"].astype(object).to_numpy()
    first = clusters.iloc[np.flatnonzero(~pd.Series(ids).duplicated().to_numpy())]
    base = pd.DataFrame(
        {
            "cluster_id": first["cluster_id"].astype(object).to_numpy(),
            "cluster_name": first["cluster_name"].astype(object).to_numpy(),
            "city": first["city"].astype(object).to_numpy(),
            "country_iso2": first["country_iso2"].astype(object).fillna("").to_numpy(),
        }
    )
    heads = headline_figures(clusters, by=by, counts=(kind,))
    if "scope" not in heads.columns:
        heads = heads.assign(scope=pd.NA)
    wanted = ["value", "qualifier", "display", "year", "scope", "source_title", "source_url"]
    out = base.merge(heads[["cluster_id", *wanted]], on="cluster_id", how="left")
    out["year"] = out["year"].astype("Int64")
    out["value"] = out["value"].astype(float)
    out["qualifier"] = out["qualifier"].fillna("")
    out["display"] = out["display"].fillna("")
    has = out["value"].notna().to_numpy()
    scoped = out["scope"].notna().to_numpy()
    out["status"] = np.where(~has, "no_figure", np.where(scoped, "other_scope", "summed"))
    return out[list(FIGURE_COLUMNS)]


def sum_of(figures: pd.DataFrame) -> FigureSum:
    """:func:`add_figures` over the rows of :func:`cluster_figures` with status ``summed``."""
    s = figures[figures["status"] == "summed"]
    return add_figures(s["value"], s["qualifier"], s["year"])


def not_summed_text(figures: pd.DataFrame) -> str:
    """``Chemnitz (no figure of this kind); Dortmund (figure for another perimeter: …)``."""
    rest = figures[figures["status"] != "summed"]
    parts = []
    for name, status, scope in zip(rest["cluster_name"], rest["status"], rest["scope"]):
        why = STATUS_TEXT[str(status)]
        if status == "other_scope" and isinstance(scope, str):
            why += f": {scope}"
        parts.append(f"{name} ({why})")
    return "; ".join(parts)
