"""The map named for screen readers and its keyboard focus visible."""

from __future__ import annotations

import folium

from mstatlas.i18n import language
from mstatlas.mapping.accessible import MAP_FOCUS_CSS, MAP_LABEL, make_accessible


def _html(label: str | None = None) -> str:
    return make_accessible(folium.Map(tiles=None), label).get_root().render()


def test_the_map_container_becomes_a_named_region():
    html = _html("Clusters in Europe")
    assert 'box.setAttribute("role", "region")' in html
    assert 'box.setAttribute("aria-label", label)' in html
    assert '.getContainer(), "Clusters in Europe")' in html
    # the app's frame is named too (an aria-label: its title stays for page styles)
    assert 'window.frameElement.setAttribute("aria-label", label)' in html


def test_the_default_label_speaks_the_reader_s_language():
    english = _html()
    assert '"Map of micro-systems technology clusters in Europe.' in english
    with language("de"):
        german = _html()
    assert MAP_LABEL not in german
    assert "Karte" in german


def test_a_hostile_label_stays_a_string():
    html = _html("</script><script>alert(1)</script> {{ 7*7 }}")
    assert "<\\/script><script>alert(1)<\\/script>" in html
    assert "</script><script>alert(1)" not in html
    assert "49" not in html.split("getContainer(),", 1)[1][:80]  # not evaluated as a template


def test_focus_is_drawn_on_the_map_and_its_controls():
    html = _html("x")
    assert MAP_FOCUS_CSS in html
    assert ".leaflet-container:focus-visible{outline:3px solid" in MAP_FOCUS_CSS
    assert ".leaflet-control a:focus-visible" in MAP_FOCUS_CSS
