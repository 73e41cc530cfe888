"""Read a researcher's own file (CSV/TSV, XLSX, GeoJSON, Parquet) as clusters.

:func:`read_upload` is the one entry point: it detects the format, encoding,
separator, number format, header row and sheet; maps the columns; tells a
cluster table from a firm list; validates every row; geocodes rows without
coordinates offline; aggregates firm lists per city (or cluster column); and
returns the canonical cluster table together with a report in which every
input row is either imported or listed with a reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mstatlas.data.codes import (
    arrow_strings,
    combine_codes,
    first_duplicates,
    fold_codes,
    may_need_trim,
    renumber,
    text_codes,
)
from mstatlas.data.columns import (
    CANONICAL_FIELDS,
    PROFILE_FIELD_OF,
    country_to_iso2,
    detect_mapping,
    is_firm_name_header,
)
from mstatlas.data.limits import Deadline, Limits
from mstatlas.data.profiles import coerce_profiles, empty_profiles
from mstatlas.data.schema import COUNTS_WHAT, QUALIFIERS, coerce_clusters, empty_clusters
from mstatlas.data.validate import (
    EUROPE_WINDOW,
    YEAR_RANGE,
    NumberFormat,
    Problem,
    ValidationReport,
    counts_what_key,
    detect_number_formats,
    not_a_number_reason,
    parse_numbers,
    point_grouped,
    text_problems,
)
from mstatlas.errors import DataError
from mstatlas.io.load import FORMATS as FORMATS  # re-exported
from mstatlas.io.load import read_raw
from mstatlas.io.raw import Raw
from mstatlas.io.xlsx import default_sheet as default_sheet  # re-exported
from mstatlas.io.xlsx import list_sheets as list_sheets  # re-exported

Progress = Callable[[float, str], None]

GEOCODING_COLUMNS = ["row", "city", "country", "matched", "lat", "lon", "confidence", "status"]


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
    detected : dict
        ``format``, ``encoding``, ``separator``, ``decimal``, ``thousands``,
        ``sheet``, ``sheets`` (visible), ``hidden_sheets``, ``header_row``
        (as the person counts rows), ``number_formats`` per column.
    firms : pandas.DataFrame or None
        Cleaned firm rows when ``kind == "firms"``.
    geocoding : pandas.DataFrame
        One row per geocoded input row: row, city, country, matched, lat, lon,
        confidence (0..1), status (``ok``, ``ambiguous``, ``failed``).
    aggregation : str or None
        How firms were turned into clusters, in words.
    profiles : pandas.DataFrame
        Profile facts (:data:`mstatlas.data.profiles.PROFILE_COLUMNS`) from the
        profile columns of a cluster table (technologies, markets, ...): one per
        value, with its row's cluster, year and source. Empty for firm lists.
    """

    clusters: gpd.GeoDataFrame
    report: ValidationReport
    kind: str
    mapping: dict[str, str | None]
    columns: list[str]
    detected: dict[str, Any]
    firms: pd.DataFrame | None = None
    geocoding: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: [] for c in GEOCODING_COLUMNS})
    )
    aggregation: str | None = None
    profiles: pd.DataFrame = field(default_factory=empty_profiles)


def _too_many_rows(n: int, limits: Limits) -> DataError:
    return DataError(
        f"The file has {n:,} data rows; at most {limits.max_rows:,} are accepted per upload. "
        "Split it into smaller files or aggregate it first."
    )


# =========================================================================== interpretation

#: Counts from here on are refused: past 2**53 a float no longer holds every whole number.
_MAX_COUNT = 2**53

_NUMERIC_FIELDS = ("lat", "lon", "firms", "employees", "year", "region_employment")
_TEXT_FIELDS = (
    "name",
    "cluster",
    "cluster_id",
    "city",
    "country",
    "region",
    "source",
    "source_url",
    "counts_what",
    "technology",
    "organisation",
    "note",
    "firms_qualifier",
    "employees_qualifier",
    "scope",
    *(f for f in PROFILE_FIELD_OF if f != "technology"),
)


def _apply_mapping(
    columns: list[str], frame: pd.DataFrame, user: dict[str, str | None] | None
) -> dict[str, str | None]:
    mapping = detect_mapping(columns, sample=frame.head(50))
    if user:
        unknown_fields = [f for f in user if f not in CANONICAL_FIELDS]
        if unknown_fields:
            raise DataError(
                f"Unknown field(s) {', '.join(map(repr, unknown_fields))} in the column mapping; "
                f"fields are: {', '.join(CANONICAL_FIELDS)}."
            )
        for fld, col in user.items():
            if col is not None and col not in columns:
                raise DataError(
                    f"The column '{col}' chosen for '{fld}' is not in the file; its columns are: "
                    f"{', '.join(columns)}."
                )
            if col is not None:
                for other, c in list(mapping.items()):
                    if c == col and other != fld and other not in user:
                        mapping[other] = None
            mapping[fld] = col
    return mapping


