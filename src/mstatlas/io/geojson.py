"""GeoJSON files: feature properties as text cells, point geometry as lat/lon."""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from mstatlas.data.validate import Problem
from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.encoding import decode
from mstatlas.io.raw import Raw, cell_text


def read_geojson(data: bytes, filename: str) -> Raw:
    """A GeoJSON file as one row of text cells per feature, with its point.

    A FeatureCollection, a single Feature or a plain list of objects (rows
    without geometry) is read. A Point gives lat/lon; another geometry gives
    a point inside it (with a warning); a geometry that cannot be read refuses
    its row. Nested property values are kept as JSON text.

    Parameters
    ----------
    data : bytes
        The whole file.
    filename : str
        The file's name as messages show it.

    Returns
    -------
    Raw
        The properties (row ``i`` is feature ``i``, counted from 1) and ``geom``
        with lat/lon per feature (NaN without a geometry).

    Raises
    ------
    mstatlas.errors.DataError
        Invalid JSON, JSON that is not GeoJSON, or a coordinate system other
        than WGS 84.
    """
    text, encoding = decode(data, filename)
    try:
        # control characters inside strings are read (and cleaned later), not refused
        doc = json.loads(text.lstrip("\ufeff"), strict=False)
    except json.JSONDecodeError as exc:
        raise DataError(
            _(
                "The file {filename} is not valid JSON (line {lineno}, column {colno}: {msg}); "
                "export the GeoJSON again."
            ).format(filename=filename, lineno=exc.lineno, colno=exc.colno, msg=exc.msg)
        ) from None
    features = _features(doc, filename)
    props, lat, lon, problems, rejected = [], [], [], [], []
    for i, feat in enumerate(features):
        p = feat.get("properties") if isinstance(feat, dict) else None
        props.append(_properties(p or {}))
        g = feat.get("geometry") if isinstance(feat, dict) else None
        y, x, problem = _point(g, i + 1)
        if problem is not None:
            problems.append(problem)
        lat.append(y)
        lon.append(x)
        rejected.append(problem is not None and problem.severity == "error")
    frame = pd.DataFrame(props).fillna("")
    frame = frame.astype(pd.StringDtype("pyarrow")) if len(frame.columns) else frame
    if not len(frame.columns):
        frame = pd.DataFrame(index=range(len(features)))
    geom = pd.DataFrame({"lat": lat, "lon": lon}, dtype="float64")
    return Raw(
        frame=frame,
        rows=np.arange(1, len(features) + 1, dtype=np.int64),
        detected={
            "format": "geojson",
            "encoding": encoding,
            "separator": None,
            "sheet": None,
            "sheets": [],
            "hidden_sheets": [],
            "header_row": None,
        },
        problems=problems,
        rejected=np.asarray(rejected, dtype=bool),
        geom=geom,
    )


def _features(doc: Any, filename: str) -> list[Any]:
    """The features of a parsed GeoJSON document, its coordinate system checked."""
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        features = [doc]
    elif isinstance(doc, dict) and isinstance(doc.get("features"), list):
        features = doc["features"]
    elif isinstance(doc, list) and all(isinstance(x, dict) for x in doc):
        features = [{"type": "Feature", "properties": x, "geometry": None} for x in doc]
    else:
        raise DataError(
            _(
                "The file {filename} is JSON but not GeoJSON: expected a FeatureCollection with "
                "a 'features' list."
            ).format(filename=filename)
        )
    crs = doc.get("crs") if isinstance(doc, dict) else None
    if isinstance(crs, dict):
        name = str((crs.get("properties") or {}).get("name", ""))
        if name and not re.search(r"CRS84|4326", name):
            raise DataError(
                _(
                    "The GeoJSON file {filename} uses the coordinate system {name}; export it in WGS "
                    "84 (EPSG:4326) longitude/latitude."
                ).format(filename=filename, name=name)
            )
    return features


def _properties(p: Any) -> dict[str, str]:
    """A feature's properties as text cells; nested values as JSON text."""
    return {
        str(k): (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else cell_text(v))
        for k, v in p.items()
    }


def _point(g: Any, row: int) -> tuple[float, float, Problem | None]:
    """``(lat, lon, problem)`` of a feature's geometry (NaN without one).

    The problem is a warning for a geometry other than a Point (a point inside
    it is used) and an error, refusing the row, for one that cannot be read.
    """
    y = x = float("nan")
    if not isinstance(g, dict):
        return y, x, None
    gtype = g.get("type")
    try:
        if gtype == "Point":
            return float(g["coordinates"][1]), float(g["coordinates"][0]), None
        from shapely.geometry import shape

        pt = shape(g).representative_point()
        y, x = pt.y, pt.x
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        return (
            y,
            x,
            Problem(
                row,
                "geometry",
                json.dumps(g)[:80],
                _(
                    "the geometry cannot be read ({error}); give a Point with [longitude, latitude]"
                ).format(error=type(exc).__name__),
            ),
        )
    problem = Problem(
        row,
        "geometry",
        str(gtype),
        _("the geometry is a {gtype}; a point inside it was used").format(gtype=gtype),
        "warning",
    )
    return y, x, problem
