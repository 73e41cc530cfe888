"""Row selections of one whole table, and the per-row facts they share.

A filter change hands the analysis a new selection of the same dataset's rows
(:func:`~mstatlas.analysis.filters.apply_filters` and
:func:`~mstatlas.analysis.asof.as_of` keep the original index and file order).
What a row says — its figure, how it is written, where the headline rule puts
it among its cluster's figures — does not depend on which other rows are
selected. Inside :func:`rows_of` such facts are worked out once per whole table
(:func:`whole_facts`, kept for the few tables last used) and a selection reads
them at its rows' positions (:func:`positions`) instead of working them out again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")

#: The whole table of which the tables analysed in a :func:`rows_of` block are selections.
_WHOLE: ContextVar[pd.DataFrame | None] = ContextVar("mstatlas_whole_table", default=None)

#: How many whole tables keep their facts (the datasets last viewed).
_KEPT = 8
_FACTS: OrderedDict[int, tuple[pd.DataFrame, dict[Hashable, Any]]] = OrderedDict()
_LOCK = threading.Lock()


@contextmanager
def rows_of(whole: pd.DataFrame) -> Iterator[None]:
    """Within this block, tables that are row selections of ``whole`` share its per-row facts.

    ``whole`` must not change while its facts are kept: pass a cached, read-only
    table (a dataset's cluster table). A table that is not a selection of it
    (other columns, rows it does not have, rows in another order) is analysed
    on its own, as outside the block.
    """
    token = _WHOLE.set(whole)
    try:
        yield
    finally:
        _WHOLE.reset(token)


def whole_table() -> pd.DataFrame | None:
    """The whole table of the :func:`rows_of` block in force, if any."""
    return _WHOLE.get()


def positions(part: pd.DataFrame) -> np.ndarray | None:
    """Positions of ``part``'s rows in the whole table of the :func:`rows_of` block.

    ``None`` outside a block, or when ``part`` is not a selection of the whole
    table in its file order (same columns, index labels it has, increasing).
    """
    whole = _WHOLE.get()
    if whole is None:
        return None
    if part is whole:
        return np.arange(len(whole))
    if len(part) > len(whole) or not part.columns.equals(whole.columns):
        return None
    at = whole.index.get_indexer(part.index) if whole.index.is_unique else None
    if at is None or (len(at) and (at.min() < 0 or (np.diff(at) <= 0).any())):
        return None
    return np.asarray(at, dtype=np.int64)


def whole_facts(key: Hashable, make: Callable[[pd.DataFrame], T]) -> T:
    """``make(whole)`` for the whole table in force, made once per table and ``key``.

    Must be called inside :func:`rows_of`. ``key`` says everything the answer
    depends on besides the table (e.g. the measure, the language).
    """
    whole = _WHOLE.get()
    if whole is None:
        raise RuntimeError("whole_facts() needs a rows_of() block")
    with _LOCK:
        kept = _FACTS.get(id(whole))
        if kept is None or kept[0] is not whole:
            kept = (whole, {})  # the table is kept with its facts: its id is not re-used
            _FACTS[id(whole)] = kept
        _FACTS.move_to_end(id(whole))
        while len(_FACTS) > _KEPT:
            _FACTS.popitem(last=False)
        facts = kept[1]
        if key in facts:
            return facts[key]
    made = make(whole)  # outside the lock: another session may make the same, harmlessly
    with _LOCK:
        return facts.setdefault(key, made)


def lookup(values: Any, keys: Any) -> np.ndarray:
    """The position of each of ``values`` among ``keys`` (unique texts), -1 where absent.

    One hash look-up in Arrow (``pyarrow.compute.index_in``): several times faster than
    building a pandas index of the keys for a new table of texts each time.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def arrow(texts: Any) -> pa.Array:
        array = getattr(texts, "array", texts)
        if isinstance(array, np.ndarray | list):
            return pa.array(array, type=pa.large_string(), from_pandas=True)
        return pa.array(array).cast(pa.large_string())

    try:
        found = pc.index_in(arrow(values), value_set=arrow(keys))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all texts: pandas looks them up
        return np.asarray(pd.Index(np.asarray(keys, dtype=object)).get_indexer(values))
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)
