"""The firm clusters page's tables and the picked cluster's mix (see firm_clusters_page).

What the detected clusters hold, side by side with the city grouping; the picked
cluster's technology (and market) mix with location quotients; its largest firms
by size class; the download of the detected clusters. Every employee figure comes
from :func:`mstatlas.data.disclosure.protect_figures`: suppressed ones read
"confidential", and why only in the session that uploaded the firm list.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import shapely
import streamlit as st

from mstatlas.analysis.detect import Detection
from mstatlas.analysis.firm_mix import MIX_METHOD
from mstatlas.data.disclosure import CONFIDENTIAL, Protected
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.text import strip_bidi, strip_bidi_frame
from mstatlas.store.dataset import Dataset
from mstatlas.ui import keys
from mstatlas.ui.components import md
from mstatlas.ui.firm_clusters_data import crosswalk, detection, firms_of, largest, mix

#: How many clusters the picker offers (largest first); the map reaches any.
PICKER_CHOICES = 500
#: Columns a firm list may have whose mix is shown, with their names.
MIX_COLUMNS = {"technology": "Technology", "market": "Market"}
WHAT_IS_COUNTED = (
    "Firms: the firms of the firm list in each detected cluster, each firm once. "
    "Employees: the sum of their known head counts."
)
SPECIALISED = "specialised (LQ above 1)"
NOT_SPECIALISED = "not specialised (LQ 1 or below)"


def employees_text(employees: object, status: object) -> str:
    """An employee figure as shown: the number, "confidential", or blank when not known."""
    if isinstance(status, str) and status:
        return CONFIDENTIAL
    if employees is None or pd.isna(employees):
        return ""
    return f"{int(employees):,}"  # type: ignore[call-overload]


def found_line(ds: Dataset, det: Detection, n_own: int) -> None:
    """How many clusters were found among how many firms, or why none."""
    n = len(ds.firms) if ds.firms is not None else 0
    if n_own == 0:
        st.info(
            f"None of the {n:,} firms has coordinates of its own (the upload placed them at "
            "their city's centre): add lat and lon columns to the file to detect where the "
            "firms cluster. The map shows them by city."
        )
        return
    if det.clusters.empty:
        st.info(
            f"No firm has {det.min_firms:,} firms within {det.radius_km:g} km: try a larger "
            "radius or a smaller minimum."
        )
        return
    k = len(det.clusters)
    inside = int((det.labels >= 0).sum())
    st.caption(
        f"{k:,} cluster{'s' if k != 1 else ''} among the {n_own:,} firms with a position of "
        f"their own: {inside:,} firms in clusters, {det.n_isolated:,} isolated (in no cluster). "
        "Click an outline for what its firms do."
    )


def _reasons(prot: Protected) -> dict[str, str]:
    return dict(zip(prot.suppressed["group"], prot.suppressed["reason"]))


def _picker(det: Detection) -> str | None:
    """The detected cluster whose mix is shown (kept in the session, set by map clicks too)."""
    shown = det.clusters.head(PICKER_CHOICES)
    names = {
        str(i): f"{strip_bidi(str(n))} ({int(f):,} firms)"
        for i, n, f in zip(shown["cluster_id"], shown["cluster_name"], shown["firms"])
    }
    picked = st.session_state.get(keys.FIRM_CLUSTER)
    options = list(names)
    if picked and picked not in names:  # clicked on the map beyond the list
        row = det.clusters[det.clusters["cluster_id"] == picked].iloc[0]
        names[picked] = f"{strip_bidi(str(row['cluster_name']))} ({int(row['firms']):,} firms)"
        options.insert(0, picked)
    st.selectbox(
        "Detected cluster",
        options=options,
        format_func=lambda i: names.get(i, i),
        placeholder="Click an outline or choose a cluster",
        key=keys.FIRM_CLUSTER,
    )
    if len(det.clusters) > PICKER_CHOICES:
        st.caption(f"The list holds the {PICKER_CHOICES:,} largest; click the map for any other.")
    value = st.session_state.get(keys.FIRM_CLUSTER)
    return str(value) if value else None


def mix_chart(mix: pd.DataFrame, label: str) -> alt.Chart:
    """Bars of firms per value, coloured by whether the cluster specialises in it (LQ > 1)."""
    data = pd.DataFrame(
        {
            "value": [strip_bidi(str(v)) for v in mix["value"]],
            "firms": mix["firms"].astype(int).to_numpy(),
            "share": mix["share"].round(3).to_numpy(),
            "lq": mix["lq"].round(2).to_numpy(),
            "specialised": [SPECIALISED if q > 1 else NOT_SPECIALISED for q in mix["lq"]],
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", sort="-x", title=None),
            x=alt.X("firms:Q", title="Firms", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "specialised:N",
                scale=alt.Scale(
                    domain=[SPECIALISED, NOT_SPECIALISED], range=["#d55e00", "#9aa5b1"]
                ),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
            ),
            tooltip=[
                alt.Tooltip("value:N", title=label),
                alt.Tooltip("firms:Q", title="Firms"),
                alt.Tooltip("share:Q", title="Share of the cluster", format=".0%"),
                alt.Tooltip("lq:Q", title="Location quotient", format=".2f"),
            ],
        )
        .properties(
            height=max(60, 22 * len(data)),
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
    )


def _mix_section(ds: Dataset, det: Detection, cluster_id: str, column: str, label: str) -> None:
    every = mix(ds.id, det.radius_km, det.min_firms, column)
    mine = every[every["group"] == cluster_id]
    st.markdown(f"**{label} mix**")
    if mine.empty:
        st.caption(f"No firm of this cluster states its {label.lower()}.")
        return
    st.altair_chart(mix_chart(mine, label), width="stretch")
    table = pd.DataFrame(
        {
            label: mine["value"].astype(str).to_numpy(),
            "Firms": mine["firms"].astype(int).to_numpy(),
            "Share in cluster": (100 * mine["share"]).round(1).to_numpy(),
            "Share in list": (100 * mine["register_share"]).round(1).to_numpy(),
            "LQ": mine["lq"].round(2).to_numpy(),
        }
    )
    st.dataframe(strip_bidi_frame(table), hide_index=True, width="stretch")
    n = int(mine["group_firms"].iloc[0])
    st.caption(
        f"Shares in % of the {n:,} firms of the cluster (and of the whole list) that state "
        f"a {label.lower()}. LQ (location quotient) = share in cluster ÷ share in list."
    )


def _largest_section(ds: Dataset, det: Detection, cluster_id: str, head_counts: bool) -> None:
    top = largest(ds.id, det.radius_km, det.min_firms, head_counts)
    mine = top[top["group"] == cluster_id]
    st.markdown("**Largest firms**")
    if mine.empty:
        st.caption("No firm of this cluster has a known head count.")
        return
    table = pd.DataFrame(
        {
            "#": mine["rank"].to_numpy(),
            "Firm": mine["name"].astype(object).fillna("").to_numpy(),
            "Size class": mine["size_class"].astype(object).fillna("").to_numpy(),
        }
    )
    if head_counts:
        table["Employees"] = mine["employees"].to_numpy()
    st.dataframe(strip_bidi_frame(table), hide_index=True, width="stretch")
    if head_counts:
        st.caption(
            "Head counts are shown because you uploaded this list in this session; nobody "
            "who opens a shared link sees a single firm's head count here."
        )
    else:
        st.caption(
            "Size classes of the EU SME definition; single firms' head counts are not shown."
        )


def picked_cluster(
    ds: Dataset,
    det: Detection,
    prot: Protected,
    source: str,
    *,
    head_counts: bool,
    owner: bool,
) -> None:
    """The picker and the picked cluster: its figures, mix and largest firms."""
    if det.clusters.empty:
        return
    cluster_id = _picker(det)
    if cluster_id is None:
        st.info("Click an outline on the map, or choose a cluster, to see what its firms do.")
        return
    row = prot.table[prot.table["cluster_id"] == cluster_id].iloc[0]
    st.subheader(md(row["cluster_name"]))
    emp = employees_text(row["employees"], row["employees_status"])
    known = int(row["employees_known"])
    figure = (
        f"**{emp}** employees (head counts known for {known:,} firms)"
        if emp
        else ("employees not known")
    )
    st.markdown(f"**{int(row['firms']):,}** firms · {figure}")
    if emp == CONFIDENTIAL and owner:
        st.caption(f"Confidential because {md(_reasons(prot).get(cluster_id, ''))}.")
    if isinstance(row["cities"], str) and row["cities"]:
        st.caption(f"Firms per city: {md(row['cities'])}")
    st.caption(f"{WHAT_IS_COUNTED} Source: {md(source)}.")
    firms = firms_of(ds.id)
    for column, label in MIX_COLUMNS.items():
        if column in firms.columns:
            _mix_section(ds, det, cluster_id, column, label)
    _largest_section(ds, det, cluster_id, head_counts)


def cluster_table(det: Detection, prot: Protected, owner: bool) -> pd.DataFrame:
    """The detected clusters as the page lists them (employee figures as protected)."""
    t = prot.table
    out = pd.DataFrame(
        {
            "Cluster": t["cluster_name"].astype(object).to_numpy(),
            "Country": t["country_iso2"].astype(object).fillna("").to_numpy(),
            "Firms": t["firms"].astype(int).to_numpy(),
            "Employees": [
                employees_text(e, s)
                for e, s in zip(t["employees"], t["employees_status"].astype(object))
            ],
            "Head counts known": t["employees_known"].astype(int).to_numpy(),
            "Cities joined": t["cities"].astype(object).fillna("").to_numpy(),
            "Technology mix": t["technology_mix"].astype(object).fillna("").to_numpy(),
        }
    )
    if owner:
        reasons = _reasons(prot)
        out["Why confidential"] = [reasons.get(i, "") for i in t["cluster_id"]]
    return strip_bidi_frame(out)


def crosswalk_table(ds: Dataset, det: Detection) -> pd.DataFrame:
    """Each city's firms: how many are in detected clusters (which), isolated, left out."""
    cw = crosswalk(ds.id, det.radius_km, det.min_firms)
    return strip_bidi_frame(
        pd.DataFrame(
            {
                "City": cw["city"].astype(object).to_numpy(),
                "Country": cw["country_iso2"].astype(object).fillna("").to_numpy(),
                "Firms": cw["firms"].astype(int).to_numpy(),
                "In detected clusters": cw["in_clusters"].astype(int).to_numpy(),
                "Detected clusters": cw["clusters"].astype(object).fillna("").to_numpy(),
                "Isolated": cw["isolated"].astype(int).to_numpy(),
                "Left out": cw["left_out"].astype(int).to_numpy(),
            }
        )
    )


