"""The country view: a choropleth of country totals on the offline outlines.

Countries are filled by class of a value of
:func:`mstatlas.analysis.countries.country_summary` (its ``total`` or
``n_clusters``), with a colour-blind-safe sequential palette written out here:
no branca colormap, no d3, nothing from a CDN. The layer is one ``L.geoJSON``
built from the embedded Natural Earth outlines; every country feature carries
``iso2`` so a click (streamlit-folium's ``last_active_drawing``) maps back to a
country code.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import folium
import numpy as np
import pandas as pd
from jinja2 import Template
from shapely.geometry import box, shape

from mstatlas.analysis.provenance import in_sentence
from mstatlas.data.countries import country_to_iso2
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import escape_html
from mstatlas.i18n import N_, _, fmt_int, ngettext
from mstatlas.mapping.assets import SERVED_PREFIX
from mstatlas.mapping.build import build_base_map, country_outlines
from mstatlas.mapping.elements import LiteralMacroElement
from mstatlas.mapping.layers import js_json

#: Viridis at five steps, light (low) to dark (high): colour-blind safe, prints in grey.
PALETTE: Final[tuple[str, ...]] = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
#: Countries with clusters but no figure to add: grey with a dashed edge.
NO_FIGURE_COLOUR: Final = "#bdbdbd"
#: Europe's box (west, south, east, north) for bounds: far-away parts are ignored.
EUROPE_BOX: Final[tuple[float, float, float, float]] = (-25.0, 34.0, 45.0, 72.0)
#: Layer name in each feature's properties, to tell country clicks from others.
LAYER_NAME: Final = "countries"
VALUES: Final[dict[str, str]] = {"total": N_("sum per country"), "n_clusters": N_("clusters")}
#: Value text of a country with clusters but nothing to colour it by (shown translated).
NO_FIGURE: Final = N_("no figure")

#: Natural Earth short names that the country table does not know.
_NAME_CODES: Final[dict[str, str | None]] = {
    "Bosnia and Herz.": "BA",
    "Palestine": "PS",
    "N. Cyprus": None,  # no ISO code of its own
}

Bounds = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class ValueClass:
    """One class of the choropleth: the values it holds and its colour."""

    low: float
    high: float
    colour: str
    n: int


def outline_iso2(properties: dict[str, Any]) -> str | None:
    """The ISO 3166-1 alpha-2 code of an outline feature (from ``iso2`` or its name)."""
    code = properties.get("iso2") or properties.get("ISO_A2")
    if isinstance(code, str) and len(code) == 2 and code.isalpha():
        return code.upper()
    name = str(properties.get("name", ""))
    if name in _NAME_CODES:
        return _NAME_CODES[name]
    return country_to_iso2(name)


@lru_cache(maxsize=1)
def _default_codes() -> tuple[str | None, ...]:
    return tuple(outline_iso2(f.get("properties") or {}) for f in country_outlines()["features"])


def _codes(outlines: dict[str, Any] | None) -> tuple[dict[str, Any], tuple[str | None, ...]]:
    if outlines is None:
        return country_outlines(), _default_codes()
    feats = outlines.get("features") or []
    return outlines, tuple(outline_iso2(f.get("properties") or {}) for f in feats)


def value_classes(values: Iterable[float], k: int = 5) -> tuple[list[ValueClass], np.ndarray]:
    """Sort values into at most ``k`` quantile classes, each with a palette colour.

    Class edges are values of the data (so a legend reads "2,100–4,400", not
    "2,134.5"); with ``k`` or fewer distinct values each value is its own class.

    Returns
    -------
    (classes, index)
        The classes, low to high, and each value's class (``-1`` for blanks).
    """
    vals = np.asarray(list(values), dtype=float)
    index = np.full(len(vals), -1, dtype=int)
    ok = ~np.isnan(vals)
    if not ok.any():
        return [], index
    present = vals[ok]
    distinct = np.unique(present)
    if len(distinct) <= k:
        inner = distinct[:-1]
    else:
        # The i-th of k quantiles is the value at rank ceil(i * n / k) (integer arithmetic:
        # no float rounding moves a value across an edge).
        ordered, n = np.sort(present), len(present)
        inner = np.unique([ordered[(i * n + k - 1) // k - 1] for i in range(1, k)])
    raw = np.searchsorted(inner, present, side="left")
    used = np.unique(raw)  # drop empty classes, keep order
    index[ok] = np.searchsorted(used, raw)
    n = len(used)
    steps = [len(PALETTE) // 2] if n == 1 else np.round(np.linspace(0, len(PALETTE) - 1, n))
    classes = [
        ValueClass(
            low=float(present[raw == c].min()),
            high=float(present[raw == c].max()),
            colour=PALETTE[int(s)],
            n=int((raw == c).sum()),
        )
        for c, s in zip(used, steps)
    ]
    return classes, index


def _values(summary: pd.DataFrame, value: str) -> pd.Series:
    if value not in VALUES:
        raise ValueError(
            f"Unknown value {value!r} to colour by; choose one of {', '.join(VALUES)}."
        )
    return pd.to_numeric(summary[value], errors="coerce").astype(float)


def _selected(selected: str | Iterable[str] | None) -> set[str]:
    if selected is None:
        return set()
    items = [selected] if isinstance(selected, str) else list(selected)
    return {str(s).upper() for s in items if s}


def _value_words(summary: pd.DataFrame, value: str) -> tuple[str, str]:
    """What is coloured: ``("employees", "cluster firms")`` for totals, ``("clusters", "")``."""
    if value != "total" or summary.empty or "measure" not in summary.columns:
        return _(VALUES[value]), ""
    measure, kind = str(summary["measure"].iloc[0]), str(summary["counts_what"].iloc[0])
    return in_sentence(MEASURES.get(measure, measure)), in_sentence(COUNTS_WHAT.get(kind, kind))


def _figure_text(row: pd.Series, value_text: str | None, words: tuple[str, str]) -> str:
    """A country's figure in its tooltip: "150 employees (cluster firms)" or why there is none."""
    measure, kind = words
    note = str(row.get("total_note") or "")
    if value_text is not None:
        if kind:
            return _("{value} {measure} ({kind})").format(
                value=value_text, measure=measure, kind=kind
            )
        return f"{value_text} {measure}"
    if note and int(row.get("n_with_figure", 0) or 0):
        return _("no total: {why}").format(why=note)
    if kind:
        return _("no {measure} figure counting {kind}").format(measure=measure, kind=kind)
    return _("no {measure} figure").format(measure=measure)


