"""Server-side rerun time after a filter change, in a fresh process (AppTest).

Two ways to run it:

``python -m benchmarks.rerun APP LABEL N_CHANGES``
    with the data environment variables set; prints one JSON line. A fresh
    process per app and size matters: ``st.cache_data`` is shared by all AppTest
    instances of a process. The first run (cold start) is reported apart; each
    change then sets the "Minimum employees" filter to a value not used before
    (10, 20, 30, …: each leaves out more clusters), so the filtered data is not
    in any cache and its rows differ (the worst warm case), and the run
    is timed: wall time and the process's CPU time (the script runs in a thread
    of this process, so CPU time is the script's work, which a loaded machine
    does not inflate the way it inflates wall time).

``python -m benchmarks.rerun --compare [--size 10000] [--rounds 3] [--changes 5] [--base DIR] [--empty]``
    everything the rerun figures need in one command: the synthetic cluster set
    of ``--size`` clusters, then fresh processes alternating between the apps
    (A B B A …) for ``--rounds`` rounds: this tree's ``app.py``; with ``--base``
    the ``app.py`` of another checkout of the repo (e.g. a ``git worktree`` of
    an earlier commit, run with its own ``src``); with ``--empty`` a one-page app
    that only draws Streamlit's widgets for the same filter (what any Streamlit
    page costs per rerun here). Prints each run, then per app the median of the
    per-process medians, wall and CPU, with the load averages before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LABEL = "Minimum employees"
#: Each change raises the minimum by this much: every change selects other clusters (the
#: synthetic sets have clusters of 3 to 60 employees), so no work can be reused.
STEP = 10
#: A page with Streamlit's widgets only: the same number input, nothing computed.
EMPTY_APP = """
import streamlit as st
st.sidebar.number_input("Minimum employees", min_value=0, value=0, step=10)
st.title("MST Atlas of Europe")
"""


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--compare":
        return compare(argv[1:])
    app, label, changes = argv[0], argv[1], int(argv[2])
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(app, default_timeout=900)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    if at.exception:
        print(json.dumps({"error": str(at.exception[0].value)[:300]}))
        return 1
    times, cpu = [], []
    for i in range(changes):
        widget = next(w for w in at.number_input if w.label == label)
        widget.set_value(STEP * (1 + i))
        t, c = time.perf_counter(), time.process_time()
        at.run()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if at.exception:
            print(json.dumps({"error": str(at.exception[0].value)[:300]}))
            return 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "first_run_ms": first * 1000,
                "rerun_ms": statistics.median(times) * 1000,
                "rerun_cpu_ms": statistics.median(cpu) * 1000,
                "rerun_all_ms": [x * 1000 for x in times],
                "rerun_cpu_all_ms": [x * 1000 for x in cpu],
                "apptest_peak_mb": peak,
            }
        )
    )
    return 0


def _one(tree: Path, app: Path, data: Path, changes: int) -> dict[str, Any]:
    """One fresh process of ``app`` with the modules of ``tree``."""
    env = {
        **os.environ,
        "MSTATLAS_DATA_DIR": str(data),
        "PYTHONPATH": os.pathsep.join([str(tree / "src"), str(tree)]),
    }
    # this file measures every tree (an earlier tree's may not time CPU)
    cmd = [sys.executable, str(Path(__file__).resolve()), str(app), LABEL, str(changes)]
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=1800)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"error": (out.stderr or out.stdout)[-300:]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def compare(argv: list[str]) -> int:
    """Alternate fresh processes of this tree's app, an earlier tree's and an empty page."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rerun --compare")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--base", type=Path, help="another checkout of the repo (before)")
    parser.add_argument("--empty", action="store_true", help="also a page of widgets only")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import RESULTS, prepare_data

    data = prepare_data("clusters", args.size)[0]
    apps: dict[str, tuple[Path, Path]] = {"this tree": (ROOT, ROOT / "app.py")}
    if args.base is not None:
        base = args.base.resolve()
        apps["base"] = (base, base / "app.py")
    if args.empty:
        empty = RESULTS / "empty_app.py"
        empty.write_text(EMPTY_APP, encoding="utf-8")
        apps["empty page"] = (ROOT, empty)
    names = list(apps)
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    print(f"{args.size:,} clusters, {args.changes} filter changes per process, load averages")
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[::-1]  # A B, B A, …
        for name in order:
            before = os.getloadavg()
            res = _one(*apps[name], data, args.changes)
            after = os.getloadavg()
            res["load"] = (before[0], after[0])
            results[name].append(res)
            print(f"  round {r + 1} {name:>10}: " + _line(res), flush=True)
    print("median of the process medians (wall / CPU ms):")
    for name in names:
        ok = [x for x in results[name] if "error" not in x]
        if not ok:
            continue
        wall = statistics.median(x["rerun_ms"] for x in ok)
        cpu = statistics.median(x["rerun_cpu_ms"] for x in ok)
        loads = [v for x in ok for v in x["load"]]
        print(
            f"  {name:>10}: {wall:6.0f} / {cpu:6.0f}   "
            f"(load {min(loads):.1f}–{max(loads):.1f}, {len(ok)} processes)"
        )
    return 0


def _line(res: dict[str, Any]) -> str:
    if "error" in res:
        return "error: " + str(res["error"])[-200:]
    lo, hi = res["load"]
    walls = " ".join(f"{x:.0f}" for x in res["rerun_all_ms"])
    cpus = " ".join(f"{x:.0f}" for x in res["rerun_cpu_all_ms"])
    return (
        f"wall {res['rerun_ms']:.0f} ms [{walls}], CPU {res['rerun_cpu_ms']:.0f} ms [{cpus}], "
        f"load {lo:.1f} → {hi:.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
