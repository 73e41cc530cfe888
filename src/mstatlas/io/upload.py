"""Read a researcher's own file (CSV/TSV, XLSX, GeoJSON, Parquet) as clusters.

:func:`read_upload` is the one entry point: it detects the format, encoding,
separator, number format, header row and sheet; maps the columns; tells a
cluster table from a firm list; validates every row; geocodes rows without
coordinates offline; aggregates firm lists per city (or cluster column); and
returns the canonical cluster table together with a report in which every
input row is either imported or listed with a reason. Reading is
:func:`mstatlas.io.load.read_raw`; the checks are the stages of
:mod:`mstatlas.io.pipeline`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from mstatlas.data.limits import Deadline, Limits
from mstatlas.data.profiles import empty_profiles
from mstatlas.data.validate import ValidationReport
from mstatlas.data.vocabulary import TableKind
from mstatlas.errors import DataError
from mstatlas.i18n import _, current_language
from mstatlas.io.context import Context, Progress, Request, empty_geocoding
from mstatlas.io.detected import Detected
from mstatlas.io.load import read_raw
from mstatlas.io.pipeline import run_stages


@dataclass
class UploadResult:
    """Everything :func:`read_upload` found out about a file.

    Attributes
    ----------
    clusters : geopandas.GeoDataFrame
        Imported rows in the canonical schema (:mod:`mstatlas.data.schema`), EPSG:4326.
    report : ValidationReport
        Counts and one :class:`~mstatlas.data.validate.Problem` per issue.
    kind : str
        ``"clusters"`` (one row per cluster figure) or ``"firms"`` (one row per firm).
    mapping : dict
        Canonical field -> the file's column used for it (``None``: not found).
    columns : list of str
        The file's own column names.
    detected : Detected
        Format, encoding, separator, decimal mark and thousands separator,
        sheet, visible and hidden sheets, header row (as the person counts
        rows), decimal mark per number column (:class:`~mstatlas.io.detected.Detected`).
    firms : pandas.DataFrame or None
        Cleaned firm rows when ``kind == "firms"``.
    geocoding : pandas.DataFrame
        One row per geocoded input row: row, city, country, matched, lat, lon,
        confidence (0..1), status (``ok``, ``ambiguous``, ``failed``). ``matched``
        and ``status`` are categorical: a few values, one per place, over many rows.
    aggregation : str or None
        How firms were turned into clusters, in words.
    profiles : pandas.DataFrame
        Profile facts (:data:`mstatlas.data.profiles.PROFILE_COLUMNS`) from the
        profile columns of a cluster table (technologies, markets, ...): one per
        value, with its row's cluster, year and source. Empty for firm lists.
    """

    clusters: gpd.GeoDataFrame
    report: ValidationReport
    kind: TableKind
    mapping: dict[str, str | None]
    columns: list[str]
    detected: Detected
    firms: pd.DataFrame | None = None
    geocoding: pd.DataFrame = field(default_factory=empty_geocoding)
    aggregation: str | None = None
    profiles: pd.DataFrame = field(default_factory=empty_profiles)


def read_upload(
    source: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    sheet: str | None = None,
    mapping: dict[str, str | None] | None = None,
    kind: str | None = None,
    limits: Limits | None = None,
    geocode_overrides: dict[int, tuple[float, float]] | None = None,
    progress: Progress | None = None,
) -> UploadResult:
    """Read, check, geocode and (for firm lists) aggregate a researcher's file.

    Parameters
    ----------
    source : str, path-like or bytes
        The file, or its content (then pass ``filename`` for messages and format).
    filename : str, optional
        Name shown in messages and used as the default source title.
    sheet : str, optional
        Worksheet of an XLSX file; default: the first visible sheet holding a table
        (see :func:`mstatlas.io.xlsx.default_sheet`).
    mapping : dict, optional
        Corrections to the detected column mapping, canonical field -> column
        name (``None`` to ignore a field). Other fields keep their detection.
    kind : {"clusters", "firms"}, optional
        Override the detected shape of the table.
    limits : Limits, optional
        Size, row, text and time limits; default :class:`Limits()`.
    geocode_overrides : dict, optional
        Row number (as in the report) -> ``(lat, lon)`` chosen by the person,
        used instead of the file's coordinates or geocoding for that row.
    progress : callable, optional
        Called as ``progress(fraction, message)`` between steps.

    Returns
    -------
    UploadResult
        The cluster table plus everything detected and every problem.

    Raises
    ------
    mstatlas.errors.DataError
        When the file as a whole cannot be used (empty, too large, damaged,
        not a table, header only, no usable columns); the message says what to do.
    """
    limits = limits or Limits()
    deadline = Deadline(limits.max_seconds)

    def step(fraction: float, message: str) -> None:
        # "stopped while checking rows"; German nouns keep their capital letter
        deadline.check(message.lower() if current_language() == "en" else message)
        if progress is not None:
            progress(fraction, message)

    if kind not in (None, "clusters", "firms"):
        raise DataError(_("kind must be 'clusters' or 'firms', not {kind!r}.").format(kind=kind))
    step(0.0, _("Reading the file"))
    raw, name = read_raw(source, filename, sheet, limits, mapping)
    request = Request(name, mapping, kind, limits, geocode_overrides or {})
    return result_of(run_stages(Context.start(raw, request, step)))


def result_of(ctx: Context) -> UploadResult:
    """The public result of a context the pipeline has run through.

    Parameters
    ----------
    ctx : Context
        After :func:`mstatlas.io.pipeline.run_stages`.

    Returns
    -------
    UploadResult
        What :func:`read_upload` returns.
    """
    assert ctx.report is not None, "the pipeline has not run"
    return UploadResult(
        clusters=ctx.clusters,
        report=ctx.report,
        kind=ctx.kind,
        mapping=ctx.mapping,
        columns=ctx.columns,
        detected=Detected.from_dict(ctx.detected),
        firms=ctx.firms,
        geocoding=ctx.geocoding,
        aggregation=ctx.aggregation,
        profiles=ctx.profiles,
    )


_WARM_UP_FILE = b"Firma;Ort;Land;Mitarbeiter\nA GmbH;Dortmund;Deutschland;1\nB AG;Dortmund;DE;2\n"


def warm_up() -> None:
    """Load now what the first upload of a process would otherwise wait for.

    Country names, the offline place index (built and cached on disk the first
    time) and Polars take about a second to load. Polars hashes a large file's
    rows for the duplicate check on every core once it is loaded (without it
    numpy does, on one). The app calls this in the background when the upload
    page opens, so a researcher's first file is read as fast as the next one.
    """
    import polars  # noqa: F401

    read_upload(_WARM_UP_FILE, filename="warm-up.csv")
