"""The firm clusters page's tables and the picked cluster's mix (see firm_clusters_page).

What the detected clusters hold, side by side with the city grouping; the picked
cluster's technology (and market) mix with location quotients; its largest firms
by size class; the download of the detected clusters. Every employee figure comes
from :func:`mstatlas.data.disclosure.protect_figures`: suppressed ones read
"confidential", and why only in the session that uploaded the firm list.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import shapely
import streamlit as st

from mstatlas.analysis.detect import Detection
from mstatlas.analysis.firm_mix import MIX_METHOD
from mstatlas.data.disclosure import Protected
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.text import strip_bidi, strip_bidi_frame
from mstatlas.i18n import N_, _, current_language, fmt_decimal, fmt_fixed, fmt_int, ngettext
from mstatlas.store.dataset import Dataset
from mstatlas.ui import keys
from mstatlas.ui.components import md
from mstatlas.ui.firm_clusters_data import crosswalk, detection, firms_of, largest, mix

#: How many clusters the picker offers (largest first); the map reaches any.
PICKER_CHOICES = 500
#: Columns a firm list may have whose mix is shown, with their names.
MIX_COLUMNS = {"technology": N_("Technology"), "market": N_("Market")}
#: Headings of a mix section, per column (a whole heading each: German word order differs).
MIX_HEADINGS = {"technology": N_("Technology mix"), "market": N_("Market mix")}
#: Said when no firm of the cluster states the column.
MIX_MISSING = {
    "technology": N_("No firm of this cluster states its technology."),
    "market": N_("No firm of this cluster states its market."),
}
#: The note under a mix table, per column.
MIX_NOTES = {
    "technology": N_(
        "Shares, in %, of the {n} firms of the cluster (and of the whole list) that state a "
        "technology. LQ (location quotient) = share in cluster ÷ share in list."
    ),
    "market": N_(
        "Shares, in %, of the {n} firms of the cluster (and of the whole list) that state a "
        "market. LQ (location quotient) = share in cluster ÷ share in list."
    ),
}
WHAT_IS_COUNTED = N_(
    "Firms: the firms of the firm list in each detected cluster, each firm once. "
    "Employees: the sum of their known head counts."
)
SPECIALISED = N_("specialised (LQ above 1)")
NOT_SPECIALISED = N_("not specialised (LQ 1 or below)")


def employees_text(employees: object, status: object) -> str:
    """An employee figure as shown: the number, "confidential", or blank when not known."""
    if isinstance(status, str) and status:
        return _("confidential")
    if employees is None or pd.isna(employees):
        return ""
    return fmt_int(int(employees))  # type: ignore[call-overload]


def found_line(ds: Dataset, det: Detection, n_own: int) -> None:
    """How many clusters were found among how many firms, or why none."""
    n = len(ds.firms) if ds.firms is not None else 0
    if n_own == 0:
        st.info(
            ngettext(
                "The {n} firm has no coordinates of its own (the upload placed it at its "
                "city's centre): add lat and lon columns to the file to detect where the "
                "firms cluster. The map shows it by city.",
                "None of the {n} firms has coordinates of its own (the upload placed them at "
                "their city's centre): add lat and lon columns to the file to detect where "
                "the firms cluster. The map shows them by city.",
                n,
            ).format(n=fmt_int(n))
        )
        return
    if det.clusters.empty:
        st.info(
            _(
                "No firm has {k} firms within {radius} km: try a larger radius or a smaller "
                "minimum."
            ).format(k=fmt_int(det.min_firms), radius=fmt_decimal(det.radius_km, 3))
        )
        return
    k = len(det.clusters)
    inside = int((det.labels >= 0).sum())
    st.caption(
        ngettext(
            "{k} cluster among the {n} firms with a position of their own: {inside} firms "
            "in clusters, {isolated} isolated (in no cluster). Click an outline for what its "
            "firms do.",
            "{k} clusters among the {n} firms with a position of their own: {inside} firms "
            "in clusters, {isolated} isolated (in no cluster). Click an outline for what its "
            "firms do.",
            k,
        ).format(
            k=fmt_int(k),
            n=fmt_int(n_own),
            inside=fmt_int(inside),
            isolated=fmt_int(det.n_isolated),
        )
    )


def _reasons(prot: Protected) -> dict[str, str]:
    return dict(zip(prot.suppressed["group"], prot.suppressed["reason"]))


def _choice(name: object, firms: object) -> str:
    """A detected cluster as the picker offers it: "Dortmund (8 firms)"."""
    n = int(firms)  # type: ignore[call-overload]
    return ngettext("{name} ({n} firm)", "{name} ({n} firms)", n).format(
        name=strip_bidi(str(name)), n=fmt_int(n)
    )


def _picker(det: Detection) -> str | None:
    """The detected cluster whose mix is shown (kept in the session, set by map clicks too)."""
    shown = det.clusters.head(PICKER_CHOICES)
    names = {
        str(i): _choice(n, f)
        for i, n, f in zip(shown["cluster_id"], shown["cluster_name"], shown["firms"])
    }
    picked = st.session_state.get(keys.FIRM_CLUSTER)
    options = list(names)
    if picked and picked not in names:  # clicked on the map beyond the list
        row = det.clusters[det.clusters["cluster_id"] == picked].iloc[0]
        names[picked] = _choice(row["cluster_name"], row["firms"])
        options.insert(0, picked)
    st.selectbox(
        _("Detected cluster"),
        options=options,
        format_func=lambda i: names.get(i, i),
        placeholder=_("Click an outline or choose a cluster"),
        key=keys.FIRM_CLUSTER,
    )
    if len(det.clusters) > PICKER_CHOICES:
        st.caption(
            _("The list holds the {n} largest; click the map for any other.").format(
                n=fmt_int(PICKER_CHOICES)
            )
        )
    value = st.session_state.get(keys.FIRM_CLUSTER)
    return str(value) if value else None


def mix_chart(mix: pd.DataFrame, label: str) -> alt.Chart:
    """Bars of firms per value, coloured by whether the cluster specialises in it (LQ > 1)."""
    yes, no = _(SPECIALISED), _(NOT_SPECIALISED)
    data = pd.DataFrame(
        {
            "value": [strip_bidi(str(v)) for v in mix["value"]],
            "firms": mix["firms"].astype(int).to_numpy(),
            "share": mix["share"].round(3).to_numpy(),
            "lq": mix["lq"].round(2).to_numpy(),
            "specialised": [yes if q > 1 else no for q in mix["lq"]],
        }
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", sort="-x", title=None),
            x=alt.X("firms:Q", title=_("Firms"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "specialised:N",
                scale=alt.Scale(domain=[yes, no], range=["#d55e00", "#9aa5b1"]),
                legend=alt.Legend(title=None, orient="bottom", direction="vertical"),
            ),
            tooltip=[
                alt.Tooltip("value:N", title=label),
                alt.Tooltip("firms:Q", title=_("Firms")),
                alt.Tooltip("share:Q", title=_("Share of the cluster"), format=".0%"),
                alt.Tooltip("lq:Q", title=_("Location quotient"), format=".2f"),
            ],
        )
        .properties(
            height=max(60, 22 * len(data)),
            autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
        )
    )


def _mix_section(ds: Dataset, det: Detection, cluster_id: str, column: str) -> None:
    every = mix(ds.id, det.radius_km, det.min_firms, column)
    mine = every[every["group"] == cluster_id]
    label = _(MIX_COLUMNS[column])
    st.markdown("**" + _(MIX_HEADINGS[column]) + "**")
    if mine.empty:
        st.caption(_(MIX_MISSING[column]))
        return
    st.altair_chart(mix_chart(mine, label), width="stretch")
    table = pd.DataFrame(
        {
            label: mine["value"].astype(str).to_numpy(),
            _("Firms"): [fmt_int(v) for v in mine["firms"].astype(int)],
            _("Share in cluster"): [fmt_decimal(v) for v in 100 * mine["share"]],
            _("Share in list"): [fmt_decimal(v) for v in 100 * mine["register_share"]],
            _("LQ"): [fmt_fixed(v, 2) for v in mine["lq"]],
        }
    )
    st.dataframe(strip_bidi_frame(table), hide_index=True, width="stretch", placeholder="")
    n = int(mine["group_firms"].iloc[0])
    st.caption(_(MIX_NOTES[column]).format(n=fmt_int(n)))


def _largest_section(ds: Dataset, det: Detection, cluster_id: str, head_counts: bool) -> None:
    top = largest(ds.id, det.radius_km, det.min_firms, head_counts, current_language())
    mine = top[top["group"] == cluster_id]
    st.markdown("**" + _("Largest firms") + "**")
    if mine.empty:
        st.caption(_("No firm of this cluster has a known head count."))
        return
    table = pd.DataFrame(
        {
            "#": mine["rank"].to_numpy(),
            _("Firm"): mine["name"].astype(object).fillna("").to_numpy(),
            _("Size class"): mine["size_class"].astype(object).fillna("").to_numpy(),
        }
    )
    if head_counts:
        table[_("Employees")] = [employees_text(e, None) for e in mine["employees"]]
    st.dataframe(strip_bidi_frame(table), hide_index=True, width="stretch", placeholder="")
    if head_counts:
        st.caption(
            _(
                "Head counts are shown because you uploaded this list in this session; "
                "nobody who opens a shared link sees a single firm's head count here."
            )
        )
    else:
        st.caption(
            _("Size classes of the EU SME definition; single firms' head counts are not shown.")
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
        st.info(_("Click an outline on the map, or choose a cluster, to see what its firms do."))
        return
    row = prot.table[prot.table["cluster_id"] == cluster_id].iloc[0]
    st.subheader(md(row["cluster_name"]))
    st.markdown(_figures_line(row))
    status = row["employees_status"]
    if isinstance(status, str) and status and owner:
        st.caption(
            _("Confidential because {reason}.").format(
                reason=md(_reasons(prot).get(cluster_id, ""))
            )
        )
    if isinstance(row["cities"], str) and row["cities"]:
        st.caption(_("Firms per city: {cities}").format(cities=md(row["cities"])))
    st.caption(_counted(source))
    firms = firms_of(ds.id)
    for column in MIX_COLUMNS:
        if column in firms.columns:
            _mix_section(ds, det, cluster_id, column)
    _largest_section(ds, det, cluster_id, head_counts)


def _figures_line(row: pd.Series) -> str:
    """The picked cluster's firms and employees in one line."""
    firms = int(row["firms"])
    emp = employees_text(row["employees"], row["employees_status"])
    known = int(row["employees_known"])
    line = ngettext("**{n}** firm", "**{n}** firms", firms).format(n=fmt_int(firms))
    if not emp:
        return line + " · " + _("employees not known")
    return (
        line
        + " · "
        + ngettext(
            "**{employees}** employees (head counts known for {n} firm)",
            "**{employees}** employees (head counts known for {n} firms)",
            known,
        ).format(employees=emp, n=fmt_int(known))
    )


