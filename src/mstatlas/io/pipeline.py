"""The checks of an upload, in the order they run: :data:`STAGES`.

Each stage is one module of :mod:`mstatlas.io.stages` with one function
``stage(ctx)``; :func:`run_stages` runs them over one
:class:`~mstatlas.io.context.Context`, reporting progress (and checking the time
budget) where a stage says so. To find a check, find its stage here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mstatlas.i18n import N_, _
from mstatlas.io.context import Context
from mstatlas.io.stages.aggregate_firms import aggregate_firms
from mstatlas.io.stages.apply_overrides import apply_overrides
from mstatlas.io.stages.assign_cluster_ids import assign_cluster_ids
from mstatlas.io.stages.build_report import build_report
from mstatlas.io.stages.check_coordinates import check_coordinates
from mstatlas.io.stages.check_counts_what import check_counts_what
from mstatlas.io.stages.check_links import check_links
from mstatlas.io.stages.check_qualifiers import check_qualifiers
from mstatlas.io.stages.check_shape import check_shape
from mstatlas.io.stages.check_text import check_text
from mstatlas.io.stages.code_texts import code_texts
from mstatlas.io.stages.detect_kind import detect_kind
from mstatlas.io.stages.drop_blank_rows import drop_blank_rows
from mstatlas.io.stages.find_duplicates import find_duplicates
from mstatlas.io.stages.geocode import geocode
from mstatlas.io.stages.map_columns import map_columns
from mstatlas.io.stages.match_countries import match_countries
from mstatlas.io.stages.normalise_text import normalise_text
from mstatlas.io.stages.parse_numbers import parse_numbers
from mstatlas.io.stages.profile_facts import profile_facts
from mstatlas.io.stages.require_columns import require_columns
from mstatlas.io.stages.tabulate_clusters import tabulate_clusters
from mstatlas.io.stages.warn_outside_europe import warn_outside_europe


@dataclass(frozen=True)
class Stage:
    """One named step of the pipeline.

    Attributes
    ----------
    name : str
        The stage's name (its module in :mod:`mstatlas.io.stages`).
    run : callable
        ``run(ctx)``: does the stage's one job on the context.
    progress : tuple of (float, str) or None
        ``(fraction, message)`` reported before the stage runs.
    """

    name: str
    run: Callable[[Context], None]
    progress: tuple[float, str] | None = None


#: The stages in the order they run.
STAGES: tuple[Stage, ...] = (
    Stage("normalise_text", normalise_text, (0.3, N_("Checking rows"))),
    Stage("drop_blank_rows", drop_blank_rows),
    Stage("check_shape", check_shape),
    Stage("map_columns", map_columns),
    Stage("detect_kind", detect_kind),
    Stage("require_columns", require_columns),
    Stage("parse_numbers", parse_numbers),
    Stage("check_coordinates", check_coordinates),
    Stage("check_text", check_text),
    Stage("check_counts_what", check_counts_what),
    Stage("check_qualifiers", check_qualifiers),
    Stage("check_links", check_links),
    Stage("code_texts", code_texts),
    Stage("match_countries", match_countries),
    Stage("apply_overrides", apply_overrides, (0.5, N_("Checking duplicates"))),
    Stage("warn_outside_europe", warn_outside_europe),
    Stage("find_duplicates", find_duplicates),
    Stage("geocode", geocode, (0.6, N_("Geocoding cities"))),
    Stage("aggregate_firms", aggregate_firms, (0.85, N_("Building the cluster table"))),
    Stage("tabulate_clusters", tabulate_clusters),
    Stage("assign_cluster_ids", assign_cluster_ids),
    Stage("profile_facts", profile_facts),
    Stage("build_report", build_report),
)


def run_stages(ctx: Context) -> Context:
    """Run every stage of :data:`STAGES` once, in order, then report "Done".

    Parameters
    ----------
    ctx : Context
        A context just started (:meth:`Context.start`).

    Returns
    -------
    Context
        The same context, with the cluster table and the report.

    Raises
    ------
    mstatlas.errors.DataError
        When a stage finds the file unusable as a whole, or time runs out.
    """
    for stage in STAGES:
        if stage.progress is not None:
            fraction, message = stage.progress
            ctx.step(fraction, _(message))
        stage.run(ctx)
    ctx.step(1.0, _("Done"))
    return ctx
