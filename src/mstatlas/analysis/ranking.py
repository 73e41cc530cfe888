"""Headline figures per cluster and rankings (pure functions on DataFrames).

A cluster often has several reported figures. For a ranking or a map symbol we
pick one *headline* figure per cluster by a fixed, documented rule and show the
others next to it; figures are never averaged or added together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

import numpy as np
import pandas as pd

from mstatlas.analysis.figure_text import RATIO_QUALIFIERS, head_ratio_bases
from mstatlas.analysis.figure_text import RATIO_RULE as RATIO_RULE  # re-exported
from mstatlas.analysis.figure_text import format_figure as format_figure
from mstatlas.analysis.figure_text import format_figures as format_figures
from mstatlas.analysis.figure_text import localise_numbers as localise_numbers
from mstatlas.analysis.figure_text import ratio_basis as ratio_basis
from mstatlas.analysis.figure_text import ratio_qualifier as ratio_qualifier
from mstatlas.analysis.headline import (
    HeadlineOrder,
    RowOrder,
    headline_order,
    kinds_with_value,
    lean_taker,
    lean_values,
    shared_pick,
)
from mstatlas.analysis.provenance import and_list, in_sentence, ordinal, year_text
from mstatlas.analysis.selection import positions, whole_facts
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.i18n import N_, _, current_language, fmt_int

#: When categories are mixed, a cluster's headline comes from the first category here.
CATEGORY_PRIORITY: tuple[str, ...] = (
    "cluster_firms",
    "network_members",
    "spin_offs",
    "institute_staff",
    "regional_sector",
    "national",
    "unspecified",
)

#: ``counts`` value of :func:`rank_clusters` for the "like with like" rule (the default).
LIKE_WITH_LIKE: Final = "like_with_like"

#: The "like with like" rule in words (see :func:`default_kinds`).
LIKE_WITH_LIKE_RULE = N_(
    "Like with like: by default only figures of one kind are ranked together: figures that "
    "count cluster firms when the selection has any; otherwise the one kind it has (also "
    "'not stated', for a table that does not say what it counts); otherwise the first kind, "
    "in the order cluster firms, network members, spin-offs, institute staff, regional "
    "sector, national, not stated."
)

HEADLINE_RULE = N_(
    "One figure per cluster: the category closest to 'cluster firms' first, then a figure "
    "for the cluster's usual perimeter over one with a narrower or other scope (an incubator's "
    "tenants, a whole technology park), then the most recent dated figure, then a figure stated exactly over an approximate one, then the "
    "order of the data file. Other reported figures are listed, never averaged."
)

RANKING_COLUMNS: tuple[str, ...] = (
    "rank",
    "tied",
    "cluster_id",
    "cluster_name",
    "city",
    "country_iso2",
    "value",
    "display",
    "qualifier",
    "year",
    "counts_what",
    "scope",
    "firms",
    "employees",
    "source_title",
    "source_url",
    "other_figures",
    "n_figures",
    "ratio_basis",
    "row",
)


def _check_measure(by: str) -> None:
    if by not in MEASURES:
        raise ValueError(f"Unknown measure {by!r}; choose one of {', '.join(MEASURES)}.")


def measure_values(clusters: pd.DataFrame, by: str) -> tuple[pd.Series, pd.Series]:
    """Return the value of measure ``by`` for every row and its qualifier.

    ``employees_per_firm`` is computed only from rows that give both firms and
    employees (one source, one scope); it is blank otherwise and when firms is 0.
    Its qualifier says what the ratio is (see :func:`ratio_qualifier`): a bound
    when one figure is a bound, ``about`` when one is approximate, and no ratio
    (blank) when the two figures allow no statement.
    """
    _check_measure(by)
    if by == "employees_per_firm":
        firms = clusters["firms"].astype("Float64")
        emp = clusters["employees"].astype("Float64")
        eq = clusters["employees_qualifier"].fillna("").astype(object).to_numpy()
        fq = clusters["firms_qualifier"].fillna("").astype(object).to_numpy()
        quals = [RATIO_QUALIFIERS.get((e, f)) for e, f in zip(eq, fq)]
        stated = pd.Series([q is not None for q in quals], index=clusters.index)
        ok = firms.notna() & emp.notna() & (firms > 0) & stated
        value = (emp / firms.where(ok)).where(ok)
        qual = pd.Series([q or "" for q in quals], index=clusters.index, dtype="object")
        return value.astype("Float64"), qual
    return clusters[by].astype("Float64"), clusters[f"{by}_qualifier"].fillna("").astype(object)


#: The columns of :func:`headline_figures`, in order.
HEADLINE_COLUMNS: tuple[str, ...] = (
    "cluster_id", "cluster_name", "city", "country_iso2", "value", "qualifier", "year",
    "counts_what", "scope", "firms", "employees", "source_title", "source_url", "row",
    "display", "other_figures", "n_figures", "ratio_basis",
)  # fmt: skip


def headline_figures(
    clusters: pd.DataFrame,
    by: str = "employees",
    counts: Iterable[str] | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Pick one headline figure per cluster for measure ``by``.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (already filtered as wanted).
    by : {"employees", "firms", "employees_per_firm"}
        The measure.
    counts : iterable of str, optional
        Categories to consider; ``None`` considers all.
    columns : iterable of str, optional
        Only these of :data:`HEADLINE_COLUMNS`, in this order (the others are
        not written); ``None`` gives them all.

    Returns
    -------
    DataFrame
        One row per cluster that has a value, in cluster-id order, with the
        columns of :data:`RANKING_COLUMNS` except ``rank`` and ``tied``; ``row``
        is the index of the chosen figure in ``clusters``.
    """
    _check_measure(by)
    counts = None if counts is None else tuple(counts)
    wanted = None if columns is None else tuple(columns)
    if wanted is not None and not set(wanted) <= set(HEADLINE_COLUMNS):
        raise ValueError(
            f"Unknown headline column(s): {sorted(set(wanted) - set(HEADLINE_COLUMNS))}"
        )
    at = positions(clusters)
    if at is not None:  # a selection of the whole table in force: read from its rows
        return _selection_headlines(clusters, at, by, counts, wanted)
    value, qual = measure_values(clusters, by)
    values = value.to_numpy(dtype=float, na_value=np.nan)
    quals = qual.to_numpy(dtype=object)
    has = ~np.isnan(values)

    def key() -> tuple[object, ...]:
        # the same pick, whatever the kinds asked, when they leave the same rows (see
        # mstatlas.analysis.headline.shared_headlines: the map and the rating share it)
        kinds = kinds_with_value(clusters, has, counts)
        return (id(clusters), by, kinds, current_language(), wanted)

    def make() -> pd.DataFrame:
        pick = headline_order(clusters, has, quals != "", CATEGORY_PRIORITY, counts)

        def column(name: str, heads: np.ndarray) -> Any:
            if name == "qualifier":
                return quals[heads]
            if name == "display":
                return format_figures(values[heads], quals[heads], by)
            return _lean(clusters, name, heads)

        return _headline_frame(clusters, by, pick, values, quals, column, lambda n: "", wanted)

    return shared_pick(clusters, key, make)


