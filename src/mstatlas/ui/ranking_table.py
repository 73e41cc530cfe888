"""The ranking's tables as shown: the columns in words, the growth order, the sensitivity.

Pure layout of what :mod:`mstatlas.analysis` computed: column headers and texts in the
active language, blanks as empty cells (never "None"), nothing computed anew.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.analysis.growth import series_label
from mstatlas.analysis.provenance import rank_text, rank_texts, year_text, year_texts
from mstatlas.analysis.ranking import measure_values
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.i18n import _, fmt_fixed
from mstatlas.ui import components


def link_column() -> str:
    """The header of the ranking's link column (translated), for its column config."""
    return _("Link")


def no_growth_reasons(rows: pd.DataFrame, by: str, counts: Sequence[str] | None) -> dict[str, str]:
    """Why a cluster has no growth for ``by``, for every cluster with a figure of ``counts``.

    Growth needs figures of one kind and scope from two different years
    (:data:`~mstatlas.analysis.growth.GROWTH_RULE`); the reason names what is
    missing. Clusters that do have a series over two years get "no growth rate:
    a figure is 0" (used only for those :func:`cluster_growth` gives no rate).
    """
    value, _qualifier = measure_values(rows, by)
    keep = value.notna().to_numpy(dtype=bool).copy()  # the view's arrays are read-only
    if counts is not None:
        keep &= rows["counts_what"].isin(list(counts)).fillna(False).to_numpy(dtype=bool)
    df = pd.DataFrame(
        {
            "id": rows["cluster_id"].astype(object).to_numpy()[keep],
            "kind": rows["counts_what"].astype(object).to_numpy()[keep],
            "scope": rows["scope"].astype(object).fillna("").to_numpy()[keep]
            if "scope" in rows.columns
            else "",
            "year": rows["year"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)[keep],
        }
    )
    dated = df[df["year"].notna()]
    n_years = dated.groupby("id")["year"].nunique()
    first = dated.groupby("id")["year"].min()
    longest = dated.groupby(["id", "kind", "scope"])["year"].nunique().groupby(level=0).max()
    out: dict[str, str] = {}
    for cid in map(str, pd.unique(df["id"])):
        if cid not in n_years.index:
            out[cid] = _("no growth: no dated figure")
        elif n_years[cid] == 1:
            out[cid] = _("no growth: one year only ({year})").format(year=int(first[cid]))
        elif longest[cid] < 2:
            out[cid] = _("no growth: its years are of different kinds or perimeters")
        else:
            out[cid] = _("no growth rate: a figure is 0")
    return out


def growth_order(
    ranking: pd.DataFrame, growth: pd.DataFrame, reasons: dict[str, str], by: str
) -> pd.DataFrame:
    """The ranking re-ordered by compound annual growth, highest first.

    Clusters whose growth has no rate, then clusters without a growth, follow
    (in ranking order), with the reason in ``growth_note``. Adds ``cagr``,
    ``growth_ends``, ``growth_years``, ``growth_change``, ``growth_of``,
    ``growth_sources`` and ``growth_note`` (text; blank without a growth).
    """
    by_id = {str(g["cluster_id"]): g for g in growth.to_dict("records")}
    ids = [str(c) for c in ranking["cluster_id"]]
    hits = [by_id.get(c) for c in ids]
    cagr = np.array([np.nan if g is None else float(g["cagr"]) for g in hits])
    digits = 1 if by == "employees_per_firm" else 0
    columns: dict[str, list[object]] = {k: [] for k in _GROWTH_TEXT}
    for cid, g in zip(ids, hits):
        texts = _growth_texts(g, digits) if g is not None else dict.fromkeys(_GROWTH_TEXT, "")
        if g is None or pd.isna(g["cagr"]):
            texts["growth_note"] = reasons.get(cid, _("no growth"))
        for k in _GROWTH_TEXT:
            columns[k].append(texts[k])
    out = ranking.assign(
        cagr=cagr,
        growth_years=pd.array(
            [None if g is None else int(g["years"]) for g in hits], dtype="Int64"
        ),
        **columns,
    )
    has = np.array([g is not None for g in hits])
    group = np.where(~np.isnan(cagr), 0, np.where(has, 1, 2))
    key = np.where(np.isnan(cagr), 0.0, -np.nan_to_num(cagr))
    order = np.lexsort((out["rank"].to_numpy(dtype=float), key, group))
    return out.iloc[order].reset_index(drop=True)


_GROWTH_TEXT = ("growth_ends", "growth_change", "growth_of", "growth_sources", "growth_note")


