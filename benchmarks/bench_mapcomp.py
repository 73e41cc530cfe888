"""The map component's share of a rerun after a filter change, and what it sends.

``python -m benchmarks.bench_mapcomp [--size 10000] [--rounds 3] [--changes 5] [--base DIR]``

Fresh processes alternating between this tree and, with ``--base``, another checkout
(e.g. ``git worktree add /tmp/base <commit>``), A B B A …; each runs the real ``app.py``
in AppTest on the synthetic cluster set of ``--size`` clusters and sets "Minimum
employees" to a value not used before ``--changes`` times. Per rerun it times, wall and
CPU of the script's thread:

* ``atlas_map``: ``mstatlas.ui.components.atlas_map`` (the whole map component);
* ``layer``: its symbol layer (``components._layer_for_run``: encoding the clusters);
* ``component``: the rest (base map, streamlit-folium's conversion, Streamlit's call).

and records what the component is handed: bytes of the map strings (as
``benchmarks/payload.py`` counts them), of the JSON Streamlit sends, and of the symbol
layer per cluster besides the names (names counted apart). Prints every process, then
the medians per tree with the load averages. Never fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LABEL = "Minimum employees"
MAP_ARGS = ("script", "html", "header", "feature_group", "layer_control")


def _timed(module: Any, name: str, log: list[tuple[float, float]]) -> None:
    """Wrap ``module.name`` so each call appends its (wall, thread CPU) seconds to ``log``."""
    inner = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t, c = time.perf_counter(), time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            log.append((time.perf_counter() - t, time.thread_time() - c))

    setattr(module, name, wrapper)


def _sizes(args: dict[str, Any], n: int) -> dict[str, float]:
    """Bytes of the map strings, of Streamlit's JSON, and of the layer besides its names."""
    fg = str(args.get("feature_group") or "")
    start = fg.find("var D = ")
    names = 0
    if start >= 0:
        data, _ = json.JSONDecoder().raw_decode(fg, start + len("var D = "))
        t = data.get("t") or ""
        names = len((t if isinstance(t, str) else "".join(t)).encode())
    plain = {k: v for k, v in args.items() if not callable(v)}
    return {
        "map_bytes": sum(len(str(args[k]).encode()) for k in MAP_ARGS if args.get(k)),
        "json_bytes": len(json.dumps(plain).encode()),
        "layer_b_per_cluster": (len(fg.encode()) - names) / n,
        "names_b_per_cluster": names / n,
    }


def child(app: str, changes: int, n: int) -> int:
    """One fresh process: the app in AppTest, ``changes`` filter changes, timed."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    import streamlit_folium
    from streamlit.testing.v1 import AppTest

    from mstatlas.ui import components

    total: list[tuple[float, float]] = []
    layer: list[tuple[float, float]] = []
    _timed(components, "atlas_map", total)
    _timed(components, "_layer_for_run", layer)
    sent: dict[str, Any] = {}
    inner = streamlit_folium._component_func

    def record(**kwargs: Any) -> Any:
        sent.clear()
        sent.update(kwargs)
        return inner(**kwargs)

    streamlit_folium._component_func = record
    at = AppTest.from_file(str(Path(app).resolve()), default_timeout=900)
    at.run()
    rows = []
    for i in range(changes):
        total.clear()
        layer.clear()
        next(w for w in at.number_input if w.label == LABEL).set_value(1 + i)
        at.run()
        if at.exception or not total:
            print(
                json.dumps(
                    {"error": str(at.exception[0].value)[:300] if at.exception else "no map"}
                )
            )
            return 1
        rows.append((total[0], layer[0] if layer else (0.0, 0.0)))
    out = {
        "atlas_ms": statistics.median(r[0][0] for r in rows) * 1e3,
        "atlas_cpu_ms": statistics.median(r[0][1] for r in rows) * 1e3,
        "layer_ms": statistics.median(r[1][0] for r in rows) * 1e3,
        "component_ms": statistics.median(r[0][0] - r[1][0] for r in rows) * 1e3,
        "atlas_all_ms": [round(r[0][0] * 1e3, 1) for r in rows],
        **_sizes(sent, n),
    }
    print(json.dumps(out))
    return 0


def _one(tree: Path, data: Path, changes: int, n: int) -> dict[str, Any]:
    env = {
        **os.environ,
        "MSTATLAS_DATA_DIR": str(data),
        "PYTHONPATH": os.pathsep.join([str(tree / "src"), str(tree)]),
    }
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(tree / "app.py"),
           str(changes), str(n)]  # fmt: skip
    out = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=1800)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": (out.stderr or out.stdout)[-300:]}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--child":
        return child(argv[1], int(argv[2]), int(argv[3]))
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_mapcomp")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--base", type=Path, help="another checkout of the repo (before)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import prepare_data

    data = prepare_data("clusters", args.size)[0]
    trees = {"this tree": ROOT} | ({"base": args.base.resolve()} if args.base else {})
    names = list(trees)
    results: dict[str, list[dict[str, Any]]] = {k: [] for k in names}
    print(f"{args.size:,} clusters, {args.changes} filter changes per process (ms, load average)")
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            before = os.getloadavg()[0]
            res = _one(trees[name], data, args.changes, args.size)
            res["load"] = (before, os.getloadavg()[0])
            results[name].append(res)
            if "error" in res:
                print(f"  round {r + 1} {name:>9}: error {res['error']}", flush=True)
                continue
            print(
                f"  round {r + 1} {name:>9}: atlas_map {res['atlas_ms']:5.1f} "
                f"(CPU {res['atlas_cpu_ms']:5.1f}) = layer {res['layer_ms']:5.1f} + component "
                f"{res['component_ms']:5.1f}  {res['atlas_all_ms']}  load {res['load'][0]:.1f}"
                f"→{res['load'][1]:.1f}",
                flush=True,
            )
    print("medians of the process medians:")
    for name in names:
        ok = [x for x in results[name] if "error" not in x]
        if not ok:
            continue

        def med(key: str, rows: list[dict[str, Any]] = ok) -> float:
            return statistics.median(x[key] for x in rows)

        loads = [v for x in ok for v in x["load"]]
        print(
            f"  {name:>9}: atlas_map {med('atlas_ms'):5.1f} ms (CPU {med('atlas_cpu_ms'):5.1f}): "
            f"layer {med('layer_ms'):5.1f} + component {med('component_ms'):5.1f}; "
            f"map strings {med('map_bytes') / 1e3:,.0f} KB, Streamlit JSON "
            f"{med('json_bytes') / 1e3:,.0f} KB, layer {med('layer_b_per_cluster'):.1f} B/cluster "
            f"+ names {med('names_b_per_cluster'):.1f}  (load {min(loads):.1f}–{max(loads):.1f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
