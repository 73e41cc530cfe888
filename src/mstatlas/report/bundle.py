"""The report bundle: one ZIP of a view, ready for slides and a report.

Parts (:data:`PARTS`): the visible figures as CSV and XLSX (formula-safe, each row with
its source, year and what it counts), the ranking as CSV and as the chart the Ranking
page exports (PNG/SVG), the map as a slide PNG, a 300 dpi print PNG and an SVG, the
offline HTML map, ``methodology.md`` and a ``README.md`` that lists every part and the
images' alt texts. Only the cluster table in view goes in: a firm list's firm rows never
do, and its employee figures are as protected as the caller's table is.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from PIL import Image, PngImagePlugin

from mstatlas.analysis import charts
from mstatlas.analysis.filters import apply_filters
from mstatlas.analysis.provenance import year_range_text, year_text
from mstatlas.analysis.ranking import default_kinds, rank_clusters
from mstatlas.data.export import to_safe_csv_bytes, to_safe_xlsx
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import N_, _, fmt_int
from mstatlas.mapping.assets import standalone_html
from mstatlas.mapping.build import build_map, map_points
from mstatlas.mapping.static_map import (
    PRINT,
    SLIDE,
    StaticView,
    alt_text,
    default_title,
    figure_png,
    figure_svg,
    label_svg,
    map_figure,
)
from mstatlas.report.methodology import filters_in_words, methodology_md
from mstatlas.report.view import ReportView

#: Every file of a bundle, in the order the README lists them.
PARTS: tuple[str, ...] = (
    "README.md",
    "methodology.md",
    "figures.csv",
    "figures.xlsx",
    "ranking.csv",
    "ranking.png",
    "ranking.svg",
    "map.png",
    "map-print.png",
    "map.svg",
    "map.html",
)

#: Called with the share done (0 to 1) and what is being built, for a progress bar.
Progress = Callable[[float, str], None]


@dataclass
class Bundle:
    """The files of a bundle (name -> bytes) and the alt texts of its images."""

    files: dict[str, bytes] = field(default_factory=dict)
    alt: dict[str, str] = field(default_factory=dict)

    def zip_bytes(self) -> bytes:
        """The bundle as one ZIP file, parts in :data:`PARTS` order."""
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name in sorted(self.files, key=lambda n: PARTS.index(n) if n in PARTS else 99):
                z.writestr(name, self.files[name])
        return buf.getvalue()


def figures_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The figure rows in view as they are exported: the row number first, no geometry."""
    out = pd.DataFrame(rows.drop(columns="geometry", errors="ignore"))
    out.insert(0, "row", rows.index)
    return out


