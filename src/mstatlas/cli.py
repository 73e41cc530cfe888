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
from typing import TYPE_CHECKING, Any

from mstatlas import cli_disclosure
from mstatlas.analysis.filters import Filters
from mstatlas.analysis.provenance import and_list, in_sentence, or_list, rank_texts, year_texts
from mstatlas.analysis.ranking import (
    RATIO_RULE,
    default_kinds,
    figure_kinds,
    mixed_kinds_caveat,
    position_statement,
    rank_clusters,
    ranked_kind_text,
)
from mstatlas.cli_args import kinds_of_figures, whole_number
from mstatlas.cli_lang import add_lang_option, localise_parser, output_language
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.data.text import BidiFreeWriter
from mstatlas.errors import DataError, MSTAtlasError
from mstatlas.i18n import (
    N_,
    _,
    fmt_int,
    language,
    ngettext,
)
from mstatlas.io import load_clusters

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from mstatlas.io import Detected, UploadResult
    from mstatlas.io.stream import StreamResult

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="mstatlas",
        description=_("Sourced atlas of European micro-systems technology (MST) clusters."),
    )
    add_lang_option(parser)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rank = sub.add_parser("rank", help=_("print the largest clusters as a table"))
    rank.add_argument("file", nargs="?", type=Path, help=_("data file (default: embedded dataset)"))
    rank.add_argument("--by", choices=list(MEASURES), default="employees")
    rank.add_argument("--top", type=whole_number(1), default=None, help=_("keep the first N ranks"))
    rank.add_argument(
        "--counts",
        default=None,
        help=_(
            "comma-separated kinds of figures to rank together, or 'all' (kinds: {kinds}; "
            "default: like with like, i.e. cluster_firms when there are any, otherwise the one "
            "kind the file has, such as unspecified)"
        ).format(kinds=", ".join(COUNTS_WHAT)),
    )
    rank.add_argument("--format", choices=["text", "csv", "json"], default="text")
    cli_disclosure.add_opt_out(rank)
    rank.add_argument(
        "--chart",
        type=Path,
        default=None,
        metavar="FILE",
        help=_(
            "also write the bar chart as FILE.svg or FILE.png (title, qualified figures, "
            "years, sources), as the app exports it"
        ),
    )
    rank.set_defaults(handler=_cmd_rank)

    mp = sub.add_parser("map", help=_("write the map as one self-contained HTML file"))
    mp.add_argument("file", nargs="?", type=Path, help=_("data file (default: embedded dataset)"))
    mp.add_argument("--measure", choices=list(MEASURES), default="employees")
    mp.add_argument("-o", "--output", type=Path, required=True, help=_("HTML file to write"))
    cli_disclosure.add_opt_out(mp)
    mp.set_defaults(handler=_cmd_map)

    _add_share_commands(sub)
    val = sub.add_parser(
        "validate", help=_("check a data file: detected columns, imported and rejected rows")
    )
    val.add_argument("file", type=Path, help=_("CSV/TSV, XLSX, GeoJSON or Parquet file"))
    val.add_argument("--sheet", default=None, help=_("worksheet of an XLSX file"))
    val.add_argument("--format", choices=["text", "json"], default="text")
    cli_disclosure.add_opt_out(val)
    val.set_defaults(handler=_cmd_validate)
    from mstatlas import cli_bundle, cli_firms, cli_intelligence, cli_stream

    cli_intelligence.add_commands(sub)
    cli_firms.add_commands(sub)
    cli_stream.add_commands(sub)
    cli_bundle.add_commands(sub)
    localise_parser(parser)
    return parser


def _add_share_commands(sub: Any) -> None:
    """Add ``share`` and ``delete`` to the ``mstatlas`` parser."""
    share = sub.add_parser(
        "share", help=_("store a data file on the server and print its link and delete token")
    )
    share.add_argument("file", type=Path, help=_("CSV/TSV, XLSX, GeoJSON or Parquet file"))
    share.add_argument("--name", help=_("title shown with the dataset (default: the file name)"))
    share.add_argument(
        "--base-url",
        type=_base_url,
        default=None,
        help=_(
            "public address of the app for the link "
            "(default: MSTATLAS_BASE_URL or http://localhost:8501)"
        ),
    )
    cli_disclosure.add_keep_firms(share)
    share.set_defaults(handler=_cmd_share)

    rm = sub.add_parser("delete", help=_("delete a shared dataset (needs its delete token)"))
    rm.add_argument("id", help=_("dataset id, the ds=... part of the link"))
    rm.add_argument("--token", required=True, help=_("delete token printed by 'mstatlas share'"))
    rm.set_defaults(handler=_cmd_delete)


#: "No cluster has ...": each measure's figure with its article (whole, for translators).
_A_FIGURE: dict[str, str] = {
    "employees": N_("an employees figure"),
    "firms": N_("a firms figure"),
    "employees_per_firm": N_("an employees per firm figure"),
}


