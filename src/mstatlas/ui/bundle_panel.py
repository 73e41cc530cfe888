"""“Report bundle” in the sidebar: one ZIP of the view, built on request with its progress.

Building takes seconds (two map images, the chart, the offline map), so it runs only
when asked; the ZIP is kept for this session until the view changes, and handed to a
download button as bytes (no deferred callable, no rerun on click: the download works
the first time, also in a fresh session).
"""

from __future__ import annotations

import re

import streamlit as st

from mstatlas.errors import MSTAtlasError
from mstatlas.i18n import _, current_language
from mstatlas.report.bundle import build_bundle
from mstatlas.report.view import DEFAULT_DATASET_NAME, ReportView
from mstatlas.store.dataset import DISCLOSURE, Dataset
from mstatlas.ui import disclosure_panel, keys, rating_panel, session
from mstatlas.ui.datasets import DEFAULT_ID, current
from mstatlas.ui.urlstate import ViewState


def report_view(ds: Dataset, view: ViewState) -> ReportView:
    """The view as the report layer reads it: filters, measure, ranking, map position."""
    record = ds.meta.get(DISCLOSURE) or {}
    note = str(record.get("note", "")) if isinstance(record, dict) else ""
    if ds.kind == "firms" and disclosure_panel.control_off(ds.id):
        note = _(disclosure_panel.OFF_WARNING)
    return ReportView(
        dataset=DEFAULT_DATASET_NAME if ds.id == DEFAULT_ID else ds.name,
        view_filters=view.filters(),
        measure=view.measure,
        rank_by=view.rank_by,
        top=view.top,
        mixed=view.mixed,
        lat=view.lat,
        lon=view.lon,
        zoom=view.zoom,
        rating=rating_panel.thresholds(view),
        firm_list=ds.kind == "firms",
        confidentiality=note,
    )


def file_name(ds: Dataset) -> str:
    """``mst-atlas-<dataset>.zip`` with only safe characters in the name."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", ds.name if ds.id != DEFAULT_ID else "europe")
    return f"mst-atlas-{stem.strip('-').lower()[:40] or 'view'}.zip"


def render() -> None:
    """The sidebar's bundle section: a build button, its progress, then the download."""
    ds = current()
    view = session.view()
    wanted = (ds.id, view, current_language())
    with st.sidebar, st.expander(_("Report bundle (ZIP)"), icon=":material/folder_zip:"):
        st.caption(
            _(
                "One file for slides and reports: the figures in view (CSV, XLSX), the ranking "
                "chart and the map (PNG, SVG), the offline map (HTML) and a methodology."
            )
        )
        built = st.session_state.get(keys.BUNDLE)
        if st.button(_("Build report bundle"), key=keys.BUNDLE_BUTTON, icon=":material/build:"):
            built = _build(ds, view, wanted)
        if built is None or built[0] != wanted:
            return
        st.download_button(
            _("Download report bundle"),
            data=built[1],
            file_name=file_name(ds),
            mime="application/zip",
            on_click="ignore",
            type="primary",
            icon=":material/download:",
        )


def _build(ds: Dataset, view: ViewState, wanted: tuple) -> tuple | None:
    """Build the ZIP with a progress bar; keep it for this session with the view it shows."""
    bar = st.progress(0.0, text=_("Building the report bundle…"))

    def step(share: float, what: str) -> None:
        bar.progress(min(1.0, share), text=what)

    try:
        bundle = build_bundle(ds.clusters, report_view(ds, view), step)
    except MSTAtlasError as exc:
        bar.empty()
        st.error(_("The bundle could not be built: {reason}").format(reason=exc))
        return None
    built = (wanted, bundle.zip_bytes())
    st.session_state[keys.BUNDLE] = built
    bar.empty()
    return built
