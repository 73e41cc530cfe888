"""The command line's language: ``--lang de|en``, else the locale's.

``--lang`` is read before the argument parser is built (:func:`output_language`),
so that the parser's help texts are already in that language; the real parser
declares it too (:func:`add_lang_option`), so that ``--help`` lists it.
argparse writes a few words of its own ("usage:", "options", "show this help
message and exit"); :func:`localise_parser` has them said in the active language
(its error messages stay English: argparse offers no hook for them).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence

from mstatlas.i18n import LANGUAGES, N_, _, language_from_environment

#: Help of the global ``--lang`` option.
LANG_HELP = N_("language of the output: en or de (default: the locale, e.g. LANG=de_DE.UTF-8)")


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    """Declare ``--lang`` on the ``mstatlas`` parser (read earlier by :func:`output_language`)."""
    parser.add_argument("--lang", choices=LANGUAGES, default=None, help=_(LANG_HELP))


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with "usage: " in the active language."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)


def localise_parser(parser: argparse.ArgumentParser) -> None:
    """Have argparse's own words in ``parser`` and its subcommands' parsers said in the
    active language: the usage prefix, the section titles and ``-h``'s help."""
    parsers = [parser]
    while parsers:
        p = parsers.pop()
        p.formatter_class = _HelpFormatter
        for group in p._action_groups:
            if group.title in _GROUP_TITLES:
                group.title = _(_GROUP_TITLES[group.title])
        for action in p._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = _("show this help message and exit")
            elif isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())


#: argparse's section titles (Python 3.10+ says "options").
_GROUP_TITLES = {
    "positional arguments": N_("positional arguments"),
    "options": N_("options"),
    "optional arguments": N_("options"),
}


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
