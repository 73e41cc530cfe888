"""The map as a still image for slides and print: PNG and SVG drawn with geopandas/matplotlib.

The same offline country outlines as the interactive map, the same symbols (area ∝
the figure, :func:`~mstatlas.mapping.layers.radius_scale`; colour = what the figure
counts, :data:`~mstatlas.data.schema.COUNTS_WHAT_COLOURS`; hollow = no figure), the
same legend steps (:func:`~mstatlas.mapping.legend.nice_steps`) and the same "Data:"
line (:func:`~mstatlas.mapping.legend.data_line`). Drawn in Web Mercator, as Leaflet
draws, so the image shows what the person saw.

Sizes are measured in *screen pixels* of the app's map (:data:`SCREEN_HEIGHT` tall) and
scaled to the image, so a symbol of 26 px on screen keeps its share of the height on a
slide. matplotlib runs headless: a ``Figure`` with the Agg canvas, never ``pyplot``
(no global state shared between the sessions of a server).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from mstatlas.analysis.provenance import and_list, in_sentence
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_COLOURS, MEASURES
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import _, fmt_decimal, fmt_int, ngettext
from mstatlas.mapping.basemap import (
    BIG_PLACE,
    FINE_FROM_ZOOM,
    decode_outlines,
    load_fine_outlines,
    load_places,
)
from mstatlas.mapping.build import country_outlines, map_points
from mstatlas.mapping.layers import R_MAX, R_MIN, category_counts, radius_scale
from mstatlas.mapping.legend import data_line, nice_steps


@dataclass(frozen=True)
class ImageSize:
    """An output size: inches and dots per inch (pixels = inches × dpi)."""

    name: str
    width_in: float
    height_in: float
    dpi: int

    @property
    def pixels(self) -> tuple[int, int]:
        """Width and height in pixels."""
        return round(self.width_in * self.dpi), round(self.height_in * self.dpi)


#: 1920 × 1080 px, a full-HD slide.
SLIDE = ImageSize("slide", 19.2, 10.8, 100)
#: 26 × 14.6 cm at 300 dpi (3072 × 1728 px, 16:9), for print.
PRINT = ImageSize("print", 10.24, 5.76, 300)
SIZES: dict[str, ImageSize] = {s.name: s for s in (SLIDE, PRINT)}

#: Height of the app's map on screen (px): what a symbol's screen size is measured against.
SCREEN_HEIGHT = 560
#: Earth's circumference in Web Mercator metres; 256 px per tile at zoom 0.
_WORLD_M = 2 * math.pi * 6378137.0
#: Map area, legend column and text rows as fractions of the image.
_MAP_BOX = (0.015, 0.085, 0.72, 0.77)  # left, bottom, width, height
_SEA, _LAND, _BORDER = "#dce8f1", "#f1f3f5", "#9aa5b1"


@dataclass(frozen=True)
class StaticView:
    """Where the image looks: the app's ``(lat, lon, zoom)`` or, when unset, all clusters."""

    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None


@lru_cache(maxsize=2)
def _outlines_3857(fine: bool) -> gpd.GeoDataFrame:
    """Country outlines in Web Mercator: 1:50m when ``fine`` and present, else 1:110m."""
    doc = load_fine_outlines() if fine else None
    geojson = decode_outlines(doc) if doc is not None else country_outlines()
    frame = gpd.GeoDataFrame.from_features(geojson["features"], crs="EPSG:4326")
    return frame.to_crs("EPSG:3857")


def _zoom_of(half_height: float) -> float:
    """The Leaflet zoom at which ``2 * half_height`` metres fill the screen map's height."""
    return math.log2(_WORLD_M * SCREEN_HEIGHT / (256 * 2 * half_height))


#: At most this many place names on one image (the largest first, as the file ranks them).
MAX_PLACES = 80


def _draw_places(
    ax: object, box: tuple[float, float, float, float], zoom: float, unit: float
) -> int:
    """Place names the interactive map shows at this zoom (each from its first zoom ``z``)."""
    places = load_places()
    if places is None:
        return 0
    x, y = _mercator(np.asarray(places["lat"]), np.asarray(places["lon"]))
    xmin, xmax, ymin, ymax = box
    shown = (np.asarray(places["z"]) <= zoom) & (x > xmin) & (x < xmax) & (y > ymin) & (y < ymax)
    idx = np.flatnonzero(shown)[:MAX_PLACES]
    big = set(places["capital"]) | {i for i in idx if places["pop"][i] >= BIG_PLACE}
    halo = [patheffects.withStroke(linewidth=2.5 * unit, foreground="white")]
    ax.scatter(x[idx], y[idx], s=(2.2 * unit) ** 2, c="#4a4a4a", zorder=2, linewidths=0)  # type: ignore[attr-defined]
    for i in idx:
        ax.annotate(  # type: ignore[attr-defined]
            str(places["name"][i]), (x[i], y[i]), xytext=(3 * unit, 2 * unit),
            textcoords="offset points", fontsize=(10.5 if i in big else 9) * unit,
            weight="bold" if i in big else "normal", color="#333", path_effects=halo,
            zorder=2, annotation_clip=True, parse_math=False,
        )  # fmt: skip
    return len(idx)