def _growth_texts(g: Mapping[str, Any], digits: int) -> dict[str, object]:
    """One growth (a row of :func:`cluster_growth`) in the words of the table's columns."""
    unnamed = _("no source named")
    start = f"{g['start_source_title'] or unnamed} ({int(g['start_year'])})"
    end = f"{g['end_source_title'] or unnamed} ({int(g['end_year'])})"
    return {
        "growth_ends": f"{g['start_display']} ({int(g['start_year'])}) → "
        f"{g['end_display']} ({int(g['end_year'])})",
        "growth_change": signed(float(g["change"]), digits),
        "growth_of": series_label(str(g["counts_what"]), g["scope"]),
        "growth_sources": start if g["same_source"] else f"{start}; {end}",
        "growth_note": g["caveats"] or "",
    }


def signed(value: float, digits: int = 0) -> str:
    """``+845``, ``−12`` (a true minus sign), ``±0``."""
    if round(value, digits) == 0:
        return "±0"
    return ("+" if value > 0 else "−") + fmt_fixed(abs(value), digits)


def _percent(cagr: float) -> str:
    return "" if np.isnan(cagr) else _("{growth} % a year").format(growth=signed(cagr * 100, 1))


def _figure_columns(top: pd.DataFrame, by: str) -> dict[str, object]:
    """The headline figure with its year, kind and source, as every table shows it."""
    cols: dict[str, object] = {
        MEASURES[by]: top["display"].to_numpy(),
        _("Year"): year_texts(top["year"]).to_numpy(),
        _("Counts"): [COUNTS_WHAT.get(c, c) for c in top["counts_what"]],
    }
    if top["scope"].notna().any():  # figures of another perimeter are in view: say which
        cols[_("Scope")] = top["scope"].fillna("").to_numpy()
    if by == "employees_per_firm":
        cols[_("Computed as")] = _blank(top["ratio_basis"])
    cols[_("Other reported figures")] = _blank(top["other_figures"])
    cols[_("Source")] = _blank(top["source_title"])
    cols[link_column()] = [components.safe_url(u) for u in top["source_url"]]
    return cols


def _blank(texts: pd.Series) -> np.ndarray:
    """A text column with its blanks as empty text (a table shows ``None`` as "None")."""
    return texts.astype(object).where(texts.notna(), "").to_numpy()


def ranking_table(top: pd.DataFrame, by: str, stars: list[str], by_growth: bool) -> pd.DataFrame:
    """The ranking table as shown: by figure, or by growth with the growth columns first.

    Parameters
    ----------
    top : DataFrame
        The ranked clusters shown (a ranking, or :func:`growth_order` of one).
    by : {"employees", "firms", "employees_per_firm"}
        The measure ranked.
    stars : list of str
        Each row's stars as text (:func:`mstatlas.ui.rating_panel.stars_column`).
    by_growth : bool
        Ordered by growth: the growth columns come first.

    Returns
    -------
    DataFrame
        Headers and texts in the active language; blank cells are empty text.
    """
    head: dict[str, object] = {
        _("Rank"): rank_texts(top["rank"], top["tied"]),
        _("Cluster"): top["cluster_name"].to_numpy(),
        _("Country"): _blank(top["country_iso2"]),
    }
    if by_growth:
        head = {
            _("Growth order"): list(range(1, len(top) + 1)),
            **head,
            _("Growth a year"): [_percent(c) for c in top["cagr"]],
            _("From → to"): top["growth_ends"].to_numpy(),
            _("Years"): top["growth_years"].astype("string").fillna("").to_numpy(),
            _("Change"): top["growth_change"].to_numpy(),
            _("Growth of"): top["growth_of"].to_numpy(),
            _("Growth caveats"): top["growth_note"].to_numpy(),
            _("Growth sources"): top["growth_sources"].to_numpy(),
        }
    return pd.DataFrame({**head, _("Stars"): stars, **_figure_columns(top, by)})


def sensitivity_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`rank_sensitivity` as shown: one line per choice, the page's own choices marked."""
    ranked = table["rank"].notna().to_numpy()
    return pd.DataFrame(
        {
            "": [_("● this page") if c else "" for c in table["current"]],
            # the dimension is an English key marked for translation (DIMENSIONS)
            _("Choice changed"): _blank(table["dimension"].map(_, na_action="ignore")),
            _("Choice"): _blank(table["choice"]),
            _("Rank"): [
                rank_text(r, n, t) for r, t, n in zip(table["rank"], table["tied"], table["of_n"])
            ],
            _("Figure"): _blank(table["figure"]),
            _("Year"): [year_text(y) if ok else "" for y, ok in zip(table["year"], ranked)],
            _("Counts"): [
                COUNTS_WHAT.get(k, k) if ok and isinstance(k, str) else ""
                for k, ok in zip(table["counts_what"], ranked)
            ],
            _("Note"): _blank(table["note"]),
        }
    )
