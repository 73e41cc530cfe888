"""Run the MST Atlas benchmark suite: ``python -m benchmarks`` (or ``python benchmarks/run.py``).

For the default dataset and synthetic clusters / firm points (sizes below), it
measures MST Atlas and the naive peer (:mod:`benchmarks.naive`) in the same run:

* build: server-side time to build the map and the ``st_folium`` arguments;
* payload: bytes of the map strings handed to the browser (script + html +
  header + feature group), plus ``json``: the JSON Streamlit actually sends;
* visible / symbols: navigation → map painted / all symbols painted, in
  headless Chromium against a real ``streamlit run`` (median of the loads after
  one warm-up load);
* rerun: server-side AppTest rerun after a filter change (warm process, cold
  cache for the new filter value);
* peak: the streamlit server's peak resident memory (VmHWM) after the loads;
* pan/zoom: frame times during a scripted pan and zoom (p95 / max), largest sizes.

Prints a table and writes JSON to ``benchmarks/results/``. Never fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo root importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.browser import (
    ROOT,
    chromium,
    chromium_version,
    load_once,
    new_context,
    streamlit_server,
)
from benchmarks.synth import synthetic_clusters, synthetic_firms

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
ATLAS_APP = ROOT / "app.py"
FIRM_APP = HERE / "firm_app.py"
NAIVE_APP = HERE / "naive_app.py"
CLUSTER_SIZES = (50, 1_000, 10_000, 100_000)
FIRM_SIZES = (100_000,)
#: Largest size the naive peer is run at; above it, its figures are extrapolated.
PEER_MAX = 10_000
RERUN_LABEL = "Minimum employees"
PEER_NOTE = (
    "Naive peer = one folium.CircleMarker + folium.Popup per point, default st_folium(m). "
    "It gets the same self-served Leaflet as MST Atlas plus a self-served jQuery 3.7.1 "
    "(xstatic-jquery; folium popups need $), Bootstrap/awesome-markers dropped, the same "
    "country outlines as a default folium.GeoJson; CDNs are blocked. Only the rendering differs."
)


def machine() -> dict[str, Any]:
    """Where the figures come from."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    import folium
    import streamlit
    import streamlit_folium

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "chromium": chromium_version(),
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
        "folium": folium.__version__,
        "streamlit_folium": getattr(streamlit_folium, "__version__", "0.27"),
        "platform": platform.platform(),
    }


def timed(fn: Any, repeat: int) -> tuple[float, Any]:
    """Median wall time of ``fn()`` over ``repeat`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def prepare_data(kind: str, n: int | None) -> tuple[Path, dict[str, str], int]:
    """Write a data folder for a scenario; return it, the app's env and the symbol count."""
    from mstatlas.data.loading import data_dir
    from mstatlas.mapping.build import map_points

    src = data_dir()
    folder = RESULTS / "data" / (kind if n is None else f"{kind}-{n}")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("europe_countries.geojson", "cluster_profiles.csv"):  # the app needs both
        shutil.copyfile(src / name, folder / name)
    env = {"MSTATLAS_DATA_DIR": str(folder)}
    if kind == "default":
        shutil.copyfile(src / "clusters.csv", folder / "clusters.csv")
        from mstatlas.io import load_clusters

        return folder, env, len(map_points(load_clusters(folder / "clusters.csv"), "employees"))
    if kind == "clusters":
        assert n is not None
        synthetic_clusters(n).to_csv(folder / "clusters.csv", index=False)
        return folder, env, n
    assert n is not None  # firms (floor: an empty firm list, so only the base map)
    shutil.copyfile(src / "clusters.csv", folder / "clusters.csv")
    synthetic_firms(n).to_csv(folder / "firms.csv", index=False)
    env["MSTATLAS_BENCH_FIRMS"] = str(folder / "firms.csv")
    return folder, env, n


def build_measure(kind: str, app: str, folder: Path, repeat: int) -> dict[str, Any]:
    """Server-side build time and exact payload of one app on one data folder."""
    import pandas as pd

    from benchmarks.payload import (
        atlas_cluster_args,
        atlas_firm_args,
        json_args_bytes,
        naive_args,
        payload_bytes,
    )
    from mstatlas.io import load_clusters

    if kind in ("firms", "floor"):
        firms = pd.read_csv(folder / "firms.csv")
        if app == "atlas":
            secs, args = timed(lambda: atlas_firm_args(firms), repeat)
        else:
            secs, args = timed(lambda: naive_args(firms), repeat)
    else:
        clusters = load_clusters(folder / "clusters.csv")
        if app == "atlas":
            secs, args = timed(lambda: atlas_cluster_args(clusters), repeat)
        else:
            raw = pd.read_csv(folder / "clusters.csv")
            secs, args = timed(lambda: naive_args(raw), repeat)
    return {
        "build_s": secs,
        "payload_bytes": payload_bytes(args),
        "json_bytes": json_args_bytes(args),
    }