def _mercator(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(lat.astype(float), -85.0, 85.0)
    x = np.radians(lon.astype(float)) * 6378137.0
    y = np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) * 6378137.0
    return x, y


def _extent(
    x: np.ndarray, y: np.ndarray, view: StaticView, aspect: float
) -> tuple[float, float, float, float]:
    """``(xmin, xmax, ymin, ymax)`` in Web Mercator metres with the map area's aspect."""
    if view.lat is not None and view.lon is not None and view.zoom is not None:
        cx, cy = (float(v[0]) for v in _mercator(np.array([view.lat]), np.array([view.lon])))
        half_h = _WORLD_M / (256 * 2 ** int(view.zoom)) * SCREEN_HEIGHT / 2
    elif len(x):
        cx, cy = (float(x.min()) + float(x.max())) / 2, (float(y.min()) + float(y.max())) / 2
        # 10 % margin around the clusters, and at least about 300 km across.
        half_h = max((float(y.max()) - float(y.min())) * 0.6, 150_000.0)
        half_h = max(half_h, (float(x.max()) - float(x.min())) * 0.6 / aspect)
    else:  # nothing to draw: Europe
        cx, cy = (float(v[0]) for v in _mercator(np.array([51.0]), np.array([10.0])))
        half_h = 2_300_000.0
    return cx - half_h * aspect, cx + half_h * aspect, cy - half_h, cy + half_h


def _fmt(value: float, measure: str) -> str:
    return fmt_decimal(value, 1) if measure == "employees_per_firm" else fmt_int(int(value))


def default_title(measure: str, counts: Iterable[str] | None) -> str:
    """What the map shows: the measure and the kinds drawn.

    "MST clusters by employees, figures counting cluster firms".
    """
    kinds = [in_sentence(COUNTS_WHAT[k]) for k in (counts or ()) if k in COUNTS_WHAT]
    label = in_sentence(MEASURES[measure])
    if not kinds or len(kinds) == len(COUNTS_WHAT):
        return _("MST clusters by {measure}, figures of any kind").format(measure=label)
    return _("MST clusters by {measure}, figures counting {kinds}").format(
        measure=label, kinds=and_list(kinds)
    )


def alt_text(points: pd.DataFrame, measure: str, title: str, top: int = 5) -> str:
    """What the image shows, in words, for a screen reader (PNG Description, SVG ``<desc>``).

    Names the title, how many clusters are drawn with a figure, how to read the
    symbols, the largest figures with their year, and the sources.
    """
    values = pd.to_numeric(points["value"], errors="coerce")
    drawn = points[values.notna()]
    parts = [
        title + ".",
        ngettext(
            "Map of {n} cluster, {k} with a figure.",
            "Map of {n} clusters, {k} with a figure.",
            len(points),
        ).format(n=fmt_int(len(points)), k=fmt_int(len(drawn))),
        _("Circle area shows the figure; colour shows what it counts."),
    ]
    largest = [
        _("{name}: {figure} ({year}, {kind})").format(
            name=strip_bidi(str(r.cluster_name)),
            figure=str(r.display) or _fmt(float(r.value), measure),
            year=_("undated") if pd.isna(r.year) else int(r.year),
            kind=COUNTS_WHAT.get(str(r.counts_what), str(r.counts_what)),
        )
        for r in drawn.head(top).itertuples()
    ]
    if largest:
        parts.append(_("Largest: {list}.").format(list="; ".join(largest)))
    parts.append(strip_bidi(data_line(points)))
    return " ".join(parts)


