"""Stage: every cluster gets an id — the file's own, or one made from its name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mstatlas.data.codes import combine_codes, text_codes
from mstatlas.data.firms import slugify
from mstatlas.data.schema import coerce_clusters, empty_clusters
from mstatlas.io.context import Context
from mstatlas.io.text import arrow_text, as_strings, to_numpy_mask


def assign_cluster_ids(ctx: Context) -> None:
    """Give each row of ``ctx.table`` its cluster's id; set ``ctx.clusters``.

    The table becomes the canonical cluster table
    (:func:`mstatlas.data.schema.coerce_clusters`), EPSG:4326.
    """
    table = ctx.table
    table["cluster_id"] = cluster_ids(table)
    table = table.drop(columns=["_given_id"], errors="ignore")
    ctx.table = table
    ctx.clusters = coerce_clusters(table) if len(table) else empty_clusters()


def cluster_ids(table: pd.DataFrame) -> pd.Series:
    """Slug of the name (or the file's id); distinct clusters with equal slugs get -2, -3.

    A cluster is one (name, city) up to case, or one valid id of the file
    (``_given_id``: lower-case letters, digits, "_" and "-"). The work is done
    per distinct cluster: rows only receive their cluster's id.

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``cluster_name``, ``city`` and optionally ``_given_id``.

    Returns
    -------
    pandas.Series
        A ``string`` column of ids, aligned with ``table``.
    """
    n = len(table)
    if n == 0:
        return pd.Series([], dtype="string", index=table.index)
    names = table["cluster_name"].astype("string")
    name_codes, name_uniques = pd.factorize(names, use_na_sentinel=False)
    name_text = [str(v) for v in name_uniques]  # str(NA) as before: "<NA>"
    name_cf, _ = pd.factorize(pd.Series([t.casefold() for t in name_text], dtype="object"))
    # a missing city and an empty one are the same ("" as before)
    city_text = table["city"].astype("string").fillna("")
    city_uniq_codes, city_uniques = pd.factorize(city_text)
    city_cf, _ = pd.factorize(pd.Series([str(v).casefold() for v in city_uniques], dtype=object))
    city_codes = city_cf[city_uniq_codes]
    given = table["_given_id"].astype("string") if "_given_id" in table.columns else None
    valid = np.zeros(n, dtype=bool)
    if given is not None:
        valid = to_numpy_mask(pc.match_substring_regex(arrow_text(given), r"^[a-z0-9_-]+$"))
    # key: ("id", given id) for rows with a valid id, else (casefolded name, city)
    key = combine_codes([name_cf[name_codes], city_codes])
    if given is not None and valid.any():
        id_codes = text_codes(given, trim=False)[0]
        key = np.where(valid, -1 - id_codes, key)
    key_codes, _ = pd.factorize(key)
    first = np.flatnonzero(~pd.Series(key_codes).duplicated(keep="first").to_numpy())
    # base slug of each distinct cluster: its id, or the slug of its first row's name
    first_given = given.iloc[first].tolist() if given is not None else [None] * len(first)
    slugs = slug_names(name_text)
    base = [
        str(gid) if ok else slugs[nc]
        for ok, gid, nc in zip(valid[first], first_given, name_codes[first], strict=True)
    ]
    final = number_repeats(base)
    return as_strings(pa.array(final, pa.large_string()).take(pa.array(key_codes)), table.index)


def number_repeats(base: list[str]) -> list[str]:
    """Each slug made unique: the second cluster called "x" becomes "x-2", and so on.

    Examples
    --------
    >>> number_repeats(["a", "b", "a", "a-2"])
    ['a', 'b', 'a-2', 'a-2-2']
    """
    if len(set(base)) == len(base):
        return base  # no two clusters share a slug: nothing to number
    final = []
    owner: dict[str, int] = {}
    for k, b in enumerate(base):
        slug, m = b, 1
        while slug in owner and owner[slug] != k:
            m += 1
            slug = f"{b}-{m}"
        owner[slug] = k
        final.append(slug)
    return final


def slug_names(names: list[str]) -> list[str]:
    """:func:`mstatlas.data.firms.slugify` of each name; ASCII names in one Arrow pass."""
    arr = pa.array(names, pa.large_string())
    ascii_ = to_numpy_mask(pc.string_is_ascii(arr))
    fast = pc.replace_substring_regex(pc.ascii_lower(arr), r"[^a-z0-9]+", "-")
    fast = pc.utf8_trim(fast, "-").to_pylist()
    return [
        (f or "cluster") if is_ascii else slugify(nm)
        for nm, f, is_ascii in zip(names, fast, ascii_, strict=True)
    ]
