"""A transparent star rating, in the spirit of the European Cluster Observatory.

Each star is computed over the *comparable set in view*: the headline figures of
one kind (as :func:`~mstatlas.analysis.ranking.rank_clusters` builds them) of the
clusters in the table passed in. Every star carries its explanation: the rows
used, the value, the set size, the percentile and the threshold, enough to
recompute it by hand.

Percentile rank (ties share it)::

    percentile = 100 × (clusters in the set with a value ≤ this value) / (set size)

Stars
-----
size
    The cluster's employees figure is at or above the ``size_pct`` percentile.
critical mass
    Its firms figure is at or above the ``mass_pct`` percentile.
momentum
    The compound annual growth of its headline series
    (:func:`mstatlas.analysis.growth.cluster_growth`: same kind, same scope,
    earliest to latest year) is above ``momentum_cagr``; employees, or firms when
    there is no employees series.
specialisation
    Only where the table gives ``region_employment``: location quotient
    LQ = (employees / region employment) / (Σ employees / Σ region employment)
    over the clusters of the set that have both; star when LQ ≥ ``lq``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from mstatlas.analysis._kinds import Kinds, kinds_phrase, resolve_kinds
from mstatlas.analysis.growth import cluster_growth
from mstatlas.analysis.provenance import with_article, year_text
from mstatlas.analysis.ranking import (
    LIKE_WITH_LIKE,
    comparable_headlines,
    format_figure,
)
from mstatlas.data.schema import COUNTS_WHAT

StarName = Literal["size", "mass", "momentum", "lq"]

#: The stars, in display order, with their names on the page.
STARS: dict[StarName, str] = {
    "size": "Size",
    "mass": "Critical mass",
    "momentum": "Momentum",
    "lq": "Specialisation",
}

RATING_METHOD = (
    "Stars are computed over the clusters in view, from each cluster's headline figure of the "
    "kinds compared (the figure the ranking uses). Percentile = 100 × (clusters with a value "
    "at or below this one) ÷ (clusters with a value); ties share it. Size ★: employees at or "
    "above the size percentile. Critical mass ★: firms at or above the mass percentile. "
    "Momentum ★: compound annual growth above the threshold between the earliest and latest "
    "figure of one kind and scope (employees, or firms when there is no employees series). "
    "Specialisation ★ (only when the data give the region's total employment): location "
    "quotient (employees ÷ region employment) ÷ (the same ratio summed over the clusters "
    "that have both) at or above the threshold. Percentile stars need a minimum number of "
    "clusters with a figure. Approximate figures and bounds are compared at their stated "
    "value, and the explanation says so."
)

_QUALIFIER_WORDS: dict[str, str] = {
    "about": "approximate",
    "more_than": "a lower bound",
    "at_least": "a lower bound",
    "up_to": "an upper bound",
}


@dataclass(frozen=True)
class RatingThresholds:
    """Thresholds of the star rating (editable on the page).

    Attributes
    ----------
    size_pct, mass_pct : float
        Percentile (0 to 100) an employees / firms figure must reach.
    momentum_cagr : float
        Compound annual growth, as a fraction (0.05 = 5 % a year; -1 or more),
        that momentum must be strictly above.
    lq : float
        Location quotient needed for the specialisation star (0 or more).
    min_set : int
        Fewest clusters with a figure for a percentile (or LQ) star to be given.
    """

    size_pct: float = 75.0
    mass_pct: float = 75.0
    momentum_cagr: float = 0.0
    lq: float = 2.0
    min_set: int = 3

    def __post_init__(self) -> None:
        for name in ("size_pct", "mass_pct"):
            p = getattr(self, name)
            if not isinstance(p, int | float) or not 0 <= p <= 100:
                raise ValueError(f"{name} must be a percentile from 0 to 100, got {p!r}.")
        g = self.momentum_cagr
        if not isinstance(g, int | float) or not math.isfinite(g) or g < -1:
            raise ValueError(
                "momentum_cagr must be a yearly growth of -1 or more "
                f"(e.g. 0.05 for 5 % a year), got {g!r}."
            )
        if not isinstance(self.lq, int | float) or not math.isfinite(self.lq) or self.lq < 0:
            raise ValueError(f"lq must be a location quotient of 0 or more, got {self.lq!r}.")
        m = self.min_set
        if isinstance(m, bool) or not isinstance(m, int) or m < 1:
            raise ValueError(f"min_set must be a whole number of clusters, 1 or more, got {m!r}.")


@dataclass(frozen=True)
class StarExplanation:
    """Why a cluster has a star or not.

    Attributes
    ----------
    star : {"size", "mass", "momentum", "lq"}
    awarded : bool or None
        ``None`` when the star cannot be computed (no region employment in the data).
    rows : tuple of int
        Index labels, in the cluster table, of the figures used.
    text : str
        The "explain this value" sentence.
    """

    star: StarName
    awarded: bool | None
    rows: tuple[int, ...]
    text: str


RATING_COLUMNS: tuple[str, ...] = (
    "cluster_id", "cluster_name",
    "size_value", "size_display", "size_year", "size_row", "size_n", "size_pct", "size_star",
    "mass_value", "mass_display", "mass_year", "mass_row", "mass_n", "mass_pct", "mass_star",
    "momentum_cagr", "momentum_measure", "momentum_start_year", "momentum_end_year",
    "momentum_rows", "momentum_star",
    "region_employment", "lq", "lq_star",
    "stars", "explain",
)  # fmt: skip


def percentile_ranks(values: Iterable[float]) -> np.ndarray:
    """Percentile rank of each value in its set: 100 × (values ≤ it) / (set size).

    Ties share the percentile; the largest value is at 100.

    >>> percentile_ranks([10, 20, 20, 40]).tolist()
    [25.0, 75.0, 75.0, 100.0]
    """
    v = np.asarray(list(values), dtype=float)
    if v.size == 0:
        return v
    at_or_below = np.searchsorted(np.sort(v), v, side="right")
    return 100.0 * at_or_below / v.size


def _number(x: float) -> str:
    """``90`` or ``66.7``: whole numbers without decimals."""
    return f"{x:g}" if float(x).is_integer() else f"{x:.1f}"


def _years(n: int) -> str:
    return f"{n} year" if n == 1 else f"{n} years"


def _mark(awarded: bool | None) -> str:
    return "★" if awarded else "☆"


def _qualifier_note(display: str, qualifier: str) -> str:
    if not qualifier:
        return ""
    return (
        f" The figure is {_QUALIFIER_WORDS.get(qualifier, 'not exact')} ({display}); "
        "it is compared at its stated value."
    )


def _percentile_columns(prefix: str, part: pd.DataFrame, ids: list[str]) -> dict[str, Any]:
    """The ``size_*`` or ``mass_*`` columns of :func:`rate_clusters`, in the order of ``ids``.

    ``part`` holds the comparable set, one row per cluster with a figure (its size is ``n``).
    """
    n = len(part)
    part = part.reindex(ids)
    return {
        f"{prefix}_value": part["value"].astype(float).to_numpy(),
        f"{prefix}_display": part["display"].fillna("").to_numpy(),
        f"{prefix}_year": pd.array(part["year"].to_numpy(), dtype="Int64"),
        f"{prefix}_row": pd.array(part["row"].to_numpy(), dtype="Int64"),
        f"{prefix}_n": n,
        f"{prefix}_pct": part["pct"].astype(float).to_numpy(),
        f"{prefix}_star": part["star"].fillna(False).astype(bool).to_numpy(),
    }


def _figure_ref(h: Mapping[str, Any]) -> str:
    year = year_text(h["year"])
    source = h["source_title"] if isinstance(h["source_title"], str) else "no source named"
    scope = f", scope: {h['scope']}" if isinstance(h["scope"], str) else ""
    return f"({year}, {source}{scope}, row {h['row']})"


def _percentile_star(
    clusters: pd.DataFrame,
    star: Literal["size", "mass"],
    counts: Kinds,
    need: float,
    min_set: int,
    explain: bool = True,
) -> tuple[pd.DataFrame, dict[str, StarExplanation]]:
    """Headline figure, percentile and star per cluster for the size or mass star."""
    by = "employees" if star == "size" else "firms"
    # the comparable set, as ranked: one kind, the usual perimeter
    heads = comparable_headlines(clusters, by=by, counts=counts).set_index("cluster_id", drop=False)
    n = len(heads)
    enough = n >= min_set
    pct = percentile_ranks(heads["value"]) if enough else np.full(n, np.nan)
    heads = heads.assign(pct=pct, star=enough & (pct >= need), n=n)
    kinds = kinds_phrase(counts)
    set_words = f"{n} cluster{'s' if n != 1 else ''} with {with_article(by + ' figure')} {kinds}"
    label = STARS[star]
    texts: dict[str, StarExplanation] = {}
    for h in heads.to_dict("records") if explain else ():
        cid = h["cluster_id"]
        fig = f"{h['display']} {by} {_figure_ref(h)}"
        if enough:
            below = int(round(h["pct"] * n / 100))
            text = (
                f"{label} {_mark(h['star'])}: {fig} is at percentile {_number(h['pct'])} of "
                f"{set_words}: {below} of them {'has' if below == 1 else 'have'} this figure or less "
                f"(≥ {_number(need)} needed)."
            )
        else:
            text = (
                f"{label} {_mark(False)}: {fig}; only {set_words}, fewer than the {min_set} "
                "needed for a percentile."
            )
        text += _qualifier_note(h["display"], h["qualifier"])
        texts[str(cid)] = StarExplanation(star, bool(h["star"]), (int(h["row"]),), text)
    return heads, texts


def _no_figure(star: StarName, what: str) -> StarExplanation:
    return StarExplanation(star, False, (), f"{STARS[star]} {_mark(False)}: {what}.")


def _growth_text(g: Mapping[str, Any], measure: str, need: float, fallback: str) -> str:
    kind = COUNTS_WHAT.get(g["counts_what"], g["counts_what"]).lower()
    series = f"{kind}, {g['scope']}" if isinstance(g["scope"], str) else kind
    rate = (
        "growth rate not computable from a figure of 0"
        if pd.isna(g["cagr"])
        else f"{g['cagr'] * 100:+.1f} % a year compounded over {_years(int(g['years']))}"
    )
    start = format_figure(g["start_value"], g["start_qualifier"], measure)
    end = format_figure(g["end_value"], g["end_qualifier"], measure)
    text = (
        f"{fallback}{measure} ({series}) from {start} ({int(g['start_year'])}, "
        f"row {g['start_row']}) to {end} ({int(g['end_year'])}, row {g['end_row']}): {rate} "
        f"(more than {_number(need * 100)} % a year needed)."
    )
    if g["caveats"]:
        text += f" Caveats: {g['caveats']}."
    return text


def _pick_growth(
    e: Mapping[str, Any] | None, f: Mapping[str, Any] | None
) -> tuple[str, Mapping[str, Any], str] | None:
    """The growth momentum uses: employees when computable, else firms, else what there is."""
    if e is not None and not pd.isna(e["cagr"]):
        return "employees", e, ""
    if f is not None and not pd.isna(f["cagr"]):
        why = (
            "employees growth is not computable (a figure of 0), so firms: "
            if e is not None
            else "no employees series with figures in two years, so firms: "
        )
        return "firms", f, why
    if e is not None:
        return "employees", e, ""
    if f is not None:
        return "firms", f, "no employees series with figures in two years, so firms: "
    return None


class _Momentum(NamedTuple):
    cagr: float
    measure: str
    start_year: int
    end_year: int
    rows: tuple[int, int]
    star: bool


def _momentum(
    clusters: pd.DataFrame, emp_kinds: Kinds, firm_kinds: Kinds, need: float, explain: bool = True
) -> tuple[dict[str, _Momentum], dict[str, StarExplanation]]:
    """Momentum per cluster: employees growth, else firms growth."""
    emp = {
        g["cluster_id"]: g
        for g in cluster_growth(clusters, "employees", emp_kinds).to_dict("records")
    }
    firms = {
        g["cluster_id"]: g for g in cluster_growth(clusters, "firms", firm_kinds).to_dict("records")
    }
    none = (
        f"no employees or firms series {kinds_phrase(emp_kinds)}"
        if emp_kinds == firm_kinds
        else f"no employees series {kinds_phrase(emp_kinds)} nor firms series "
        f"{kinds_phrase(firm_kinds)}"
    )
    values: dict[str, _Momentum] = {}
    texts: dict[str, StarExplanation] = {}
    for cid in map(str, clusters["cluster_id"].astype(object).unique()):
        picked = _pick_growth(emp.get(cid), firms.get(cid))
        if picked is None:
            if explain:
                texts[cid] = _no_figure("momentum", f"{none} with figures in two different years")
            continue
        measure, g, fallback = picked
        awarded = bool(not pd.isna(g["cagr"]) and g["cagr"] > need)
        rows = (int(g["start_row"]), int(g["end_row"]))
        values[cid] = _Momentum(
            float(g["cagr"]), measure, int(g["start_year"]), int(g["end_year"]), rows, awarded
        )
        if explain:
            text = (
                f"{STARS['momentum']} {_mark(awarded)}: {_growth_text(g, measure, need, fallback)}"
            )
            texts[cid] = StarExplanation("momentum", awarded, rows, text)
    return values, texts


def _momentum_frame(mom: dict[str, _Momentum], ids: list[str]) -> pd.DataFrame:
    """The momentum columns, one row per cluster id (in the order of ``ids``)."""
    got = [mom.get(c) for c in ids]
    return pd.DataFrame(
        {
            "momentum_cagr": [np.nan if m is None else m.cagr for m in got],
            "momentum_measure": [None if m is None else m.measure for m in got],
            "momentum_start_year": pd.array(
                [None if m is None else m.start_year for m in got], dtype="Int64"
            ),
            "momentum_end_year": pd.array(
                [None if m is None else m.end_year for m in got], dtype="Int64"
            ),
            "momentum_rows": [() if m is None else m.rows for m in got],
            "momentum_star": [m is not None and m.star for m in got],
        }
    )


def _region_employment(clusters: pd.DataFrame, heads: pd.DataFrame) -> pd.Series:
    """Region employment per cluster of ``heads``.

    From the employees figure's own row; else the one value the cluster's rows
    agree on; blank when they give none or several.
    """
    own = clusters.loc[heads["row"].to_numpy(), "region_employment"].to_numpy(dtype=object)
    out = pd.Series(own, index=heads.index, dtype="object")
    rows = clusters[clusters["region_employment"].notna().to_numpy(dtype=bool)]
    distinct = rows.groupby(rows["cluster_id"].astype(object).to_numpy())["region_employment"]
    single = distinct.unique()
    for cid in out.index[out.isna()]:
        vals = single.get(cid)
        if vals is not None and len(vals) == 1:
            out[cid] = vals[0]
    return pd.to_numeric(out).astype("Float64")


def _lq_text(
    h: Mapping[str, Any], region: float, lq: float, totals: tuple[float, float, int], need: float
) -> str:
    total_e, total_r, n = totals
    awarded = lq >= need
    return (
        f"{STARS['lq']} {_mark(awarded)}: LQ {lq:.2f} = ({h['display']} employees (row {h['row']}) "
        f"÷ {region:,.0f} region employment) ÷ ({total_e:,.0f} ÷ {total_r:,.0f}, both summed "
        f"over the {n} clusters with both figures) (≥ {_number(need)} needed)."
        + _qualifier_note(h["display"], h["qualifier"])
    )


def _lq(
    clusters: pd.DataFrame, heads: pd.DataFrame, t: RatingThresholds
) -> tuple[pd.DataFrame, dict[str, StarExplanation]]:
    """Location quotient and specialisation star per cluster with an employees headline."""
    if clusters["region_employment"].isna().all():  # the caller explains: none given
        out = pd.DataFrame({"region_employment": np.nan, "lq": np.nan}, index=heads.index)
        out["lq_star"] = pd.array([pd.NA] * len(out), dtype="boolean")
        return out, {}
    region = _region_employment(clusters, heads)
    both = (region.notna() & (region > 0).fillna(False)).to_numpy(dtype=bool)
    n = int(both.sum())
    emp = heads["value"].astype(float)
    totals = (float(emp[both].sum()), float(region[both].sum()), n)
    out = pd.DataFrame({"region_employment": region, "lq": np.nan}, index=heads.index)
    out["lq_star"] = pd.array([pd.NA] * len(out), dtype="boolean")
    texts: dict[str, StarExplanation] = {}
    if clusters["region_employment"].isna().all():
        return out, texts  # the caller explains: the table gives no region employment
    for i, h in enumerate(heads.to_dict("records")):
        cid, row = str(h["cluster_id"]), int(h["row"])
        if not both[i]:
            why = "no region employment for this cluster, so no location quotient"
            texts[cid] = StarExplanation("lq", None, (), f"{STARS['lq']}: {why}.")
        elif n < t.min_set:
            out.loc[cid, "lq_star"] = False
            why = (
                f"only {n} cluster{'s' if n != 1 else ''} with both an employees figure and "
                f"region employment, fewer than the {t.min_set} needed"
            )
            texts[cid] = StarExplanation("lq", False, (row,), f"{STARS['lq']} ☆: {why}.")
        else:
            own_region = float(region.iloc[i])
            lq = (float(h["value"]) / own_region) / (totals[0] / totals[1])
            out.loc[cid, ["lq", "lq_star"]] = [lq, lq >= t.lq]
            text = _lq_text(h, own_region, lq, totals, t.lq)
            texts[cid] = StarExplanation("lq", bool(lq >= t.lq), (row,), text)
    return out, texts


def _lq_unavailable(clusters: pd.DataFrame, counts: Kinds) -> StarExplanation:
    label = STARS["lq"]
    if clusters["region_employment"].isna().all():
        why = "this table gives no region employment (an optional column)"
    else:
        why = f"no employees figure {kinds_phrase(counts)}"
    return StarExplanation("lq", None, (), f"{label}: {why}, so no location quotient.")


def rate_clusters(
    clusters: pd.DataFrame,
    thresholds: RatingThresholds = RatingThresholds(),
    counts: Iterable[str] | str | None = LIKE_WITH_LIKE,
    explain: bool = True,
) -> pd.DataFrame:
    """Star rating of every cluster in the table, with an explanation per star.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table, filtered as in view: the comparable set is the
        headline figures of its clusters.
    thresholds : RatingThresholds
        Percentiles, growth and location quotient needed for each star.
    counts : iterable of str or None
        Kinds of figures compared (as for
        :func:`~mstatlas.analysis.ranking.rank_clusters`); ``None`` mixes all.
    explain : bool
        Build the explanation of every star (default). ``False`` computes the
        same stars without their texts (``explain`` is then ``None``), several
        times faster for large tables, e.g. for map symbols.

    Returns
    -------
    DataFrame
        Columns :data:`RATING_COLUMNS`, one row per cluster of the table in
        file order. ``size_*`` / ``mass_*``: the headline employees / firms
        figure (value, display, year, ``row`` = its index in ``clusters``), the
        set size ``n``, the percentile (blank when the set has fewer than
        ``min_set`` figures) and the star. ``momentum_*``: growth of the headline
        series (``momentum_rows`` = start and end rows). ``lq``/``lq_star`` are
        blank without region employment. ``stars`` counts the stars;
        ``explain`` maps each star name to a :class:`StarExplanation`.
    """
    emp_kinds = resolve_kinds(clusters, counts, "employees")
    firm_kinds = resolve_kinds(clusters, counts, "firms")
    t = thresholds
    size, size_txt = _percentile_star(clusters, "size", emp_kinds, t.size_pct, t.min_set, explain)
    mass, mass_txt = _percentile_star(clusters, "mass", firm_kinds, t.mass_pct, t.min_set, explain)
    mom, mom_txt = _momentum(clusters, emp_kinds, firm_kinds, t.momentum_cagr, explain)
    lq, lq_txt = _lq(clusters, size, t)
    ids = [str(c) for c in clusters["cluster_id"].astype(object).unique()]
    names = clusters.groupby(clusters["cluster_id"].astype(object).to_numpy())["cluster_name"]
    out = pd.DataFrame({"cluster_id": ids, "cluster_name": names.first().reindex(ids).to_numpy()})
    for prefix, part in (("size", size), ("mass", mass)):
        out = out.assign(**_percentile_columns(prefix, part, ids))
    out = out.join(_momentum_frame(mom, ids))
    lq = lq.reindex(ids)
    out["region_employment"] = pd.array(
        lq["region_employment"].to_numpy(dtype=object), dtype="Float64"
    ).astype("Int64")
    out["lq"] = lq["lq"].astype(float).to_numpy()
    out["lq_star"] = pd.array(lq["lq_star"].to_numpy(dtype=object), dtype="boolean")
    out["stars"] = (
        out["size_star"].astype(int) + out["mass_star"].astype(int)
        + out["momentum_star"].astype(int) + out["lq_star"].fillna(False).astype(int)
    )  # fmt: skip
    if not explain:
        out["explain"] = None
        return out[list(RATING_COLUMNS)]
    no_lq = _lq_unavailable(clusters, emp_kinds)
    out["explain"] = [
        {
            "size": size_txt.get(c)
            or _no_figure("size", f"no employees figure {kinds_phrase(emp_kinds)}"),
            "mass": mass_txt.get(c)
            or _no_figure("mass", f"no firms figure {kinds_phrase(firm_kinds)}"),
            "momentum": mom_txt[c],
            "lq": lq_txt.get(c) or no_lq,
        }
        for c in ids
    ]
    return out[list(RATING_COLUMNS)]


def explain_star(row: Mapping[str, object] | pd.Series, star: str) -> str:
    """The "explain this value" sentence for one star of one rated cluster.

    Parameters
    ----------
    row : Series or mapping
        A row of :func:`rate_clusters`.
    star : {"size", "mass", "momentum", "lq"}

    Returns
    -------
    str
        E.g. "Size ★: 2,100 employees (2008, Halterner Zeitung, row 3) is at
        percentile 90 of 10 clusters with an employees figure counting cluster
        firms: 9 of them have this figure or less (≥ 75 needed)."
    """
    if star not in STARS:
        raise ValueError(f"Unknown star {star!r}; choose one of {', '.join(STARS)}.")
    explain = row["explain"]
    if not isinstance(explain, Mapping):
        raise ValueError(
            "This row has no star explanations; pass a row of rate_clusters(explain=True)."
        )
    return str(explain[star].text)
