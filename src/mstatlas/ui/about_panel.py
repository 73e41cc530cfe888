""" "About the data": the sources and caveats, at the bottom of the sidebar on every page.

Short on purpose: the full account is ``data/README.md`` and the Data & sources page,
which lists every figure with its source.
"""

from __future__ import annotations

import streamlit as st

from mstatlas.i18n import N_, _
from mstatlas.store.dataset import Dataset
from mstatlas.ui.components import md
from mstatlas.ui.datasets import DEFAULT_ID, base_id, title

SOURCES_PAGE = "src/mstatlas/ui/pages/sources.py"

#: The embedded dataset: where its figures come from (data/README.md, "clusters.csv").
DEFAULT_SOURCES = N_(
    "Compiled by hand in 2026 from public sources: press articles, cluster organisations, "
    "agencies and institute reports. Every figure links to the page it was read from. "
    "The eight clusters of IVAM's *Micro/Nano Atlas of Europe* (2007) are marked. "
    "Compilation under CC BY 4.0; country outlines from Natural Earth (public domain)."
)
#: An uploaded or shared dataset: the atlas does not know its sources beyond its rows.
UPLOAD_SOURCES = N_(
    "Figures as uploaded: the sources are those given in the table's own columns. "
    "The atlas adds nothing; blank cells stay blank."
)
#: The caveats of data/README.md, one line each.
CAVEATS: tuple[str, ...] = (
    N_(
        "One row per reported figure: a cluster can have several figures (years, sources, "
        "perimeters). They are shown side by side, never averaged or added."
    ),
    N_(
        "Figures count different things (cluster firms, network members, a regional sector, "
        "national totals, institute staff, spin-offs): rankings compare like with like."
    ),
    N_(
        "A figure can cover another perimeter (e.g. Dortmund's MST.factory tenants); growth "
        "is computed only within one kind and one perimeter."
    ),
    N_("Nothing is estimated: where no source gave a figure, the cell stays blank."),
    N_(
        "Coordinates are city centres, the only values not taken from the cited source. "
        "Years run from the source's date; undated figures are marked."
    ),
)


def render(ds: Dataset) -> None:
    """The "About the data" expander: sources, caveats and a link to every figure's source."""
    with st.expander(_("About the data"), icon=":material/info:"):
        if base_id(ds.id) == DEFAULT_ID:
            st.markdown(_(DEFAULT_SOURCES))
        else:
            st.markdown(f"**{md(title(ds))}**  \n" + _(UPLOAD_SOURCES))
        st.markdown("\n".join(f"- {_(text)}" for text in CAVEATS))
        st.page_link(
            SOURCES_PAGE, label=_("Every figure with its source"), icon=":material/menu_book:"
        )
