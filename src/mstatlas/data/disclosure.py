"""Confidentiality of firm figures: primary cell suppression as statistical offices apply it.

A figure built from a firm register -- the employees of a cluster -- is a sum
of single firms' head counts. Published as it is, a sum over one or two firms,
or one that a single firm dominates, tells the reader that firm's own figure.
National statistical offices protect tables of business statistics with two
*primary confidentiality* rules, and this module applies the same two to every
employee figure that leaves a person's session:

* **minimum frequency rule** (threshold rule): a figure needs at least *k*
  contributors, *k* = 3 by default. The contributors of an employee sum are the
  firms whose head count is known -- a cluster of ten firms with employees known
  for two shows a sum of two firms' figures, so it is suppressed. Standard
  threshold of the German statistical offices and the Federal Employment Agency
  (Mindestfallzahlregel, at least 3 cases) and in Eurostat's rules for business
  statistics.
* **dominance rule**, the *(n, k)* rule with n = 1: a figure is suppressed when
  the largest contributor holds more than *p* % of it, *p* = 85 by default
  (Dominanzregel; the (n, k) rule of the ESSnet *Handbook on Statistical
  Disclosure Control*, Hundepool et al.). A cluster with one firm of 900 and
  three of 30 employees would otherwise publish about the large firm's head count.

A suppressed figure is blank and marked ``confidential`` (the ``.`` of German
official tables); the reasons per cluster are returned separately for the
owner's own report and are not meant to travel with the table. Suppressed
figures may be *merged into "other"*: their sum is given as one figure when at
least two of them are combined and the combination passes both rules itself.
No total over all clusters is published next to the table, so a suppressed
figure cannot be recovered by subtraction (no secondary suppression needed).

The rules are judged on three figures per group -- firms with a known head
count, their employees together and the largest head count
(:func:`group_figures`) -- so a table can be protected from its firm rows
(:func:`protect_figures`) or from those figures kept while reading a register
too big for memory (:func:`protect_table`).

Defaults can be changed per deployment: ``MSTATLAS_MIN_FIRMS`` (k, a whole
number, at least 1) and ``MSTATLAS_DOMINANCE`` (p, a percentage above 0 and at
most 100), read by :meth:`DisclosureRules.from_env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from mstatlas.errors import DataError
from mstatlas.i18n import N_, _, fmt_decimal, fmt_int, ngettext

MIN_FIRMS_ENV: Final = "MSTATLAS_MIN_FIRMS"
DOMINANCE_ENV: Final = "MSTATLAS_DOMINANCE"
DEFAULT_MIN_FIRMS: Final = 3
DEFAULT_DOMINANCE: Final = 85.0

#: What a suppressed figure shows in place of its number.
CONFIDENTIAL: Final = "confidential"

Rule = Literal["frequency", "dominance"]

#: One row per suppressed figure: the group (cluster id), the figure, the rule and why.
SUPPRESSED_COLUMNS: Final[tuple[str, ...]] = ("group", "figure", "rule", "reason")

#: Per group, what the rules were checked on (:func:`check_groups`).
CHECK_COLUMNS: Final[tuple[str, ...]] = (
    "group",
    "contributors",
    "total",
    "largest_share",
    "rule",
)


@dataclass(frozen=True)
class DisclosureRules:
    """The two primary confidentiality rules and their parameters.

    Attributes
    ----------
    min_firms : int
        *k* of the minimum frequency rule: a figure needs at least this many
        contributing firms (default 3).
    dominance : float
        *p* of the dominance rule, in percent: a figure is suppressed when one
        firm holds more than this share of it (default 85).
    """

    min_firms: int = DEFAULT_MIN_FIRMS
    dominance: float = DEFAULT_DOMINANCE

    def __post_init__(self) -> None:
        if isinstance(self.min_firms, bool) or int(self.min_firms) != self.min_firms:
            raise ValueError(f"min_firms must be a whole number, got {self.min_firms!r}.")
        if self.min_firms < 1:
            raise ValueError(f"min_firms must be 1 or more, got {self.min_firms}.")
        if not 0 < float(self.dominance) <= 100:
            raise ValueError(
                f"dominance is a percentage above 0 and at most 100, got {self.dominance!r}."
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DisclosureRules:
        """The rules with the deployment's settings (:data:`MIN_FIRMS_ENV`, :data:`DOMINANCE_ENV`).

        Parameters
        ----------
        environ : mapping, optional
            Where to read the settings (default: the process environment).

        Raises
        ------
        DataError
            When a setting is not a number in its range; the message names it.
        """
        env = os.environ if environ is None else environ
        k_text = env.get(MIN_FIRMS_ENV, "").strip()
        p_text = env.get(DOMINANCE_ENV, "").strip().removesuffix("%").strip()
        k = DEFAULT_MIN_FIRMS
        if k_text:
            try:
                k = int(k_text)
            except ValueError:
                k = 0
            if k < 1:
                raise DataError(
                    _(
                        "The setting {min_firms_env}={k_text!r} is not a whole number of 1 or more; set "
                        "it to e.g. {default_min_firms} or unset it."
                    ).format(
                        min_firms_env=MIN_FIRMS_ENV,
                        k_text=k_text,
                        default_min_firms=DEFAULT_MIN_FIRMS,
                    )
                )
        p = DEFAULT_DOMINANCE
        if p_text:
            try:
                p = float(p_text)
            except ValueError:
                p = -1.0
            if not 0 < p <= 100:
                raise DataError(
                    _(
                        "The setting {dominance_env}={value!r} is not a percentage above 0 and at most "
                        "100; set it to e.g. {default_dominance:g} or unset it."
                    ).format(
                        dominance_env=DOMINANCE_ENV,
                        value=env.get(DOMINANCE_ENV),
                        default_dominance=DEFAULT_DOMINANCE,
                    )
                )
        return cls(min_firms=k, dominance=p)

    def describe(self) -> str:
        """The rules in one paragraph, for a report or the methodology."""
        return ngettext(
            "Employee figures are confidential (not shown) when fewer than {k} firm with a "
            "known head count contribute to them (minimum frequency rule) or when one firm "
            "holds more than {share} of them (dominance rule), as statistical offices protect "
            "business statistics.",
            "Employee figures are confidential (not shown) when fewer than {k} firms with a "
            "known head count contribute to them (minimum frequency rule) or when one firm "
            "holds more than {share} of them (dominance rule), as statistical offices protect "
            "business statistics.",
            self.min_firms,
        ).format(k=fmt_int(self.min_firms), share=_percent_text(self.dominance))


#: Per group, what the rules are judged on (:func:`group_figures`): the firms with a
#: known head count, their employees together and the largest head count among them.
FIGURE_COLUMNS: Final[tuple[str, ...]] = ("group", "contributors", "total", "largest")


def group_figures(
    groups: pd.Series | np.ndarray, employees: pd.Series | np.ndarray
) -> pd.DataFrame:
    """Per group, the figures the rules are judged on, from firm rows.

    Parameters
    ----------
    groups : array-like
        Per firm, its group (e.g. a cluster id); missing (None/NA) for firms in
        no group.
    employees : array-like
        Per firm, its head count; missing when unknown (such a firm does not
        contribute to the sum).

    Returns
    -------
    DataFrame
        One row per group (:data:`FIGURE_COLUMNS`, in order of first
        appearance): ``contributors`` (firms with a known head count),
        ``total`` (their employees) and ``largest`` (the largest head count;
        NaN without contributors). A register too big for memory can keep these
        three running figures per group instead of its firm rows.
    """
    g = pd.Series(np.asarray(groups, dtype=object))
    emp = pd.to_numeric(pd.Series(np.asarray(employees, dtype=object)), errors="coerce")
    if len(g) != len(emp):
        raise ValueError(f"groups has {len(g)} values but employees {len(emp)}.")
    frame = pd.DataFrame({"group": g, "employees": emp.astype("float64")})
    frame = frame[frame["group"].notna()]
    by = frame.groupby("group", sort=False)["employees"]
    out = pd.DataFrame(
        {"contributors": by.count(), "total": by.sum(min_count=0), "largest": by.max()}
    )
    out = out.rename_axis("group").reset_index()
    out["contributors"] = out["contributors"].astype("int64")
    return out[list(FIGURE_COLUMNS)]


def check_figures(figures: pd.DataFrame, rules: DisclosureRules | None = None) -> pd.DataFrame:
    """Judge each group's figures (:data:`FIGURE_COLUMNS`) by the rules.

    Parameters
    ----------
    figures : DataFrame
        As :func:`group_figures` returns them.
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.

    Returns
    -------
    DataFrame
        Columns :data:`CHECK_COLUMNS`, see :func:`check_groups`.
    """
    rules = rules or DisclosureRules.from_env()
    out = pd.DataFrame(figures, columns=list(FIGURE_COLUMNS)).reset_index(drop=True)
    total = out["total"].astype("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, 100.0 * out["largest"].astype("float64") / total, np.nan)
    out["total"] = total
    out["largest_share"] = share
    rule = pd.Series(None, index=out.index, dtype="object")
    rule[out["largest_share"] > rules.dominance] = "dominance"
    rule[out["contributors"] < rules.min_firms] = "frequency"  # checked first: it wins
    out["rule"] = rule
    out["contributors"] = out["contributors"].astype("int64")
    return out[list(CHECK_COLUMNS)]


def check_groups(
    groups: pd.Series | np.ndarray,
    employees: pd.Series | np.ndarray,
    rules: DisclosureRules | None = None,
) -> pd.DataFrame:
    """Check each group's employee sum against the rules.

    Parameters
    ----------
    groups, employees : array-like
        Per firm its group and head count, as for :func:`group_figures`.
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.

    Returns
    -------
    DataFrame
        One row per group (columns :data:`CHECK_COLUMNS`, in order of first
        appearance): ``contributors`` (firms with a known head count),
        ``total``, ``largest_share`` (percent; NaN without contributors or when
        the total is 0) and ``rule`` -- ``"frequency"``, ``"dominance"`` or
        missing when the figure may be shown. The frequency rule is checked first.
    """
    return check_figures(group_figures(groups, employees), rules)


def _percent_text(percent: float) -> str:
    """``85`` -> ``"85 %"`` (the number in the active language's notation)."""
    return f"{fmt_decimal(percent, 3)} %"


def _reason(rule: str, contributors: int, rules: DisclosureRules) -> str:
    if rule == "frequency":
        return ngettext(
            "employees are known for {n} firm only, fewer than {k} (minimum frequency rule)",
            "employees are known for {n} firms only, fewer than {k} (minimum frequency rule)",
            contributors,
        ).format(n=fmt_int(contributors), k=fmt_int(rules.min_firms))
    return _("one firm holds more than {share} of the employees (dominance rule)").format(
        share=_percent_text(rules.dominance)
    )


@dataclass(frozen=True)
class OtherFigure:
    """The suppressed figures merged into one "other" figure.

    Attributes
    ----------
    groups : tuple of str
        The groups whose figures it combines (at least two).
    firms : int
        Firms with a known head count in them.
    employees : int
        Their employees together.
    """

    groups: tuple[str, ...]
    firms: int
    employees: int


@dataclass(frozen=True)
class Protected:
    """A table whose employee figures passed the rules, and what was suppressed.

    Attributes
    ----------
    table : DataFrame
        The input table; the figure is missing where suppressed and the column
        ``<figure>_status`` says ``confidential`` there.
    suppressed : DataFrame
        One row per suppressed figure (:data:`SUPPRESSED_COLUMNS`) with the rule
        and the reason -- for the register's owner, not for the shared table.
    other : OtherFigure or None
        The suppressed figures merged, when that combination may be shown.
    rules : DisclosureRules
        The rules applied.
    """

    table: pd.DataFrame
    suppressed: pd.DataFrame
    other: OtherFigure | None
    rules: DisclosureRules

    def public_note(self) -> str:
        """What may travel with the table: how many figures are confidential, and the rules.

        Unlike :meth:`summary` it does not count the figures per rule: in a
        small table that could say which cluster one firm dominates.
        """
        n = len(self.suppressed)
        if n == 0:
            return self.rules.describe()
        lead = ngettext(
            "The employee figure of {n} cluster is confidential.",
            "Employee figures of {n} clusters are confidential.",
            n,
        ).format(n=fmt_int(n))
        return lead + " " + self.rules.describe()

    def summary(self) -> str:
        """What was suppressed by which rule, for the register's owner (not per group)."""
        n = len(self.suppressed)
        if n == 0:
            return _("No employee figure had to be suppressed.") + " " + self.rules.describe()
        by_rule = self.suppressed["rule"].value_counts()
        parts = [
            _(template).format(n=fmt_int(int(by_rule.get(rule, 0))))
            for rule, template in (
                ("frequency", N_("{n} by the minimum frequency rule")),
                ("dominance", N_("{n} by the dominance rule")),
            )
            if by_rule.get(rule, 0)
        ]
        lead = ngettext(
            "The employee figure of {n} group is confidential ({rules}).",
            "Employee figures of {n} groups are confidential ({rules}).",
            n,
        ).format(n=fmt_int(n), rules=", ".join(parts))
        return lead + " " + self.rules.describe()


def protect_figures(
    table: pd.DataFrame,
    groups: pd.Series | np.ndarray,
    employees: pd.Series | np.ndarray,
    rules: DisclosureRules | None = None,
    *,
    id_column: str = "cluster_id",
    figure: str = "employees",
) -> Protected:
    """Suppress the employee figures of a table that the rules do not allow to show.

    Parameters
    ----------
    table : DataFrame
        One row per group, identified by ``id_column``, with the figure column.
    groups, employees : array-like
        The firm rows the figures were summed from: per firm its group and head
        count (see :func:`check_groups`). The rules are checked on these, not on
        the table, so a figure is judged by the firms behind it.
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.
    id_column, figure : str
        The table's group id and figure columns.

    Returns
    -------
    Protected
        The table with suppressed figures blanked, the list of what was
        suppressed and why, and the merged "other" figure where allowed. A group
        of the table without any firm behind it has no contributors and is
        suppressed by the frequency rule.
    """
    figures = group_figures(groups, employees)
    return protect_table(table, figures, rules, id_column=id_column, figure=figure)


def protect_table(
    table: pd.DataFrame,
    figures: pd.DataFrame,
    rules: DisclosureRules | None = None,
    *,
    id_column: str = "cluster_id",
    figure: str = "employees",
) -> Protected:
    """:func:`protect_figures` from per-group figures instead of firm rows.

    Parameters
    ----------
    table : DataFrame
        One row per group, identified by ``id_column``, with the figure column.
    figures : DataFrame
        Per group its ``contributors``, ``total`` and ``largest`` head count
        (:data:`FIGURE_COLUMNS`, as :func:`group_figures` gives them or as a
        reader of a register in chunks keeps them).
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.
    id_column, figure : str
        The table's group id and figure columns.

    Returns
    -------
    Protected
        As :func:`protect_figures`.
    """
    rules = rules or DisclosureRules.from_env()
    checks = check_figures(figures, rules).set_index("group")
    ids = table[id_column].astype(object)
    rule = ids.map(checks["rule"]).where(ids.isin(checks.index), "frequency")
    contributors = ids.map(checks["contributors"]).fillna(0).astype("int64")
    hit = rule.notna().to_numpy()
    out = table.copy()
    out[figure] = out[figure].astype("Float64").where(~hit, pd.NA)
    if pd.api.types.is_integer_dtype(table[figure].dtype):
        out[figure] = out[figure].round().astype("Int64")
    out[f"{figure}_status"] = pd.Series(pd.NA, index=out.index, dtype="string").mask(
        hit, CONFIDENTIAL
    )
    suppressed = pd.DataFrame(
        {
            "group": ids[hit].to_numpy(),
            "figure": figure,
            "rule": rule[hit].to_numpy(),
            "reason": [
                _reason(r, int(c), rules)
                for r, c in zip(rule[hit].tolist(), contributors[hit].tolist())
            ],
        },
        columns=list(SUPPRESSED_COLUMNS),
    )
    other = _other(suppressed["group"].tolist(), figures, rules)
    return Protected(out, suppressed, other, rules)


def _other(
    hidden: list[object], figures: pd.DataFrame, rules: DisclosureRules
) -> OtherFigure | None:
    """The suppressed groups' figures as one, if at least two combine into a safe figure."""
    if len(hidden) < 2:
        return None
    inside = figures[figures["group"].isin(hidden)]
    merged = pd.DataFrame(
        {
            "group": ["other"],
            "contributors": [int(inside["contributors"].sum())],
            "total": [float(inside["total"].astype("float64").sum())],
            "largest": [inside["largest"].astype("float64").max()],
        }
    )
    check = check_figures(merged, rules)
    if check["rule"].notna().any():
        return None
    return OtherFigure(
        groups=tuple(str(g) for g in hidden),
        firms=int(merged["contributors"].iloc[0]),
        employees=int(round(float(merged["total"].iloc[0]))),
    )
