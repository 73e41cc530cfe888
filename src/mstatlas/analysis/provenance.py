"""How a figure says where it comes from, when, and where it ranks: short text helpers.

Every page, chart, map and the command line word sources, years and ranks the
same way: a source's short name with the years of its figures ("IVAM (2007,
2008)"), "undated" for a figure without a year, "=2nd of 10" for a shared rank.
These helpers sit below the analysis and mapping modules that use them, so
neither has to import the other for a word. Plain Python and pandas only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Final

import pandas as pd

from mstatlas.i18n import N_, _, current_language, fmt_int

#: Source titles read "Article (Publisher, date)"; the bracket at the end names the publisher.
_TRAILING_BRACKET: Final = re.compile(r"\(([^()]*)\)\s*$")
_NO_NAME: Final = re.compile(r"[\d\s.,:;/–-]*")
#: Longest short source name before it is cut with "…".
SHORT_SOURCE_LIMIT: Final = 40
NO_SOURCE: Final = N_("source not stated")
#: What a figure without a year shows in place of its year.
UNDATED: Final = N_("undated")


def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


# --- sources -----------------------------------------------------------------------------


def short_source(title: object, limit: int = SHORT_SOURCE_LIMIT) -> str:
    """A short name for a source where its full reference does not fit (captions, slides).

    The atlas' source titles read "Article title (Publisher, date)": the short
    name is the publisher, the first part inside the closing bracket. Any other
    title is used as it is. Names longer than ``limit`` characters are cut with
    "…"; a blank title gives :data:`NO_SOURCE`.

    >>> short_source("Winziger geht's kaum (Halterner Zeitung, 18.02.2008)")
    'Halterner Zeitung'
    >>> short_source("Annual report (2019)")
    'Annual report'
    """
    if not isinstance(title, str) or not title.strip():
        return _(NO_SOURCE)
    text = " ".join(title.split())
    name = text
    found = _TRAILING_BRACKET.search(text)
    if found:
        publisher = re.split(r"[,;]", found.group(1))[0].strip()
        before = text[: found.start()].strip()
        if publisher and not _NO_NAME.fullmatch(publisher):
            name = publisher
        elif before:
            name = before
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def years_text(years: Sequence[int], undated: bool) -> str:
    """The years of one source's figures: ``"2007, 2008"``, ``"2016–2026, undated"``.

    Parameters
    ----------
    years : sequence of int
        Distinct years, ascending. More than three are given as a span.
    undated : bool
        Whether some of the source's figures have no year.

    >>> years_text([2016, 2017, 2019, 2026], True)
    '2016–2026, undated'
    """
    parts = []
    if len(years) > 3:
        parts.append(f"{years[0]}–{years[-1]}")
    elif years:
        parts.append(", ".join(str(y) for y in years))
    if undated:
        parts.append(_(UNDATED))
    return ", ".join(parts)


def sources_with_years(titles: Iterable[object], years: Iterable[object]) -> list[str]:
    """Each source's short name with the years of its figures, in order of first appearance.

    ``titles`` and ``years`` run in parallel, one entry per figure shown, e.g.
    ``["Kennispark Twente (2022)", "Münsterland Zeitung (2007)", "IVAM (undated)"]``.
    More than three years of one source are given as a span ("2016–2026").
    """
    seen: dict[str, tuple[set[int], list[bool]]] = {}
    for title, year in zip(titles, years):
        yrs, undated = seen.setdefault(short_source(title), (set(), [False]))
        if year is None or pd.isna(year):
            undated[0] = True
        else:
            yrs.add(int(year))  # type: ignore[call-overload]
    return [f"{name} ({years_text(sorted(y), u[0])})" for name, (y, u) in seen.items()]


# --- years -------------------------------------------------------------------------------


def year_text(year: Any) -> str:
    """``"2007"``, or ``"undated"`` for a figure without a year."""
    return _(UNDATED) if _blank(year) else str(int(year))


def year_texts(years: pd.Series) -> pd.Series:
    """:func:`year_text` for a column of years (``"undated"`` where the source gives none)."""
    return years.astype("string").fillna(_(UNDATED))


def year_range_text(first: Any, last: Any) -> str:
    """A range of years: ``"2007"``, ``"2007–2010"``, ``"from 2007"``, ``"up to 2010"``.

    Either end may be blank (``None`` or NaN); both blank give ``""``.

    >>> year_range_text(2007, 2010), year_range_text(2007, 2007.0), year_range_text(None, 2010)
    ('2007–2010', '2007', 'up to 2010')
    """
    lo = None if _blank(first) else int(first)
    hi = None if _blank(last) else int(last)
    if lo is not None and hi is not None:
        return str(lo) if lo == hi else f"{lo}–{hi}"
    if lo is not None:
        return _("from {year}").format(year=lo)
    return "" if hi is None else _("up to {year}").format(year=hi)


# --- ranks and articles ------------------------------------------------------------------


def ordinal(n: int) -> str:
    """``1 -> '1st'``, ``2 -> '2nd'``, ``11 -> '11th'``; in German ``'1'`` ("auf Rang 1 von 3")."""
    if current_language() != "en":  # the suffixes are English; German says "Rang 3 von 12"
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: object, of_n: int, tied: bool = False) -> str:
    """A rank in words: ``"3rd of 12"``, ``"=2nd of 12"`` when shared, else ``"not ranked"``."""
    if _blank(rank):
        return _("not ranked")
    place = ("=" if tied else "") + ordinal(int(rank))  # type: ignore[call-overload,operator]
    return _("{rank} of {n}").format(rank=place, n=fmt_int(of_n))


def rank_texts(ranks: Iterable[object], tied: Iterable[bool]) -> list[str]:
    """Ranks as a table shows them: ``"2"``, ``"=2"`` for a shared rank."""
    return [f"={r}" if t else str(r) for r, t in zip(ranks, tied)]


def with_article(phrase: str) -> str:
    """``'employees figure' -> 'an employees figure'``, ``'firms figure' -> 'a firms figure'``.

    By the first letter (enough for the measure names; not for words like "hour").
    English only: German sentences are written whole, with their own articles.
    """
    return f"{'an' if phrase[:1].lower() in 'aeiou' else 'a'} {phrase}"


def in_sentence(label: str) -> str:
    """A label inside a sentence: lower case in English ("cluster firms"), as it is in
    German, where nouns keep their capital ("Cluster-Unternehmen")."""
    return label.lower() if current_language() == "en" else label


def and_list(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (``und`` in German)."""
    names = list(items)
    if len(names) < 2:
        return "".join(names)
    return _("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def or_list(items: Iterable[str]) -> str:
    """``a``, ``a or b``, ``a or b or c`` (``oder`` in German)."""
    names = list(items)
    text = names[0] if names else ""
    for name in names[1:]:
        text = _("{left} or {right}").format(left=text, right=name)
    return text
