"""Every key of ``st.session_state``, in one place.

A key written in two modules as two string literals drifts apart silently (a
typo reads ``None`` forever). So the UI indexes ``st.session_state`` only with
these names; keys made per item (a widget per view field, a column picker per
file) come from the functions below. Keys that start with ``_`` hold the app's
own bookkeeping; the others hold what the person made (their uploads, delete
tokens) or a widget's value.
"""

from __future__ import annotations

from typing import Final

# -- the view and the link's notices (ui/session.py) -------------------------------------
VIEW: Final = "view"
NOTICES: Final = "url_notices"
#: (what was shown, notices) at the end of the last completed run.
NOTICES_SEEN: Final = "_notices_seen"
#: The run whose notices have been drawn.
NOTICES_DRAWN_IN: Final = "_notices_drawn_in"

# -- runs and pages (ui/session.py) ------------------------------------------------------
RUN: Final = "_run"
COMPLETED_RUN: Final = "_completed_run"
COMPLETED_PAGE: Final = "_completed_page"
PAGE: Final = "_page"
PAGE_ENTERED_IN_RUN: Final = "_page_entered_in_run"

# -- the map component (ui/components.py, ui/map_page.py) ------------------------------
#: The last map click acted on (a click is reported again on every rerun).
LAST_CLICK: Final = "last_click"
MAP_IDENTITY: Final = "_map_identity"
MAP_DRAWN_IN_RUN: Final = "_map_drawn_in_run"
MAP_ORIGIN: Final = "_map_origin"
MAP_ARGS: Final = "_map_args"
MAP_AT: Final = "_map_at"
ZOOMED_COUNTRIES: Final = "_zoomed_countries"

# -- datasets (ui/datasets.py, ui/sidebar.py, ui/share_panel.py, ui/upload_page.py) ------
#: Upload and share ids -> names, for the sidebar's dataset picker.
MY_DATASETS: Final = "my_datasets"
#: Share id -> its delete token, shown only in the session that shared it.
DELETE_TOKENS: Final = "delete_tokens"
#: Share ids the database has confirmed in this session.
SHARED_CONFIRMED: Final = "_shared_confirmed"
LAST_DATASET: Final = "_last_dataset"

# -- disclosure control (ui/disclosure_panel.py, ui/datasets.py) --------------------------
#: Upload ids whose owner turned disclosure control off for their own view and downloads.
DISCLOSURE_OFF: Final = "disclosure_off"
#: The share panel's opt-in to store a firm list's firm rows too.
SHARE_FIRM_ROWS: Final = "share_firm_rows"
#: The upload page's disclosure check of the latest read (made once per read).
UPLOAD_DISCLOSURE: Final = "_upload_disclosure"

# -- pages ----------------------------------------------------------------------------
PRESENT_SLIDE: Final = "_present_slide"
YEARS_WIDGET: Final = "w_years"
COUNTRY_VIEW: Final = "country_view"
COUNTRY_LAST_CLICK: Final = "country_view_last_click"
COUNTRY_PICK: Final = "country_view_pick"
UPLOAD_READS: Final = "_upload_reads"
UPLOAD_REPORT_TABLES: Final = "_upload_report_tables"

# -- the firm clusters page (ui/firm_clusters_page.py) -----------------------------------
#: The map component of the firm clusters page (its widget key).
FIRM_MAP: Final = "firm_clusters_map"
#: The last click on that map acted on (a click is reported again on every rerun).
FIRM_MAP_LAST_CLICK: Final = "_firm_map_last_click"
#: The detected cluster whose mix is shown (the picker's value).
FIRM_CLUSTER: Final = "firm_cluster"
#: The page's minimum firms per employee figure (k of the confidentiality rules).
FIRM_MIN_CONTRIBUTORS: Final = "firm_min_contributors"

# -- the report bundle (ui/bundle_panel.py) ---------------------------------------------
#: The last bundle built in this session: the view it shows and its ZIP.
BUNDLE: Final = "_bundle"
#: The button that builds it.
BUNDLE_BUTTON: Final = "bundle_build"

# -- the map page's offline map file (ui/map_page.py) -------------------------------------
#: The last map file prepared in this session: what it shows and its HTML.
MAP_FILE: Final = "_map_file"
#: The button that prepares it.
MAP_FILE_BUTTON: Final = "map_file_prepare"


def view_widget(field: str) -> str:
    """The widget bound to the view field ``field`` (see :func:`mstatlas.ui.session.bound_widget`)."""
    return f"w_{field}"


def disclosure_switch(ds_id: str) -> str:
    """The sidebar switch that turns disclosure control off for one upload."""
    return f"w_disclosure_{ds_id}"


def rating_widget(star: str) -> str:
    """The number input of one star threshold."""
    return f"w_rating_{star}"


def country_widget(name: str) -> str:
    """A Countries page widget whose value is kept in :data:`COUNTRY_VIEW`."""
    return f"{COUNTRY_VIEW}_{name}"


def sheets(file_key: str) -> str:
    """A workbook's sheets and the one holding the table, per uploaded file."""
    return f"_sheets_{file_key}"


def column_choices(view_key: str) -> str:
    """The person's column mapping for one file (or sheet)."""
    return f"_map_{view_key}"


def column_widget(view_key: str, field: str) -> str:
    """The picker of the file's column for one canonical field."""
    return f"map_{view_key}_{field}"


def coordinate_fixes(view_key: str) -> str:
    """The person's coordinate corrections for one file (or sheet)."""
    return f"_geo_{view_key}"


def coordinate_errors(view_key: str) -> str:
    """Messages about corrections that could not be applied, shown once."""
    return f"_geo_errors_{view_key}"
