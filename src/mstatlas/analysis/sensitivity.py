"""How much a cluster's rank depends on the choices a ranking makes.

A rank is the result of several choices: the measure, the kind of figures
compared, the years admitted and the rule that picks one headline figure per
cluster. :func:`rank_sensitivity` re-ranks with one choice changed at a time, so
a reader sees whether "Dortmund ranks 1st" holds or hangs on one choice.

Alternative headline rules are row selections made *before*
:func:`~mstatlas.analysis.ranking.rank_clusters`, which then applies its own
rule to what is left; nothing is averaged or added.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from mstatlas.analysis._kinds import Kinds, kinds_label, kinds_phrase, resolve_kinds
from mstatlas.analysis.figure_text import by_measure
from mstatlas.analysis.filters import Filters, apply_filters
from mstatlas.analysis.provenance import and_list, in_sentence, rank_text
from mstatlas.analysis.ranking import (
    CATEGORY_PRIORITY,
    LIKE_WITH_LIKE,
    measure_values,
    rank_clusters,
)
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.i18n import N_, _, fmt_int, ngettext

Selection = Callable[[pd.DataFrame, str], pd.DataFrame]

SENSITIVITY_COLUMNS: tuple[str, ...] = (
    "dimension",
    "choice",
    "phrase",
    "current",
    "rank",
    "tied",
    "of_n",
    "figure",
    "year",
    "counts_what",
    "note",
    "cluster_id",
    "cluster_name",
)

#: The choices varied; the ``dimension`` column holds these English keys (show ``_(key)``).
DIMENSIONS: tuple[str, ...] = (
    N_("Measure"),
    N_("Kind of figures"),
    N_("Year window"),
    N_("Headline rule"),
)
#: What the rank depends on, per dimension, in a verdict.
_DEPENDS_ON: dict[str, str] = {
    "Measure": N_("the measure ({examples})"),
    "Kind of figures": N_("the kind of figures ({examples})"),
    "Year window": N_("the year window ({examples})"),
    "Headline rule": N_("the headline rule ({examples})"),
}
#: "No … figure" per measure, for why a cluster is not ranked.
_NO_FIGURE: dict[str, str] = {
    "employees": N_("no employees figure"),
    "firms": N_("no firms figure"),
    "employees_per_firm": N_("no employees per firm figure"),
}


# --- headline rules: each a row selection ------------------------------------------------


def _with_value(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rows that give a value for measure ``by``."""
    value, _ = measure_values(rows, by)
    return rows[value.notna().to_numpy()]


def _headline_group(rows: pd.DataFrame) -> pd.DataFrame:
    """Each cluster's rows of the kind and scope its headline is taken from.

    The kind closest to "cluster firms" (:data:`CATEGORY_PRIORITY`), and within
    it the figures for the usual perimeter (blank ``scope``) when there are any:
    the same first two steps as the ranking's own rule.
    """
    if rows.empty:
        return rows
    prio_map = {c: i for i, c in enumerate(CATEGORY_PRIORITY)}
    ids = rows["cluster_id"].astype(object).to_numpy()
    prio = pd.Series(rows["counts_what"].astype(object).map(prio_map).fillna(len(prio_map)))
    prio = prio.to_numpy(dtype=float)
    best = pd.Series(prio).groupby(ids).transform("min").to_numpy()
    rows = rows[prio == best]
    ids = rows["cluster_id"].astype(object).to_numpy()
    unscoped = rows["scope"].isna().to_numpy(dtype=bool)
    has_unscoped = pd.Series(unscoped).groupby(ids).transform("any").to_numpy(dtype=bool)
    return rows[unscoped | ~has_unscoped]


