"""The country table: a country as people write it -> its ISO 3166-1 alpha-2 code.

:func:`country_to_iso2` reads "Deutschland", "Allemagne", "UK" or "DEU";
:func:`country_name` gives the English short name of a code; :func:`country_codes`
lists every code the table knows. Names come from pycountry in twelve EU
languages, plus the short forms in :data:`_COUNTRY_SYNONYMS`.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from typing import Final

from mstatlas.data.normalise import plain_text
from mstatlas.i18n import current_language

_COUNTRY_SYNONYMS: Final[dict[str, str]] = {
    "uk": "GB",
    "u k": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "grossbritannien": "GB",
    "angleterre": "GB",
    "grande bretagne": "GB",
    "united kingdom": "GB",
    "el": "GR",
    "holland": "NL",
    "the netherlands": "NL",
    "brd": "DE",
    "czech republic": "CZ",
    "tschechische republik": "CZ",
    "republique tcheque": "CZ",
    "russia": "RU",
    "usa": "US",
    "u s a": "US",
    "us": "US",
    "america": "US",
    "turkey": "TR",
    "turkei": "TR",
    "moldova": "MD",
    "macedonia": "MK",
    "kosovo": "XK",
    "vatican": "VA",
}

_LANGUAGES: Final = ("de", "fr", "it", "es", "nl", "pl", "pt", "sv", "da", "fi", "cs", "en")


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    import pycountry

    index: dict[str, str] = {}

    def add(name: str | None, code: str) -> None:
        if name:
            index.setdefault(plain_text(name), code)

    countries = list(pycountry.countries)
    for c in countries:
        add(c.alpha_2, c.alpha_2)
        add(c.alpha_3, c.alpha_2)
    for c in countries:
        for attr in ("name", "common_name", "official_name"):
            add(getattr(c, attr, None), c.alpha_2)
    for lang in _LANGUAGES:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in countries:
            for attr in ("name", "common_name", "official_name"):
                value = getattr(c, attr, None)
                if value:
                    add(tr.gettext(value), c.alpha_2)
    for k, v in _COUNTRY_SYNONYMS.items():
        index[plain_text(k)] = v
    return index


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code the country table knows."""
    return frozenset(_country_index().values())


def country_name(iso2: str) -> str:
    """The short name of a country code in the active language ("DE" -> "Germany" /
    "Deutschland", from pycountry's ISO 3166 catalogues); the code if unknown."""
    return _country_name(str(iso2), current_language())


@lru_cache(maxsize=1024)
def _country_name(iso2: str, lang: str) -> str:
    import pycountry

    found = pycountry.countries.get(alpha_2=iso2.upper()) if iso2 else None
    if found is None:
        return iso2
    english = str(getattr(found, "common_name", None) or found.name)
    return english if lang == "en" else _iso3166(lang).gettext(english)


@lru_cache(maxsize=4)
def _iso3166(lang: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)


def country_to_iso2(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country as people write it.

    Parameters
    ----------
    text : str
        An ISO code ("DE", "DEU"), an English, German, French (and other
        EU-language) name ("Germany", "Deutschland", "Allemagne",
        "Vereinigtes Königreich") or a common short form ("UK", "EL").

    Returns
    -------
    str or None
        The upper-case two-letter code, or ``None`` if the text is not a
        country the atlas knows.

    Examples
    --------
    >>> country_to_iso2("Allemagne"), country_to_iso2("UK"), country_to_iso2("Mars")
    ('DE', 'GB', None)
    """
    if text is None:
        return None
    key = plain_text(text)
    if not key:
        return None
    if len(key) == 2 and key not in _COUNTRY_SYNONYMS:
        # an ISO code ("DE") is the table's own entry: no need to build the whole table
        # of names in twelve languages (~80 ms) for a file that writes countries as codes
        code = _alpha_2_codes().get(key)
        if code is not None:
            return code
    return _country_index().get(key)


@lru_cache(maxsize=1)
def _alpha_2_codes() -> dict[str, str]:
    """Every ISO 3166-1 alpha-2 code of pycountry, keyed by its plain (lower-case) form."""
    import pycountry

    return {c.alpha_2.lower(): c.alpha_2 for c in pycountry.countries}