class _HeadlineRows:
    """A whole table's rows as every selection's headline pick reads them (one measure)."""

    def __init__(self, whole: pd.DataFrame, by: str) -> None:
        self.whole, self.by = whole, by
        value, qual = measure_values(whole, by)
        self.values = value.to_numpy(dtype=float, na_value=np.nan)
        self.quals = qual.to_numpy(dtype=object)
        self.has = ~np.isnan(self.values)
        self.order = RowOrder.of(whole, self.has, self.quals != "", CATEGORY_PRIORITY)
        self._takers: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {}
        # typed once, so a selection's frame takes them without inferring their type
        self._texts: dict[tuple[str, str], Any] = {
            ("qualifier", ""): pd.array(self.quals, dtype="str"),
            ("", ""): pd.array(np.full(len(whole), "", dtype=object), dtype="str"),
        }
        if isinstance(whole["year"].dtype, pd.Int64Dtype):
            self._texts[("year", "")] = whole["year"].array

    def column(self, name: str, at: np.ndarray, within: np.ndarray) -> Any:
        """:func:`_lean` of the selection ``within`` (positions) at ``at`` (positions of
        the whole table); ``qualifier`` and ``display`` as the frame holds them."""
        if name == "display":  # written in the active language
            lang = current_language()
            if (name, lang) not in self._texts:
                texts = format_figures(self.values, self.quals, self.by)
                self._texts[(name, lang)] = pd.array(texts, dtype="str")
            return self._texts[(name, lang)].take(at)
        if (name, "") in self._texts:
            return self._texts[(name, "")].take(at)
        if name not in self.whole.columns:
            return np.full(len(at), None, dtype=object)
        if name not in self._takers:
            self._takers[name] = lean_taker(self.whole[name])
        return self._takers[name](at, within)

    def blank(self, n: int) -> Any:
        """``n`` empty texts."""
        return self._texts[("", "")][:n]