def _nothing_ranked(clusters: pd.DataFrame, by: str, counts: tuple[str, ...] | None) -> str:
    """Why a ranking is empty, and what to type instead."""
    measure = in_sentence(MEASURES[by])
    others = rank_clusters(clusters, by=by, counts=None) if counts else None
    if others is not None and not others.empty:
        kinds = ", ".join(sorted({in_sentence(COUNTS_WHAT[k]) for k in others["counts_what"]}))
        return ngettext(
            "No {measure} figure counts {counts}; {n} cluster has one of another kind "
            "({kinds}): add --counts all to rank them.",
            "No {measure} figure counts {counts}; {n} clusters have one of another kind "
            "({kinds}): add --counts all to rank them.",
            len(others),
        ).format(
            measure=measure,
            counts=or_list(in_sentence(COUNTS_WHAT[k]) for k in counts or ()),
            n=fmt_int(len(others)),
            kinds=kinds,
        )
    instead = [m for m in MEASURES if m != by and figure_kinds(clusters, m)]
    figure = _(_A_FIGURE.get(by, N_("a figure of this kind")))
    if not instead:
        return _("No cluster has {figure}: there is nothing to rank.").format(figure=figure)
    return _("No cluster has {figure}; the data has {names} figures: try {options}.").format(
        figure=figure,
        names=and_list(in_sentence(MEASURES[m]) for m in instead),
        options=or_list(f"--by {m}" for m in instead),
    )


def _load(args: argparse.Namespace) -> gpd.GeoDataFrame:
    """The embedded dataset, or a file's clusters as they may be printed (a firm list's
    employee figures protected unless its owner passed ``--no-disclosure-control``)."""
    if args.file is None:
        return load_clusters()
    return cli_disclosure.read_for_output(args.file, args.no_disclosure_control)[0]


def _cmd_rank(args: argparse.Namespace) -> int:
    like = args.counts is None
    counts = kinds_of_figures(args.counts) if not like else None
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
            print(_("note: {note}").format(note=caveat), file=sys.stderr)
        if args.format == "csv":
            from mstatlas.data.export import to_safe_csv

            sys.stdout.write(to_safe_csv(table))
        else:
            sys.stdout.write(table.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        return EXIT_OK
    _print_ranking(table, args.by)
    print()
    if caveat:
        print(caveat + " " + _("The 'counts' column says what each figure counts."))
    elif counts is not None and len(counts) == 1:
        more = like and len(figure_kinds(clusters, args.by)) > 1
        print(
            ranked_kind_text(counts[0])
            + (" " + _("Add --counts all to mix kinds.") if more else "")
        )
    if args.by == "employees_per_firm":
        print(_(RATIO_RULE))
    if "dortmund" in set(full["cluster_id"]):
        print(position_statement(full, "dortmund", args.by))
    return EXIT_OK


def _print_ranking(table: pd.DataFrame, by: str) -> None:
    """The ranking as a plain-text table (employees per firm with how each was computed)."""
    columns = {
        "rank": "#", "cluster_name": _("cluster"), "country_iso2": _("cc"),
        "display": in_sentence(MEASURES[by]), "year": _("year"), "counts": _("counts"),
        "source_title": _("source"),
    }  # fmt: skip
    if by == "employees_per_firm":
        columns = {**columns, "ratio_basis": _("computed as")}
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
            _("--chart writes .svg or .png files, got {name!r}").format(name=args.chart.name)
        )
    if table.empty:
        raise MSTAtlasError(_("There is nothing to chart: no cluster has a figure of this kind."))
    view = _ChartView(
        mixed=counts is None or len(counts) > 1,
        top=args.top or int(table["rank"].max()),
        counts=counts or tuple(COUNTS_WHAT),
    )
    dataset = args.file.name if args.file else _("MST clusters in Europe (sourced figures)")
    chart, footer = charts.ranking_chart(table, args.by, len(full), view, dataset)
    spec = charts.export_spec(chart, footer)
    if suffix == ".svg":
        args.chart.write_text(charts.chart_svg(spec), encoding="utf-8")
    else:
        args.chart.write_bytes(charts.chart_png(spec))
    print(_("wrote {path}").format(path=args.chart), file=sys.stderr)


def _cmd_map(args: argparse.Namespace) -> int:
    from mstatlas.mapping.assets import standalone_html
    from mstatlas.mapping.build import build_map

    clusters = _load(args)
    html = standalone_html(build_map(clusters, measure=args.measure))
    args.output.write_text(html, encoding="utf-8")
    print(
        _("wrote {path} ({n} bytes, works offline)").format(
            path=args.output, n=fmt_int(len(html.encode()))
        )
    )
    return EXIT_OK


