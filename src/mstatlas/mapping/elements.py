"""folium elements whose rendered output is never parsed again as a template.

branca's ``MacroElement.render`` wraps each rendered macro (header, html,
script) in ``Element(text)``, and ``Element`` compiles its text as a Jinja
template. For the atlas' layers that text holds uploaded names, so a name such
as ``{{ 7*7 }}`` would be *evaluated* on the server (a template injection), and
compiling hundreds of kilobytes of JSON on every Streamlit rerun costs most of
a rerun's CPU. :class:`LiteralMacroElement` renders its macros once and adds the
output as :class:`RawText`, which returns it unchanged.
"""

from __future__ import annotations

from typing import Any

from branca.element import Element, Figure, MacroElement


class RawText(Element):
    """An element whose output is its text, exactly as given (no template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class LiteralMacroElement(MacroElement):
    """A ``MacroElement`` whose rendered macros are added to the figure as plain text."""

    def render(self, **kwargs: Any) -> str:
        """Add the rendered macros to the figure; like branca's, returns no text itself."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise TypeError("This element can only be rendered inside a Figure (a folium Map).")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                target = getattr(figure, part)
                target.add_child(RawText(str(macro(self, kwargs))), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)
        return ""
