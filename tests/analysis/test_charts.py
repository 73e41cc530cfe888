"""The ranking chart draws names without bidirectional controls, on the page and in exports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from cluster_tables import cluster_table

from mstatlas.analysis import charts
from mstatlas.analysis.filters import Filters
from mstatlas.analysis.ranking import rank_clusters

#: U+202E draws what follows reversed: "Cluster\u202egnp.exe" reads "Clusterexe.png".
SPOOF = "Cluster\u202egnp.exe"
#: The controls, raw or as a JSON escape (Altair's JSON may write either).
CONTROL = re.compile(
    r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]|\\u(?:202[a-e]|206[6-9]|200[ef]|061c)", re.I
)


@dataclass
class View:
    mixed: bool = False
    top: int = 10
    flt: Filters = field(default_factory=Filters)

    def filters(self) -> Filters:
        return self.flt


def _chart():
    table = cluster_table(
        [
            {"cluster_id": "a", "cluster_name": SPOOF, "firms": 40, "year": 2020,
             "source_title": "Survey \u2067of\u2069 firms"},
            {"cluster_id": "b", "cluster_name": "Ruhr\u200f", "firms": 12, "year": 2019,
             "source_title": "Register"},
        ]
    )  # fmt: skip
    top = rank_clusters(table, by="firms")
    return charts.ranking_chart(top, "firms", len(top), View(), "Uploads \u202eevil")


def test_chart_spec_holds_no_bidi_control():
    chart, footer = _chart()
    spec = charts.export_spec(chart, footer)
    assert not CONTROL.search(spec)
    assert "Clustergnp.exe" in spec and "Dataset: Uploads evil." in spec


def test_exported_svg_shows_the_name_in_stored_order():
    chart, footer = _chart()
    svg = charts.chart_svg(charts.export_spec(chart, footer))
    assert not CONTROL.search(svg)
    texts = " ".join("".join(t.itertext()) for t in ET.fromstring(svg).iter())
    assert "1. Clustergnp.exe" in texts
    assert "Survey of firms (2020)" in texts


def test_chart_texts_and_axis_numbers_in_german():
    import json

    from mstatlas.i18n import language

    table = cluster_table(
        [
            {"cluster_id": "a", "cluster_name": "Alpha", "firms": 2400, "year": 2020,
             "firms_qualifier": "about", "source_title": "Register"},
            {"cluster_id": "b", "cluster_name": "Beta", "firms": 12, "year": 2019},
        ]
    )  # fmt: skip
    flt = Filters(min_employees=1500)
    with language("de"):
        top = rank_clusters(table, by="firms")
        chart, footer = charts.ranking_chart(top, "firms", len(top), View(flt=flt), "Atlas")
        spec = json.loads(charts.export_spec(chart, footer))
        svg = charts.chart_svg(json.dumps(spec))
    title = " ".join(spec["vconcat"][0]["title"]["text"])
    assert title.startswith("Größte MST-Cluster nach Firmen")
    subtitle = " ".join(spec["vconcat"][0]["title"]["subtitle"])
    assert "Alle 2 gereihten Cluster. Datensatz: Atlas." in subtitle
    assert "mindestens 1.500 Beschäftigte" in subtitle
    assert footer[0].startswith("Zahlen so, wie ihre Quellen sie angeben (≈ etwa)")
    assert spec["config"]["locale"]["number"]["thousands"] == "."
    texts = " ".join("".join(t.itertext()) for t in ET.fromstring(svg).iter())
    assert "≈ 2.400 (2020)" in texts  # the bar's label
    assert "2.000" in texts  # an axis tick (0 to 2,400 in steps of 500), German style
