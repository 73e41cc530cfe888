"""Real ``streamlit run`` servers measured in headless Debian Chromium (Playwright).

Every non-local request is aborted by a route on a regex that matches only
non-localhost URLs (local requests never pass through Python). An init script,
run in every frame before the page's own scripts, hooks Leaflet as it loads and
records, in the map's frame:

* ``visibleAt``: the first frame painted after the first outline path was added
  (the map is on screen);
* ``symbolsAt``: the frame painted after the expected number of symbols was
  added (``L.CircleMarker`` layers, or the count announced by the firm layer);

and, in the top page, ``controlsAt``: when the first widget of the sidebar was
drawn (:func:`load_once` with ``controls``).

Times are milliseconds from navigation start (the top page's ``timeOrigin``).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
#: Matches every URL that is not on this machine (http(s) to localhost/127.0.0.1 is let through).
NON_LOCAL = re.compile(r"^(?!(?:https?|wss?)://(?:localhost|127\.0\.0\.1)(?::\d+)?(?:/|$)).+")

INIT_JS = """
(() => {
  if (window.__bench) { return; }
  const B = window.__bench = {target: __TARGET__, n: 0, visibleAt: null, symbolsAt: null, mapAt: null};
  const now = () => performance.timeOrigin + performance.now();
  const after2 = (f) => requestAnimationFrame(() => requestAnimationFrame(f));
  const check = () => {
    if (B.n >= B.target && !B.symbolsPending) { B.symbolsPending = true; after2(() => { B.symbolsAt = now(); }); }
  };
  let real;
  const hook = (Lx) => {
    if (!Lx || !Lx.Map || Lx.__benchHooked) { return; }
    Lx.__benchHooked = true;
    Lx.Map.addInitHook(function () {
      const map = this;
      B.map = map; B.mapAt = now();
      map.on('mstpointsdrawn', (e) => { B.n += e.count; check(); });
      map.on('layeradd', (e) => {
        const l = e.layer;
        if (l instanceof Lx.CircleMarker) { B.n += 1; check(); }
        else if (l instanceof Lx.Path && !B.visiblePending) {
          B.visiblePending = true; after2(() => { B.visibleAt = now(); });
        }
      });
    });
  };
  Object.defineProperty(window, 'L', {configurable: true, get() { return real; }, set(v) { real = v; hook(v); }});
  if (window === window.top) {  // the page's controls: the first sidebar widget drawn
    const seen = () => document.querySelector('[data-testid="stSidebarUserContent"] [data-testid="stWidgetLabel"]');
    new MutationObserver((_, obs) => { if (seen()) { B.controlsAt = now(); obs.disconnect(); } })
      .observe(document, {childList: true, subtree: true});
  }
})();
"""

PAN_ZOOM_JS = """
async () => {
  const m = window.__bench.map, ft = [];
  let last = null, run = true;
  const tick = (t) => { if (last !== null) { ft.push(t - last); } last = t; if (run) { requestAnimationFrame(tick); } };
  requestAnimationFrame(tick);
  const wait = (ms) => new Promise((r) => setTimeout(r, ms));
  const t0 = performance.now();
  for (let i = 0; i < 4; i++) { m.panBy([120, 60]); await wait(400); }
  for (let i = 0; i < 2; i++) { m.zoomIn(1); await wait(700); }
  for (let i = 0; i < 2; i++) { m.zoomOut(1); await wait(700); }
  for (let i = 0; i < 4; i++) { m.panBy([-120, -60]); await wait(400); }
  run = false;
  const dur = performance.now() - t0;
  ft.sort((a, b) => a - b);
  const q = (p) => ft[Math.min(ft.length - 1, Math.floor(p * ft.length))];
  return {frames: ft.length, p50: q(0.5), p95: q(0.95), max: ft[ft.length - 1],
          long: ft.filter((x) => x > 50).length, fps: ft.length / dur * 1000};
}
"""


#: Stops the map from reporting its view (no Streamlit rerun per move): the map's own frames.
QUIET_JS = "() => { if (window.Streamlit) { window.Streamlit.setComponentValue = () => {}; } }"


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running ``streamlit run`` process."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}/"

    def peak_rss_mb(self) -> float | None:
        """Peak resident memory of the server process so far (VmHWM), in MB."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            return None
        return None


