"""Detected clusters on a large firm register: ``python -m benchmarks.bench_detect``.

On a synthetic register of 100,000 firms (:func:`benchmarks.synth.synthetic_firms`:
85 % around 40 European cities, 15 % spread out; every firm with its own
coordinates, a city and a country) it times, in one process and one run:

* detect: :func:`mstatlas.analysis.detect.detect_clusters` (radius 15 km,
  5 firms; pairs within reach, components, names, mixes, outlines);
* mix: :func:`mstatlas.analysis.firm_mix.mix_table` (technology mix and
  location quotients of every detected cluster);
* confidentiality: :func:`mstatlas.data.disclosure.protect_figures` on the
  detected clusters' employee sums;
* peer: the existing grouping by city (:func:`mstatlas.data.firms.aggregate_firms`)
  plus the same mix per city, on the same firms.

Target (issue 16): detection + mix <= 3 s. Each figure is the median of
``--repeat`` runs after one warm-up run; the load average is printed with
them, as times on a shared machine are pessimistic. Never fails on time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from benchmarks.synth import CITIES, synthetic_firms
from mstatlas.analysis.detect import detect_clusters
from mstatlas.analysis.firm_mix import mix_table
from mstatlas.data.disclosure import DisclosureRules, protect_figures
from mstatlas.data.firms import aggregate_firms

TARGET_S = 3.0


def register(n: int) -> pd.DataFrame:
    """``n`` synthetic firms with city and country (the city their name was drawn for)."""
    firms = synthetic_firms(n)
    city = firms["name"].str.rsplit(" Microsystems ", n=1).str[0]
    country = city.map({c[0]: c[1] for c in CITIES})
    return firms.assign(row=range(2, n + 2), city=city, country_iso2=country)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs after a warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=100_000)
    parser.add_argument("--radius-km", type=float, default=15.0)
    parser.add_argument("--min-firms", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    firms = register(args.firms)
    rules = DisclosureRules()

    def detect() -> Any:
        return detect_clusters(firms, radius_km=args.radius_km, min_firms=args.min_firms)

    t_detect, detection = timed(detect, args.repeat)
    groups = detection.firm_clusters()
    t_mix, mix = timed(lambda: mix_table(firms, groups), args.repeat)
    t_protect, _ = timed(
        lambda: protect_figures(detection.clusters, groups, firms["employees"], rules),
        args.repeat,
    )

    def city_peer() -> Any:
        table, _method = aggregate_firms(firms, by="city")
        city_groups = firms["city"] + "|" + firms["country_iso2"]
        return table, mix_table(firms, city_groups)

    t_peer, (city_table, _) = timed(city_peer, args.repeat)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    total = t_detect + t_mix
    print(f"Detected clusters on {args.firms:,} firms (radius {args.radius_km:g} km, ", end="")
    print(f"{args.min_firms} firms; median of {args.repeat}; load average {load})")
    print(
        f"  detect                 {t_detect:6.2f} s  {len(detection.clusters):,} clusters, ",
        end="",
    )
    print(f"{detection.n_isolated:,} isolated firms")
    print(f"  mix + LQ               {t_mix:6.2f} s  {len(mix):,} cluster × technology rows")
    print(f"  detect + mix           {total:6.2f} s  target <= {TARGET_S:g} s: ", end="")
    print("met" if total <= TARGET_S else "missed")
    print(f"  confidentiality        {t_protect:6.2f} s")
    print(f"  peer: city grouping    {t_peer:6.2f} s  {len(city_table):,} cities (+ mix per city)")
    print(f"  detect + mix / peer    {total / t_peer:6.1f} ×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
