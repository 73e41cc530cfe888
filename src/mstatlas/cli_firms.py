"""Command line for firm registers: ``mstatlas detect FILE``.

Clusters detected where the firms are (:mod:`mstatlas.analysis.detect`), with
the confidentiality rules of :mod:`mstatlas.data.disclosure` applied to every
figure printed or written: an employee sum of fewer than *k* firms, or one that
a single firm dominates, is shown as ``confidential``; the outline of a cluster
of fewer than *k* firms is left out (its corners would be the firms' own
positions); no firm row is ever printed. Exit codes as :mod:`mstatlas.cli`
(0 ok, 1 bad data, 2 usage).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from mstatlas.analysis.detect import (
    MAX_RADIUS_KM,
    MIN_MIN_FIRMS,
    MIN_RADIUS_KM,
    Detection,
    detect_clusters,
)
from mstatlas.cli_args import whole_number
from mstatlas.data.disclosure import DisclosureRules, Protected, protect_figures
from mstatlas.data.text import strip_bidi
from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_int

EXIT_OK = 0

#: Columns of ``mstatlas detect --format csv|json``, one row per detected cluster.
OUTPUT_COLUMNS = (
    "cluster_id",
    "cluster_name",
    "country_iso2",
    "countries",
    "firms",
    "employees",
    "employees_known",
    "employees_status",
    "technology_mix",
    "cities",
    "n_cities",
    "lat",
    "lon",
    "outline_wkt",
)


def _radius(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("expected a number of kilometres, got {text!r}").format(text=text)
        ) from None
    if not math.isfinite(value) or not MIN_RADIUS_KM <= value <= MAX_RADIUS_KM:
        raise argparse.ArgumentTypeError(
            _("must be from {min_radius_km:g} to {max_radius_km:g} km, got {text}").format(
                min_radius_km=MIN_RADIUS_KM, max_radius_km=MAX_RADIUS_KM, text=text
            )
        )
    return value


def add_commands(sub: Any) -> None:
    """Add ``detect`` to the ``mstatlas`` parser."""
    det = sub.add_parser(
        "detect",
        help=_("find clusters where the firms of a firm list are (radius and minimum firms)"),
        description=(
            _(
                "Clusters detected from the firms' own coordinates (DBSCAN). Employee figures "
                "that would reveal a single firm are shown as 'confidential'."
            )
        ),
    )
    det.add_argument("file", type=Path, help=_("firm list: CSV/TSV, XLSX, GeoJSON or Parquet"))
    det.add_argument(
        "--radius-km", type=_radius, default=15.0, help=_("reach of a firm (default 15 km)")
    )
    det.add_argument(
        "--min-firms",
        type=whole_number(MIN_MIN_FIRMS),
        default=5,
        help=_("firms within reach, itself included, to be a cluster's core firm (default 5)"),
    )
    det.add_argument("--sheet", default=None, help=_("worksheet of an XLSX file"))
    det.add_argument(
        "--outline", choices=["convex", "concave"], default="convex", help=_("hull of an outline")
    )
    det.add_argument(
        "-o", "--output", type=Path, default=None, help=_("write the table to this file")
    )
    det.add_argument(
        "--format",
        choices=["text", "csv", "json"],
        default=None,
        help=_("text (default on screen), csv (default for -o) or json"),
    )
    det.set_defaults(handler=_cmd_detect)


def _detect(args: argparse.Namespace) -> tuple[pd.DataFrame, Detection]:
    """Read the firm list and detect its clusters, or say what stands in the way."""
    from mstatlas.io import read_upload

    result = read_upload(args.file, sheet=args.sheet)
    if result.kind != "firms":
        raise DataError(
            _(
                "{name} is a cluster table (one row per cluster); detection needs a firm list: "
                "one row per firm with its coordinates (lat, lon)."
            ).format(name=args.file.name)
        )
    firms = result.firms
    if firms is None or firms.empty:
        raise DataError(result.report.summary())
    detection = detect_clusters(
        firms,
        radius_km=args.radius_km,
        min_firms=args.min_firms,
        geocoding=result.geocoding,
        outline=args.outline,
    )
    if detection.n_left_out == len(firms):
        raise DataError(
            _(
                "None of the {n_firms} firms has coordinates of its own (the upload placed them "
                "at their city's centre): add lat and lon columns to detect where the firms "
                "cluster."
            ).format(n_firms=fmt_int(len(firms)))
        )
    return firms, detection


def _protected(firms: pd.DataFrame, detection: Detection, rules: DisclosureRules) -> Protected:
    """The clusters as they may leave: confidential figures blank, small outlines left out."""
    clusters = detection.clusters
    table = pd.DataFrame(clusters.drop(columns="geometry"))
    small = (clusters["firms"] < rules.min_firms).to_numpy()
    wkt = shapely.to_wkt(clusters.geometry.to_numpy(), rounding_precision=5)
    table["outline_wkt"] = pd.Series(wkt, dtype="string").mask(small)
    table["lat"] = table["lat"].round(4)
    table["lon"] = table["lon"].round(4)
    protected = protect_figures(
        table, detection.firm_clusters(), firms["employees"], rules, id_column="cluster_id"
    )
    return dataclasses.replace(protected, table=protected.table[list(OUTPUT_COLUMNS)])


def _summary_lines(firms: pd.DataFrame, detection: Detection, protected: Protected) -> list[str]:
    n_in = int((detection.labels >= 0).sum())
    lines = [
        (
            _(
                "{n_clusters} clusters from {n_firms} firms: {n_in} in clusters, {n_isolated} "
                "isolated, {n_left_out} left out (no coordinates of their own)."
            ).format(
                n_clusters=fmt_int(len(detection.clusters)),
                n_firms=fmt_int(len(firms)),
                n_in=fmt_int(n_in),
                n_isolated=fmt_int(detection.n_isolated),
                n_left_out=fmt_int(detection.n_left_out),
            )
        )
    ]
    if detection.clusters.empty:
        lines.append(
            _(
                "No firm has {min_firms} firms within {radius_km:g} km: try a larger --radius-km "
                "or a smaller --min-firms."
            ).format(min_firms=detection.min_firms, radius_km=detection.radius_km)
        )
    other = protected.other
    if other is not None:
        lines.append(
            _(
                "Other: the {n_groups} clusters whose own employee figures are confidential have "
                "{employees} employees together ({firms} firms with a known head count)."
            ).format(
                n_groups=len(other.groups),
                employees=fmt_int(other.employees),
                firms=fmt_int(other.firms),
            )
        )
    lines += [protected.public_note(), detection.method]
    return lines


def _text(table: pd.DataFrame) -> str:
    def short(value: object, width: int) -> str:
        text = "" if pd.isna(value) else strip_bidi(str(value))
        return text if len(text) <= width else text[: width - 1] + "…"

    confidential = _("confidential")
    view = pd.DataFrame(
        {
            "#": range(1, len(table) + 1),
            _("cluster"): [short(v, 32) for v in table["cluster_name"]],
            _("cc"): [short(v, 6) for v in table["country_iso2"]],
            _("firms"): table["firms"].astype(int),
            _("employees"): [
                confidential if isinstance(s, str) else ("" if pd.isna(e) else fmt_int(int(e)))
                for e, s in zip(table["employees"], table["employees_status"].astype(object))
            ],
            _("known"): table["employees_known"].astype(int),
            _("cities"): [short(v, 40) for v in table["cities"]],
            _("technology mix"): [short(v, 40) for v in table["technology_mix"]],
        }
    )
    return view.to_string(index=False)


def _payload(args: argparse.Namespace, protected: Protected, lines: list[str]) -> dict[str, Any]:
    records = json.loads(protected.table.to_json(orient="records", force_ascii=False))
    other = protected.other
    return {
        "file": str(args.file),
        "parameters": {
            "radius_km": args.radius_km,
            "min_firms": args.min_firms,
            "outline": args.outline,
        },
        "summary": lines,
        "clusters": records,
        "other": None
        if other is None
        else {"clusters": len(other.groups), "firms": other.firms, "employees": other.employees},
    }


def _cmd_detect(args: argparse.Namespace) -> int:
    rules = DisclosureRules.from_env()
    firms, detection = _detect(args)
    protected = _protected(firms, detection, rules)
    lines = _summary_lines(firms, detection, protected)
    table = protected.table
    fmt = args.format or (
        "text"
        if args.output is None
        else ("json" if args.output.suffix.lower() == ".json" else "csv")
    )
    if fmt == "csv":
        from mstatlas.data.export import to_safe_csv

        text = to_safe_csv(table, bom=args.output is not None)
    elif fmt == "json":
        payload = _payload(args, protected, lines)
        text = json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
    else:
        text = (_text(table) + "\n\n" if len(table) else "") + "\n".join(lines) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        if fmt == "csv":
            print("\n".join(lines), file=sys.stderr)
        return EXIT_OK
    args.output.write_text(text, encoding="utf-8")
    print(
        _("wrote {output} ({n_table} clusters, {fmt})").format(
            output=args.output, n_table=fmt_int(len(table)), fmt=fmt
        )
    )
    if fmt != "text":
        print("\n".join(lines))
    return EXIT_OK
