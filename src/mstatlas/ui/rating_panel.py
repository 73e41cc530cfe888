"""The star rating on screen: thresholds, stars per cluster and "explain this value".

The rating itself is :func:`mstatlas.analysis.rating.rate_clusters` (pure); this
module caches it per view, draws the threshold inputs (their values live in the
view, so the link carries them) and lays out each star's explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from mstatlas.analysis.asof import as_of
from mstatlas.analysis.charts import FOCUS
from mstatlas.analysis.ranking import LIKE_WITH_LIKE
from mstatlas.analysis.rating import (
    RATING_METHOD,
    STARS,
    RatingThresholds,
    explain_star,
    rate_clusters,
)
from mstatlas.analysis.selection import lookup
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import N_, _, current_language, fmt_decimal
from mstatlas.ui import keys, session
from mstatlas.ui.components import md
from mstatlas.ui.datasets import filtered, rows_of_dataset
from mstatlas.ui.urlstate import RATING_PARAMS, ViewState

#: Label, step and unit of each threshold input (names as in the link's ``rating``).
_INPUTS: dict[str, tuple[str, float, str]] = {
    "size": (N_("Size: employees percentile at least"), 5.0, "%.0f"),
    "mass": (N_("Critical mass: firms percentile at least"), 5.0, "%.0f"),
    "momentum": (N_("Momentum: growth above (% a year)"), 0.5, "%.1f"),
    "lq": (N_("Specialisation: location quotient at least"), 0.1, "%.1f"),
}

NO_REGION_EMPLOYMENT = N_(
    "The specialisation star needs the region's total employment, an optional column "
    "(region_employment) this dataset does not give; it is left out, so each cluster can "
    "have at most 3 stars."
)


def thresholds(view: ViewState) -> RatingThresholds:
    """The rating thresholds of a view (momentum: the link's % a year as a fraction)."""
    t = view.rating_thresholds()
    return RatingThresholds(
        size_pct=t["size"], mass_pct=t["mass"], momentum_cagr=t["momentum"] / 100, lq=t["lq"]
    )


def rating_in_view(
    ds_id: str,
    fkey: tuple[Any, ...],
    rating: tuple[tuple[str, float], ...],
    mixed: bool = False,
    year: int | None = None,
    explain: bool = True,
) -> pd.DataFrame:
    """Star rating of the clusters in view (cached per dataset, filters and thresholds).

    Parameters
    ----------
    ds_id, fkey
        Dataset id and filters key, as for :func:`mstatlas.ui.datasets.filtered`.
    rating
        The view's ``rating`` (thresholds that differ from the defaults).
    mixed
        Compare figures of every kind (the ranking's "include other kinds");
        otherwise like with like.
    year
        Rate the figures as of this year (the map's "as of" mode).
    explain
        Build every star's explanation; the map's symbols need only the stars.
    """
    return _rating_in_view(ds_id, fkey, rating, mixed, year, explain, current_language())


# Datasets behind an id never change: the rating is shared between sessions (read-only).
# Per language too: the figures (and explanations) in it are written in the language.
@st.cache_resource(show_spinner=False, max_entries=64)
def _rating_in_view(
    ds_id: str,
    fkey: tuple[Any, ...],
    rating: tuple[tuple[str, float], ...],
    mixed: bool,
    year: int | None,
    explain: bool,
    lang: str,
) -> pd.DataFrame:
    rows = filtered(ds_id, fkey)
    if year is not None:
        rows = as_of(rows, year).rows
    counts = None if mixed else LIKE_WITH_LIKE
    t = thresholds(ViewState(rating=rating))
    with rows_of_dataset(ds_id):
        rated = rate_clusters(rows, t, counts=counts, explain=explain)
    return rated.set_index("cluster_id", drop=False)


def possible(rating: pd.DataFrame) -> pd.Series:
    """How many stars each cluster can have: 3, or 4 where its location quotient is known."""
    return 3 + rating["lq_star"].notna().astype(int)


def marks(stars: int, of: int) -> str:
    """``★★☆`` for 2 of 3 stars."""
    return "★" * stars + "☆" * max(of - stars, 0)


def stars_text(stars: int, of: int) -> str:
    """``★★☆ 2 of 3``: the marks and the count, for tables."""
    return _("{marks} {stars} of {of}").format(marks=marks(stars, of), stars=stars, of=of)


def stars_column(rating: pd.DataFrame, cluster_ids: Sequence[str]) -> list[str]:
    """:func:`stars_text` of each cluster id ("" for a cluster not rated)."""
    of = possible(rating)
    return [
        stars_text(int(rating.at[c, "stars"]), int(of[c])) if c in rating.index else ""
        for c in cluster_ids
    ]


def with_stars(points: pd.DataFrame, rating: pd.DataFrame) -> pd.DataFrame:
    """Map points with ``stars`` and ``stars_of`` (whole numbers; blank for a cluster not rated)."""
    at = lookup(points["cluster_id"], rating["cluster_id"])  # (the rating's index, as a column)
    rated = at >= 0  # placed by position: one look-up per point, no mapping per column
    where = np.where(rated, at, 0)

    def placed(column: pd.Series) -> np.ndarray:
        values = column.to_numpy(dtype=np.int64)[where] if len(rating) else np.zeros(len(at))
        return pd.arrays.IntegerArray(values.astype(np.int64), ~rated).to_numpy()

    return points.assign(stars=placed(rating["stars"]), stars_of=placed(possible(rating)))


def has_region_employment(rating: pd.DataFrame) -> bool:
    """Whether any cluster in the rating has a location quotient to star."""
    return bool(rating["lq_star"].notna().any())


def explanations(rating: pd.DataFrame, cluster_id: str) -> list[str]:
    """Each star's "explain this value" sentence for one cluster."""
    row = rating.loc[cluster_id]
    return [explain_star(row, star) for star in STARS]


def _set_threshold(name: str) -> None:
    """Write one threshold input into the view, keeping only values off their default."""
    value = float(st.session_state[keys.rating_widget(name)])
    given = dict(session.view().rating) | {name: value}
    session.update_view(
        rating=tuple(
            (k, given[k]) for k in RATING_PARAMS if k in given and given[k] != RATING_PARAMS[k][0]
        )
    )


def threshold_inputs() -> None:
    """Four number inputs for the thresholds, bound to the view's ``rating``."""
    current = session.view().rating_thresholds()
    cols = st.columns(len(_INPUTS))
    for col, (name, (label, step, fmt)) in zip(cols, _INPUTS.items()):
        default, lo, hi = RATING_PARAMS[name]
        key = keys.rating_widget(name)
        st.session_state[key] = float(current[name])
        col.number_input(
            _(label),
            min_value=lo,
            max_value=hi,
            step=step,
            format=fmt,
            key=key,
            on_change=_set_threshold,
            args=(name,),
            help=_("Default {value}.").format(value=fmt_decimal(default, 1)),
        )


def stars_line(rating: pd.DataFrame | None, cluster_id: str) -> None:
    """The cluster's stars under its heading, with an "Explain" expander."""
    if rating is None or cluster_id not in rating.index:
        st.caption(_("Stars: not rated (this cluster is not among the clusters in view)."))
        return
    stars = int(rating.at[cluster_id, "stars"])
    of = int(possible(rating)[cluster_id])
    st.markdown(
        _(
            "**{marks}** {stars} of {of} stars (each star compares the cluster with "
            "the clusters in view that have a figure of the same kind; “Explain” says which)"
        ).format(marks=marks(stars, of), stars=stars, of=of)
    )
    with st.expander(_("Explain the stars")):
        for text in explanations(rating, cluster_id):
            st.markdown(f"- {md(text)}")
        if not has_region_employment(rating):
            st.caption(_(NO_REGION_EMPLOYMENT))
        st.caption(_("The method and the thresholds: Ranking page, “Star rating”."))


def render_section(
    rating: pd.DataFrame, focus: str | None, names: dict[str, str], mixed: bool
) -> None:
    """The "Star rating" section: method, thresholds and one cluster's explanations.

    Parameters
    ----------
    rating : DataFrame
        :func:`rating_in_view` of the page's view.
    focus : str or None
        The cluster whose stars are explained first (the view's selected cluster).
    names : dict
        Cluster id -> name, in the order the selectbox offers them.
    mixed : bool
        Whether the ranking (and so the rating) compares figures of every kind.
    """
    st.caption(_(RATING_METHOD))
    if mixed:
        st.caption(
            _(
                "The ranking includes figures that count other things, so the stars compare "
                "figures of every kind too; switch that off to rate like with like."
            )
        )
    threshold_inputs()
    if not has_region_employment(rating):
        st.caption(_(NO_REGION_EMPLOYMENT))
    options = [c for c in names if c in rating.index]
    if not options:
        return
    pick = cluster_choice("w_star_focus", _("Explain the stars of"), options, names, focus)
    st.markdown(
        f"**{md(names[pick])}: {marks(int(rating.at[pick, 'stars']), int(possible(rating)[pick]))}**"
    )
    for text in explanations(rating, pick):
        st.markdown(f"- {md(text)}")


def cluster_choice(
    key: str, label: str, options: list[str], names: dict[str, str], focus: str | None
) -> str:
    """A cluster select box bound to the view's selected cluster.

    Shows ``focus`` when it is among ``options``, else Dortmund, else the first;
    a choice becomes the view's selected cluster (so the link and the map follow).
    """
    fallback = FOCUS if FOCUS in options else options[0]
    shown = focus if focus in options else fallback

    def _changed() -> None:
        session.update_view(selected=st.session_state[key])

    st.session_state[key] = shown
    st.selectbox(
        label,
        options=options,
        format_func=lambda c: strip_bidi(str(names.get(c, c))),
        key=key,
        on_change=_changed,
    )
    return shown