def _headline_rows(by: str) -> _HeadlineRows:
    """The whole table's rows for measure ``by`` (inside a ``rows_of`` block)."""
    rows: _HeadlineRows = whole_facts(("headline rows", by), lambda w: _HeadlineRows(w, by))
    return rows


def _selection_headlines(
    part: pd.DataFrame,
    at: np.ndarray,
    by: str,
    counts: tuple[str, ...] | None,
    wanted: tuple[str, ...] | None,
) -> pd.DataFrame:
    """:func:`headline_figures` of ``part``, the rows ``at`` of the whole table in force."""
    rows = _headline_rows(by)
    with_value = at[rows.has[at]]

    def key() -> tuple[object, ...]:
        kinds = rows.order.kinds_with_value(with_value, counts)
        return (id(part), by, kinds, current_language(), wanted)

    def make() -> pd.DataFrame:
        pick = rows.order.pick(with_value, counts)
        return _headline_frame(
            rows.whole,
            by,
            pick,
            rows.values,
            rows.quals,
            lambda c, heads: rows.column(c, heads, at),
            rows.blank,
            wanted,
        )

    return shared_pick(part, key, make)


def _headline_frame(
    clusters: pd.DataFrame,
    by: str,
    pick: HeadlineOrder,
    values: np.ndarray,
    quals: np.ndarray,
    column: Callable[[str, np.ndarray], Any],
    blank: Callable[[int], Any],
    columns: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """The headline frame of ``pick`` (positions in ``clusters``), its columns (also
    ``qualifier`` and ``display``) read with ``column(name, positions)``; ``blank(n)``:
    ``n`` empty texts; ``columns``: only these (all by default)."""
    heads = pick.heads
    names = HEADLINE_COLUMNS if columns is None else columns
    if not len(heads):  # (no pick: the columns in the ranking's order)
        empty = [c for c in RANKING_COLUMNS if c not in ("rank", "tied")]
        return pd.DataFrame(columns=empty if columns is None else list(names))
    n = len(heads)

    def year() -> Any:
        years = column("year", heads)
        if isinstance(getattr(years, "dtype", None), pd.Int64Dtype):
            return years
        return pd.Series(years, copy=False).astype("Int64").array

    made: dict[str, Callable[[], Any]] = {
        "value": lambda: values[heads],
        "year": year,
        "row": lambda: clusters.index.to_numpy()[heads],
        "other_figures": lambda: (
            _other_figures(clusters, pick, values, quals, by) if len(pick.rest) else blank(n)
        ),
        "n_figures": lambda: pick.figures_per_head().astype(int),
        "ratio_basis": lambda: (
            _ratio_bases(clusters, heads) if by == "employees_per_firm" else blank(n)
        ),
    }
    # one constructor call: columns added one by one cost more than building them
    return pd.DataFrame({c: made[c]() if c in made else column(c, heads) for c in names})


def _lean(clusters: pd.DataFrame, column: str, positions: np.ndarray) -> np.ndarray:
    """A column's values at ``positions``; blank (``None``) for a column the table lacks
    (``scope`` is optional: without it every figure is for the usual perimeter)."""
    if column not in clusters.columns:
        return np.full(len(positions), None, dtype=object)
    return lean_values(clusters[column], positions)


def _ratio_bases(clusters: pd.DataFrame, heads: np.ndarray) -> list[str]:
    cols = ("employees", "employees_qualifier", "firms", "firms_qualifier")
    return head_ratio_bases(pd.DataFrame({c: _lean(clusters, c, heads) for c in cols}))


def _other_figures(
    clusters: pd.DataFrame, pick: HeadlineOrder, values: np.ndarray, quals: np.ndarray, by: str
) -> list[str]:
    """Text listing each headline cluster's other figures, e.g. ``≈ 1,700 (2007)``.

    In the order of the headlines; a figure of another kind than the headline
    names its kind. Only the rows that are not headlines are written.
    """
    out = [""] * len(pick.heads)
    rest = pick.rest
    if not len(rest):
        return out
    group = pick.group_of_rest()
    kinds = _lean(clusters, "counts_what", rest)
    head_kinds = _lean(clusters, "counts_what", pick.heads[group])
    years = _lean(clusters, "year", rest)
    texts: dict[int, list[str]] = {}
    for g, v, q, y, c, h in zip(
        group.tolist(), values[rest], quals[rest], years, kinds, head_kinds
    ):
        named = "" if c == h else ", " + COUNTS_WHAT[c]
        texts.setdefault(g, []).append(f"{format_figure(v, q, by)} ({year_text(y)}{named})")
    for g, parts in texts.items():
        out[g] = "; ".join(parts)
    return out


def figure_kinds(clusters: pd.DataFrame, by: str) -> tuple[str, ...]:
    """The kinds of figure (``counts_what``) that give a value for measure ``by``.

    In :data:`CATEGORY_PRIORITY` order; empty when no row has a value.
    """
    at = positions(clusters)
    if at is not None:  # a selection of the whole table in force: read from its rows
        rows = _headline_rows(by)
        present = set(rows.order.kinds_with_value(at[rows.has[at]], None)) - {None}
    else:
        value, _ = measure_values(clusters, by)
        has = value.notna().to_numpy(dtype=bool)
        present = set(clusters["counts_what"].to_numpy(dtype=object)[has].tolist())
    ordered = tuple(k for k in CATEGORY_PRIORITY if k in present)
    return ordered + tuple(sorted(str(k) for k in present - set(ordered) if pd.notna(k)))


def default_kinds(clusters: pd.DataFrame, by: str) -> tuple[str, ...]:
    """The kind of figure ranked by default: the "like with like" rule.

    Figures that count cluster firms when the table has any for measure ``by``;
    otherwise the single kind its figures are of, e.g. ``("unspecified",)`` for a
    table that does not say what it counts, or ``("network_members",)``;
    otherwise the first kind in :data:`CATEGORY_PRIORITY` that has a figure.
    (As cluster firms come first in that order, the rule is: the first kind in
    :data:`CATEGORY_PRIORITY` with a figure.) See :data:`LIKE_WITH_LIKE_RULE`.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (already filtered as wanted).
    by : {"employees", "firms", "employees_per_firm"}
        The measure.

    Returns
    -------
    tuple of str
        One kind, or an empty tuple when no row has a figure for ``by``.
    """
    _check_measure(by)
    return figure_kinds(clusters, by)[:1]


def rank_clusters(
    clusters: pd.DataFrame,
    by: str = "employees",
    top: int | None = None,
    counts: Iterable[str] | None = LIKE_WITH_LIKE,
) -> pd.DataFrame:
    """Rank clusters by one headline figure each.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table, e.g. from :func:`mstatlas.load_clusters`.
    by : {"employees", "firms", "employees_per_firm"}
        The measure to rank by.
    top : int, optional
        Keep the first ``top`` ranks (ties at the cut are all kept).
    counts : iterable of str, None or "like_with_like"
        Categories of figures ranked together. The default,
        :data:`LIKE_WITH_LIKE`, ranks figures of one kind only, chosen by
        :func:`default_kinds` (cluster firms when there are any), so like is
        compared with like; ``None`` mixes all categories (the ``counts_what``
        column then tells each row's kind). A single kind may be given as a string.
        Unless kinds are mixed, a cluster whose headline figure covers another
        perimeter (its ``scope``: an incubator's tenants, a whole technology
        park) is not ranked: :func:`other_perimeters` lists those.

    Returns
    -------
    DataFrame
        Columns :data:`RANKING_COLUMNS`, best first. Ties share the lowest rank
        ("1, 2, 2, 4") and are flagged in ``tied``.

    Examples
    --------
    >>> from mstatlas import load_clusters, rank_clusters
    >>> r = rank_clusters(load_clusters(), by="employees")
    >>> set(r["counts_what"])
    {'cluster_firms'}
    """
    if top is not None and top < 1:
        raise ValueError(f"top must be 1 or more, got {top}.")
    if isinstance(counts, str):
        counts = default_kinds(clusters, by) if counts == LIKE_WITH_LIKE else (counts,)
    heads = comparable_headlines(clusters, by=by, counts=counts)
    if heads.empty:
        return pd.DataFrame(columns=list(RANKING_COLUMNS))
    heads = heads.sort_values(
        ["value", "cluster_name"], ascending=[False, True], kind="mergesort"
    ).reset_index(drop=True)
    ranks = heads["value"].rank(method="min", ascending=False).astype(int)
    heads.insert(0, "rank", ranks)
    heads.insert(1, "tied", heads["rank"].duplicated(keep=False))
    if top is not None:
        heads = heads[heads["rank"] <= top]
    return heads[list(RANKING_COLUMNS)].reset_index(drop=True)


def other_perimeters(
    clusters: pd.DataFrame,
    by: str = "employees",
    counts: Iterable[str] | str | None = LIKE_WITH_LIKE,
) -> pd.DataFrame:
    """The clusters a like-with-like ranking leaves out: their figure covers another perimeter.

    Parameters
    ----------
    clusters, by, counts
        As for :func:`rank_clusters`.

    Returns
    -------
    DataFrame
        The headline figures (columns of :func:`headline_figures`) whose
        ``scope`` is not blank, largest first; empty when kinds are mixed
        (``counts=None``), since a mixed ranking shows every figure with its scope.
    """
    if counts is None:
        return pd.DataFrame(columns=[c for c in RANKING_COLUMNS if c not in ("rank", "tied")])
    if isinstance(counts, str):
        counts = default_kinds(clusters, by) if counts == LIKE_WITH_LIKE else (counts,)
    heads = headline_figures(clusters, by=by, counts=counts)
    scoped = heads[~_usual_perimeter(heads)]
    return scoped.sort_values("value", ascending=False, kind="mergesort").reset_index(drop=True)


def _usual_perimeter(heads: pd.DataFrame) -> np.ndarray:
    """Which headline figures cover the cluster's usual perimeter (blank ``scope``)."""
    return heads["scope"].isna().to_numpy(dtype=bool)


def comparable_headlines(
    clusters: pd.DataFrame,
    by: str = "employees",
    counts: Iterable[str] | None = None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The headline figures a like-with-like comparison sets side by side.

    :func:`headline_figures`, less — when ``counts`` names kinds — the clusters
    whose headline covers another perimeter (:func:`other_perimeters` lists
    them). With ``counts=None`` (kinds mixed) every headline is kept, its
    ``scope`` saying what it covers. The ranking ranks these figures and the
    rating's percentiles are taken over them. ``columns`` as for
    :func:`headline_figures` (``scope`` is always among them).
    """
    if columns is not None and "scope" not in columns:
        columns = (*columns, "scope")
    heads = headline_figures(clusters, by=by, counts=counts, columns=columns)
    if counts is None:
        return heads
    usual = _usual_perimeter(heads)
    return heads if usual.all() else heads[usual]


def position_statement(ranking: pd.DataFrame, cluster_id: str, by: str) -> str:
    """One line saying where a cluster stands in a ranking, with its figure's source.

    The ranking must be complete (not cut with ``top``) for "of N" to be right.
    """
    _check_measure(by)
    label = in_sentence(MEASURES[by])
    row = ranking[ranking["cluster_id"] == cluster_id]
    if row.empty:
        return _(
            "{cluster} has no {measure} figure in this selection, so it is not ranked."
        ).format(cluster=cluster_id, measure=label)
    r = row.iloc[0]
    tie = " " + _("(tied)") if bool(r["tied"]) else ""
    cats = ranking["counts_what"].unique()
    if len(cats) > 1:
        scope = " " + _("(mixed kinds of figures)")
    elif r["counts_what"] == "unspecified":
        scope = " " + _("(figures that do not say what they count)")
    else:
        scope = " " + _("counting {kinds}").format(kinds=in_sentence(COUNTS_WHAT[r["counts_what"]]))
    return _(
        "{cluster} ranks {rank}{tied} of {n} clusters by {measure}{scope}: {figure} "
        "({year}, {source})."
    ).format(
        cluster=r["cluster_name"],
        rank=ordinal(int(r["rank"])),
        tied=tie,
        n=fmt_int(len(ranking)),
        measure=label,
        scope=scope,
        figure=r["display"],
        year=year_text(r["year"]),
        source=r["source_title"],
    )


def kind_label(kind: str) -> str:
    """A kind's label in quotes, as the "Counts" column shows it: ``“Network members”``."""
    return _("“{kind}”").format(kind=COUNTS_WHAT.get(kind, kind))


def listing(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (in the active language)."""
    return and_list(items)


def mixed_kinds_caveat(kinds: Iterable[str]) -> str:
    """The caveat for ranked rows that mix kinds of figures; ``""`` when they do not.

    Names only the kinds present in ``kinds`` (e.g. a ranking's ``counts_what``).
    """
    present = set(kinds)
    if len(present) < 2:
        return ""
    ordered = [k for k in CATEGORY_PRIORITY if k in present]
    ordered += sorted(str(k) for k in present - set(ordered))
    return _(
        "Mixed kinds of figures: {kinds} figures are ranked together. They count different "
        "things and are not comparable."
    ).format(kinds=listing(kind_label(k) for k in ordered))


def ranked_kind_text(kind: str) -> str:
    """What a like-with-like ranking compares, in one sentence (see :func:`default_kinds`)."""
    if kind == "unspecified":
        return _(
            "This dataset does not say what its figures count; they are ranked together as one "
            "kind (“not stated”)."
        )
    name = in_sentence(COUNTS_WHAT.get(kind, kind))
    if kind == CATEGORY_PRIORITY[0]:
        return _(
            "Only figures that count {kind} are ranked together, so like is compared with like."
        ).format(kind=name)
    first = in_sentence(COUNTS_WHAT[CATEGORY_PRIORITY[0]])
    return _(
        "No figure in this selection counts {first}, so only figures that count {kind} are "
        "ranked together: like is compared with like."
    ).format(first=first, kind=name)