def _detect_kind(
    frame: pd.DataFrame,
    mapping: dict[str, str | None],
    trimmed: Callable[[str], pd.Series] | None = None,
) -> str:
    if mapping.get("firms"):
        return "clusters"
    name = mapping.get("name")
    if name and is_firm_name_header(name):
        return "firms"
    if mapping.get("cluster") and name:
        return "firms"
    city = mapping.get("city")
    if city:
        c = trimmed(city) if trimmed else frame[city].astype("string").str.strip()
        c = c[c.fillna("") != ""]
        import pyarrow.compute as pc

        n_distinct = pc.count_distinct(_lower(_arrow(c))).as_py() if len(c) >= 5 else 0
        if len(c) >= 5 and n_distinct <= 0.7 * len(c) and not mapping.get("counts_what"):
            # Repeated cities without a firm count: rows are firms, not clusters.
            return "firms"
    return "clusters"


def _flag(
    problems: list[Problem],
    mask: np.ndarray,
    rows: np.ndarray,
    column: str | None,
    values: pd.Series | None,
    reason: Callable[[str], str],
    severity: str = "error",
) -> None:
    idx = np.flatnonzero(mask)
    if not len(idx):
        return
    texts: list[Any] = [None] * len(idx)
    if values is not None:
        sub = values.iloc[idx]
        if not isinstance(sub.dtype, pd.StringDtype):
            sub = sub.astype("string")  # convert only the flagged values (floats are slow)
        texts = [str(v) for v in sub.tolist()]
    for i, v in zip(idx, texts, strict=True):
        text = "" if v is None else v
        problems.append(Problem(int(rows[i]), column, v, reason(text), severity))


def _arrow(s: pd.Series) -> Any:
    """The Arrow array behind a text column (converted to text first if needed)."""
    import pyarrow as pa

    return pa.array(s.astype("string").array)