def _legend(fig: Figure, points: pd.DataFrame, measure: str, k: float, unit: float) -> None:
    """Size steps and colours (with counts in view) in the column right of the map."""
    values = pd.to_numeric(points["value"], errors="coerce")
    vmax = float(values.max()) if values.notna().any() else 0.0
    handles, labels = [], []
    for v in nice_steps(vmax) if k > 0 else []:
        r = max(R_MIN, k * math.sqrt(v)) * unit
        handles.append(Line2D([], [], ls="", marker="o", ms=2 * r, mfc="none", mec="#555"))
        labels.append(_fmt(v, measure))
    fs = 11 * unit
    if handles:
        widest = max(h.get_markersize() for h in handles) / fs  # in font sizes
        fig.legend(
            handles, labels, title=_("{measure} (circle area)").format(measure=MEASURES[measure]),
            loc="upper left", bbox_to_anchor=(0.75, 0.85), frameon=False, fontsize=fs,
            title_fontsize=fs, labelspacing=max(1.0, widest * 0.45), borderpad=0.2,
            alignment="left", handlelength=widest, handletextpad=0.8,
        )  # fmt: skip
    kinds = [
        Line2D([], [], ls="", marker="o", ms=9 * unit, mfc=COUNTS_WHAT_COLOURS.get(c, "#777"),
               mec="white", alpha=0.85)
        for c, _n in category_counts(points)
    ]  # fmt: skip
    names = [f"{COUNTS_WHAT.get(c, c)} ({fmt_int(n)})" for c, n in category_counts(points)]
    kinds.append(Line2D([], [], ls="", marker="o", ms=8 * unit, mfc="none", mec="#777"))
    names.append(_("no figure reported"))
    fig.legend(
        kinds, names, title=_("What the figure counts"), loc="upper left",
        bbox_to_anchor=(0.75, 0.42 if handles else 0.85), frameon=False, fontsize=fs,
        title_fontsize=fs, alignment="left",
    )  # fmt: skip


def _draw_points(ax: object, points: pd.DataFrame, unit: float, k: float) -> None:
    """Filled circles for figures (larger first, as on screen), hollow ones for blanks."""
    x, y = _mercator(points["lat"].to_numpy(), points["lon"].to_numpy())
    values = pd.to_numeric(points["value"], errors="coerce").to_numpy(dtype=float)
    has = ~np.isnan(values)
    colours = [COUNTS_WHAT_COLOURS.get(str(c), "#777") for c in points["counts_what"]]
    radius = np.where(has, np.maximum(R_MIN, k * np.sqrt(np.clip(np.nan_to_num(values), 0, None))),
                      R_MIN) * unit  # fmt: skip
    sizes = (2 * radius) ** 2  # scatter sizes are areas in points²
    filled = np.flatnonzero(has)
    ax.scatter(  # type: ignore[attr-defined]
        x[filled], y[filled], s=sizes[filled], c=[colours[i] for i in filled],
        alpha=0.72, edgecolors="white", linewidths=0.8 * unit, zorder=3,
    )  # fmt: skip
    hollow = np.flatnonzero(~has)
    if len(hollow):
        ax.scatter(  # type: ignore[attr-defined]
            x[hollow], y[hollow], s=sizes[hollow], facecolors="none",
            edgecolors=[colours[i] for i in hollow], linewidths=1.2 * unit, zorder=3,
        )  # fmt: skip


def map_figure(
    points: pd.DataFrame,
    measure: str,
    *,
    title: str,
    subtitle: Sequence[str] = (),
    view: StaticView | None = None,
    size: ImageSize = SLIDE,
) -> Figure:
    """The still map: outlines, symbols, legend, title, subtitle and the "Data:" line.

    Parameters
    ----------
    points : DataFrame
        Symbols as :func:`mstatlas.mapping.build.map_points` gives them.
    measure : str
        Key of :data:`mstatlas.data.schema.MEASURES` the symbols show.
    title, subtitle
        What is shown (the caller says which filters and year); drawn above the map.
    view : StaticView, optional
        The app's view; without one the image fits all clusters.
    size : ImageSize
        :data:`SLIDE` or :data:`PRINT`.

    Returns
    -------
    matplotlib.figure.Figure
        With an Agg canvas attached, ready for ``savefig``.
    """
    fig = Figure(figsize=(size.width_in, size.height_in), dpi=size.dpi, facecolor="white")
    FigureCanvasAgg(fig)
    unit = size.height_in * 72 / SCREEN_HEIGHT  # points per screen pixel
    ax = fig.add_axes(_MAP_BOX)
    aspect = (_MAP_BOX[2] * size.width_in) / (_MAP_BOX[3] * size.height_in)
    x, y = _mercator(points["lat"].to_numpy(), points["lon"].to_numpy())
    box = _extent(x, y, view or StaticView(), aspect)
    xmin, xmax, ymin, ymax = box
    zoom = _zoom_of((ymax - ymin) / 2)
    ax.set_facecolor(_SEA)
    outlines = _outlines_3857(zoom >= FINE_FROM_ZOOM)
    outlines.plot(ax=ax, color=_LAND, edgecolor=_BORDER, linewidth=0.6 * unit)
    named = _draw_places(ax, box, zoom, unit)
    # Large symbols scale with the image: the largest gets R_MAX screen pixels.
    k = radius_scale(points["value"], R_MAX)
    _draw_points(ax, points, unit, k)
    _frame(ax, box)
    fig.text(
        0.015,
        0.965,
        strip_bidi(title),
        fontsize=18 * unit,
        weight="bold",
        va="top",
        parse_math=False,
    )
    if subtitle:
        text = "\n".join(strip_bidi(s) for s in subtitle)
        fig.text(0.015, 0.915, text, fontsize=11 * unit, va="top", color="#333", parse_math=False)
    _legend(fig, points, measure, k, unit)
    source = (
        strip_bidi(data_line(points, limit=12))
        + " "
        + _("Map: MST Atlas; outlines: Natural Earth.")
    )
    if named:
        source += " " + _("Place names: GeoNames (CC BY 4.0).")
    fig.text(
        0.015,
        0.02,
        _wrapped(source, 190),
        fontsize=9 * unit,
        va="bottom",
        color="#333",
        parse_math=False,
    )
    return fig