def _tooltip(row: pd.Series, value_text: str | None, words: tuple[str, str]) -> str:
    """``value_text`` is ``None`` for a country with nothing to colour it by."""
    years = ""
    if not pd.isna(row.get("year_min")):
        lo, hi = int(row["year_min"]), int(row["year_max"])
        years = f", {lo}" if lo == hi else f", {lo}–{hi}"
    if int(row.get("n_undated", 0) or 0):
        years += ", " + _("{n} undated").format(n=fmt_int(int(row["n_undated"])))
    n, n_fig = int(row["n_clusters"]), int(row.get("n_with_figure", 0) or 0)
    clusters = ngettext(
        "{with_figure} of {n} cluster with a figure{years}",
        "{with_figure} of {n} clusters with a figure{years}",
        n,
    ).format(with_figure=fmt_int(n_fig), n=fmt_int(n), years=years)
    parts = [
        f"<b>{escape_html(row['country'])}</b>",
        html.escape(_figure_text(row, value_text, words)),
        html.escape(clusters),
    ]
    return "<br>".join(parts)


def country_features(
    summary: pd.DataFrame,
    outlines: dict[str, Any] | None = None,
    value: str = "total",
    selected: str | Iterable[str] | None = None,
) -> tuple[dict[str, Any], list[ValueClass]]:
    """The outlines of the countries in ``summary``, with what the map and a click need.

    Returns
    -------
    (FeatureCollection, classes)
        One feature per country of ``summary`` that has an outline; properties
        ``iso2``, ``name``, ``value_text`` (blank value: ``"no figure"``),
        ``n_clusters``, ``cls`` (class index, ``-1`` = no figure), ``selected``,
        ``layer`` and ``tip`` (escaped HTML).
    """
    values = _values(summary, value)
    classes, index = value_classes(values)
    by_code = {str(c): i for i, c in enumerate(summary["country_iso2"])}
    words = _value_words(summary, value)
    chosen = _selected(selected)
    fc, codes = _codes(outlines)
    features = []
    for feat, code in zip(fc.get("features") or [], codes):
        if code is None or code not in by_code:
            continue
        i = by_code[code]
        row = summary.iloc[i]
        if value == "total":
            shown = str(row["display"]) or None
        else:
            shown = None if np.isnan(values.iloc[i]) else fmt_int(int(values.iloc[i]))
        text = _(NO_FIGURE) if shown is None else shown
        props = {
            "iso2": code,
            "name": str(row["country"]),
            "value_text": text,
            "n_clusters": int(row["n_clusters"]),
            "cls": int(index[i]),
            "selected": code in chosen,
            "layer": LAYER_NAME,
            "tip": _tooltip(row, shown, words),
        }
        features.append({"type": "Feature", "properties": props, "geometry": feat["geometry"]})
    return {"type": "FeatureCollection", "features": features}, classes