def rerun_measure(app_path: Path, env: dict[str, str], changes: int) -> dict[str, Any]:
    """AppTest rerun timing in a fresh process (see :mod:`benchmarks.rerun`)."""
    cmd = [sys.executable, "-m", "benchmarks.rerun", str(app_path), RERUN_LABEL, str(changes)]
    try:
        out = subprocess.run(
            cmd,
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except subprocess.TimeoutExpired:
        return {"error": "rerun measurement timed out (30 min)"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"error": (out.stderr or out.stdout)[-300:]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def browser_measure(
    browser: Any,
    app_path: Path,
    env: dict[str, str],
    target: int,
    loads: int,
    pan_zoom: bool,
    quiet: bool = False,
) -> dict[str, Any]:
    """Start the app, load it ``1 + loads`` times, take medians.

    The first load is a first visit (empty HTTP cache, cold server caches); the
    others are returning visits in the same browser context (cached Streamlit and
    Leaflet bundles), the figures the table shows.
    """
    log = RESULTS / "logs" / f"{app_path.stem}-{Path(env['MSTATLAS_DATA_DIR']).name}.log"
    with streamlit_server(app_path, env, log) as server:
        ctx, blocked = new_context(browser, target)
        runs = []
        try:
            for i in range(1 + loads):
                last = i == loads
                r = load_once(ctx, blocked, server.url, pan_zoom=pan_zoom and last, quiet=quiet)
                if "error" in r:
                    return {**r, "peak_mb": server.peak_rss_mb()}
                if i:
                    runs.append(r)
                else:
                    first = r
        finally:
            ctx.close()
        out: dict[str, Any] = {
            "first_visit_visible_ms": first["visible_ms"],
            "first_visit_symbols_ms": first["symbols_ms"],
            "frame_ms": statistics.median(r["frame_ms"] for r in runs),
            "visible_ms": statistics.median(r["visible_ms"] for r in runs),
            "symbols_ms": statistics.median(r["symbols_ms"] for r in runs),
            "symbols": runs[-1]["symbols"],
            "ws_bytes": runs[-1]["ws_bytes"],
            "blocked_requests": max(r["blocked_requests"] for r in runs),
            "loads_ms": [
                [round(r["frame_ms"]), round(r["visible_ms"]), round(r["symbols_ms"])] for r in runs
            ],
            "peak_mb": server.peak_rss_mb(),
        }
        for key in ("pan_zoom", "pan_zoom_quiet"):
            if key in runs[-1]:
                out[key] = runs[-1][key]
        return out


def scenarios(args: argparse.Namespace) -> list[tuple[str, int | None]]:
    out: list[tuple[str, int | None]] = []
    if not args.no_default:
        out.append(("floor", 0))
        out.append(("default", None))
    out += [("clusters", n) for n in args.sizes]
    out += [("firms", n) for n in args.firm_sizes]
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    from benchmarks.naive import install_peer_assets
    from mstatlas.mapping.assets import install_static_assets

    install_static_assets(ROOT / "static")
    install_peer_assets()
    report: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "peer_note": PEER_NOTE,
        "rows": [],
    }
    # Warm imports (folium, streamlit_folium, pandas) so the first build is not penalised.
    build_measure("clusters", "atlas", prepare_data("clusters", 50)[0], 1)
    peer_per_point: dict[str, tuple[int, float, float]] = {}
    ctx = chromium() if args.browser else None
    browser = ctx.__enter__() if ctx else None
    try:
        for kind, n in scenarios(args):
            folder, env, target = prepare_data(kind, n)
            apps = ["atlas"] if kind in ("default", "floor") else ["atlas", "peer"]
            for app in apps:
                size = target if n is None else n
                row: dict[str, Any] = {"scenario": kind, "n": size, "app": app}
                atlas_app = FIRM_APP if kind in ("firms", "floor") else ATLAS_APP
                app_path = {"atlas": atlas_app, "peer": NAIVE_APP}[app]
                if app == "peer" and size > args.peer_max:
                    ref = peer_per_point.get(kind) or peer_per_point.get("clusters")
                    if ref:
                        m, secs, nbytes = ref
                        row["not_attempted"] = (
                            f"not attempted: would take ~{secs / m * size:,.0f} s to build and "
                            f"send ~{nbytes / m * size / 1e6:,.0f} MB (extrapolated linearly "
                            f"from {m:,} points)"
                        )
                    else:
                        row["not_attempted"] = "not attempted (over the peer's size cap)"
                    print(f"  {kind:8} {size:>7,} {app:5}  {row['not_attempted']}", flush=True)
                    report["rows"].append(row)
                    continue
                repeat = 3 if size <= 10_000 and app == "atlas" else 1
                row.update(build_measure(kind, app, folder, repeat))
                if app == "peer":
                    peer_per_point[kind] = (size, row["build_s"], row["payload_bytes"])
                if args.rerun:
                    changes = 5 if size <= 1_000 else (3 if app == "atlas" else 2)
                    row["rerun"] = rerun_measure(app_path, env, changes)
                if browser is not None:
                    loads = 3 if size <= 10_000 else 2
                    row["browser"] = browser_measure(
                        browser, app_path, env, target, loads, pan_zoom=size >= 10_000
                    )
                print("  " + format_row(row), flush=True)
                report["rows"].append(row)
    finally:
        if ctx:
            ctx.__exit__(None, None, None)
    report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return report


def _f(v: Any, fmt: str, scale: float = 1.0) -> str:
    return "-" if v is None else format(v * scale, fmt)


def format_row(r: dict[str, Any]) -> str:
    """One line of the table."""
    head = f"{r['scenario']:8} {r['n']:>7,} {r['app']:5}"
    if "not_attempted" in r:
        return f"{head}  {r['not_attempted']}"
    b = r.get("browser", {})
    rr = r.get("rerun", {})
    pz = b.get("pan_zoom") or {}
    err = b.get("error") or rr.get("error")
    pan = f"{pz['p95']:.0f}/{pz['max']:.0f}" if pz else "-"
    return (
        f"{head} {_f(r['build_s'], '8.3f')} {_f(r['payload_bytes'], '10,.0f', 1e-3)} "
        f"{r['payload_bytes'] / max(r['n'], 1):7.1f} {_f(b.get('visible_ms'), '8.2f', 1e-3)} "
        f"{_f(b.get('symbols_ms'), '8.2f', 1e-3)} {_in_frame(b):>8} {_f(rr.get('rerun_ms'), '9.0f')} "
        f"{_f(b.get('peak_mb'), '8.0f')} {pan:>11}" + (f"  ERROR: {err}" if err else "")
    )


def _in_frame(b: dict[str, Any]) -> str:
    if b.get("symbols_ms") is None or b.get("frame_ms") is None:
        return "-"
    return f"{(b['symbols_ms'] - b['frame_ms']) / 1000:.2f}"


HEADER = (
    f"{'scenario':8} {'n':>7} {'app':5} {'build s':>8} {'payload KB':>10} {'B/pt':>7} "
    f"{'visible s':>8} {'drawn s':>8} {'map s':>8} {'rerun ms':>9} {'peak MB':>8} "
    f"{'pan p95/max':>11}"
)


def ratios(report: dict[str, Any]) -> list[str]:
    """Peer ÷ MST Atlas for each size both were measured at."""
    out = []
    rows = report["rows"]
    for a in rows:
        if a["app"] != "atlas":
            continue
        p = next(
            (
                r
                for r in rows
                if r["app"] == "peer"
                and r["scenario"] == a["scenario"]
                and r["n"] == a["n"]
                and "not_attempted" not in r
            ),
            None,
        )
        if p is None:
            continue

        def ratio(get: Any, a: dict[str, Any] = a, p: dict[str, Any] = p) -> str:
            try:
                return f"{get(p) / get(a):.1f}x"
            except (TypeError, ZeroDivisionError, KeyError):
                return "-"

        out.append(
            f"{a['scenario']:8} {a['n']:>7,}  payload {ratio(lambda r: r['payload_bytes'])}  "
            f"build {ratio(lambda r: r['build_s'])}  "
            f"visible {ratio(lambda r: r['browser']['visible_ms'])}  "
            f"drawn {ratio(lambda r: r['browser']['symbols_ms'])}  "
            f"rerun {ratio(lambda r: r['rerun']['rerun_ms'])}"
        )
    return out


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    print()
    print(
        f"Machine: {m['nproc']} cores, {m['cpu']}, {m['ram_gb']} GB RAM, {m['chromium']}, "
        f"Python {m['python']}, streamlit {m['streamlit']}, folium {m['folium']}"
    )
    print(HEADER)
    for r in report["rows"]:
        print(format_row(r))
    print("\nPeer ÷ MST Atlas (higher = MST Atlas better):")
    for line in ratios(report):
        print("  " + line)
    print("\n" + report["peer_note"])
    print(
        "visible = navigation → first frame with the map's outlines; drawn = → frame with all "
        "symbols (returning visitor: medians of the loads after a first visit); map = map frame "
        "created → all symbols drawn (the map's own share; before it is Streamlit's page). "
        "rerun = AppTest, filter changed to a new value. peak = server VmHWM. pan p95/max = "
        "frame times (ms) during a scripted pan/zoom. floor = base map only (no symbols)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", type=int, nargs="*", default=list(CLUSTER_SIZES))
    parser.add_argument("--firm-sizes", type=int, nargs="*", default=list(FIRM_SIZES))
    parser.add_argument("--peer-max", type=int, default=PEER_MAX)
    parser.add_argument("--no-default", action="store_true", help="skip the default dataset")
    parser.add_argument("--no-browser", dest="browser", action="store_false")
    parser.add_argument("--no-rerun", dest="rerun", action="store_false")
    args = parser.parse_args(argv)
    print(HEADER, flush=True)
    report = run(args)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(report, indent=2, default=str))
    print_report(report)
    print(f"\nJSON: {RESULTS.relative_to(ROOT) / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
