"""What the firms of a group do: technology (or market) mix, specialisation, largest firms.

Works on any grouping of a firm register -- clusters detected from locations
(:mod:`mstatlas.analysis.detect`) or the grouping by city -- given per firm
its group (missing for firms in no group).

Location quotient (specialisation): for a group *g* and a technology *t*,
``LQ = (firms of g with t / firms of g with a known technology) /
(firms of the register with t / firms of the register with a known technology)``.
The register is every firm given, grouped or not; firms without a technology
count in neither share. LQ > 1: the technology is more common in the group
than in the register; 1: as common; < 1: less. Counted in firms, not
employees, so it needs no head counts and reveals none.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from mstatlas.i18n import N_, _

#: Long table of a mix: one row per group and value present.
MIX_COLUMNS: Final[tuple[str, ...]] = (
    "group",
    "value",
    "firms",
    "group_firms",
    "share",
    "register_firms",
    "register_share",
    "lq",
)

#: Largest firms of each group (:func:`largest_firms`).
LARGEST_COLUMNS: Final[tuple[str, ...]] = ("group", "rank", "name", "size_class", "employees")

#: Size classes by head count (EU SME definition, Recommendation 2003/361/EC): upper bound, name.
SIZE_CLASSES: Final[tuple[tuple[float, str], ...]] = (
    (10, N_("micro (under 10)")),
    (50, N_("small (10–49)")),
    (250, N_("medium (50–249)")),
    (float("inf"), N_("large (250 or more)")),
)

MIX_METHOD: Final = N_(
    "Mix = firms of the group per value (blank values left out); share = those firms ÷ the "
    "group's firms with a value. Location quotient = the group's share ÷ the same share over "
    "the whole register (every firm, grouped or not): above 1 the group specialises in it."
)


def _texts(values: pd.Series | np.ndarray | None, n: int) -> pd.Series:
    """Trimmed text per firm; blank and missing as NA."""
    if values is None:
        return pd.Series(pd.NA, index=range(n), dtype="string")
    s = pd.Series(np.asarray(values, dtype=object)).astype("string").str.strip()
    return s.mask(s == "")


def _value_codes(values: pd.Series | np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per firm the code of its trimmed text (-1: blank or missing), and the texts.

    Only the distinct texts are trimmed (hundreds, not one per firm), then the
    codes of texts that trim to the same are merged.
    """
    raw_codes, raw = pd.factorize(np.asarray(values, dtype=object))
    if len(raw_codes) != n:
        raise ValueError(f"groups has {n} values but values {len(raw_codes)}.")
    if len(raw) == 0:  # no text at all
        return np.full(n, -1, dtype=np.int64), np.empty(0, dtype=object)
    trimmed = np.asarray([str(v).strip() for v in raw], dtype=object)
    codes_of_raw, texts = pd.factorize(trimmed)
    blank = np.flatnonzero(np.asarray(texts, dtype=object) == "")
    codes_of_raw = codes_of_raw.astype(np.int64)
    if len(blank):
        codes_of_raw[codes_of_raw == blank[0]] = -1
    codes = np.where(raw_codes >= 0, codes_of_raw[raw_codes], -1)
    return codes, np.asarray(texts, dtype=object)


def group_counts(
    groups: pd.Series | np.ndarray, values: pd.Series | np.ndarray | None
) -> pd.DataFrame:
    """Firms per group and value.

    Parameters
    ----------
    groups : array-like
        Per firm, its group; missing for firms in no group.
    values : array-like or None
        Per firm, a text (technology, market, city); trimmed, and blank or
        missing values are left out. ``None``: no such column (an empty table).

    Returns
    -------
    DataFrame
        Columns ``group``, ``value``, ``firms``; groups in order of first
        appearance, within a group most firms first, then by value.
    """
    group_codes, group_names = pd.factorize(np.asarray(groups, dtype=object))
    empty = pd.DataFrame({"group": [], "value": [], "firms": []}).astype(
        {"group": object, "value": object, "firms": "int64"}
    )
    if values is None:
        return empty
    codes, texts = _value_codes(values, len(group_codes))
    ok = (group_codes >= 0) & (codes >= 0)
    if not ok.any():
        return empty
    pair = group_codes[ok].astype(np.int64) * len(texts) + codes[ok]
    uniq, count = np.unique(pair, return_counts=True)
    g, v = uniq // len(texts), uniq % len(texts)
    alphabetical = np.empty(len(texts), dtype=np.int64)
    alphabetical[sorted(range(len(texts)), key=lambda k: str(texts[k]))] = np.arange(len(texts))
    order = np.lexsort((alphabetical[v], -count, g))
    return pd.DataFrame(
        {
            "group": np.asarray(group_names, dtype=object)[g[order]],
            "value": texts[v[order]],
            "firms": count[order].astype("int64"),
        }
    )


def mix_text(counts: pd.DataFrame) -> pd.Series:
    """``"MEMS 2, optics 1"`` per group from :func:`group_counts` (same order)."""
    if counts.empty:
        return pd.Series(dtype="string")
    parts = counts["value"].astype(str) + " " + counts["firms"].astype(str)
    return parts.groupby(counts["group"], sort=False).agg(", ".join).astype("string")


