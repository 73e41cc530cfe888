"""Group codes: equal codes exactly when the cleaned texts are equal."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from mstatlas.data.codes import combine_codes, fold_codes, text_codes

TEXTS = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(["Dortmund", "dortmund", " Dortmund ", "München", "MÜNCHEN", "", "  "]),
        st.text(max_size=4),
    ),
    max_size=40,
)


def _clean(v: object, fold: bool) -> str | None:
    if not isinstance(v, str) or not v.strip():
        return None
    v = v.strip()
    return v.lower() if fold else v


@given(TEXTS, st.booleans(), st.booleans())
def test_codes_follow_the_cleaned_text(values, fold, mostly_distinct):
    s = pd.Series(values, dtype="string")
    codes, uniques = text_codes(s, fold=fold, mostly_distinct=mostly_distinct)
    cleaned = [_clean(v, fold) for v in values]
    # every code points at its row's cleaned text; missing and blank are -1
    assert [uniques[c] if c >= 0 else None for c in codes] == cleaned
    # numbered in order of first appearance
    seen = list(dict.fromkeys(int(c) for c in codes if c >= 0))
    assert seen == list(range(len(uniques)))


def test_untrimmed_codes_keep_spaces_and_case():
    s = pd.Series(["Bonn", " Bonn", "bonn", None], dtype="string")
    codes, uniques = text_codes(s, trim=False)
    assert codes.tolist() == [0, 1, 2, -1] and uniques == ["Bonn", " Bonn", "bonn"]
    assert fold_codes(codes, uniques).tolist() == [0, 1, 0, -1]


@given(st.lists(st.tuples(st.integers(-1, 5), st.integers(-1, 3), st.integers(-1, 2)), max_size=50))
def test_combined_keys_are_equal_exactly_for_equal_tuples(rows):
    parts = [np.array([r[i] for r in rows], dtype=np.int64) for i in range(3)]
    key = combine_codes(parts) if rows else np.array([], dtype=np.int64)
    for i in range(len(rows)):
        for j in range(len(rows)):
            assert (key[i] == key[j]) == (rows[i] == rows[j])


def test_combined_keys_do_not_overflow_with_wide_codes():
    big = np.array([2**40, 2**40, 5, 2**40], dtype=np.int64)
    key = combine_codes([big, big, np.array([1, 1, 1, 2])])
    assert key[0] == key[1] and len({key[0], key[2], key[3]}) == 3
