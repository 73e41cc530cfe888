"""Clusters near a cluster, and a cluster's share of the clusters in view."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Real
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from mstatlas.analysis.provenance import in_sentence
from mstatlas.analysis.sums import (
    NOT_SUMMABLE_KINDS,
    FigureSum,
    add_figures,
    check_summable_measure,
    cluster_figures,
    one_kind,
    resolve_counts,
    sum_of,
)
from mstatlas.data.schema import COUNTS_WHAT, CRS, MEASURES
from mstatlas.i18n import N_, _, fmt_fixed, fmt_int, ngettext

#: Projected CRS for distances: ETRS89 / LAEA Europe, in metres.
DISTANCE_CRS: Final = "EPSG:3035"
MAX_RADIUS_KM: Final = 2000.0

DISTANCE_METHOD: Final[str] = N_(
    "Straight-line distances between the clusters' pins (city-centre coordinates), "
    "measured in kilometres on the Lambert azimuthal equal-area projection of Europe "
    "(ETRS89-LAEA, EPSG:3035), not in degrees. Across Europe they are within about 1 % of "
    "the distance on the Earth's ellipsoid. A pin is a city centre, so the distance is "
    "between cities, not between firms; clusters without coordinates are left out."
)

NEARBY_COLUMNS: Final[tuple[str, ...]] = (
    "cluster_id",
    "cluster_name",
    "city",
    "country_iso2",
    "distance_km",
)


def _pins(clusters: pd.DataFrame) -> pd.DataFrame:
    """The first row with coordinates of every cluster: one pin per cluster."""
    ok = (clusters["lat"].notna() & clusters["lon"].notna()).to_numpy()
    located = clusters.iloc[np.flatnonzero(ok)]
    ids = located["cluster_id"].astype(object).to_numpy()
    first = located.iloc[np.flatnonzero(~pd.Series(ids).duplicated().to_numpy())]
    return pd.DataFrame(
        {c: first[c].to_numpy() for c in ("cluster_id", "cluster_name", "city", "country_iso2")}
        | {
            "lat": first["lat"].astype(float).to_numpy(),
            "lon": first["lon"].astype(float).to_numpy(),
        }
    )


def _check_radius(radius_km: object) -> float:
    if isinstance(radius_km, bool) or not isinstance(radius_km, Real):
        raise ValueError(f"The radius must be a number of kilometres, got {radius_km!r}.")
    r = float(radius_km)
    if not math.isfinite(r) or r <= 0 or r > MAX_RADIUS_KM:
        raise ValueError(
            _("The radius must be more than 0 and at most {limit} km, got {radius}.").format(
                limit=fmt_int(MAX_RADIUS_KM), radius=radius_km
            )
        )
    return r


def _no_such_cluster(cluster_id: str) -> str:
    return _("There is no cluster {cluster} in this table; pick one of the clusters shown.").format(
        cluster=repr(cluster_id)
    )


def nearby(clusters: pd.DataFrame, cluster_id: str, radius_km: float) -> pd.DataFrame:
    """Other clusters whose pin lies within ``radius_km`` of a cluster's pin.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table (the clusters in view), one row per figure.
    cluster_id : str
        The cluster to measure from; it must be in ``clusters`` with coordinates.
    radius_km : float
        Search radius in kilometres, more than 0 and at most :data:`MAX_RADIUS_KM`.

    Returns
    -------
    DataFrame
        One row per other cluster (columns :data:`NEARBY_COLUMNS`), nearest first;
        ``distance_km`` is rounded to 0.1 km (measured as in :data:`DISTANCE_METHOD`).

    Raises
    ------
    ValueError
        For an unknown cluster, one without coordinates, or a radius out of range.
    """
    radius = _check_radius(radius_km)
    pins = _pins(clusters)
    hit = np.flatnonzero(pins["cluster_id"].to_numpy() == cluster_id)
    if len(hit) == 0:
        known = (clusters["cluster_id"] == cluster_id).any()
        raise ValueError(
            _("Cluster {cluster} has no coordinates, so distances cannot be measured.").format(
                cluster=repr(cluster_id)
            )
            if known
            else _no_such_cluster(cluster_id)
        )
    points = gpd.GeoSeries(gpd.points_from_xy(pins["lon"], pins["lat"]), crs=CRS)
    projected = points.to_crs(DISTANCE_CRS)
    dist = projected.distance(projected.iloc[int(hit[0])]).to_numpy() / 1000.0
    keep = (dist <= radius) & (pins["cluster_id"].to_numpy() != cluster_id)
    out = pins.loc[keep, ["cluster_id", "cluster_name", "city", "country_iso2"]].assign(
        distance_km=np.round(dist[keep], 1), _d=dist[keep]
    )
    out = out.sort_values(["_d", "cluster_name"], kind="mergesort")
    return out[list(NEARBY_COLUMNS)].reset_index(drop=True)


@dataclass(frozen=True)
class Share:
    """A cluster's headline figure as a share of the sum over the clusters in view.

    Attributes
    ----------
    cluster_id, cluster_name : str
        The cluster.
    measure, counts_what : str
        What is added: a key of ``MEASURES`` and the one kind of figure.
    share : float or None
        Numerator / denominator (0–1); ``None`` when it cannot be stated (``reason``).
    share_qualifier : str
        ``"about"`` when any figure added is approximate or a bound, else ``""``.
    numerator, denominator : FigureSum
        The cluster's figure and the sum over all clusters with such a figure
        (the cluster included), each with its qualifier, years and count.
    n_clusters : int
        Clusters in the table, with or without a figure.
    text : str
        E.g. ``12.3% of 17,100 employees in 9 clusters counting cluster firms (2007–2026)``.
    reason : str
        Why ``share`` is blank; ``""`` otherwise.
    """

    cluster_id: str
    cluster_name: str
    measure: str
    counts_what: str
    share: float | None
    share_qualifier: str
    numerator: FigureSum
    denominator: FigureSum
    n_clusters: int
    text: str
    reason: str


def share_of_total(
    clusters: pd.DataFrame,
    cluster_id: str,
    by: str = "employees",
    counts: str | Iterable[str] = ("cluster_firms",),
) -> Share:
    """A cluster's headline figure as a share of the clusters in view.

    The denominator adds one headline figure per cluster of ``clusters``, of one
    kind only, by the rule of :data:`mstatlas.analysis.countries.COUNTRY_RULE`
    (:mod:`mstatlas.analysis.sums`).

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table: the visible set.
    cluster_id : str
        The cluster whose share is wanted.
    by : {"employees", "firms"}
        The measure (``employees_per_firm`` raises ``ValueError``: a ratio).
    counts : str or iterable of one str
        The one kind of figure to add, or
        :data:`~mstatlas.analysis.ranking.LIKE_WITH_LIKE` for the ranking's default.

    Returns
    -------
    Share
        ``share`` is ``None`` with a ``reason`` when the cluster has no figure of
        this kind, its figure is for another perimeter, the total is blank, or
        the kind is never added up (``national``).

    Raises
    ------
    ValueError
        For an unknown cluster, several kinds, an unknown kind or a ratio measure.
    """
    check_summable_measure(by)
    kind = one_kind(resolve_counts(clusters, counts, by))
    rows = clusters[clusters["cluster_id"] == cluster_id]
    if rows.empty:
        raise ValueError(_no_such_cluster(cluster_id))
    if kind in NOT_SUMMABLE_KINDS:
        # The kind usually comes from the cluster's own figure: say why, do not fail.
        return _kind_not_summed(clusters, str(rows["cluster_name"].iloc[0]), cluster_id, by, kind)
    figures = cluster_figures(clusters, by=by, counts=kind)
    mine = figures[figures["cluster_id"] == cluster_id]
    me = mine.iloc[0]
    numerator = sum_of(mine)
    denominator = sum_of(figures)
    reason = _no_share_reason(me, denominator, by, kind)
    share = None if reason else float(numerator.total or 0.0) / float(denominator.total or 1.0)
    approx = bool(numerator.qualifier or denominator.qualifier)
    return Share(
        cluster_id=str(cluster_id),
        cluster_name=str(me["cluster_name"]),
        measure=by,
        counts_what=kind,
        share=share,
        share_qualifier="about" if approx and share is not None else "",
        numerator=numerator,
        denominator=denominator,
        n_clusters=len(figures),
        text=reason or _share_text(share or 0.0, approx, denominator, by, kind),
        reason=reason,
    )


def _no_share_reason(me: pd.Series, denominator: FigureSum, by: str, kind: str) -> str:
    """Why a cluster (``me``: its row of the figures) has no share; ``""`` when it has one."""
    label = _("{measure} figure counting {kind}").format(
        measure=in_sentence(MEASURES[by]), kind=in_sentence(COUNTS_WHAT[kind])
    )
    name = me["cluster_name"]
    if me["status"] == "no_figure":
        return _("{name} has no {figure} in this selection.").format(name=name, figure=label)
    if me["status"] == "other_scope":
        return _("{name}'s {figure} is for another perimeter ({scope}).").format(
            name=name, figure=label, scope=me["scope"]
        )
    if denominator.total is None:
        return _("No share: {why}.").format(why=denominator.note)
    if denominator.total <= 0:
        return _("The total is 0, so no share can be given.")
    return ""


def _kind_not_summed(
    clusters: pd.DataFrame, name: str, cluster_id: str, by: str, kind: str
) -> Share:
    """No share, and why: figures of ``kind`` are never added up (e.g. ``national``)."""
    reason = _("No share: {why}.").format(why=NOT_SUMMABLE_KINDS[kind])
    nothing = add_figures([], [], [])
    return Share(
        cluster_id=str(cluster_id),
        cluster_name=name,
        measure=by,
        counts_what=kind,
        share=None,
        share_qualifier="",
        numerator=nothing,
        denominator=nothing,
        n_clusters=int(clusters["cluster_id"].nunique()),
        text=reason,
        reason=reason,
    )


def _share_text(share: float, approx: bool, total: FigureSum, by: str, kind: str) -> str:
    pct = ("≈ " if approx else "") + _("{value}%").format(value=fmt_fixed(share * 100, 1))
    years = total.years_text()
    text = ngettext(
        "{share} of {total} {measure} in {n} cluster counting {kind}",
        "{share} of {total} {measure} in {n} clusters counting {kind}",
        total.n,
    ).format(
        share=pct,
        total=total.display(by),
        measure=in_sentence(MEASURES[by]),
        n=fmt_int(total.n),
        kind=in_sentence(COUNTS_WHAT[kind]),
    )
    return text + (f" ({years})" if years else "")