def _strings(arr: Any, index: pd.Index) -> pd.Series:
    """An Arrow string array as a pandas ``string`` column (no Python objects)."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([arr.cast(pa.large_string())])), index=index
    )


def _null_strings(n: int) -> Any:
    import pyarrow as pa

    return pa.nulls(n, pa.large_string())


def _take_strings(lut: Sequence[str | None], codes: np.ndarray, index: pd.Index) -> pd.Series:
    """``lut[codes]`` as a ``string`` column; code -1 gives NA."""
    import pyarrow as pa

    table = pa.array([v if isinstance(v, str) else None for v in lut] + [None], pa.large_string())
    pos = np.where(codes < 0, len(lut), codes)
    return _strings(table.take(pa.array(pos, pa.int64())), index)


def _fill_text(s: pd.Series, value: str) -> pd.Series:
    """Missing cells of a text column set to ``value`` (in Arrow, no Python strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = arrow_strings(s)
    return _strings(pc.fill_null(arr, pa.scalar(value, arr.type)), s.index)


def _nonempty(s: pd.Series) -> np.ndarray:
    """Cells of a trimmed text column that hold something (not NA, not empty)."""
    import pyarrow.compute as pc

    filled = pc.greater(pc.binary_length(_arrow(s)), 0)
    return np.asarray(pc.fill_null(filled, False).to_numpy(zero_copy_only=False), dtype=bool)


def _codes(s: pd.Series) -> np.ndarray:
    """Group codes of a number column (NA is its own group, -1)."""
    return pd.factorize(s)[0].astype(np.int64)


def _lower(arr: Any) -> Any:
    # the lower-casing pandas' str.lower uses on Arrow text
    import pyarrow.compute as pc

    return pc.utf8_lower(arr)


def _nan_reason(nf: NumberFormat, what: str) -> Callable[[str], str]:
    return lambda v: not_a_number_reason(v, nf, what)


def _year_reason(lo: int, hi: int) -> Callable[[str], str]:
    return lambda v: f"'{v}' is not a year between {lo} and {hi}"


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
        (see :func:`default_sheet`).
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
        deadline.check(message.lower())
        if progress is not None:
            progress(fraction, message)

    if kind not in (None, "clusters", "firms"):
        raise DataError(f"kind must be 'clusters' or 'firms', not {kind!r}.")
    step(0.0, "Reading the file")
    raw, name = read_raw(source, filename, sheet, limits)
    step(0.3, "Checking rows")
    return _process(raw, name, mapping, kind, limits, geocode_overrides or {}, step)


_WARM_UP_FILE = b"Firma;Ort;Land;Mitarbeiter\nA GmbH;Dortmund;Deutschland;1\nB AG;Dortmund;DE;2\n"


def warm_up() -> None:
    """Load now what the first upload of a process would otherwise wait for.

    Country names, the offline place index (built and cached on disk the first
    time) and Polars (duplicate checks of large files) take about a second to
    load. The app calls this in the background when the upload page opens, so a
    researcher's first file is read as fast as the next one.
    """
    import polars  # noqa: F401

    read_upload(_WARM_UP_FILE, filename="warm-up.csv")


def _process(
    raw: Raw,
    filename: str,
    user_mapping: dict[str, str | None] | None,
    kind: str | None,
    limits: Limits,
    overrides: dict[int, tuple[float, float]],
    step: Callable[[float, str], None],
) -> UploadResult:
    frame, rows = raw.frame, raw.rows
    columns = [str(c) for c in frame.columns]
    detected = dict(raw.detected)
    if not columns and raw.geom is None:
        raise DataError(
            f"The file {filename} has no columns; the first row must hold column names "
            "(see the template)."
        )
    stripped: dict[str, pd.Series] = {}

    def trimmed(c: str) -> pd.Series:
        """The column as text without surrounding spaces, computed once."""
        if c not in stripped:
            text = frame[c].astype("string")
            # most columns have no surrounding spaces: a look at first and last bytes suffices
            stripped[c] = text.str.strip() if may_need_trim(text) else text
        return stripped[c]

    # Blank rows (every cell empty or white space, no geometry) are not data.
    filled = np.zeros(len(frame), dtype=bool)
    for c in frame.columns:
        filled |= _nonempty(trimmed(c))
    if raw.geom is not None:
        filled |= raw.geom["lat"].notna().to_numpy()
    n_blank = int((~filled).sum())
    keep = filled
    geom = raw.geom
    pre_rejected = raw.rejected
    if n_blank:  # copying a million-row frame only when something is dropped
        frame = frame[keep].reset_index(drop=True)
        rows = rows[keep]
        geom = geom[keep].reset_index(drop=True) if geom is not None else None
        pre_rejected = pre_rejected[keep] if pre_rejected is not None else None
        for c in list(stripped):
            stripped[c] = stripped[c][keep].reset_index(drop=True)
    if pre_rejected is None:
        pre_rejected = np.zeros(len(frame), bool)
    n = len(frame)
    if n > limits.max_rows:
        raise _too_many_rows(n, limits)
    if n == 0:
        shown = ", ".join(columns[:8]) + (", …" if len(columns) > 8 else "")
        raise DataError(
            f"The file {filename} has a header row ({shown}) but no data rows; add at least "
            "one row below the header."
        )
    mapping = _apply_mapping(columns, frame, user_mapping)
    all_missing = _strings(_null_strings(n), frame.index).array  # built once, shared

    def missing_text() -> pd.Series:
        """A text column with every value missing (its own Series over shared Arrow memory)."""
        return pd.Series(all_missing.copy(), index=frame.index)

    kind = kind or _detect_kind(frame, mapping, trimmed)
    detected["kind_detected"] = kind
    problems = list(raw.problems)
    reject = pre_rejected.copy()

    def col(fld: str) -> pd.Series | None:
        c = mapping.get(fld)
        return frame[c] if c else None

    # ---- usable columns at all?
    name_field = "name"
    if mapping.get("name") is None:
        if kind == "clusters" and mapping.get("city"):
            name_field = "city"
            detected["name_from"] = mapping["city"]
        elif kind == "clusters":
            raise DataError(
                f"The file {filename} has no column with cluster names; its columns are "
                f"{', '.join(columns)}. Name one 'name' (or Name, Bezeichnung, Cluster, nom) "
                "or choose it in the column mapping."
            )
    has_coords = bool(mapping.get("lat") and mapping.get("lon")) or geom is not None
    if not has_coords and not mapping.get("city") and not overrides:
        raise DataError(
            f"The file {filename} has neither coordinates nor a city column, so nothing can be "
            f"placed on the map; its columns are {', '.join(columns)}. Add 'lat' and 'lon' "
            "columns or a 'city' column (with 'country')."
        )

    # ---- numbers
    num_cols = [c for f in _NUMERIC_FIELDS if (c := mapping.get(f))]
    formats, default_fmt = detect_number_formats(frame, num_cols, detected.get("separator"))
    detected["decimal"] = default_fmt.decimal
    detected["thousands"] = default_fmt.thousands
    detected["number_formats"] = {c: f.decimal for c, f in formats.items()}
    values: dict[str, pd.Series] = {}
    qualifiers: dict[str, pd.Series] = {}
    for fld in _NUMERIC_FIELDS:
        c = mapping.get(fld)
        if not c:
            values[fld] = pd.Series(np.nan, index=frame.index, dtype="float64")
            continue
        nf = formats.get(c, NumberFormat())
        what = "coordinate" if fld in ("lat", "lon") else ("year" if fld == "year" else "count")
        num, failed, qual = parse_numbers(
            trimmed(c),
            nf,
            coordinate=what == "coordinate",
            integer=what != "coordinate",
            stripped=True,
        )
        failed_np = failed.to_numpy(bool)
        _flag(
            problems,
            failed_np,
            rows,
            c,
            frame[c],
            _nan_reason(nf, what),
        )
        reject |= failed_np
        values[fld] = num
        qualifiers[fld] = qual
        if what == "count":
            neg = (num < 0).fillna(False).to_numpy(bool)
            _flag(
                problems,
                neg,
                rows,
                c,
                frame[c],
                lambda v: f"'{v}' is negative; a count cannot be below 0",
            )
            huge = (num >= _MAX_COUNT).fillna(False).to_numpy(bool)
            _flag(
                problems,
                huge,
                rows,
                c,
                frame[c],
                lambda v: f"'{v}' is too large for a count of firms or employees",
            )
            frac = (num.notna() & (num % 1 != 0)).to_numpy(bool) & ~neg & ~huge
            _flag(
                problems,
                frac,
                rows,
                c,
                frame[c],
                lambda v: (
                    f"'{v}' is not a whole number; counts of firms and employees are whole numbers"
                ),
            )
            reject |= neg | frac | huge
            if nf.decimal == ".":
                # "2.100" where the point is the decimal mark: read as 2,100 (a count has
                # no decimals) — said, because the file's other numbers use the point.
                _flag(
                    problems,
                    point_grouped(trimmed(c)) & ~reject,
                    rows,
                    c,
                    frame[c],
                    lambda v: (
                        f"'{v}' was read as {float(v.strip().replace('.', '')):,.0f}: a count "
                        "has no decimals, so the point was taken as a thousands separator, "
                        "although the file's decimal mark is the point; check the value"
                    ),
                    "warning",
                )
        elif what == "year":
            lo, hi = YEAR_RANGE
            bad = (num.notna() & ((num < lo) | (num > hi) | (num % 1 != 0))).to_numpy(bool)
            _flag(
                problems,
                bad,
                rows,
                c,
                frame[c],
                _year_reason(lo, hi),
            )
            reject |= bad
    lat, lon = values["lat"].copy(), values["lon"].copy()
    if geom is not None:
        has_geom = geom["lat"].notna()
        lat = lat.where(~has_geom, geom["lat"])
        lon = lon.where(~has_geom, geom["lon"])
    lat_c = mapping.get("lat") or "geometry"
    lon_c = mapping.get("lon") or "geometry"
    one_missing = (lat.isna() ^ lon.isna()).to_numpy(bool) & ~reject
    lat_missing = lat.isna().to_numpy(bool)
    for missing_mask, column in (
        (one_missing & lat_missing, lat_c),
        (one_missing & ~lat_missing, lon_c),
    ):
        _flag(
            problems,
            missing_mask,
            rows,
            column,
            None,
            lambda v: (
                "only one of latitude and longitude is given; fill both or leave both "
                "empty to place the row by its city"
            ),
        )
    reject |= one_missing
    bad_lat = (lat.abs() > 90).fillna(False).to_numpy(bool)
    bad_lon = (lon.abs() > 180).fillna(False).to_numpy(bool)
    _flag(
        problems,
        bad_lat,
        rows,
        lat_c,
        lat,
        lambda v: f"latitude {v} is impossible (must be between -90 and 90)",
    )
    _flag(
        problems,
        bad_lon & ~bad_lat,
        rows,
        lon_c,
        lon,
        lambda v: f"longitude {v} is impossible (must be between -180 and 180)",
    )
    reject |= bad_lat | bad_lon

    # ---- text
    texts: dict[str, pd.Series] = {}
    for fld in _TEXT_FIELDS:
        c = mapping.get(fld)
        if not c:
            texts[fld] = missing_text()
            continue
        s = trimmed(c)
        probs, bad = text_problems(s, rows, c, limits.max_text_len)
        problems.extend(probs)
        reject |= bad.to_numpy(bool)
        texts[fld] = s.mask(s == "", pd.NA)
    name = texts["name"] if name_field == "name" else texts["city"]
    missing_name = name.isna().to_numpy(bool) & ~reject
    what_name = "firm name" if kind == "firms" else "cluster name"
    _flag(
        problems,
        missing_name,
        rows,
        mapping.get(name_field),
        None,
        lambda v: f"the {what_name} is empty; every row needs one",
    )
    reject |= missing_name

    # counts_what and qualifiers
    cw = pd.Series("unspecified", index=frame.index, dtype="string")
    if mapping.get("counts_what") and kind == "clusters":
        raw_cw = texts["counts_what"]
        cw_codes, cw_uniques = pd.factorize(raw_cw)
        cw_keys = [counts_what_key(str(v)) for v in cw_uniques]
        known = np.array([k is not None for k in cw_keys] + [True], dtype=bool)
        bad = ~known[np.where(cw_codes < 0, len(cw_keys), cw_codes)]
        _flag(
            problems,
            bad,
            rows,
            mapping["counts_what"],
            raw_cw,
            lambda v: (
                f"'{v}' is not a kind of figure the atlas knows; use one of "
                f"{', '.join(COUNTS_WHAT)}"
            ),
        )
        reject |= bad
        cw = _take_strings(
            [k or "unspecified" for k in cw_keys] + ["unspecified"],
            np.where(cw_codes < 0, len(cw_keys), cw_codes),
            frame.index,
        )
    quals: dict[str, pd.Series] = {}
    for fld, numfld in (("firms_qualifier", "firms"), ("employees_qualifier", "employees")):
        q = qualifiers.get(numfld)
        if q is None:
            q = missing_text()
        if mapping.get(fld):
            given = texts[fld].str.lower().str.replace(r"[\s-]+", "_", regex=True)
            bad = (given.notna() & ~given.isin([k for k in QUALIFIERS if k])).to_numpy(bool)
            _flag(
                problems,
                bad,
                rows,
                mapping[fld],
                texts[fld],
                lambda v: (
                    f"'{v}' is not a qualifier; use about, more_than, at_least, up_to or "
                    "leave it blank"
                ),
            )
            reject |= bad
            q = given.where(given.notna() & ~pd.Series(bad, index=frame.index), q)
        quals[fld] = q

    # source URL: only web links (a javascript: link in a popup would run code)
    url = texts["source_url"]
    bad_url = np.zeros(n, dtype=bool)
    if mapping.get("source_url"):
        bad_url = (url.notna() & ~url.str.match(r"(?i)https?://").fillna(False)).to_numpy(bool)
    _flag(
        problems,
        bad_url,
        rows,
        mapping.get("source_url"),
        url,
        lambda v: (
            f"'{v[:60]}' is not a web address starting with http:// or https://; the "
            "link was left out"
        ),
        "warning",
    )
    if bad_url.any():
        url = url.mask(pd.Series(bad_url, index=frame.index))

    # countries
    iso = missing_text()
    iso_codes: np.ndarray = np.full(n, -1, dtype=np.int64)
    iso_uniques: list[str] = []
    if mapping.get("country"):
        ctext = texts["country"]
        # each distinct spelling is looked up once; ISO codes follow from its code
        ccodes, cuniques = text_codes(ctext, trim=False)
        iso_of = [country_to_iso2(str(u)) for u in cuniques]
        iso_lut, iso_index = pd.factorize(pd.Series(iso_of, dtype=object))
        iso_uniques = [str(v) for v in iso_index]
        iso_codes = np.append(iso_lut.astype(np.int64), -1)[ccodes]  # code -1 stays -1
        iso = _take_strings(iso_uniques, iso_codes, frame.index)
        unknown = (ccodes >= 0) & (iso_codes < 0) & ~reject
        _flag(
            problems,
            unknown,
            rows,
            mapping["country"],
            ctext,
            lambda v: (
                f"'{v}' is not a country the atlas recognises (write e.g. Germany, "
                "Deutschland or DE); the row was placed without it"
            ),
            "warning",
        )
    step(0.5, "Checking duplicates")

    # ---- overrides from the person
    overridden = np.zeros(n, dtype=bool)
    for r, (olat, olon) in overrides.items():
        hits = np.flatnonzero(rows == int(r))
        if not len(hits):
            continue
        i = int(hits[0])
        if not (-90 <= float(olat) <= 90 and -180 <= float(olon) <= 180):
            raise DataError(
                f"The corrected position for row {r} ({olat}, {olon}) is impossible; latitude "
                "must be within ±90 and longitude within ±180."
            )
        lat.iat[i], lon.iat[i] = float(olat), float(olon)
        overridden[i] = True
        if one_missing[i] or bad_lat[i] or bad_lon[i]:
            reject[i] = bool(pre_rejected[i])
            problems = [p for p in problems if not (p.row == r and p.column in (lat_c, lon_c))]

    # Outside Europe: a warning, with a hint when swapping would put it inside.
    (la0, la1), (lo0, lo1) = EUROPE_WINDOW["lat"], EUROPE_WINDOW["lon"]
    inside = lat.between(la0, la1) & lon.between(lo0, lo1)
    swapped_inside = lon.between(la0, la1) & lat.between(lo0, lo1)
    outside = (lat.notna() & lon.notna() & ~inside).to_numpy(bool) & ~reject
    out_idx = np.flatnonzero(outside)
    coord_text = pd.Series("", index=frame.index, dtype="object")
    if len(out_idx):  # text for the flagged rows only: float-to-text is slow
        coord_text.iloc[out_idx] = (
            lat.iloc[out_idx].astype("string") + ", " + lon.iloc[out_idx].astype("string")
        ).to_numpy(dtype=object)
    swap_np = swapped_inside.to_numpy(bool)
    for i in map(int, out_idx):
        hint = (
            "; latitude and longitude look swapped"
            if swap_np[i]
            else "; check the coordinates if the cluster is in Europe"
        )
        problems.append(
            Problem(
                int(rows[i]),
                lat_c,
                str(coord_text.iloc[i]),
                f"the position is outside Europe{hint}",
                "warning",
            )
        )

    # ---- duplicates (among rows still in), found with integer group codes
    ok_idx = np.flatnonzero(~reject)
    # Each text column is hashed once; geocoding reuses the city and country codes.
    city_codes, city_uniques = text_codes(texts["city"], trim=False)
    # names are mostly distinct: hashed per row, compared exactly only on a hash match
    import pyarrow as pa
    import pyarrow.compute as pc

    name_key = pc.utf8_lower(arrow_strings(name))
    if kind == "clusters":
        key_parts = [
            name_key,
            fold_codes(city_codes, city_uniques),
            _codes(values["year"]),
            _codes(values["firms"]),
            _codes(values["employees"]),
        ]
        dup_reason = "same name, city, year and figures"
        # the same number for two kinds of figure or two perimeters is two figures
        if mapping.get("counts_what"):
            key_parts.append(text_codes(cw, trim=False)[0])
            dup_reason = "same name, city, year, kind of figure and figures"
        if mapping.get("scope"):
            key_parts.append(fold_codes(*text_codes(texts["scope"], trim=False)))
            dup_reason = dup_reason.replace(" and figures", ", scope and figures")
    else:
        key_parts = [name_key, fold_codes(city_codes, city_uniques), iso_codes]
        dup_reason = "same firm name and city; each firm is counted once"
    if len(ok_idx):
        if len(ok_idx) < n:
            key_parts = [
                p[ok_idx] if isinstance(p, np.ndarray) else p.take(pa.array(ok_idx))
                for p in key_parts
            ]
        dup_j, first_j = first_duplicates(key_parts)
        if len(dup_j):
            name_col = mapping.get(name_field)
            for j, f in zip(dup_j.tolist(), first_j.tolist(), strict=True):
                pos = int(ok_idx[j])
                problems.append(
                    Problem(
                        int(rows[pos]),
                        name_col,
                        str(name.iloc[pos]),
                        f"duplicate of row {int(rows[ok_idx[f]])} "
                        f"({dup_reason}); only the first is imported",
                    )
                )
                reject[pos] = True
    step(0.6, "Geocoding cities")

    # ---- geocoding (once per distinct city and country)
    need = lat.isna().to_numpy(bool) & ~reject & ~overridden
    geo_frames = []
    city_s = texts["city"]
    if need.any():
        no_city = need & city_s.isna().to_numpy(bool)
        _flag(
            problems,
            no_city,
            rows,
            mapping.get("city") or mapping.get("lat"),
            None,
            lambda v: (
                "the row has no coordinates and no city, so it cannot be placed; "
                "add lat/lon or a city"
            ),
        )
        reject |= no_city
        need &= ~no_city
    if need.any():
        from mstatlas.data.geocode import geocode

        idx = np.flatnonzero(need)
        # one lookup per distinct (city, country); results are spread back by code
        city_need = city_s if len(idx) == n else city_s.iloc[idx].reset_index(drop=True)
        pair_code, first = renumber(combine_codes([city_codes[idx], iso_codes[idx]]))
        iso_first = [v if isinstance(v, str) and v else "" for v in iso.iloc[idx[first]].tolist()]
        found: list[tuple[Any, ...]] = []
        for j, (c, cc) in enumerate(zip(city_s.iloc[idx[first]].tolist(), iso_first, strict=True)):
            if j % 200 == 0:
                step(0.6 + 0.25 * j / max(len(first), 1), "Geocoding cities")
            m = geocode(str(c), cc or None)
            found.append(
                (
                    m.name,
                    m.lat,
                    m.lon,
                    m.confidence,
                    m.status,
                    m.country_iso2,
                    "; ".join(f"{a[0]} ({a[1]})" for a in m.alternatives[:3]),
                )
                if m
                else (None, np.nan, np.nan, 0.0, "failed", None, "")
            )
        res = pd.DataFrame(
            found, columns=["matched", "glat", "glon", "confidence", "status", "gcc", "alts"]
        )
        glat = res["glat"].to_numpy("float64")[pair_code]
        glon = res["glon"].to_numpy("float64")[pair_code]
        lat.iloc[idx] = glat
        lon.iloc[idx] = glon
        code_all = np.full(n, -1, dtype=np.int64)
        code_all[idx] = pair_code
        # rows without a country take the geocoded one (others: NA, no change)
        if iso.isna().any():
            iso = iso.fillna(_take_strings(res["gcc"].tolist(), code_all, iso.index))
            iso_codes, iso_uniques = text_codes(iso, trim=False)
        status_u = res["status"].to_numpy(dtype=object)
        failed = np.zeros(n, dtype=bool)
        failed[idx] = (status_u == "failed")[pair_code]
        amb = np.zeros(n, dtype=bool)
        amb[idx] = (status_u == "ambiguous")[pair_code]
        city_col = mapping.get("city")
        _flag(
            problems,
            failed,
            rows,
            city_col,
            city_s,
            lambda v: (
                f"no place called '{v}' was found (in the given country); check the "
                "spelling, add lat/lon, or set the position by hand"
            ),
        )
        reject |= failed
        code_of = np.full(n, -1, dtype=np.int64)
        code_of[idx] = pair_code
        alts_u = res["alts"].tolist()
        matched_u = res["matched"].tolist()
        amb_idx = np.flatnonzero(amb)
        amb_city = city_s.iloc[amb_idx].tolist()
        for i, city in zip(map(int, amb_idx), amb_city, strict=True):
            u = int(code_of[i])
            problems.append(
                Problem(
                    int(rows[i]),
                    city_col,
                    str(city),
                    f"'{city}' is ambiguous; placed at "
                    f"{matched_u[u]}, other places with this name: "
                    f"{alts_u[u]}. Check the position or set it by hand",
                    "warning",
                )
            )
        geo_frames.append(
            pd.DataFrame(
                {
                    "row": rows[idx],
                    "city": city_need,
                    "country": _take_strings(
                        [v or None for v in iso_first], pair_code, city_need.index
                    ),
                    "matched": _take_strings(matched_u, pair_code, city_need.index),
                    "lat": glat,
                    "lon": glon,
                    "confidence": res["confidence"].to_numpy("float64")[pair_code],
                    "status": _take_strings(res["status"].tolist(), pair_code, city_need.index),
                }
            )
        )
    if overridden.any():
        oi = np.flatnonzero(overridden)
        geo_frames.append(
            pd.DataFrame(
                {
                    "row": rows[oi],
                    "city": city_s.iloc[oi].to_numpy(),
                    "country": iso.iloc[oi].to_numpy(),
                    "matched": "set by hand",
                    "lat": lat.iloc[oi].to_numpy(),
                    "lon": lon.iloc[oi].to_numpy(),
                    "confidence": 1.0,
                    "status": "ok",
                }
            )
        )
    if len(geo_frames) == 1:
        geocoding = geo_frames[0]  # rows[idx] is already in row order
    elif geo_frames:
        geocoding = (
            pd.concat(geo_frames, ignore_index=True)
            .sort_values("row", kind="stable")
            .reset_index(drop=True)
        )
    else:
        geocoding = pd.DataFrame({c: [] for c in GEOCODING_COLUMNS})
    step(0.85, "Building the cluster table")

    # ---- assemble
    keep_idx = np.flatnonzero(~reject)
    default_source = f"Uploaded file {filename}"  # for rows without a source of their own
    source = _fill_text(texts["source"], default_source)
    firms_out = None
    aggregation = None
    if kind == "firms":
        from mstatlas.data.firms import aggregate_firms

        firms_out = pd.DataFrame(
            {
                "row": rows,
                "name": name,
                "cluster": texts["cluster"],
                "city": city_s,
                "country_iso2": iso,
                "region": texts["region"],
                "lat": lat,
                "lon": lon,
                "employees": values["employees"],
                "technology": texts["technology"],
                "year": values["year"],
                "source_title": source,
                "source_url": url,
            },
            copy=False,  # the columns are this function's own: no need to copy a million rows
        )
        # the text columns as group codes: city and country are hashed already
        firm_codes: dict[str, tuple[np.ndarray, list[str]]] = {
            "city": (city_codes, city_uniques),
            "country_iso2": (iso_codes, iso_uniques),
        }
        for column, fld, values_ in (
            ("cluster", "cluster", texts["cluster"]),
            ("region", "region", texts["region"]),
            ("technology", "technology", texts["technology"]),
            ("source_url", "source_url", url),
            ("source_title", "source", texts["source"]),
        ):
            firm_codes[column] = (
                text_codes(values_, trim=False)
                if mapping.get(fld)
                else (np.full(n, -1, dtype=np.int64), [])
            )
        src_codes, src_uniques = firm_codes["source_title"]
        firm_codes["source_title"] = (
            np.where(src_codes < 0, len(src_uniques), src_codes),
            [*src_uniques, default_source],
        )
        if len(keep_idx) < n:
            firms_out = firms_out.iloc[keep_idx].reset_index(drop=True)
            firm_codes = {k: (c[keep_idx], u) for k, (c, u) in firm_codes.items()}
        by = "cluster" if mapping.get("cluster") and firms_out["cluster"].notna().all() else "city"
        table, aggregation = aggregate_firms(firms_out, by=by, codes=firm_codes)
        firms_out["employees"] = firms_out["employees"].round().astype("Int64")
        firms_out["year"] = firms_out["year"].round().astype("Int64")
    else:
        table = (
            pd.DataFrame(
                {
                    "cluster_name": name,
                    "city": city_s,
                    "region": texts["region"],
                    "country_iso2": iso,
                    "lat": lat,
                    "lon": lon,
                    "firms": values["firms"].round(),
                    "employees": values["employees"].round(),
                    "firms_qualifier": quals["firms_qualifier"],
                    "employees_qualifier": quals["employees_qualifier"],
                    "counts_what": cw,
                    "year": values["year"].round(),
                    "organisation": texts["organisation"],
                    "source_title": source,
                    "source_url": url,
                    "note": texts["note"],
                    "scope": texts["scope"],
                    "region_employment": values["region_employment"].round(),
                    "_given_id": texts["cluster_id"],
                    "ivam_benchmark_2007": (
                        frame["ivam_benchmark_2007"]
                        if "ivam_benchmark_2007" in frame.columns
                        else False
                    ),
                }
            )
            .iloc[keep_idx]
            .reset_index(drop=True)
        )
    table["cluster_id"] = _cluster_ids(table)
    table = table.drop(columns=["_given_id"], errors="ignore")
    clusters = coerce_clusters(table) if len(table) else empty_clusters()
    profiles = empty_profiles()  # firm lists: a firm's technology is not a cluster fact
    if kind == "clusters":
        profiles = _profile_facts(clusters, texts, keep_idx, mapping)
    n_rejected = int(reject.sum())
    problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.severity != "error"))
    report = ValidationReport(
        n_rows=n,
        n_imported=n - n_rejected,
        n_rejected=n_rejected,
        problems=problems,
        n_blank=n_blank,
    )
    step(1.0, "Done")
    return UploadResult(
        clusters=clusters,
        report=report,
        kind=kind,
        mapping=mapping,
        columns=columns,
        detected=detected,
        firms=firms_out,
        geocoding=geocoding,
        aggregation=aggregation,
        profiles=profiles,
    )


