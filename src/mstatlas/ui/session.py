"""Session state: initialised once per session, synced with the URL every run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from mstatlas import i18n
from mstatlas.ui import keys, urlstate
from mstatlas.ui.deferred import said
from mstatlas.ui.urlstate import ViewState

T = TypeVar("T")

VIEW = keys.VIEW
NOTICES = keys.NOTICES


def init_state() -> None:
    """Create the session's keys once: the view parsed from the link, and notices."""
    if VIEW in st.session_state:
        return
    view, notices = urlstate.parse_query(st.query_params.to_dict())
    # Streamlit keeps ``embed`` out of st.query_params (it is its own embed switch).
    if st.context.is_embedded:
        view = view.with_(embed=True)
    if view.lang is None:  # no lang= in the link: the browser's language, else English
        view = view.with_(lang=i18n.normalise_language(st.context.locale) or i18n.DEFAULT_LANGUAGE)
    st.session_state[VIEW] = view
    st.session_state[NOTICES] = notices
    st.session_state.setdefault(keys.LAST_CLICK, None)


def begin_run() -> None:
    """Count this script run (called once at the top of every run)."""
    st.session_state[keys.RUN] = st.session_state.get(keys.RUN, 0) + 1
    i18n.set_language(view().lang)  # every text of this run in the view's language


def run_number() -> int:
    """Which run of this session this is (1 for the first)."""
    return int(st.session_state.get(keys.RUN, 0))


def map_first() -> bool:
    """Whether this run draws the map page's map before any widget (the session's first run).

    A browser's first visit loads Streamlit's code for each kind of widget as it is
    first drawn, and shows the map's frame only once the widgets drawn with it (the
    sidebar's, the "as of" and profile select boxes, the download button, the table)
    are loaded: that made the map appear over a second after a bare map page's
    (docs/PERFORMANCE.md, "First paint"). So the first run of a session draws the
    map page's title, map and legend only; the map's first report of its position,
    sent once its symbols are drawn, reruns the script, which draws everything.

    Only with a browser on the other end (its request headers are known): a test's
    script run (AppTest) mounts no map, so it would never see the rest.
    """
    return run_number() == 1 and browser_connected()


def browser_connected() -> bool:
    """Whether a browser runs this session (AppTest's script runs have no request headers)."""
    return bool(st.context.headers)


def end_run() -> None:
    """Mark this script run as completed (called last in every run)."""
    st.session_state[keys.COMPLETED_RUN] = run_number()
    st.session_state[keys.COMPLETED_PAGE] = st.session_state.get(keys.PAGE)
    shown = (_what_is_shown(), tuple(st.session_state.get(NOTICES) or ()))
    st.session_state[keys.NOTICES_SEEN] = shown


def enter_page(name: str) -> None:
    """Record which page this run draws (called by the app before the page runs).

    Also the run in which the person arrived on this page: a run cut short by
    leaving a page never completes, so only this tells that what the page drew
    before (its map, say) has left the screen since.
    """
    if st.session_state.get(keys.PAGE) != name:
        st.session_state[keys.PAGE_ENTERED_IN_RUN] = run_number()
    st.session_state[keys.PAGE] = name


def page_entered_in_run() -> int:
    """The run in which the person arrived on the page this run draws."""
    return int(st.session_state.get(keys.PAGE_ENTERED_IN_RUN, 0))


def entered_page() -> bool:
    """Whether this run draws another page than the last completed run did."""
    return bool(st.session_state.get(keys.PAGE) != st.session_state.get(keys.COMPLETED_PAGE))


def last_completed_run() -> int | None:
    """The number of the last run that finished (runs cut short by a rerun do not)."""
    value = st.session_state.get(keys.COMPLETED_RUN)
    return int(value) if value is not None else None


def view() -> ViewState:
    """The current view (single source of truth for what is on screen)."""
    init_state()
    v: ViewState = st.session_state[VIEW]
    return v


def update_view(**changes: Any) -> ViewState:
    """Change the view; the URL follows at the end of the run."""
    v = view().with_(**changes)
    st.session_state[VIEW] = v
    return v


def sync_url() -> None:
    """Rewrite ``st.query_params`` from the view, touching only what changed."""
    wanted = urlstate.to_query(view())
    wanted.pop("embed", None)  # protected by Streamlit; it stays in the URL by itself
    current = st.query_params.to_dict()
    if current == wanted:
        return
    for key in list(current):
        if key not in wanted:
            del st.query_params[key]
    for key, value in wanted.items():
        if current.get(key) != value:
            st.query_params[key] = value


def _what_is_shown() -> tuple[Any, ...]:
    """The page and the view, less the map's position: what only the person changes.

    The map component reports its position by itself (its first report reruns the
    script), so a change of position alone is not the person acting on the page.
    """
    return (st.session_state.get(keys.PAGE), view().with_(lat=None, lon=None, zoom=None))


def show_notices() -> None:
    """Show what was wrong with the link (or the view) until the person changes something.

    Called near the top of every page. A notice stays through the reruns the app
    makes by itself, like the map's first report of its position, and goes once
    the page or the view (other than the map's position) is no longer what the
    last completed run showed. Notices added later in this run are drawn where
    they are added (see :func:`notice`).
    """
    notices = list(st.session_state.get(NOTICES) or [])
    seen = st.session_state.get(keys.NOTICES_SEEN)
    if seen is not None and seen[0] != _what_is_shown():
        # The person acted: the notices already on screen in the last run are done with.
        old = list(seen[1])
        if notices[: len(old)] == old:
            notices = notices[len(old) :]
        else:
            notices = [text for text in notices if text not in old]
        st.session_state[NOTICES] = notices
    # One container whether or not there is a notice: when the last notice goes, what
    # follows (the map) keeps its place in the page and is not drawn afresh.
    with st.container():
        for text in notices:  # the link's notices were written before the language was known
            st.warning(said(text), icon=":material/warning:")
    st.session_state[keys.NOTICES_DRAWN_IN] = run_number()


def notice(text: str) -> None:
    """Tell the person that part of the view was not usable and what is used instead.

    Kept and shown like the link's notices; drawn right away if this run's
    :func:`show_notices` has already drawn the others.
    """
    st.session_state[NOTICES] = [*(st.session_state.get(NOTICES) or []), text]
    if st.session_state.get(keys.NOTICES_DRAWN_IN) == run_number():
        st.warning(said(text), icon=":material/warning:")


def limit_slide(n: int) -> int:
    """Bring the view's slide within a presentation of ``n`` slides, with a notice if needed.

    Returns the slide to show; the view (and so the link) follows.
    """
    slide, text = urlstate.fit_slide(view(), n)
    if text:
        update_view(slide=slide)
        notice(text)
    return slide


def bound_widget(
    field: str,
    widget: Callable[..., T],
    label: str,
    *,
    to_widget: Callable[[Any], Any] = lambda v: v,
    from_widget: Callable[[Any], Any] = lambda v: v,
    **kwargs: Any,
) -> T:
    """Render a widget whose value lives in the view field ``field``.

    The view is the single source of truth: the widget is set from it before it
    is drawn, and a change by the user is written back in the widget's
    ``on_change`` callback, which Streamlit runs before the script. So values
    survive page switches, follow links, and follow changes made elsewhere
    (a map click, presentation mode).
    """
    key = keys.view_widget(field)

    def _changed() -> None:
        update_view(**{field: from_widget(st.session_state[key])})

    st.session_state[key] = to_widget(getattr(view(), field))
    return widget(label, key=key, on_change=_changed, **kwargs)
