"""The offline map file says what it shows: legend, title, sources with years, position."""

from __future__ import annotations

import re

import pandas as pd

from mstatlas import build_map, load_clusters, standalone_html
from mstatlas.data.schema import coerce_clusters
from mstatlas.mapping.build import map_points

URL = re.compile(r"""(?:https?:)?//[\w.-]+""", re.I)
CDN = re.compile(r"unpkg|jsdelivr|cdnjs|googleapis|bootstrapcdn|code\.jquery|cdn\.", re.I)


def body_text(html: str) -> str:
    """The page's visible text, roughly: tags and scripts removed, entities left as they are."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_offline_map_has_the_apps_legend_the_sources_with_years_and_no_cdn():
    html = standalone_html(build_map(load_clusters(), measure="employees", selected="dortmund"))
    text = body_text(html)
    # the legend the app draws under its map: circle size and what each colour counts
    assert "Employees (circle area)" in text
    kinds = map_points(load_clusters(), "employees")["counts_what"].value_counts()
    assert f"Cluster firms ({kinds['cluster_firms']})" in text
    assert f"Regional sector ({kinds['regional_sector']})" in text
    assert "no figure reported" in text
    assert 'alt="Employees: circles for 20,000, 5,000, 1,000"' in html
    # a title that says what the circles show
    assert "MST Atlas of Europe" in text
    n_fig = int(map_points(load_clusters(), "employees")["value"].notna().sum())
    assert f"26 clusters, {n_fig} with an employees figure." in text
    # where the figures come from, with their years (Dortmund's headline: Halterner Zeitung)
    assert "Data: BBC News (2003);" in text
    assert "Halterner Zeitung (2008)" in text and "Fraunhofer ENAS (undated)" in text
    # and still nothing from the internet: every script and style inline, no CDN
    assert not re.search(r"<script\b[^>]*\bsrc=", html, re.I)
    assert not re.search(r"<link\b[^>]*\bhref=", html, re.I)
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", html, re.I)
    assert not CDN.search(html)
    # no address in the page itself (Leaflet's own code and stylesheet name their
    # bug trackers in comments; the legend's SVG namespace is inside base64)
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    assert URL.findall(page) == []


def test_offline_map_opens_where_the_person_was_looking():
    html = build_map(load_clusters(), location=(51.51, 7.47), zoom=9).get_root().render()
    assert re.search(r"center:\s*\[51\.51,\s*7\.47\]", html)
    assert re.search(r"\"zoom\":\s*9\b", html)
    assert "fitBounds" not in html  # the given view wins over "show every cluster"
    assert "fitBounds" in build_map(load_clusters()).get_root().render()
    # a zoom the atlas refuses is brought into its range
    too_far = build_map(load_clusters(), location=(51.5, 7.5), zoom=25).get_root().render()
    assert re.search(r"\"zoom\":\s*14\b", too_far)


def test_source_names_in_the_data_line_are_text_not_markup_or_templates():
    rows = pd.DataFrame(
        {
            "cluster_id": ["a", "b"],
            "cluster_name": ["A", "B"],
            "lat": [50.0, 51.0],
            "lon": [8.0, 9.0],
            "firms": [10, 20],
            "year": [2020, None],
            "source_title": ["<img src=x onerror=alert(1)>", "{{ 7*7 }}"],
        }
    )
    html = standalone_html(build_map(coerce_clusters(rows), measure="firms"))
    assert "<img src=x" not in html
    assert "Data: {{ 7*7 }} (undated); &lt;img src=x onerror=alert(1)&gt; (2020)." in html
