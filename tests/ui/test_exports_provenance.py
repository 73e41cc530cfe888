"""Exported ranking charts carry what a slide needs: what is ranked, qualified values,
years, sources, and the caveat when kinds of figures are mixed."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from ui.app_helpers import PAGES, texts

from mstatlas import load_clusters, rank_clusters
from mstatlas.analysis import charts
from mstatlas.analysis.filters import apply_filters
from mstatlas.analysis.provenance import sources_with_years
from mstatlas.analysis.ranking import default_kinds
from mstatlas.data.schema import COUNTS_WHAT, QUALIFIERS, coerce_clusters
from mstatlas.ui.urlstate import DEFAULT, ViewState

SVG = "{http://www.w3.org/2000/svg}"
DATASET = "MST clusters in Europe (sourced figures)"
CAVEAT = "Caution: mixed kinds of figures"


def export(clusters: pd.DataFrame, view: ViewState, dataset: str = DATASET) -> str:
    """The ranking page's chart for ``view``, exported as the SVG button does."""
    counts = None if view.mixed else default_kinds(clusters, view.rank_by)  # like with like
    full = rank_clusters(clusters, by=view.rank_by, counts=counts)
    top = full[full["rank"] <= view.top]
    chart, footer = charts.ranking_chart(top, view.rank_by, len(full), view, dataset)
    return charts.chart_svg(charts.export_spec(chart, footer))


def svg_texts(svg: str) -> list[tuple[str, float]]:
    """Each text of the SVG as a reader sees it (wrapped lines joined), with its font size."""
    out = []
    for t in ET.fromstring(svg).iter(f"{SVG}text"):
        spans = [s.text or "" for s in t.findall(f"{SVG}tspan")]
        size = float(t.get("font-size", "0").removesuffix("px"))
        out.append((" ".join(spans) if spans else (t.text or ""), size))
    return out


def said(svg: str) -> str:
    return "\n".join(text for text, _ in svg_texts(svg))


def test_exported_chart_says_what_is_ranked_with_qualified_values_years_and_sources():
    view = DEFAULT.with_(rank_by="firms", countries=("NL", "DE", "AT"), year_max=2025)
    text = said(export(load_clusters(), view))
    # title: the measure and what the figures count; the filters that matter
    assert "Largest MST clusters by firms (cluster firms)" in text
    assert "Figures count cluster firms" in text
    assert "Netherlands, Germany, Austria" in text and "figures up to 2025" in text
    # the bars: the clusters the filters leave, ranked like the page ranks them
    shown = rank_clusters(apply_filters(load_clusters(), view.filters()), by="firms")
    shown = shown[shown["rank"] <= view.top]
    assert set(shown["country_iso2"]) <= {"NL", "DE", "AT"} and len(shown) > 1
    assert f"1. {shown['cluster_name'].iloc[0]}" in text
    for _, bar in shown.iterrows():
        # each bar: the figure as the table shows it (qualifier included) and its year
        year = "undated" if pd.isna(bar["year"]) else str(int(bar["year"]))
        assert f"{bar['display']} ({year})" in text
        # footer: each source's short name with its year
        assert sources_with_years([bar["source_title"]], [bar["year"]])[0] in text
    # footer: what the signs used mean
    for q in set(shown["qualifier"]) - {""}:
        assert f"{QUALIFIERS[q].strip()} {q.replace('_', ' ')}" in text
    assert "Full references: MST Atlas" in text
    assert CAVEAT not in text  # one kind of figure only


def test_mixed_kinds_caveat_appears_only_when_the_bars_mix_kinds():
    clusters = load_clusters()
    mixed = said(export(clusters, DEFAULT.with_(rank_by="employees", mixed=True)))
    assert CAVEAT in mixed
    assert "Largest MST clusters by employees, mixed kinds of figures" in mixed
    bars = rank_clusters(clusters, by="employees", counts=None, top=DEFAULT.top)
    assert bars["counts_what"].nunique() > 1
    for _, bar in bars.iterrows():  # each bar says its kind too
        year = "undated" if pd.isna(bar["year"]) else str(int(bar["year"]))
        kind = "kind not stated" if bar["counts_what"] == "unspecified" else bar["counts_what"]
        assert f"{bar['display']} ({year}, {COUNTS_WHAT.get(kind, kind).lower()})" in mixed
    # "include other kinds" is on, but the filter leaves network members only: not mixed
    one_kind = DEFAULT.with_(rank_by="firms", mixed=True, counts_what=("network_members",))
    text = said(export(apply_counts(clusters, "network_members"), one_kind))
    assert CAVEAT not in text
    assert "Largest MST clusters by firms (network members)" in text
    assert "kinds: network members" in text


def apply_counts(clusters: pd.DataFrame, kind: str) -> pd.DataFrame:
    return clusters[clusters["counts_what"] == kind]


LONG = [
    "Regensburg sensor cluster (Strategische Partnerschaft Sensorik)",
    "Berlin-Brandenburg optics & microsystems (OpTecBB)",
    "Kompetenznetz Mikro- und Nanotechnologie Baden-Württemberg Südwest und Oberrhein e. V. "
    "(Geschäftsstelle Freiburg im Breisgau)",
    "Itzehoe innovation park (Fraunhofer ISIT / IZET)",
]


