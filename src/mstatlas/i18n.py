"""Languages: the one place that knows which language is spoken and how numbers are written.

Texts go through standard gettext catalogues (``mstatlas/locale/<lang>/LC_MESSAGES/
mstatlas.po``, compiled to ``.mo``; ``make translations`` extracts and updates them
with Babel's tooling). Numbers and dates are written by Babel for the active locale
(2,100 in English, 2.100 in German).

The active language is a context variable: the app sets it at the start of every
script run from the view, the command line from ``--lang`` or the locale. Code that
runs outside either (a library call, a new thread) speaks English.

Writing translatable code:

- ``_("Firms")`` where a text is used; ``ngettext(one, many, n)`` for plurals.
- Placeholders are named and filled after translation:
  ``_("{n} clusters shown").format(n=fmt_int(n))`` (an f-string cannot be translated).
- A text defined at import time (a table, a constant) is marked with ``N_("...")``
  and translated where it is shown: ``_(TABLE[key])``.
- A cached function whose result holds texts takes the language as an argument
  (``lang=current_language()``), so German and English users never share a result.
"""

from __future__ import annotations

import gettext as _gettext
import locale as _locale
import operator
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel import dates as _bdates
from babel import numbers as _bnumbers

#: Languages the atlas speaks, in the order the switch offers them.
LANGUAGES: tuple[str, ...] = ("en", "de")
DEFAULT_LANGUAGE = "en"
#: How each language names itself (the switch shows these, not translated).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "de": "Deutsch"}
#: Babel locale used for numbers and dates in each language.
_LOCALES: dict[str, str] = {"en": "en_GB", "de": "de_DE"}
DOMAIN = "mstatlas"
LOCALE_DIR = Path(__file__).with_name("locale")

_active: ContextVar[str] = ContextVar("mstatlas_language", default=DEFAULT_LANGUAGE)


def normalise_language(text: str | None) -> str | None:
    """The supported language a locale or language tag names, or ``None``.

    ``"de-DE"``, ``"de_AT.UTF-8"`` and ``"DE"`` all give ``"de"``; ``"fr-FR"`` gives ``None``.
    """
    if not text:
        return None
    code = text.strip().replace("-", "_").split("_")[0].split(".")[0].lower()
    return code if code in LANGUAGES else None


def set_language(lang: str | None) -> str:
    """Make ``lang`` the active language (an unsupported one falls back to English)."""
    chosen = normalise_language(lang) or DEFAULT_LANGUAGE
    _active.set(chosen)
    return chosen


def current_language() -> str:
    """The active language code (``"en"`` or ``"de"``)."""
    return _active.get()


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside the block, then whatever was spoken before."""
    token = _active.set(normalise_language(lang) or DEFAULT_LANGUAGE)
    try:
        yield _active.get()
    finally:
        _active.reset(token)


def language_from_environment() -> str:
    """The language of the process's locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``), else English."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        found = normalise_language(os.environ.get(var, "").split(":")[0])
        if found:
            return found
    try:
        found = normalise_language(_locale.getlocale()[0])
    except ValueError:
        found = None
    return found or DEFAULT_LANGUAGE


@cache
def _translations(lang: str) -> _gettext.NullTranslations:
    if lang == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """``message`` in the active language (the English text when no translation exists)."""
    return _translations(_active.get()).gettext(message)


def gettext(message: str) -> str:
    """Same as :func:`_`."""
    return _(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a text for ``n``, in the active language.

    ``n`` may be any whole number, a NumPy integer too (gettext's plural rules
    want a Python ``int``).
    """
    return _translations(_active.get()).ngettext(singular, plural, operator.index(n))


def pgettext(context: str, message: str) -> str:
    """``message`` translated in ``context`` (for a word with two meanings)."""
    return _translations(_active.get()).pgettext(context, message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a text for translation where it is defined; translate it with ``_()`` where shown."""
    return message


class Labels(Mapping[str, str]):
    """A vocabulary's labels (key -> English text marked with ``N_``), translated when read.

    ``LABELS[key]``, ``LABELS.get(key)`` and ``LABELS.items()`` give the active
    language's text; iteration gives the keys, in the order they were defined.
    """

    def __init__(self, labels: Mapping[str, str]) -> None:
        self._labels = dict(labels)

    def __getitem__(self, key: str) -> str:
        text = self._labels[key]
        return _(text) if text else text

    def __iter__(self) -> Iterator[str]:
        return iter(self._labels)

    def __len__(self) -> int:
        return len(self._labels)

    def english(self, key: str) -> str:
        """The English label (for machine-readable exports whose columns stay English)."""
        return self._labels[key]


def babel_locale(lang: str | None = None) -> Locale:
    """The Babel locale for numbers and dates in ``lang`` (default: the active language)."""
    return Locale.parse(_LOCALES[lang or _active.get()])


def fmt_int(value: int | float) -> str:
    """A whole number with the locale's thousands separator: 2,100 / 2.100."""
    return _bnumbers.format_decimal(round(value), locale=babel_locale(), group_separator=True)


def fmt_decimal(value: float, digits: int = 1) -> str:
    """A number with up to ``digits`` decimals: 1,234.5 / 1.234,5."""
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return _bnumbers.format_decimal(value, format=pattern, locale=babel_locale())


def fmt_fixed(value: float, digits: int = 1) -> str:
    """A number with exactly ``digits`` decimals: 2.0 / 2,0."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return _bnumbers.format_decimal(value, format=pattern, locale=babel_locale())


def fmt_percent(value: float, digits: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.052 -> 5.2% / 5,2 %; ``signed`` adds + for growth."""
    text = _bnumbers.format_percent(
        round(value, digits + 2), locale=babel_locale(), decimal_quantization=False
    )
    return ("+" + text) if signed and value > 0 else text


def fmt_date(value: date | datetime, form: str = "medium") -> str:
    """A date in the locale's words: 3 Dec 2026 / 03.12.2026."""
    return _bdates.format_date(value, format=form, locale=babel_locale())


def decimal_separator() -> str:
    """The locale's decimal separator ("." or ",")."""
    return _bnumbers.get_decimal_symbol(babel_locale())
