"""Command line: ``mstatlas rank|map|compare|countries|profile ...``.

Exit codes: 0 ok, 1 bad data (with a message saying what to fix), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mstatlas import cli_disclosure
from mstatlas.analysis.filters import Filters
from mstatlas.analysis.provenance import rank_texts, with_article, year_texts
from mstatlas.analysis.ranking import (
    RATIO_RULE,
    default_kinds,
    figure_kinds,
    mixed_kinds_caveat,
    position_statement,
    rank_clusters,
    ranked_kind_text,
)
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import BidiFreeWriter
from mstatlas.errors import DataError, MSTAtlasError
from mstatlas.io import load_clusters

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from mstatlas.io import Detected, UploadResult
    from mstatlas.io.stream import StreamResult

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="mstatlas",
        description="Sourced atlas of European micro-systems technology (MST) clusters.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rank = sub.add_parser("rank", help="print the largest clusters as a table")
    rank.add_argument("file", nargs="?", type=Path, help="data file (default: embedded dataset)")
    rank.add_argument("--by", choices=list(MEASURES), default="employees")
    rank.add_argument("--top", type=_positive_int, default=None, help="keep the first N ranks")
    rank.add_argument(
        "--counts",
        default=None,
        help="comma-separated kinds of figures to rank together, or 'all' "
        f"(kinds: {', '.join(COUNTS_WHAT)}; default: like with like, i.e. cluster_firms "
        "when there are any, otherwise the one kind the file has, such as unspecified)",
    )
    rank.add_argument("--format", choices=["text", "csv", "json"], default="text")
    cli_disclosure.add_opt_out(rank)
    rank.add_argument(
        "--chart",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the bar chart as FILE.svg or FILE.png (title, qualified figures, "
        "years, sources), as the app exports it",
    )
    rank.set_defaults(handler=_cmd_rank)

    mp = sub.add_parser("map", help="write the map as one self-contained HTML file")
    mp.add_argument("file", nargs="?", type=Path, help="data file (default: embedded dataset)")
    mp.add_argument("--measure", choices=list(MEASURES), default="employees")
    mp.add_argument("-o", "--output", type=Path, required=True, help="HTML file to write")
    cli_disclosure.add_opt_out(mp)
    mp.set_defaults(handler=_cmd_map)

    share = sub.add_parser(
        "share", help="store a data file on the server and print its link and delete token"
    )
    share.add_argument("file", type=Path, help="CSV/TSV, XLSX, GeoJSON or Parquet file")
    share.add_argument("--name", help="title shown with the dataset (default: the file name)")
    share.add_argument(
        "--base-url",
        type=_base_url,
        default=None,
        help="public address of the app for the link "
        "(default: MSTATLAS_BASE_URL or http://localhost:8501)",
    )
    cli_disclosure.add_keep_firms(share)
    share.set_defaults(handler=_cmd_share)

    rm = sub.add_parser("delete", help="delete a shared dataset (needs its delete token)")
    rm.add_argument("id", help="dataset id, the ds=... part of the link")
    rm.add_argument("--token", required=True, help="delete token printed by 'mstatlas share'")
    rm.set_defaults(handler=_cmd_delete)
    val = sub.add_parser(
        "validate", help="check a data file: detected columns, imported and rejected rows"
    )
    val.add_argument("file", type=Path, help="CSV/TSV, XLSX, GeoJSON or Parquet file")
    val.add_argument("--sheet", default=None, help="worksheet of an XLSX file")
    val.add_argument("--format", choices=["text", "json"], default="text")
    cli_disclosure.add_opt_out(val)
    val.set_defaults(handler=_cmd_validate)
    from mstatlas import cli_bundle, cli_firms, cli_intelligence, cli_stream

    cli_intelligence.add_commands(sub)
    cli_firms.add_commands(sub)
    cli_stream.add_commands(sub)
    cli_bundle.add_commands(sub)
    return parser


def _parse_counts(text: str) -> tuple[str, ...] | None:
    if text.strip().lower() == "all":
        return None
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [p for p in parts if p not in COUNTS_WHAT]
    if bad or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown kind(s) {', '.join(bad) or '(none)'}; choose from {', '.join(COUNTS_WHAT)} "
            "or 'all'"
        )
    return parts


def _nothing_ranked(clusters: pd.DataFrame, by: str, counts: tuple[str, ...] | None) -> str:
    """Why a ranking is empty, and what to type instead."""
    figure = with_article(f"{MEASURES[by].lower()} figure")
    others = rank_clusters(clusters, by=by, counts=None) if counts else None
    if others is not None and not others.empty:
        kinds = ", ".join(sorted({COUNTS_WHAT[k].lower() for k in others["counts_what"]}))
        return (
            f"No {MEASURES[by].lower()} figure counts "
            f"{' or '.join(COUNTS_WHAT[k].lower() for k in counts or ())}; {len(others):,} "
            f"{'cluster has' if len(others) == 1 else 'clusters have'} one of another "
            f"kind ({kinds}): add --counts all to rank them."
        )
    instead = [m for m in MEASURES if m != by and figure_kinds(clusters, m)]
    if not instead:
        return f"No cluster has {figure}: there is nothing to rank."
    names = " and ".join(MEASURES[m].lower() for m in instead)
    options = " or ".join(f"--by {m}" for m in instead)
    return f"No cluster has {figure}; the data has {names} figures: try {options}."


def _load(args: argparse.Namespace) -> gpd.GeoDataFrame:
    """The embedded dataset, or a file's clusters as they may be printed (a firm list's
    employee figures protected unless its owner passed ``--no-disclosure-control``)."""
    if args.file is None:
        return load_clusters()
    return cli_disclosure.read_for_output(args.file, args.no_disclosure_control)[0]


def _cmd_rank(args: argparse.Namespace) -> int:
    like = args.counts is None
    counts = _parse_counts(args.counts) if not like else None
    clusters = _load(args)
    if like:
        counts = default_kinds(clusters, args.by)  # like with like
    full = rank_clusters(clusters, by=args.by, counts=counts)
    if full.empty:
        raise DataError(_nothing_ranked(clusters, args.by, None if like else counts))
    table = full if args.top is None else full[full["rank"] <= args.top]
    caveat = mixed_kinds_caveat(table["counts_what"])
    if args.chart is not None:
        _write_chart(args, full, table, counts)
    if args.format in ("csv", "json"):
        if caveat:
            print(f"note: {caveat}", file=sys.stderr)
        if args.format == "csv":
            from mstatlas.data.export import to_safe_csv

            sys.stdout.write(to_safe_csv(table))
        else:
            sys.stdout.write(table.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        return EXIT_OK
    _print_ranking(table, args.by)
    print()
    if caveat:
        print(f"{caveat} The 'counts' column says what each figure counts.")
    elif counts is not None and len(counts) == 1:
        more = like and len(figure_kinds(clusters, args.by)) > 1
        print(ranked_kind_text(counts[0]) + (" Add --counts all to mix kinds." if more else ""))
    if args.by == "employees_per_firm":
        print(RATIO_RULE)
    if "dortmund" in set(full["cluster_id"]):
        print(position_statement(full, "dortmund", args.by))
    return EXIT_OK


def _print_ranking(table: pd.DataFrame, by: str) -> None:
    """The ranking as a plain-text table (employees per firm with how each was computed)."""
    columns = {
        "rank": "#", "cluster_name": "cluster", "country_iso2": "cc",
        "display": MEASURES[by].lower(), "year": "year", "counts": "counts",
        "source_title": "source",
    }  # fmt: skip
    if by == "employees_per_firm":
        columns = {**columns, "ratio_basis": "computed as"}
    view = table.assign(
        rank=rank_texts(table["rank"], table["tied"]),
        year=year_texts(table["year"]),
        counts=[COUNTS_WHAT[c] for c in table["counts_what"]],
        source_title=table["source_title"].fillna("").str.slice(0, 48),
    )[list(columns)]
    view.columns = list(columns.values())
    print(view.to_string(index=False))


@dataclass(frozen=True)
class _ChartView:
    """What the chart says about the selection (see mstatlas.analysis.charts.ChartView)."""

    mixed: bool
    top: int
    counts: tuple[str, ...]

    def filters(self) -> Filters:
        return Filters(counts_what=self.counts)


def _write_chart(
    args: argparse.Namespace,
    full: pd.DataFrame,
    table: pd.DataFrame,
    counts: tuple[str, ...] | None,
) -> None:
    from mstatlas.analysis import charts

    suffix = args.chart.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise argparse.ArgumentTypeError(
            f"--chart writes .svg or .png files, got {args.chart.name!r}"
        )
    if table.empty:
        raise MSTAtlasError("There is nothing to chart: no cluster has a figure of this kind.")
    view = _ChartView(
        mixed=counts is None or len(counts) > 1,
        top=args.top or int(table["rank"].max()),
        counts=counts or tuple(COUNTS_WHAT),
    )
    dataset = args.file.name if args.file else "MST clusters in Europe (sourced figures)"
    chart, footer = charts.ranking_chart(table, args.by, len(full), view, dataset)
    spec = charts.export_spec(chart, footer)
    if suffix == ".svg":
        args.chart.write_text(charts.chart_svg(spec), encoding="utf-8")
    else:
        args.chart.write_bytes(charts.chart_png(spec))
    print(f"wrote {args.chart}", file=sys.stderr)


def _cmd_map(args: argparse.Namespace) -> int:
    from mstatlas.mapping.assets import standalone_html
    from mstatlas.mapping.build import build_map

    clusters = _load(args)
    html = standalone_html(build_map(clusters, measure=args.measure))
    args.output.write_text(html, encoding="utf-8")
    print(f"wrote {args.output} ({len(html.encode()):,} bytes, works offline)")
    return EXIT_OK


def _base_url(text: str) -> str:
    url = text.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or "?" in url or "#" in url:
        raise argparse.ArgumentTypeError(
            f"expected the app's address such as https://atlas.example.org, got {text!r}"
        )
    return url


def _cmd_share(args: argparse.Namespace) -> int:
    import os

    from mstatlas.errors import DataError
    from mstatlas.io import read_upload
    from mstatlas.store import get_store
    from mstatlas.store.dataset import dataset_from_upload, shared_from_dataset

    base_url = args.base_url
    if base_url is None:
        env = os.environ.get("MSTATLAS_BASE_URL", "").strip()
        try:
            base_url = _base_url(env or "http://localhost:8501")
        except argparse.ArgumentTypeError:
            raise MSTAtlasError(
                f"MSTATLAS_BASE_URL is {env!r}, not the app's address; set it to e.g. "
                "https://atlas.example.org or pass --base-url."
            ) from None
    result = read_upload(args.file)
    summary = result.report.summary()
    if result.clusters.empty:
        raise DataError(summary)
    name = args.name if args.name is not None else args.file.name
    # No id yet: the store gives the shared dataset its id.
    dataset = dataset_from_upload(result, dataset_id="", name=name, filename=args.file.name)
    shared = shared_from_dataset(dataset, keep_firms=args.include_firm_rows)
    saved = get_store().save(shared)
    if result.report.n_rejected:
        print(f"note: {summary}", file=sys.stderr)
    if shared.disclosure is not None:
        print(f"note: {shared.disclosure['note']}", file=sys.stderr)
        if shared.firms is not None:
            print(cli_disclosure.KEEP_FIRMS_WARNING, file=sys.stderr)
    print(f"Shared {name!r}: {len(result.clusters):,} rows.")
    print(f"link:         {base_url}/?ds={saved.id}")
    print(f"id:           {saved.id}")
    print(f"delete token: {saved.delete_token}")
    print("Keep the delete token: it is shown only now and is the only way to delete the data:")
    print(f"  mstatlas delete {saved.id} --token={saved.delete_token}")
    return EXIT_OK


def _cmd_delete(args: argparse.Namespace) -> int:
    from mstatlas.store import get_store

    get_store().delete(args.id, args.token)
    print(f"Deleted shared dataset {args.id}; its link no longer opens.")
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    """Report what an upload would import; exit 1 when any row is rejected."""
    from mstatlas.io import read_upload

    result = read_upload(args.file, sheet=args.sheet)
    print_report(args.file, result, args.format, off=args.no_disclosure_control)
    return EXIT_OK if result.report.n_rejected == 0 else EXIT_DATA


def print_report(
    file: Path, result: UploadResult | StreamResult, fmt: str, *, off: bool = False
) -> None:
    """Print what reading a file detected and its report, as ``mstatlas validate`` does.

    Parameters
    ----------
    file : Path
        The file read (named in the report).
    result : UploadResult or StreamResult
        What :func:`mstatlas.io.read_upload` or :func:`mstatlas.io.stream.stream_upload`
        found; a report whose problems were not all listed says how many more there are.
    fmt : {"text", "json"}
        Plain text for people, or JSON.
    off : bool
        The owner passed ``--no-disclosure-control``. Otherwise the report of a
        firm list says which clusters' employee figures are confidential and why.
    """
    import json
    from dataclasses import asdict

    report = result.report
    unlisted = int(getattr(report, "n_unlisted", 0))
    if fmt == "json":
        payload: dict[str, object] = {
            "file": str(file),
            "kind": result.kind,
            "detected": asdict(result.detected),
            "columns": result.columns,
            "mapping": result.mapping,
            "n_rows": report.n_rows,
            "n_imported": report.n_imported,
            "n_rejected": report.n_rejected,
            "aggregation": result.aggregation,
            "problems": [
                {
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "severity": p.severity,
                    "reason": p.reason,
                }
                for p in report.problems
            ],
        }
        if unlisted:
            payload["n_problems"] = len(report.problems) + unlisted
        payload |= cli_disclosure.owner_json(result, off)
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n")
        return
    print(f"File: {file}")
    print("Detected: " + ", ".join(_detected_parts(result.detected)))
    print(f"Table kind: {'firm list' if result.kind == 'firms' else 'cluster table'}")
    print("Columns:")
    for field_name, column in result.mapping.items():
        if column is not None:
            print(f"  {field_name:<20} <- {column}")
    unused = [c for c in result.columns if c not in set(result.mapping.values())]
    if unused:
        print(f"  (not used: {', '.join(unused)})")
    if result.aggregation:
        print(f"Aggregation: {result.aggregation}")
    print(report.summary())
    for p in report.problems:
        print(f"  {p.severity}: {p}")
    if unlisted:
        print(
            f"  … and {unlisted:,} more problem{'s' if unlisted != 1 else ''} not listed "
            f"(the first {len(report.problems):,} are; --max-problems N lists more)"
        )
    for line in cli_disclosure.owner_lines(result, off):
        print(line)


def _detected_parts(d: Detected) -> list[str]:
    """The 'Detected:' line of the report, part by part."""
    parts = [f"format {d.format}"]
    if d.encoding:
        parts.append(f"encoding {d.encoding}")
    if d.separator_name:
        parts.append(f"separator {d.separator_name}")
    if d.decimal:
        parts.append(f"decimal mark '{d.decimal}'")
    if d.sheet:
        parts.append(f"sheet '{d.sheet}' of {', '.join(d.sheets)}")
    if d.header_row:
        parts.append(f"header on row {d.header_row}")
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mstatlas`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    # Names from files are printed as they are, minus bidirectional controls (a name
    # holding U+202E would otherwise read reversed in the terminal).
    with (
        contextlib.redirect_stdout(BidiFreeWriter(sys.stdout)),
        contextlib.redirect_stderr(BidiFreeWriter(sys.stderr)),
    ):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the chosen command; errors become a message and an exit code."""
    try:
        return int(args.handler(args))
    except argparse.ArgumentTypeError as exc:
        print(f"mstatlas {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MSTAtlasError as exc:
        print(f"mstatlas {args.command}: {exc}", file=sys.stderr)
        return EXIT_DATA
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(
            f"mstatlas {args.command}: cannot open {exc.filename}: {exc.strerror}", file=sys.stderr
        )
        return EXIT_DATA


if __name__ == "__main__":
    raise SystemExit(main())
