"""Concurrent sessions at the Streamlit protocol level: N websocket clients, no browsers.

Run: ``python benchmarks/bench_sessions.py`` (options: ``--help``). Issue 5 asks for
20 concurrent sessions against one app process with a p95 interaction time of at
most 1 s. ``bench_share.py`` measures that with 20 real Chromium pages, but on a
2-core machine the browsers take the CPU and the figure mostly measures Chromium.
Here every session is a bare websocket client that speaks Streamlit's protocol as
the frontend does, so the time is the server's: its script runs, the GIL shared by
all sessions' script threads, and serialising the ForwardMsgs.

One ``streamlit run app.py`` (the real app, started from the repository root so
``.streamlit/config.toml`` applies; through ``bench_share.app_server``, which also
logs every script run's wall and CPU time) on a free 127.0.0.1 port; it is stopped
(its process group killed) on the way out. Each session:

1. opens ``ws://127.0.0.1:PORT/_stcore/stream`` with the ``streamlit`` subprotocol
   (as the browser does; no XSRF token is needed without auth cookies) and sends a
   ``BackMsg.rerun_script`` with no widget states: the first run of the default
   page (the map, embedded dataset); it waits for ``ForwardMsg.script_finished``
   (and, as a browser's map does once its symbols are drawn, sends the rerun that
   draws the sidebar and the page's controls: ``ui.session.map_first``) and reads the widget ids of the sidebar's ``w_measure`` radio and
   ``w_min_employees`` number input from the run's deltas (element ``id``\\ s end
   with the user key);
2. then runs a fixed script, ``--rounds`` times, with a seeded think time between
   steps: measure -> Firms, minimum employees -> 1,000, measure -> Employees,
   minimum employees -> 0. Each step is one ``rerun_script`` with all the widget
   states the session has set so far (as the frontend sends them), timed from the
   send until ``script_finished`` for that run. A step counts as an error if it
   times out, the run does not finish successfully, the app shows an uncaught
   exception (an ``exception`` element in the deltas), or the link the app writes
   (``page_info_changed.query_string``; sent back with the next rerun, as the
   browser's URL is) does not show the change.

Sessions start together (with a small random offset, so they are not in lockstep)
in one asyncio loop. Every wait has a timeout; nothing leaves the loopback
interface. Never asserts a time. Runs once with 1 session (baseline) and once with
``--sessions`` (default 20); prints a table and writes
``benchmarks/results/sessions.json``.

``--through-nginx``: the hosted topology instead (``scripts/hosted.py``: PostgreSQL,
app replicas, Debian's nginx with the shipped site in front, all on loopback), once with
one replica and once with two, each fresh, for 20 and 50 sessions (``--counts``). Each
session first loads the page through nginx as a browser does (``GET /``, which sets the
``mstatlas_replica`` affinity cookie) and opens its websocket through nginx with that
cookie, so nginx spreads the sessions over the replicas and keeps each on its own.
Every replica gets one warm-up session directly first. How many sessions each replica
carried is read from nginx's access log. Writes ``benchmarks/results/sessions-nginx.json``.

What this leaves out: the browser's own work (parsing, React, Leaflet drawing),
the map component's iframe and the reruns it triggers when it reports its view,
and static assets. It is a lower bound on what a user waits for, and the part of
it that one app process must carry for all its sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TARGET_P95_MS = 1000.0
#: nginx's affinity cookie (deploy/nginx/mstatlas.conf.template).
AFFINITY_COOKIE = "mstatlas_replica"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import bench_share  # noqa: E402  (the app server and its run log)

#: (step name, widget user key, value, the link after it: (text, must it be there?)).
#: The last two steps restore the start, so every round does the same work.
STEPS: list[tuple[str, str, Any, tuple[str, bool]]] = [
    ("measure -> Firms", "w_measure", "Firms", ("measure=firms", True)),
    ("min employees -> 1000", "w_min_employees", 1000, ("min_employees=1000", True)),
    ("measure -> Employees", "w_measure", "Employees", ("measure=", False)),
    ("min employees -> 0", "w_min_employees", 0, ("min_employees=", False)),
]


class SessionError(Exception):
    pass


@dataclass
class Run:
    """What one script run sent back."""

    status: str = ""
    widget_ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (id, kind)
    query_string: str | None = None
    exceptions: list[str] = field(default_factory=list)  # st.exception elements (uncaught)
    page_script_hash: str = ""
    messages: int = 0
    bytes: int = 0


async def _send_rerun(
    ws: Any, query_string: str, page_script_hash: str, widgets: dict[str, Any]
) -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    rerun = msg.rerun_script
    rerun.query_string = query_string
    rerun.page_script_hash = page_script_hash
    rerun.widget_states.SetInParent()
    for wid, (value_type, value) in widgets.items():
        state = rerun.widget_states.widgets.add()
        state.id = wid
        setattr(state, value_type, value)
    rerun.context_info.timezone = "UTC"
    rerun.context_info.locale = "en-GB"
    await ws.send(msg.SerializeToString())


async def _await_run(ws: Any, timeout_s: float) -> Run:
    """Read ForwardMsgs until ``script_finished``; collect widget ids and the new link."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    run = Run()
    deadline = time.monotonic() + timeout_s
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no script_finished within {timeout_s:.0f} s")
        data = await asyncio.wait_for(ws.recv(), left)
        if isinstance(data, str):
            raise SessionError("unexpected text frame")
        run.messages += 1
        run.bytes += len(data)
        fwd = ForwardMsg()
        fwd.ParseFromString(data)
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            etype = element.WhichOneof("type")
            if etype == "exception" and not element.exception.is_warning:
                run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
            elif etype in ("radio", "number_input"):
                proto = getattr(element, etype)
                for key in ("w_measure", "w_min_employees"):
                    if proto.id.endswith(key):
                        run.widget_ids[key] = (proto.id, etype)
        elif kind == "page_info_changed":
            run.query_string = fwd.page_info_changed.query_string
        elif kind == "new_session":
            run.page_script_hash = fwd.new_session.page_script_hash
        elif kind == "navigation":
            run.page_script_hash = fwd.navigation.page_script_hash or run.page_script_hash
        elif kind == "script_finished":
            run.status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
            if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # a rerun requested inside the run; its own finish follows
            return run


