"""Turn a firm list (one row per firm) into cluster rows (one per city or cluster).

Counting rule: a cluster's firm count is the number of distinct firm rows in
the group; its employee figure is the sum over the firms whose head count is
known, flagged "at least" when some are unknown; the note says for how many
firms employees were known and lists the technology mix.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

#: Above this many firms the aggregation runs in DuckDB (faster, less memory).
DUCKDB_THRESHOLD = 200_000

FIRM_COLUMNS = (
    "row",
    "name",
    "cluster",
    "city",
    "country_iso2",
    "region",
    "lat",
    "lon",
    "employees",
    "technology",
    "year",
    "source_title",
    "source_url",
)


def slugify(text: str) -> str:
    """ASCII, lower-case identifier: ``'Villingen-Schwenningen MST'`` -> ``'villingen-schwenningen-mst'``."""
    s = unicodedata.normalize(
        "NFKD", str(text).replace("ß", "ss").replace("ł", "l").replace("Ł", "L")
    )
    s = s.encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "cluster"


def _method(by: str, n_firms: int, n_groups: int) -> str:
    group = "cluster column" if by == "cluster" else "city (and country)"
    return (
        f"{n_firms:,} firms were grouped by {group} into {n_groups:,} clusters. Firms = number "
        "of firm rows in the group; employees = sum over firms with a known head count "
        "(marked 'at least' when some are unknown; the note says for how many firms it was "
        "known); position = mean of the firms' coordinates (their city's coordinates when a "
        "firm had none); year = latest year given."
    )


def aggregate_firms(firms: pd.DataFrame, by: str = "city") -> tuple[pd.DataFrame, str]:
    """Aggregate firm rows into canonical cluster rows.

    Parameters
    ----------
    firms : pandas.DataFrame
        Cleaned firm rows with (some of) the columns :data:`FIRM_COLUMNS`;
        ``lat``/``lon`` must be filled (from the file or geocoding).
    by : {"city", "cluster"}
        Group by city and country, or by the file's cluster column.

    Returns
    -------
    tuple
        ``(cluster rows with canonical column names, method text)``. The rows
        have ``counts_what == "cluster_firms"``; ``cluster_id`` is left for the
        caller (it depends on all rows of the upload).
    """
    if by not in ("city", "cluster"):
        raise ValueError(f"by must be 'city' or 'cluster', not {by!r}")
    df = firms.copy()
    for col in FIRM_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    # The group key as an integer code: equal codes <=> equal (trimmed, lower-case) text.
    # Folding runs over the distinct values only, not over every firm row.
    if by == "cluster":
        df["_key"] = _folded_codes(df["cluster"], na=None)
    else:
        city = _folded_codes(df["city"], na="")
        country, _ = pd.factorize(df["country_iso2"].astype("string").fillna(""))
        pair = city.astype(np.int64) * (int(country.max(initial=0)) + 1) + country
        df["_key"] = pd.factorize(pair)[0].astype(np.int64)
    out = _aggregate_duckdb(df, by) if len(df) >= DUCKDB_THRESHOLD else _aggregate_pandas(df, by)
    return out, _method(by, len(df), len(out))


def _folded_codes(values: pd.Series, na: str | None) -> np.ndarray:
    """Codes of ``values`` after strip + lower case; NA is -1, or the code of ``na``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes, uniques = pd.factorize(values.astype("string"))
    if len(uniques):
        arr = pa.array(pd.Series(uniques).astype("string").array)
        folded = pc.utf8_lower(pc.utf8_trim_whitespace(arr)).to_pandas()
    else:
        folded = pd.Series([], dtype="object")
    if na is not None:
        folded = pd.concat([pd.Series(folded, dtype="object"), pd.Series([na], dtype="object")])
        codes = np.where(codes < 0, len(uniques), codes)
    fcodes, _ = pd.factorize(pd.Series(folded, dtype="object").reset_index(drop=True))
    return np.where(codes < 0, -1, fcodes[np.maximum(codes, 0)]).astype(np.int64)


def _aggregate_pandas(df: pd.DataFrame, by: str) -> pd.DataFrame:
    g = df.groupby("_key", sort=False, dropna=False)
    emp = pd.to_numeric(df["employees"], errors="coerce")
    agg = pd.DataFrame(
        {
            "n": g.size(),
            "k": emp.notna().groupby(df["_key"], sort=False, dropna=False).sum(),
            "employees": emp.groupby(df["_key"], sort=False, dropna=False).sum(min_count=1),
            "lat": pd.to_numeric(df["lat"], errors="coerce").groupby(df["_key"], sort=False).mean(),
            "lon": pd.to_numeric(df["lon"], errors="coerce").groupby(df["_key"], sort=False).mean(),
            "year": pd.to_numeric(df["year"], errors="coerce")
            .groupby(df["_key"], sort=False)
            .max(),
        }
    )
    for col in ("cluster", "city", "country_iso2", "region", "source_title", "source_url"):
        agg[col] = _mode(df, col)
    tech = _tech_mix(df)
    agg["tech"] = tech.reindex(agg.index)
    return _finish(agg.reset_index(drop=True), by)


