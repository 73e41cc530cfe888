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
from mstatlas.analysis.provenance import in_sentence, year_text
from mstatlas.analysis.ranking import format_figure
from mstatlas.data.schema import COUNTS_WHAT
from mstatlas.i18n import N_, Labels, _, fmt_decimal, fmt_fixed, fmt_int, ngettext

StarName = Literal["size", "mass", "momentum", "lq"]

#: The stars, in display order, with their names on the page (translated when read).
STARS: Mapping[str, str] = Labels(
    {
        "size": N_("Size"),
        "mass": N_("Critical mass"),
        "momentum": N_("Momentum"),
        "lq": N_("Specialisation"),
    }
)

QUALIFIER_WORDS: Mapping[str, str] = Labels(
    {
        "about": N_("approximate"),
        "more_than": N_("a lower bound"),
        "at_least": N_("a lower bound"),
        "up_to": N_("an upper bound"),
    }
)


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
        The "explain this value" sentence, in the language active when it was written.
    """

    star: StarName
    awarded: bool | None
    rows: tuple[int, ...]
    text: str


def number(x: float) -> str:
    """``90`` or ``66.7``: whole numbers without decimals (``66,7`` in German)."""
    return fmt_decimal(float(x), 1)


def years_text(n: int) -> str:
    return ngettext("{n} year", "{n} years", n).format(n=fmt_int(n))


def signed_percent(rate: float) -> str:
    """A yearly growth as "+5.2 %" ("+5,2 %" in German)."""
    v = rate * 100
    return ("+" if v >= 0 else "") + fmt_fixed(v, 1) + " %"


def mark(awarded: bool | None) -> str:
    return "★" if awarded else "☆"


def qualifier_note(display: str, qualifier: str) -> str:
    if not qualifier:
        return ""
    what = QUALIFIER_WORDS[qualifier] if qualifier in QUALIFIER_WORDS else _("not exact")
    return " " + _("The figure is {what} ({display}); it is compared at its stated value.").format(
        what=what, display=display
    )


def figure_ref(h: Mapping[str, Any]) -> str:
    year = year_text(h["year"])
    source = h["source_title"] if isinstance(h["source_title"], str) else _("no source named")
    if isinstance(h["scope"], str):
        return _("({year}, {source}, scope: {scope}, row {row})").format(
            year=year, source=source, scope=h["scope"], row=h["row"]
        )
    return _("({year}, {source}, row {row})").format(year=year, source=source, row=h["row"])


def _set_of(star: str, n: int, kinds: str) -> str:
    """ "10 clusters with an employees figure counting …" (after "percentile 90 of")."""
    if star == "size":
        text = ngettext(
            "{n} cluster with an employees figure {kinds}",
            "{n} clusters with an employees figure {kinds}",
            n,
        )
    else:
        text = ngettext(
            "{n} cluster with a firms figure {kinds}", "{n} clusters with a firms figure {kinds}", n
        )
    return text.format(n=fmt_int(n), kinds=kinds)


def _too_few(star: str, n: int) -> str:
    if star == "size":
        return ngettext(
            "{label} {mark}: {figure}; only {n} cluster with an employees figure {kinds}, "
            "fewer than the {min_set} needed for a percentile.",
            "{label} {mark}: {figure}; only {n} clusters with an employees figure {kinds}, "
            "fewer than the {min_set} needed for a percentile.",
            n,
        )
    return ngettext(
        "{label} {mark}: {figure}; only {n} cluster with a firms figure {kinds}, "
        "fewer than the {min_set} needed for a percentile.",
        "{label} {mark}: {figure}; only {n} clusters with a firms figure {kinds}, "
        "fewer than the {min_set} needed for a percentile.",
        n,
    )


def percentile_text(
    h: Mapping[str, Any], star: Literal["size", "mass"], counts: Kinds, need: float, min_set: int
) -> StarExplanation:
    """The explanation of one cluster's size or mass star (``h``: its row of the set)."""
    n = int(h["n"])
    kinds = kinds_phrase(counts)
    label = STARS[star]
    by = _("{display} employees {ref}") if star == "size" else _("{display} firms {ref}")
    fig = by.format(display=h["display"], ref=figure_ref(h))
    if n >= min_set:
        below = int(round(h["pct"] * n / 100))
        tail = ngettext(
            "{n} of them has this figure or less", "{n} of them have this figure or less", below
        ).format(n=fmt_int(below))
        text = _(
            "{label} {mark}: {figure} is at percentile {pct} of {clusters}: {below} "
            "(≥ {need} needed)."
        ).format(
            label=label,
            mark=mark(h["star"]),
            figure=fig,
            pct=number(h["pct"]),
            clusters=_set_of(star, n, kinds),
            below=tail,
            need=number(need),
        )
    else:
        text = _too_few(star, n).format(
            label=label, mark=mark(False), figure=fig, n=fmt_int(n), kinds=kinds, min_set=min_set
        )
    text += qualifier_note(h["display"], h["qualifier"])
    return StarExplanation(star, bool(h["star"]), (int(h["row"]),), text)


def no_figure(star: StarName, what: str) -> StarExplanation:
    return StarExplanation(star, False, (), f"{STARS[star]} {mark(False)}: {what}.")