def _profile_facts(
    clusters: pd.DataFrame,
    texts: dict[str, pd.Series],
    keep_idx: np.ndarray,
    mapping: dict[str, str | None],
) -> pd.DataFrame:
    """Profile facts from the profile columns of the imported rows of a cluster table.

    Each value of a cell (several are separated by ";") is one fact with its row's
    cluster, year and source; a fact repeated on several rows of one cluster (same
    field and value) is kept once, from its first row.
    """
    parts = []
    for fld, profile_field in PROFILE_FIELD_OF.items():
        if not mapping.get(fld):
            continue
        cells = texts[fld].iloc[keep_idx].reset_index(drop=True)
        has = cells.notna().to_numpy(bool)
        if not has.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    "cluster_id": clusters["cluster_id"][has],
                    "field": profile_field,
                    "value": cells[has].str.split(";"),
                    "year": clusters["year"][has],
                    "source_title": clusters["source_title"][has],
                    "source_url": clusters["source_url"][has],
                }
            ).explode("value")
        )
    if not parts:
        return empty_profiles()
    facts = pd.concat(parts, ignore_index=True)
    facts["value"] = facts["value"].astype("string").str.strip()
    facts = facts[facts["value"].fillna("") != ""]
    facts = facts.drop_duplicates(["cluster_id", "field", "value"], keep="first")
    return coerce_profiles(facts)


