"""Shared links under load: opening a 100,000-row ``?ds=`` link, and 20 sessions at once.

Run: ``python benchmarks/bench_share.py`` (options: ``--help``). Against a real
``streamlit run app.py`` measured in headless Debian Chromium (Playwright), with
every non-local request aborted by a route on a regex that matches only
non-localhost URLs. Everything listens on 127.0.0.1; every server started here is
stopped (its process group killed) on the way out. Never asserts a time.

1. **Open a shared link.** A synthetic canonical dataset (``benchmarks/synth.py``,
   100,000 rows) is stored in SQLite (a temporary file) and in a throwaway local
   PostgreSQL server (``tests/postgres_server.py``, normal crash-safe settings).
   For each, the app is started with ``MSTATLAS_DATABASE_URL`` pointing at the
   store and ``/?ds=<id>`` is opened in a fresh browser context: *cold* (first
   open after the server started) and *warm* (later opens; the dataset and the
   derived tables are cached in the process). Times are milliseconds from
   navigation start to the first frame painted after the map's first outline
   was added (*visible*) and after its ``CircleMarker`` symbols were added
   (*symbols*), recorded inside the ``st_folium`` iframe. Also: the cost of
   :meth:`DatasetStore.load` alone (first call on a new store, then the median
   of repeated calls).
2. **Concurrent sessions.** One app process, the embedded dataset, N browser
   contexts (default 20) in one Chromium. Each session opens the map, then runs
   a fixed script (with a seeded think time between steps): change the measure
   radio, toggle a filter, switch to the Ranking page, back to the Map; twice
   by default (the second round restores the first). An interaction is timed in
   the page, from the click's ``pointerdown`` until Streamlit's script-run state
   (``data-test-script-state`` on ``stApp``) is back to ``notRunning`` after the
   rerun and the URL shows the expected view (*done*), and until no further
   rerun followed for 0.6 s (*settled*; e.g. the map component reporting its
   view). The server runs under a thin wrapper that records every script run's
   wall time and its thread's CPU time, so client time splits into server work
   and waiting (the GIL: all sessions' script threads share one interpreter).
   ``--profile`` adds cProfile per script run and prints where server time goes.

Prints tables and writes ``benchmarks/results/share.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

if str(ROOT) not in sys.path:  # run as a script: the benchmarks package is beside it
    sys.path.insert(0, str(ROOT))

from benchmarks.browser import free_port, stop_process_group  # noqa: E402

CHROMIUM = os.environ.get("MSTATLAS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
#: Every URL that is not http(s)/ws(s) to localhost or 127.0.0.1 (local traffic never enters Python).
NON_LOCAL = r"^(?!(?:https?|wss?)://(?:localhost|127\.0\.0\.1)(?::\d+)?(?:/|$)).+"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TARGET_P95_MS = 1000.0

# -- the server, optionally wrapped to time (and profile) every script run ---------------


def _serve(log_path: str, profile_path: str, streamlit_args: list[str]) -> None:
    """Run ``streamlit`` in this process, logging every script run (``--serve`` mode).

    Each run appends ``[start epoch s, wall s, thread CPU s, page]`` to ``log_path``.
    With a ``profile_path``, every run is profiled with cProfile and the merged
    statistics are written there when the server exits.
    """
    import atexit
    import cProfile
    import pstats
    import threading

    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    lock = threading.Lock()
    local = threading.local()
    merged: list[pstats.Stats] = []
    original = script_runner.ScriptRunner._run_script

    def timed(self: Any, rerun_data: Any) -> None:
        depth = getattr(local, "depth", 0)
        if depth:  # a rerun handled inside the run: timed by the outer call
            original(self, rerun_data)
            return
        local.depth = 1
        prof = cProfile.Profile() if profile_path else None
        t0, c0 = time.time(), time.thread_time()
        if prof:
            prof.enable()
        try:
            original(self, rerun_data)
        finally:
            if prof:
                prof.disable()
            wall, cpu = time.time() - t0, time.thread_time() - c0
            local.depth = 0
            page = str(getattr(rerun_data, "page_name", "") or "")
            with lock:
                with open(log_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps([t0, wall, cpu, page]) + "\n")
                if prof:
                    if merged:
                        merged[0].add(prof)
                    else:
                        merged.append(pstats.Stats(prof))

    def dump() -> None:
        if profile_path and merged:
            merged[0].dump_stats(profile_path)

    script_runner.ScriptRunner._run_script = timed  # type: ignore[method-assign]
    atexit.register(dump)
    sys.argv = ["streamlit", *streamlit_args]
    sys.exit(cli.main())


@dataclass
class App:
    proc: subprocess.Popen[bytes]
    url: str
    runs_log: Path

    def runs(self, since: float = 0.0, until: float = float("inf")) -> list[list[Any]]:
        """Script runs that started in ``[since, until)`` (epoch seconds)."""
        if not self.runs_log.exists():
            return []
        rows = [json.loads(line) for line in self.runs_log.read_text().splitlines() if line]
        return [r for r in rows if since <= r[0] < until]

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process (all threads) so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: Extra ``streamlit run`` options (``--set runner.postScriptGC=false``), for what-if runs.
EXTRA_OPTIONS: list[str] = []


@contextlib.contextmanager
def app_server(env: dict[str, str], work: Path, profile: Path | None = None) -> Iterator[App]:
    """``streamlit run app.py`` on a free loopback port; its process group is always killed."""
    port = free_port()
    runs_log = work / f"runs-{port}.jsonl"
    server_log = work / f"server-{port}.log"
    streamlit_args = [
        "run", str(ROOT / "app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false", *EXTRA_OPTIONS,
    ]  # fmt: skip
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", str(runs_log)]
    cmd += [str(profile) if profile else "", "--", *streamlit_args]
    with server_log.open("wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,  # Streamlit reads .streamlit/config.toml (static serving) from here
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        app = App(proc, f"http://127.0.0.1:{port}", runs_log)
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        "streamlit exited early:\n" + server_log.read_text(errors="replace")[-2000:]
                    )
                health = f"{app.url}/_stcore/health"
                with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2) as r:
                    if r.status == 200:
                        break
                if time.monotonic() > deadline:
                    raise TimeoutError("streamlit did not become healthy within 90 s")
                time.sleep(0.25)
            yield app
        finally:
            stop_process_group(proc, grace_s=20)


# -- 1. opening a shared link ------------------------------------------------------------

#: Runs in every frame before the page's scripts: hooks Leaflet as it is assigned to
#: window.L and records when the map's outlines and its CircleMarkers were first painted.
OPEN_JS = """
(() => {
  if (window.__open) { return; }
  const B = window.__open = {mapAt: null, visibleAt: null, symbolsAt: null, n: 0};
  const now = () => performance.timeOrigin + performance.now();
  const after2 = (f) => requestAnimationFrame(() => requestAnimationFrame(f));
  let real;
  const hook = (Lx) => {
    if (!Lx || !Lx.Map || Lx.__openHooked) { return; }
    Lx.__openHooked = true;
    Lx.Map.addInitHook(function () {
      B.mapAt = B.mapAt || now();
      this.on('layeradd', (e) => {
        if (e.layer instanceof Lx.CircleMarker) {
          B.n += 1;  // the layer adds all markers in one synchronous loop
          if (!B.symbolsPending) { B.symbolsPending = true; after2(() => { B.symbolsAt = now(); }); }
        } else if (e.layer instanceof Lx.Path && !B.visiblePending) {
          B.visiblePending = true; after2(() => { B.visibleAt = now(); });
        }
      });
    });
  };
  Object.defineProperty(window, 'L', {
    configurable: true, get() { return real; }, set(v) { real = v; hook(v); },
  });
})();
"""


def open_link(browser: Any, url: str, timeout_s: float) -> dict[str, Any]:
    """Open ``url`` in a fresh context; ms from navigation start to map visible / symbols drawn."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []
    try:

        def abort(route: Any) -> None:
            blocked.append(route.request.url)
            route.abort()

        ctx.route(re.compile(NON_LOCAL), abort)
        ctx.add_init_script(OPEN_JS)
        page = ctx.new_page()
        received = {"bytes": 0}
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived", lambda p: received.__setitem__("bytes", received["bytes"] + len(p))
            ),
        )
        started = time.time()
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        t0 = float(page.evaluate("performance.timeOrigin"))
        deadline = time.monotonic() + timeout_s
        state = None
        while time.monotonic() < deadline:
            for frame in page.frames[1:]:
                with contextlib.suppress(Exception):
                    got = frame.evaluate(
                        "window.__open && window.__open.symbolsAt && window.__open.visibleAt"
                        " ? [window.__open.visibleAt, window.__open.symbolsAt, window.__open.n]"
                        " : null"
                    )
                    if got:
                        state = got
            if state:
                break
            page.wait_for_timeout(50)  # unlike time.sleep, lets Playwright learn of new frames
        if not state:
            return {"error": f"map symbols not drawn within {timeout_s:.0f} s"}
        return {
            "visible_ms": state[0] - t0,
            "symbols_ms": state[1] - t0,
            "symbols": int(state[2]),
            "ws_bytes": received["bytes"],
            "blocked_requests": len(blocked),
            "started": started,
        }
    finally:
        ctx.close()