def png_with_description(png: bytes, text: str) -> bytes:
    """``png`` re-saved with ``text`` in its ``Description`` chunk (the image's alt text)."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Description", text)
    with Image.open(io.BytesIO(png)) as im:
        buf = io.BytesIO()
        im.save(buf, format="PNG", pnginfo=info)
    return buf.getvalue()


def _map_subtitle(view: ReportView, points: pd.DataFrame) -> list[str]:
    filters = filters_in_words(view.filters())
    dated = points.loc[pd.to_numeric(points["value"], errors="coerce").notna(), "year"].dropna()
    lines = [
        _("Dataset: {name}.").format(name=view.dataset_title())
        + " "
        + (
            _("Filters: {filters}.").format(filters="; ".join(filters))
            if filters
            else _("No filters: every figure of the dataset.")
        )
    ]
    if len(dated):
        years = year_range_text(int(dated.min()), int(dated.max()))
        lines.append(_("Years of the figures drawn: {years}.").format(years=years))
    return lines


def _add_maps(bundle: Bundle, rows: pd.DataFrame, view: ReportView, step: Progress) -> None:
    points = map_points(rows, view.measure)
    title = default_title(view.measure, view.filters().counts_what)
    alt = alt_text(points, view.measure, title)
    where = StaticView(view.lat, view.lon, view.zoom)
    sub = _map_subtitle(view, points)
    step(0.35, _("Drawing the map for slides"))
    fig = map_figure(points, view.measure, title=title, subtitle=sub, view=where, size=SLIDE)
    bundle.files["map.png"] = figure_png(fig, alt)
    bundle.files["map.svg"] = figure_svg(fig, title, alt).encode("utf-8")
    step(0.55, _("Drawing the map for print"))
    fig = map_figure(points, view.measure, title=title, subtitle=sub, view=where, size=PRINT)
    bundle.files["map-print.png"] = figure_png(fig, alt)
    for name in ("map.png", "map-print.png", "map.svg"):
        bundle.alt[name] = alt
    step(0.75, _("Writing the offline HTML map"))
    located = view.lat is not None and view.lon is not None
    m = build_map(
        rows,
        measure=view.measure,
        location=(float(view.lat), float(view.lon)) if located else None,  # type: ignore[arg-type]
        zoom=view.zoom,
        title=view.dataset_title(),
    )
    bundle.files["map.html"] = standalone_html(m).encode("utf-8")


def _add_ranking(bundle: Bundle, rows: pd.DataFrame, view: ReportView) -> None:
    counts = None if view.mixed else default_kinds(rows, view.rank_by)
    full = rank_clusters(rows, by=view.rank_by, counts=counts)
    bundle.files["ranking.csv"] = to_safe_csv_bytes(full.drop(columns=["row"], errors="ignore"))
    if full.empty:
        return
    top = full[full["rank"] <= view.top]
    chart, footer = charts.ranking_chart(top, view.rank_by, len(full), view, view.dataset_title())
    spec = charts.export_spec(chart, footer)
    title = getattr(chart.title, "text", "")
    heading = " ".join(title) if isinstance(title, list) else str(title)
    alt = _("Bar chart: {title}. {bars}").format(
        title=heading,
        bars="; ".join(
            f"{strip_bidi(str(r.cluster_name))}: {r.display} ({year_text(r.year)})"
            for r in top.itertuples()
        ),
    )
    bundle.files["ranking.png"] = png_with_description(charts.chart_png(spec), alt)
    bundle.files["ranking.svg"] = label_svg(charts.chart_svg(spec), heading, alt).encode("utf-8")
    bundle.alt["ranking.png"] = bundle.alt["ranking.svg"] = alt


def build_bundle(
    clusters: pd.DataFrame, view: ReportView, progress: Progress | None = None
) -> Bundle:
    """Every part of the bundle of ``view`` over ``clusters``.

    Parameters
    ----------
    clusters : DataFrame
        The dataset's cluster table as the person may see it (a firm list's employee
        figures already protected unless its owner turned the control off); the
        view's filters are applied here.
    view : ReportView
        Dataset name, filters, measure, ranking and map position.
    progress : callable, optional
        ``progress(share_done, what)`` before each step (the app's progress bar).

    Returns
    -------
    Bundle
        ``.zip_bytes()`` gives the ZIP.
    """
    step = progress or (lambda _share, _text: None)
    rows = apply_filters(clusters, view.filters())
    bundle = Bundle()
    step(0.0, _("Writing the figures in view"))
    table = figures_table(rows)
    bundle.files["figures.csv"] = to_safe_csv_bytes(table)
    bundle.files["figures.xlsx"] = to_safe_xlsx(table, sheet_name="figures")
    step(0.1, _("Drawing the ranking chart"))
    _add_ranking(bundle, rows, view)
    _add_maps(bundle, rows, view, step)
    step(0.9, _("Writing the methodology"))
    names = [p for p in PARTS if p in bundle.files or p in ("README.md", "methodology.md")]
    bundle.files["methodology.md"] = methodology_md(rows, view, names).encode("utf-8")
    bundle.files["README.md"] = readme_md(bundle, view, len(rows)).encode("utf-8")
    step(1.0, _("Bundle ready"))
    return bundle


#: What each part is, for the README.
PART_TEXTS: dict[str, str] = {
    "methodology.md": N_(
        "How the figures were chosen: sources, kinds, filters, rules, thresholds."
    ),
    "figures.csv": N_(
        "The figures in view, one row per reported figure, with source, year and what it "
        "counts (UTF-8; cells that a spreadsheet would run as formulas start with ')."
    ),
    "figures.xlsx": N_("The same figures as an Excel workbook."),
    "ranking.csv": N_("The ranking in view, one headline figure per cluster."),
    "ranking.png": N_("The ranking chart for slides."),
    "ranking.svg": N_("The ranking chart as a vector image."),
    "map.png": N_("The map for slides (1920 × 1080 px)."),
    "map-print.png": N_("The map for print (300 dpi, 3072 × 1728 px)."),
    "map.svg": N_("The map as a vector image."),
    "map.html": N_("The interactive map in one file; open it in any browser, also offline."),
}


def readme_md(bundle: Bundle, view: ReportView, n_rows: int) -> str:
    """The bundle's README: what it holds, each file in one line, and the images' alt texts."""
    lines = [
        "# " + _("MST Atlas: report bundle"),
        "",
        _("Dataset: {name}. {n} figures in view.").format(
            name=view.dataset_title(), n=fmt_int(n_rows)
        ),
        _("Every figure carries its source, year and what it counts; see methodology.md."),
        "",
        "## " + _("Files"),
        "",
    ]
    lines += [
        f"- `{p}`: {_(PART_TEXTS[p])}" for p in PARTS if p in bundle.files and p in PART_TEXTS
    ]
    if "ranking.png" not in bundle.files:
        lines.append("- " + _("No ranking chart: no cluster in view has a figure to rank."))
    lines += ["", "## " + _("Alt texts of the images"), ""]
    lines += [f"- `{name}`: {text}" for name, text in bundle.alt.items()]
    return "\n".join(lines) + "\n"
