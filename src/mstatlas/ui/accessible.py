"""What makes every page usable without a mouse, without colour and on paper.

- :func:`page_css`: visible keyboard focus on every control, and a print layout that
  shows the page's content (a cluster's profile) without the sidebar, header and
  toolbar; the app injects it once per run.
- :func:`table_alternative`: a "Table of this map/chart" expander right under a map or
  chart, with the same figures, each with its year, what it counts and its source.
  :func:`figure_table` writes such a table from any frame of figures the pages draw
  (map symbols, ranked clusters, compared figures, growth series, country sums).
"""

from __future__ import annotations

from typing import Final, Literal

import pandas as pd
import streamlit as st

from mstatlas.analysis.provenance import year_range_text, year_text
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import strip_bidi_frame
from mstatlas.i18n import N_, Labels, _, fmt_decimal, fmt_int
from mstatlas.mapping.accessible import FOCUS_COLOUR

#: Small grey texts (captions, widget help) darker than Streamlit's own 60 % grey, which
#: reads 3.7:1 on white, below WCAG AA for small text; the theme is light (config.toml).
CAPTION_COLOUR: Final = "#555a66"

#: Focus rings on every control reached by keyboard (Streamlit's own are faint or absent
#: on some widgets), captions at AA contrast, and a print layout without the app's chrome.
PAGE_CSS: Final = (
    "<style>"
    f'[data-testid="stCaptionContainer"],[data-testid="stWidgetLabel"] small'
    f"{{color:{CAPTION_COLOUR} !important}}"
    f":focus-visible{{outline:3px solid {FOCUS_COLOUR} !important;outline-offset:2px}}"
    # a select box's focus sits on the small text input inside it: ring the whole box
    '[data-testid="stSelectbox"] [role="group"]:has(input:focus-visible),'
    '[data-baseweb="select"]:has(input:focus-visible){'
    f"outline:3px solid {FOCUS_COLOUR};outline-offset:2px;border-radius:0.5rem}}"
    '[data-testid="stSelectbox"] input:focus-visible,'
    '[data-baseweb="select"] input:focus-visible{outline:none !important}'
    "@media print{"
    '[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],'
    '[data-testid="stExpandSidebarButton"],header[data-testid="stHeader"],'
    '[data-testid="stToolbar"],[data-testid="stDecoration"],[data-testid="stStatusWidget"],'
    '[data-testid="stDownloadButton"],[data-testid="stBaseButton-secondary"],footer'
    "{display:none !important}"
    '[data-testid="stMain"]{margin-left:0 !important}'
    '[data-testid="stMainBlockContainer"]{max-width:100% !important;padding:0 !important}'
    '[data-testid="stVerticalBlockBorderWrapper"],[data-testid="stExpander"]'
    "{break-inside:avoid}"
    "}"
    "</style>"
)


def page_css() -> None:
    """Inject :data:`PAGE_CSS` (a style-only element: it takes no room on the page)."""
    st.html(PAGE_CSS)


#: Columns a table alternative shows, in this order, with their headings. A frame
#: holds some of them; the first of ``country``/``country_iso2`` present is shown.
ALT_COLUMNS: Final = Labels({
    "rank": N_("Rank"),
    "cluster_name": N_("Cluster"),
    "country": N_("Country"),
    "country_iso2": N_("Country"),
    "city": N_("City"),
    "measure": N_("Measure"),
    "series": N_("Series"),
    "n_clusters": N_("Clusters"),
    "display": N_("Figure"),
    "year": N_("Year"),
    "years": N_("Years"),
    "counts_what": N_("What it counts"),
    "scope": N_("Scope"),
    "source_title": N_("Source"),
    "sources": N_("Sources"),
})  # fmt: skip

#: The most rows a table alternative shows (the map's largest first); a dataset's
#: every figure is on the Data & sources page and in its download.
MAX_ROWS: Final = 300


def _text(values: pd.Series) -> pd.Series:
    """Cells as text, blanks blank (never "None" or "nan")."""
    if isinstance(values.dtype, pd.StringDtype):  # text already: only the blanks to fill
        return values.fillna("").astype(object)
    return values.astype("string").fillna("").astype(object)


def _figure(frame: pd.DataFrame) -> pd.Series:
    """The figure as people read it: ``display`` where given, else the value written out."""
    if "display" in frame.columns:
        return _text(frame["display"])
    values = pd.to_numeric(frame["value"], errors="coerce")
    whole = values.dropna().mod(1).eq(0).all()
    return values.map(
        lambda v: "" if pd.isna(v) else (fmt_int(v) if whole else fmt_decimal(v))
    ).astype(object)


