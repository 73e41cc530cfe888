"""The streamlit-folium component for the atlas map, its unchanging parts converted once.

``st_folium`` turns the whole map into JavaScript on every call: it renders the base
map (outlines, place names, Leaflet's links; folium compiles a template for each of
them anew) and passes every feature group's script through several regular
expressions over its whole text (``textwrap.dedent``, the renaming of folium's
variables). At 10,000 clusters the symbol layer's script is ~400 KB, and this took
~25 ms of every rerun after a filter change, for a result that only depends on the
base map and on the layer's data.

:func:`draw` hands the component the same arguments ``st_folium`` would
(``tests/ui/test_map_component.py`` compares them), made the short way:

* the base map's part (its script, header, links, the component's key) once per
  base map: :func:`base_parts` keeps the last few;
* each feature group converted with a short placeholder in place of each layer's
  ``payload`` (the layer's data, one line of safe JSON), which is put in afterwards.
  The conversion only re-indents lines and renames folium's ``name_<hex id>``
  variables, and a payload has no line breaks and names no folium element, so the
  text is the same; a cluster name that happened to contain such an id is now kept
  as written instead of being renamed.

Should streamlit-folium ever lack the helpers this relies on, :func:`draw` falls back
to ``st_folium`` itself.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf
from streamlit_folium import st_folium

from mstatlas.i18n import current_language
from mstatlas.mapping.build import build_base_map

#: streamlit-folium's own steps that :func:`folium_map` runs (the rest it skips or repeats
#: once per base map).
_HELPERS = (
    "_component_func",
    "_get_feature_group_string",
    "_get_header",
    "_get_html",
    "_get_map_string",
    "generate_js_hash",
    "get_full_id",
)
#: Stands for the ``n``-th payload while a feature group is converted (no ``_`` in it, so
#: the renaming of folium variables leaves it alone).
_PLACEHOLDER = "MSTATLASPAYLOAD{n}Z"
#: What the component returns before the browser reports anything, in st_folium's order
#: (all blank but the base map's bounds and zoom).
_DEFAULT_ORDER = [
    "last_clicked",
    "last_object_clicked",
    "last_object_clicked_count",
    "last_object_clicked_tooltip",
    "last_object_clicked_popup",
    "all_drawings",
    "last_active_drawing",
    "bounds",
    "zoom",
    "last_circle_radius",
    "last_circle_polygon",
    "selected_layers",
    "selected_tags",
    "last_geocoder_result",
]
#: Payloads shorter than this are converted as they are (nothing to gain).
_SHORT = 2_000


class BaseMap(NamedTuple):
    """The arguments of :func:`mstatlas.mapping.build.build_base_map` the atlas map varies."""

    online_tiles: bool
    location: tuple[float, float]
    zoom: int
    fill_frame: bool

    def build(self) -> folium.Map:
        """The base map itself."""
        return build_base_map(
            online_tiles=self.online_tiles,
            location=self.location,
            zoom=self.zoom,
            fill_frame=self.fill_frame,
        )


@dataclass(frozen=True)
class BaseParts:
    """The component arguments that come from the base map alone."""

    script: str
    header: str
    html: str
    map_id: str
    bounds: dict[str, Any]
    zoom: Any
    links: tuple[tuple[str, ...], tuple[str, ...]]


def can_skip_st_folium() -> bool:
    """Whether the installed streamlit-folium has every step :func:`folium_map` uses."""
    return all(hasattr(sf, name) for name in _HELPERS)


@lru_cache(maxsize=16)
def base_parts(base: BaseMap, language: str) -> BaseParts:
    """The base map's part of the component arguments, as ``st_folium`` makes it.

    ``language`` is the active language (the map's notices are written in it), passed
    so each language keeps its own.
    """
    del language  # a key only: build_base_map reads the active language itself
    m = base.build()
    m.get_root().render()
    m.render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    try:
        (s, w), (n, e) = m.get_bounds()
    except AttributeError:
        (s, w), (n, e) = (None, None), (None, None)
    bounds = {"_southWest": {"lat": s, "lng": w}, "_northEast": {"lat": n, "lng": e}}
    zoom_option = m.options.get("zoom") if hasattr(m, "options") else {}
    return BaseParts(script, header, html, sf.get_full_id(m), bounds, zoom_option, _links([m]))


@lru_cache(maxsize=16)
def _component_key(script: str, key: str) -> str:
    """streamlit-folium's key for the component (a hash of the base map's script)."""
    return str(sf.generate_js_hash(script, key, False))


def _walk(element: Any) -> Iterator[Any]:
    """``element`` and everything in it that brings JavaScript or CSS links (as st_folium)."""
    if isinstance(element, branca.colormap.ColorMap | folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _links(elements: Sequence[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The CSS and JavaScript links the elements need, each once, in st_folium's order."""
    css: list[str] = []
    js: list[str] = []
    for root in elements:
        for element in _walk(root):
            if isinstance(element, branca.colormap.ColorMap):
                js[:0] = [
                    "https://d3js.org/d3.v4.min.js",
                    "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js",
                ]
            css.extend(href for _name, href in getattr(element, "default_css", []))
            js.extend(src for _name, src in getattr(element, "default_js", []))
    return tuple(dict.fromkeys(css)), tuple(dict.fromkeys(js))


