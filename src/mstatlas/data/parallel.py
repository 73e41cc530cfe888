"""Column work of a large table on two cores.

The checks of an upload are column work: Arrow kernels and numpy operations
over a million values, which let go of the interpreter while they run. Two such
pieces of work that do not depend on each other can run side by side, one per
core, as Polars or DuckDB would run them. A small table is not worth a thread:
it runs one piece after the other, on the calling thread.

Only for work that lets go of the interpreter for most of its time; Python
loops on two threads take longer than one after the other.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

#: From this many rows on, :func:`run_all` runs its work on two threads.
TWO_THREADS_FROM = 50_000


def run_all(work: Sequence[Callable[[], Any]], rows: int) -> list[Any]:
    """Every callable of ``work`` run once; their results, in the same order.

    Parameters
    ----------
    work : sequence of callables
        Independent pieces of column work (none reads what another writes).
        Put the longest first: the two threads take the next piece as they free.
    rows : int
        How many rows the work is over: below :data:`TWO_THREADS_FROM` everything
        runs on this thread, one after the other.

    Returns
    -------
    list
        ``[w() for w in work]``; an exception of any piece is raised here.

    Examples
    --------
    >>> run_all([lambda: 1, lambda: 2], rows=10)
    [1, 2]
    """
    if rows < TWO_THREADS_FROM or len(work) < 2:
        return [w() for w in work]
    # each piece runs in a copy of this thread's context: the language of messages
    # (a context variable) is the caller's on the other thread too
    contexts = [contextvars.copy_context() for _ in work]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="mstatlas-columns") as pool:
        return list(pool.map(_call, contexts, work))


def _call(context: contextvars.Context, w: Callable[[], Any]) -> Any:
    return context.run(w)
