"""``mstatlas [--lang de] bundle -o view.zip [--file F] [filters...]``: the report bundle.

The same ZIP the app's "Download report bundle" button gives (see
:mod:`mstatlas.report.bundle`), for the view the options describe. The filters read as
the app's link parameters do: ``--country DE,NL``, ``--years 2000-2010``,
``--no-undated``, ``--counts cluster_firms``, ``--min-firms``, ``--min-employees``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mstatlas import cli_disclosure
from mstatlas.analysis.filters import Filters
from mstatlas.cli_args import kinds_of_figures, whole_number
from mstatlas.data.countries import country_codes
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.i18n import _, fmt_int, fmt_percent

if TYPE_CHECKING:
    from mstatlas.io import UploadResult

#: Exit code for a written bundle.
EXIT_OK = 0


def _countries(text: str) -> tuple[str, ...]:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    bad = [c for c in codes if c not in country_codes()]
    if bad or not codes:
        raise argparse.ArgumentTypeError(
            _("unknown country code(s) {codes}: use ISO codes such as DE,NL").format(
                codes=", ".join(bad) or _("(none)")
            )
        )
    return codes


def _years(text: str) -> tuple[int | None, int | None]:
    """``2000-2010``, ``2000-`` (from 2000 on) or ``-2010`` (up to 2010)."""
    first, sep, last = text.strip().partition("-")
    try:
        lo = int(first) if first.strip() else None
        hi = int(last) if last.strip() else None
    except ValueError:
        lo = hi = None
        sep = ""
    if not sep or (lo is None and hi is None) or (lo is not None and hi is not None and lo > hi):
        raise argparse.ArgumentTypeError(
            _(
                "expected years as FIRST-LAST, FIRST- or -LAST (e.g. 2000-2010), got {text!r}"
            ).format(text=text)
        )
    return lo, hi


def _kinds_or_all(text: str) -> tuple[str, ...]:
    return kinds_of_figures(text) or tuple(COUNTS_WHAT)


def _position(text: str) -> tuple[float, float, int]:
    try:
        lat, lon, zoom = (p.strip() for p in text.split(","))
        view = float(lat), float(lon), int(zoom)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected LAT,LON,ZOOM such as 51.5,7.5,8, got {text!r}").format(text=text)
        ) from None
    if not (-90 <= view[0] <= 90 and -180 <= view[1] <= 180 and 3 <= view[2] <= 14):
        raise argparse.ArgumentTypeError(
            _(
                "LAT from -90 to 90, LON from -180 to 180 and ZOOM from 3 to 14, got {text!r}"
            ).format(text=text)
        )
    return view


def add_commands(sub: Any) -> None:
    """Register ``bundle`` on the CLI's subcommand parser (the global ``--lang`` applies)."""
    b = sub.add_parser(
        "bundle",
        help=_(
            "write one ZIP of a view: figures (CSV/XLSX), ranking chart, map images, "
            "offline map, methodology"
        ),
    )
    b.add_argument("-o", "--output", type=Path, required=True, help=_("ZIP file to write"))
    b.add_argument("--file", type=Path, help=_("data file (default: embedded dataset)"))
    b.add_argument("--name", help=_("dataset title in the bundle (default: the file name)"))
    b.add_argument(
        "--measure",
        choices=list(MEASURES),
        default="employees",
        help=_("what the map's symbols show"),
    )
    b.add_argument(
        "--by", choices=list(MEASURES), default=None, help=_("ranking (default: --measure)")
    )
    b.add_argument(
        "--top", type=whole_number(0), default=10, help=_("ranks in the chart (default 10)")
    )
    b.add_argument("--mixed", action="store_true", help=_("rank all kinds of figures together"))
    b.add_argument("--country", type=_countries, default=(), help=_("ISO codes, e.g. DE,NL"))
    b.add_argument("--years", type=_years, default=(None, None), help=_("e.g. 2000-2010"))
    b.add_argument("--no-undated", action="store_true", help=_("leave undated figures out"))
    b.add_argument(
        "--counts", type=_kinds_or_all, default=tuple(COUNTS_WHAT),
        help=_("kinds of figures to keep, comma-separated, or 'all' ({kinds})").format(
            kinds=", ".join(COUNTS_WHAT)
        ),
    )  # fmt: skip
    b.add_argument("--min-firms", type=whole_number(0), default=0)
    b.add_argument("--min-employees", type=whole_number(0), default=0)
    b.add_argument("--view", type=_position, default=None, metavar="LAT,LON,ZOOM",
                   help=_("where the map looks (default: all clusters in view)"))  # fmt: skip
    cli_disclosure.add_opt_out(b)
    b.set_defaults(handler=_cmd_bundle)


def _cmd_bundle(args: argparse.Namespace) -> int:
    from mstatlas.report.bundle import build_bundle
    from mstatlas.report.view import DEFAULT_DATASET_NAME, ReportView

    if args.file is None:
        from mstatlas.io import load_clusters

        clusters, firm_list = load_clusters(), False
    else:
        clusters, result = cli_disclosure.read_for_output(args.file, args.no_disclosure_control)
        firm_list = result.kind == "firms"
    note = _confidentiality(result, args.no_disclosure_control) if args.file else ""
    lat, lon, zoom = args.view or (None, None, None)
    view = ReportView(
        dataset=args.name or (args.file.name if args.file else DEFAULT_DATASET_NAME),
        view_filters=Filters(
            countries=args.country, year_min=args.years[0], year_max=args.years[1],
            include_undated=not args.no_undated, counts_what=args.counts,
            min_firms=args.min_firms, min_employees=args.min_employees,
        ),
        measure=args.measure, rank_by=args.by or args.measure, top=max(1, args.top),
        mixed=args.mixed, lat=lat, lon=lon, zoom=zoom, firm_list=firm_list,
        confidentiality=note,
    )  # fmt: skip
    bundle = build_bundle(clusters, view, _progress)
    data = bundle.zip_bytes()
    args.output.write_bytes(data)
    print(
        _("wrote {path} ({n} bytes: {parts})").format(
            path=args.output, n=fmt_int(len(data)), parts=", ".join(bundle.files)
        )
    )
    return EXIT_OK


def _confidentiality(result: UploadResult, off: bool) -> str:
    """What disclosure control did to a firm list, for the methodology ("" otherwise)."""
    if result.kind != "firms":
        return ""
    if off:
        return _(cli_disclosure.OFF_WARNING)
    protected = cli_disclosure.protect(result)
    return protected.public_note() if protected is not None else ""


def _progress(share: float, what: str) -> None:
    print(f"[{fmt_percent(share, 0):>5}] {what}", file=sys.stderr)
