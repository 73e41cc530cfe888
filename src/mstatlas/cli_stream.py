"""Command line for registers too big for memory: ``mstatlas aggregate`` and a streaming ``validate``.

``mstatlas aggregate FILE -o clusters.csv`` turns a firm list of any size into
the cluster table an upload of it would give (one row per city, or per cluster
column), reading a CSV file in chunks (:func:`mstatlas.io.stream.stream_upload`)
with a progress bar on the terminal; the table can then be uploaded or given
to the other commands. ``mstatlas validate`` reads a CSV file over the upload
size limit the same way instead of refusing it (``--stream`` to read any CSV
file so). Both print the report of ``validate``: the problems listed up to
``--max-problems``, and how many more there are.

Exit codes as in :mod:`mstatlas.cli`: 0 ok, 1 bad data, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mstatlas import cli_disclosure
from mstatlas.cli import print_report
from mstatlas.cli_args import whole_number
from mstatlas.data.limits import Limits, human_bytes
from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_int
from mstatlas.io import UploadResult, read_upload
from mstatlas.io.stream import (
    DEFAULT_CHUNK_ROWS,
    DEFAULT_MAX_PROBLEMS,
    StreamProgress,
    StreamResult,
    stream_upload,
)

EXIT_OK, EXIT_DATA = 0, 1


def _add_streaming(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--chunk-rows",
        type=whole_number(1, digit_groups=True),
        default=DEFAULT_CHUNK_ROWS,
        metavar="N",
        help=(
            _(
                "rows read at a time from a large CSV file (default {default_chunk_rows}; memory "
                "grows with it)"
            ).format(default_chunk_rows=fmt_int(DEFAULT_CHUNK_ROWS))
        ),
    )
    p.add_argument(
        "--max-problems",
        type=whole_number(1, digit_groups=True),
        default=DEFAULT_MAX_PROBLEMS,
        metavar="N",
        help=(
            _(
                "problems listed when a large file is read in chunks (default "
                "{default_max_problems}; all are counted)"
            ).format(default_max_problems=fmt_int(DEFAULT_MAX_PROBLEMS))
        ),
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=_("progress bar on stderr (default: when stderr is a terminal)"),
    )


def add_commands(sub: Any) -> None:
    """Add ``aggregate`` and let ``validate`` read large CSV files in chunks.

    Call after ``validate`` is added: its handler stays for files within the
    upload limit (and for XLSX, GeoJSON and Parquet files).
    """
    agg = sub.add_parser(
        "aggregate",
        help=_("turn a firm list of any size into clusters (one row per city or cluster)"),
    )
    agg.add_argument(
        "file", type=Path, help=_("firm list: CSV/TSV (any size), XLSX, GeoJSON or Parquet")
    )
    agg.add_argument(
        "-o", "--output", type=Path, required=True, help=_("cluster table to write (CSV)")
    )
    agg.add_argument("--format", choices=["text", "json"], default="text", help=_("report format"))
    cli_disclosure.add_opt_out(agg)
    _add_streaming(agg)
    agg.set_defaults(handler=_cmd_aggregate)

    val = sub.choices["validate"]
    val.add_argument(
        "--stream",
        action="store_true",
        help=(
            _("read a CSV file in chunks even within the upload limit (files over it always are)")
        ),
    )
    _add_streaming(val)
    val.set_defaults(handler=_validate_with(val.get_default("handler")))


def _is_csv(path: Path) -> bool:
    from mstatlas.io.sniff import sniff_format

    with open(path, "rb") as f:
        head = f.read(1 << 16)
    return sniff_format(head, path.name) == "csv"


def _validate_with(in_memory: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    def handler(args: argparse.Namespace) -> int:
        """``validate``: in chunks for a CSV file over the upload limit (or with --stream)."""
        big = args.file.is_file() and args.file.stat().st_size > Limits().max_bytes
        if args.sheet is not None or not (args.stream or big) or not _is_csv(args.file):
            return int(in_memory(args))
        with progress_bar(
            args.progress, _("Checking {name}").format(name=args.file.name)
        ) as progress:
            result = stream_upload(
                args.file,
                chunk_rows=args.chunk_rows,
                max_problems=args.max_problems,
                progress=progress,
            )
        print_report(args.file, result, args.format, off=args.no_disclosure_control)
        return EXIT_OK if result.report.n_rejected == 0 else EXIT_DATA

    return handler


def _cmd_aggregate(args: argparse.Namespace) -> int:
    """Write the clusters of a firm list; exit 1 when nothing could be aggregated."""
    from mstatlas.data.export import to_safe_csv_bytes

    if _is_csv(args.file):
        with progress_bar(
            args.progress, _("Aggregating {name}").format(name=args.file.name)
        ) as progress:
            result: UploadResult | StreamResult = stream_upload(
                args.file,
                chunk_rows=args.chunk_rows,
                max_problems=args.max_problems,
                progress=progress,
            )
    else:
        result = read_upload(args.file)
    if result.kind != "firms":
        raise DataError(
            _(
                "The file {name} is a cluster table (one row per cluster figure), not a firm "
                "list (one row per firm): there is nothing to aggregate. Check it with 'mstatlas "
                "validate', or name its firm column 'Firma' or 'Company'."
            ).format(name=args.file.name)
        )
    if result.clusters is None or not len(result.clusters):
        raise DataError(result.report.summary())
    off = args.no_disclosure_control
    clusters = cli_disclosure.clusters_to_output(result, off)
    table = clusters.drop(columns="geometry", errors="ignore")
    data = to_safe_csv_bytes(table)
    args.output.write_bytes(data)
    print_report(args.file, result, args.format, off=off)
    print(
        _("wrote {output}: {n_table} clusters from {n_imported} firms ({size})").format(
            output=args.output,
            n_table=fmt_int(len(table)),
            n_imported=fmt_int(result.report.n_imported),
            size=human_bytes(len(data)),
        ),
        file=sys.stderr,
    )
    return EXIT_OK


def _rate(rows: int, speed: float) -> str:
    """Rows checked and rows per second, as the progress bar shows them."""
    return _("{rows} rows, {speed} rows/s").format(rows=fmt_int(rows), speed=fmt_int(speed))


@contextmanager
def progress_bar(enabled: bool | None, label: str) -> Iterator[StreamProgress | None]:
    """A progress bar on stderr: bytes read, rows checked and rows per second.

    Parameters
    ----------
    enabled : bool or None
        Draw it; None: only when stderr is a terminal.
    label : str
        What is being done, e.g. ``"Aggregating firms.csv"``.

    Yields
    ------
    callable or None
        The ``progress`` callback for :func:`~mstatlas.io.stream.stream_upload`.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task(label, total=None, status=_rate(0, 0.0))
        start = time.perf_counter()

        def update(done: int, total: int, rows: int) -> None:
            speed = rows / max(time.perf_counter() - start, 1e-9)
            bar.update(task, completed=done, total=total, status=_rate(rows, speed))

        yield update
