"""How a reported figure is written for people: its number, its sign, and the
employees-per-firm ratio with why it carries its sign.

Numbers are written in the active language ("2,100" / "2.100"); the qualifier
signs of :data:`mstatlas.data.schema.QUALIFIERS` ("≈ ", "> ") go in front.
"""

from __future__ import annotations

from functools import cache
from typing import Final

import numpy as np
import pandas as pd

from mstatlas.analysis.provenance import and_list
from mstatlas.data.schema import QUALIFIERS
from mstatlas.i18n import N_, _, current_language, decimal_separator

_LOWER, _UPPER = ("more_than", "at_least"), ("up_to",)

#: How the employees-per-firm ratio is stated, shown where the ratio is ranked.
RATIO_RULE = N_(
    "Employees per firm = one source's employee figure ÷ its firm figure (same year and "
    "scope). A bound stays a bound: more than 500 employees ÷ 5 firms is '> 100', 500 "
    "employees ÷ more than 5 firms is '≤ 100'; '≈' when a figure is approximate. When both "
    "figures are bounds the same way, or one is a bound and the other approximate, no ratio is "
    "given."
)


def _qualifier(value: object) -> str:
    """A qualifier as text; blank (None, NA, NaN) is an exact figure, ""."""
    return value if isinstance(value, str) else ""


def _direction(qualifier: str) -> int:
    return 1 if qualifier in _LOWER else -1 if qualifier in _UPPER else 0


def ratio_qualifier(employees_qualifier: str | None, firms_qualifier: str | None) -> str | None:
    """What an employees ÷ firms ratio is, from how its two figures are stated.

    A lower bound of employees (``more_than``/``at_least``) over exact firms is a
    lower bound of the ratio; exact employees over a lower bound of firms is an
    upper bound (``up_to``, shown "≤"); an upper bound of employees gives an upper
    bound, an upper bound of firms a lower bound (``at_least``), and bounds in
    opposite directions (> employees over ≤ firms) a bound too. ``about`` on one or
    both sides of otherwise exact figures gives ``about``.

    Parameters
    ----------
    employees_qualifier, firms_qualifier : str or None
        Keys of :data:`mstatlas.data.schema.QUALIFIERS`; "" or blank for an exact figure.

    Returns
    -------
    str or None
        The ratio's qualifier ("" when exact), or ``None`` when the figures allow
        no statement about the ratio: bounds in the same direction (> 500
        employees over > 5 firms) or a bound with an approximate figure.
    """
    e, f = _qualifier(employees_qualifier), _qualifier(firms_qualifier)
    if e == "about" or f == "about":
        return "about" if {e, f} <= {"", "about"} else None
    de, df = _direction(e), _direction(f)
    if de and de == df:
        return None
    way = de or -df
    if way > 0:
        return "more_than" if e == "more_than" else "at_least"
    return "up_to" if way < 0 else ""


RATIO_QUALIFIERS: dict[tuple[str, str], str | None] = {
    (e, f): ratio_qualifier(e, f) for e in QUALIFIERS for f in QUALIFIERS
}


def _bound_reason(qualifier: str, figure: str) -> str:
    lower = _direction(qualifier) > 0
    if figure == "employee":
        if qualifier == "about":
            return _("the employee figure is approximate")
        return (
            _("the employee figure is a lower bound")
            if lower
            else _("the employee figure is an upper bound")
        )
    if qualifier == "about":
        return _("the firm figure is approximate")
    return (
        _("the firm figure is a lower bound") if lower else _("the firm figure is an upper bound")
    )


def _ratio_reason(eq: str, fq: str) -> str:
    """Why a ratio of figures stated ``eq`` and ``fq`` carries its sign ("" when exact)."""
    q = ratio_qualifier(eq, fq)
    if q is None:
        if _direction(eq) == _direction(fq):
            if _direction(eq) > 0:
                return "; " + _("no ratio: both figures are lower bounds")
            return "; " + _("no ratio: both figures are upper bounds")
        return "; " + _("no ratio: one figure is approximate and the other a bound")
    if not q:
        return ""
    if eq == fq == "about":
        why = _("both figures are approximate")
    else:
        why = and_list(
            _bound_reason(qual, figure) for qual, figure in ((eq, "employee"), (fq, "firm")) if qual
        )
    return "; " + _("'{sign}' because {why}").format(sign=QUALIFIERS[q].strip(), why=why)


@cache
def _ratio_reasons(lang: str) -> dict[tuple[str, str], str]:
    """:func:`_ratio_reason` of every pair of qualifiers, in language ``lang`` (the active one)."""
    return {(e, f): _ratio_reason(e, f) for e in QUALIFIERS for f in QUALIFIERS}