def bench_open(
    label: str,
    url: str,
    dataset: Any,
    browser: Any,
    work: Path,
    *,
    loads: int,
    warm: int,
    timeout_s: float,
    profile: Path | None = None,
) -> dict[str, Any]:
    """Store ``dataset`` at ``url``; time DatasetStore.load, then cold and warm opens in the app."""
    from mstatlas.store import DatasetStore

    store = DatasetStore(url, max_bytes=1 << 30)
    saved = store.save(dataset)
    store.close()
    fresh = DatasetStore(url, max_bytes=1 << 30)  # as a newly started app process would
    t = time.perf_counter()
    fresh.load(saved.id)
    first_load = time.perf_counter() - t
    times = []
    for _ in range(loads):
        t = time.perf_counter()
        got = fresh.load(saved.id)
        times.append(time.perf_counter() - t)
    assert len(got.clusters) == len(dataset.clusters)  # correctness, not timing
    fresh.close()
    out: dict[str, Any] = {
        "store_load_first_s": first_load,
        "store_load_median_s": statistics.median(times),
        "store_load_best_s": min(times),
    }
    with app_server({"MSTATLAS_DATABASE_URL": url}, work, profile) as app:
        link = f"{app.url}/?ds={saved.id}"
        opens = [open_link(browser, link, timeout_s * 2)]  # cold: nothing cached yet
        opens += [open_link(browser, link, timeout_s) for _ in range(warm)]
        for o in opens:
            if "started" in o:
                runs = app.runs(o.pop("started") - 0.5, time.time() + 1)
                o["server_runs"] = len(runs)
                o["server_script_s"] = sum(r[1] for r in runs)
    out["cold"] = opens[0]
    out["warm"] = opens[1:]
    ok = [o for o in opens[1:] if "error" not in o]
    if ok:
        out["warm_median"] = {
            k: statistics.median(o[k] for o in ok)
            for k in ("visible_ms", "symbols_ms", "server_script_s")
        }
    print(f"  {label}: done", flush=True)
    return out