def _cluster_ids(table: pd.DataFrame) -> pd.Series:
    """Slug of the name (or the file's id); distinct clusters with equal slugs get -2, -3.

    A cluster is one (name, city) up to case, or one valid id of the file. The
    work is done per distinct cluster: rows only receive their cluster's id.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(table)
    if n == 0:
        return pd.Series([], dtype="string", index=table.index)
    names = table["cluster_name"].astype("string")
    name_codes, name_uniques = pd.factorize(names, use_na_sentinel=False)
    name_text = [str(v) for v in name_uniques]  # str(NA) as before: "<NA>"
    name_cf, _ = pd.factorize(pd.Series([t.casefold() for t in name_text], dtype="object"))
    # a missing city and an empty one are the same ("" as before)
    city_text = table["city"].astype("string").fillna("")
    city_uniq_codes, city_uniques = pd.factorize(city_text)
    city_cf, _ = pd.factorize(pd.Series([str(v).casefold() for v in city_uniques], dtype=object))
    city_codes = city_cf[city_uniq_codes]
    given = table["_given_id"].astype("string") if "_given_id" in table.columns else None
    valid = np.zeros(n, dtype=bool)
    if given is not None:
        valid = np.asarray(
            pc.fill_null(pc.match_substring_regex(_arrow(given), r"^[a-z0-9_-]+$"), False),
            dtype=bool,
        )
    # key: ("id", given id) for rows with a valid id, else (casefolded name, city)
    key = combine_codes([name_cf[name_codes], city_codes])
    if valid.any():
        assert given is not None
        id_codes = text_codes(given, trim=False)[0]
        key = np.where(valid, -1 - id_codes, key)
    key_codes, _ = pd.factorize(key)
    first = np.flatnonzero(~pd.Series(key_codes).duplicated(keep="first").to_numpy())
    # base slug of each distinct cluster: its id, or the slug of its first row's name
    base: list[str] = []
    first_valid = valid[first]
    first_given = given.iloc[first].tolist() if given is not None else [None] * len(first)
    first_name = name_codes[first]
    slugs = _slugs(name_text)
    for ok, gid, nc in zip(first_valid, first_given, first_name, strict=True):
        base.append(str(gid) if ok else slugs[nc])
    if len(set(base)) == len(base):
        final = base  # no two clusters share a slug: nothing to number
    else:
        final = []
        owner: dict[str, int] = {}
        for k, b in enumerate(base):
            slug, m = b, 1
            while slug in owner and owner[slug] != k:
                m += 1
                slug = f"{b}-{m}"
            owner[slug] = k
            final.append(slug)
    return _strings(pa.array(final, pa.large_string()).take(pa.array(key_codes)), table.index)


def _slugs(names: list[str]) -> list[str]:
    """:func:`mstatlas.data.firms.slugify` of each name; ASCII names in one Arrow pass."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from mstatlas.data.firms import slugify

    arr = pa.array(names, pa.large_string())
    ascii_ = np.asarray(pc.string_is_ascii(arr).to_numpy(zero_copy_only=False), dtype=bool)
    fast = pc.replace_substring_regex(pc.ascii_lower(arr), r"[^a-z0-9]+", "-")
    fast = pc.utf8_trim(fast, "-").to_pylist()
    return [
        (f or "cluster") if is_ascii else slugify(nm)
        for nm, f, is_ascii in zip(names, fast, ascii_, strict=True)
    ]
