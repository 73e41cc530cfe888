"""The protocol-level session benchmark speaks Streamlit's protocol to the real app.

One simulated session (no browser) against ``streamlit run app.py`` on a loopback
port: its first run finishes, the sidebar widgets are found, and one round of
interactions each finishes and shows in the link. No times are checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks import bench_sessions, bench_share


def run_async(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine in its own thread (Playwright's sync tests keep a loop in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_one_session_runs_and_interacts(tmp_path: Path) -> None:
    with bench_share.app_server({}, tmp_path) as app:
        port = int(app.url.rsplit(":", 1)[1])
        out = run_async(
            asyncio.wait_for(bench_sessions._session(port, 0, 1, 0.0, 60.0, seed=0), 180)
        )
    assert out["errors"] == []
    assert out["first_run_bytes"] > 0
    assert [i["step"] for i in out["interactions"]] == [s[0] for s in bench_sessions.STEPS]


def test_concurrent_sessions_do_not_disturb_each_other(tmp_path: Path) -> None:
    # Sessions share cached map layers; drawing must never change what another
    # session is drawing at the same moment (it once re-parented a shared layer).
    n = 8
    with bench_share.app_server({}, tmp_path) as app:
        port = int(app.url.rsplit(":", 1)[1])
        sessions = run_async(
            asyncio.wait_for(bench_sessions._all_sessions(port, n, 2, 0.05, 60.0, seed=3), 600)
        )
    assert len(sessions) == n
    assert [e for s in sessions for e in s["errors"]] == []
    for s in sessions:
        assert len(s["interactions"]) == 2 * len(bench_sessions.STEPS)