# -- 2. concurrent sessions --------------------------------------------------------------

#: Installed in the top page once it has rendered: time of the last pointerdown and every
#: change of Streamlit's script-run state (performance.now() milliseconds).
SESSION_JS = """
() => {
  if (window.__sess) { return; }
  const S = window.__sess = {clickAt: null, seenAt: null, log: []};
  const app = document.querySelector('[data-testid="stApp"]');
  const note = () => S.log.push([performance.now(), app.getAttribute('data-test-script-state')]);
  note();
  addEventListener('pointerdown', () => { S.clickAt = performance.now(); }, true);
  new MutationObserver(note).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}
"""

#: True once the state is notRunning and the page shows the expected view, after the
#: click. Records when that was first seen (``seenAt``): the fallback end time when the
#: run's state changes were too quick to be rendered separately.
DONE_JS = """
([n0, expect]) => {
  const S = window.__sess;
  const idle = S.log[S.log.length - 1][1] === 'notRunning';
  const ok = idle && new Function('return (' + expect + ');')();
  if (ok && S.seenAt === null) { S.seenAt = performance.now(); }
  return ok;
}
"""

EXPECT_MAP = "(location.pathname === '/' || location.pathname.endsWith('/map')) && document.querySelector('h1') && document.querySelector('h1').textContent.includes('MST Atlas of Europe')"
EXPECT_RANKING = "location.pathname.endsWith('/ranking') && document.querySelector('h1') && document.querySelector('h1').textContent.includes('Ranking of MST clusters')"


