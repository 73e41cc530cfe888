"""Browser-test harness: a real `streamlit run app.py` and Debian Chromium with every
non-local request aborted.

Tests wait for conditions, never for a fixed time: :func:`wait_for_run` waits until
the app has finished a script run that started after a given moment (counted from
Streamlit's own ``new_session`` / ``script_finished`` messages on its WebSocket),
:func:`wait_until_still` until an element has stopped moving.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from ports import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("MSTATLAS_CHROMIUM", "/usr/bin/chromium")
NON_LOCAL = re.compile(
    r"^(?!(?:https?|wss?)://(?:localhost|127\.0\.0\.1)(?::\d+)?/)(?!data:|blob:|about:)"
)


def start_app(env: dict[str, str] | None = None, cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """Start the app on a free port; return the process and its base URL once healthy.

    The server's output goes to a log file under test-artifacts/ (a pipe nobody reads
    would fill up and freeze the server).
    """
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed by stop_app
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # the code under test stays the code the server started with
            "--server.fileWatcherType", "none",
        ],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    proc.log_file = log  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=0.3)  # ask again soon, or at once should the server exit
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy within 90 s; log: {log_path}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log = getattr(proc, "log_file", None)
    if log is not None:
        log.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("mstatlas-home")
    proc, url = start_app({"MSTATLAS_HOME": str(home)})
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian Chromium not found at {CHROMIUM}: install the 'chromium' package (bash .ci/run does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        yield b
        b.close()


#: Counts the app's script runs from its own messages: the init script wraps the page's
#: WebSocket and reads the top-level field of each ForwardMsg from Streamlit (protobuf:
#: field 4 ``new_session`` starts a run, field 6 ``script_finished`` ends one, even one cut
#: short by a rerun). ``window.__mstStarted`` / ``window.__mstRuns`` count them. The
#: root element's ``data-test-script-state`` is not enough: React may never render
#: "running" for a fast rerun, and then a run is missed.
COUNT_RUNS = """
(() => {
  if (window.__mstRuns !== undefined || !window.WebSocket) { return; }
  window.__mstRuns = 0;
  window.__mstStarted = 0;
  window.__mstRunning = false;
  const NEW_SESSION = 4, SCRIPT_FINISHED = 6;
  const varint = (b, i) => {
    let v = 0, s = 0, x;
    do { x = b[i++]; v += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80 && i < b.length);
    return [v, i];
  };
  const count = (data) => {
    if (!(data instanceof ArrayBuffer)) { return; }
    const b = new Uint8Array(data);
    let i = 0;
    while (i < b.length) {
      let tag, n;
      [tag, i] = varint(b, i);
      const field = Math.floor(tag / 8), wire = tag % 8;
      if (field === NEW_SESSION) { window.__mstStarted += 1; window.__mstRunning = true; }
      if (field === SCRIPT_FINISHED) { window.__mstRuns += 1; window.__mstRunning = false; }
      if (wire === 0) { [n, i] = varint(b, i); }
      else if (wire === 2) { [n, i] = varint(b, i); i += n; }
      else if (wire === 1) { i += 8; }
      else if (wire === 5) { i += 4; }
      else { return; }
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => count(e.data));
    }
  };
})();
"""
#: The app is idle: it has finished a run and the last lifecycle message it sent ended
#: one (not counts compared: a message lost with a dropped connection would otherwise
#: leave the counts apart for good).
IDLE = "() => window.__mstRuns > 0 && !window.__mstRunning"


def script_runs(page) -> int:
    """How many script runs the app has finished in this page so far."""
    return int(page.evaluate("() => window.__mstRuns"))


def wait_for_run(page, after: int, timeout: float = 60_000) -> None:
    """Wait until a script run that ended after ``after`` (a :func:`script_runs` count)
    has finished and no other is running."""
    page.wait_for_function(f"(n) => window.__mstRuns > n && ({IDLE})()", arg=after, timeout=timeout)


def wait_until_still(locator, frames: int = 10, timeout: float = 30_000) -> None:
    """Wait until ``locator``'s element keeps its place and size for ``frames`` frames."""
    locator.evaluate(
        """(el, [frames, timeout]) => new Promise((resolve, reject) => {
             const end = performance.now() + timeout;
             let last = "", same = 0;
             const look = () => {
               const r = el.getBoundingClientRect();
               const now = [r.x, r.y, r.width, r.height].join();
               same = now === last ? same + 1 : 0;
               last = now;
               if (same >= frames) { resolve(); }
               else if (performance.now() > end) { reject(new Error("still moving: " + now)); }
               else { requestAnimationFrame(look); }
             };
             requestAnimationFrame(look);
           })""",
        [frames, timeout],
    )


def wait_until_map_still(frame, frames: int = 10, timeout: float = 30_000) -> None:
    """Wait until the Leaflet map in ``frame`` keeps its centre and zoom for ``frames``
    frames (a pan or zoom may still be animating when its target zoom is reached)."""
    frame.evaluate(
        """([frames, timeout]) => new Promise((resolve, reject) => {
             const end = performance.now() + timeout;
             let last = "", same = 0;
             const look = () => {
               const m = window.map, c = m && m.getCenter();
               const now = m ? [c.lat, c.lng, m.getZoom()].join() : "";
               same = m && now === last ? same + 1 : 0;
               last = now;
               if (same >= frames) { resolve(); }
               else if (performance.now() > end) { reject(new Error("map still moving: " + now)); }
               else { requestAnimationFrame(look); }
             };
             requestAnimationFrame(look);
           })""",
        [frames, timeout],
    )


class Offline:
    """A browser context whose non-local requests are aborted and recorded.

    Its pages count the app's script runs (:func:`script_runs`, :func:`wait_for_run`).
    """

    def __init__(self, browser) -> None:
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 950})
        self.context.add_init_script(COUNT_RUNS)
        self.context.route(NON_LOCAL, self._abort)

    def _abort(self, route) -> None:
        self.blocked.append(route.request.url)
        route.abort()


@pytest.fixture
def offline(browser) -> Iterator[Offline]:
    o = Offline(browser)
    yield o
    o.context.close()


def save_artifact(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path
