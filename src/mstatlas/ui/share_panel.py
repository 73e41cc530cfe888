"""“Share” controls: copy link, store an upload for others, embed code, present."""

from __future__ import annotations

import html

import streamlit as st

from mstatlas.errors import MSTAtlasError
from mstatlas.i18n import _
from mstatlas.store.dataset import Dataset
from mstatlas.ui import components, disclosure_panel, keys, session, sharing
from mstatlas.ui.datasets import UPLOAD_PREFIX, base_id, forget_shared, get_dataset
from mstatlas.ui.embed_page import EMBED_FRAME_HEIGHT
from mstatlas.ui.urlstate import share_url


def render(ds: Dataset, page: str) -> None:
    """A popover with everything needed to send this exact view to someone."""
    with st.popover(_("Share / embed / present"), icon=":material/share:"):
        view = session.view()
        if ds.id.startswith(UPLOAD_PREFIX):
            st.markdown(
                _(
                    "This view shows **your upload**, which only you can see. Store it on the "
                    "server to get a link that works for anyone, also after a restart."
                )
            )
            keep_firms = disclosure_panel.share_opt_in(ds)
            if st.button(_("Share this dataset"), type="primary", key="share_dataset"):
                _share(ds, keep_firms)
                view = session.view()
            if view.dataset.startswith(UPLOAD_PREFIX):
                return
        base = _base()
        link = share_url(base, page, view)
        st.markdown(_("**Link to this view** (dataset, filters, selection and map position)"))
        st.code(link, language=None, wrap_lines=True)
        saved = st.session_state.get(keys.DELETE_TOKENS, {}).get(view.dataset)
        if saved:
            st.caption(
                _(
                    "Delete token for this shared dataset (keep it; it is shown only in this "
                    "session): `{token}` — remove it with `mstatlas delete {id} --token={token}`."
                ).format(token=saved, id=view.dataset)
            )
            if st.button(_("Delete this shared dataset"), key="delete_shared"):
                _delete(view.dataset, saved)
        st.markdown(_("**Embed** (map and legend only)"))
        embed = share_url(base, "", view.with_(embed=True))
        st.code(
            f'<iframe src="{html.escape(embed)}" width="100%" height="{EMBED_FRAME_HEIGHT}" '
            f'style="border:0" title="{html.escape(_("MST Atlas map"))}"></iframe>',
            language="html",
            wrap_lines=True,
        )
        st.markdown(_("**Present** (full screen, large type, steps through the top clusters)"))
        st.code(share_url(base, "present", view.with_(slide=0)), language=None, wrap_lines=True)


def _share(ds: Dataset, keep_firms: bool) -> None:
    base = base_id(ds.id)
    try:
        with st.spinner(_("Storing the dataset…")):
            # the upload as its owner sees it by default: figures protected, firm rows kept
            ds_id, token = sharing.share_dataset(get_dataset(base), keep_firms=keep_firms)
    except MSTAtlasError as exc:
        st.error(str(exc))
        return
    names = st.session_state.setdefault(keys.MY_DATASETS, {})
    names[ds_id] = names.pop(base, ds.name)
    st.session_state.setdefault(keys.DELETE_TOKENS, {})[ds_id] = token
    session.update_view(dataset=ds_id)
    st.success(
        _("Shared as {id}. Anyone with the link can open it.").format(id=components.md(ds_id))
    )


def _delete(ds_id: str, token: str) -> None:
    try:
        sharing.delete_shared(ds_id, token)
    except MSTAtlasError as exc:
        st.error(str(exc))
        return
    forget_shared()  # this process's opened shares, the deleted one among them
    st.session_state.get(keys.DELETE_TOKENS, {}).pop(ds_id, None)
    st.session_state.get(keys.MY_DATASETS, {}).pop(ds_id, None)
    session.update_view(dataset="default", selected=None)
    st.rerun()


def _base() -> str:
    return sharing.base_url()
