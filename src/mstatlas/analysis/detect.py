"""Clusters where the firms are: density-based detection on firm coordinates.

Grouping a firm register by city follows municipal borders; detection follows
where firms actually concentrate. It is scikit-learn's ``DBSCAN`` with two
parameters a person sets, a radius and a minimum number of firms, and one
documented step of its own for border firms:

* A firm with at least ``min_firms`` firms (itself included) within
  ``radius_km`` is a *core* firm. Core firms within ``radius_km`` of each
  other belong to one cluster, so a cluster can reach across city borders.
* Any other firm within ``radius_km`` of a core firm joins the cluster of its
  nearest core firm (DBSCAN itself gives it to the first one its search
  reaches); the rest are *isolated*.
* Distances are great-circle distances on a sphere of the Earth's mean radius
  (6,371 km), exact at any latitude: the points are placed on the sphere and
  compared by chord length, which orders pairs like the great-circle distance.
* Only firms with coordinates of their own take part. Firms the upload placed
  at their city's centre by geocoding (listed in its geocoding table, unless
  their position was set by hand) would all sit on one point per city and are
  *left out* and counted, as are firms without coordinates.

The same firms and parameters always give the same clusters, in the same
order and with the same ids, whatever the order of the rows: border firms go
to the nearest core firm (not the one found first), clusters are ordered by
firms, then name, then position.

Each cluster is named after its largest place (the city most of its firms are
in; ties: alphabetical), with a number when two share it. Its outline is the
convex (or concave) hull of its firms, drawn on a plane touching the Earth at
the cluster's centre (gnomonic projection, where straight lines are great
circles) and widened by 5 % of the radius so that clusters of firms on one
point or line still have an area and every firm lies inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from mstatlas.analysis.firm_mix import group_counts, mix_text
from mstatlas.data.firms import slugify
from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_decimal, fmt_int, ngettext

EARTH_RADIUS_KM: Final = 6371.0088
#: Label of a firm in no cluster, and of a firm left out for lack of its own coordinates.
ISOLATED: Final = -1
LEFT_OUT: Final = -2
MIN_RADIUS_KM: Final = 0.1
MAX_RADIUS_KM: Final = 500.0
#: A cluster needs at least this many firms in a core firm's reach.
MIN_MIN_FIRMS: Final = 2
#: The outline is widened by this share of the radius.
OUTLINE_MARGIN: Final = 0.05
#: Stored neighbour pairs DBSCAN may need (about 8 bytes each) before we ask for a smaller radius.
MAX_NEIGHBOURS: Final = 30_000_000
#: ``matched`` text of a geocoding row whose position a person set: a position of its own.
SET_BY_HAND: Final = "set by hand"

Outline = Literal["convex", "concave"]

#: One row per detected cluster (plus ``geometry``, its outline, EPSG:4326).
DETECTED_COLUMNS: Final[tuple[str, ...]] = (
    "cluster_id",
    "cluster_name",
    "country_iso2",
    "countries",
    "firms",
    "employees",
    "employees_known",
    "technology_mix",
    "cities",
    "n_cities",
    "lat",
    "lon",
)

#: Per city (and country): where its firms went (:func:`city_crosswalk`).
CROSSWALK_COLUMNS: Final[tuple[str, ...]] = (
    "city",
    "country_iso2",
    "firms",
    "in_clusters",
    "clusters",
    "isolated",
    "left_out",
)


@dataclass(frozen=True)
class Detection:
    """Clusters detected in a firm register, and where each firm went.

    Attributes
    ----------
    clusters : geopandas.GeoDataFrame
        One row per cluster (:data:`DETECTED_COLUMNS`), largest first; geometry
        = outline, EPSG:4326. ``employees`` sums the known head counts (missing
        when none is known), ``employees_known`` says for how many firms.
    labels : numpy.ndarray
        Per firm (the order of the register): the row of its cluster in
        ``clusters``, :data:`ISOLATED` or :data:`LEFT_OUT`.
    radius_km, min_firms : float, int
        The parameters.
    method : str
        How the clusters were found, in words (for the methodology), written in
        the language active when it is read (a cached detection serves both).
    """

    clusters: gpd.GeoDataFrame
    labels: np.ndarray
    radius_km: float
    min_firms: int

    @property
    def method(self) -> str:
        """How the clusters were found, in words, in the active language."""
        return _method(
            self.radius_km,
            self.min_firms,
            len(self.labels),
            self.n_left_out,
            len(self.clusters),
            self.n_isolated,
        )

    @property
    def isolated(self) -> np.ndarray:
        """Per firm: True when it has its own coordinates but belongs to no cluster."""
        return self.labels == ISOLATED

    @property
    def n_isolated(self) -> int:
        """Firms with coordinates of their own in no cluster."""
        return int(np.count_nonzero(self.labels == ISOLATED))

    @property
    def n_left_out(self) -> int:
        """Firms left out for lack of coordinates of their own."""
        return int(np.count_nonzero(self.labels == LEFT_OUT))

    def firm_clusters(self) -> pd.Series:
        """Per firm, the id of its cluster (missing when isolated or left out)."""
        ids = np.asarray(self.clusters["cluster_id"], dtype=object)
        out = np.full(len(self.labels), None, dtype=object)
        inside = self.labels >= 0
        out[inside] = ids[self.labels[inside]]
        return pd.Series(out, dtype="object")


def city_centre_firms(firms: pd.DataFrame, geocoding: pd.DataFrame | None) -> np.ndarray:
    """Which firms sit on their city's centre because the upload geocoded them.

    Parameters
    ----------
    firms : DataFrame
        Firm rows with ``row`` (the row number in the file).
    geocoding : DataFrame or None
        The upload's geocoding table (``UploadResult.geocoding``): one row per
        geocoded input row; rows whose ``matched`` is "set by hand" carry a
        position a person set, which counts as the firm's own.

    Returns
    -------
    numpy.ndarray
        Boolean, per firm.
    """
    if geocoding is None or geocoding.empty or "row" not in firms.columns:
        return np.zeros(len(firms), dtype=bool)
    matched = geocoding["matched"].astype("string") if "matched" in geocoding else None
    by_city = geocoding["row"] if matched is None else geocoding["row"][matched != SET_BY_HAND]
    rows = pd.to_numeric(by_city, errors="coerce").dropna().astype("int64")
    return pd.to_numeric(firms["row"], errors="coerce").isin(rows).to_numpy(dtype=bool)


def _check_parameters(radius_km: object, min_firms: object) -> tuple[float, int]:
    if isinstance(radius_km, bool) or not isinstance(radius_km, Real):
        raise ValueError(f"The radius must be a number of kilometres, got {radius_km!r}.")
    radius = float(radius_km)
    if not math.isfinite(radius) or not MIN_RADIUS_KM <= radius <= MAX_RADIUS_KM:
        raise ValueError(
            f"The radius must be at least {MIN_RADIUS_KM:g} km and at most "
            f"{MAX_RADIUS_KM:,.0f} km, got {radius_km}."
        )
    if isinstance(min_firms, bool) or not isinstance(min_firms, int | np.integer):
        raise ValueError(f"The minimum number of firms must be a whole number, got {min_firms!r}.")
    if min_firms < MIN_MIN_FIRMS:
        raise ValueError(
            f"The minimum number of firms must be {MIN_MIN_FIRMS} or more, got {min_firms}."
        )
    return radius, int(min_firms)


def _numbers(firms: pd.DataFrame, column: str) -> np.ndarray:
    if column not in firms.columns:
        return np.full(len(firms), np.nan)
    values = pd.to_numeric(firms[column], errors="coerce")
    return values.to_numpy(dtype="float64", na_value=np.nan)


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _lat_lon(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    lat = np.degrees(np.arcsin(np.clip(v[:, 2], -1.0, 1.0)))
    return lat, np.degrees(np.arctan2(v[:, 1], v[:, 0]))


def _chord(radius_km: float) -> float:
    """Chord length on the unit sphere of a great-circle distance."""
    return 2.0 * math.sin(min(radius_km / EARTH_RADIUS_KM, math.pi) / 2.0)


def _distinct_points(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct positions (by latitude, then longitude) and, per firm, its position's row.

    Sorting makes the points handed to DBSCAN the same array whatever the order of
    the firms, so everything DBSCAN decides (cluster numbers, search ties) is too.
    """
    order = np.lexsort((lon, lat))
    la, lo = lat[order], lon[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (la[1:] != la[:-1]) | (lo[1:] != lo[:-1])
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.cumsum(starts) - 1
    return np.column_stack([la[starts], lo[starts]]), position


def _check_density(points: np.ndarray, chord: float, radius_km: float) -> None:
    """Refuse a radius that would give DBSCAN more neighbour pairs than memory allows."""
    from sklearn.neighbors import BallTree  # see _dbscan

    n = len(points)
    sample = points[np.unique(np.linspace(0, n - 1, min(n, 2000)).astype(np.int64))]
    mean = float(np.mean(BallTree(points).query_radius(sample, chord, count_only=True)))
    if mean * n <= MAX_NEIGHBOURS:
        return
    smaller = radius_km * math.sqrt(MAX_NEIGHBOURS / (mean * n)) * 0.8
    suggestion = fmt_decimal(smaller, 1 if smaller < 10 else 0)
    raise DataError(
        _(
            "Within {radius} km, each of the {n} firm positions has about {mean} others: too "
            "many to detect clusters in memory. Choose a smaller radius, e.g. {suggestion} km."
        ).format(
            radius=fmt_decimal(radius_km, 3),
            n=fmt_int(n),
            mean=fmt_int(mean),
            suggestion=suggestion,
        )
    )


def _dbscan(lat: np.ndarray, lon: np.ndarray, radius_km: float, min_firms: int) -> np.ndarray:
    """DBSCAN labels (``-1`` for noise) of the firms, independent of their order.

    :class:`sklearn.cluster.DBSCAN` on the distinct positions, each weighted by
    its number of firms (``min_samples`` counts weights), so firms sharing a
    position cost one point. The points are unit vectors compared by chord
    length with a ball tree: the chord orders pairs exactly like the
    great-circle distance, and is several times faster than
    ``metric="haversine"`` (EPSG:3035 metres would be fast too, but not exact
    far from its centre). Then the one step DBSCAN leaves to search order: a
    border position joins the cluster of its nearest core position.
    """
    # Imported here: scikit-learn takes a second or more to import, and `import mstatlas`
    # and every other `mstatlas` command need not wait for it.
    from sklearn.cluster import DBSCAN
    from sklearn.neighbors import BallTree

    positions, position = _distinct_points(lat, lon)
    points = _unit_vectors(positions[:, 0], positions[:, 1])
    chord = _chord(radius_km)
    _check_density(points, chord, radius_km)
    # All weights 1 count the same as none, and sklearn sums weights point by point.
    weight = np.bincount(position) if len(points) < len(position) else None
    found = DBSCAN(eps=chord, min_samples=min_firms, algorithm="ball_tree").fit(
        points, sample_weight=weight
    )
    labels = found.labels_.astype(np.int64)
    core = np.zeros(len(points), dtype=bool)
    core[found.core_sample_indices_] = True
    border = np.flatnonzero((labels >= 0) & ~core)
    if len(border):
        core_idx = np.flatnonzero(core)
        nearest = BallTree(points[core_idx]).query(points[border], return_distance=False)
        labels[border] = labels[core_idx[nearest[:, 0]]]
    return labels[position]


def _mode(counts: pd.DataFrame, n_groups: int) -> np.ndarray:
    """The first value of each group in :func:`group_counts` order (most firms, then A-Z)."""
    out = np.full(n_groups, None, dtype=object)
    if len(counts):
        first = counts.drop_duplicates("group")
        out[first["group"].to_numpy(dtype=np.int64)] = first["value"].to_numpy()
    return out


def _per_group_text(counts: pd.DataFrame, n_groups: int) -> np.ndarray:
    out = np.full(n_groups, None, dtype=object)
    text = mix_text(counts)
    if len(text):
        out[text.index.to_numpy(dtype=np.int64)] = text.to_numpy(dtype=object)
    return out


def _summaries(firms: pd.DataFrame, labels: np.ndarray, centres: np.ndarray) -> pd.DataFrame:
    """One row per provisional cluster (index = its label), before naming and ordering."""
    n_groups = len(centres)
    inside = labels >= 0
    lab = labels[inside]
    groups = pd.Series(labels, dtype="object").where(inside, None)
    lat, lon = _lat_lon(centres) if n_groups else (np.empty(0), np.empty(0))
    emp = _numbers(firms, "employees")
    known = inside & ~np.isnan(emp)
    city_counts = group_counts(groups, firms.get("city"))
    country_counts = group_counts(groups, firms.get("country_iso2"))
    return pd.DataFrame(
        {
            "place": _mode(city_counts, n_groups),
            "country_iso2": _mode(country_counts, n_groups),
            "countries": _per_group_text(country_counts, n_groups),
            "firms": np.bincount(lab, minlength=n_groups),
            "employees": np.bincount(labels[known], weights=emp[known], minlength=n_groups),
            "employees_known": np.bincount(labels[known], minlength=n_groups),
            "technology_mix": _per_group_text(
                group_counts(groups, firms.get("technology")), n_groups
            ),
            "cities": _per_group_text(city_counts, n_groups),
            "n_cities": np.bincount(
                city_counts["group"].to_numpy(dtype=np.int64), minlength=n_groups
            ),
            "lat": lat,
            "lon": lon,
        }
    )


def _names(summary: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Display names and ids in the final order: the largest place, numbered when shared."""
    base = [
        str(place) if isinstance(place, str) else f"Cluster at {la:.2f}, {lo:.2f}"
        for place, la, lo in zip(summary["place"], summary["lat"], summary["lon"])
    ]
    seen: dict[str, int] = {}
    names, ids, used = [], [], set()
    for name in base:
        seen[name] = seen.get(name, 0) + 1
        shown = name if seen[name] == 1 else f"{name} ({seen[name]})"
        slug = slugify(shown)
        while slug in used:
            slug += "-x"
        used.add(slug)
        names.append(shown)
        ids.append(slug)
    return names, ids


def _outlines(
    xyz: np.ndarray, labels: np.ndarray, centres: np.ndarray, radius_km: float, outline: Outline
) -> np.ndarray:
    """Each cluster's hull on the gnomonic plane at its centre, widened, back in lon/lat."""
    idx = np.flatnonzero(labels >= 0)
    idx = idx[np.argsort(labels[idx], kind="stable")]
    lab = labels[idx]
    c = centres / np.linalg.norm(centres, axis=1, keepdims=True)
    east = np.cross(np.array([0.0, 0.0, 1.0]), c)
    polar = np.linalg.norm(east, axis=1) < 1e-12
    east[polar] = [0.0, 1.0, 0.0]
    east /= np.linalg.norm(east, axis=1, keepdims=True)
    north = np.cross(c, east)
    p = xyz[idx]
    t = np.einsum("ij,ij->i", p, c[lab])
    x = EARTH_RADIUS_KM * np.einsum("ij,ij->i", p, east[lab]) / t
    y = EARTH_RADIUS_KM * np.einsum("ij,ij->i", p, north[lab]) / t
    points = shapely.multipoints(np.column_stack([x, y]), indices=lab)
    hull = (
        shapely.concave_hull(points, ratio=0.3)
        if outline == "concave"
        else shapely.convex_hull(points)
    )
    shapes = shapely.buffer(hull, OUTLINE_MARGIN * radius_km, quad_segs=4)
    coords, which = shapely.get_coordinates(shapes, return_index=True)
    v = (
        c[which]
        + (coords[:, :1] / EARTH_RADIUS_KM) * east[which]
        + (coords[:, 1:] / EARTH_RADIUS_KM) * north[which]
    )
    lat, lon = _lat_lon(v)
    return shapely.set_coordinates(shapes, np.column_stack([lon, lat]))


def _method(radius_km: float, min_firms: int, n: int, left_out: int, k: int, isolated: int) -> str:
    km = fmt_decimal(radius_km, 3)
    rule = _(
        "Clusters detected from the firms' own coordinates (DBSCAN): a firm with at least "
        "{min_firms} firms, itself included, within {radius} km (great-circle distance) is a "
        "core firm; core firms within {radius} km of each other form one cluster; other firms "
        "within {radius} km of a core firm join the cluster of the nearest one."
    ).format(min_firms=fmt_int(min_firms), radius=km)
    found = ngettext("Found {n} cluster;", "Found {n} clusters;", k).format(n=fmt_int(k))
    alone = ngettext(
        "{n} firm is isolated (in no cluster).", "{n} firms are isolated (in no cluster).", isolated
    ).format(n=fmt_int(isolated))
    parts = [rule, found, alone]
    if left_out:
        parts.append(
            ngettext(
                "{n} of {total} firms was left out for lack of coordinates of their own "
                "(placed at a city centre by geocoding, or none at all).",
                "{n} of {total} firms were left out for lack of coordinates of their own "
                "(placed at a city centre by geocoding, or none at all).",
                left_out,
            ).format(n=fmt_int(left_out), total=fmt_int(n))
        )
    parts.append(
        _(
            "Each cluster is named after the city most of its firms are in; its outline is the "
            "hull of its firms widened by {margin} km. The same firms and parameters give the "
            "same clusters."
        ).format(margin=fmt_decimal(OUTLINE_MARGIN * radius_km, 3))
    )
    return " ".join(parts)


def detect_clusters(
    firms: pd.DataFrame,
    radius_km: float = 15.0,
    min_firms: int = 5,
    *,
    geocoding: pd.DataFrame | None = None,
    outline: Outline = "convex",
) -> Detection:
    """Detect clusters where firms concentrate (see the module docstring for the rule).

    Parameters
    ----------
    firms : DataFrame
        Firm rows (``UploadResult.firms``): ``lat``, ``lon`` and, where known,
        ``row``, ``city``, ``country_iso2``, ``employees``, ``technology``.
    radius_km : float
        Reach of a firm in kilometres, from :data:`MIN_RADIUS_KM` to :data:`MAX_RADIUS_KM`.
    min_firms : int
        Firms (itself included) a firm needs within reach to be a core firm;
        at least :data:`MIN_MIN_FIRMS`.
    geocoding : DataFrame, optional
        The upload's geocoding table; firms it placed at a city centre are left
        out (:func:`city_centre_firms`).
    outline : {"convex", "concave"}
        Hull of a cluster's outline.

    Returns
    -------
    Detection

    Raises
    ------
    ValueError
        For parameters out of range.
    DataError
        When the radius is so large for the register that detection would not
        fit in memory (the message suggests a smaller one).
    """
    radius, k = _check_parameters(radius_km, min_firms)
    if outline not in ("convex", "concave"):
        raise ValueError(f"outline must be 'convex' or 'concave', not {outline!r}.")
    lat, lon = _numbers(firms, "lat"), _numbers(firms, "lon")
    own = _own_positions(lat, lon) & ~city_centre_firms(firms, geocoding)
    labels = np.full(len(firms), LEFT_OUT, dtype=np.int64)
    use = np.flatnonzero(own)
    raw = _dbscan(lat[use], lon[use], radius, k) if len(use) else np.empty(0, np.int64)
    n_groups = int(raw.max(initial=-1)) + 1
    xyz = _unit_vectors(lat[use], lon[use])
    centres = np.column_stack(
        [np.bincount(raw[raw >= 0], weights=xyz[raw >= 0, i], minlength=n_groups) for i in range(3)]
    )
    summary = _summaries(firms.iloc[use].reset_index(drop=True), raw, centres)
    order = _largest_first(summary)
    rank = np.empty(n_groups, dtype=np.int64)
    rank[order] = np.arange(n_groups)
    final = np.full(len(raw), ISOLATED, dtype=np.int64)
    final[raw >= 0] = rank[raw[raw >= 0]]
    labels[use] = final
    summary = summary.iloc[order].reset_index(drop=True)
    names, ids = _names(summary)
    geometry = (
        _outlines(xyz, final, centres[order], radius, outline) if n_groups else np.empty(0, object)
    )
    table = summary.drop(columns="place").assign(cluster_id=ids, cluster_name=names)
    table["employees"] = (
        pd.Series(table["employees"]).round().astype("Int64").where(table["employees_known"] > 0)
    )
    for col in ("country_iso2", "countries", "technology_mix", "cities"):
        table[col] = table[col].astype("string")
    clusters = gpd.GeoDataFrame(table[list(DETECTED_COLUMNS)], geometry=geometry, crs="EPSG:4326")
    return Detection(clusters, labels, radius, k)


def _own_positions(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Which firms have a usable position of their own (finite, on the globe)."""
    return np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)


def _largest_first(summary: pd.DataFrame) -> np.ndarray:
    """Order of detected groups: most firms first, then place name and position (stable)."""
    return (
        summary.assign(_place=summary["place"].fillna("\uffff"))
        .sort_values(
            ["firms", "_place", "lat", "lon"], ascending=[False, True, True, True], kind="mergesort"
        )
        .index.to_numpy()
    )


def city_crosswalk(firms: pd.DataFrame, detection: Detection) -> pd.DataFrame:
    """The city grouping beside the detected clusters: where each city's firms went.

    Parameters
    ----------
    firms : DataFrame
        The register :func:`detect_clusters` ran on (same rows, same order).
    detection : Detection

    Returns
    -------
    DataFrame
        One row per city and country (:data:`CROSSWALK_COLUMNS`), most firms
        first: its firms, how many are in detected clusters, those clusters
        (``"Dortmund 30, Bochum 2"`` by cluster name), isolated and left-out firms.
    """
    if len(detection.labels) != len(firms):
        raise ValueError("The detection was run on another register (its firm count differs).")
    city = firms.get("city", pd.Series(pd.NA, index=firms.index)).astype("string").str.strip()
    country = firms.get("country_iso2", pd.Series(pd.NA, index=firms.index)).astype("string")
    key = pd.DataFrame({"city": city.to_numpy(), "country_iso2": country.to_numpy()})
    key = key.fillna({"city": "(no city)", "country_iso2": ""})
    lab = detection.labels
    names = np.asarray(detection.clusters["cluster_name"], dtype=object)
    key["cluster"] = np.where(lab >= 0, names[np.maximum(lab, 0)] if len(names) else None, None)
    key["in"], key["iso"], key["out"] = lab >= 0, lab == ISOLATED, lab == LEFT_OUT
    group = key["city"] + "\x1f" + key["country_iso2"]
    agg = key.groupby(group.to_numpy(), sort=False).agg(
        city=("city", "first"),
        country_iso2=("country_iso2", "first"),
        firms=("in", "size"),
        in_clusters=("in", "sum"),
        isolated=("iso", "sum"),
        left_out=("out", "sum"),
    )
    text = mix_text(group_counts(group.to_numpy(), key["cluster"]))
    agg["clusters"] = text.reindex(agg.index).astype("string")
    agg["country_iso2"] = agg["country_iso2"].replace("", pd.NA).astype("string")
    agg = agg.sort_values(["firms", "city"], ascending=[False, True], kind="mergesort")
    return agg[list(CROSSWALK_COLUMNS)].reset_index(drop=True)
