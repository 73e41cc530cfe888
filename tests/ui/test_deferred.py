"""Texts made before the language is known are said in the language of the run showing them."""

from __future__ import annotations

import copy
import pickle

from ui.app_helpers import APP, PAGES

from mstatlas.i18n import language
from mstatlas.ui.deferred import Count, Deferred, joined, said
from mstatlas.ui.urlstate import parse_query

BAD_VIEW_EN = (
    "Ignored link parameter view='100,7,8': latitude 100 is out of range (-90 to 90). "
    "Using the default (the whole of Europe)."
)
BAD_VIEW_DE = (
    "Link-Parameter view='100,7,8' ignoriert: Breitengrad 100 liegt außerhalb des Bereichs "
    "(-90 bis 90). Verwendet wird der Standard (ganz Europa)."
)


def test_a_link_notice_is_english_text_said_again_in_german():
    _, notices = parse_query({"view": "100,7,8"})
    assert notices == [BAD_VIEW_EN]  # what logs and comparisons see
    with language("de"):
        assert said(notices[0]) == BAD_VIEW_DE
    assert said(notices[0]) == BAD_VIEW_EN


def test_counts_are_written_per_language_and_plain_text_stays_as_it_is():
    text = Deferred("{n} of {m}", n=Count(10000), m="Dortmund")
    assert text == "10,000 of Dortmund"
    with language("de"):
        assert said(text) == "10.000 of Dortmund"
        assert said("Dortmund MST cluster") == "Dortmund MST cluster"
        assert said(joined([Deferred("all years"), "DE"])) == "alle Jahre, DE"
    assert joined(["DE", "NL"]) == "DE, NL" and not isinstance(joined(["DE"]), Deferred)


def test_copies_and_pickles_keep_what_is_needed_to_say_it_again():
    _, notices = parse_query({"view": "100,7,8"})
    for again in (copy.deepcopy(notices[0]), pickle.loads(pickle.dumps(notices[0]))):
        assert again == BAD_VIEW_EN
        with language("de"):
            assert said(again) == BAD_VIEW_DE


def test_the_page_shows_the_link_notice_in_german():
    from streamlit.testing.v1 import AppTest

    with language("de"):  # AppTest formats widget options in the test's own thread
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params["lang"] = "de"
        at.query_params["view"] = "100,7,8"
        at.switch_page(f"{PAGES}/sources.py").run()
    assert not at.exception
    assert [w.value for w in at.warning] == [BAD_VIEW_DE]