def session_steps(round_no: int) -> list[tuple[str, str, str, str]]:
    """(name, where, text to click, expected-view JS) for one round of a session's script."""
    measure = ("Firms", "location.search.includes('measure=firms')")
    back = ("Employees", "!location.search.includes('measure=')")
    undated_off = "location.search.includes('undated=0')"
    undated_on = "!location.search.includes('undated=')"
    m_text, m_expect = measure if round_no % 2 == 0 else back
    return [
        ("measure radio", "sidebar", m_text, m_expect),
        (
            "filter checkbox",
            "sidebar",
            "Include undated figures",
            undated_off if round_no % 2 == 0 else undated_on,
        ),
        ("to Ranking page", "nav", "Ranking", EXPECT_RANKING),
        ("back to Map page", "nav", "Map", EXPECT_MAP),
    ]


async def _interact(page: Any, where: str, text: str, expect: str, timeout_s: float) -> dict:
    n0 = await page.evaluate("window.__sess.seenAt = null; window.__sess.log.length")
    scope = page.locator(
        '[data-testid="stSidebarNav"]' if where == "nav" else '[data-testid="stSidebarUserContent"]'
    )
    await scope.get_by_text(text, exact=True).first.click(timeout=timeout_s * 1000)
    try:
        # Poll on a timer: requestAnimationFrame polling stalls in pages starved of CPU.
        await page.wait_for_function(
            DONE_JS, arg=[n0, expect], polling=100, timeout=timeout_s * 1000
        )
    except Exception as exc:
        seen = await page.evaluate(
            "([n0, expect]) => [window.__sess.clickAt, window.__sess.log.slice(n0),"
            " location.pathname + location.search, new Function('return (' + expect + ');')()]",
            [n0, expect],
        )
        raise RuntimeError(
            f"timed out: click at {seen[0]}, states since {seen[1]}, at {seen[2]}, "
            f"expected view {'reached' if seen[3] else 'not reached'}"
        ) from exc
    done_js = """
    (n0) => { const S = window.__sess, log = S.log.slice(n0);
      const b = log.findIndex(([t, s]) => t >= S.clickAt && s !== 'notRunning');
      const idle = b < 0 ? null : log.slice(b).find(([t, s]) => s === 'notRunning');
      return [S.clickAt, idle ? idle[0] : S.seenAt, S.log.length, !idle]; }
    """
    click_at, first_idle, n, polled = await page.evaluate(done_js, n0)
    quiet_since = time.monotonic()
    deadline = quiet_since + 15
    while time.monotonic() < deadline:  # settle: no further rerun for 0.6 s
        await asyncio.sleep(0.1)
        n_now, state = await page.evaluate(
            "[window.__sess.log.length, window.__sess.log[window.__sess.log.length - 1][1]]"
        )
        if n_now != n or state != "notRunning":
            n, quiet_since = n_now, time.monotonic()
        elif time.monotonic() - quiet_since >= 0.6:
            break
    last_idle = await page.evaluate(
        "([n0, c]) => { const l = window.__sess.log.slice(n0)"
        ".filter(([t, s]) => t >= c && s === 'notRunning');"
        " return l.length ? l[l.length - 1][0] : null; }",
        [n0, click_at],
    )
    last_idle = max(first_idle, last_idle or first_idle)
    runs = await page.evaluate(
        "([n0, c]) => window.__sess.log.slice(n0).filter(([t, s]) => t >= c && s === 'running').length",
        [n0, click_at],
    )
    return {
        "done_ms": first_idle - click_at,
        "settled_ms": last_idle - click_at,
        "runs": runs,
        "end_polled": bool(polled),  # end time from the 100 ms poll, not a state change
    }