def _frame(ax: Axes, box: tuple[float, float, float, float]) -> None:
    """Crop the axes to the view's box: no ticks or labels, a thin grey frame."""
    xmin, xmax, ymin, ymax = box
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_aspect("equal", adjustable="box")
    for spine in ax.spines.values():
        spine.set_edgecolor("#999")


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)[:3])


def figure_png(fig: Figure, alt: str) -> bytes:
    """PNG bytes of ``fig`` with ``alt`` in its ``Description`` text chunk."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Description": alt, "Software": "MST Atlas"})
    return buf.getvalue()


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def figure_svg(fig: Figure, title: str, alt: str) -> str:
    """SVG text of ``fig`` with ``<title>`` and ``<desc>`` (see :func:`label_svg`).

    Its ``width``/``height`` are the image's pixels (1920 × 1080 for a slide); the
    ``viewBox`` keeps matplotlib's points, so the drawing scales to fit.
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Title": title, "Description": alt, "Date": None})
    w, h = (round(v * fig.dpi) for v in fig.get_size_inches())
    return label_svg(buf.getvalue(), title, alt, (w, h))


def label_svg(svg: str, title: str, desc: str, pixels: tuple[int, int] | None = None) -> str:
    """``svg`` with a ``<title>`` and ``<desc>`` first in its root, named by ``aria-labelledby``.

    Screen readers read them as the image's name and description (the SVG form of an
    alt text). ``pixels`` sets the root's ``width`` and ``height``.
    """
    head = _SVG_OPEN.search(svg)
    if head is None:
        raise ValueError("not an SVG document: no <svg> element")
    opening = head.group(0)
    if pixels is not None:
        size = f'width="{pixels[0]}" height="{pixels[1]}"'
        opening = re.sub(r'width="[^"]*" height="[^"]*"', size, opening, count=1)
    opening = opening.replace("<svg", '<svg role="img" aria-labelledby="mst-title mst-desc"', 1)
    labels = (
        f'<title id="mst-title">{escape(title)}</title><desc id="mst-desc">{escape(desc)}</desc>'
    )
    return svg[: head.start()] + opening + labels + svg[head.end() :]


def static_map(
    clusters: pd.DataFrame,
    measure: str = "employees",
    *,
    counts: Iterable[str] | None = None,
    title: str | None = None,
    subtitle: Sequence[str] = (),
    view: StaticView | None = None,
    size: ImageSize = SLIDE,
    fmt: str = "png",
) -> tuple[bytes, str]:
    """The map of ``clusters`` as PNG or SVG bytes, and its alt text.

    Parameters
    ----------
    clusters : DataFrame
        Canonical cluster table, already filtered to the view.
    measure, counts
        As :func:`mstatlas.mapping.build.build_map` takes them.
    title : str, optional
        Default: :func:`default_title`.
    subtitle, view, size
        See :func:`map_figure`.
    fmt : {"png", "svg"}
        Output format.

    Returns
    -------
    (bytes, str)
        The image and the text describing it (also inside the image).
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt must be 'png' or 'svg', got {fmt!r}")
    points = map_points(clusters, measure, counts)
    heading = title or default_title(measure, counts)
    alt = alt_text(points, measure, heading)
    fig = map_figure(points, measure, title=heading, subtitle=subtitle, view=view, size=size)
    if fmt == "png":
        return figure_png(fig, alt), alt
    return figure_svg(fig, heading, alt).encode("utf-8"), alt