def _widget_value(kind: str, value: Any) -> tuple[str, Any]:
    if kind == "radio":
        return "string_value", str(value)
    return "double_value", float(value)  # number_input's value type, int or float


def _affinity_cookie(port: int, timeout_s: float) -> str:
    """Load the page through nginx as a browser does; return its affinity cookie."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=timeout_s) as r:
        r.read()
        cookies = r.headers.get_all("Set-Cookie") or []
    for cookie in cookies:
        if cookie.startswith(f"{AFFINITY_COOKIE}="):
            return cookie.split(";", 1)[0]
    raise SessionError(f"the page set no {AFFINITY_COOKIE} cookie (is nginx in front?)")


async def _session(
    port: int,
    idx: int,
    rounds: int,
    think_s: float,
    timeout_s: float,
    seed: int,
    sticky: bool = False,
) -> dict[str, Any]:
    import websockets

    rng = random.Random(seed * 1000 + idx)
    out: dict[str, Any] = {"session": idx, "interactions": [], "errors": []}
    await asyncio.sleep(rng.uniform(0, think_s))  # sessions do not start in lockstep
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    try:
        async with asyncio.timeout(timeout_s):
            # Through nginx: the page load sets the cookie that keeps the websocket on a replica.
            headers = None
            if sticky:
                headers = {"Cookie": await asyncio.to_thread(_affinity_cookie, port, timeout_s)}
            ws = await websockets.connect(
                url,
                subprotocols=["streamlit"],  # type: ignore[list-item]
                max_size=None,
                compression=None,  # the app is served without permessage-deflate
                open_timeout=timeout_s,
                close_timeout=2,
                additional_headers=headers,
            )
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        out["errors"].append(f"connect: {type(exc).__name__}: {exc}")
        return out
    try:
        t0 = time.perf_counter()
        await _send_rerun(ws, "", "", {})
        first = await _await_run(ws, timeout_s)
        if first.status == "FINISHED_SUCCESSFULLY" and not first.widget_ids:
            # The map first (ui.session.map_first): a browser's first run draws the map
            # only, and the map's first report reruns the script, which draws the rest.
            # Send that rerun as the map's frame would.
            await _send_rerun(ws, first.query_string or "", first.page_script_hash, {})
            rest = await _await_run(ws, timeout_s)
            rest.bytes += first.bytes
            rest.page_script_hash = rest.page_script_hash or first.page_script_hash
            rest.query_string = rest.query_string or first.query_string
            first = rest
        out["first_run_ms"] = (time.perf_counter() - t0) * 1000
        out["first_run_bytes"] = first.bytes
        if first.status != "FINISHED_SUCCESSFULLY" or first.exceptions:
            out["errors"].append(f"first run: {first.status} {'; '.join(first.exceptions)}")
        missing = {"w_measure", "w_min_employees"} - set(first.widget_ids)
        if missing:
            out["errors"].append(f"widgets not found in the first run: {sorted(missing)}")
            return out
        page_hash = first.page_script_hash
        query = first.query_string or ""
        widgets: dict[str, tuple[str, Any]] = {}
        for round_no in range(rounds):
            for name, key, value, (text, present) in STEPS:
                await asyncio.sleep(rng.uniform(0.5 * think_s, 1.5 * think_s))
                wid, kind = first.widget_ids[key]
                widgets[wid] = _widget_value(kind, value)
                t = time.perf_counter()
                try:
                    await _send_rerun(ws, query, page_hash, widgets)
                    run = await _await_run(ws, timeout_s)
                except (TimeoutError, SessionError, OSError) as exc:
                    out["errors"].append(f"{name} (round {round_no + 1}): {exc}")
                    return out  # the session is out of step; stop it
                except Exception as exc:  # noqa: BLE001 - e.g. the connection closed
                    out["errors"].append(f"{name}: {type(exc).__name__}: {exc}")
                    return out
                ms = (time.perf_counter() - t) * 1000
                if run.query_string is not None:
                    query = run.query_string
                problem = None
                if run.status != "FINISHED_SUCCESSFULLY":
                    problem = run.status
                elif run.exceptions:
                    problem = "exception in the app: " + "; ".join(run.exceptions)
                elif (text in query) != present:
                    problem = f"the link {query!r} does not show the change"
                if problem:
                    out["errors"].append(f"{name} (round {round_no + 1}): {problem}")
                else:
                    out["interactions"].append(
                        {"step": name, "round": round_no + 1, "ms": ms, "bytes": run.bytes}
                    )
    finally:
        with contextlib.suppress(Exception):  # closing is best effort
            await asyncio.wait_for(ws.close(), 3)
    return out


async def _all_sessions(
    port: int,
    n: int,
    rounds: int,
    think_s: float,
    timeout_s: float,
    seed: int,
    sticky: bool = False,
) -> list[dict[str, Any]]:
    # A whole session is bounded too: its steps, think times and a margin.
    limit = timeout_s * (2 + rounds * len(STEPS)) + think_s * 2 * (1 + rounds * len(STEPS))

    async def bounded(i: int) -> dict[str, Any]:
        try:
            return await asyncio.wait_for(
                _session(port, i, rounds, think_s, timeout_s, seed, sticky), limit
            )
        except TimeoutError:
            return {"session": i, "interactions": [], "errors": ["session time limit"]}

    return list(await asyncio.gather(*(bounded(i) for i in range(n))))


def bench(
    work: Path, n: int, rounds: int, think_s: float, timeout_s: float, seed: int
) -> dict[str, Any]:
    """One fresh app process, ``n`` concurrent protocol-level sessions."""
    with bench_share.app_server({}, work) as app:
        port = int(app.url.rsplit(":", 1)[1])
        # Warm-up: one session's first run, so module imports and caches are not in the figures.
        warm = asyncio.run(_all_sessions(port, 1, 0, 0.0, timeout_s, seed + 1))
        cpu0, t0, client0 = app.cpu_seconds(), time.time(), time.process_time()
        sessions = asyncio.run(_all_sessions(port, n, rounds, think_s, timeout_s, seed))
        t1 = time.time()
        cpu, client_cpu = app.cpu_seconds() - cpu0, time.process_time() - client0
        runs = app.runs(t0 - 0.1, t1 + 1)
    return {
        "sessions": n,
        "rounds": rounds,
        "think_s": think_s,
        "warm_up_errors": [e for s in warm for e in s["errors"]],
        **_figures(sessions),
        "wall_s": t1 - t0,
        "server_cpu_s": cpu,
        # The simulated clients share the machine: their own CPU (parsing ForwardMsgs).
        "client_cpu_s": client_cpu,
        "server_runs": len(runs),
        "server_run_wall_s": bench_share.summarise([r[1] for r in runs]),
        "server_run_cpu_s": bench_share.summarise([r[2] for r in runs]),
    }


def _figures(sessions: list[dict[str, Any]]) -> dict[str, Any]:
    """Interaction and first-run times, errors and times per step of a set of sessions."""
    ms = [i["ms"] for s in sessions for i in s["interactions"]]
    errors = [e for s in sessions for e in s["errors"]]
    first = [s["first_run_ms"] for s in sessions if "first_run_ms" in s]
    return {
        "interaction_ms": bench_share.summarise(ms),
        "first_run_ms": bench_share.summarise(first),
        "errors": len(errors),
        "error_messages": errors[:20],
        "error_kinds": dict(Counter(e.split("): ", 1)[-1] for e in errors).most_common()),
        "by_step_ms": {
            step: bench_share.summarise(
                [i["ms"] for s in sessions for i in s["interactions"] if i["step"] == step]
            )
            for step, *_ in STEPS
        },
    }


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _streams_per_replica(access_log: Path, skip: int, expected: int) -> dict[str, int]:
    """Websockets per replica in nginx's access log after its first ``skip`` lines.

    nginx logs a websocket when it closes; the sessions have closed theirs, so wait
    (briefly) for ``expected`` lines to be written.
    """
    deadline = time.monotonic() + 10
    while True:
        lines = access_log.read_text(errors="replace").splitlines()[skip:]
        streams = [line for line in lines if "/_stcore/stream " in line]
        if len(streams) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    served: Counter[str] = Counter()
    for line in streams:
        upstream = line.split("upstream=", 1)[-1].split(" upstream_status=", 1)[0]
        served[upstream.split(", ")[-1]] += 1
    return dict(sorted(served.items()))


def bench_nginx(
    replicas: int, n: int, rounds: int, think_s: float, timeout_s: float, seed: int
) -> dict[str, Any]:
    """A fresh hosted topology (``replicas`` behind nginx), ``n`` sticky sessions through nginx."""
    from scripts.hosted import hosted

    with hosted(replicas=replicas) as topo:
        procs = [r.proc for r in topo.replicas if r.proc is not None]
        # Warm-up: each replica's first run, directly, so imports and caches are not timed.
        warm = [
            s
            for r in topo.replicas
            for s in asyncio.run(_all_sessions(r.port, 1, 0, 0.0, timeout_s, seed + 1))
        ]
        skip = len(topo.access_log.read_text(errors="replace").splitlines())
        cpu0, t0, client0 = [_cpu_seconds(p.pid) for p in procs], time.time(), time.process_time()
        sessions = asyncio.run(
            _all_sessions(topo.port, n, rounds, think_s, timeout_s, seed, sticky=True)
        )
        t1, client_cpu = time.time(), time.process_time() - client0
        cpu = [_cpu_seconds(p.pid) - c for p, c in zip(procs, cpu0)]
        per_replica = _streams_per_replica(topo.access_log, skip, n)
    return {
        "replicas": replicas,
        "sessions": n,
        "rounds": rounds,
        "think_s": think_s,
        "warm_up_errors": [e for s in warm for e in s["errors"]],
        **_figures(sessions),
        "sessions_per_replica": list(per_replica.values()),
        "wall_s": t1 - t0,
        "server_cpu_s": sum(cpu),
        "server_cpu_s_per_replica": cpu,
        "client_cpu_s": client_cpu,
    }


def fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def report(results: dict[str, Any]) -> None:
    print(
        f"\nProtocol-level sessions (no browser), {results['rounds']} rounds of "
        f"{len(STEPS)} steps, think time ~{results['think_s']:.1f} s: "
        "send rerun -> script_finished (ms)"
    )
    head = (
        f"{'sessions':>8} {'interactions':>12} {'median':>8} {'p95':>8} {'max':>8} "
        f"{'errors':>6} {'first run p95':>13} {'server CPU s':>12} {'client CPU s':>12}"
    )
    print(head)
    print("-" * len(head))
    for r in results["runs"]:
        s = r["interaction_ms"]
        print(
            f"{r['sessions']:>8} {s['count']:>12} {fmt(s.get('median')):>8} "
            f"{fmt(s.get('p95')):>8} {fmt(s.get('max')):>8} {r['errors']:>6} "
            f"{fmt(r['first_run_ms'].get('p95')):>13} {r['server_cpu_s']:>12.1f} "
            f"{r['client_cpu_s']:>12.1f}"
        )
    print(f"Target: p95 <= {TARGET_P95_MS:,.0f} ms.")
    for r in results["runs"]:
        for msg, count in r["error_kinds"].items():
            print(f"  {r['sessions']} sessions, {count} x error: {msg[:300]}")


def report_nginx(results: dict[str, Any]) -> None:
    print(
        f"\nThrough nginx (hosted topology), {results['rounds']} rounds of {len(STEPS)} steps, "
        f"think time ~{results['think_s']:.1f} s: send rerun -> script_finished (ms)"
    )
    head = (
        f"{'replicas':>8} {'sessions':>8} {'per replica':>11} {'interactions':>12} {'median':>8} "
        f"{'p95':>8} {'max':>8} {'errors':>6} {'server CPU s':>12} {'client CPU s':>12}"
    )
    print(head)
    print("-" * len(head))
    for r in results["runs"]:
        s = r["interaction_ms"]
        split = "/".join(str(k) for k in r["sessions_per_replica"])
        print(
            f"{r['replicas']:>8} {r['sessions']:>8} {split:>11} {s['count']:>12} "
            f"{fmt(s.get('median')):>8} {fmt(s.get('p95')):>8} {fmt(s.get('max')):>8} "
            f"{r['errors']:>6} {r['server_cpu_s']:>12.1f} {r['client_cpu_s']:>12.1f}"
        )
    print(f"Target: 50 sessions through two replicas at p95 <= {TARGET_P95_MS:,.0f} ms, 0 errors.")
    load = results["machine"]
    print(
        f"Load average (1/5/15 min) at start {_loads(load['loadavg_1_5_15_at_start'])}, "
        f"at end {_loads(load['loadavg_1_5_15_at_end'])} on {load['cpus']} CPUs."
    )
    for r in results["runs"]:
        for msg, count in r["error_kinds"].items():
            print(
                f"  {r['replicas']} replicas, {r['sessions']} sessions, {count} x error: {msg[:300]}"
            )


def _loads(values: list[float]) -> str:
    return "/".join(f"{v:.2f}" for v in values)


def _int_list(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers separated by commas, got {text!r}"
        ) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="script rounds per session")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--timeout", type=float, default=60.0, help="per run (s)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true", help="skip the 1-session run")
    parser.add_argument(
        "--through-nginx",
        action="store_true",
        help="the hosted topology: sessions through nginx, 1 and 2 replicas (--replicas)",
    )
    parser.add_argument("--counts", type=_int_list, default=[20, 50], help="with --through-nginx")
    parser.add_argument("--replicas", type=_int_list, default=[1, 2], help="with --through-nginx")
    parser.add_argument("--out", type=Path, default=None, help="JSON results file")
    args = parser.parse_args(argv)
    counts = args.counts if args.through_nginx else [args.sessions]
    if not all(1 <= n <= 50 for n in counts) or not 0 <= args.rounds <= 10:
        parser.error("bounded: 1..50 sessions, 0..10 rounds")
    if not all(1 <= k <= 4 for k in args.replicas):
        parser.error("bounded: 1..4 replicas")

    import streamlit

    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "streamlit": streamlit.__version__,
            "loadavg_1_5_15_at_start": list(os.getloadavg()),
        },
        "rounds": args.rounds,
        "think_s": args.think,
        "steps": [s[0] for s in STEPS],
        "runs": [],
    }
    if args.through_nginx:
        for k in args.replicas:
            for n in counts:
                print(f"{k} replica(s) behind nginx, {n} sessions...", flush=True)
                results["runs"].append(
                    bench_nginx(k, n, args.rounds, args.think, args.timeout, args.seed)
                )
    else:
        if not (args.no_baseline or args.sessions == 1):
            counts = [1, args.sessions]
        with tempfile.TemporaryDirectory(prefix="mstatlas-bench-sessions-") as tmp:
            for n in counts:
                print(f"{n} session(s)...", flush=True)
                results["runs"].append(
                    bench(Path(tmp), n, args.rounds, args.think, args.timeout, args.seed)
                )
    results["machine"]["loadavg_1_5_15_at_end"] = list(os.getloadavg())
    (report_nginx if args.through_nginx else report)(results)
    out = args.out or RESULTS / ("sessions-nginx.json" if args.through_nginx else "sessions.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"Wrote {out}")
    # Times are reported, never asserted: only "nothing measured at all" is a failure.
    return 0 if all(r["interaction_ms"]["count"] for r in results["runs"]) else 1


if __name__ == "__main__":
    sys.exit(main())
