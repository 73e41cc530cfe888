"""Command line: ``mstatlas rank|map ...``.

Exit codes: 0 ok, 1 bad data (with a message saying what to fix), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from mstatlas.analysis.ranking import position_statement, rank_clusters
from mstatlas.data.loading import load_clusters
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.errors import MSTAtlasError

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
        default="cluster_firms",
        help="comma-separated kinds of figures to rank together, or 'all' "
        f"(kinds: {', '.join(COUNTS_WHAT)}; default: cluster_firms)",
    )
    rank.add_argument("--format", choices=["text", "csv", "json"], default="text")
    rank.set_defaults(handler=_cmd_rank)

    mp = sub.add_parser("map", help="write the map as one self-contained HTML file")
    mp.add_argument("file", nargs="?", type=Path, help="data file (default: embedded dataset)")
    mp.add_argument("--measure", choices=list(MEASURES), default="employees")
    mp.add_argument("-o", "--output", type=Path, required=True, help="HTML file to write")
    mp.set_defaults(handler=_cmd_map)
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


def _cmd_rank(args: argparse.Namespace) -> int:
    counts = _parse_counts(args.counts)
    clusters = load_clusters(args.file)
    full = rank_clusters(clusters, by=args.by, counts=counts)
    table = full if args.top is None else full[full["rank"] <= args.top]
    if args.format == "csv":
        from mstatlas.data.export import to_safe_csv

        sys.stdout.write(to_safe_csv(table))
        return EXIT_OK
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        return EXIT_OK
    if table.empty:
        print(f"No cluster has a {MEASURES[args.by].lower()} figure of the selected kind(s).")
        return EXIT_OK
    view = table.assign(
        rank=[f"={r}" if t else str(r) for r, t in zip(table["rank"], table["tied"])],
        year=table["year"].astype("string").fillna("undated"),
        counts=[COUNTS_WHAT[c] for c in table["counts_what"]],
    )[["rank", "cluster_name", "country_iso2", "display", "year", "counts", "source_title"]]
    view.columns = ["#", "cluster", "cc", MEASURES[args.by].lower(), "year", "counts", "source"]
    with_src = view.assign(source=view["source"].str.slice(0, 48))
    print(with_src.to_string(index=False))
    if "dortmund" in set(full["cluster_id"]):
        print()
        print(position_statement(full, "dortmund", args.by))
    return EXIT_OK


def _cmd_map(args: argparse.Namespace) -> int:
    from mstatlas.mapping.assets import standalone_html
    from mstatlas.mapping.build import build_map

    clusters = load_clusters(args.file)
    html = standalone_html(build_map(clusters, measure=args.measure))
    args.output.write_text(html, encoding="utf-8")
    print(f"wrote {args.output} ({len(html.encode()):,} bytes, works offline)")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mstatlas`` console script; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
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
