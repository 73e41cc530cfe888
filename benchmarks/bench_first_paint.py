"""First paint: navigation → symbols drawn, MST Atlas against a bare peer, alternating.

Run: ``python benchmarks/bench_first_paint.py`` (options: ``--help``).

Both apps run at once, each its own ``streamlit run`` on a free port on
127.0.0.1, on the same data (the default dataset): MST Atlas (``app.py``) and
the bare peer (``benchmarks/bare_peer_app.py``: one page, ``st_folium`` with the
same clusters as one GeoJSON layer, the same outlines, self-served Leaflet, no
tiles). Each is loaded once and thrown away (warm server: imports done, caches
filled), then the two are loaded in turn, ``--loads`` times each, the order
flipped every round (ABBA…), every load in a fresh browser context (a first
visit: empty HTTP cache, a new Streamlit session; ``--returning``: one context
per app, Streamlit's scripts cached) of one headless Debian Chromium with every
non-local request aborted. Time is milliseconds from navigation start to the
frame painted after all the map's symbols were added, recorded inside the map
iframe (:mod:`benchmarks.browser`); *frame* is when the map's iframe started
loading (before it: Streamlit's page, the script run, the messages); *controls*
is when the sidebar's first widget was drawn (the atlas draws its controls after
the map). The figure to watch is the ratio of the medians (atlas / peer): both
pay Streamlit's own boot, so machine load moves both. Load averages before and
after, and each server's CPU seconds per load, are printed with it.
``--before DIR`` adds a third app in the same alternation: the atlas of another
checkout (``git worktree add DIR <commit>``), run with its own ``src``.

Prints a table and writes ``benchmarks/results/first_paint.json``. Never fails on time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: the benchmarks package is beside it
    sys.path.insert(0, str(ROOT))

from benchmarks.browser import (  # noqa: E402
    chromium,
    chromium_version,
    load_once,
    new_context,
    streamlit_server,
)

RESULTS = ROOT / "benchmarks" / "results"
APPS = {"atlas": ROOT / "app.py", "peer": ROOT / "benchmarks" / "bare_peer_app.py"}


def symbol_count() -> int:
    """How many symbols both maps draw: one per cluster of the default dataset."""
    from mstatlas.io import load_clusters
    from mstatlas.mapping.build import map_points

    return len(map_points(load_clusters(), "employees"))


def _quantile(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


def summarise(times: list[float]) -> dict[str, float]:
    """Median and p90 (nearest rank) of load times, in ms."""
    return {"median_ms": statistics.median(times), "p90_ms": _quantile(times, 0.9)}


def _load(
    browser: Any, url: str, target: int, ctx: Any = None, controls: bool = False
) -> dict[str, Any]:
    """One load in a fresh context, or in ``ctx`` (``(context, blocked)``) when given."""
    if ctx is not None:
        return load_once(ctx[0], ctx[1], url, controls=controls, timeout=120.0)
    fresh, blocked = new_context(browser, target)
    try:
        return load_once(fresh, blocked, url, controls=controls, timeout=120.0)
    finally:
        fresh.close()


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a server process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(
    loads: int, atlas: Path = APPS["atlas"], returning: bool = False, before: Path | None = None
) -> dict[str, Any]:
    """Start both apps, warm each, then alternate ``loads`` loads of each.

    ``atlas`` is the atlas's entry script (another one: a variant to try). With
    ``returning``, each app's loads share one browser context (a returning
    visitor: Streamlit's scripts come from the HTTP cache). ``before``: another
    checkout of the atlas (e.g. a ``git worktree`` of an older commit), run as a
    third app, ``before``, from its own ``app.py`` and ``src``.
    """
    from benchmarks.naive import install_peer_assets
    from mstatlas.mapping.assets import install_static_assets

    install_static_assets(ROOT / "static")
    install_peer_assets()
    target = symbol_count()
    logs = RESULTS / "logs"
    apps: dict[str, tuple[Path, dict[str, str]]] = {
        "atlas": (atlas, {}),
        "peer": (APPS["peer"], {}),
    }
    if before is not None:
        apps["before"] = (before / "app.py", {"PYTHONPATH": str(before / "src")})
    times: dict[str, list[float]] = {name: [] for name in apps}
    visible: dict[str, list[float]] = {name: [] for name in apps}
    frame: dict[str, list[float]] = {name: [] for name in apps}
    cpu: dict[str, list[float]] = {name: [] for name in apps}
    controls: dict[str, list[float]] = {name: [] for name in apps if name != "peer"}
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        servers = {
            name: stack.enter_context(streamlit_server(app, env, logs / f"first-paint-{name}.log"))
            for name, (app, env) in apps.items()
        }
        urls = {name: server.url for name, server in servers.items()}
        browser = stack.enter_context(chromium())
        ctxs = {name: new_context(browser, target) if returning else None for name in apps}
        for c in ctxs.values():
            if c is not None:
                stack.callback(c[0].close)
        for name, url in urls.items():  # throw-away loads: imports and caches warm
            r = _load(browser, url, target, ctxs[name])
            if "error" in r:
                raise RuntimeError(f"{name}: {r['error']}")
        for i in range(loads):
            order = list(apps) if i % 2 == 0 else list(reversed(apps))
            for name in order:
                cpu0 = server_cpu_s(servers[name].proc.pid)
                r = _load(browser, urls[name], target, ctxs[name], name in controls)
                # the server's CPU for this load (its script runs and static files served)
                cpu[name].append(server_cpu_s(servers[name].proc.pid) - cpu0)
                if "error" in r:
                    raise RuntimeError(f"{name}: {r['error']}")
                times[name].append(r["symbols_ms"])
                visible[name].append(r["visible_ms"])
                frame[name].append(r["frame_ms"])
                if "controls_ms" in r:
                    controls[name].append(r["controls_ms"])
                print(
                    f"  {i + 1:2} {name:6} frame {r['frame_ms']:6.0f} ms, "
                    f"symbols {r['symbols_ms']:6.0f} ms, server CPU {cpu[name][-1]:5.2f} s"
                    + (f", controls {r['controls_ms']:6.0f} ms" if "controls_ms" in r else ""),
                    flush=True,
                )
    out: dict[str, Any] = {
        "started": started,
        "chromium": chromium_version(),
        "nproc": os.cpu_count(),
        "symbols": target,
        "loads": loads,
        "visitor": "returning" if returning else "first",
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    out["apps"] = list(apps)
    for name in apps:
        out[name] = {
            **summarise(times[name]),
            "server_cpu_median_s": statistics.median(cpu[name]),
            # the sidebar's first widget drawn (the peer has none)
            "controls_median_ms": statistics.median(controls[name]) if controls.get(name) else None,
            "visible_median_ms": statistics.median(visible[name]),
            # when the map's iframe started loading: before it, Streamlit's page and script
            "frame_median_ms": statistics.median(frame[name]),
            "symbols_ms": [round(t) for t in times[name]],
        }
    out["ratio_median"] = out["atlas"]["median_ms"] / out["peer"]["median_ms"]
    out["ratio_p90"] = out["atlas"]["p90_ms"] / out["peer"]["p90_ms"]
    if before is not None:
        out["ratio_before_median"] = out["before"]["median_ms"] / out["peer"]["median_ms"]
    return out


def report(r: dict[str, Any]) -> str:
    """The figures as a small table."""
    lines = [
        f"first paint, navigation → {r['symbols']} symbols drawn, {r['loads']} loads each "
        f"({r['visitor']} visit, network blocked)",
        f"{'app':6} {'median s':>9} {'p90 s':>7} {'frame s':>8} {'server CPU s':>13} "
        f"{'controls s':>11}",
    ]
    for name in r.get("apps", APPS):
        a = r[name]
        lines.append(
            f"{name:6} {a['median_ms'] / 1000:9.2f} {a['p90_ms'] / 1000:7.2f} "
            f"{a['frame_median_ms'] / 1000:8.2f} {a.get('server_cpu_median_s', float('nan')):13.2f} "
            + (f"{c / 1000:11.2f}" if (c := a.get("controls_median_ms")) else f"{'—':>11}")
        )
    lines.append(f"ratio  {r['ratio_median']:9.2f} {r['ratio_p90']:7.2f}  (target ≤ 1.15 median)")
    if "ratio_before_median" in r:
        lines.append(f"ratio before / peer {r['ratio_before_median']:.2f} (median)")
    b, a = r["load_average_before"], r["load_average_after"]
    lines.append(
        f"load average before {b[0]:.2f} {b[1]:.2f} {b[2]:.2f}, after {a[0]:.2f} {a[1]:.2f} {a[2]:.2f}"
        f" ({r['nproc']} cores)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=8, help="loads of each app (default 8)")
    parser.add_argument(
        "--atlas", type=Path, default=APPS["atlas"], help="the atlas's entry script (a variant)"
    )
    parser.add_argument(
        "--returning",
        action="store_true",
        help="a returning visitor: each app's loads share one browser context (HTTP cache)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="another checkout of the atlas (git worktree) to run as a third app, 'before'",
    )
    args = parser.parse_args(argv)
    before = args.before.resolve() if args.before else None
    r = measure(args.loads, args.atlas.resolve(), args.returning, before)
    print(report(r))
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "first_paint_returning.json" if args.returning else "first_paint.json"
    (RESULTS / name).write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
