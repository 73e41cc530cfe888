"""How the star rating explains itself: each star's sentence, written from its figures.

Private to :mod:`mstatlas.analysis.rating`, which re-exports :data:`STARS` and
:class:`StarExplanation`; the rating writes these sentences only for the clusters
whose explanation is read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import pandas as pd

from mstatlas.analysis._kinds import Kinds, kinds_phrase
from mstatlas.analysis.provenance import with_article, year_text
from mstatlas.analysis.ranking import format_figure
from mstatlas.data.schema import COUNTS_WHAT

StarName = Literal["size", "mass", "momentum", "lq"]

#: The stars, in display order, with their names on the page.
STARS: dict[StarName, str] = {
    "size": "Size",
    "mass": "Critical mass",
    "momentum": "Momentum",
    "lq": "Specialisation",
}

QUALIFIER_WORDS: dict[str, str] = {
    "about": "approximate",
    "more_than": "a lower bound",
    "at_least": "a lower bound",
    "up_to": "an upper bound",
}


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


def number(x: float) -> str:
    """``90`` or ``66.7``: whole numbers without decimals."""
    return f"{x:g}" if float(x).is_integer() else f"{x:.1f}"


def years_text(n: int) -> str:
    return f"{n} year" if n == 1 else f"{n} years"


def mark(awarded: bool | None) -> str:
    return "★" if awarded else "☆"


def qualifier_note(display: str, qualifier: str) -> str:
    if not qualifier:
        return ""
    return (
        f" The figure is {QUALIFIER_WORDS.get(qualifier, 'not exact')} ({display}); "
        "it is compared at its stated value."
    )


def figure_ref(h: Mapping[str, Any]) -> str:
    year = year_text(h["year"])
    source = h["source_title"] if isinstance(h["source_title"], str) else "no source named"
    scope = f", scope: {h['scope']}" if isinstance(h["scope"], str) else ""
    return f"({year}, {source}{scope}, row {h['row']})"


def percentile_text(
    h: Mapping[str, Any], star: Literal["size", "mass"], counts: Kinds, need: float, min_set: int
) -> StarExplanation:
    """The explanation of one cluster's size or mass star (``h``: its row of the set)."""
    by = "employees" if star == "size" else "firms"
    n = int(h["n"])
    kinds = kinds_phrase(counts)
    set_words = f"{n} cluster{'s' if n != 1 else ''} with {with_article(by + ' figure')} {kinds}"
    label = STARS[star]
    fig = f"{h['display']} {by} {figure_ref(h)}"
    if n >= min_set:
        below = int(round(h["pct"] * n / 100))
        text = (
            f"{label} {mark(h['star'])}: {fig} is at percentile {number(h['pct'])} of "
            f"{set_words}: {below} of them {'has' if below == 1 else 'have'} this figure or less "
            f"(≥ {number(need)} needed)."
        )
    else:
        text = (
            f"{label} {mark(False)}: {fig}; only {set_words}, fewer than the {min_set} "
            "needed for a percentile."
        )
    text += qualifier_note(h["display"], h["qualifier"])
    return StarExplanation(star, bool(h["star"]), (int(h["row"]),), text)


def no_figure(star: StarName, what: str) -> StarExplanation:
    return StarExplanation(star, False, (), f"{STARS[star]} {mark(False)}: {what}.")


def growth_text(g: Mapping[str, Any], measure: str, need: float, fallback: str) -> str:
    kind = COUNTS_WHAT.get(g["counts_what"], g["counts_what"]).lower()
    series = f"{kind}, {g['scope']}" if isinstance(g["scope"], str) else kind
    rate = (
        "growth rate not computable from a figure of 0"
        if pd.isna(g["cagr"])
        else f"{g['cagr'] * 100:+.1f} % a year compounded over {years_text(int(g['years']))}"
    )
    start = format_figure(g["start_value"], g["start_qualifier"], measure)
    end = format_figure(g["end_value"], g["end_qualifier"], measure)
    text = (
        f"{fallback}{measure} ({series}) from {start} ({int(g['start_year'])}, "
        f"row {g['start_row']}) to {end} ({int(g['end_year'])}, row {g['end_row']}): {rate} "
        f"(more than {number(need * 100)} % a year needed)."
    )
    if g["caveats"]:
        text += f" Caveats: {g['caveats']}."
    return text


def pick_growth(
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


def momentum_text(
    e: Mapping[str, Any] | None, f: Mapping[str, Any] | None, none: str, need: float
) -> StarExplanation:
    """The explanation of one cluster's momentum star, from its growth series."""
    picked = pick_growth(e, f)
    if picked is None:
        return no_figure("momentum", f"{none} with figures in two different years")
    measure, g, fallback = picked
    awarded = bool(not pd.isna(g["cagr"]) and g["cagr"] > need)
    rows = (int(g["start_row"]), int(g["end_row"]))
    text = f"{STARS['momentum']} {mark(awarded)}: {growth_text(g, measure, need, fallback)}"
    return StarExplanation("momentum", awarded, rows, text)


def no_series(emp_kinds: Kinds, firm_kinds: Kinds) -> str:
    return (
        f"no employees or firms series {kinds_phrase(emp_kinds)}"
        if emp_kinds == firm_kinds
        else f"no employees series {kinds_phrase(emp_kinds)} nor firms series "
        f"{kinds_phrase(firm_kinds)}"
    )


def lq_text(
    h: Mapping[str, Any], region: float, lq: float, totals: tuple[float, float, int], need: float
) -> str:
    total_e, total_r, n = totals
    awarded = lq >= need
    return (
        f"{STARS['lq']} {mark(awarded)}: LQ {lq:.2f} = ({h['display']} employees (row {h['row']}) "
        f"÷ {region:,.0f} region employment) ÷ ({total_e:,.0f} ÷ {total_r:,.0f}, both summed "
        f"over the {n} clusters with both figures) (≥ {number(need)} needed)."
        + qualifier_note(h["display"], h["qualifier"])
    )


class LqSet(NamedTuple):
    """What the location quotients were computed over (for their explanations)."""

    region: pd.Series  # region employment per cluster id of the employees set
    both: pd.Series  # whether the cluster has both figures
    totals: tuple[float, float, int]  # employees, region employment, clusters with both


def lq_explanation(
    h: Mapping[str, Any], lq_set: LqSet, min_set: int, need: float
) -> StarExplanation:
    """The explanation of one cluster's specialisation star (``h``: its employees headline)."""
    cid, row = h["cluster_id"], int(h["row"])
    n = lq_set.totals[2]
    if not lq_set.both[cid]:
        why = "no region employment for this cluster, so no location quotient"
        return StarExplanation("lq", None, (), f"{STARS['lq']}: {why}.")
    if n < min_set:
        why = (
            f"only {n} cluster{'s' if n != 1 else ''} with both an employees figure and "
            f"region employment, fewer than the {min_set} needed"
        )
        return StarExplanation("lq", False, (row,), f"{STARS['lq']} ☆: {why}.")
    own_region = float(lq_set.region[cid])
    lq = (float(h["value"]) / own_region) / (lq_set.totals[0] / lq_set.totals[1])
    text = lq_text(h, own_region, lq, lq_set.totals, need)
    return StarExplanation("lq", bool(lq >= need), (row,), text)


def lq_unavailable(clusters: pd.DataFrame, counts: Kinds) -> StarExplanation:
    label = STARS["lq"]
    if clusters["region_employment"].isna().all():
        why = "this table gives no region employment (an optional column)"
    else:
        why = f"no employees figure {kinds_phrase(counts)}"
    return StarExplanation("lq", None, (), f"{label}: {why}, so no location quotient.")
