"""Uploaded text is never evaluated as a Jinja template while a map is rendered.

branca compiles the output of a ``MacroElement`` as a template; the atlas'
layers must not (a name like ``{{ 7*7 }}`` would run on the server).
"""

from __future__ import annotations

import json
import re

import folium
import pandas as pd
from jinja2 import Template

from mstatlas.mapping.assets import standalone_html
from mstatlas.mapping.build import build_map
from mstatlas.mapping.elements import LiteralMacroElement
from mstatlas.mapping.firm_points import firm_points_feature_group
from mstatlas.mapping.layers import js_json

PAYLOADS = [
    "{{ 7*7 }}",
    "{{ range.__name__ }}",
    "{% if true %}evaluated{% endif %}",
    "{# hidden #}",
    "{{{ 6*7 }}}",
]


def _clusters(names: list[str]) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame(
        {
            "cluster_id": [f"c{i}" for i in range(n)],
            "cluster_name": names,
            "city": ["Dortmund"] * n,
            "region": [None] * n,
            "country_iso2": ["DE"] * n,
            "lat": [51.5 + i / 10 for i in range(n)],
            "lon": [7.4] * n,
            "firms": [39 + i for i in range(n)],
            "employees": [None] * n,
            "firms_qualifier": [None] * n,
            "employees_qualifier": [None] * n,
            "counts_what": ["cluster_firms"] * n,
            "year": [2007] * n,
            "organisation": [None] * n,
            "source_title": ["Test"] * n,
            "source_url": [None] * n,
            "note": [None] * n,
            "ivam_benchmark_2007": [False] * n,
        }
    )


def _tooltip_texts(html: str) -> list[str]:
    match = re.search(r'"t":(\[.*?\])', html)
    assert match, "the layer ships the names for its tooltips"
    return json.loads(match.group(1))


def test_cluster_names_with_template_syntax_reach_the_page_unchanged():
    html = standalone_html(build_map(_clusters(PAYLOADS), measure="firms"))
    assert sorted(_tooltip_texts(html)) == sorted(PAYLOADS)  # each name, as written
    assert ">49<" not in html


class _Echo(LiteralMacroElement):
    """Puts an attribute into the page *without* js_json's escaping."""

    _template = Template(
        "{% macro script(this, kwargs) %}var echo = '{{ this.text }}';{% endmacro %}"
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


def test_rendered_output_is_not_compiled_again():
    # Even text that skipped js_json is output as is: the macro's result is not a template.
    m = folium.Map(tiles=None)
    _Echo("{{ 7*7 }} {% if true %}yes{% endif %}").add_to(m)
    html = m.get_root().render()
    assert "var echo = '{{ 7*7 }} {% if true %}yes{% endif %}';" in html


def test_plain_branca_would_evaluate_it():
    # The risk the atlas' layers avoid: branca's own MacroElement compiles its output.
    from branca.element import MacroElement

    class Plain(MacroElement):
        _template = _Echo._template

        def __init__(self) -> None:
            super().__init__()
            self.text = "{{ 7*7 }}"

    m = folium.Map(tiles=None)
    Plain().add_to(m)
    assert "var echo = '49';" in m.get_root().render()


def test_firm_names_and_technologies_with_template_syntax_stay_text():
    firms = pd.DataFrame(
        {
            "lat": [51.5, 51.6],
            "lon": [7.4, 7.5],
            "name": ["{{ 7*7 }} GmbH", "{% if true %}x{% endif %}"],
            "technology": ["{{ 6*7 }}", "MEMS"],
            "employees": [10, 20],
        }
    )
    m = folium.Map(tiles=None)
    firm_points_feature_group(firms).add_to(m)
    html = m.get_root().render()
    assert "49 GmbH" not in html and '"42"' not in html
    assert "\\u007b{ 7*7 }} GmbH" in html


def test_js_json_never_opens_a_template_tag_and_round_trips():
    for text in PAYLOADS + ["{}", '{"a": {"b": 1}}', "{ {", "%}"]:
        out = js_json({"k": [text, {"n": {"m": text}}]})
        assert not re.search(r"\{[{%#]", out)
        assert json.loads(out) == {"k": [text, {"n": {"m": text}}]}
