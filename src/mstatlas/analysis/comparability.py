"""Whether two reported figures can be compared, and if not, why (in plain words).

Two figures are comparable when they count the same kind of thing
(``counts_what``) over the same perimeter (``scope``), date from years at most
:data:`MAX_YEAR_GAP` apart, and are stated the same way (both exact, or both
with the same qualifier). Every other pair gets one short reason per problem,
written for policymakers; the reasons (short, no full stop, so they can be
joined with "; ") are shown next to the comparison; the figures are still shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mstatlas.analysis.figure_text import localise_numbers
from mstatlas.analysis.provenance import in_sentence
from mstatlas.data.schema import COUNTS_WHAT
from mstatlas.i18n import N_, Labels, _

#: Figures whose years are further apart than this are not compared without a warning.
MAX_YEAR_GAP = 3

#: How a qualifier reads in a sentence, and what it makes the figure.
_QUALIFIER_WORDS: dict[str, tuple[str, str]] = {
    "about": (N_("about"), N_("approximate")),
    "more_than": (N_("more than"), N_("a lower bound")),
    "at_least": (N_("at least"), N_("a lower bound")),
    "up_to": (N_("up to"), N_("an upper bound")),
}


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value).strip()


def _name(figure: Mapping[str, Any]) -> str:
    return _text(figure.get("cluster_name")) or _text(figure.get("cluster_id")) or _("one cluster")


def _possessive(figure: Mapping[str, Any]) -> str:
    """``Dortmund's``, ``Oulu microelectronics'`` (``die von Dortmund`` in German)."""
    name = _name(figure)
    return (_("{name}'") if name.endswith("s") else _("{name}'s")).format(name=name)


def _figure_of(figure: Mapping[str, Any]) -> str:
    """``Dortmund's figure``, ``Oulu microelectronics' figure`` (``Die Zahl von Dortmund``)."""
    name = _name(figure)
    return (_("{name}' figure") if name.endswith("s") else _("{name}'s figure")).format(name=name)


def _kind_label(kind: Any) -> str:
    key = _text(kind) or "unspecified"
    return in_sentence(COUNTS_WHAT.get(key, key))


def _number(value: Any) -> str:
    if _blank(value):
        return ""
    v = float(value)
    return localise_numbers([f"{round(v):,}" if v == round(v) else f"{v:,.1f}"])[0]


def _kind_reason(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    ka = _text(a.get("counts_what")) or "unspecified"
    kb = _text(b.get("counts_what")) or "unspecified"
    if ka == kb:
        return None
    return _("Different kinds of figure: {a_figure} counts {a_kind}, {b_s} {b_kind}").format(
        a_figure=_figure_of(a), a_kind=_kind_label(ka), b_s=_possessive(b), b_kind=_kind_label(kb)
    )


def _scope_reason(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    sa, sb = _text(a.get("scope")), _text(b.get("scope"))
    if sa.casefold() == sb.casefold():
        return None
    usual = _("the cluster's usual perimeter")
    da = _("'{scope}'").format(scope=sa) if sa else usual
    db = _("'{scope}'").format(scope=sb) if sb else usual
    return _("Different perimeters: {a_figure} covers {a_scope}, {b_s} {b_scope}").format(
        a_figure=_figure_of(a), a_scope=da, b_s=_possessive(b), b_scope=db
    )


def _year(figure: Mapping[str, Any]) -> int | None:
    year = figure.get("year")
    return None if year is None or _blank(year) else int(year)


def _year_reason(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    ya, yb = _year(a), _year(b)
    if ya is None and yb is None:
        return _("Neither figure has a year, so they may be far apart in time")
    if ya is None or yb is None:
        undated, dated = (a, b) if ya is None else (b, a)
        year = ya if yb is None else yb
        return _("{a_figure} has no year; {b_s} is from {year}").format(
            a_figure=_figure_of(undated), b_s=_possessive(dated), year=year
        )
    gap = abs(ya - yb)
    if gap <= MAX_YEAR_GAP:
        return None
    return _("Years {gap} apart: {a} {a_year}, {b} {b_year}").format(
        gap=gap, a=_name(a), a_year=ya, b=_name(b), b_year=yb
    )


def _stated(figure: Mapping[str, Any]) -> str:
    """``stated 'more than 40' (a lower bound)``; ``stated as a lower bound`` without a value."""
    qualifier = _text(figure.get("qualifier"))
    if qualifier in _QUALIFIER_WORDS:
        words, nature = (_(w) for w in _QUALIFIER_WORDS[qualifier])
    else:
        words, nature = qualifier, _("not exact")
    number = _number(figure.get("value"))
    if number:
        return _("stated '{words} {number}' ({nature})").format(
            words=words, number=number, nature=nature
        )
    return _("stated as {nature}").format(nature=nature)


def _qualifier_reason(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    qa, qb = _text(a.get("qualifier")), _text(b.get("qualifier"))
    if qa == qb:
        return None
    if not qa or not qb:
        inexact, exact = (a, b) if qa else (b, a)
        return _("{a_figure} is {a_stated}, {b_s} exactly").format(
            a_figure=_figure_of(inexact), a_stated=_stated(inexact), b_s=_possessive(exact)
        )
    return _("{a_figure} is {a_stated}, {b_s} {b_stated}").format(
        a_figure=_figure_of(a), a_stated=_stated(a), b_s=_possessive(b), b_stated=_stated(b)
    )


def pair_warnings(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Reasons why two reported figures are not comparable; empty when they are.

    Parameters
    ----------
    a, b : mapping
        One figure each (a row of a figure table as a dict or Series) with the
        keys ``counts_what``, ``scope`` (blank = the cluster's usual perimeter),
        ``year`` (int or blank), ``qualifier`` (``""`` exact, ``about``,
        ``more_than``, ``at_least``, ``up_to``) and ``cluster_name``; an
        optional ``value`` is quoted in the qualifier reason.

    Returns
    -------
    list of str
        In this order, each when it applies: different kinds of figure (named
        with the labels of :data:`mstatlas.data.schema.COUNTS_WHAT`); different
        perimeters (only checked for figures of the same kind, as a blank scope
        means the usual perimeter *for that kind*); years more than
        :data:`MAX_YEAR_GAP` apart or a figure without a year; an approximate or
        bound figure against an exact one, or two different qualifiers.

    Examples
    --------
    >>> pair_warnings(
    ...     {"cluster_name": "Dortmund", "counts_what": "cluster_firms", "year": 2007,
    ...      "qualifier": "more_than", "value": 40},
    ...     {"cluster_name": "Twente", "counts_what": "cluster_firms", "year": 2008,
    ...      "qualifier": ""},
    ... )
    ["Dortmund's figure is stated 'more than 40' (a lower bound), Twente's exactly"]
    """
    kind = _kind_reason(a, b)
    reasons = [kind, None if kind else _scope_reason(a, b), _year_reason(a, b)]
    reasons.append(_qualifier_reason(a, b))
    return [r for r in reasons if r]


#: Short names of the conditions :func:`pair_warnings` checks, in its order.
ISSUES: Mapping[str, str] = Labels(
    {
        "kind": N_("different kinds"),
        "scope": N_("different perimeters"),
        "years": N_("years apart or undated"),
        "stated": N_("stated differently"),
    }
)


def pair_issues(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """Which conditions of :func:`pair_warnings` two figures fail, as keys of :data:`ISSUES`.

    Empty when the figures are comparable; the same checks as
    :func:`pair_warnings`, for a grid that shows every pair at a glance.
    """
    kind = _kind_reason(a, b)
    checks = {
        "kind": kind,
        "scope": None if kind else _scope_reason(a, b),
        "years": _year_reason(a, b),
        "stated": _qualifier_reason(a, b),
    }
    return [k for k, reason in checks.items() if reason]
