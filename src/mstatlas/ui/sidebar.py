"""Sidebar: dataset, measure and the filters shared by every page."""

from __future__ import annotations

import streamlit as st

from mstatlas.data.countries import country_name
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_HELP, MEASURES
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import LANGUAGE_NAMES, LANGUAGES
from mstatlas.store.dataset import Dataset
from mstatlas.ui import disclosure_panel, keys, session, urlstate
from mstatlas.ui.components import md
from mstatlas.ui.datasets import DEFAULT_ID, base_id, safe_get_dataset, summary


def _dataset_choices() -> dict[str, str]:
    choices = {DEFAULT_ID: "MST clusters in Europe (sourced)"}
    for ds_id, name in st.session_state.get(keys.MY_DATASETS, {}).items():
        choices[ds_id] = name
    current = session.view().dataset
    if current not in choices:
        choices[current] = f"Shared dataset {current[:8]}…"
    return choices


def render() -> Dataset:
    """Draw the sidebar and return the dataset in view."""
    view = session.view()
    ds, problem = safe_get_dataset(view.dataset)
    if problem:
        st.session_state.setdefault(keys.NOTICES, []).append(problem)
        session.update_view(dataset=DEFAULT_ID, selected=None)
    with st.sidebar:
        session.bound_widget(  # named in both languages: findable by whoever does not read it
            "lang",
            st.segmented_control,
            "Language · Sprache",
            options=list(LANGUAGES),
            format_func=LANGUAGE_NAMES.get,
            from_widget=lambda v: v or session.view().lang,  # a click on the chosen one unselects
        )
        ds = _dataset_picker(ds)
        disclosure_panel.sidebar_switch(ds)
        session.bound_widget(
            "measure",
            st.radio,
            "Size symbols by",
            options=list(MEASURES),
            format_func=MEASURES.get,
            horizontal=False,
        )
        st.subheader("Filters")
        about = summary(ds.id, ds)
        countries = about.countries
        session.bound_widget(
            "countries",
            st.multiselect,
            "Countries",
            options=sorted(set(countries) | set(session.view().countries), key=country_name),
            format_func=lambda code: f"{country_name(code)} ({code})",
            to_widget=list,
            from_widget=tuple,
            placeholder="All countries",
        )
        if about.years is not None:
            _years_slider(*about.years)
        session.bound_widget(
            "include_undated",
            st.checkbox,
            "Include undated figures",
            help="Some sources give no year; their figures are kept unless you untick this.",
        )
        session.bound_widget(
            "counts_what",
            st.multiselect,
            "What the figures count",
            options=list(COUNTS_WHAT),
            format_func=COUNTS_WHAT.get,
            to_widget=list,
            from_widget=lambda v: tuple(c for c in COUNTS_WHAT if c in v),
            help="; ".join(f"{COUNTS_WHAT[k]}: {h}" for k, h in COUNTS_WHAT_HELP.items()),
            placeholder="Pick at least one kind",
        )
        session.bound_widget("min_firms", st.number_input, "Minimum firms", min_value=0, step=10)
        session.bound_widget(
            "min_employees", st.number_input, "Minimum employees", min_value=0, step=100
        )
        session.bound_widget(
            "tiles",
            st.toggle,
            "Online street map underlay",
            to_widget=lambda v: v == "osm",
            from_widget=lambda b: "osm" if b else "offline",
            help="Off by default: the atlas draws its own country outlines and needs no internet.",
        )
        st.caption(
            f"{md(ds.name)}: {about.n_clusters:,} clusters, {about.n_rows:,} reported figures."
        )
    return ds


def _dataset_picker(ds: Dataset) -> Dataset:
    """The dataset select box; returns the dataset picked (``ds`` when it stays)."""
    choices = _dataset_choices()
    session.bound_widget(
        "dataset",
        st.selectbox,
        "Dataset",
        options=list(choices),
        format_func=lambda k: strip_bidi(str(choices.get(k, k))),
        help="The embedded sourced figures, or a dataset you uploaded or opened from a link.",
    )
    if session.view().dataset != base_id(ds.id):
        ds, problem = safe_get_dataset(session.view().dataset)
        if problem:
            st.error(problem)
    if st.session_state.get(keys.LAST_DATASET, base_id(ds.id)) != base_id(ds.id):
        # Cluster ids differ between datasets, and "include other kinds" was set for the
        # kinds of the last one: a new dataset opens like with like (a link with mixed=1
        # still opens mixed on its own dataset, as there is no last dataset then).
        session.update_view(selected=None, slide=0, mixed=False, compare=())
    st.session_state[keys.LAST_DATASET] = base_id(ds.id)
    return ds


def _years_slider(lo: int, hi: int) -> None:
    """The view's years within the dataset's span ``lo``..``hi`` (the ends mean "open")."""
    if outside := urlstate.years_outside(session.view(), (lo, hi)):
        # the slider cannot show years the dataset does not have: all years, said so
        session.notice(outside)
        session.update_view(year_min=None, year_max=None)
    if lo == hi:
        hi = lo + 1
    v = session.view()
    cur = (
        max(lo, min(v.year_min if v.year_min is not None else lo, hi)),
        min(hi, max(v.year_max if v.year_max is not None else hi, lo)),
    )

    def _changed() -> None:
        a, b = st.session_state[keys.YEARS_WIDGET]
        session.update_view(year_min=None if a <= lo else a, year_max=None if b >= hi else b)

    st.session_state[keys.YEARS_WIDGET] = cur
    st.slider(
        "Year of the figure", min_value=lo, max_value=hi, key=keys.YEARS_WIDGET, on_change=_changed
    )
