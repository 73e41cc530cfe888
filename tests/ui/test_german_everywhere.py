"""Every page opened in German shows no English text that the catalogue translates.

The catalogue-completeness test checks texts marked with ``_()``; this one checks
what a German reader actually sees, so a text shown without ``_()`` (or translated
in the wrong thread, or cached in English) fails here.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from ui.app_helpers import PAGES

from mstatlas import i18n

PO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "mstatlas.po"


def _english_only() -> set[str]:
    """English texts the catalogue says read differently in German (no placeholders)."""
    with open(PO, "rb") as f:
        catalogue = read_po(f, locale="de")
    found = set()
    for m in catalogue:
        if not m.id or isinstance(m.id, tuple) or not m.string or m.string == m.id:
            continue
        # whole texts with at least two words and no placeholder can be looked for as they are
        if "{" not in m.id and len(m.id.split()) >= 2 and "%" not in m.id:
            found.add(m.id)
    return found


ENGLISH = _english_only()


def _shown(at) -> list[str]:
    """Every text the run drew: bodies, labels, help texts, options and captions."""
    seen: list[str] = []
    for node in at.main, at.sidebar:
        for el in node:
            _collect(el, seen)
    return seen


def _collect(el, seen: list[str]) -> None:
    proto = getattr(el, "proto", None)
    for attr in ("body", "label", "help", "placeholder", "value", "text"):
        value = getattr(proto, attr, None) if proto is not None else None
        if isinstance(value, str) and value:
            seen.append(value)
    for option in getattr(proto, "options", []) or []:
        if isinstance(option, str):
            seen.append(option)
    for child in getattr(el, "children", {}).values() if hasattr(el, "children") else ():
        _collect(child, seen)


def _english_in(texts: list[str]) -> list[str]:
    found = set()
    for text in texts:
        clean = re.sub(r"[*_`\\]", "", text).strip()
        for msgid in ENGLISH:
            if clean == msgid or (len(msgid) > 25 and msgid in clean):
                found.add(msgid)
    return sorted(found)


PAGE_FILES = [
    "map",
    "ranking",
    "compare",
    "countries",
    "firm_clusters",
    "upload",
    "sources",
    "present",
]


def test_the_check_finds_english_on_an_english_page(app):
    app.query_params["sel"] = "dortmund"
    at = app.run()
    assert _english_in(_shown(at)), "the check saw no English on an English page"


@pytest.mark.usefixtures("own_database")
@pytest.mark.parametrize("page", PAGE_FILES)
def test_a_german_page_shows_no_english_text(app, page):
    app.query_params["lang"] = "de"
    app.query_params["sel"] = "dortmund"
    if page == "compare":
        app.query_params["cmp"] = "dortmund,twente"
    at = app.run()
    # AppTest re-applies widgets' format functions in the test's thread: German there too
    with i18n.language("de"):
        if page != "map":
            at.switch_page(f"{PAGES}/{page}.py").run()
    assert not at.exception
    shown = _shown(at)
    assert len(shown) > 5
    assert _english_in(shown) == []
