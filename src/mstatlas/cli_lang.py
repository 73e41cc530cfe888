"""The command line's language: ``--lang de|en``, else the locale's.

``--lang`` is read before the argument parser is built (:func:`output_language`),
so that the parser's help texts are already in that language; the real parser
declares it too (:func:`add_lang_option`), so that ``--help`` lists it.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from mstatlas.i18n import LANGUAGES, N_, _, language_from_environment

#: Help of the global ``--lang`` option.
LANG_HELP = N_("language of the output: en or de (default: the locale, e.g. LANG=de_DE.UTF-8)")


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    """Declare ``--lang`` on the ``mstatlas`` parser (read earlier by :func:`output_language`)."""
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help=_(LANG_HELP))


def output_language(argv: Sequence[str]) -> tuple[str, list[str]]:
    """The language to print in and the arguments without ``--lang``.

    Parameters
    ----------
    argv : sequence of str
        The command line after the program name; ``--lang de``, ``--lang=de``
        may stand anywhere in it.

    Returns
    -------
    tuple
        ``(language, rest)``: ``--lang``'s value, else the locale's language
        (:func:`mstatlas.i18n.language_from_environment`); ``rest`` is the command
        line without ``--lang`` and its value.

    Raises
    ------
    SystemExit
        With code 2 (and argparse's message) when ``--lang`` names a language
        the atlas does not speak.
    """
    pre = argparse.ArgumentParser(prog="mstatlas", add_help=False)
    pre.add_argument("--lang", choices=LANGUAGES, default=None)
    known, _unknown = pre.parse_known_args(list(argv))
    rest: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--lang":
            skip = True
        elif not arg.startswith("--lang="):
            rest.append(arg)
    return known.lang or language_from_environment(), rest