def _mode(df: pd.DataFrame, col: str) -> pd.Series:
    s = df[["_key", col]].dropna()
    s = s[s[col].astype("string").str.strip() != ""]
    if s.empty:
        return pd.Series(dtype="object")
    counts = s.groupby(["_key", col], sort=False).size().reset_index(name="n")
    counts = counts.sort_values(["_key", "n"], ascending=[True, False], kind="stable")
    return counts.drop_duplicates("_key").set_index("_key")[col]


def _tech_mix(df: pd.DataFrame) -> pd.Series:
    t = df[["_key", "technology"]].dropna()
    t = t[t["technology"].astype("string").str.strip() != ""]
    if t.empty:
        return pd.Series(dtype="object")
    counts = t.groupby(["_key", "technology"], sort=False).size().reset_index(name="n")
    counts = counts.sort_values(["_key", "n", "technology"], ascending=[True, False, True])
    counts["txt"] = counts["technology"].astype(str) + " " + counts["n"].astype(str)
    return counts.groupby("_key", sort=False)["txt"].agg(", ".join)


def _finish(agg: pd.DataFrame, by: str) -> pd.DataFrame:
    n = agg["n"].astype("int64")
    k = agg["k"].astype("int64")
    notes = "Aggregated from " + n.astype(str) + " firms in the uploaded list; employees known for "
    notes = notes + k.astype(str) + " of " + n.astype(str) + " firms"
    tech = agg.get("tech")
    if tech is not None:
        has = tech.notna()
        notes = notes.where(~has, notes + "; technology mix: " + tech.astype("string"))
    name = agg["cluster"].astype("string") if by == "cluster" else agg["city"].astype("string")
    emp = agg["employees"].where(k > 0)
    return pd.DataFrame(
        {
            "cluster_name": name,
            "city": agg["city"],
            "region": agg["region"],
            "country_iso2": agg["country_iso2"],
            "lat": agg["lat"].astype("float64"),
            "lon": agg["lon"].astype("float64"),
            "firms": n,
            "employees": emp.round().astype("Int64") if len(emp) else emp,
            "firms_qualifier": pd.NA,
            "employees_qualifier": pd.Series(
                np.where((k > 0) & (k < n), "at_least", ""), dtype="string"
            ).replace("", pd.NA),
            "counts_what": "cluster_firms",
            "year": agg["year"].astype("Float64").round().astype("Int64")
            if len(agg)
            else agg["year"],
            "source_title": agg["source_title"],
            "source_url": agg["source_url"],
            "note": notes.astype("string"),
        }
    )


def _aggregate_duckdb(df: pd.DataFrame, by: str) -> pd.DataFrame:
    import duckdb
    import pyarrow as pa

    con = duckdb.connect()
    try:
        # An Arrow table is scanned in place; a pandas frame of Arrow text is not.
        try:
            table = pa.Table.from_pandas(df[["_key", *FIRM_COLUMNS]], preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            table = df[["_key", *FIRM_COLUMNS]]
        con.register("firms", table)
        agg = con.execute(
            """
            SELECT _key,
                   count(*) AS n,
                   count(TRY_CAST(employees AS DOUBLE)) AS k,
                   sum(TRY_CAST(employees AS DOUBLE)) AS employees,
                   avg(TRY_CAST(lat AS DOUBLE)) AS lat,
                   avg(TRY_CAST(lon AS DOUBLE)) AS lon,
                   max(TRY_CAST(year AS DOUBLE)) AS year,
                   mode(NULLIF(trim(CAST(cluster AS VARCHAR)), '')) AS cluster,
                   mode(NULLIF(trim(CAST(city AS VARCHAR)), '')) AS city,
                   mode(NULLIF(trim(CAST(country_iso2 AS VARCHAR)), '')) AS country_iso2,
                   mode(NULLIF(trim(CAST(region AS VARCHAR)), '')) AS region,
                   mode(NULLIF(trim(CAST(source_title AS VARCHAR)), '')) AS source_title,
                   mode(NULLIF(trim(CAST(source_url AS VARCHAR)), '')) AS source_url,
                   min(row) AS first_row
            FROM firms GROUP BY _key ORDER BY first_row
            """
        ).df()
        tech = con.execute(
            """
            WITH t AS (
              SELECT _key, CAST(technology AS VARCHAR) AS tech, count(*) AS n FROM firms
              WHERE technology IS NOT NULL AND trim(CAST(technology AS VARCHAR)) <> ''
              GROUP BY ALL)
            SELECT _key, string_agg(tech || ' ' || n, ', ' ORDER BY n DESC, tech) AS tech
            FROM t GROUP BY _key
            """
        ).df()
    finally:
        con.close()
    agg = agg.merge(tech, on="_key", how="left")
    return _finish(agg, by)
