"""Disclosure control on the command line: a firm list's figures as they may leave.

Every command that reads a firm list and prints or writes its clusters
(``validate``, ``aggregate``, ``rank``, ``map``, ``compare``, ``countries``,
``profile``) protects the employee figures first
(:mod:`mstatlas.data.cluster_disclosure`): a sum of fewer than *k* firms or one
that a single firm dominates is blank and marked confidential. The data's owner
can turn that off for their own use with :data:`OPT_OUT`; ``validate`` tells
the owner which clusters are confidential and why. ``mstatlas share`` always
protects, and stores the firm rows only with :data:`KEEP_FIRMS`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from mstatlas.data.cluster_disclosure import ProtectedClusters, cluster_figures, protect_clusters
from mstatlas.data.disclosure import DisclosureRules
from mstatlas.errors import DataError
from mstatlas.i18n import N_, _, fmt_int, ngettext

if TYPE_CHECKING:
    import geopandas as gpd

    from mstatlas.io import UploadResult
    from mstatlas.io.stream import StreamResult

#: The data owner's switch: print every employee figure of their own firm list.
OPT_OUT: Final = "--no-disclosure-control"

#: ``mstatlas share``'s opt-in: store the firm rows with the shared dataset.
KEEP_FIRMS: Final = "--include-firm-rows"

#: Said whenever the owner's switch is on (translate with ``_()`` where shown).
OFF_WARNING: Final = N_(
    "disclosure control is off (--no-disclosure-control): employee figures of single firms "
    "may be shown; keep this output to yourself."
)

#: Said when ``share`` stores the firm rows (translate with ``_()`` where shown).
KEEP_FIRMS_WARNING: Final = N_(
    "WARNING: the firm rows are stored with the shared dataset (--include-firm-rows): "
    "anyone with the link can see every firm's name, position and head count."
)


def add_opt_out(parser: argparse.ArgumentParser) -> None:
    """Add :data:`OPT_OUT` to a command that reads a firm list."""
    parser.add_argument(
        OPT_OUT,
        dest="no_disclosure_control",
        action="store_true",
        help=_(
            "for the data's owner: show every employee figure of a firm list, also sums of "
            "fewer than k firms (MSTATLAS_MIN_FIRMS, default 3) or dominated by one firm "
            "(MSTATLAS_DOMINANCE, default 85 %%); without it such figures are blank and marked "
            "confidential"
        ),
    )


def add_keep_firms(parser: argparse.ArgumentParser) -> None:
    """Add :data:`KEEP_FIRMS` to ``mstatlas share``."""
    parser.add_argument(
        KEEP_FIRMS,
        dest="include_firm_rows",
        action="store_true",
        help=_(
            "also store a firm list's firm rows (names, positions, head counts) with the "
            "shared dataset, for everyone who opens the link (default: only the clusters)"
        ),
    )


def protect(
    result: UploadResult | StreamResult, rules: DisclosureRules | None = None
) -> ProtectedClusters | None:
    """The clusters of a firm list with confidential figures blank; ``None`` for a cluster table.

    Parameters
    ----------
    result : UploadResult or StreamResult
        What reading the file gave: its firm rows, or (read in chunks) the
        figures kept per cluster.
    rules : DisclosureRules, optional
        Default: :meth:`DisclosureRules.from_env`.
    """
    if result.kind != "firms" or result.clusters is None:
        return None
    figures = getattr(result, "figures", None)
    if figures is None:
        firms = getattr(result, "firms", None)
        figures = cluster_figures(result.clusters, firms, result.mapping)
    return protect_clusters(result.clusters, figures, rules or DisclosureRules.from_env())


def clusters_to_output(result: UploadResult | StreamResult, off: bool) -> gpd.GeoDataFrame:
    """The cluster table a command may print or write, saying on stderr what was done.

    Parameters
    ----------
    result : UploadResult or StreamResult
        What reading the file gave.
    off : bool
        The owner passed :data:`OPT_OUT`: the figures as they are.
    """
    assert result.clusters is not None
    if result.kind != "firms":
        return result.clusters
    if off:
        print(_("note: {note}").format(note=_(OFF_WARNING)), file=sys.stderr)
        return result.clusters
    protected = protect(result)
    assert protected is not None
    print(_("note: {note}").format(note=protected.public_note()), file=sys.stderr)
    return protected.clusters


def read_for_output(file: Path, off: bool) -> tuple[gpd.GeoDataFrame, UploadResult]:
    """Read a data file as the commands print it: a firm list's figures protected.

    Raises
    ------
    DataError
        When no row of the file could be imported (the report's summary says why).
    """
    from mstatlas.io import read_upload

    result = read_upload(file)
    if result.clusters.empty:
        raise DataError(result.report.summary())
    return clusters_to_output(result, off), result


def owner_lines(result: UploadResult | StreamResult, off: bool) -> list[str]:
    """``validate``'s section for the owner: which clusters are confidential and why."""
    if result.kind != "firms" or result.clusters is None or not len(result.clusters):
        return []
    if off:
        return [_("Confidentiality: {note}").format(note=_(OFF_WARNING))]
    protected = protect(result)
    assert protected is not None
    lines = [_("Confidentiality: {note}").format(note=protected.summary())]
    for row in protected.owner_table().itertuples(index=False):
        firms = ngettext("{n} firm", "{n} firms", int(row.firms)).format(n=fmt_int(row.firms))
        lines.append("  " + _("confidential: {name} ({id}, {firms}): {reason}").format(
            name=row.cluster_name, id=row.cluster_id, firms=firms, reason=row.reason
        ))  # fmt: skip
    if protected.n_coarsened:
        n = protected.n_coarsened
        lines.append(
            "  "
            + ngettext(
                "{n} cluster of fewer than {k} firms is placed to about a kilometre (their "
                "firms' own positions are not shown).",
                "{n} clusters of fewer than {k} firms are placed to about a kilometre (their "
                "firms' own positions are not shown).",
                n,
            ).format(n=fmt_int(n), k=fmt_int(protected.rules.min_firms))
        )
    if protected.n_confidential:
        lines.append(
            "  "
            + _(
                "Shares, embeds, exports and the other commands show these figures as "
                "'confidential'; --no-disclosure-control shows them on your own computer."
            )
        )
    return lines


def owner_json(result: UploadResult | StreamResult, off: bool) -> dict[str, Any]:
    """``validate --format json``'s ``disclosure`` entry (empty for a cluster table)."""
    if result.kind != "firms" or result.clusters is None or not len(result.clusters):
        return {}
    if off:
        return {"disclosure": {"applied": False, "note": _(OFF_WARNING)}}
    protected = protect(result)
    assert protected is not None
    table = protected.owner_table()
    return {
        "disclosure": {
            "applied": True,
            "summary": protected.summary(),
            "min_firms": protected.rules.min_firms,
            "dominance": protected.rules.dominance,
            "confidential": [
                {
                    "cluster_id": str(r.cluster_id),
                    "cluster_name": str(r.cluster_name),
                    "firms": int(r.firms),
                    "rule": str(r.rule),
                    "reason": str(r.reason),
                }
                for r in table.itertuples(index=False)
            ],  # fmt: skip
            "positions_coarsened": protected.n_coarsened,
            "public_note": protected.public_note(),
        }
    }