def _counted(source: str) -> str:
    """What the figures count, and their source."""
    return _("{counted} Source: {source}.").format(counted=_(WHAT_IS_COUNTED), source=md(source))


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


#: Headings on screen of the detected clusters' and the cities' tables (keys stay English).
HEADINGS = {
    "Cluster": N_("Cluster"),
    "Country": N_("Country"),
    "Firms": N_("Firms"),
    "Employees": N_("Employees"),
    "Head counts known": N_("Head counts known"),
    "Cities joined": N_("Cities joined"),
    "Technology mix": N_("Technology mix"),
    "Why confidential": N_("Why confidential"),
    "City": N_("City"),
    "In detected clusters": N_("In detected clusters"),
    "Detected clusters": N_("Detected clusters"),
    "Isolated": N_("Isolated"),
    "Left out": N_("Left out"),
}


def _headings(table: pd.DataFrame) -> dict[str, Any]:
    """Column configuration heading a table's columns in the active language."""
    config: dict[str, Any] = {}
    for key in table.columns:
        if key in HEADINGS:
            heading = _(HEADINGS[key])
            numeric = pd.api.types.is_integer_dtype(table[key])
            config[key] = (
                st.column_config.NumberColumn(heading, format="localized")
                if numeric
                else st.column_config.Column(heading)
            )
    return config


