"""Save and load a 100,000-row canonical dataset in SQLite and in PostgreSQL.

Run: ``python benchmarks/bench_store.py [--rows N] [--repeat K]``. PostgreSQL is a
throwaway server started with ``tests/postgres_server.py`` (normal, crash-safe
settings); it is skipped with a note when the server binaries are missing.
Prints a table and writes ``benchmarks/results/store.json``. Never asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from postgres_server import PostgresUnavailable, postgres_server  # noqa: E402

from mstatlas.data.schema import COUNTS_WHAT, coerce_clusters  # noqa: E402
from mstatlas.store import DatasetStore, SharedDataset  # noqa: E402


def canonical_frame(n: int) -> pd.DataFrame:
    """A realistic canonical table: text with repeats, blanks, Int64 with NA."""
    rng = np.random.default_rng(42)
    cities = np.array(["Dortmund", "München", "Göteborg", "Besançon", "Łódź", "Eindhoven"])
    firms = pd.array(rng.integers(1, 400, n), dtype="Int64")
    firms[rng.random(n) < 0.3] = pd.NA
    return coerce_clusters(
        pd.DataFrame(
            {
                "cluster_id": [f"cluster-{i}" for i in range(n)],
                "cluster_name": [f"MST cluster {i}" for i in range(n)],
                "city": cities[rng.integers(0, len(cities), n)],
                "region": None,
                "country_iso2": rng.choice(["DE", "FR", "SE", "PL", "NL"], n),
                "lat": rng.uniform(36, 69, n),
                "lon": rng.uniform(-9, 30, n),
                "firms": firms,
                "employees": pd.array(rng.integers(5, 20_000, n), dtype="Int64"),
                "counts_what": rng.choice(list(COUNTS_WHAT), n),
                "year": rng.integers(2000, 2025, n),
                "source_title": "Benchmark data (synthetic)",
                "source_url": "https://example.org/source",
                "note": np.where(rng.random(n) < 0.1, "figure rounded by the source", None),
            }
        )
    )


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="mstatlas-bench-") as tmp:
        yield f"sqlite:///{tmp}/bench.sqlite"


def bench(url: str, ds: SharedDataset, repeat: int) -> dict[str, float]:
    store = DatasetStore(url, max_bytes=1 << 30)
    store.count()  # create tables outside the timings
    saves, loads = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        saved = store.save(ds)
        t1 = time.perf_counter()
        loaded = store.load(saved.id)
        t2 = time.perf_counter()
        assert len(loaded.clusters) == len(ds.clusters)  # correctness, not timing
        saves.append(t1 - t0)
        loads.append(t2 - t1)
    with store.engine.connect() as conn:
        from sqlalchemy import func, select

        from mstatlas.store.schema import shared_datasets

        stored = conn.scalar(select(func.max(shared_datasets.c.n_bytes)))
    store.close()
    return {
        "save_s_median": statistics.median(saves),
        "save_s_best": min(saves),
        "load_s_median": statistics.median(loads),
        "load_s_best": min(loads),
        "stored_bytes": int(stored or 0),
    }


def codec_only(ds: SharedDataset, repeat: int) -> dict[str, float]:
    """Time spent without any database: checking + Parquet encoding, decoding + rebuilding."""
    from mstatlas.store.encoding import encode, parquet_to_frame

    enc, dec = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        payload = encode(ds)
        t1 = time.perf_counter()
        coerce_clusters(parquet_to_frame(payload.clusters))
        t2 = time.perf_counter()
        enc.append(t1 - t0)
        dec.append(t2 - t1)
    return {"encode_s_median": statistics.median(enc), "decode_s_median": statistics.median(dec)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    frame = canonical_frame(args.rows)
    ds = SharedDataset(name="benchmark", clusters=frame, meta={"kind": "clusters"})
    in_memory = int(frame.drop(columns="geometry").memory_usage(deep=True).sum())
    results: dict[str, object] = {
        "rows": args.rows,
        "repeat": args.repeat,
        "in_memory_bytes": in_memory,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "backends": {},
    }
    backends: dict[str, dict[str, float]] = {}
    with sqlite_url() as url:
        backends["sqlite (WAL, file)"] = bench(url, ds, args.repeat)
    try:
        with postgres_server(durable=True) as url:
            backends["postgresql (local server)"] = bench(url, ds, args.repeat)
    except PostgresUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}")
    results["backends"] = backends
    codec = codec_only(ds, args.repeat)
    results["codec_only"] = codec

    print(f"{args.rows:,} rows, {in_memory / 1e6:.1f} MB in memory, {args.repeat} runs each")
    print(
        f"{'backend':28} {'save median':>12} {'save best':>10} {'load median':>12} "
        f"{'load best':>10} {'stored':>10}"
    )
    for name, r in backends.items():
        print(
            f"{name:28} {r['save_s_median']:>11.3f}s {r['save_s_best']:>9.3f}s "
            f"{r['load_s_median']:>11.3f}s {r['load_s_best']:>9.3f}s "
            f"{r['stored_bytes'] / 1e6:>8.2f}MB"
        )
    print(
        f"of which no database (check + Parquet): encode {codec['encode_s_median']:.3f}s, "
        f"decode + rebuild geometry {codec['decode_s_median']:.3f}s"
    )
    out = ROOT / "benchmarks" / "results" / "store.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
