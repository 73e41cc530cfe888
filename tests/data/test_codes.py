"""Group codes: equal codes exactly when the cleaned texts are equal."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mstatlas.data import codes as codes_module
from mstatlas.data import parallel as parallel_module
from mstatlas.data.codes import (
    combine_codes,
    first_duplicates,
    fold_codes,
    one_array,
    renumber,
    row_hashes,
    text_codes,
    text_hashes,
)


@pytest.fixture
def patch_codes() -> Iterator[Callable[[str, object], None]]:
    """Set a module attribute for one test (hypothesis reruns a test body, so no monkeypatch)."""
    saved = {k: getattr(codes_module, k) for k in ("_row_hashes", "HASH_ROWS_FROM", "_HASH_BLOCK")}

    def use(name: str, value: object) -> None:
        setattr(codes_module, name, value)

    yield use
    for k, v in saved.items():
        setattr(codes_module, k, v)


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


def _first_duplicates_by_hand(rows: list[tuple]) -> tuple[list[int], list[int]]:
    first: dict[tuple, int] = {}
    later, of = [], []
    for i, r in enumerate(rows):
        if r in first:
            later.append(i)
            of.append(first[r])
        else:
            first[r] = i
    return later, of


ROWS = st.lists(
    st.tuples(
        st.one_of(
            st.none(), st.sampled_from(["Alpha", "alpha", "Beta", "", "Łódź"]), st.text(max_size=3)
        ),
        st.integers(-1, 3),
    ),
    max_size=60,
)


@pytest.mark.parametrize(
    "hashing", ["none (small input)", "real", "numpy (Polars not loaded)", "all hashes equal"]
)
# set per example; no deadline: the first example loads Polars
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(rows=ROWS)
def test_first_duplicates_finds_exactly_the_repeated_rows(hashing, rows, patch_codes):
    patch_codes("HASH_ROWS_FROM", 0 if hashing != "none (small input)" else 10**9)
    if hashing == "all hashes equal":
        # every row collides: the exact comparison alone must tell rows apart
        patch_codes("_row_hashes", lambda parts: np.zeros(len(parts[0]), dtype=np.uint64))
    if hashing.startswith("numpy"):
        patch_codes("_row_hashes", row_hashes)
    names = pa.array([r[0] for r in rows], pa.large_string())
    codes = np.array([r[1] for r in rows], dtype=np.int64)
    later, first = first_duplicates([names, codes])
    want_later, want_first = _first_duplicates_by_hand(rows)
    assert later.tolist() == want_later
    assert first.tolist() == want_first


@given(st.lists(st.integers(0, 70_000), max_size=80), st.booleans())
def test_renumber_is_factorize(keys, huge):
    key = np.array(keys, dtype=np.int64)
    if huge and len(key):
        key = key * 10**9  # too wide for the table: the hash-table way
    codes, first = renumber(key)
    want = pd.factorize(key)[0] if len(key) else np.array([], dtype=np.int64)
    assert codes.tolist() == want.tolist()
    assert first.tolist() == [int(np.flatnonzero(want == g)[0]) for g in range(len(set(keys)))]


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(
                alphabet=st.sampled_from(["a", "ß", " ", "\t", "\u00a0", "\u2003", "\x1f", "x"]),
                max_size=5,
            ),
        ),
        max_size=30,
    ),
    st.integers(0, 3),
)
def test_trimming_is_skipped_only_when_it_changes_nothing(values, offset):
    import pyarrow.compute as pc

    from mstatlas.data.codes import may_need_trim

    arr = pa.array(["  pad  "] * offset + values, pa.large_string())[offset:]  # a sliced array
    half = len(values) // 2
    for column in (arr, pa.chunked_array([arr[:half], arr[half:]], arr.type)):
        if not may_need_trim(column):
            assert pc.utf8_trim_whitespace(column).to_pylist() == values
    stripped = [v.strip() if isinstance(v, str) else v for v in values]
    if stripped != values:
        assert may_need_trim(arr)
        assert may_need_trim(pa.chunked_array([arr[:half], arr[half:]], arr.type))


@pytest.mark.parametrize("space", ["\u0085", "\u00a0", "\u1680", "\u2003", "\u2029", "\u3000"])
def test_unicode_spaces_at_either_end_ask_for_trimming(space):
    from mstatlas.data.codes import may_need_trim

    for values in ([space + "Jena"], ["Jena" + space], ["Calvià", "é" + space], [space]):
        assert may_need_trim(pa.array(values, pa.large_string()))


def test_accented_letters_at_the_ends_need_no_trimming():
    from mstatlas.data.codes import may_need_trim

    # "é" ends in the same byte as U+2029 and "à" as U+00A0: the byte before tells them apart
    names = ["Hradec Králové", "Calvià", "Örebro", "Ærø", "Jena", ""]
    assert not may_need_trim(pa.array(names, pa.large_string()))


def test_one_array_keeps_a_single_chunk_and_joins_several() -> None:
    single = pa.chunked_array([pa.array(["a", "b"])])
    data = one_array(single).buffers()[2]
    assert data.address == single.chunk(0).buffers()[2].address  # the same bytes, no copy
    several = pa.chunked_array([pa.array(["a"]), pa.array(["b", None])])
    assert one_array(several).to_pylist() == ["a", "b", None]


HASHED_TEXTS = st.lists(
    st.one_of(
        st.none(),
        st.sampled_from(["", "a", "abcdefgh", "abcdefghi", "Müller GmbH", "x" * 17, "x" * 24]),
        st.text(max_size=20),
    ),
    max_size=40,
)


@given(HASHED_TEXTS, st.integers(0, 3), st.booleans())
def test_equal_texts_have_equal_hashes(values, offset, large):
    """Whatever the array's type, offset (a slice) or block: the hash follows the text."""
    kind = pa.large_string() if large else pa.string()
    arr = pa.array(["  pad  "] * offset + values, kind)[offset:]
    hashes = text_hashes(arr).tolist()
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if a == b:
                assert hashes[i] == hashes[j]
    # the same texts in another array (its own buffers and offsets) hash the same
    assert text_hashes(pa.array(values, pa.string())).tolist() == hashes