def _show(table: pd.DataFrame) -> None:
    st.dataframe(
        table, hide_index=True, width="stretch", column_config=_headings(table), placeholder=""
    )


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
    ds_id: str,
    radius_km: float,
    min_firms: int,
    _prot: Protected,
    parameters: str,
    source: str,
    lang: str = "en",
) -> bytes:
    """The detected clusters as a CSV file that may leave the session (figures protected).

    Cached per dataset, parameters and rules (``parameters`` names them all) and the
    language ``lang`` its notes are written in (column names stay English).
    """
    det = detection(ds_id, radius_km, min_firms)
    table = _prot.table.copy()
    small = (det.clusters["firms"] < _prot.rules.min_firms).to_numpy()
    wkt = shapely.to_wkt(det.clusters.geometry.to_numpy(), rounding_precision=5)
    table["outline_wkt"] = pd.Series(wkt, dtype="string").mask(small).to_numpy()
    table["lat"], table["lon"] = table["lat"].round(4), table["lon"].round(4)
    table["counts_what"] = _(WHAT_IS_COUNTED)
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
        st.subheader(_("Detected clusters"))
        _show(cluster_table(det, prot, owner))
        st.caption(_counted(source) + " " + md(prot.public_note()))
        other = prot.other
        if other is not None:
            st.caption(
                ngettext(
                    "Other: the {n} cluster whose own employee figure is confidential has "
                    "{employees} employees ({firms} firms with a known head count).",
                    "Other: the {n} clusters whose own employee figures are confidential have "
                    "{employees} employees together ({firms} firms with a known head count).",
                    len(other.groups),
                ).format(
                    n=fmt_int(len(other.groups)),
                    employees=fmt_int(other.employees),
                    firms=fmt_int(other.firms),
                )
            )
        st.download_button(
            _("Download the detected clusters (CSV)"),
            data=download_csv(
                ds.id, det.radius_km, det.min_firms, prot, parameters, source, current_language()
            )
            if not det.clusters.empty
            else b"",
            file_name="mst-atlas-detected-clusters.csv",
            mime="text/csv",
            disabled=det.clusters.empty,
            help=_(
                "Employee figures that would reveal a single firm are blank and marked "
                "confidential; the outline of a cluster of fewer firms than the threshold is "
                "left out."
            ),
        )
    with right:
        st.subheader(_("The city grouping beside it"))
        joined = int((det.clusters["n_cities"] > 1).sum())
        _show(crosswalk_table(ds, det))
        st.caption(
            ngettext(
                "{n} detected cluster joins firms of several cities;",
                "{n} detected clusters join firms of several cities;",
                joined,
            ).format(n=fmt_int(joined))
            + " "
            + ngettext(
                "{n} firm stays isolated (in no cluster).",
                "{n} firms stay isolated (in no cluster).",
                det.n_isolated,
            ).format(n=fmt_int(det.n_isolated))
        )
    with st.expander(_("How the clusters are found, and what is confidential")):
        st.caption(md(det.method))
        st.caption(md(_(MIX_METHOD)))
        st.caption(md(prot.summary() if owner else prot.public_note()))
