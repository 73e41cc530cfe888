"""Argument types shared by the command line's sub-commands.

argparse calls a ``type=`` function with the text typed after an option; the
function returns the value or raises :class:`argparse.ArgumentTypeError` with a
message argparse prints after the option's name ("argument --top: must be 1 or
more, got 0").
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from mstatlas.data.schema import COUNTS_WHAT
from mstatlas.i18n import _


def whole_number(minimum: int, *, digit_groups: bool = False) -> Callable[[str], int]:
    """An argparse type for a whole number of at least ``minimum``.

    Parameters
    ----------
    minimum
        The smallest value accepted.
    digit_groups
        Also accept ``_`` and ``,`` between digits (``10_000_000``, ``10,000,000``),
        for options that take row counts.

    Returns
    -------
    Callable[[str], int]
        The parser to pass as ``type=``.
    """

    def parse(text: str) -> int:
        cleaned = text.replace("_", "").replace(",", "") if digit_groups else text
        try:
            value = int(cleaned)
        except ValueError:
            raise argparse.ArgumentTypeError(
                _("expected a whole number, got {text!r}").format(text=text)
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(
                _("must be {minimum} or more, got {value}").format(minimum=minimum, value=value)
            )
        return value

    parse.__name__ = f"whole number ≥ {minimum}"
    return parse


def kinds_of_figures(text: str) -> tuple[str, ...] | None:
    """Kinds of figures from ``national,regional`` (``None`` for ``all``).

    Raises
    ------
    argparse.ArgumentTypeError
        When a kind is unknown or none is given; the message lists the known kinds.
    """
    if text.strip().lower() == "all":
        return None
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    bad = [k for k in kinds if k not in COUNTS_WHAT]
    if bad or not kinds:
        raise argparse.ArgumentTypeError(
            _("unknown kind(s) {bad}; choose from {kinds} or 'all'").format(
                bad=", ".join(bad) or _("(none)"), kinds=", ".join(COUNTS_WHAT)
            )
        )
    return kinds
