"""Command line for cluster intelligence: ``mstatlas compare|countries|profile``.

The same analysis functions as the app's Compare and Countries pages and the
map's profile panel; the exit codes of :mod:`mstatlas.cli` (0 ok, 1 bad data,
2 usage).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from mstatlas.analysis.compare import (
    MAX_COMPARE,
    MIN_COMPARE,
    compare_clusters,
    compare_warnings,
    ivam_benchmark_ids,
)
from mstatlas.analysis.compare_charts import growth_line
from mstatlas.analysis.countries import COUNTRY_RULE, country_summary
from mstatlas.analysis.growth import growth_table
from mstatlas.analysis.provenance import in_sentence, year_text
from mstatlas.analysis.ranking import LIKE_WITH_LIKE, format_figure
from mstatlas.cli_disclosure import add_opt_out, read_for_output
from mstatlas.data.profiles import PROFILE_COLUMNS, PROFILE_FIELDS, cluster_profile, load_profiles
from mstatlas.data.schema import COUNTS_WHAT, MEASURES
from mstatlas.errors import DataError
from mstatlas.i18n import _, fmt_int, ngettext
from mstatlas.io import load_clusters

EXIT_OK, EXIT_USAGE = 0, 2


def add_commands(sub: Any) -> None:
    """Add ``compare``, ``countries`` and ``profile`` to the ``mstatlas`` parser."""
    cmp = sub.add_parser(
        "compare",
        help=_("compare 2–10 clusters side by side (figures, fairness warnings, growth)"),
    )
    cmp.add_argument("ids", nargs="*", metavar="ID", help=_("cluster ids, e.g. dortmund twente"))
    cmp.add_argument(
        "--ivam",
        action="store_true",
        help=_("IVAM's 2007 benchmark set (the flagged clusters)"),
    )
    cmp.add_argument("--file", type=Path, help=_("data file (default: embedded dataset)"))
    cmp.add_argument("--format", choices=["text", "csv", "json"], default="text")
    add_opt_out(cmp)
    cmp.set_defaults(handler=_cmd_compare)

    ctry = sub.add_parser("countries", help=_("clusters and comparable sums per country"))
    ctry.add_argument("--file", type=Path, help=_("data file (default: embedded dataset)"))
    ctry.add_argument("--by", choices=["employees", "firms"], default="employees")
    ctry.add_argument(
        "--counts",
        default=None,
        metavar="KIND",
        help=(
            _(
                "the one kind of figure to add (default: the kind the ranking compares; kinds: "
                "{counts_what})"
            ).format(counts_what=", ".join(COUNTS_WHAT))
        ),
    )
    ctry.add_argument("--format", choices=["text", "csv", "json"], default="text")
    add_opt_out(ctry)
    ctry.set_defaults(handler=_cmd_countries)

    prof = sub.add_parser("profile", help=_("every figure and sourced fact of one cluster"))
    prof.add_argument("id", metavar="ID", help=_("cluster id, e.g. dortmund"))
    prof.add_argument("--file", type=Path, help=_("data file (default: embedded dataset)"))
    prof.add_argument("--format", choices=["text", "csv", "json"], default="text")
    add_opt_out(prof)
    prof.set_defaults(handler=_cmd_profile)


def _load(file: Path | None, off: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cluster table and its profile facts (the embedded ones, or the file's own; a firm
    list's employee figures protected unless its owner passed ``--no-disclosure-control``)."""
    if file is None:
        return load_clusters(), load_profiles()
    clusters, result = read_for_output(file, off)
    profiles = getattr(result, "profiles", None)
    return clusters, profiles if profiles is not None else pd.DataFrame(
        columns=list(PROFILE_COLUMNS)
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = json.loads(frame.to_json(orient="records", force_ascii=False))
    return out


def _write_csv(frame: pd.DataFrame) -> None:
    from mstatlas.data.export import to_safe_csv

    sys.stdout.write(to_safe_csv(frame))


def _cmd_compare(args: argparse.Namespace) -> int:
    clusters, _profiles = _load(args.file, args.no_disclosure_control)
    ids = list(dict.fromkeys(args.ids))
    if args.ivam:
        flagged = ivam_benchmark_ids(clusters)
        if not flagged:
            raise DataError(
                _("No cluster of this dataset is flagged as IVAM's 2007 benchmark set.")
            )
        ids = list(dict.fromkeys([*ids, *flagged]))
    if not MIN_COMPARE <= len(ids) <= MAX_COMPARE:
        raise argparse.ArgumentTypeError(
            _("give {min_compare} to {max_compare} cluster ids (or --ivam), got {n_ids}").format(
                min_compare=MIN_COMPARE, max_compare=MAX_COMPARE, n_ids=len(ids)
            )
        )
    try:
        table = compare_clusters(clusters, ids)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    warnings = compare_warnings(table)
    growth = growth_table(clusters[clusters["cluster_id"].isin(ids)])
    if args.format == "csv":
        _write_csv(table.drop(columns=["row"]))
        return EXIT_OK
    if args.format == "json":
        doc = {
            "figures": _records(table.drop(columns=["row"])),
            "not_comparable": _records(warnings),
            "growth": _records(growth.drop(columns=["start_row", "end_row"])),
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    for measure, part in table.groupby("measure", sort=False):
        print(f"{MEASURES[str(measure)]}:")
        view = pd.DataFrame(
            {
                _("cluster"): part["cluster_name"],
                _("figure"): part["display"].fillna("").replace("", _("not reported")),
                _("year"): [year_text(y) for y in part["year"]],
                _("counts"): [
                    COUNTS_WHAT.get(str(c), "") if pd.notna(c) else "" for c in part["counts_what"]
                ],
                _("scope"): part["scope"].fillna(""),
                _("source"): part["source_title"].fillna("").str.slice(0, 48),
            }
        )
        print(view.to_string(index=False))
        print()
    if warnings.empty:
        print(
            _("Every pair of figures shown is comparable (same kind, perimeter, years within 3).")
        )
    else:
        n = len(warnings)
        print(
            ngettext("Not comparable ({n} pair):", "Not comparable ({n} pairs):", n).format(
                n=fmt_int(n)
            )
        )
        for _i, w in warnings.iterrows():
            measure = in_sentence(MEASURES[w["measure"]])
            print(f"  {measure}: {w['cluster_a']} / {w['cluster_b']}: {w['reasons']}")
    print()
    if growth.empty:
        print(_("Growth: no cluster has figures of one kind and perimeter from two years."))
    for by in ("employees", "firms"):
        g = growth_table(clusters[clusters["cluster_id"].isin(ids)], by=by)
        for _i, row in g.iterrows():
            print(
                _("Growth, {name}: {growth}").format(
                    name=row["cluster_name"], growth=growth_line(row, by)
                )
            )
    return EXIT_OK


def _cmd_countries(args: argparse.Namespace) -> int:
    clusters, _profiles = _load(args.file, args.no_disclosure_control)
    counts: Any = LIKE_WITH_LIKE if args.counts is None else args.counts
    if args.counts is not None and args.counts not in COUNTS_WHAT:
        raise argparse.ArgumentTypeError(
            _("unknown kind {counts!r}; choose one of {counts_what}").format(
                counts=args.counts, counts_what=", ".join(COUNTS_WHAT)
            )
        )
    try:
        table = country_summary(clusters, by=args.by, counts=counts)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    if args.format == "csv":
        _write_csv(table)
        return EXIT_OK
    if args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        return EXIT_OK
    if table.empty:
        print(_("No cluster with a country in this dataset."))
        return EXIT_OK
    kind = str(table["counts_what"].iloc[0])
    view = pd.DataFrame(
        {
            _("cc"): table["country_iso2"],
            _("country"): table["country"],
            _("clusters"): table["n_clusters"],
            _("added"): table["n_with_figure"],
            in_sentence(MEASURES[args.by]): table["display"].fillna(""),
            _("how to read it"): table["total_note"].fillna(""),
            _("years"): [
                "" if pd.isna(a) else (f"{a}" if a == b else f"{a}–{b}")
                for a, b in zip(table["year_min"], table["year_max"])
            ],
        }
    )
    print(
        _("Sum of {measure} figures counting {kind}:").format(
            measure=in_sentence(MEASURES[args.by]), kind=in_sentence(COUNTS_WHAT[kind])
        )
    )
    print(view.to_string(index=False))
    print()
    print(_(COUNTRY_RULE))
    return EXIT_OK


def _cmd_profile(args: argparse.Namespace) -> int:
    clusters, profiles = _load(args.file, args.no_disclosure_control)
    rows = clusters[clusters["cluster_id"] == args.id]
    if rows.empty:
        known = ", ".join(sorted(map(str, clusters["cluster_id"].unique()))[:12])
        raise DataError(
            _("No cluster with the id {id!r} in this dataset; ids include {known}.").format(
                id=args.id, known=known
            )
        )
    sections = cluster_profile(profiles, args.id)
    figures = rows.drop(columns=["geometry"], errors="ignore")
    if args.format == "json":
        doc = {
            "cluster_id": args.id,
            "cluster_name": str(rows["cluster_name"].iloc[0]),
            "figures": _records(pd.DataFrame(figures)),
            "profile": {
                f: _records(sections[f].drop(columns="cluster_id")) for f in PROFILE_FIELDS
            },
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    if args.format == "csv":
        # one table: the reported figures first (section "figure"), then the facts
        figs = pd.DataFrame(figures).assign(section="figure", row=rows.index)
        facts = pd.concat([sections[f] for f in PROFILE_FIELDS], ignore_index=True)
        facts = facts.rename(columns={"field": "section"})
        _write_csv(pd.concat([figs, facts], ignore_index=True).pipe(_section_first))
        return EXIT_OK
    first = rows.iloc[0]
    place = ", ".join(
        str(x)
        for x in (first["city"], first["region"], first["country_iso2"])
        if isinstance(x, str) and x
    )
    print(f"{first['cluster_name']} ({place})")
    print()
    print(_("Reported figures ({n}; never averaged):").format(n=fmt_int(len(rows))))
    for _i, r in rows.sort_values("year", ascending=False, na_position="last").iterrows():
        figs = []
        if pd.notna(r["firms"]):
            firms = format_figure(r["firms"], _q(r["firms_qualifier"]), "firms")
            figs.append(_("{n} firms").format(n=firms))
        if pd.notna(r["employees"]):
            employees = format_figure(r["employees"], _q(r["employees_qualifier"]))
            figs.append(_("{n} employees").format(n=employees))
        year = year_text(r["year"])
        scope = f", {r['scope']}" if isinstance(r.get("scope"), str) and r["scope"] else ""
        kind = in_sentence(COUNTS_WHAT.get(str(r["counts_what"]), str(r["counts_what"])))
        source = r["source_title"] if isinstance(r["source_title"], str) else _("no source")
        shown = " · ".join(figs) or _("no figure given")
        print(f"  {shown} ({year}; {kind}{scope}) — {source}")
    for field, label in PROFILE_FIELDS.items():
        print()
        print(f"{label}:")
        facts = sections[field]
        if facts.empty:
            print("  " + _("not reported"))
        for _i, f in facts.iterrows():
            year = year_text(f["year"])
            print(f"  {f['value']} ({year}; {f['source_title']})")
    return EXIT_OK


def _section_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["section", *[c for c in frame.columns if c != "section"]]]


def _q(value: object) -> str:
    return value if isinstance(value, str) else ""