def test_texts_differing_in_any_byte_hash_apart():
    """Not a promise (hashes may collide), but the mix must see every byte and the length."""
    base = "Mikrosystemtechnik Dortmund GmbH"
    variants = [base, "", "M", base[:-1], base + " "]
    variants += [base[:i] + "#" + base[i + 1 :] for i in range(len(base))]
    assert len(set(text_hashes(pa.array(variants)).tolist())) == len(variants)
    assert text_hashes(pa.array([None, ""])).tolist()[0] != text_hashes(pa.array([""]))[0]


def test_row_hashes_cover_every_part_and_every_block(patch_codes):
    patch_codes("_HASH_BLOCK", 3)  # rows hashed a few at a time: blocks must line up
    names = pa.array(["a", "b", "a", "a", None, None, "a"], pa.large_string())
    codes = np.array([1, 1, 1, 2, -1, -1, 1], dtype=np.int64)
    h = row_hashes([names, codes]).tolist()
    assert h[0] == h[2] == h[6] and h[4] == h[5]
    assert len({h[0], h[1], h[3], h[4]}) == 4


def test_row_hashes_are_the_same_on_one_thread_and_on_two(monkeypatch, patch_codes):
    """A large table's rows are hashed in two halves, one per thread: the same hashes."""
    patch_codes("_HASH_BLOCK", 4)  # several blocks in either half, the halves split mid-table
    n = 50
    names = pa.array([None if i % 7 == 0 else f"firm {i % 13}" for i in range(n)], pa.string())
    codes = np.arange(n, dtype=np.int64) % 5
    monkeypatch.setattr(parallel_module, "TWO_THREADS_FROM", 10**9)
    one = row_hashes([names, codes])
    monkeypatch.setattr(parallel_module, "TWO_THREADS_FROM", 1)
    two = row_hashes([names, codes])
    assert two.tolist() == one.tolist()
    # and every row got its own hash (none left from the empty output array)
    assert two.tolist() == [row_hashes([names[i : i + 1], codes[i : i + 1]])[0] for i in range(n)]


def test_an_upload_hashes_rows_without_loading_polars():
    """A fresh process checks a large file's duplicates without importing Polars (0.2-0.3 s)."""
    code = (
        "import sys\n"
        "from mstatlas.data import codes\n"
        "from mstatlas.io import read_upload\n"
        "codes.HASH_ROWS_FROM = 0\n"
        "r = read_upload(b'Firma,Ort,Land\\nA,Dortmund,DE\\nB,Dortmund,DE\\na,dortmund,DE\\n',"
        " filename='f.csv')\n"
        "print('polars' in sys.modules, [p.row for p in r.report.problems if 'duplicate' in p.reason])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False [4]"
