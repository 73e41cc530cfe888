"""Disclosure control in the app: what the owner is told, the owner's switch, the share opt-in.

A firm list's employee figures that would reveal a single firm are shown blank
and marked confidential everywhere (:mod:`mstatlas.ui.datasets` picks the form
of the dataset a session may see). Here: the upload page's section saying which
clusters and why (for the owner only), the sidebar switch with which the owner
sees and downloads their own figures, the share panel's opt-in to store the firm
rows, and the methodology paragraph of the sources page.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

from mstatlas.data.cluster_disclosure import ProtectedClusters, cluster_figures, protect_clusters
from mstatlas.data.disclosure import DisclosureRules
from mstatlas.data.text import strip_bidi_frame
from mstatlas.errors import MSTAtlasError
from mstatlas.i18n import N_, _, fmt_int, ngettext
from mstatlas.io import UploadResult
from mstatlas.store.dataset import DISCLOSURE, Dataset
from mstatlas.ui import components, keys
from mstatlas.ui.datasets import (
    OWN,
    UPLOAD_PREFIX,
    VARIANT_SEP,
    base_id,
    get_dataset,
    uploaded_here,
)

SWITCH_HELP: Final = N_(
    "On: employee figures of fewer than k firms, or that one firm dominates, are blank and "
    "marked confidential on every page and in every download, as statistical offices "
    "protect business statistics. Off: you see and download your own firms' figures; "
    "links and embeds keep it on."
)

OFF_WARNING: Final = N_(
    "Disclosure control is off for your own view: maps, rankings and downloads show "
    "employee figures that reveal single firms. Turn it on before you pass a download on."
)

FIRM_ROWS_WARNING: Final = N_(
    "Anyone with the link will see every firm of your list: its name, position and head "
    "count. Tick this only if the firms agreed or their figures are public."
)

OWNER_COLUMNS: Final = {
    "cluster_name": N_("Cluster"),
    "cluster_id": N_("Id"),
    "firms": N_("Firms"),
    "rule": N_("Rule"),
    "reason": N_("Why"),
}
#: The rules by which a figure is confidential, as the owner's table names them.
RULES: Final = {"frequency": N_("minimum frequency"), "dominance": N_("dominance")}


def control_off(ds_id: str) -> bool:
    """Whether the owner turned disclosure control off for this upload."""
    return base_id(ds_id) in st.session_state.get(keys.DISCLOSURE_OFF, set())


def _switched(base: str) -> None:
    off: set[str] = st.session_state.setdefault(keys.DISCLOSURE_OFF, set())
    if st.session_state[keys.disclosure_switch(base)]:
        off.discard(base)
    else:
        off.add(base)


def sidebar_switch(ds: Dataset) -> None:
    """The owner's switch for their own firm-list upload (nothing for any other dataset)."""
    base = base_id(ds.id)
    if ds.kind != "firms" or not base.startswith(UPLOAD_PREFIX) or not uploaded_here(base):
        return
    key = keys.disclosure_switch(base)
    st.session_state[key] = not control_off(base)
    st.toggle(
        _("Disclosure control"),
        key=key,
        on_change=_switched,
        args=(base,),
        help=_(SWITCH_HELP),
    )
    if control_off(base):
        st.warning(_(OFF_WARNING), icon=":material/lock_open:")


def share_opt_in(ds: Dataset) -> bool:
    """The share panel's opt-in to store a firm list's firm rows too (default off)."""
    if ds.kind != "firms":
        return False
    st.caption(
        _(
            "Shared firm lists keep disclosure control: employee figures that would reveal a "
            "single firm are stored blank, and the firm rows are left out."
        )
    )
    keep = st.checkbox(_("Also store the individual firm rows"), key=keys.SHARE_FIRM_ROWS)
    if keep:
        st.warning(_(FIRM_ROWS_WARNING), icon=":material/warning:")
    return bool(keep)


def _checked(result: UploadResult) -> ProtectedClusters:
    """The rules applied to an upload, once per read (not per rerun)."""
    made: dict[int, tuple[UploadResult, ProtectedClusters]] = st.session_state.setdefault(
        keys.UPLOAD_DISCLOSURE, {}
    )
    hit = made.get(id(result))
    if hit is None or hit[0] is not result:
        with st.spinner(_("Checking which figures would reveal a single firm…")):
            figures = cluster_figures(result.clusters, result.firms, result.mapping)
            rules = DisclosureRules.from_env()
            made.clear()  # only the latest read is shown
            hit = (result, protect_clusters(result.clusters, figures, rules))
        made[id(result)] = hit
    return hit[1]


def _owner_table(protected: ProtectedClusters) -> None:
    table = protected.owner_table()[list(OWNER_COLUMNS)].copy()
    table["rule"] = [_(RULES[r]) if r in RULES else r for r in table["rule"]]
    table["firms"] = [fmt_int(f) if f == f else "" for f in table["firms"]]  # NaN: blank
    table = table.rename(columns={k: _(v) for k, v in OWNER_COLUMNS.items()})
    st.dataframe(strip_bidi_frame(table), hide_index=True, width="stretch", placeholder="")


def upload_section(result: UploadResult) -> None:
    """The upload report's part on confidentiality: which clusters, which rule, why."""
    if result.kind != "firms" or result.clusters.empty:
        return
    try:
        protected = _checked(result)
    except MSTAtlasError as exc:  # e.g. a deployment setting that is not a number
        st.error(str(exc))
        return
    st.markdown("**" + _("Confidentiality") + "**")
    st.info(protected.summary(), icon=":material/lock:")
    if protected.n_confidential:
        _owner_table(protected)
        st.caption(
            _(
                "Only you see this list. On the map, in rankings and downloads, in embeds and "
                "in shared links these figures are blank and marked confidential, with this "
                "note: “{note}” Turn “Disclosure control” off in the sidebar to see your own "
                "figures; shared links keep it on."
            ).format(note=protected.public_note())
        )


@st.cache_resource(show_spinner=False, max_entries=32)
def _owner_check(base: str) -> ProtectedClusters:
    """The rules applied to an upload as its owner sees them (cached per upload; read-only)."""
    own = get_dataset(f"{base}{VARIANT_SEP}{OWN}")
    figures = cluster_figures(own.clusters, own.firms, own.mapping)
    return protect_clusters(own.clusters, figures, DisclosureRules.from_env())


def method_note(ds: Dataset) -> None:
    """The sources page's paragraph on disclosure control: the public note, and for the
    owner of an upload which clusters are confidential and why."""
    if ds.kind != "firms":
        return
    record = ds.meta.get(DISCLOSURE)
    if record is None and not control_off(ds.id):
        return
    text = (
        _(OFF_WARNING)
        if record is None
        else str(record.get("note", "")) + _coarse_text(int(record.get("positions_coarsened", 0)))
    )
    st.markdown(_("**Confidentiality.** {text}").format(text=components.md(text)))
    if ds.id.startswith(UPLOAD_PREFIX) and uploaded_here(ds.id):
        protected = _owner_check(base_id(ds.id))
        if protected.n_confidential:
            with st.expander(_("Which figures are confidential, and why (only you see this)")):
                _owner_table(protected)


def _coarse_text(n: int) -> str:
    if not n:
        return ""
    return " " + ngettext(
        "The position of {n} cluster of fewer firms than the rules need is rounded to about "
        "a kilometre.",
        "The positions of {n} clusters of fewer firms than the rules need are rounded to "
        "about a kilometre.",
        n,
    ).format(n=fmt_int(n))
