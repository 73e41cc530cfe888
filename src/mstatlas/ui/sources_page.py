"""Sources page: every figure in the dataset with its source, year and what it counts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mstatlas.data.export import to_safe_csv_bytes, to_safe_xlsx
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_HELP
from mstatlas.data.text import strip_bidi_frame
from mstatlas.ui import components, disclosure_panel, session
from mstatlas.ui.datasets import current, filtered, filters_key

#: How a qualifier reads in the table (the data's codes, e.g. ``more_than``, as words).
STATED_AS = {
    "about": "about",
    "more_than": "more than",
    "at_least": "at least",
    "up_to": "up to",
}


def _stated(qualifiers: pd.Series) -> pd.Series:
    """Qualifier codes as words; blank where the figure is stated exactly or missing."""
    return qualifiers.map(lambda q: STATED_AS.get(q, q) if isinstance(q, str) else "")


def render() -> None:
    """Draw the data & sources page."""
    ds = current()
    session.show_notices()
    st.title("Data and sources")
    st.markdown(
        "Every number in the atlas is a figure reported by a public source, entered as "
        "stated. Blanks stay blank: nothing is estimated, averaged or added up. Figures that "
        "count different things are kept apart:"
    )
    st.markdown("\n".join(f"- **{COUNTS_WHAT[k]}**: {v}" for k, v in COUNTS_WHAT_HELP.items()))
    view = session.view()
    rows = filtered(ds.id, filters_key(view.filters()))
    st.caption(
        f"{len(rows):,} figures of {rows['cluster_id'].nunique():,} clusters match the filters "
        f"(dataset: {components.md(ds.name)})."
    )
    disclosure_panel.method_note(ds)
    table = pd.DataFrame(
        {
            "Row": rows.index,
            "Cluster": rows["cluster_name"],
            "Country": rows["country_iso2"].fillna(""),
            "Firms": rows["firms"],
            "Firms as stated": _stated(rows["firms_qualifier"]),
            "Employees": rows["employees"],
            "Employees as stated": _stated(rows["employees_qualifier"]),
            "Year": rows["year"],
            "Counts": [COUNTS_WHAT.get(c, c) for c in rows["counts_what"]],
            "Scope": rows["scope"].fillna("") if "scope" in rows.columns else "",
            "Organisation": rows["organisation"].fillna(""),
            "Source": rows["source_title"].fillna(""),
            "Link": [components.safe_url(u) for u in rows["source_url"]],
            "Note": rows["note"].fillna(""),
        }
    )
    st.dataframe(
        strip_bidi_frame(table),
        hide_index=True,
        width="stretch",
        column_config={
            "Link": st.column_config.LinkColumn("Link", display_text="open"),
            "Year": st.column_config.NumberColumn("Year", format="%d"),
        },
    )
    st.caption(
        "Row: the figure's number in this dataset, as the explanations of stars and growth "
        "cite it (“row 2”). Scope: blank when the figure covers the cluster's usual "
        "perimeter, otherwise the narrower or other perimeter it covers."
    )
    export = pd.DataFrame(rows.drop(columns="geometry", errors="ignore"))
    export.insert(0, "row", rows.index)
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download figures (CSV)", to_safe_csv_bytes(export), "mst-figures.csv", "text/csv"
    )
    c2.download_button(
        "Download figures (XLSX)",
        to_safe_xlsx(export),
        "mst-figures.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    st.markdown(
        "**About the original atlas.** IVAM Research's *Micro/Nano Atlas of Europe* "
        "(“MST-Atlas Europa”, October 2007) benchmarked eight clusters: Dortmund, Twente, "
        "Flanders, Grenoble, Neuchâtel, Cambridge, Göteborg and Oulu, and named Dortmund one "
        "of Europe's three largest MST clusters (39 firms, about 2,100 employees in 2007). The "
        "atlas's own per-cluster tables were not found in public sources; the figures here "
        "come from the documents linked in each row. Country outlines: Natural Earth "
        "(public domain). Map library: Leaflet (BSD-2-Clause), served by this app."
    )
