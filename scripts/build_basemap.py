"""Build ``data/europe_countries.geojson`` from Natural Earth (public domain).

The source is Natural Earth's 1:110m "admin 0 countries" layer as shipped in
the ``pyogrio`` package's test fixtures (``naturalearth_lowres``), so no
network is needed. Countries are clipped to Europe, simplified and rounded so
the basemap stays small in the page (see the data README).

Run: ``python scripts/build_basemap.py``
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pyogrio
from shapely.geometry import box, mapping

BBOX = (-32.0, 30.0, 65.0, 72.0)  # lon/lat window shown by the atlas
TOLERANCE_DEG = 0.02  # about 1-2 km; far below what a Europe-wide view shows
DECIMALS = 2


def _round(coords: object) -> object:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), DECIMALS) for c in coords]
        return [_round(c) for c in coords]
    return coords


def main() -> None:
    src = (
        Path(pyogrio.__file__).parent / "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"
    )
    world = gpd.read_file(src)
    window = box(*BBOX)
    eu = world[world.intersects(window)].copy()
    eu["geometry"] = eu.geometry.intersection(window).simplify(
        TOLERANCE_DEG, preserve_topology=True
    )
    eu = eu[~eu.geometry.is_empty]
    features = []
    for _, row in eu.sort_values("name").iterrows():
        geom = mapping(row.geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": row["name"]},
                "geometry": {"type": geom["type"], "coordinates": _round(geom["coordinates"])},
            }
        )
    out = Path(__file__).resolve().parents[1] / "data" / "europe_countries.geojson"
    out.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")),
        encoding="utf-8",
    )
    print(f"wrote {out.name}: {len(features)} countries, {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