def ratio_basis(
    employees: float | None,
    employees_qualifier: str | None,
    firms: float | None,
    firms_qualifier: str | None,
) -> str:
    """How an employees-per-firm figure was computed and why it carries its sign.

    E.g. ``"> 500 employees ÷ 5 firms; '>' because the employee figure is a lower
    bound"``; for figures that allow no ratio, the reason there is none.
    """
    if employees is None or firms is None or pd.isna(employees) or pd.isna(firms):
        return ""
    return _ratio_bases(
        np.array([float(employees)]),
        np.array([employees_qualifier], dtype=object),
        np.array([float(firms)]),
        np.array([firms_qualifier], dtype=object),
    )[0]


def head_ratio_bases(head: pd.DataFrame) -> list[str]:
    """:func:`ratio_basis` of each headline row."""
    return _ratio_bases(
        head["employees"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        head["employees_qualifier"].to_numpy(dtype=object),
        head["firms"].astype("Float64").to_numpy(dtype=float, na_value=np.nan),
        head["firms_qualifier"].to_numpy(dtype=object),
    )


def _ratio_bases(
    employees: np.ndarray, eq: np.ndarray, firms: np.ndarray, fq: np.ndarray
) -> list[str]:
    """:func:`ratio_basis` for many rows at once (no pandas per value)."""
    eqs = [_qualifier(q) for q in eq]
    fqs = [_qualifier(q) for q in fq]
    emp_txt = format_figures(np.asarray(employees, dtype=float), np.array(eqs, dtype=object))
    firm_txt = format_figures(np.asarray(firms, dtype=float), np.array(fqs, dtype=object), "firms")
    reasons = _ratio_reasons(current_language())
    one_emp, many_emp = _("{figure} employee"), _("{figure} employees")
    one_firm, many_firm = _("{figure} firm"), _("{figure} firms")
    return [
        ""
        if not e or not f
        else (one_emp if e == "1" else many_emp).format(figure=e)
        + " ÷ "
        + (one_firm if f == "1" else many_firm).format(figure=f)
        + reasons.get((a, b), "")
        for e, f, a, b in zip(emp_txt, firm_txt, eqs, fqs)
    ]


def format_figure(value: float | None, qualifier: str = "", by: str = "employees") -> str:
    """Format a figure as people read it: ``≈ 2,100``, ``> 40``, blank for none."""
    if value is None or pd.isna(value):
        return ""
    return format_figures(np.array([float(value)]), np.array([qualifier], dtype=object), by)[0]


def format_figures(values: np.ndarray, qualifiers: np.ndarray, by: str = "employees") -> list[str]:
    """:func:`format_figure` for many figures at once (no pandas per value)."""
    vals = np.asarray(values, dtype=float)
    quals = np.asarray(qualifiers, dtype=object)
    exact = bool((quals == "").all())  # the usual case: no prefix to look up
    prefixes = (
        [""] * len(quals)
        if exact
        else [QUALIFIERS.get(q if isinstance(q, str) else "", "") for q in quals]
    )
    if by == "employees_per_firm":
        out = ["" if v != v else f"{p}{v:,.1f}" for v, p in zip(vals.tolist(), prefixes)]
    elif np.isfinite(vals[~np.isnan(vals)]).all():
        # whole numbers rounded in one go (half to even, as round()), then written
        whole = np.where(np.isnan(vals), 0, np.rint(vals)).astype(np.int64).tolist()
        missing = np.isnan(vals).tolist()
        out = ["" if m else f"{p}{w:,}" for w, m, p in zip(whole, missing, prefixes)]
    else:
        out = ["" if v != v else f"{p}{round(v):,}" for v, p in zip(vals.tolist(), prefixes)]
    return localise_numbers(out)


#: English number separators swapped for German ones ("2,100.5" -> "2.100,5").
_SWAP_SEPARATORS: Final = str.maketrans({",": ".", ".": ","})


def localise_numbers(texts: list[str]) -> list[str]:
    """Numbers written the English way ("2,100.5") in the active language's way.

    Fast for many figures: one character swap per text where the language writes
    "2.100,5" (German), nothing to do in English.
    """
    if decimal_separator() == ".":
        return texts
    return [t.translate(_SWAP_SEPARATORS) for t in texts]


#: A measure after "by", as in "3rd of 10 by firms" or "Largest MST clusters by employees".
BY_MEASURE: Final[dict[str, str]] = {
    "employees": N_("by employees"),
    "firms": N_("by firms"),
    "employees_per_firm": N_("by employees per firm"),
}


def by_measure(by: str) -> str:
    """``"by employees"`` (``"nach Beschäftigten"``) for a key of ``MEASURES``."""
    return _(BY_MEASURE[by]) if by in BY_MEASURE else by