def _stand_in(group: folium.FeatureGroup, idx: int) -> tuple[folium.FeatureGroup, list[str]]:
    """A copy of ``group`` whose layers' long payloads are placeholders, and the payloads.

    Named as ``st_folium`` names the ``idx``-th group.
    """
    stand_in = copy.copy(group)
    stand_in._id = f"feature_group_{idx}"
    stand_in._children = type(group._children)()
    payloads: list[str] = []
    for name, child in group._children.items():
        payload = getattr(child, "payload", None)
        child = copy.copy(child)
        if isinstance(payload, str) and len(payload) >= _SHORT:
            child.payload = _PLACEHOLDER.format(n=len(payloads))  # type: ignore[attr-defined]
            payloads.append(payload)
        stand_in.add_child(child, name=name)
    return stand_in, payloads


def _signature(stand_in: folium.FeatureGroup, idx: int) -> tuple[Any, ...] | None:
    """What a stand-in's conversion depends on, or ``None`` when that is not known.

    A plain FeatureGroup of layers without children of their own: its position, its
    settings and each layer's script (names aside: the conversion renames them).
    """
    if type(stand_in) is not folium.FeatureGroup:
        return None
    parts: list[Any] = [idx, stand_in.layer_name, stand_in.overlay, stand_in.control]
    parts += [stand_in.show, json.dumps(stand_in.options, sort_keys=True, default=str)]
    for n, child in enumerate(stand_in._children.values()):
        script = getattr(child._template.module, "script", None) if child._template else None
        if child._children or script is None:
            return None
        probe = copy.copy(child)
        probe._id = f"probe{n}"
        parts.append((type(child).__module__, type(child).__qualname__, str(script(probe, {}))))
    return tuple(parts)


#: Converted stand-ins by their signature (a few kinds of layers and selections).
_CONVERTED: dict[tuple[Any, ...], str] = {}


def _group_script(group: folium.FeatureGroup, idx: int) -> str:
    """``st_folium``'s conversion of the ``idx``-th group, its payloads put in after."""
    stand_in, payloads = _stand_in(group, idx)
    signature = _signature(stand_in, idx)
    script = _CONVERTED.get(signature) if signature is not None else None
    if script is None:
        holder = folium.Map(tiles=None)
        holder._id = "div"  # the name st_folium gives the base map before adding groups
        script = sf._get_feature_group_string(stand_in, map=holder, idx=idx)
        if signature is not None:
            if len(_CONVERTED) >= 64:
                _CONVERTED.clear()
            _CONVERTED[signature] = script
    for n, payload in enumerate(payloads):
        script = script.replace(_PLACEHOLDER.format(n=n), payload)
    return script


def feature_group_script(groups: Sequence[folium.FeatureGroup]) -> str:
    """The ``feature_group`` argument ``st_folium`` would make for these groups."""
    return "".join(_group_script(group, idx) for idx, group in enumerate(groups))


def folium_map(
    base: BaseParts,
    groups: Sequence[folium.FeatureGroup],
    *,
    key: str,
    height: int,
    returned_objects: Sequence[str],
    center: list[float] | None,
    zoom: float | None,
) -> Any:
    """Draw the map component as ``st_folium`` does; return what it returns.

    Parameters
    ----------
    base : BaseParts
        The base map's part (:func:`base_parts`).
    groups : sequence of FeatureGroup
        The layers swapped in place on every run (``feature_group_to_add``).
    key, height, returned_objects, center, zoom
        As for ``st_folium``; the map takes its container's width.
    """
    hash_key = _component_key(base.script, key)

    def on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    known = {"bounds": base.bounds, "zoom": base.zoom}
    defaults = {k: known.get(k) for k in _DEFAULT_ORDER if k in returned_objects}
    css, js = base.links
    extra_css, extra_js = _links(groups)
    return sf._component_func(
        script=base.script,
        header=base.header,
        html=base.html,
        id=base.map_id,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=list(returned_objects),
        default=defaults,
        zoom=zoom,
        center=center,
        feature_group=feature_group_script(groups) if groups else None,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(dict.fromkeys(css + extra_css)),
        js_links=list(dict.fromkeys(js + extra_js)),
        on_change=on_change,
        wrap_longitude=False,
    )


def draw(
    base: BaseMap,
    groups: Sequence[folium.FeatureGroup],
    *,
    key: str,
    height: int,
    returned_objects: Sequence[str],
    center: list[float] | None,
    zoom: float | None,
) -> Any:
    """Draw the map component for this base map and layers; return what it returns.

    The same as ``st_folium(base.build(), key=key, height=height,
    use_container_width=True, feature_group_to_add=groups, center=center, zoom=zoom,
    returned_objects=returned_objects)``, without converting the base map again
    (see the module's text).
    """
    if can_skip_st_folium():
        parts = base_parts(base, current_language())
        return folium_map(
            parts, groups, key=key, height=height, returned_objects=returned_objects,
            center=center, zoom=zoom,
        )  # fmt: skip
    return st_folium(
        base.build(),
        key=key,
        height=height,
        use_container_width=True,
        feature_group_to_add=list(groups) or None,
        center=center,
        zoom=zoom,
        returned_objects=list(returned_objects),
    )
