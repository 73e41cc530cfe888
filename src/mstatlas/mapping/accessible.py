"""The map for keyboard and screen-reader users: a named region and visible focus.

Leaflet makes the map itself focusable (arrow keys pan, + and − zoom) and its zoom
buttons are links, so both are reached with Tab; this module gives them a focus
ring that shows, names the map for screen readers (``role="region"`` and an
``aria-label`` on Leaflet's container) and names the frame that holds it in the
app (streamlit-folium's ``<iframe>``; its ``title`` stays, as page styles select
the frame by it, and the ``aria-label`` is what assistive technology announces).
"""

from __future__ import annotations

from typing import Final

import folium
from jinja2 import Template

from mstatlas.i18n import N_, _
from mstatlas.mapping.elements import LiteralMacroElement, RawText
from mstatlas.mapping.layers import js_json

#: What the atlas map is called for screen readers (and its frame in the app).
MAP_LABEL: Final = N_(
    "Map of micro-systems technology clusters in Europe. Arrow keys move it, plus and "
    "minus zoom; the cluster profile list beside it opens a cluster."
)

#: Keyboard focus ring (the app's primary colour, 8.9:1 on white; tests/test_contrast.py).
FOCUS_COLOUR: Final = "#1f4e79"

#: Focus rings inside the map's own page (Leaflet's container and its controls).
MAP_FOCUS_CSS: Final = (
    f".leaflet-container:focus-visible{{outline:3px solid {FOCUS_COLOUR};outline-offset:-3px}}"
    ".leaflet-control a:focus-visible,.leaflet-bar a:focus-visible{"
    f"outline:3px solid {FOCUS_COLOUR};outline-offset:1px;z-index:1}}"
)


class MapLabel(LiteralMacroElement):
    """Names the map (and the frame holding it) for screen readers."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (box, label) {
  box.setAttribute("role", "region");
  box.setAttribute("aria-label", label);
  try {  // the app's frame around the map; a saved file has none
    if (window.frameElement) { window.frameElement.setAttribute("aria-label", label); }
  } catch (e) { /* a frame from another origin: it keeps its own name */ }
})({{ this._parent.get_name() }}.getContainer(), {{ this.label_json }});
{% endmacro %}
"""
    )

    def __init__(self, label: str) -> None:
        super().__init__()
        self._name = "MapLabel"
        self.label_json = js_json(label)


def make_accessible(m: folium.Map, label: str | None = None) -> folium.Map:
    """Give ``m`` a focus ring on its container and controls and the name ``label``.

    Parameters
    ----------
    m : folium.Map
        The map, before it is rendered.
    label : str, optional
        What the map shows, in the reader's language (default :data:`MAP_LABEL`
        translated); names from data may be in it (it is written as a JSON
        string, never as HTML).

    Returns
    -------
    folium.Map
        ``m`` itself.
    """
    m.get_root().header.add_child(RawText(f"<style>{MAP_FOCUS_CSS}</style>"))  # type: ignore[attr-defined]
    m.add_child(MapLabel(_(MAP_LABEL) if label is None else label))
    return m
