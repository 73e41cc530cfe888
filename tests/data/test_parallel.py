from __future__ import annotations

import threading

import pytest

from mstatlas.data import parallel
from mstatlas.data.parallel import TWO_THREADS_FROM, run_all


def test_results_come_back_in_the_order_of_the_work():
    work = [lambda i=i: i * i for i in range(7)]
    assert run_all(work, rows=TWO_THREADS_FROM) == [i * i for i in range(7)]
    assert run_all(work, rows=10) == [i * i for i in range(7)]


def test_a_large_table_s_work_runs_on_two_threads_at_once():
    # each piece waits for the other: only two threads at the same time get past
    meet = threading.Barrier(2, timeout=30)
    threads: list[int] = []

    def piece() -> int:
        threads.append(threading.get_ident())
        return meet.wait()

    assert sorted(run_all([piece, piece], rows=TWO_THREADS_FROM)) == [0, 1]
    assert len(set(threads)) == 2 and threading.get_ident() not in threads


def test_a_small_table_s_work_runs_on_this_thread():
    here = threading.get_ident()
    assert run_all([threading.get_ident] * 3, rows=TWO_THREADS_FROM - 1) == [here] * 3


def test_a_failure_of_any_piece_is_raised(monkeypatch):
    monkeypatch.setattr(parallel, "TWO_THREADS_FROM", 1)

    def bad() -> int:
        raise ValueError("the second piece failed")

    with pytest.raises(ValueError, match="second piece"):
        run_all([lambda: 1, bad], rows=5)


def test_work_on_the_other_thread_speaks_the_caller_s_language(monkeypatch):
    """Messages made on a worker thread (e.g. the aggregation's method text) stay German."""
    from mstatlas.i18n import current_language, language

    monkeypatch.setattr(parallel, "TWO_THREADS_FROM", 1)
    meet = threading.Barrier(2, timeout=30)

    def spoken() -> str:
        meet.wait()  # both pieces at once: one of them on another thread
        return current_language()

    with language("de"):
        assert run_all([spoken, spoken], rows=5) == ["de", "de"]
    assert run_all([spoken, spoken], rows=5) == ["en", "en"]
