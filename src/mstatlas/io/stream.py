"""Registers too big for memory: the upload checks run chunk by chunk (:func:`stream_upload`).

A CSV file is cut into chunks at record boundaries (:mod:`mstatlas.io.chunks`);
each chunk is read by the same reader and runs the same stages as an upload
(:mod:`mstatlas.io.chunk_stages`), and the parts are merged so that the report
and the clusters are exactly what :func:`mstatlas.io.read_upload` gives for the
whole file:

* what only the whole file can decide is decided once, as the upload reader
  decides it: the encoding (every byte), the header row, the column mapping
  (first 50 data rows), the number formats (first 5,000 values of each number
  column) and the kind of table (repeated cities over all rows: the file is
  read again in the rare case that the first chunk suggested the other kind);
* a firm repeated many chunks later is refused as a repeat of its first row
  (:class:`~mstatlas.io.seen_keys.SeenKeys`);
* firms are counted per cluster by :class:`~mstatlas.io.firm_groups.FirmGroups`,
  whose running figures give the same cluster rows as aggregating all at once;
* the report counts every row, and lists the first ``max_problems`` problems
  (and the first error, wherever it is): :class:`StreamReport`.

Memory stays bounded by the chunk size, plus 24 bytes per imported firm for the
duplicate check and the running figures per cluster.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow.compute as pc

from mstatlas.data.limits import Limits
from mstatlas.data.numbers import NumberFormat, detect_number_formats
from mstatlas.data.validate import Problem, ValidationReport
from mstatlas.errors import DataError
from mstatlas.i18n import _
from mstatlas.io.chunk_stages import ChunkStages, chunk_stages
from mstatlas.io.chunks import Chunk, csv_chunks, file_encoding
from mstatlas.io.context import Context, Request
from mstatlas.io.detected import Detected
from mstatlas.io.firm_groups import FirmGroups
from mstatlas.io.load import read_raw
from mstatlas.io.seen_keys import SeenKeys
from mstatlas.io.sniff import sniff_format
from mstatlas.io.stages.assign_cluster_ids import assign_cluster_ids
from mstatlas.io.stages.check_shape import check_shape
from mstatlas.io.stages.detect_kind import table_kind
from mstatlas.io.stages.map_columns import column_mapping
from mstatlas.io.stages.parse_numbers import NUMERIC_FIELDS
from mstatlas.io.text import arrow_text

#: Records per chunk: about 100 MB of memory for a five-column firm list.
DEFAULT_CHUNK_ROWS = 250_000
#: Problems listed in a report (every one is counted).
DEFAULT_MAX_PROBLEMS = 1_000
#: Data rows that settle an ambiguous column mapping, and values per number column
#: that settle its decimal mark (as the upload reader samples them).
MAPPING_ROWS, FORMAT_VALUES = 50, 5_000
#: Chunks read ahead while sampling; later ones are read twice instead of held.
LOOKAHEAD = 4

#: ``progress(bytes read, file size in bytes, data rows checked)`` after each chunk.
StreamProgress = Callable[[int, int, int], None]


@dataclass
class StreamReport(ValidationReport):
    """A :class:`~mstatlas.data.validate.ValidationReport` whose list of problems may be cut.

    Counts cover every row; ``problems`` holds the first problems in row order
    (at most the limit given, plus the first error when it comes later).
    """

    #: problems found in all, listed or not
    n_problems: int = 0
    #: warnings found in all, listed or not
    n_warnings_found: int = 0

    @property
    def n_warnings(self) -> int:
        """Number of warnings (rows imported but flagged), listed or not."""
        return self.n_warnings_found

    @property
    def n_unlisted(self) -> int:
        """Problems counted but not listed."""
        return self.n_problems - len(self.problems)


@dataclass
class StreamResult:
    """What :func:`stream_upload` found out about a file.

    Attributes
    ----------
    report : StreamReport
        Counts of every row, and the first problems.
    kind : str
        ``"firms"`` or ``"clusters"``.
    mapping : dict
        Canonical field -> the file's column (``None``: not found).
    columns : list of str
        The file's own column names.
    detected : Detected
        As :attr:`mstatlas.io.UploadResult.detected`.
    clusters : geopandas.GeoDataFrame or None
        For a firm list, its clusters (as an upload of the whole file gives
        them); None for a cluster table (only checked).
    aggregation : str or None
        How firms became clusters, in words.
    n_chunks : int
        Chunks the file was read in.
    figures : pandas.DataFrame or None
        For a firm list, per cluster row what the disclosure rules judge its
        employee figure by (:meth:`~mstatlas.io.firm_groups.FirmGroups.figures`):
        the firm rows themselves are not kept.
    """

    report: StreamReport
    kind: str
    mapping: dict[str, str | None]
    columns: list[str]
    detected: Detected
    clusters: gpd.GeoDataFrame | None = None
    aggregation: str | None = None
    n_chunks: int = 0
    figures: pd.DataFrame | None = None


@dataclass
class _Listing:
    """The problems of all chunks: counted, the first ones kept."""

    limit: int
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    has_error: bool = False

    def add(self, report: ValidationReport, first_chunk: bool) -> None:
        for key in ("n_rows", "n_imported", "n_rejected", "n_blank"):
            self.counts[key] = self.counts.get(key, 0) + getattr(report, key)
        for p in report.problems:
            if p.row is None and not first_chunk:
                continue  # about the header, which every chunk repeats
            self.counts["problems"] = self.counts.get("problems", 0) + 1
            self.counts["warnings"] = self.counts.get("warnings", 0) + (p.severity == "warning")
            error = p.severity == "error"
            if len(self.problems) < self.limit or (error and not self.has_error):
                self.problems.append(p)
            self.has_error |= error

    def report(self) -> StreamReport:
        c = self.counts
        return StreamReport(
            n_rows=c.get("n_rows", 0),
            n_imported=c.get("n_imported", 0),
            n_rejected=c.get("n_rejected", 0),
            problems=self.problems,
            n_blank=c.get("n_blank", 0),
            n_problems=c.get("problems", 0),
            n_warnings_found=c.get("warnings", 0),
        )


@dataclass
class _Plan:
    """What is decided once for the whole file."""

    name: str
    encoding: str
    header_row: int
    limits: Limits
    user: Request
    request: Request | None = None  # the request every chunk runs with
    kind_from_data: bool = False


def stream_upload(
    path: str | os.PathLike[str],
    *,
    filename: str | None = None,
    mapping: dict[str, str | None] | None = None,
    kind: str | None = None,
    limits: Limits | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    progress: StreamProgress | None = None,
) -> StreamResult:
    """Check (and for a firm list, aggregate) a CSV file of any size, chunk by chunk.

    Parameters
    ----------
    path : str or path-like
        A CSV/TSV file.
    filename : str, optional
        Name shown in messages and cited as the source (default: the path's name).
    mapping : dict, optional
        Corrections to the detected column mapping, as for :func:`~mstatlas.io.read_upload`.
    kind : {"clusters", "firms"}, optional
        Override the detected kind of table.
    limits : Limits, optional
        Only ``max_text_len`` applies: the file's size and rows are not limited.
    chunk_rows : int
        Records per chunk (memory grows with it).
    max_problems : int
        Problems listed in the report (all are counted).
    progress : callable, optional
        ``progress(bytes read, file size, data rows checked)`` after each chunk.

    Returns
    -------
    StreamResult
        The report and, for a firm list, the clusters: for the same file, what
        :func:`~mstatlas.io.read_upload` gives (its report listing at most
        ``max_problems`` problems).

    Raises
    ------
    mstatlas.errors.DataError
        When the file as a whole cannot be used (not CSV, empty, damaged, no
        usable columns), with what to do.
    """
    if kind not in (None, "clusters", "firms"):
        raise DataError(_("kind must be 'clusters' or 'firms', not {kind!r}.").format(kind=kind))
    path = Path(path)
    name = filename or path.name
    _check_csv(path, name)
    limits = dataclasses.replace(limits or Limits(), max_bytes=2**62, max_rows=2**62)
    plan = _Plan(name, file_encoding(path, name), 1, limits, Request(name, mapping, kind, limits))
    plan.header_row = _header_row(path, plan)
    result, found_kind = _run(path, plan, chunk_rows, max_problems, progress)
    if found_kind != result.kind:  # the first chunk suggested the other kind: read again
        plan.user = dataclasses.replace(plan.user, kind=found_kind)
        result, _unused = _run(path, plan, chunk_rows, max_problems, progress)
    return result


def _check_csv(path: Path, name: str) -> None:
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    fmt = sniff_format(head, name)
    if fmt != "csv":
        raise DataError(
            _(
                "The file {name} is {format}; files too large to upload are read in chunks only "
                "as CSV or TSV. Save the table as CSV (UTF-8) and try again."
            ).format(name=name, format=fmt.upper())
        )


def _header_row(path: Path, plan: _Plan) -> int:
    """The header's row number, found in the file's first records as the reader finds it."""
    first = next(csv_chunks(path, plan.encoding, 200, 1, plan.name))
    raw, _ = read_raw(first.data, plan.name, None, plan.limits, plan.user.mapping)
    return int(raw.detected.get("header_row") or 1)


def _chunk_context(chunk: Chunk, plan: _Plan, stages: ChunkStages) -> Context:
    """A chunk read and its blank rows dropped, its row numbers those of the file."""
    mapping = plan.user.mapping if chunk.index == 0 else _mapping_of(plan)
    raw, _ = read_raw(chunk.data, plan.name, None, plan.limits, mapping)
    if chunk.row_offset:
        raw.rows = raw.rows + chunk.row_offset
        raw.problems = [_moved(p, chunk.row_offset) for p in raw.problems]
    raw.detected["encoding"] = plan.encoding
    ctx = Context.start(raw, plan.request or plan.user)
    for stage in stages.head:
        stage.run(ctx)
    return ctx


def _mapping_of(plan: _Plan) -> dict[str, str | None] | None:
    return plan.request.mapping if plan.request is not None else plan.user.mapping


def _moved(p: Problem, offset: int) -> Problem:
    return p if p.row is None else dataclasses.replace(p, row=p.row + offset)


def _run(
    path: Path,
    plan: _Plan,
    chunk_rows: int,
    max_problems: int,
    progress: StreamProgress | None,
) -> tuple[StreamResult, str]:
    """One pass over the file; returns the result and the kind the whole file shows."""
    stages = chunk_stages(SeenKeys())
    chunks = csv_chunks(path, plan.encoding, chunk_rows, plan.header_row, plan.name)
    ahead = _sample(chunks, path, plan, chunk_rows, stages)
    assert plan.request is not None
    listing = _Listing(max_problems)
    firms = _FirmTally(plan.request.mapping or {}, plan.request.kind == "firms")
    cities = _CityTally(plan.request.mapping or {}) if plan.kind_from_data else None
    total = path.stat().st_size
    first: Context | None = None
    last: Context | None = None
    n_chunks = 0
    readers: set[str | None] = set()
    for chunk, ctx in _contexts(ahead, chunks, plan, stages):
        n_chunks += 1
        readers.add(ctx.detected.get("reader"))
        ctx.request = plan.request
        if cities is not None:
            cities.add(ctx)
        if stages.run(ctx):
            assert ctx.report is not None
            listing.add(ctx.report, first is None)
            firms.add(ctx)
            first = first if first is not None else ctx
        else:
            listing.counts["n_blank"] = listing.counts.get("n_blank", 0) + ctx.n_blank
        last = ctx
        if progress is not None:
            progress(chunk.bytes_read, total, listing.counts.get("n_rows", 0))
    assert last is not None
    if first is None:
        check_shape(last)  # no data rows in the whole file: the reader's message
        raise AssertionError("check_shape refuses a file without data rows")
    found = plan.request.kind
    if cities is not None:
        found = table_kind(plan.request.mapping or {}, cities.text)
    if "python" in readers:  # as for the whole file, which one ragged chunk sends that way
        first.detected["reader"] = "python"
    result = StreamResult(
        report=listing.report(),
        kind=str(plan.request.kind),
        mapping=dict(first.mapping),
        columns=first.columns,
        detected=Detected.from_dict(first.detected),
        n_chunks=n_chunks,
    )
    if result.kind == "firms":
        result.clusters, result.aggregation, result.figures = firms.clusters(last)
    return result, str(found)


def _contexts(
    ahead: list[tuple[Chunk, Context]], chunks: Iterator[Chunk], plan: _Plan, stages: ChunkStages
) -> Iterator[tuple[Chunk, Context]]:
    """Every chunk as a context: those read ahead, then the rest."""
    while ahead:
        yield ahead.pop(0)
    for chunk in chunks:
        yield chunk, _chunk_context(chunk, plan, stages)


def _sample(
    chunks: Iterator[Chunk], path: Path, plan: _Plan, chunk_rows: int, stages: ChunkStages
) -> list[tuple[Chunk, Context]]:
    """Decide the mapping, kind and number formats from the file's first rows.

    Sets ``plan.request``; returns the chunks read for it (kept for the pass
    over the file). At most :data:`LOOKAHEAD` chunks are kept once the mapping
    is known: a file whose number columns are nearly empty is sampled further
    by reading its next chunks twice.
    """
    ahead: list[tuple[Chunk, Context]] = []
    sample = _Sample(plan.user.mapping)
    more = True
    for chunk in chunks:
        ahead.append((chunk, _chunk_context(chunk, plan, stages)))
        sample.add(ahead[-1][1])
        if sample.done or (sample.mapping is not None and len(ahead) >= LOOKAHEAD):
            break
    else:
        more = False
    first = ahead[0][1]
    if sample.mapping is None:  # fewer data rows in the file than the mapping's sample
        sample.decide(first.columns)
    if more and not sample.done:
        for chunk in csv_chunks(path, plan.encoding, chunk_rows, plan.header_row, plan.name):
            if chunk.index >= len(ahead):
                sample.add(_chunk_context(chunk, plan, stages))
                if sample.done:
                    break
    mapping = sample.mapping
    assert mapping is not None
    kind = plan.user.kind or table_kind(mapping, first.trimmed)
    plan.kind_from_data = plan.user.kind is None and _kind_from_data(mapping)
    plan.request = dataclasses.replace(
        plan.user,
        mapping=mapping,
        kind=kind,
        number_formats=sample.formats(first.detected.get("separator")),
    )
    return ahead


@dataclass
class _Sample:
    """The first data rows (for the mapping) and number values (for their formats)."""

    user: dict[str, str | None] | None
    rows: list[pd.DataFrame] = field(default_factory=list)
    pending: list[Context] = field(default_factory=list)
    mapping: dict[str, str | None] | None = None
    values: dict[str, list[pd.Series]] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        """Whether the mapping and every number column's formats are settled."""
        return self.mapping is not None and all(
            self._count(c) >= FORMAT_VALUES for c in _number_columns(self.mapping)
        )

    def add(self, ctx: Context) -> None:
        """Take from one chunk (blank rows dropped) what is still needed."""
        if self.mapping is not None:
            self._collect(ctx)
            return
        have = sum(len(r) for r in self.rows)
        self.rows.append(ctx.frame.head(MAPPING_ROWS - have))
        self.pending.append(ctx)
        if have + len(self.rows[-1]) >= MAPPING_ROWS:
            self.decide(ctx.columns)

    def decide(self, columns: list[str]) -> None:
        """Settle the mapping on the rows taken so far, as the reader does on its first 50."""
        head = pd.concat(self.rows, ignore_index=True) if self.rows else pd.DataFrame()
        self.mapping = column_mapping(columns, head, self.user)
        for ctx in self.pending:
            self._collect(ctx)
        self.pending.clear()

    def _count(self, column: str) -> int:
        return sum(len(v) for v in self.values.get(column, []))

    def _collect(self, ctx: Context) -> None:
        assert self.mapping is not None
        for c in _number_columns(self.mapping):
            have = self._count(c)
            if have < FORMAT_VALUES and c in ctx.frame.columns:
                s = ctx.frame[c].dropna()
                self.values.setdefault(c, []).append(s[s != ""].head(FORMAT_VALUES - have))

    def formats(self, separator: str | None) -> tuple[dict[str, NumberFormat], NumberFormat]:
        """The number formats the reader would detect on the whole file."""
        assert self.mapping is not None
        columns = _number_columns(self.mapping)
        empty = [pd.Series([], dtype="string")]
        frame = pd.DataFrame(
            {
                c: pd.concat(self.values.get(c) or empty, ignore_index=True).astype("string")
                for c in columns
            }
        )
        return detect_number_formats(frame, columns, separator)


def _number_columns(mapping: dict[str, str | None]) -> list[str]:
    return [c for f in NUMERIC_FIELDS if (c := mapping.get(f))]


def _kind_from_data(mapping: dict[str, str | None]) -> bool:
    """Whether the kind of table depends on the city values (not only on the headers)."""

    def cities(values: list[str]) -> Callable[[str], pd.Series]:
        return lambda _column: pd.Series(values, dtype="string")

    return table_kind(mapping, cities(["x"] * 5)) != table_kind(mapping, cities(list("abcde")))


class _CityTally:
    """How many rows name a city, and how many distinct cities (case-blind) there are."""

    def __init__(self, mapping: dict[str, str | None]) -> None:
        self.column = mapping.get("city")
        self.n = 0
        self.distinct: set[str] = set()

    def add(self, ctx: Context) -> None:
        if not self.column or not ctx.n:
            return
        c = ctx.trimmed(self.column)
        c = c[c.fillna("") != ""]
        self.n += len(c)
        self.distinct.update(pc.unique(pc.utf8_lower(arrow_text(c))).to_pylist())

    def text(self, _column: str) -> pd.Series:
        """A city column with as many filled cells and distinct cities as the whole file."""
        values = sorted(self.distinct)
        values += values[:1] * (self.n - len(values))
        return pd.Series(values, dtype="string")


class _FirmTally:
    """The imported firms of every chunk, counted per city and (if the file has one) per cluster."""

    def __init__(self, mapping: dict[str, str | None], firms: bool) -> None:
        self.groups: dict[str, FirmGroups] = {}
        if firms:
            self.groups["city"] = FirmGroups("city")
            if mapping.get("cluster"):
                self.groups["cluster"] = FirmGroups("cluster")
        self.every_firm_has_cluster = True

    def add(self, ctx: Context) -> None:
        if ctx.firms is None or not self.groups:
            return
        self.every_firm_has_cluster &= bool(ctx.firms["cluster"].notna().all())
        for groups in self.groups.values():
            groups.add(ctx.firms)

    def clusters(self, ctx: Context) -> tuple[gpd.GeoDataFrame, str, pd.DataFrame]:
        """The cluster table of all firms (its ids given by the reader's last stage), the
        method text, and the figures the disclosure rules judge each row by."""
        by = "cluster" if "cluster" in self.groups and self.every_firm_has_cluster else "city"
        ctx.table, aggregation = self.groups[by].clusters()
        assign_cluster_ids(ctx)
        return ctx.clusters, aggregation, self.groups[by].figures()
