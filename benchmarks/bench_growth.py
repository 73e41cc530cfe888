"""How the map's costs grow with the number of clusters: ``python -m benchmarks.bench_growth``.

For synthetic cluster sets from 50 to 100,000 clusters (one figure each, so one
symbol each; :mod:`benchmarks.synth`) it measures MST Atlas alone:

* build: server-side time to turn the clusters into the ``st_folium`` arguments
  (map points, base map, symbol layer; median of 3, 1 above 20,000);
* payload: bytes of the map handed to the browser, and the symbol layer's bytes
  per cluster besides the names (which travel once each, counted apart);
* rerun: AppTest rerun of the app after a filter change to a value not seen
  before (fresh process per size; :mod:`benchmarks.rerun`);
* frame: frame times (p95 / max) in headless Chromium during a scripted pan and
  zoom of the real app (:data:`benchmarks.browser.PAN_ZOOM_JS`); each move is
  reported to the app, whose rerun runs on the same machine. "map alone": the
  same with the view reports switched off, what the map itself costs;
* drawn: time from navigation to all symbols drawn.

and the growth exponent ``b`` of ``cost ≈ a · n^b`` between neighbouring sizes
and fitted from 1,000 clusters up (below, fixed costs dominate): ``b ≈ 1`` is
linear, ``b ≈ 0`` flat. Frame times cannot fall below one display frame
(~16.7 ms), so their exponent says little until a redraw costs more than that.

Writes ``benchmarks/results/growth-<time>.json`` (and ``growth-latest.json``)
and prints a Markdown table. Never fails on time; the machine's load average
is recorded with each size, as times on a shared machine are pessimistic.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser import chromium
from benchmarks.run import (
    ATLAS_APP,
    RESULTS,
    browser_measure,
    build_measure,
    machine,
    prepare_data,
    rerun_measure,
)

SIZES = (50, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000)
#: Exponents are fitted from this size up.
FIT_FROM = 1_000
#: The costs in the table: key in a row, heading, unit, scale from the row's unit.
COSTS: tuple[tuple[str, str, str, float], ...] = (
    ("build_s", "build", "ms", 1e3),
    ("payload_bytes", "payload", "KB", 1e-3),
    ("rerun_ms", "rerun", "ms", 1.0),
    ("frame_p95_ms", "frame p95", "ms", 1.0),
    ("frame_quiet_p95_ms", "map alone p95", "ms", 1.0),
    ("drawn_s", "drawn", "s", 1.0),
)


def layer_bytes(args: dict[str, Any]) -> dict[str, int]:
    """The symbol layer's bytes, and how many of them are the names."""
    fg = str(args.get("feature_group") or "")
    start = fg.find("var D = ")
    if start < 0:
        return {"layer_bytes": len(fg.encode()), "name_bytes": 0}
    data, _ = json.JSONDecoder().raw_decode(fg, start + len("var D = "))
    names = data.get("t") or ""
    text = names if isinstance(names, str) else "".join(names) + '"",' * len(names)
    return {"layer_bytes": len(fg.encode()), "name_bytes": len(text.encode())}


def measure(n: int, browser: Any, rerun: bool) -> dict[str, Any]:
    """Every cost at ``n`` clusters."""
    folder, env, target = prepare_data("clusters", n)
    row: dict[str, Any] = {"n": n, "load_before": os.getloadavg()[0]}
    from benchmarks.payload import atlas_cluster_args
    from mstatlas.io import load_clusters

    row.update(build_measure("clusters", "atlas", folder, 3 if n <= 20_000 else 1))
    row.update(layer_bytes(atlas_cluster_args(load_clusters(folder / "clusters.csv"))))
    row["layer_b_per_cluster"] = (row["layer_bytes"] - row["name_bytes"]) / n
    if rerun:
        rr = rerun_measure(ATLAS_APP, env, 3)
        row["rerun_ms"] = rr.get("rerun_ms")
        row["rerun"] = rr
    if browser is not None:
        b = browser_measure(browser, ATLAS_APP, env, target, 2, pan_zoom=True, quiet=True)
        pz, quiet = b.get("pan_zoom") or {}, b.get("pan_zoom_quiet") or {}
        row["frame_p95_ms"], row["frame_max_ms"] = pz.get("p95"), pz.get("max")
        row["frame_quiet_p95_ms"], row["frame_quiet_max_ms"] = quiet.get("p95"), quiet.get("max")
        row["drawn_s"] = b["symbols_ms"] / 1e3 if b.get("symbols_ms") is not None else None
        row["browser"] = b
    row["load_after"] = os.getloadavg()[0]
    return row