@st.cache_data(show_spinner=False, max_entries=16)
def download_csv(
    ds_id: str, radius_km: float, min_firms: int, _prot: Protected, parameters: str, source: str
) -> bytes:
    """The detected clusters as a CSV file that may leave the session (figures protected).

    Cached per dataset, parameters and rules (``parameters`` names them all).
    """
    det = detection(ds_id, radius_km, min_firms)
    table = _prot.table.copy()
    small = (det.clusters["firms"] < _prot.rules.min_firms).to_numpy()
    wkt = shapely.to_wkt(det.clusters.geometry.to_numpy(), rounding_precision=5)
    table["outline_wkt"] = pd.Series(wkt, dtype="string").mask(small).to_numpy()
    table["lat"], table["lon"] = table["lat"].round(4), table["lon"].round(4)
    table["counts_what"] = WHAT_IS_COUNTED
    table["source"] = source
    table["detection"] = parameters
    table["confidentiality"] = _prot.public_note()
    return to_safe_csv_bytes(table)


def tables(
    ds: Dataset, det: Detection, prot: Protected, source: str, *, owner: bool, parameters: str
) -> None:
    """The detected clusters beside the city grouping, the download and the method."""
    if det.clusters.empty and det.n_left_out == len(det.labels):
        return
    left, right = st.columns(2, gap="medium")
    with left:
        st.subheader("Detected clusters")
        st.dataframe(cluster_table(det, prot, owner), hide_index=True, width="stretch")
        st.caption(f"{WHAT_IS_COUNTED} Source: {md(source)}. {md(prot.public_note())}")
        other = prot.other
        if other is not None:
            st.caption(
                f"Other: the {len(other.groups):,} clusters whose own employee figures are "
                f"confidential have {other.employees:,} employees together ({other.firms:,} "
                "firms with a known head count)."
            )
        st.download_button(
            "Download the detected clusters (CSV)",
            data=download_csv(ds.id, det.radius_km, det.min_firms, prot, parameters, source)
            if not det.clusters.empty
            else b"",
            file_name="mst-atlas-detected-clusters.csv",
            mime="text/csv",
            disabled=det.clusters.empty,
            help="Employee figures that would reveal a single firm are blank and marked "
            "confidential; the outline of a cluster of fewer firms than the threshold is left out.",
        )
    with right:
        st.subheader("The city grouping beside it")
        joined = int((det.clusters["n_cities"] > 1).sum())
        st.dataframe(crosswalk_table(ds, det), hide_index=True, width="stretch")
        st.caption(
            f"{joined:,} detected cluster{'s join' if joined != 1 else ' joins'} firms of "
            f"several cities; {det.n_isolated:,} firms stay isolated (in no cluster)."
        )
    with st.expander("How the clusters are found, and what is confidential"):
        st.caption(md(det.method))
        st.caption(md(MIX_METHOD))
        st.caption(md(prot.summary() if owner else prot.public_note()))