class CountryLayer(LiteralMacroElement):
    """Countries filled by class, one ``L.geoJSON`` layer with a style function."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function () {
  var D = {{ this.payload }};
  return L.geoJSON(D.fc, {
    style: function (f) {
      var p = f.properties, has = p.cls >= 0;
      return {color: p.selected ? "#000" : (has ? "#ffffff" : "#7a7a7a"),
              weight: p.selected ? 3 : 1, dashArray: has ? null : "4 3",
              fillColor: has ? D.pal[p.cls] : D.none, fillOpacity: has ? 0.85 : 0.6};
    },
    onEachFeature: function (f, l) { l.bindTooltip(f.properties.tip, {sticky: true}); }
  });
})();
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
"""
    )

    def __init__(self, features: dict[str, Any], classes: list[ValueClass]) -> None:
        super().__init__()
        self._name = "CountryLayer"
        self.payload = js_json(
            {"fc": features, "pal": [c.colour for c in classes], "none": NO_FIGURE_COLOUR}
        )


def country_map(
    summary: pd.DataFrame,
    outlines: dict[str, Any] | None = None,
    value: str = "total",
    selected: str | Iterable[str] | None = None,
    *,
    asset_prefix: str = SERVED_PREFIX,
) -> folium.Map:
    """A choropleth of country totals on the offline basemap.

    Parameters
    ----------
    summary : DataFrame
        From :func:`mstatlas.analysis.countries.country_summary`.
    outlines : dict, optional
        GeoJSON FeatureCollection of countries (``name`` or ``iso2`` property);
        the embedded Natural Earth outlines by default.
    value : {"total", "n_clusters"}
        What fills the countries.
    selected : str or iterable of str, optional
        ISO codes to outline in black. With the embedded outlines the map opens
        on them (without a selection: on all countries of ``summary``).
    asset_prefix : str
        Where the page loads Leaflet from (see :mod:`mstatlas.mapping.assets`).

    Returns
    -------
    folium.Map
        Leaflet served locally, no tiles; countries without a figure are grey
        with a dashed edge, countries without clusters keep the basemap colour.
    """
    m = build_base_map(asset_prefix=asset_prefix)
    features, classes = country_features(summary, outlines, value, selected)
    CountryLayer(features, classes).add_to(m)
    codes = _selected(selected) or {f["properties"]["iso2"] for f in features["features"]}
    bounds = country_bounds(sorted(codes)) if outlines is None else None
    if bounds is not None:
        m.fit_bounds([list(bounds[0]), list(bounds[1])], padding=(20, 20))
    return m


def unmapped_countries(summary: pd.DataFrame, outlines: dict[str, Any] | None = None) -> list[str]:
    """Names of countries in ``summary`` without an outline (too small at 1:110m, e.g. Malta)."""
    _fc, codes = _codes(outlines)
    known = {c for c in codes if c}
    return [
        str(n) for c, n in zip(summary["country_iso2"], summary["country"]) if str(c) not in known
    ]


