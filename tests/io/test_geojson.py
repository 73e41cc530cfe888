"""GeoJSON reading (mstatlas.io.geojson)."""

import json
import math

import pytest

from mstatlas.errors import DataError
from mstatlas.io.geojson import read_geojson


def feature(props, geometry=None):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features, **extra):
    return json.dumps({"type": "FeatureCollection", "features": list(features), **extra}).encode()


def test_points_null_geometry_and_nested_properties():
    data = collection(
        feature({"name": "Dortmund", "firms": 39.0}, {"type": "Point", "coordinates": [7.4, 51.5]}),
        feature({"name": "Nowhere", "tags": ["a", "ä"]}),
    )
    raw = read_geojson(data, "c.geojson")
    assert raw.frame.astype(object).values.tolist() == [
        ["Dortmund", "39", ""],
        ["Nowhere", "", '["a", "ä"]'],
    ]
    assert raw.rows.tolist() == [1, 2]
    assert raw.geom["lat"][0] == 51.5 and raw.geom["lon"][0] == 7.4
    assert math.isnan(raw.geom["lat"][1]) and math.isnan(raw.geom["lon"][1])
    assert raw.rejected.tolist() == [False, False]
    assert raw.problems == []


def test_polygon_gives_a_point_inside_with_a_warning():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]]}
    raw = read_geojson(collection(feature({"name": "Sq"}, square)), "p.geojson")
    assert 0 < raw.geom["lon"][0] < 2 and 0 < raw.geom["lat"][0] < 2
    (p,) = raw.problems
    assert (p.row, p.severity) == (1, "warning")
    assert p.reason == "the geometry is a Polygon; a point inside it was used"


def test_unreadable_geometry_refuses_its_row():
    raw = read_geojson(
        collection(
            feature({"name": "Bad"}, {"type": "Point", "coordinates": []}),
            feature({"name": "Good"}, {"type": "Point", "coordinates": [1, 2]}),
        ),
        "b.geojson",
    )
    assert raw.rejected.tolist() == [True, False]
    assert raw.problems[0].reason.startswith("the geometry cannot be read (IndexError)")


def test_a_plain_list_of_objects_is_rows_without_geometry():
    raw = read_geojson(b'[{"name": "A", "city": "Bonn"}]', "l.json")
    assert raw.frame.astype(object).values.tolist() == [["A", "Bonn"]]


def test_other_coordinate_systems_and_other_json_are_refused():
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}}
    with pytest.raises(DataError, match="uses the coordinate system urn:ogc:def:crs:EPSG::25832"):
        read_geojson(collection(feature({"name": "A"}), crs=crs), "u.geojson")
    with pytest.raises(DataError, match="is JSON but not GeoJSON"):
        read_geojson(b'{"a": 1}', "x.json")
    with pytest.raises(DataError, match=r"is not valid JSON \(line 1, column 2"):
        read_geojson(b"{,", "x.json")
