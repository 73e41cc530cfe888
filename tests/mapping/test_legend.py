"""The map legend and the saved map's title and data line, in English and German."""

from __future__ import annotations

import pandas as pd

from mstatlas.i18n import _, language
from mstatlas.mapping.legend import data_line, export_overlay_html, size_legend_html


def points(values):
    return pd.DataFrame(
        {
            "value": values,
            "counts_what": ["cluster_firms"] * len(values),
            "source_title": ["Register (Kammer, 2019)"] * len(values),
            "year": [2019] * len(values),
        }
    )


def test_size_legend_in_german_with_german_numbers():
    with language("de"):
        html_de = size_legend_html(25000, 0.2, "employees")
    # nice_steps(25,000): 20,000, then at most a quarter of it: 5,000, then 1,000
    assert "Beschäftigte (Kreisfläche)" in html_de
    assert 'alt="Beschäftigte: Kreise für 20.000, 5.000, 1.000"' in html_de
    assert "Employees (circle area)" in size_legend_html(25000, 0.2, "employees")


def test_saved_map_title_and_data_line_in_german():
    p = points([2100.0, None])
    with language("de"):
        overlay = export_overlay_html(p, "employees")
        line = data_line(p)
        shared = [_("no figure reported"), _("MST Atlas of Europe")]  # texts the static map shares
    assert "2 Cluster, 1 mit einer Beschäftigtenzahl." in overlay
    assert "Vollständige Angaben: MST Atlas, Clusterprofile und „Daten &amp; Quellen“." in overlay
    assert all(text in overlay for text in shared) and shared[0] != "no figure reported"
    assert line == "Daten: Kammer (2019)."
    english = export_overlay_html(p, "employees")
    assert "2 clusters, 1 with an employees figure." in english
    assert "cluster profiles and “Data &amp; sources”." in english