def mix_table(
    firms: pd.DataFrame, groups: pd.Series | np.ndarray, column: str = "technology"
) -> pd.DataFrame:
    """Each group's mix of a column and the location quotient of every value.

    Parameters
    ----------
    firms : DataFrame
        The whole firm register (it defines the register shares).
    groups : array-like
        Per firm (same order as ``firms``), its group; missing for none.
    column : str
        The text column to mix: ``"technology"``, or ``"market"`` when the
        register has one. A column the register lacks gives an empty table.

    Returns
    -------
    DataFrame
        Columns :data:`MIX_COLUMNS`: per group and value, ``firms``,
        ``group_firms`` (the group's firms with a value), ``share``,
        ``register_firms`` (firms with this value in the register),
        ``register_share`` and ``lq`` (see the module docstring).
    """
    if len(groups) != len(firms):
        raise ValueError(f"groups has {len(groups)} values but the register {len(firms)} firms.")
    values = firms[column] if column in firms.columns else None
    counts = group_counts(groups, values)
    if counts.empty:
        return pd.DataFrame({c: [] for c in MIX_COLUMNS})
    codes, texts = _value_codes(values, len(firms))
    per_text = np.bincount(codes[codes >= 0], minlength=len(texts))
    register = pd.Series(per_text, index=texts)
    known_register = float(per_text.sum())
    group_firms = counts.groupby("group", sort=False)["firms"].transform("sum")
    out = counts.assign(
        group_firms=group_firms.astype("int64"),
        share=counts["firms"] / group_firms,
        register_firms=counts["value"].map(register).astype("int64"),
    )
    out["register_share"] = out["register_firms"] / known_register
    out["lq"] = out["share"] / out["register_share"]
    return out[list(MIX_COLUMNS)]


def size_class(employees: pd.Series | np.ndarray) -> pd.Series:
    """The EU size class (:data:`SIZE_CLASSES`) of each head count; NA when unknown."""
    emp = pd.to_numeric(pd.Series(np.asarray(employees, dtype=object)), errors="coerce")
    bounds = [b for b, _name in SIZE_CLASSES]
    names = np.asarray([_(name) for _b, name in SIZE_CLASSES], dtype=object)
    idx = np.searchsorted(bounds, emp.fillna(0).to_numpy(dtype="float64"), side="right")
    out = pd.Series(names[np.minimum(idx, len(names) - 1)], dtype="string")
    return out.mask(emp.isna().to_numpy())


def largest_firms(
    firms: pd.DataFrame,
    groups: pd.Series | np.ndarray,
    top: int = 3,
    *,
    show_employees: bool = False,
) -> pd.DataFrame:
    """The largest firms of each group by employees, without their head counts by default.

    A firm's head count is its own figure: only its EU size class is given
    unless the register's owner states that the head counts may be shown
    (``show_employees=True``, e.g. figures the firms publish themselves).

    Parameters
    ----------
    firms : DataFrame
        The register with ``name`` and ``employees``.
    groups : array-like
        Per firm (same order), its group; missing for none.
    top : int
        Firms per group (at least 1).
    show_employees : bool
        Fill the ``employees`` column; otherwise it stays missing.

    Returns
    -------
    DataFrame
        Columns :data:`LARGEST_COLUMNS`; firms with an unknown head count are
        left out; within a group most employees first, ties by name.
    """
    if top < 1:
        raise ValueError(f"top must be 1 or more, got {top}.")
    if len(groups) != len(firms):
        raise ValueError(f"groups has {len(groups)} values but the register {len(firms)} firms.")
    emp = pd.to_numeric(firms.get("employees"), errors="coerce")
    if emp is None:
        emp = pd.Series(np.nan, index=firms.index)
    frame = pd.DataFrame(
        {
            "group": np.asarray(groups, dtype=object),
            "name": _texts(firms.get("name"), len(firms)).to_numpy(),
            "employees": emp.to_numpy(dtype="float64", na_value=np.nan),
        }
    )
    frame = frame[frame["group"].notna() & frame["employees"].notna()]
    order = {k: i for i, k in enumerate(pd.unique(frame["group"]))}
    frame = frame.assign(_g=frame["group"].map(order)).sort_values(
        ["_g", "employees", "name"], ascending=[True, False, True], kind="mergesort"
    )
    frame["rank"] = frame.groupby("group", sort=False).cumcount() + 1
    frame = frame[frame["rank"] <= top]
    return pd.DataFrame(
        {
            "group": frame["group"].to_numpy(),
            "rank": frame["rank"].to_numpy(dtype="int64"),
            "name": frame["name"].astype("string").to_numpy(),
            "size_class": size_class(frame["employees"]).to_numpy(),
            "employees": pd.array(
                frame["employees"].round() if show_employees else [pd.NA] * len(frame),
                dtype="Int64",
            ),
        },
        columns=list(LARGEST_COLUMNS),
    )
