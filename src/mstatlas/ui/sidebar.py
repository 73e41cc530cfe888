"""Sidebar: dataset, measure and the filters shared by every page."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from mstatlas.data.countries import country_name
from mstatlas.data.schema import COUNTS_WHAT, COUNTS_WHAT_HELP, MEASURES
from mstatlas.data.text import strip_bidi
from mstatlas.i18n import LANGUAGE_NAMES, LANGUAGES, _, fmt_int, ngettext
from mstatlas.store.dataset import Dataset
from mstatlas.ui import about_panel, disclosure_panel, keys, session, urlstate
from mstatlas.ui.components import md
from mstatlas.ui.datasets import DEFAULT_ID, Summary, base_id, safe_get_dataset, summary, title


def _dataset_choices() -> dict[str, str]:
    choices = {DEFAULT_ID: _("MST clusters in Europe (sourced)")}
    for ds_id, name in st.session_state.get(keys.MY_DATASETS, {}).items():
        choices[ds_id] = name
    current = session.view().dataset
    if current not in choices:  # opened from a link: the title its uploader gave it
        shown, problem = safe_get_dataset(current)
        choices[current] = (
            shown.name
            if problem is None and shown.name
            else _("Shared dataset {id}…").format(id=current[:8])
        )
    return choices


def _usable_dataset() -> Dataset:
    """The view's dataset; the default one, with a notice, when it cannot be opened."""
    ds, problem = safe_get_dataset(session.view().dataset)
    if problem:
        st.session_state.setdefault(keys.NOTICES, []).append(problem)
        session.update_view(dataset=DEFAULT_ID, selected=None)
    return ds


def settle() -> Dataset:
    """What the sidebar decides about the view, without drawing it; returns the dataset in view.

    For a run that draws the map before the sidebar (see :func:`mstatlas.ui.session.map_first`):
    a dataset that cannot be opened, a new dataset and years the data lacks change the view
    (with notices) exactly as :func:`render` does, so the page draws what the sidebar will show.
    """
    ds = _usable_dataset()
    _note_dataset(ds)
    if summary(ds.id, ds).years is not None:
        _fit_years(years_present(ds.id, ds))
    return ds


def render() -> Dataset:
    """Draw the sidebar and return the dataset in view."""
    ds = _usable_dataset()
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
            _("Size symbols by"),
            options=list(MEASURES),
            format_func=MEASURES.get,
            horizontal=False,
        )
        about = _filters(ds)
        session.bound_widget(
            "include_undated",
            st.checkbox,
            _("Include undated figures"),
            help=_("Some sources give no year; their figures are kept unless you untick this."),
        )
        session.bound_widget(
            "counts_what",
            st.multiselect,
            _("What the figures count"),
            options=list(COUNTS_WHAT),
            format_func=COUNTS_WHAT.get,
            to_widget=list,
            from_widget=lambda v: tuple(c for c in COUNTS_WHAT if c in v),
            help="; ".join(f"{COUNTS_WHAT[k]}: {h}" for k, h in COUNTS_WHAT_HELP.items()),
            placeholder=_("Pick at least one kind"),
        )
        session.bound_widget("min_firms", st.number_input, _("Minimum firms"), min_value=0, step=10)
        session.bound_widget(
            "min_employees", st.number_input, _("Minimum employees"), min_value=0, step=100
        )
        session.bound_widget(
            "tiles",
            st.toggle,
            _("Online street map underlay"),
            to_widget=lambda v: v == "osm",
            from_widget=lambda b: "osm" if b else "offline",
            help=_(
                "Off by default: the atlas draws its own country outlines and needs no internet."
            ),
        )
        clusters = ngettext("{n} cluster", "{n} clusters", about.n_clusters)
        figures = ngettext("{n} reported figure", "{n} reported figures", about.n_rows)
        st.caption(
            f"{md(title(ds))}: {clusters.format(n=fmt_int(about.n_clusters))}, "
            f"{figures.format(n=fmt_int(about.n_rows))}."
        )
        about_panel.render(ds)
    return ds