def test_long_names_stay_legible_and_keep_their_figure_and_year():
    rows = pd.DataFrame(
        {
            "cluster_id": [f"c{i}" for i in range(len(LONG))],
            "cluster_name": LONG,
            "lat": 50.0,
            "lon": 8.0,
            "firms": [150, 120, 90, 50],
            "firms_qualifier": ["more_than", None, "about", None],
            "year": [2008, 2013, None, 2016],
            "counts_what": "cluster_firms",
            "source_title": [
                "Sensorik-Netzwerk setzt Clusterarbeit fort (all-electronics, May 2008)",
                "Cluster Optik (innoBB)",
                "Jahresbericht",
                "20 Jahre Hightech in Itzehoe (Fraunhofer ISIT press release, 08.07.2016)",
            ],
        }
    )
    svg = export(coerce_clusters(rows), DEFAULT.with_(rank_by="firms"), dataset="cluster.xlsx")
    texts_ = svg_texts(svg)
    text = "\n".join(t for t, _ in texts_)
    for value in ("> 150 (2008)", "120 (2013)", "≈ 90 (undated)", "50 (2016)"):
        assert value in text
    # names wrap onto lines instead of being cut to a few characters; only a name
    # longer than three lines is cut
    assert "1. Regensburg sensor cluster (Strategische Partnerschaft Sensorik)" in text
    assert "2. Berlin-Brandenburg optics & microsystems (OpTecBB)" in text
    label = next(
        t
        for t in ET.fromstring(svg).iter(f"{SVG}text")
        if "3. Kompetenznetz" in "".join(t.itertext())
    )
    assert len(label.findall(f"{SVG}tspan")) == 3 and "…" in "".join(label.itertext())
    assert "Dataset: cluster.xlsx" in text
    assert "all-electronics (2008)" in text and "Jahresbericht (undated)" in text
    # slide size: nothing smaller than 12 px, the title larger, at most ~1,000 px wide
    assert min(size for _, size in texts_) >= 12
    assert max(size for _, size in texts_) >= 18
    assert float(ET.fromstring(svg).get("width", "0")) <= 1000


def test_png_export_is_a_png_at_slide_resolution():
    full = rank_clusters(load_clusters(), by="employees")
    chart, footer = charts.ranking_chart(full, "employees", len(full), DEFAULT, DATASET)
    png = charts.chart_png(charts.export_spec(chart, footer))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, _ = struct.unpack(">II", png[16:24])
    assert width >= 1200  # twice the screen size, with title and footer inside


@pytest.mark.parametrize(
    ("by", "sentence"),
    [
        ("employees", "No cluster in this selection has an employees figure"),
        ("firms", "No cluster in this selection has a firms figure"),
        ("employees_per_firm", "No cluster in this selection has an employees per firm figure"),
    ],
)
def test_no_figure_sentence_uses_a_or_an(app, by, sentence):
    app.query_params["min_employees"] = "10000000"  # no figure of any kind left
    app.query_params["by"] = by
    app.switch_page(f"{PAGES}/ranking.py")
    at = app.run()
    assert not at.exception
    assert f"{sentence}." in texts(at)


def test_ranking_page_shows_the_chart_it_exports(app):
    app.switch_page(f"{PAGES}/ranking.py")
    at = app.run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    assert spec["title"]["text"] == ["Largest MST clusters by employees (cluster firms)"]
    layers = spec["layer"]
    assert any(layer["encoding"].get("text", {}).get("field") == "figure" for layer in layers)
    first = rank_clusters(load_clusters(), by="employees").iloc[0]
    source = sources_with_years([first["source_title"]], [first["year"]])[0]
    assert f"Sources: {source}" in texts(at)  # the first bar's source comes first


def test_map_download_opens_where_the_person_is_looking():
    import re

    from mstatlas.ui import map_page
    from mstatlas.ui.datasets import filters_key

    fkey = filters_key(DEFAULT.filters())
    html = map_page._map_html("default", fkey, "employees", None, (48.14, 11.58, 8), "My view")
    assert re.search(r"\[48\.14,\s*11\.58\]", html) and re.search(r"\"zoom\":\s*8\b", html)
    assert "My view" in html and "Data: " in html
    fitted = map_page._map_html("default", fkey, "employees", None, (None, None, None), "All")
    assert "fitBounds" in fitted and not re.search(r"\[48\.14,\s*11\.58\]", fitted)


def test_the_map_file_is_prepared_on_request_for_the_view_and_then_downloaded(app):
    from mstatlas.ui import keys

    label = "Download this map (HTML, works offline)"
    app.query_params["country"] = "NL"
    at = app.run()
    assert not at.exception
    assert label not in [b.label for b in at.get("download_button")]  # nothing made yet
    prepare = next(b for b in at.button if b.key == keys.MAP_FILE_BUTTON)
    at = prepare.click().run()
    assert not at.exception
    assert label in [b.label for b in at.get("download_button")]
    args, html = at.session_state[keys.MAP_FILE]
    assert args[0] == "default" and args[1][0] == ("NL",)  # the view's dataset and countries
    assert "<html" in html and "Data: " in html
    at = at.run()  # kept while the view stays
    assert label in [b.label for b in at.get("download_button")]
    # another view: the file made for the last one is no longer offered
    at = at.sidebar.multiselect[0].set_value(["DE"]).run()
    assert label not in [b.label for b in at.get("download_button")]
    assert any(b.key == keys.MAP_FILE_BUTTON for b in at.button)
