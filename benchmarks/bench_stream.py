"""Streaming benchmark: 'mstatlas aggregate' on a 10,000,000-firm register (about 400 MB).

Generates the firm list of ``bench_upload.py`` (same columns, cities and
distribution), ten times the usual million rows, written 100,000 rows at a
time; then runs ``mstatlas aggregate FILE -o clusters.csv`` in a fresh process
and prints its time, peak memory (``resource.getrusage`` of the child process)
and rows per second. The target is a peak of at most 2 GB. The progress bar
shows on the terminal (the child's stderr). Writes ``benchmarks/results/stream.json``;
never asserts time.

    python benchmarks/bench_stream.py [--rows 10000000] [--chunk-rows 250000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_upload import cities, write_firm_list  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "stream.json"
TARGET_PEAK_MB = 2048


def run_aggregate(firms: Path, out: Path, chunk_rows: int) -> dict:
    """``mstatlas aggregate`` in a fresh process: seconds, peak RSS and what it printed."""
    command = [
        sys.executable,
        "-m",
        "mstatlas.cli",
        "aggregate",
        str(firms),
        "-o",
        str(out),
        "--chunk-rows",
        str(chunk_rows),
        "--format",
        "json",
    ]
    if sys.stderr.isatty():
        command.append("--progress")
    t0 = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"mstatlas aggregate exited {proc.returncode}: {proc.stdout[-500:]}")
    report = json.loads(proc.stdout)
    # the children of this process so far: only the aggregate run
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "peak_rss_mb": peak_kb / 1024,
        "rows": report["n_rows"],
        "imported": report["n_imported"],
        "rejected": report["n_rejected"],
        "problems": report.get("n_problems", len(report["problems"])),
        "rows_per_s": report["n_rows"] / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="firms in the register")
    parser.add_argument("--chunk-rows", type=int, default=250_000, help="rows per chunk")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mstatlas-stream-"))
    try:
        firms = tmp / f"firms_{args.rows // 1_000_000}m.csv"
        t0 = time.perf_counter()
        write_firm_list(firms, args.rows, random.Random(42), cities())
        generated_s = time.perf_counter() - t0
        size_mb = firms.stat().st_size / 1024**2
        print(f"generated {args.rows:,} firms ({size_mb:,.0f} MB) in {generated_s:.0f} s")
        out = tmp / "clusters.csv"
        res = run_aggregate(firms, out, args.chunk_rows)
        with out.open(encoding="utf-8-sig") as f:
            res["clusters"] = sum(1 for _ in f) - 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    res.update(
        file_mb=size_mb,
        chunk_rows=args.chunk_rows,
        target_peak_mb=TARGET_PEAK_MB,
        machine_cpus=os.cpu_count(),
        load_avg_1min=os.getloadavg()[0],
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, indent=1))
    print(
        f"mstatlas aggregate, {res['rows']:,}-firm register ({size_mb:,.0f} MB CSV), "
        f"{args.chunk_rows:,} rows a chunk: {res['seconds']:.1f} s, "
        f"{res['rows_per_s']:,.0f} rows/s, peak RSS {res['peak_rss_mb']:,.0f} MB "
        f"(target <= {TARGET_PEAK_MB:,} MB)"
    )
    print(
        f"  {res['imported']:,} firms imported, {res['rejected']:,} rejected, "
        f"{res['problems']:,} problems; {res['clusters']:,} clusters written"
    )
    print(f"load average during the run: {res['load_avg_1min']:.1f} on {os.cpu_count()} CPUs")
    if args.keep:
        print(f"files kept in {tmp}")
    print(f"wrote {RESULTS.name}")


if __name__ == "__main__":
    main()