async def _session(
    browser: Any, url: str, idx: int, rounds: int, think_s: float, timeout_s: float
) -> dict[str, Any]:
    rng = random.Random(idx)
    ctx = await browser.new_context(viewport={"width": 1400, "height": 900})
    out: dict[str, Any] = {"session": idx, "interactions": [], "errors": []}
    try:
        await ctx.route(re.compile(NON_LOCAL), lambda route: route.abort())
        page = await ctx.new_page()
        t = time.perf_counter()
        await page.goto(url, wait_until="commit", timeout=timeout_s * 4000)
        await page.wait_for_selector(MAP_FRAME, timeout=timeout_s * 4000)
        await page.wait_for_function(
            "document.querySelector('[data-testid=\"stApp\"]')"
            ".getAttribute('data-test-script-state') === 'notRunning'",
            timeout=timeout_s * 4000,
        )
        out["open_s"] = time.perf_counter() - t
        await page.evaluate(SESSION_JS)
        await asyncio.sleep(rng.uniform(0, 2 * think_s))  # sessions do not act in lockstep
        for r in range(rounds):
            for name, where, text, expect in session_steps(r):
                try:
                    res = await _interact(page, where, text, expect, timeout_s)
                except Exception as exc:  # noqa: BLE001 - recorded and reported
                    out["errors"].append(f"{name}: {str(exc).splitlines()[0][:400]}")
                    return out  # the rest of the script would start from an unknown view
                out["interactions"].append({"step": name, "round": r, **res})
                await asyncio.sleep(rng.uniform(0.5 * think_s, 1.5 * think_s))
        return out
    except Exception as exc:  # noqa: BLE001
        out["errors"].append(f"open: {str(exc).splitlines()[0][:200]}")
        return out
    finally:
        await ctx.close()


async def _sessions(url: str, n: int, rounds: int, think_s: float, timeout_s: float) -> list:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return list(
                await asyncio.gather(
                    *(_session(browser, url, i, rounds, think_s, timeout_s) for i in range(n))
                )
            )
        finally:
            await browser.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def summarise(values: list[float]) -> dict[str, float]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "median": statistics.median(values),
        "p95": percentile(values, 95),
        "max": max(values),
    }


def bench_sessions(
    work: Path, n: int, rounds: int, think_s: float, timeout_s: float, profile: Path | None
) -> dict[str, Any]:
    home = work / "sessions-home"
    home.mkdir(exist_ok=True)
    with app_server({"MSTATLAS_HOME": str(home)}, work, profile) as app:
        t0, cpu0, load0 = time.time(), app.cpu_seconds(), os.getloadavg()[0]
        results = asyncio.run(_sessions(app.url + "/", n, rounds, think_s, timeout_s))
        t1, cpu1 = time.time(), app.cpu_seconds()
        runs = app.runs(t0, t1)
    inter = [i for s in results for i in s["interactions"]]
    errors = [f"session {s['session']}: {e}" for s in results for e in s["errors"]]
    by_step: dict[str, dict[str, float]] = {}
    for step in dict.fromkeys(i["step"] for i in inter):
        by_step[step] = summarise([i["done_ms"] for i in inter if i["step"] == step])
    out: dict[str, Any] = {
        "sessions": n,
        "rounds": rounds,
        "think_s": think_s,
        "open_s": summarise([s["open_s"] for s in results if "open_s" in s]),
        "done_ms": summarise([i["done_ms"] for i in inter]),
        "settled_ms": summarise([i["settled_ms"] for i in inter]),
        "by_step": by_step,
        "runs_per_interaction": statistics.mean(i["runs"] for i in inter) if inter else None,
        "end_polled": sum(i["end_polled"] for i in inter),
        "errors": errors,
        "expected_interactions": n * rounds * 4,
        "wall_s": t1 - t0,
        "server_cpu_s": cpu1 - cpu0,
        "server_cores_busy": (cpu1 - cpu0) / (t1 - t0),
        "loadavg_1min_start_end": [load0, os.getloadavg()[0]],
        "server_runs": summarise([r[1] * 1000 for r in runs]),
        "server_run_cpu_ms": summarise([r[2] * 1000 for r in runs]),
        "target_p95_ms": TARGET_P95_MS,
    }
    out["meets_target"] = bool(inter) and out["done_ms"]["p95"] <= TARGET_P95_MS
    if profile and profile.exists():
        out["profile"] = str(profile.relative_to(ROOT)) if profile.is_relative_to(ROOT) else None
    return out