def _filters(ds: Dataset) -> Summary:
    """The country filter and the year slider (the first filters); returns what ``ds`` holds."""
    st.subheader(_("Filters"))
    about = summary(ds.id, ds)
    session.bound_widget(
        "countries",
        st.multiselect,
        _("Countries"),
        options=sorted(set(about.countries) | set(session.view().countries), key=country_name),
        format_func=lambda code: f"{country_name(code)} ({code})",
        to_widget=list,
        from_widget=tuple,
        placeholder=_("All countries"),
    )
    if about.years is not None:
        _years_slider(years_present(ds.id, ds))
    return about


def _dataset_picker(ds: Dataset) -> Dataset:
    """The dataset select box; returns the dataset picked (``ds`` when it stays)."""
    choices = _dataset_choices()
    session.bound_widget(
        "dataset",
        st.selectbox,
        _("Dataset"),
        options=list(choices),
        format_func=lambda k: strip_bidi(str(choices.get(k, k))),
        help=_("The embedded sourced figures, or a dataset you uploaded or opened from a link."),
    )
    if session.view().dataset != base_id(ds.id):
        ds, problem = safe_get_dataset(session.view().dataset)
        if problem:
            st.error(problem)
    _note_dataset(ds)
    return ds


def _note_dataset(ds: Dataset) -> None:
    """Remember the dataset in view; a new one clears what belonged to the last one."""
    if st.session_state.get(keys.LAST_DATASET, base_id(ds.id)) != base_id(ds.id):
        # Cluster ids differ between datasets, and "include other kinds" was set for the
        # kinds of the last one: a new dataset opens like with like (a link with mixed=1
        # still opens mixed on its own dataset, as there is no last dataset then).
        session.update_view(selected=None, slide=0, mixed=False, compare=())
    st.session_state[keys.LAST_DATASET] = base_id(ds.id)


@st.cache_resource(show_spinner=False, max_entries=64)
def years_present(ds_id: str, _ds: Dataset) -> tuple[int, ...]:
    """The years with a figure in the dataset ``_ds``, in order (cached per its id)."""
    return tuple(sorted({int(y) for y in _ds.clusters["year"].dropna().unique()}))


def year_options(present: Sequence[int], year_min: int | None, year_max: int | None) -> list[int]:
    """The years the slider offers: those with a figure, plus the view's own ends.

    A link's year without a figure (``years=2011-2011``) is offered too, so the slider
    shows the window the link asked for instead of moving it.
    """
    lo, hi = present[0], present[-1]
    own = {y for y in (year_min, year_max) if y is not None and lo < y < hi}
    return sorted(set(present) | own)


def _fit_years(present: tuple[int, ...]) -> None:
    """Years in the view that the dataset does not have: all years instead, said so."""
    if outside := urlstate.years_outside(session.view(), (present[0], present[-1])):
        # the slider cannot show years the dataset does not have
        session.notice(outside)
        session.update_view(year_min=None, year_max=None)


def _years_slider(present: tuple[int, ...]) -> None:
    """The view's years, on a slider that offers only the years with a figure.

    Its ends mean "open": the first year selects from the earliest, the last up to the latest.
    """
    lo, hi = present[0], present[-1]
    _fit_years(present)
    v = session.view()
    options = year_options(present, v.year_min, v.year_max)
    if len(options) == 1:  # one year only: nothing to choose
        st.caption(_("All figures with a year are from {year}.").format(year=lo))
        return
    first = v.year_min if v.year_min is not None else lo
    last = v.year_max if v.year_max is not None else hi
    cur = (max(lo, min(first, hi)), min(hi, max(last, lo)))

    def _changed() -> None:
        a, b = st.session_state[keys.YEARS_WIDGET]
        session.update_view(year_min=None if a <= lo else a, year_max=None if b >= hi else b)

    if st.session_state.get(keys.YEARS_WIDGET, (lo, hi)) != cur:  # the view moved: follow it
        st.session_state[keys.YEARS_WIDGET] = cur
    st.select_slider(
        _("Year of the figure"),
        options=options,
        value=(lo, hi),  # only says the slider picks a range: the view's years are set above
        key=keys.YEARS_WIDGET,
        on_change=_changed,
        help=_("Only the years with a figure in this dataset can be chosen."),
    )