def growth_text(g: Mapping[str, Any], measure: str, need: float, fallback: str) -> str:
    kind = in_sentence(COUNTS_WHAT.get(g["counts_what"], g["counts_what"]))
    series = f"{kind}, {g['scope']}" if isinstance(g["scope"], str) else kind
    rate = (
        _("growth rate not computable from a figure of 0")
        if pd.isna(g["cagr"])
        else _("{rate} a year compounded over {years}").format(
            rate=signed_percent(g["cagr"]), years=years_text(int(g["years"]))
        )
    )
    sentence = (
        _(
            "employees ({series}) from {start} ({start_year}, row {start_row}) to {end} "
            "({end_year}, row {end_row}): {rate} (more than {need} % a year needed)."
        )
        if measure == "employees"
        else _(
            "firms ({series}) from {start} ({start_year}, row {start_row}) to {end} "
            "({end_year}, row {end_row}): {rate} (more than {need} % a year needed)."
        )
    )
    text = fallback + sentence.format(
        series=series,
        start=format_figure(g["start_value"], g["start_qualifier"], measure),
        start_year=int(g["start_year"]),
        start_row=g["start_row"],
        end=format_figure(g["end_value"], g["end_qualifier"], measure),
        end_year=int(g["end_year"]),
        end_row=g["end_row"],
        rate=rate,
        need=number(need * 100),
    )
    if g["caveats"]:
        text += " " + _("Caveats: {caveats}.").format(caveats=g["caveats"])
    return text


def pick_growth(
    e: Mapping[str, Any] | None, f: Mapping[str, Any] | None
) -> tuple[str, Mapping[str, Any], str] | None:
    """The growth momentum uses: employees when computable, else firms, else what there is."""
    no_employees = _("no employees series with figures in two years, so firms: ")
    if e is not None and not pd.isna(e["cagr"]):
        return "employees", e, ""
    if f is not None and not pd.isna(f["cagr"]):
        why = (
            _("employees growth is not computable (a figure of 0), so firms: ")
            if e is not None
            else no_employees
        )
        return "firms", f, why
    if e is not None:
        return "employees", e, ""
    if f is not None:
        return "firms", f, no_employees
    return None


def momentum_text(
    e: Mapping[str, Any] | None, f: Mapping[str, Any] | None, none: str, need: float
) -> StarExplanation:
    """The explanation of one cluster's momentum star, from its growth series."""
    picked = pick_growth(e, f)
    if picked is None:
        return no_figure(
            "momentum", _("{none} with figures in two different years").format(none=none)
        )
    measure, g, fallback = picked
    awarded = bool(not pd.isna(g["cagr"]) and g["cagr"] > need)
    rows = (int(g["start_row"]), int(g["end_row"]))
    text = f"{STARS['momentum']} {mark(awarded)}: {growth_text(g, measure, need, fallback)}"
    return StarExplanation("momentum", awarded, rows, text)


def no_series(emp_kinds: Kinds, firm_kinds: Kinds) -> str:
    if emp_kinds == firm_kinds:
        return _("no employees or firms series {kinds}").format(kinds=kinds_phrase(emp_kinds))
    return _("no employees series {employee_kinds} nor firms series {firm_kinds}").format(
        employee_kinds=kinds_phrase(emp_kinds), firm_kinds=kinds_phrase(firm_kinds)
    )


def no_headline(star: StarName, kinds: Kinds) -> StarExplanation:
    """Size or mass without a figure of the kinds compared."""
    why = (
        _("no employees figure {kinds}") if star == "size" else _("no firms figure {kinds}")
    ).format(kinds=kinds_phrase(kinds))
    return no_figure(star, why)


def lq_text(
    h: Mapping[str, Any], region: float, lq: float, totals: tuple[float, float, int], need: float
) -> str:
    total_e, total_r, n = totals
    awarded = lq >= need
    return _(
        "{label} {mark}: LQ {lq} = ({employees} employees (row {row}) ÷ {region} region "
        "employment) ÷ ({total_employees} ÷ {total_region}, both summed over the {n} clusters "
        "with both figures) (≥ {need} needed)."
    ).format(
        label=STARS["lq"],
        mark=mark(awarded),
        lq=fmt_fixed(lq, 2),
        employees=h["display"],
        row=h["row"],
        region=fmt_int(region),
        total_employees=fmt_int(total_e),
        total_region=fmt_int(total_r),
        n=fmt_int(n),
        need=number(need),
    ) + qualifier_note(h["display"], h["qualifier"])


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
        why = _("no region employment for this cluster, so no location quotient")
        return StarExplanation("lq", None, (), f"{STARS['lq']}: {why}.")
    if n < min_set:
        why = ngettext(
            "only {n} cluster with both an employees figure and region employment, fewer than "
            "the {min_set} needed",
            "only {n} clusters with both an employees figure and region employment, fewer than "
            "the {min_set} needed",
            n,
        ).format(n=fmt_int(n), min_set=min_set)
        return StarExplanation("lq", False, (row,), f"{STARS['lq']} ☆: {why}.")
    own_region = float(lq_set.region[cid])
    lq = (float(h["value"]) / own_region) / (lq_set.totals[0] / lq_set.totals[1])
    text = lq_text(h, own_region, lq, lq_set.totals, need)
    return StarExplanation("lq", bool(lq >= need), (row,), text)


def lq_unavailable(clusters: pd.DataFrame, counts: Kinds) -> StarExplanation:
    label = STARS["lq"]
    if clusters["region_employment"].isna().all():
        why = _("this table gives no region employment (an optional column)")
    else:
        why = _("no employees figure {kinds}").format(kinds=kinds_phrase(counts))
    text = _("{label}: {why}, so no location quotient.").format(label=label, why=why)
    return StarExplanation("lq", None, (), text)