def _base_url(text: str) -> str:
    url = text.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or "?" in url or "#" in url:
        raise argparse.ArgumentTypeError(
            _("expected the app's address such as https://atlas.example.org, got {text!r}").format(
                text=text
            )
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
                _(
                    "MSTATLAS_BASE_URL is {env!r}, not the app's address; set it to e.g. "
                    "https://atlas.example.org or pass --base-url."
                ).format(env=env)
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
        print(_("note: {note}").format(note=summary), file=sys.stderr)
    if shared.disclosure is not None:
        print(_("note: {note}").format(note=shared.disclosure["note"]), file=sys.stderr)
        if shared.firms is not None:
            print(_(cli_disclosure.KEEP_FIRMS_WARNING), file=sys.stderr)
    n = len(result.clusters)
    print(ngettext("Shared {name!r}: {n} row.", "Shared {name!r}: {n} rows.", n).format(
        name=name, n=fmt_int(n)
    ))  # fmt: skip
    labels = [_("link:"), _("id:"), _("delete token:")]
    width = max(len(label) for label in labels) + 1
    values = [f"{base_url}/?ds={saved.id}", saved.id, saved.delete_token]
    for label, value in zip(labels, values, strict=True):
        print(f"{label:<{width}}{value}")
    print(_("Keep the delete token: it is shown only now and is the only way to delete the data:"))
    print(f"  mstatlas delete {saved.id} --token={saved.delete_token}")
    return EXIT_OK


def _cmd_delete(args: argparse.Namespace) -> int:
    from mstatlas.store import get_store

    get_store().delete(args.id, args.token)
    print(_("Deleted shared dataset {id}; its link no longer opens.").format(id=args.id))
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
    _print_report_text(file, result, unlisted, off)


def _print_report_text(
    file: Path, result: UploadResult | StreamResult, unlisted: int, off: bool
) -> None:
    """``print_report``'s plain text: what was detected, the summary and every problem."""
    report = result.report
    print(_("File: {file}").format(file=file))
    print(_("Detected: {parts}").format(parts=", ".join(_detected_parts(result.detected))))
    kind = _("firm list") if result.kind == "firms" else _("cluster table")
    print(_("Table kind: {kind}").format(kind=kind))
    print(_("Columns:"))
    for field_name, column in result.mapping.items():
        if column is not None:
            print(f"  {field_name:<20} <- {column}")
    unused = [c for c in result.columns if c not in set(result.mapping.values())]
    if unused:
        print("  " + _("(not used: {columns})").format(columns=", ".join(unused)))
    if result.aggregation:
        print(_("Aggregation: {method}").format(method=result.aggregation))
    print(report.summary())
    severity = {"error": _("error"), "warning": _("warning")}
    for p in report.problems:
        print(f"  {severity.get(p.severity, p.severity)}: {p}")
    if unlisted:
        print(
            "  "
            + ngettext(
                "… and {n} more problem not listed (the first {listed} are; --max-problems N "
                "lists more)",
                "… and {n} more problems not listed (the first {listed} are; --max-problems N "
                "lists more)",
                unlisted,
            ).format(n=fmt_int(unlisted), listed=fmt_int(len(report.problems)))
        )
    for line in cli_disclosure.owner_lines(result, off):
        print(line)


def _detected_parts(d: Detected) -> list[str]:
    """The 'Detected:' line of the report, part by part."""
    parts = [_("format {format}").format(format=d.format)]
    if d.encoding:
        parts.append(_("encoding {encoding}").format(encoding=d.encoding))
    if d.separator_name:
        parts.append(_("separator {separator}").format(separator=_(d.separator_name)))
    if d.decimal:
        parts.append(_("decimal mark '{decimal}'").format(decimal=d.decimal))
    if d.sheet:
        parts.append(
            _("sheet '{sheet}' of {sheets}").format(sheet=d.sheet, sheets=", ".join(d.sheets))
        )
    if d.header_row:
        parts.append(_("header on row {row}").format(row=d.header_row))
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mstatlas`` console script; returns the exit code.

    ``--lang de|en`` (anywhere on the line) sets the language of everything printed;
    without it, the locale's (``LANG``, ``LC_ALL``...; English when neither is German).
    """
    try:
        lang, args_in = output_language(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    with language(lang):
        parser = build_parser()
        try:
            args = parser.parse_args(args_in)
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
        print(
            _("mstatlas {command}: error: {error}").format(command=args.command, error=exc),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except MSTAtlasError as exc:
        print(f"mstatlas {args.command}: {exc}", file=sys.stderr)
        return EXIT_DATA
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(
            _("mstatlas {command}: cannot open {file}: {reason}").format(
                command=args.command, file=exc.filename, reason=exc.strerror
            ),
            file=sys.stderr,
        )
        return EXIT_DATA


if __name__ == "__main__":
    raise SystemExit(main())
