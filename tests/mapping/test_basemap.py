"""The zoomed-in basemap files: how they are built, what they hold, their size, how they are served."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from shapely.geometry import Point, shape

from mstatlas.mapping import basemap

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
_spec = importlib.util.spec_from_file_location("build_basemap", ROOT / "scripts/build_basemap.py")
assert _spec and _spec.loader
build_basemap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_basemap)

#: Payload budget (data/README.md): the map's strings grow by the loader script only;
#: the parts the browser fetches as it zooms stay small, the first one smallest.
FINE_BUDGET = 160_000
PLACES_BUDGET = 320_000
FIRST_PART_BUDGET = 40_000
PART_BUDGET = 120_000
COARSE_SIZE = 36_266  # the 1:110m outlines every map carries, unchanged


def places() -> dict:
    return json.loads((DATA / basemap.PLACES_FILE).read_text(encoding="utf-8"))


def test_files_exist_and_stay_within_budget():
    fine = DATA / basemap.FINE_OUTLINES_FILE
    assert 0 < fine.stat().st_size <= FINE_BUDGET
    assert 0 < (DATA / basemap.PLACES_FILE).stat().st_size <= PLACES_BUDGET
    assert (DATA / "europe_countries.geojson").stat().st_size == COARSE_SIZE
    parts = basemap.served_files()
    first = basemap.tier_file(basemap.PLACE_TIERS[0][0])
    assert len(parts[first].encode()) <= FIRST_PART_BUDGET
    rest = [t for name, t in parts.items() if name not in (first, basemap.FINE_OUTLINES_FILE)]
    assert len(rest) == len(basemap.PLACE_TIERS) - 1
    assert all(len(text.encode()) <= PART_BUDGET for text in rest)


def test_places_are_sorted_by_rank_capitals_first():
    p = places()
    n = len(p["name"])
    assert len(p["lat"]) == len(p["lon"]) == len(p["pop"]) == len(p["z"]) == n > 5_000
    caps = p["capital"]
    assert caps == list(range(len(caps)))  # capitals lead
    assert "Berlin" in [p["name"][i] for i in caps] and "Vaduz" not in p["name"][: len(caps)]
    for lo, hi in ((0, len(caps)), (len(caps), n)):
        pops = p["pop"][lo:hi]
        assert all(a >= b for a, b in zip(pops, pops[1:], strict=False)), "population order"
    assert all(3 <= z <= 12 for z in p["z"])


def test_dortmund_and_its_neighbours_are_labelled_by_zoom_10():
    p = places()
    at = {name: i for i, name in reversed(list(enumerate(p["name"])))}
    i = at["Dortmund"]
    assert p["lat"][i] == pytest.approx(51.514, abs=0.01)
    assert p["lon"][i] == pytest.approx(7.466, abs=0.01)
    assert p["pop"][i] > 500_000 and p["z"][i] <= 10
    for town in ("Bochum", "Unna", "Lünen", "Witten", "Schwerte", "Hagen"):
        assert p["z"][at[town]] <= 10, town
    assert p["z"][at["Berlin"]] == 3  # capitals at the continent view


def _place(name: str, lat: float, lon: float, pop: int, capital: bool = False) -> dict:
    return {"name": name, "latitude": lat, "longitude": lon, "population": pop, "capital": capital}


def test_label_zooms_by_hand():
    # B is 1 degree south of A on the equator: 0.711 * 2**z px apart, labels 22 px tall
    # with their gap, so they collide at zoom 4 (11.4 px) and clear at zoom 5 (22.8 px).
    # A (900,000 people) qualifies from zoom 4 (700,000); C (20,000) only from zoom 9;
    # a capital qualifies at once whatever its size.
    got = build_basemap.label_zooms(
        [
            _place("D", 0.0, 100.0, 16_000, capital=True),
            _place("A", 0.0, 0.0, 900_000),
            _place("B", -1.0, 0.0, 800_000),
            _place("C", 40.0, 40.0, 20_000),
        ]
    )
    assert got == [3, 4, 5, 9]
    assert 256 * 2**4 / 360 < 22 < 256 * 2**5 / 360  # the hand computation's premise


def test_a_label_never_fits_when_a_bigger_place_sits_on_it():
    same = [_place("Big", 50.0, 8.0, 2_000_000), _place("Twin", 50.0, 8.0, 30_000)]
    assert build_basemap.label_zooms(same) == [3, None]


def test_fine_outlines_decode_round_trip_and_cover_dortmund():
    square = [[[7.0, 51.0], [8.25, 51.0], [8.25, 52.125], [7.0, 52.125], [7.0, 51.0]]]
    feature = {
        "type": "Feature",
        "properties": {"name": "Test"},
        "geometry": {"type": "Polygon", "coordinates": square},
    }
    enc = build_basemap.encode_outlines([feature])
    # first point absolute, then steps, in thousandths of a degree
    assert enc["shape"][0][0][0][:4] == [7000, 51000, 1250, 0]
    back = basemap.decode_outlines(enc)["features"][0]["geometry"]
    assert back == {"type": "MultiPolygon", "coordinates": [square]}
    fine = basemap.decode_outlines(basemap.load_fine_outlines())
    germany = next(f for f in fine["features"] if f["properties"]["name"] == "Germany")
    assert shape(germany["geometry"]).contains(Point(7.466, 51.514))
    coarse = json.loads((DATA / "europe_countries.geojson").read_text(encoding="utf-8"))
    de110 = next(f for f in coarse["features"] if f["properties"]["name"] == "Germany")
    # finer: more corners along the same border, same area within a few per cent
    assert len(json.dumps(germany)) > 3 * len(json.dumps(de110))
    ratio = shape(germany["geometry"]).area / shape(de110["geometry"]).area
    assert ratio == pytest.approx(1.0, abs=0.05)


def test_place_tiers_split_the_table_in_rank_order():
    p = places()
    parts = basemap.place_tiers(p)
    assert list(parts) == [basemap.tier_file(lo) for lo, _ in basemap.PLACE_TIERS]
    names = [n for part in parts.values() for n in part["n"]]
    assert sorted(names) == sorted(p["name"])
    first = parts[basemap.tier_file(3)]
    assert max(first["z"]) <= 7 and first["n"][0] == p["name"][0]
    big = {first["n"][k] for k in first["b"]}
    assert {"Berlin", "Paris", "Reykjavík", "Hamburg"} <= big  # capitals and million cities
    assert "Dortmund" not in big  # 588,462 people


def test_install_writes_the_parts_once_and_skips_missing_data(tmp_path, monkeypatch):
    target = basemap.install_basemap(tmp_path / "static")
    files = sorted(f.name for f in target.iterdir())
    assert files == sorted(basemap.served_files())
    served = json.loads((target / basemap.tier_file(10)).read_text(encoding="utf-8"))
    assert set(served) == {"n", "la", "lo", "z", "b"} and min(served["z"]) >= 10
    stamp = {f: f.stat().st_mtime_ns for f in target.iterdir()}
    basemap.install_basemap(tmp_path / "static")
    assert {f: f.stat().st_mtime_ns for f in target.iterdir()} == stamp
    monkeypatch.setenv("MSTATLAS_DATA_DIR", str(tmp_path / "no-data"))
    assert list(basemap.install_basemap(tmp_path / "other").iterdir()) == []