@contextlib.contextmanager
def streamlit_server(
    app: Path, env: dict[str, str], log: Path, start_timeout: float = 90.0
) -> Iterator[Server]:
    """Start ``streamlit run app`` on a free port; always stopped (its process group killed)."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.enableStaticServing",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    fh = log.open("wb")
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=fh,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(proc, port, log)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early; see {log}")
            try:
                with urllib.request.urlopen(f"{server.url}_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"streamlit did not start within {start_timeout:.0f} s")
            time.sleep(0.25)
        yield server
    finally:
        stop_process_group(proc, grace_s=10)
        fh.close()


def stop_process_group(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM a server's process group, then SIGKILL it if it is not gone in time."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium via Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def chromium_version() -> str:
    try:
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def new_context(browser: Any, target: int) -> tuple[Any, list[str]]:
    """A browser context with the network blocked and the Leaflet hooks installed.

    Pages opened in one context share its HTTP cache (a returning visitor).
    """
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    blocked: list[str] = []

    def abort(route: Any) -> None:
        blocked.append(route.request.url)
        route.abort()

    ctx.route(NON_LOCAL, abort)
    ctx.add_init_script(INIT_JS.replace("__TARGET__", str(int(target))))
    return ctx, blocked


def load_once(
    ctx: Any,
    blocked: list[str],
    url: str,
    *,
    pan_zoom: bool = False,
    quiet: bool = False,
    controls: bool = False,
    timeout: float = 180.0,
) -> dict[str, Any]:
    """Open ``url`` in a new page of ``ctx``; time map visible / symbols drawn (ms from navigation).

    With ``pan_zoom``, also the frame times of a scripted pan and zoom; with
    ``quiet`` too, the same again with the map's view reports switched off
    (``pan_zoom_quiet``): what the map itself costs, without the Streamlit
    rerun each move triggers on the same machine. With ``controls``, also
    ``controls_ms``: when the sidebar's first widget was drawn (waited for after the symbols).
    """
    page = ctx.new_page()
    try:
        ws = {"bytes": 0}

        def on_ws(sock: Any) -> None:
            sock.on("framereceived", lambda p: ws.__setitem__("bytes", ws["bytes"] + len(p)))

        page.on("websocket", on_ws)
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        t0 = float(page.evaluate("performance.timeOrigin"))
        deadline = time.monotonic() + timeout
        frame, state = None, None
        while time.monotonic() < deadline:
            for f in page.frames:
                if f == page.main_frame:
                    continue
                with contextlib.suppress(Exception):
                    st = f.evaluate(
                        "window.__bench && window.__bench.mapAt ? [window.__bench.visibleAt, "
                        "window.__bench.symbolsAt, window.__bench.n, performance.timeOrigin] : null"
                    )
                    if st:
                        frame, state = f, st
            if state and state[0] and state[1]:
                break
            page.wait_for_timeout(50)  # lets Playwright service events (time.sleep would not)
        if not state or not state[1]:
            return {"error": f"symbols not drawn within {timeout:.0f} s (state {state})"}
        result: dict[str, Any] = {
            "visible_ms": state[0] - t0,
            "symbols_ms": state[1] - t0,
            "symbols": state[2],
            # When the map's frame started loading: what comes before is Streamlit's own page.
            "frame_ms": state[3] - t0,
            "ws_bytes": ws["bytes"],
            "blocked_requests": len(blocked),
        }
        if controls:
            while time.monotonic() < deadline:
                at = page.evaluate("window.__bench && window.__bench.controlsAt")
                if at:
                    result["controls_ms"] = at - t0
                    break
                page.wait_for_timeout(50)
        if pan_zoom and frame is not None:
            result["pan_zoom"] = frame.evaluate(PAN_ZOOM_JS)
            if quiet:
                frame.evaluate(QUIET_JS)
                result["pan_zoom_quiet"] = frame.evaluate(PAN_ZOOM_JS)
        return result
    finally:
        page.close()