def exponent(n0: int, v0: float | None, n1: int, v1: float | None) -> float | None:
    """``b`` in ``v ≈ a · n^b`` through two measurements."""
    if not v0 or not v1 or v0 <= 0 or v1 <= 0:
        return None
    return math.log(v1 / v0) / math.log(n1 / n0)


def fitted_exponent(ns: list[int], values: list[float | None]) -> float | None:
    """Least-squares slope of log(value) over log(n), for sizes from :data:`FIT_FROM` up."""
    pts = [(math.log(n), math.log(v)) for n, v in zip(ns, values) if n >= FIT_FROM and v and v > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else None


def _num(v: float | None, fmt: str) -> str:
    return "–" if v is None else format(v, fmt)


def _b(v: float | None) -> str:
    return "" if v is None else f" ({v:+.2f})".replace("+", "")


def markdown(report: dict[str, Any]) -> str:
    """The growth table: each cost with the exponent from the size before in brackets."""
    rows = report["rows"]
    head = "| clusters | " + " | ".join(f"{h} {u}" for _, h, u, _ in COSTS)
    lines = [
        head + " | layer B/cluster + names | load avg |",
        "|--:|" + "--:|" * (len(COSTS) + 2),
    ]
    for i, r in enumerate(rows):
        cells = []
        for key, _, _, scale in COSTS:
            v = r.get(key)
            b = exponent(rows[i - 1]["n"], rows[i - 1].get(key), r["n"], v) if i else None
            fmt = ",.0f" if key != "drawn_s" else ".2f"
            cells.append(_num(None if v is None else v * scale, fmt) + _b(b))
        names = r["name_bytes"] / r["n"]
        load = f"{r['load_before']:.1f}–{r['load_after']:.1f}"
        lines.append(
            f"| {r['n']:,} | " + " | ".join(cells) + f" | {r['layer_b_per_cluster']:.1f} "
            f"+ {names:.1f} | {load} |"
        )
    ns = [r["n"] for r in rows]
    fits = [fitted_exponent(ns, [r.get(k) for r in rows]) for k, *_ in COSTS]
    lines.append(
        f"| **b, {FIT_FROM:,} →** | "
        + " | ".join("–" if b is None else f"**{b:.2f}**" for b in fits)
        + " | | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_growth")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--no-rerun", dest="rerun", action="store_false")
    args = parser.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    from mstatlas.mapping.assets import install_static_assets

    install_static_assets(ATLAS_APP.parent / "static")
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "rows": [],
    }
    build_measure("clusters", "atlas", prepare_data("clusters", 50)[0], 1)  # warm imports
    ctx = chromium() if args.browser else None
    browser = ctx.__enter__() if ctx else None
    try:
        for n in args.sizes:
            row = measure(n, browser, args.rerun)
            report["rows"].append(row)
            print(
                f"  {n:>7,}: build {row['build_s'] * 1e3:,.0f} ms, payload "
                f"{row['payload_bytes'] / 1e3:,.0f} KB, layer {row['layer_b_per_cluster']:.1f} "
                f"B/cluster + names, rerun {_num(row.get('rerun_ms'), ',.0f')} ms, frame p95 "
                f"{_num(row.get('frame_p95_ms'), '.0f')} ms (load {row['load_before']:.1f})",
                flush=True,
            )
    finally:
        if ctx:
            ctx.__exit__(None, None, None)
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"growth-{stamp}.json", "growth-latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2, default=str))
    print()
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
