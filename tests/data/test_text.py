"""Bidirectional control characters are removed from text that is shown or exported."""

from __future__ import annotations

import pandas as pd
import pytest

from mstatlas.data.text import (
    BIDI_CONTROLS,
    escape_html,
    has_bidi,
    strip_bidi,
    strip_bidi_frame,
    strip_bidi_value,
)

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: draws what follows reversed

#: Every code point the brief names, written out by hand (not derived from the code).
NAMED = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings, overrides, pop
    "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
    "\u200e", "\u200f", "\u061c",  # marks
]  # fmt: skip


@pytest.mark.parametrize("control", NAMED)
def test_each_control_is_removed(control):
    assert strip_bidi(f"Silicon{control} Saxony") == "Silicon Saxony"
    assert has_bidi(f"a{control}b")


def test_the_set_is_exactly_the_named_controls():
    assert frozenset(NAMED) == BIDI_CONTROLS


def test_reversed_file_name_reads_in_stored_order():
    assert strip_bidi(f"Cluster{RLO}gnp.exe") == "Clustergnp.exe"


@pytest.mark.parametrize(
    "text",
    [
        "Dortmund",
        "Łódź · Besançon – Göteborg",
        "מקבץ חיפה",  # Hebrew letters are drawn right to left without any control
        "عنقود",
        "\u200b zero width space and \u200d joiner are not bidi controls",
        "",
    ],
)
def test_other_text_is_unchanged(text):
    assert strip_bidi(text) == text
    assert not has_bidi(text)


def test_value_leaves_numbers_and_blanks():
    assert strip_bidi_value(12) == 12
    assert strip_bidi_value(None) is None
    assert strip_bidi_value(f"a{RLO}b") == "ab"


def test_frame_cleans_text_cells_and_names_and_keeps_types():
    frame = pd.DataFrame(
        {
            f"name{RLO}": [f"A{RLO}gnp.exe", None, "B"],
            "firms": [3, 4, 5],
            "mixed": [1, "x\u2066y\u2069", float("nan")],
        }
    )
    out = strip_bidi_frame(frame)
    assert list(out.columns) == ["name", "firms", "mixed"]
    assert out["name"].tolist()[0] == "Agnp.exe" and out["name"].tolist()[2] == "B"
    assert pd.isna(out["name"].iloc[1])
    assert out["firms"].tolist() == [3, 4, 5] and out["firms"].dtype == frame["firms"].dtype
    assert out["mixed"].iloc[0] == 1 and out["mixed"].iloc[1] == "xy"
    assert frame.iloc[0, 0] == f"A{RLO}gnp.exe"  # the input is not changed


def test_clean_frame_is_returned_as_is():
    frame = pd.DataFrame({"name": ["A", "B"], "n": [1, 2]})
    assert strip_bidi_frame(frame) is frame


def test_escape_html_strips_then_escapes():
    assert escape_html(f"<b>{RLO}x</b> & co") == "&lt;b&gt;x&lt;/b&gt; &amp; co"
    assert escape_html(12) == "12"
