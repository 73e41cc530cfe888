"""What the stages of the upload pipeline pass along: :class:`Context`.

One object carries the table, the row numbers a person sees and the problems
found so far; each stage (:mod:`mstatlas.io.stages`) reads what earlier stages
left in it and adds its own part. The fields are grouped by the stage that sets
them, in pipeline order (:data:`mstatlas.io.pipeline.STAGES`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from mstatlas.data.codes import fold_codes, may_need_trim, text_codes
from mstatlas.data.limits import Limits
from mstatlas.data.numbers import NumberFormat
from mstatlas.data.profiles import PROFILE_COLUMNS
from mstatlas.data.schema import empty_clusters
from mstatlas.data.validate import Problem, ValidationReport
from mstatlas.data.vocabulary import Severity, TableKind
from mstatlas.io.place_lookups import PlaceLookups
from mstatlas.io.raw import Raw
from mstatlas.io.text import as_strings, null_strings

#: ``progress(fraction, message)``: called between steps (and where time is checked).
Progress = Callable[[float, str], None]

#: Columns of the geocoding table (one row per geocoded or hand-placed row).
GEOCODING_COLUMNS = ["row", "city", "country", "matched", "lat", "lon", "confidence", "status"]


def empty_geocoding() -> pd.DataFrame:
    """A geocoding table without rows."""
    return pd.DataFrame({c: [] for c in GEOCODING_COLUMNS})


@lru_cache(maxsize=1)
def _empty_cluster_table() -> gpd.GeoDataFrame:
    """An empty cluster table, built once per process (it costs 60-130 ms)."""
    return empty_clusters()


@lru_cache(maxsize=1)
def _empty_profile_table() -> pd.DataFrame:
    """An empty profile table, built once per process.

    The table of :func:`~mstatlas.data.profiles.empty_profiles` with its column
    types given directly: in a fresh process ~8 ms instead of ~28 ms through the
    text checks of ``coerce_profiles`` (a test compares the two).
    """
    return pd.DataFrame(
        {c: pd.Series([], dtype="Int64" if c == "year" else "string") for c in PROFILE_COLUMNS}
    )


def _no_clusters() -> gpd.GeoDataFrame:
    """A cluster table without rows: a copy of the one built once."""
    return _empty_cluster_table().copy()


def no_profiles() -> pd.DataFrame:
    """A profile-facts table without rows (:func:`~mstatlas.data.profiles.empty_profiles`),
    a copy of one built once per process."""
    return _empty_profile_table().copy()


def _no_progress(fraction: float, message: str) -> None:
    """Progress nobody listens to."""


def _flags() -> np.ndarray:
    return np.zeros(0, dtype=bool)


def _numbers() -> pd.Series:
    return pd.Series([], dtype="float64")


def _texts() -> pd.Series:
    return pd.Series([], dtype="string")


def trim_text(column: pd.Series) -> pd.Series:
    """A column as text without surrounding spaces (the column itself when none has any)."""
    text = column.astype("string")
    # most columns have no surrounding spaces: a look at first and last bytes suffices
    return text.str.strip() if may_need_trim(text) else text


@dataclass(frozen=True)
class Request:
    """What the person asked for, besides the file (see :func:`mstatlas.io.read_upload`).

    Attributes
    ----------
    filename : str
        The file's name as messages show it.
    mapping : dict or None
        Corrections to the detected column mapping (canonical field -> column or None).
    kind : str or None
        ``"clusters"`` or ``"firms"`` to override the detected kind of table.
    limits : Limits
        Size, row, text and time limits.
    overrides : dict
        Row number -> ``(lat, lon)`` the person set by hand.
    number_formats : tuple or None
        ``({column: NumberFormat}, file default)`` to read numbers with instead of
        detecting them (a file read in chunks keeps the formats of its start).
    """

    filename: str
    mapping: dict[str, str | None] | None = None
    kind: str | None = None
    limits: Limits = field(default_factory=Limits)
    overrides: dict[int, tuple[float, float]] = field(default_factory=dict)
    number_formats: tuple[dict[str, NumberFormat], NumberFormat] | None = None


@dataclass
class Context:
    """The upload as it goes through the stages.

    Row-aligned fields (masks, columns) have one value per data row once
    ``drop_blank_rows`` has run; ``reject`` marks rows that will not be imported
    and ``problems`` says why (or warns). Create one with :meth:`start`.
    """

    request: Request
    step: Progress
    # ---- the file (from Raw; blank rows dropped by drop_blank_rows)
    frame: pd.DataFrame
    rows: np.ndarray
    columns: list[str]
    detected: dict[str, Any]
    geom: pd.DataFrame | None
    #: rows refused while reading (ragged, bad geometry)
    pre_rejected: np.ndarray
    problems: list[Problem]
    reject: np.ndarray = field(default_factory=_flags)
    n_blank: int = 0
    #: the reader cleaned every cell of control characters (:attr:`Raw.controls_removed`)
    controls_removed: bool = False
    trimmed_text: dict[Any, pd.Series] = field(default_factory=dict)
    # ---- map_columns, detect_kind, require_columns
    mapping: dict[str, str | None] = field(default_factory=dict)
    kind: TableKind = "clusters"
    name_field: str = "name"
    # ---- parse_numbers: canonical numeric field -> float64 (NaN: blank or refused)
    numbers: dict[str, pd.Series] = field(default_factory=dict)
    #: qualifier read with a number ("ca. 1.700" -> "about"), per numeric field
    number_qualifiers: dict[str, pd.Series] = field(default_factory=dict)
    # ---- check_coordinates (and apply_overrides, geocode)
    lat: pd.Series = field(default_factory=_numbers)
    lon: pd.Series = field(default_factory=_numbers)
    lat_column: str = "geometry"
    lon_column: str = "geometry"
    bad_position: np.ndarray = field(default_factory=_flags)
    # ---- check_text: canonical text field -> trimmed text, NA when blank
    texts: dict[str, pd.Series] = field(default_factory=dict)
    name: pd.Series = field(default_factory=_texts)
    # ---- check_counts_what, check_qualifiers, check_links
    counts_what: pd.Series = field(default_factory=_texts)
    qualifiers: dict[str, pd.Series] = field(default_factory=dict)
    url: pd.Series = field(default_factory=_texts)
    # ---- match_countries (completed by geocode)
    iso: pd.Series = field(default_factory=_texts)
    iso_codes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    iso_uniques: list[str] = field(default_factory=list)
    # ---- apply_overrides
    overridden: np.ndarray = field(default_factory=_flags)
    # ---- find_duplicates (large uploads: places looked up meanwhile), geocode
    places: PlaceLookups | None = None
    geocoding: pd.DataFrame = field(default_factory=empty_geocoding)
    # ---- aggregate_firms / tabulate_clusters, assign_cluster_ids, profile_facts
    keep_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    firms: pd.DataFrame | None = None
    aggregation: str | None = None
    profiles: pd.DataFrame = field(default_factory=no_profiles)
    # ---- build_report
    report: ValidationReport | None = None
    _missing: Any = None
    _codes: dict[str, tuple[np.ndarray, list[str]]] = field(default_factory=dict)
    _folded_city: np.ndarray | None = None
    _clusters: gpd.GeoDataFrame | None = None  # see :attr:`clusters`

    @classmethod
    def start(cls, raw: Raw, request: Request, step: Progress | None = None) -> Context:
        """A context for a file read as text cells.

        Parameters
        ----------
        raw : Raw
            The file as read (:func:`mstatlas.io.load.read_raw`).
        request : Request
            What the person asked for.
        step : callable, optional
            ``step(fraction, message)`` between steps (checks the time budget too).

        Returns
        -------
        Context
            Nothing interpreted yet.
        """
        return cls(
            request=request,
            step=step or _no_progress,
            frame=raw.frame,
            rows=raw.rows,
            columns=[str(c) for c in raw.frame.columns],
            detected=dict(raw.detected),
            geom=raw.geom,
            pre_rejected=(
                raw.rejected if raw.rejected is not None else np.zeros(len(raw.frame), bool)
            ),
            problems=list(raw.problems),
            controls_removed=raw.controls_removed,
        )

    @property
    def n(self) -> int:
        """Number of data rows."""
        return len(self.frame)

    @property
    def default_source(self) -> str:
        """The source cited for rows without one of their own."""
        return f"Uploaded file {self.request.filename}"

    def trimmed(self, column: Any) -> pd.Series:
        """The file's column as text without surrounding spaces, computed once."""
        if column not in self.trimmed_text:
            self.trimmed_text[column] = trim_text(self.frame[column])
        return self.trimmed_text[column]

    def column(self, fld: str) -> str | None:
        """The file's column mapped to a canonical field (None: not in the file)."""
        return self.mapping.get(fld)

    def missing_text(self) -> pd.Series:
        """A text column with every value missing (its own Series over shared Arrow memory)."""
        if self._missing is None or len(self._missing) != self.n:
            self._missing = as_strings(null_strings(self.n), self.frame.index).array
        return pd.Series(self._missing.copy(), index=self.frame.index)

    @property
    def clusters(self) -> gpd.GeoDataFrame:
        """The imported rows in the canonical schema (empty until assign_cluster_ids ran).

        A firm list builds its own table, so a context does not build an empty one
        at its start (a fresh process would pay 60-130 ms for it).
        """
        if self._clusters is None:
            self._clusters = _no_clusters()
        return self._clusters

    @clusters.setter
    def clusters(self, table: gpd.GeoDataFrame) -> None:
        self._clusters = table

    def codes(self, fld: str) -> tuple[np.ndarray, list[str]]:
        """Group codes of a checked text field and the texts they index, hashed once.

        ``fld`` is a key of :attr:`texts`, or ``"source_url"`` (the checked links,
        :attr:`url`). Codes are -1 where the text is missing, numbered in order of
        first appearance (:func:`~mstatlas.data.codes.text_codes`). Stage
        ``code_texts`` hashes the fields later stages group by, side by side.
        """
        if fld not in self._codes:
            values = self.url if fld == "source_url" else self.texts[fld]
            self._codes[fld] = text_codes(values, trim=False)
        return self._codes[fld]

    def city_codes(self) -> tuple[np.ndarray, list[str]]:
        """Group codes of the city column (duplicates, geocoding, firms): ``codes("city")``."""
        return self.codes("city")

    def folded_city_codes(self) -> np.ndarray:
        """:meth:`city_codes` with spellings equal in lower case merged (computed once)."""
        if self._folded_city is None:
            self._folded_city = fold_codes(*self.city_codes())
        return self._folded_city

    def flag(
        self,
        mask: np.ndarray,
        column: str | None,
        values: pd.Series | None,
        reason: Callable[[str], str],
        severity: Severity = "error",
    ) -> None:
        """Add one problem per row in ``mask`` (it does not reject: callers do).

        Parameters
        ----------
        mask : numpy.ndarray
            Rows with the problem.
        column : str or None
            The file's column the problem is in.
        values : pandas.Series or None
            The column whose value each problem shows (None: no value shown).
        reason : callable
            ``reason(value as text)`` -> the sentence for the person.
        severity : {"error", "warning"}
            Whether the row is refused or imported with a warning.
        """
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        texts: list[Any] = [None] * len(idx)
        if values is not None:
            sub = values.iloc[idx]
            if not isinstance(sub.dtype, pd.StringDtype):
                sub = sub.astype("string")  # convert only the flagged values (floats are slow)
            texts = [str(v) for v in sub.tolist()]
        rows = self.rows
        for i, v in zip(idx, texts, strict=True):
            text = "" if v is None else v
            self.problems.append(Problem(int(rows[i]), column, v, reason(text), severity))
