"""Deterministic synthetic data spread over Europe, in the canonical schemas.

Clusters follow :data:`mstatlas.data.schema.COLUMNS` (one reported figure per
cluster, so every cluster is exactly one symbol); firm points have the columns
``firm_points`` draws (lat, lon, name, technology, employees).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mstatlas.data.schema import COLUMNS, COUNTS_WHAT

#: Bounding window the generated points stay inside (lat_min, lat_max, lon_min, lon_max).
EUROPE_WINDOW = (35.0, 71.0, -11.0, 32.0)

#: Centres points gather around: (city, ISO 3166-1 alpha-2, lat, lon).
CITIES: tuple[tuple[str, str, float, float], ...] = (
    ("Dortmund", "DE", 51.51, 7.47),
    ("Dresden", "DE", 51.05, 13.74),
    ("Munich", "DE", 48.14, 11.58),
    ("Stuttgart", "DE", 48.78, 9.18),
    ("Berlin", "DE", 52.52, 13.40),
    ("Jena", "DE", 50.93, 11.59),
    ("Freiburg", "DE", 47.99, 7.85),
    ("Hamburg", "DE", 53.55, 9.99),
    ("Grenoble", "FR", 45.19, 5.72),
    ("Besançon", "FR", 47.24, 6.02),
    ("Paris", "FR", 48.86, 2.35),
    ("Toulouse", "FR", 43.60, 1.44),
    ("Eindhoven", "NL", 51.44, 5.47),
    ("Delft", "NL", 52.01, 4.36),
    ("Leuven", "BE", 50.88, 4.70),
    ("Neuchâtel", "CH", 46.99, 6.93),
    ("Zurich", "CH", 47.38, 8.54),
    ("Vienna", "AT", 48.21, 16.37),
    ("Graz", "AT", 47.07, 15.44),
    ("Milan", "IT", 45.46, 9.19),
    ("Bologna", "IT", 44.49, 11.34),
    ("Barcelona", "ES", 41.39, 2.17),
    ("Madrid", "ES", 40.42, -3.70),
    ("Lisbon", "PT", 38.72, -9.14),
    ("Cambridge", "GB", 52.21, 0.12),
    ("Edinburgh", "GB", 55.95, -3.19),
    ("Dublin", "IE", 53.35, -6.26),
    ("Copenhagen", "DK", 55.68, 12.57),
    ("Gothenburg", "SE", 57.71, 11.97),
    ("Stockholm", "SE", 59.33, 18.07),
    ("Oslo", "NO", 59.91, 10.75),
    ("Helsinki", "FI", 60.17, 24.94),
    ("Warsaw", "PL", 52.23, 21.01),
    ("Łódź", "PL", 51.76, 19.46),
    ("Prague", "CZ", 50.08, 14.44),
    ("Brno", "CZ", 49.20, 16.61),
    ("Budapest", "HU", 47.50, 19.04),
    ("Bucharest", "RO", 44.43, 26.10),
    ("Athens", "GR", 37.98, 23.73),
    ("Tallinn", "EE", 59.44, 24.75),
)

TECHNOLOGIES: tuple[str, ...] = (
    "MEMS sensors",
    "Microfluidics",
    "Micro-optics",
    "Packaging",
    "Medical microsystems",
    "Precision engineering",
    "Nanomaterials",
)

SOURCE_TITLE = "Synthetic benchmark data (MST Atlas benchmarks/synth.py)"


def _positions(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points around the cities (85 %) or spread over the window (15 %), clipped to it."""
    lat_min, lat_max, lon_min, lon_max = EUROPE_WINDOW
    city = rng.integers(0, len(CITIES), size=n)
    c_lat = np.array([c[2] for c in CITIES])[city]
    c_lon = np.array([c[3] for c in CITIES])[city]
    spread = rng.random(n) < 0.15
    lat = np.where(spread, rng.uniform(40.0, 62.0, n), c_lat + rng.normal(0.0, 0.35, n))
    lon = np.where(spread, rng.uniform(-8.0, 28.0, n), c_lon + rng.normal(0.0, 0.55, n))
    lat = np.clip(lat, lat_min, lat_max)
    lon = np.clip(lon, lon_min, lon_max)
    return lat, lon, city


def synthetic_clusters(n: int, seed: int = 2024) -> pd.DataFrame:
    """``n`` synthetic clusters, one reported figure each, in the canonical column order.

    Parameters
    ----------
    n : int
        Number of clusters (and rows).
    seed : int
        Seed of the random generator; the same ``(n, seed)`` gives the same table.

    Returns
    -------
    DataFrame
        Columns :data:`mstatlas.data.schema.COLUMNS`, plain dtypes, ready for
        ``to_csv`` or :func:`mstatlas.data.schema.coerce_clusters`.
    """
    rng = np.random.default_rng(seed)
    lat, lon, city = _positions(n, rng)
    firms = np.maximum(1, rng.lognormal(3.0, 1.0, n).round()).astype(int)
    employees = np.maximum(firms, (firms * rng.lognormal(3.0, 0.8, n)).round()).astype(int)
    kinds = list(COUNTS_WHAT)
    weights = np.array([0.55, 0.15, 0.1, 0.02, 0.08, 0.05, 0.05])
    counts_what = rng.choice(kinds, size=n, p=weights / weights.sum())
    year = rng.integers(2005, 2025, size=n).astype(object)
    year[rng.random(n) < 0.1] = None
    names = [CITIES[c][0] for c in city]
    frame = pd.DataFrame(
        {
            "cluster_id": [f"syn-{i:06d}" for i in range(n)],
            "cluster_name": [f"{name} MST cluster {i}" for i, name in enumerate(names)],
            "city": names,
            "region": "",
            "country_iso2": [CITIES[c][1] for c in city],
            "lat": lat.round(5),
            "lon": lon.round(5),
            "firms": firms,
            "employees": employees,
            "firms_qualifier": "",
            "employees_qualifier": "",
            "counts_what": counts_what,
            "year": year,
            "organisation": "",
            "ivam_benchmark_2007": False,
            "source_title": SOURCE_TITLE,
            "source_url": "",
            "note": "",
            "scope": "",
            "region_employment": None,
        }
    )
    return frame[list(COLUMNS)]


def synthetic_firms(n: int, seed: int = 2025) -> pd.DataFrame:
    """``n`` synthetic firms (lat, lon, name, technology, employees); 10 % without technology."""
    rng = np.random.default_rng(seed)
    lat, lon, city = _positions(n, rng)
    tech = rng.choice(np.array(TECHNOLOGIES, dtype=object), size=n)
    tech[rng.random(n) < 0.1] = None
    return pd.DataFrame(
        {
            "lat": lat.round(5),
            "lon": lon.round(5),
            "name": [f"{CITIES[c][0]} Microsystems {i}" for i, c in enumerate(city)],
            "technology": tech,
            "employees": np.maximum(1, rng.lognormal(2.5, 1.2, n).round()).astype(int),
        }
    )
