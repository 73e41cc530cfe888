"""Sources page: every figure in the dataset with its source, year and what it counts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from mstatlas.data.export import to_safe_csv_bytes, to_safe_xlsx
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_HELP
from mstatlas.data.text import strip_bidi_frame
from mstatlas.i18n import N_, _, fmt_int, ngettext
from mstatlas.store.dataset import Dataset
from mstatlas.ui import components, disclosure_panel, session
from mstatlas.ui.datasets import current, filtered, filters_key, title

#: How a qualifier reads in the table (the data's codes, e.g. ``more_than``, as words).
STATED_AS = {
    "about": N_("about"),
    "more_than": N_("more than"),
    "at_least": N_("at least"),
    "up_to": N_("up to"),
}
#: The table's columns and how they are headed on screen (the keys stay English).
HEADINGS = {
    "Row": N_("Row"),
    "Cluster": N_("Cluster"),
    "Country": N_("Country"),
    "Firms": N_("Firms"),
    "Firms as stated": N_("Firms as stated"),
    "Employees": N_("Employees"),
    "Employees as stated": N_("Employees as stated"),
    "Year": N_("Year"),
    "Counts": N_("Counts"),
    "Scope": N_("Scope"),
    "Organisation": N_("Organisation"),
    "Source": N_("Source"),
    "Link": N_("Link"),
    "Note": N_("Note"),
}


def _stated(qualifiers: pd.Series) -> pd.Series:
    """Qualifier codes as words; blank where the figure is stated exactly or missing."""
    return qualifiers.map(lambda q: _(STATED_AS.get(q, q)) if isinstance(q, str) else "")


def _matching(rows: pd.DataFrame, ds: Dataset) -> str:
    """How many figures of how many clusters match the filters, and of which dataset."""
    n, k = len(rows), int(rows["cluster_id"].nunique())
    clusters = ngettext("{k} cluster", "{k} clusters", k).format(k=fmt_int(k))
    return ngettext(
        "{n} figure of {clusters} matches the filters (dataset: {name}).",
        "{n} figures of {clusters} match the filters (dataset: {name}).",
        n,
    ).format(n=fmt_int(n), clusters=clusters, name=components.md(title(ds)))


def figures_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The figures as the page lists them: words for codes, numbers as the language writes
    them, blanks blank (columns keyed by their English headings, see :data:`HEADINGS`)."""
    return pd.DataFrame(
        {
            "Row": rows.index,
            "Cluster": rows["cluster_name"],
            "Country": rows["country_iso2"].fillna(""),
            "Firms": components.number_texts(rows["firms"]),
            "Firms as stated": _stated(rows["firms_qualifier"]),
            "Employees": components.number_texts(rows["employees"]),
            "Employees as stated": _stated(rows["employees_qualifier"]),
            "Year": rows["year"],
            "Counts": [
                COUNTS_WHAT.get(c, c) if isinstance(c, str) else "" for c in rows["counts_what"]
            ],
            "Scope": rows["scope"].fillna("") if "scope" in rows.columns else "",
            "Organisation": rows["organisation"].fillna(""),
            "Source": rows["source_title"].fillna(""),
            "Link": [components.safe_url(u) for u in rows["source_url"]],
            "Note": rows["note"].fillna(""),
        }
    )


def _table(rows: pd.DataFrame) -> None:
    """The figures on screen, headed in the active language, then the downloads."""
    config: dict[str, Any] = {k: st.column_config.Column(_(v)) for k, v in HEADINGS.items()}
    config["Link"] = st.column_config.LinkColumn(_("Link"), display_text=_("open"))
    config["Year"] = st.column_config.NumberColumn(_("Year"), format="%d")
    config["Row"] = st.column_config.NumberColumn(_("Row"), format="%d")
    st.dataframe(
        strip_bidi_frame(figures_table(rows)),
        hide_index=True,
        width="stretch",
        column_config=config,
        placeholder="",
    )
    st.caption(
        _(
            "Row: the figure's number in this dataset, as the explanations of stars and "
            "growth cite it (“row 2”). Scope: blank when the figure covers the cluster's "
            "usual perimeter, otherwise the narrower or other perimeter it covers."
        )
    )
    export = pd.DataFrame(rows.drop(columns="geometry", errors="ignore"))
    export.insert(0, "row", rows.index)
    c1, c2 = st.columns(2)
    c1.download_button(
        _("Download figures (CSV)"), to_safe_csv_bytes(export), "mst-figures.csv", "text/csv"
    )
    c2.download_button(
        _("Download figures (XLSX)"),
        to_safe_xlsx(export),
        "mst-figures.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def render() -> None:
    """Draw the data & sources page."""
    ds = current()
    session.show_notices()
    st.title(_("Data and sources"))
    st.markdown(
        _(
            "Every number in the atlas is a figure reported by a public source, entered as "
            "stated. Blanks stay blank: nothing is estimated, averaged or added up. Figures "
            "that count different things are kept apart:"
        )
    )
    st.markdown("\n".join(f"- **{COUNTS_WHAT[k]}**: {v}" for k, v in COUNTS_WHAT_HELP.items()))
    view = session.view()
    rows = filtered(ds.id, filters_key(view.filters()))
    st.caption(_matching(rows, ds))
    disclosure_panel.method_note(ds)
    if rows.empty:
        st.info(
            _(
                "No figure matches the filters. Widen them in the sidebar: more countries or "
                "years, undated figures included, more kinds of figures, or lower minimum "
                "firms and employees."
            ),
            icon=":material/filter_alt_off:",
        )
    else:
        _table(rows)
    st.markdown(
        _(
            "**About the original atlas.** IVAM Research's *Micro/Nano Atlas of Europe* "
            "(“MST-Atlas Europa”, October 2007) benchmarked eight clusters: Dortmund, Twente, "
            "Flanders, Grenoble, Neuchâtel, Cambridge, Göteborg and Oulu, and named Dortmund "
            "one of Europe's three largest MST clusters (39 firms, about {employees} employees "
            "in 2007). The atlas's own per-cluster tables were not found in public sources; "
            "the figures here come from the documents linked in each row. Country outlines: "
            "Natural Earth (public domain). Map library: Leaflet (BSD-2-Clause), served by "
            "this app."
        ).format(employees=fmt_int(2100))
    )
