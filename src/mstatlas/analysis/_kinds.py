"""Which kinds of figures an analysis compares, and how to say it (shared helpers)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from mstatlas.analysis.provenance import in_sentence, or_list
from mstatlas.analysis.ranking import LIKE_WITH_LIKE, default_kinds
from mstatlas.data.schema import COUNTS_WHAT
from mstatlas.i18n import _

Kinds = tuple[str, ...] | None


def resolve_kinds(clusters: pd.DataFrame, counts: Iterable[str] | str | None, by: str) -> Kinds:
    """The kinds compared, as :func:`~mstatlas.analysis.ranking.rank_clusters` reads ``counts``.

    ``None`` (all kinds mixed) stays ``None``; :data:`LIKE_WITH_LIKE` becomes the
    kind :func:`~mstatlas.analysis.ranking.default_kinds` picks for measure ``by``;
    a single kind may be given as a string.
    """
    if counts is None:
        return None
    if isinstance(counts, str):
        return default_kinds(clusters, by) if counts == LIKE_WITH_LIKE else (counts,)
    return tuple(counts)


def kinds_phrase(kinds: Kinds) -> str:
    """``"counting cluster firms"``, ``"of any kind"``; ``"in this table"`` for no kind."""
    if kinds is None:
        return _("of any kind")
    if not kinds:
        return _("in this table")
    names = or_list(in_sentence(COUNTS_WHAT.get(k, k)) for k in kinds)
    return _("counting {kinds}").format(kinds=names)


def kinds_label(kinds: Kinds) -> str:
    """``"Cluster firms"``, ``"Cluster firms + Network members"``, ``"All kinds mixed"``."""
    if kinds is None:
        return _("All kinds mixed")
    return " + ".join(COUNTS_WHAT.get(k, k) for k in kinds) or _("No kind")