def select_default(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """The ranking's own rule: no selection beforehand."""
    return rows


def select_earliest(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Each cluster's earliest dated figure (of its headline kind and scope).

    A cluster with no dated figure keeps its undated ones, as the ranking's own
    rule does.
    """
    rows = _headline_group(_with_value(rows, by))
    ids = rows["cluster_id"].astype(object).to_numpy()
    year = rows["year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    first = pd.Series(year).groupby(ids).transform("min").to_numpy()
    no_dated = np.isnan(first)
    return rows[(year == first) | no_dated]


def select_exact(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Only figures stated exactly (no "about", "more than", "at least", "up to")."""
    value, qual = measure_values(rows, by)
    return rows[(value.notna() & (qual == "")).to_numpy(dtype=bool)]


def select_largest(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Each cluster's largest figure (of its headline kind and scope)."""
    rows = _headline_group(_with_value(rows, by))
    value, _ = measure_values(rows, by)
    v = value.to_numpy(dtype=float, na_value=np.nan)
    top = pd.Series(v).groupby(rows["cluster_id"].astype(object).to_numpy()).transform("max")
    return rows[v == top.to_numpy()]


def select_dated(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """Figures with a year only."""
    return rows[rows["year"].notna().to_numpy(dtype=bool)]


class HeadlineRule(NamedTuple):
    """One way of picking a cluster's headline figure."""

    label: str
    description: str
    select: Selection


#: The rules a ranking can be checked under (name -> label, description, selection).
HEADLINE_RULES: dict[str, HeadlineRule] = {
    "default": HeadlineRule(
        N_("Ranking's rule"),
        N_(
            "the kind closest to cluster firms, the usual perimeter, the most recent dated "
            "figure, an exact figure over an approximate one"
        ),
        select_default,
    ),
    "earliest": HeadlineRule(
        N_("Earliest figure"),
        N_(
            "each cluster's earliest dated figure of its headline kind and scope "
            "(an undated one only when none is dated)"
        ),
        select_earliest,
    ),
    "exact_only": HeadlineRule(
        N_("Exact figures only"),
        N_("figures stated as about, more than, at least or up to are left out"),
        select_exact,
    ),
    "largest": HeadlineRule(
        N_("Largest figure"),
        N_("each cluster's largest figure of its headline kind and scope"),
        select_largest,
    ),
    "dated_only": HeadlineRule(
        N_("Dated figures only"),
        N_("figures without a year are left out"),
        select_dated,
    ),
}


# --- year spread and the same-period window ----------------------------------------------


@dataclass(frozen=True)
class YearSpread:
    """The years of the figures a ranking compares.

    Attributes
    ----------
    first, last : int or None
        Earliest and latest year among the dated figures (``None`` when none is dated).
    n_dated, n_undated : int
        How many ranked figures have a year / have none.
    text : str
        E.g. "Figures from 1985 to 2026 (12 dated, 3 undated)".
    wide : bool
        The dated figures span more than 3 years.
    """

    first: int | None
    last: int | None
    n_dated: int
    n_undated: int
    text: str
    wide: bool


def year_spread(ranking: pd.DataFrame) -> YearSpread:
    """Say from which years the figures of a ranking come.

    Parameters
    ----------
    ranking : DataFrame
        A ranking from :func:`~mstatlas.analysis.ranking.rank_clusters` (any table
        with a ``year`` column, one row per ranked figure).

    Returns
    -------
    YearSpread
    """
    years = pd.to_numeric(pd.Series(ranking["year"], dtype="Float64"))
    dated = years.dropna()
    n_dated, n_undated = len(dated), len(years) - len(dated)
    if n_dated == 0:
        text = (
            _("No ranked figure is dated ({n} undated)").format(n=fmt_int(n_undated))
            if n_undated
            else _("No figures ranked")
        )
        return YearSpread(None, None, 0, n_undated, text, False)
    first, last = int(dated.min()), int(dated.max())
    counts = (
        _("{dated} dated, {undated} undated").format(
            dated=fmt_int(n_dated), undated=fmt_int(n_undated)
        )
        if n_undated
        else _("{dated} dated").format(dated=fmt_int(n_dated))
    )
    text = (
        _("Figures from {first} ({counts})") if first == last
        else _("Figures from {first} to {last} ({counts})")
    ).format(first=first, last=last, counts=counts)  # fmt: skip
    return YearSpread(first, last, n_dated, n_undated, text, last - first > 3)


def same_period_window(
    clusters: pd.DataFrame,
    by: str = "employees",
    counts: Iterable[str] | str | None = LIKE_WITH_LIKE,
    width: int = 5,
) -> tuple[int, int] | None:
    """The ``width``-year window that holds dated figures for the most clusters.

    A cluster counts for a window when it has at least one dated figure of the
    kinds ``counts`` with a value for ``by`` in it. Windows start at a year from
    the first figure's year up to ``width - 1`` years before the last one; among
    equally good windows the latest wins.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table.
    by : {"employees", "firms", "employees_per_firm"}
        The measure.
    counts : iterable of str, None or "like_with_like"
        Kinds of figures considered, as for
        :func:`~mstatlas.analysis.ranking.rank_clusters`; ``None`` considers all.
    width : int
        Window length in years, both ends included.

    Returns
    -------
    (int, int) or None
        First and last year of the window; ``None`` when no figure is dated.
    """
    if width < 1:
        raise ValueError(f"The window must be at least 1 year wide, got {width}.")
    rows = _with_value(_kinds(clusters, resolve_kinds(clusters, counts, by)), by)
    rows = rows[rows["year"].notna().to_numpy(dtype=bool)]
    if rows.empty:
        return None
    years = rows["year"].astype(int).to_numpy()
    ids = rows["cluster_id"].astype(object).to_numpy()
    lo, hi = int(years.min()), int(years.max())
    best: tuple[int, int] | None = None
    best_n = -1
    for start in range(lo, max(lo, hi - width + 1) + 1):
        inside = (years >= start) & (years <= start + width - 1)
        n = len(set(ids[inside]))
        if n >= best_n:  # ">=": ties go to the later window
            best, best_n = (start, start + width - 1), n
    return best


# --- sensitivity table -------------------------------------------------------------------


def _kinds(clusters: pd.DataFrame, counts: Kinds) -> pd.DataFrame:
    if counts is None:
        return clusters
    keep = clusters["counts_what"].isin(list(counts)).fillna(False).to_numpy(dtype=bool)
    return clusters[keep]


class _Choice(NamedTuple):
    dimension: str
    choice: str
    phrase: str
    by: str
    counts: Kinds
    window: tuple[int, int] | None
    rule: str
    current: bool


def _choices(
    clusters: pd.DataFrame,
    by: str,
    counts_arg: Iterable[str] | str | None,
    window: tuple[int, int] | None,
) -> list[_Choice]:
    """Every choice tried: the base with one dimension changed at a time.

    Under another measure the kinds are read from ``counts_arg`` again, so "like
    with like" picks that measure's kind, as the ranking page would.
    """
    counts = resolve_kinds(clusters, counts_arg, by)
    out = [
        _Choice(
            "Measure", label, by_measure(m), m,
            resolve_kinds(clusters, counts_arg, m), None, "default", m == by,
        )
        for m, label in MEASURES.items()
    ]  # fmt: skip
    with_value = _with_value(clusters, by)
    present = set(with_value["counts_what"].astype(object))
    kinds: list[tuple[str, ...] | None] = [(k,) for k in COUNTS_WHAT if k in present]
    kinds.append(None)
    if counts not in kinds:
        kinds.insert(0, counts)
    for k in kinds:
        phrase = _("with all kinds mixed") if k is None else kinds_phrase(k)
        out.append(
            _Choice("Kind of figures", kinds_label(k), phrase, by, k, None, "default", k == counts)
        )
    windows: list[tuple[str, tuple[int, int] | None]] = [(_("All years"), None)]
    same = same_period_window(clusters, by, counts)
    if same is not None:
        windows.append((_("Same period {first}–{last}").format(first=same[0], last=same[1]), same))
    if window is not None and window != same:
        windows.append((f"{window[0]}–{window[1]}", window))
    for label, w in windows:
        phrase = (
            _("with all years")
            if w is None
            else _("with figures from {first}–{last} only").format(first=w[0], last=w[1])
        )
        out.append(_Choice("Year window", label, phrase, by, counts, w, "default", w is None))
    for name, rule in HEADLINE_RULES.items():
        label = _(rule.label)
        phrase = _("with the rule '{rule}'").format(rule=in_sentence(label))
        out.append(
            _Choice("Headline rule", label, phrase, by, counts, None, name, name == "default")
        )
    return out


def _rank_under(clusters: pd.DataFrame, c: _Choice) -> pd.DataFrame:
    rows = _kinds(clusters, c.counts)
    if c.window is not None:
        rows = apply_filters(
            rows,
            Filters(
                year_min=c.window[0], year_max=c.window[1], include_undated=False, counts_what=()
            ),
        )
    rows = HEADLINE_RULES[c.rule].select(rows, c.by)
    return rank_clusters(rows, by=c.by, counts=c.counts)


def _not_ranked_note(c: _Choice) -> str:
    what = _(_NO_FIGURE[c.by])
    if c.rule == "exact_only":
        what = _("{what} stated exactly").format(what=what)
    elif c.rule == "dated_only":
        what = _("{what} with a year").format(what=what)
    text = _("not ranked: {what} {kinds}").format(what=what, kinds=kinds_phrase(c.counts))
    if c.window is None:
        return text
    return _("{text} dated {first}–{last}").format(text=text, first=c.window[0], last=c.window[1])


def _cluster_name(
    clusters: pd.DataFrame, cluster_id: str, by: str, window: tuple[int, int] | None
) -> str:
    """The followed cluster's name, once the arguments are checked (ValueError says what is wrong)."""
    if by not in MEASURES:
        raise ValueError(f"Unknown measure {by!r}; choose one of {', '.join(MEASURES)}.")
    known = clusters["cluster_id"].astype(object)
    if not (known == cluster_id).any():
        raise ValueError(
            _("Cluster {cluster} is not in this table (or not in the current selection).").format(
                cluster=repr(cluster_id)
            )
        )
    name = str(clusters.loc[(known == cluster_id).to_numpy(), "cluster_name"].iloc[0])
    if window is not None and window[0] > window[1]:
        raise ValueError(
            _("The year window {first}–{last} ends before it starts.").format(
                first=window[0], last=window[1]
            )
        )
    return name


def rank_sensitivity(
    clusters: pd.DataFrame,
    cluster_id: str,
    by: str = "employees",
    counts: Iterable[str] | str | None = LIKE_WITH_LIKE,
    window: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """A cluster's rank under each choice a ranking depends on.

    The base is (``by``, ``counts``, all years, the ranking's headline rule);
    each row changes one of these: every measure; every kind of figures present
    (with a value for ``by``) and all kinds mixed; all years, the same-period
    window of :func:`same_period_window` and ``window`` if given; every rule of
    :data:`HEADLINE_RULES`.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (filtered as in view).
    cluster_id : str
        The cluster to follow.
    by, counts
        The base measure and kinds, as for :func:`~mstatlas.analysis.ranking.rank_clusters`.
    window : (int, int), optional
        A further year window to try (both ends included, undated figures left out).

    Returns
    -------
    DataFrame
        Columns :data:`SENSITIVITY_COLUMNS`: ``rank`` (Int64, blank when not
        ranked), ``tied`` (the rank is shared), ``of_n`` (clusters ranked),
        ``figure``/``year``/``counts_what`` of the cluster's headline under that
        choice, ``current`` (the base choice of that dimension), ``phrase`` (e.g.
        "by firms", for sentences) and ``note`` (why not ranked, or ties).
    """
    name = _cluster_name(clusters, cluster_id, by, window)
    records = []
    for c in _choices(clusters, by, counts, window):
        ranking = _rank_under(clusters, c)
        hit = ranking[ranking["cluster_id"].astype(object) == cluster_id]
        rec = {
            "dimension": c.dimension, "choice": c.choice, "phrase": c.phrase,
            "current": c.current, "of_n": len(ranking), "cluster_id": cluster_id,
            "cluster_name": name,
        }  # fmt: skip
        if hit.empty:
            rec.update(rank=pd.NA, tied=False, figure="", year=pd.NA, counts_what=pd.NA,
                       note=_not_ranked_note(c))  # fmt: skip
        else:
            h = hit.iloc[0]
            others = int((ranking["rank"] == h["rank"]).sum()) - 1
            note = (
                ngettext(
                    "tied with {n} other cluster", "tied with {n} other clusters", others
                ).format(n=fmt_int(others))
                if others
                else ""
            )
            rec.update(rank=int(h["rank"]), tied=bool(h["tied"]), figure=h["display"],
                       year=h["year"], counts_what=h["counts_what"], note=note)  # fmt: skip
        records.append(rec)
    out = pd.DataFrame.from_records(records, columns=list(SENSITIVITY_COLUMNS))
    out["rank"] = out["rank"].astype("Int64")
    out["year"] = out["year"].astype("Int64")
    out["of_n"] = out["of_n"].astype(int)
    out["current"] = out["current"].astype(bool)
    out["tied"] = out["tied"].astype(bool)
    return out


# --- verdict -----------------------------------------------------------------------------


def _differences(rows: pd.DataFrame, max_examples: int) -> str:
    """'5th of 10 by firms; 1 more; not ranked under 3 choices' for one dimension."""
    ranked = rows[rows["rank"].notna()]
    parts = [
        f"{rank_text(r['rank'], int(r['of_n']))} {r['phrase']}"
        for _, r in ranked.head(max_examples).iterrows()
    ]
    if len(ranked) > max_examples:
        parts.append(_("{n} more").format(n=fmt_int(len(ranked) - max_examples)))
    unranked = rows[rows["rank"].isna()]
    if len(unranked) == 1:
        parts.append(_("not ranked {choice}").format(choice=unranked["phrase"].iloc[0]))
    elif len(unranked) > 1:
        parts.append(_("not ranked under {n} choices").format(n=fmt_int(len(unranked))))
    return "; ".join(parts)


def sensitivity_verdict(table: pd.DataFrame, max_examples: int = 2) -> str:
    """One plain sentence on whether a cluster's rank holds across the choices.

    Parameters
    ----------
    table : DataFrame
        From :func:`rank_sensitivity`.
    max_examples : int
        How many differing choices to name per dimension.

    Returns
    -------
    str
        E.g. "Dortmund ranks 1st of 8 (by employees, counting cluster firms); the
        same rank under 9 of 15 choices; it depends on the measure (3rd of 10 by
        firms) and on the kind of figures (not ranked counting network members)."
    """
    if table.empty:
        return _("No ranking to compare.")
    name = str(table["cluster_name"].iloc[0])
    base = table[table["current"]].iloc[0]
    base_rank = base["rank"]
    base_phrase = ", ".join(table.loc[table["current"] & table["dimension"].isin(
        ["Measure", "Kind of figures"]), "phrase"])  # fmt: skip
    same = table["rank"].isna() if pd.isna(base_rank) else table["rank"].eq(base_rank).fillna(False)
    n_same, n = int(same.sum()), len(table)
    unranked = pd.isna(base_rank)
    if unranked:
        head = _("{name} is not ranked {choice}").format(name=name, choice=base_phrase)
    else:
        head = _("{name} ranks {rank} ({choice})").format(
            name=name, rank=rank_text(base_rank, int(base["of_n"])), choice=base_phrase
        )
    differing = []
    for dim in DIMENSIONS:
        rows = table[(table["dimension"] == dim).to_numpy() & ~same.to_numpy()]
        if not rows.empty:
            differing.append(_(_DEPENDS_ON[dim]).format(examples=_differences(rows, max_examples)))
    if not differing:
        holds = (
            _(
                "{head}; not ranked under all {n} choices tried: it does not depend on the "
                "measure, the kind of figures, the year window or the headline rule."
            )
            if unranked
            else _(
                "{head}; the same rank under all {n} choices tried: it does not depend on the "
                "measure, the kind of figures, the year window or the headline rule."
            )
        )
        return holds.format(head=head, n=fmt_int(n))
    depends = (
        _("{head}; not ranked under {same} of {n} choices; it depends on {dependencies}.")
        if unranked
        else _("{head}; the same rank under {same} of {n} choices; it depends on {dependencies}.")
    )
    return depends.format(
        head=head, same=fmt_int(n_same), n=fmt_int(n), dependencies=and_list(differing)
    )
