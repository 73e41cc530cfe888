"""Turn a firm list (one row per firm) into cluster rows (one per city or cluster).

Counting rule: a cluster's firm count is the number of distinct firm rows in
the group; its employee figure is the sum over the firms whose head count is
known, flagged "at least" when some are unknown; the note says for how many
firms employees were known and lists the technology mix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.data.codes import combine_codes, fold_codes, renumber, table_limit, text_codes
from mstatlas.data.parallel import run_all
from mstatlas.i18n import _, fmt_int, ngettext

#: Group codes of a text column and the distinct values they index (-1: blank).
Codes = tuple[np.ndarray, list[str]]

FIRM_COLUMNS = (
    "row",
    "name",
    "cluster",
    "city",
    "country_iso2",
    "region",
    "lat",
    "lon",
    "employees",
    "technology",
    "year",
    "source_title",
    "source_url",
)


def slugify(text: str) -> str:
    """ASCII, lower-case identifier: ``'Villingen-Schwenningen MST'`` -> ``'villingen-schwenningen-mst'``."""
    s = unicodedata.normalize(
        "NFKD", str(text).replace("ß", "ss").replace("ł", "l").replace("Ł", "L")
    )
    s = s.encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "cluster"


def method_text(by: str, n_firms: int, n_groups: int) -> str:
    """How ``n_firms`` firms became ``n_groups`` clusters, in words (the upload report's line)."""
    group = _("cluster column") if by == "cluster" else _("city (and country)")
    into = ngettext("into {n} cluster", "into {n} clusters", n_groups).format(n=fmt_int(n_groups))
    grouped = ngettext(
        "{n} firm was grouped by {group} {into}.",
        "{n} firms were grouped by {group} {into}.",
        n_firms,
    ).format(n=fmt_int(n_firms), group=group, into=into)
    return (
        grouped
        + " "
        + _(
            "Firms = number of firm rows in the group; employees = sum over firms with a known "
            "head count (marked 'at least' when some are unknown; the note says for how many "
            "firms it was known); position = mean of the firms' coordinates (their city's "
            "coordinates when a firm had none); year = latest year given."
        )
    )


def aggregate_firms(
    firms: pd.DataFrame,
    by: str = "city",
    codes: Mapping[str, Codes] | None = None,
    folded_city: np.ndarray | None = None,
) -> tuple[pd.DataFrame, str]:
    """Aggregate firm rows into canonical cluster rows.

    Parameters
    ----------
    firms : pandas.DataFrame
        Cleaned firm rows with (some of) the columns :data:`FIRM_COLUMNS`;
        ``lat``/``lon`` must be filled (from the file or geocoding).
    by : {"city", "cluster"}
        Group by city and country, or by the file's cluster column.
    codes : mapping, optional
        Text columns already turned into group codes, column -> ``(codes,
        uniques)`` as :func:`mstatlas.data.codes.text_codes` gives them for
        ``firms`` (trimmed text, not folded); those columns are not hashed again.
    folded_city : numpy.ndarray, optional
        ``fold_codes(*codes["city"])`` (:func:`mstatlas.data.codes.fold_codes`),
        when the caller has it already.

    Returns
    -------
    tuple
        ``(cluster rows with canonical column names, method text)``. The rows
        have ``counts_what == "cluster_firms"``, in the order in which their
        first firm appears; ``cluster_id`` is left for the caller (it depends
        on all rows of the upload).
    """
    if by not in ("city", "cluster"):
        raise ValueError(f"by must be 'city' or 'cluster', not {by!r}")
    n_rows = len(firms)
    known_codes = dict(codes or {})

    def coded(col: str) -> Codes:
        if col in known_codes:
            return known_codes[col]
        return _codes(firms.get(col), n_rows)

    key, first = _keys_and_firsts(firms, by, known_codes, folded_city)
    n_groups = len(first)
    modes = ("cluster", "city", "country_iso2", "region", "source_title", "source_url")
    coded_modes = [coded(col) for col in modes]
    tech = coded("technology")
    values = {c: _numbers(firms.get(c), n_rows) for c in ("employees", "lat", "lon", "year")}
    # independent pieces of column work: side by side in a large list, the longest first
    mix, figures, texts = run_all(
        [
            lambda: _tech_mix(key, tech, n_groups),
            lambda: _figures(key, values, n_groups),
            lambda: [_group_mode(key, c, n_groups, first) for c in coded_modes],
        ],
        rows=n_rows,
    )
    agg = pd.DataFrame(figures)
    for col, mode in zip(modes, texts, strict=True):
        agg[col] = mode
    agg["tech"] = mix
    out = cluster_rows(agg, by)
    return out, method_text(by, n_rows, len(out))


def group_keys(
    firms: pd.DataFrame, by: str = "city", codes: Mapping[str, Codes] | None = None
) -> np.ndarray:
    """Per firm row, the position of its cluster row in :func:`aggregate_firms`' result.

    Parameters
    ----------
    firms : pandas.DataFrame
        The firm rows given to :func:`aggregate_firms` (same rows, same order).
    by : {"city", "cluster"}
        The grouping it used.
    codes : mapping, optional
        Text columns already coded, as for :func:`aggregate_firms`.

    Returns
    -------
    numpy.ndarray
        ``0 .. G-1`` in order of first appearance: firm ``i`` was counted in
        cluster row ``key[i]``. Equal keys <=> equal (trimmed, lower-case) text.
    """
    if by not in ("city", "cluster"):
        raise ValueError(f"by must be 'city' or 'cluster', not {by!r}")
    return _keys_and_firsts(firms, by, dict(codes or {}))[0]


def _keys_and_firsts(
    firms: pd.DataFrame,
    by: str,
    known_codes: Mapping[str, Codes],
    folded_city: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`group_keys`, and the position of each group's first firm."""
    n_rows = len(firms)

    def coded(col: str) -> Codes:
        if col in known_codes:
            return known_codes[col]
        return _codes(firms.get(col), n_rows)

    if by == "cluster":
        key = fold_codes(*coded("cluster"))
    else:
        city = fold_codes(*coded("city")) if folded_city is None else folded_city
        key = combine_codes([city, coded("country_iso2")[0]])
    return renumber(key)


def _codes(values: pd.Series | None, n: int) -> Codes:
    """Group codes of a text column (blank is -1) and the distinct values they index."""
    if values is None:
        return np.full(n, -1, dtype=np.int64), []
    return text_codes(values)


def _numbers(values: pd.Series | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    if values.dtype == np.float64:
        return values.to_numpy()  # already numbers (as an upload gives them): no copy
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _figures(key: np.ndarray, values: Mapping[str, np.ndarray], n_groups: int) -> dict[str, Any]:
    """Per group: firms ``n``, ``k`` of them with a head count, their ``employees``, the
    mean position (``lat``, ``lon``) and the latest ``year``."""
    emp = values["employees"]
    known = ~np.isnan(emp)
    known_key = key[known]
    return {
        "n": np.bincount(key, minlength=n_groups),
        "k": np.bincount(known_key, minlength=n_groups),
        "employees": np.bincount(known_key, weights=emp[known], minlength=n_groups),
        "lat": _group_mean(key, values["lat"], n_groups),
        "lon": _group_mean(key, values["lon"], n_groups),
        "year": _group_max(key, values["year"], n_groups),
    }


def _group_mean(key: np.ndarray, x: np.ndarray, n_groups: int) -> np.ndarray:
    ok = ~np.isnan(x)
    if not ok.all():  # positions are mostly all known (geocoded): then no rows to pick
        key, x = key[ok], x[ok]
    total = np.bincount(key, weights=x, minlength=n_groups)
    count = np.bincount(key, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _group_max(key: np.ndarray, x: np.ndarray, n_groups: int) -> np.ndarray:
    out = np.full(n_groups, -np.inf)
    ok = ~np.isnan(x)
    np.maximum.at(out, key[ok], x[ok])
    return np.where(np.isneginf(out), np.nan, out)


def _pair_counts(
    key: np.ndarray, coded: Codes
) -> tuple[list[str], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The distinct texts of a coded column, and ``(group, code, count, first row)``
    of every (group, text) pair present; blank texts are left out."""
    codes, uniques = coded
    n_codes = max(len(uniques), 1)
    if len(codes) and int(codes.min()) >= 0:
        ok = np.arange(len(codes))  # no blanks: no need to pick rows
        pair = key.astype(np.int64) * n_codes + codes
    else:
        ok = np.flatnonzero(codes >= 0)
        pair = key[ok].astype(np.int64) * n_codes + codes[ok]
    # few possible pairs (cities x technologies) are counted with a table, no sort
    pair_code, first = renumber(pair)
    uniq = pair[first]
    count = np.bincount(pair_code, minlength=len(first))
    return uniques, (uniq // n_codes, uniq % n_codes, count, ok[first])


def _group_mode(
    key: np.ndarray, coded: Codes, n_groups: int, first: np.ndarray | None = None
) -> pd.Series:
    """Most frequent non-blank text per group (ties: the one first seen in the group); NA when none.

    ``first`` (each group's first row) allows a shortcut: when every row has its
    group's first text (as the country does when firms are grouped by city and
    country), that text is the only one, so nothing needs counting.
    """
    out = pd.Series(pd.NA, index=range(n_groups), dtype="object")
    codes, uniques_ = coded
    if not uniques_:
        return out  # no text in any row (a column the file does not have)
    if len(uniques_) == 1 and len(codes) and int(codes.min()) == 0:
        out.iloc[:] = uniques_[0]  # one value in every row (e.g. the file name as source)
        return out
    head = codes[first] if first is not None and len(first) else None
    if head is not None and np.array_equal(codes, head[key]):
        at = np.flatnonzero(head >= 0)
        if len(at):
            out.iloc[at] = np.asarray(uniques_, dtype=object)[head[at]]
        return out
    uniques, (group, code, count, first_row) = _pair_counts(key, coded)
    if not len(group):  # no text in any row (the values may come from rejected rows only)
        return out
    # per group: highest count first, then the value whose first firm comes first
    order = np.lexsort((first_row, -count, group))
    best = order[np.r_[True, group[order][1:] != group[order][:-1]]]
    out.iloc[group[best]] = np.asarray(uniques, dtype=object)[code[best]]
    return out


def _tech_mix(key: np.ndarray, coded: Codes, n_groups: int) -> pd.Series:
    """ "MEMS 2, optics 1" per group (most frequent first, then by name); NA when none."""
    out = pd.Series(pd.NA, index=range(n_groups), dtype="object")
    uniques, (group, code, count) = _pair_totals(key, coded, n_groups)
    if not len(group):
        return out
    names = np.asarray(uniques, dtype=object)
    rank = np.argsort(np.argsort(names.astype(str), kind="stable"), kind="stable")
    order = np.lexsort((rank[code], -count, group))
    parts: dict[int, list[str]] = {}
    for g, c, k in zip(group[order].tolist(), code[order].tolist(), count[order].tolist()):
        parts.setdefault(g, []).append(f"{names[c]} {k}")
    if parts:  # one assignment: setting cells one by one is slow in pandas
        out.iloc[list(parts)] = [", ".join(items) for items in parts.values()]
    return out


def _pair_totals(
    key: np.ndarray, coded: Codes, n_groups: int
) -> tuple[list[str], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`_pair_counts` without first rows: ``(group, code, count)`` of every (group,
    text) pair present. Few possible pairs (clusters x technologies) are counted in one
    pass over a table of every pair; the pairs come in no particular order."""
    codes, uniques = coded
    n_codes = max(len(uniques), 1)
    if n_groups * n_codes > table_limit(len(codes)):
        uniques, (group, code, count, _first) = _pair_counts(key, coded)
        return uniques, (group, code, count)
    known = codes >= 0
    if len(codes) and not known.all():
        key, codes = key[known], codes[known]
    totals = np.bincount(key * n_codes + codes, minlength=n_groups * n_codes)
    present = np.flatnonzero(totals)
    return uniques, (present // n_codes, present % n_codes, totals[present])


def cluster_rows(agg: pd.DataFrame, by: str) -> pd.DataFrame:
    """Cluster rows in the canonical columns from per-group figures.

    Parameters
    ----------
    agg : pandas.DataFrame
        One row per group: ``n`` firms, ``k`` of them with a known head count,
        ``employees`` (their sum), ``lat``/``lon`` (mean position), ``year``
        (latest), the group's most frequent ``cluster``, ``city``,
        ``country_iso2``, ``region``, ``source_title``, ``source_url``, and
        ``tech`` (the technology mix as text, or NA).
    by : {"city", "cluster"}
        Which column names the cluster.

    Returns
    -------
    pandas.DataFrame
        Rows with ``counts_what == "cluster_firms"``, employees marked
        "at least" when only some firms' head counts are known, and a note
        saying for how many.
    """
    n = agg["n"].astype("int64")
    k = agg["k"].astype("int64")
    notes = "Aggregated from " + n.astype(str) + " firms in the uploaded list; employees known for "
    notes = notes + k.astype(str) + " of " + n.astype(str) + " firms"
    tech = agg["tech"]
    has = tech.notna()
    notes = notes.where(~has, notes + "; technology mix: " + tech.astype("string"))
    name = agg["cluster"] if by == "cluster" else agg["city"]
    emp = agg["employees"].where(k > 0)
    return pd.DataFrame(
        {
            "cluster_name": name.astype("string"),
            "city": agg["city"].astype("string"),
            "region": agg["region"].astype("string"),
            "country_iso2": agg["country_iso2"].astype("string"),
            "lat": agg["lat"].astype("float64"),
            "lon": agg["lon"].astype("float64"),
            "firms": n,
            "employees": emp.round().astype("Int64"),
            "firms_qualifier": pd.NA,
            "employees_qualifier": pd.Series(
                np.where((k > 0) & (k < n), "at_least", ""), dtype="string"
            ).replace("", pd.NA),
            "counts_what": "cluster_firms",
            "year": agg["year"].round().astype("Int64"),
            "source_title": agg["source_title"].astype("string"),
            "source_url": agg["source_url"].astype("string"),
            "note": notes.astype("string"),
        }
    )