def _swatch(fill: str, dashed: bool = False) -> str:
    edge = "1px dashed #7a7a7a" if dashed else "1px solid #fff"
    return (
        f'<span style="display:inline-block;width:14px;height:11px;background:{fill};'
        f'border:{edge};outline:1px solid #ccc;margin-right:6px;vertical-align:middle"></span>'
    )


def country_legend_html(
    summary: pd.DataFrame,
    value: str = "total",
    outlines: dict[str, Any] | None = None,
    title: str | None = None,
) -> str:
    """Plain-HTML legend of :func:`country_map` (escaped; no scripts, no CDN).

    Lists each class's range with its number of countries, the "no figure"
    swatch when some country has clusters but nothing to add, and the countries
    that cannot be drawn at this scale.
    """
    values = _values(summary, value)
    classes, _index = value_classes(values)
    measure, kind = _value_words(summary, value)
    default = (
        _("{measure} counting {kind}, sum per country").format(
            measure=measure[:1].upper() + measure[1:], kind=kind
        )
        if value == "total"
        else _("Clusters per country")
    )
    head = default if title is None else title
    rows = [f'<div style="font-weight:600;font-size:12px">{html.escape(head)}</div>']
    for c in classes:
        span = fmt_int(c.low) if c.low == c.high else f"{fmt_int(c.low)}–{fmt_int(c.high)}"
        n = ngettext("{n} country", "{n} countries", c.n).format(n=fmt_int(c.n))
        rows.append(
            f'<div style="font-size:12px">{_swatch(c.colour)}{span} ({html.escape(n)})</div>'
        )
    blank = int(values.isna().sum())
    if blank:
        none = ngettext(
            "no figure ({n} country with clusters)",
            "no figure ({n} countries with clusters)",
            blank,
        ).format(n=fmt_int(blank))
        rows.append(
            f'<div style="font-size:12px">{_swatch(NO_FIGURE_COLOUR, dashed=True)}'
            f"{html.escape(none)}</div>"
        )
    if value == "total" and (summary["total_qualifier"].fillna("") != "").any():
        signs = _(
            "≈ approximate, > ≥ lower bound, ≤ upper bound: each country's total in the table"
        )
        rows.append(
            f'<div style="font-size:11px;color:#555">{html.escape(signs, quote=False)}</div>'
        )
    missing = unmapped_countries(summary, outlines)
    if missing:
        not_drawn = _("Not drawn (too small for the outlines): {countries}").format(
            countries=", ".join(missing)
        )
        rows.append(f'<div style="font-size:11px;color:#555">{html.escape(not_drawn)}</div>')
    return '<div class="mst-legend-countries">' + "".join(rows) + "</div>"


@lru_cache(maxsize=1)
def _europe_shapes() -> dict[str, Any]:
    """Each country's outline clipped to :data:`EUROPE_BOX` (no overseas parts)."""
    clip = box(*EUROPE_BOX)
    shapes: dict[str, Any] = {}
    for feat, code in zip(country_outlines()["features"], _default_codes()):
        if code is None:
            continue
        geom = shape(feat["geometry"]).intersection(clip)
        if not geom.is_empty:
            shapes[code] = geom if code not in shapes else shapes[code].union(geom)
    return shapes


def country_bounds(codes: str | Iterable[str]) -> Bounds | None:
    """The ``((south, west), (north, east))`` box of one or several countries.

    From the embedded outlines, clipped to Europe (lon -25..45, lat 34..72), so
    a country's far-away parts do not stretch the box. Unknown codes are
    ignored; ``None`` when no code has an outline.

    >>> country_bounds("NL")  # doctest: +SKIP
    ((50.8, 3.3), (53.5, 7.1))
    """
    shapes = _europe_shapes()
    items = [codes] if isinstance(codes, str) else list(codes)
    found = [shapes[c.upper()] for c in items if isinstance(c, str) and c.upper() in shapes]
    if not found:
        return None
    b = np.array([g.bounds for g in found])  # (minx, miny, maxx, maxy)
    south, west = float(b[:, 1].min()), float(b[:, 0].min())
    north, east = float(b[:, 3].max()), float(b[:, 2].max())
    return (south, west), (north, east)