def print_profile(path: Path, top: int = 30) -> None:
    import pstats

    print(f"\n{path.name}: where server time goes (cProfile, every script run, top {top}):")
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(top)


# -- main --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    try:
        chromium = subprocess.run(
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = "unknown"
    import streamlit

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "streamlit": streamlit.__version__,
        "chromium": chromium,
        # Other work on the machine inflates every figure here; this says how busy it was.
        "loadavg_1_5_15_at_start": list(os.getloadavg()),
    }


def fmt_ms(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve"]:  # internal: the app server, wrapped (see _serve)
        _serve(argv[1], argv[2], argv[4:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the shared dataset")
    parser.add_argument("--warm", type=int, default=3, help="warm opens per backend")
    parser.add_argument("--loads", type=int, default=5, help="DatasetStore.load repeats")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2, help="script rounds per session")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--timeout", type=float, default=90.0, help="per open / interaction (s)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-open", action="store_true", help="skip part 1 (shared link)")
    parser.add_argument("--no-sessions", action="store_true", help="skip part 2 (sessions)")
    parser.add_argument("--profile", action="store_true", help="cProfile the sessions' reruns")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.OPTION=VALUE",
        help="extra streamlit option for every server, e.g. runner.postScriptGC=false",
    )
    args = parser.parse_args(argv)
    for item in args.set:
        key, _, value = item.partition("=")
        EXTRA_OPTIONS.extend([f"--{key}", value])
    if not Path(CHROMIUM).exists():
        print(f"Debian Chromium not found at {CHROMIUM}; install the 'chromium' package.")
        return 1

    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres_server import PostgresUnavailable, postgres_server

    from benchmarks.synth import synthetic_clusters
    from mstatlas.data.schema import coerce_clusters
    from mstatlas.store import SharedDataset

    results: dict[str, Any] = {"machine": machine(), "rows": args.rows, "options": args.set}
    with tempfile.TemporaryDirectory(prefix="mstatlas-bench-share-") as tmp:
        work = Path(tmp)
        if not args.no_open:
            from playwright.sync_api import sync_playwright

            dataset = SharedDataset(
                name=f"Benchmark: {args.rows:,} synthetic clusters",
                clusters=coerce_clusters(synthetic_clusters(args.rows)),
                meta={"kind": "clusters", "filename": "synthetic.csv"},
            )
            opened: dict[str, Any] = {}
            print(f"1. Opening a shared link with {args.rows:,} rows", flush=True)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    opened["sqlite"] = bench_open(
                        "sqlite", f"sqlite:///{work / 'share.sqlite'}", dataset, browser, work,
                        loads=args.loads, warm=args.warm, timeout_s=args.timeout,
                        profile=RESULTS / "share-open-sqlite.pstats" if args.profile else None,
                    )  # fmt: skip
                    if not args.no_postgres:
                        try:
                            with postgres_server(durable=True) as pg_url:
                                opened["postgresql"] = bench_open(
                                    "postgresql", pg_url, dataset, browser, work,
                                    loads=args.loads, warm=args.warm, timeout_s=args.timeout,
                                    profile=(
                                        RESULTS / "share-open-postgresql.pstats"
                                        if args.profile else None
                                    ),
                                )  # fmt: skip
                        except PostgresUnavailable as exc:
                            print(f"  PostgreSQL skipped: {exc}")
                finally:
                    browser.close()
            results["open"] = opened
        if not args.no_sessions:
            print(
                f"2. {args.sessions} concurrent sessions x {args.rounds} rounds x 4 interactions",
                flush=True,
            )
            profile = work / "sessions.pstats" if args.profile else None
            results["sessions"] = bench_sessions(
                work, args.sessions, args.rounds, args.think, args.timeout, profile
            )
            if profile and profile.exists():
                kept = RESULTS / "share-sessions.pstats"
                RESULTS.mkdir(parents=True, exist_ok=True)
                kept.write_bytes(profile.read_bytes())
                results["sessions"]["profile"] = str(kept.relative_to(ROOT))

    results["machine"]["loadavg_1_5_15_at_end"] = list(os.getloadavg())
    report(results)
    if args.profile:
        for name in ("share-open-sqlite.pstats", "share-sessions.pstats"):
            if (RESULTS / name).exists():
                print_profile(RESULTS / name, top=25)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "share.json"
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


def report(results: dict[str, Any]) -> None:
    m = results["machine"]
    print(f"\n{m['cpus']} CPUs, Python {m['python']}, Streamlit {m['streamlit']}, {m['chromium']}")
    load = ", ".join(f"{x:.1f}" for x in m["loadavg_1_5_15_at_start"])
    print(f"load average (1/5/15 min) at start: {load} (other work on the machine counts too)")
    if "open" in results:
        print(f"\nOpening /?ds=<id> with {results['rows']:,} rows (ms from navigation)")
        print(
            f"{'store':12} {'load first':>11} {'load med.':>10} | {'cold visible':>13} "
            f"{'cold symbols':>13} {'server':>8} | {'warm visible':>13} {'warm symbols':>13} "
            f"{'symbols':>8} {'received':>9}"
        )
        for name, r in results["open"].items():
            cold, warm = r["cold"], r.get("warm_median", {})
            print(
                f"{name:12} {r['store_load_first_s'] * 1000:>9,.0f}ms "
                f"{r['store_load_median_s'] * 1000:>8,.0f}ms | "
                f"{fmt_ms(cold.get('visible_ms')):>13} {fmt_ms(cold.get('symbols_ms')):>13} "
                f"{cold.get('server_script_s', 0) * 1000:>6,.0f}ms | "
                f"{fmt_ms(warm.get('visible_ms')):>13} {fmt_ms(warm.get('symbols_ms')):>13} "
                f"{cold.get('symbols', 0):>8,} {cold.get('ws_bytes', 0) / 1e6:>7.1f}MB"
            )
            for o in [cold, *r["warm"]]:
                if "error" in o:
                    print(f"  {name}: {o['error']}")
    if "sessions" in results:
        s = results["sessions"]
        print(
            f"\n{s['sessions']} concurrent sessions, {s['rounds']} rounds, think time "
            f"~{s['think_s']:.1f} s: interaction time, click -> rerun finished (ms)"
        )
        print(f"{'':22} {'count':>6} {'median':>8} {'p95':>8} {'max':>8}")
        rows = [("all (done)", s["done_ms"]), ("all (settled)", s["settled_ms"])]
        rows += [(f"  {k}", v) for k, v in s["by_step"].items()]
        rows += [
            ("server script run", s["server_runs"]),
            ("  of which CPU", s["server_run_cpu_ms"]),
        ]
        for label, v in rows:
            if v.get("count"):
                print(
                    f"{label:22} {v['count']:>6} {v['median']:>8,.0f} {v['p95']:>8,.0f} "
                    f"{v['max']:>8,.0f}"
                )
        o = s["open_s"]
        if o.get("count"):
            print(
                f"session open (all at once): median {o['median']:.1f} s, p95 {o['p95']:.1f} s; "
                f"{s['runs_per_interaction'] or 0:.2f} script runs per interaction"
            )
        print(
            f"server: {s['server_cpu_s']:.0f} s CPU in {s['wall_s']:.0f} s "
            f"({s['server_cores_busy']:.2f} cores busy); "
            f"{len(s['done_ms']) and s['done_ms'].get('count', 0)}/{s['expected_interactions']} "
            f"interactions completed; target p95 <= {s['target_p95_ms']:.0f} ms: "
            f"{'met' if s['meets_target'] else 'MISSED'}"
        )
        for e in s["errors"][:10]:
            print(f"  error: {e}")


if __name__ == "__main__":
    raise SystemExit(main())