def _years(frame: pd.DataFrame) -> pd.Series:
    """The years of a row: its year (or "undated"), or the range of years it adds up."""
    if "year" in frame.columns:
        return frame["year"].map(year_text).astype(object)
    undated = frame["n_undated"] if "n_undated" in frame.columns else pd.Series(0, frame.index)
    return pd.Series(
        [
            year_range_text(a, b) or (year_text(None) if u else "")
            for a, b, u in zip(frame["year_min"], frame["year_max"], undated.fillna(0))
        ],
        index=frame.index,
        dtype=object,
    )


def _cell_columns(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Every column of :data:`ALT_COLUMNS` that ``frame`` can fill, as text."""
    out: dict[str, pd.Series] = {}
    for col in ALT_COLUMNS:
        if col == "display":
            if "display" in frame.columns or "value" in frame.columns:
                out[col] = _figure(frame)
        elif col == "year":
            if "year" in frame.columns:
                out[col] = _years(frame)
        elif col == "years":
            if "year" not in frame.columns and {"year_min", "year_max"} <= set(frame.columns):
                out[col] = _years(frame)
        elif col == "country_iso2":
            if "country" not in frame.columns and col in frame.columns:
                out[col] = _text(frame[col])
        elif col == "counts_what" and col in frame.columns:
            out[col] = frame[col].map(
                lambda k: COUNTS_WHAT.get(k, "") if isinstance(k, str) else ""
            )
        elif col == "measure" and col in frame.columns:
            out[col] = frame[col].map(lambda m: MEASURES.get(m, m) if isinstance(m, str) else "")
        elif col == "n_clusters" and col in frame.columns:
            out[col] = frame[col].map(lambda n: "" if pd.isna(n) else fmt_int(n))
        elif col in frame.columns:
            out[col] = _text(frame[col])
    return out


def figure_table(frame: pd.DataFrame, limit: int = MAX_ROWS) -> pd.DataFrame:
    """The figures of a map or chart as a table people (and screen readers) can read.

    Parameters
    ----------
    frame : DataFrame
        What a map or chart draws, with the atlas' column names: some of
        ``cluster_name``, ``country``/``country_iso2``, ``city``, ``measure``,
        ``series``, ``value``/``display``, ``year`` (or ``year_min``/``year_max``),
        ``counts_what``, ``scope``, ``source_title``/``sources``, ``rank``,
        ``n_clusters``.
    limit : int
        The most rows kept, in the frame's order.

    Returns
    -------
    DataFrame
        Text columns with headings in the active language: the figure as written
        on screen (qualifier included), its year ("undated" where the source gives
        none), what it counts in words, its scope and source; a row without a
        figure (a hollow symbol) has only its names. Blank cells stay blank;
        bidirectional controls are removed from names.
    """
    cells = _cell_columns(frame.head(limit))
    if "display" in cells:  # no figure (a hollow symbol): nothing to date or source
        none = (cells["display"] == "").to_numpy()
        for col in ("year", "counts_what", "scope", "source_title"):
            if col in cells:
                cells[col] = cells[col].where(~none, "")
    table = pd.DataFrame({ALT_COLUMNS[c]: s.to_numpy() for c, s in cells.items()})
    return strip_bidi_frame(table)


def table_alternative(
    table: pd.DataFrame, of: Literal["map", "chart"], total: int | None = None
) -> None:
    """A closed expander "Table of this map" (or chart) showing ``table``.

    Parameters
    ----------
    table : DataFrame
        What to show, usually :func:`figure_table` of what the map or chart draws.
    of : {"map", "chart"}
        Names the expander.
    total : int, optional
        How many rows the map or chart has when ``table`` holds only the first
        of them: then a caption says so.
    """
    label = _("Table of this map") if of == "map" else _("Table of this chart")
    with st.expander(label, icon=":material/table:"):
        if table.empty:
            st.caption(_("Nothing is drawn, so the table is empty."))
            return
        # a plain HTML table: screen readers walk its rows and cells (a data grid is a canvas)
        st.table(table, hide_index=True, border="horizontal")
        if total is not None and total > len(table):
            st.caption(
                _(
                    "The first {n} of {total} rows; every figure is on the Data & sources page."
                ).format(n=fmt_int(len(table)), total=fmt_int(total))
            )


def figures_alternative(frame: pd.DataFrame, of: Literal["map", "chart"]) -> None:
    """:func:`table_alternative` of :func:`figure_table` of ``frame``: one call per map or chart."""
    table_alternative(figure_table(frame), of, total=len(frame))
