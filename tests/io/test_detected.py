from __future__ import annotations

import dataclasses
import io
import json

import pandas as pd
import pytest

from mstatlas.data.templates import template_xlsx
from mstatlas.io import Detected, read_upload


def test_from_dict_types_what_was_noted_down():
    d = Detected.from_dict(
        {"format": "xlsx", "sheet": "Daten", "sheets": ("Info", "Daten"), "header_row": 4}
    )
    assert (d.format, d.sheet, d.sheets, d.header_row) == ("xlsx", "Daten", ["Info", "Daten"], 4)
    assert d.hidden_sheets == [] and d.number_formats == {} and d.encoding is None


def test_missing_lists_are_empty_lists():
    d = Detected.from_dict({"format": "csv", "sheets": None, "number_formats": None})
    assert d.sheets == [] and d.number_formats == {}


def test_a_name_that_is_not_a_field_is_refused():
    with pytest.raises(ValueError, match="Detected has no field colour"):
        Detected.from_dict({"format": "csv", "colour": "red"})


CSV = "Bezeichnung;Stadt;lat;lon;Beschäftigte\nA;Jena;50,9;11,6;2.100\n".encode("cp1252")


def test_a_csv_upload():
    d = read_upload(CSV, filename="c.csv").detected
    assert (d.format, d.encoding, d.separator, d.separator_name) == (
        "csv",
        "cp1252",
        ";",
        "semicolon",
    )
    assert (d.decimal, d.thousands, d.header_row) == (",", ".", 1)
    assert d.number_formats == {"lat": ",", "lon": ",", "Beschäftigte": ","}
    assert d.kind_detected == "clusters" and d.sheet is None
    json.dumps(dataclasses.asdict(d))  # the CLI prints it as JSON


@pytest.mark.parametrize("fmt", ["xlsx", "geojson", "parquet"])
def test_every_format_s_findings_fit(fmt):
    if fmt == "xlsx":
        data = template_xlsx()
    elif fmt == "geojson":
        data = json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [11.6, 50.9]},
                        "properties": {"name": "A"},
                    }
                ],
            }
        ).encode()
    else:
        buf = io.BytesIO()
        pd.DataFrame({"name": ["A"], "lat": [50.9], "lon": [11.6]}).to_parquet(buf)
        data = buf.getvalue()
    assert read_upload(data, filename=f"f.{fmt}").detected.format == fmt
